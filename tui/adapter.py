"""The adapter contract: everything the screens and the CLI ask of a backend.

Two implementations: :class:`tui.adapters.local.LocalAdapter` (in-process,
the embedded default) and :class:`tui.adapters.http.HttpAdapter` (a
``demandas serve`` over HTTP). Both return domain objects and raise
:class:`backend.errors.DemandasError` subclasses with pt-BR messages; one
contract test suite runs against both.

Safe writes: ``idempotency_key`` (create, comment, reply, note) makes a repeated
call return the first call's result instead of writing twice — the HTTP adapter
makes one per call and reuses it on its own retries; pass your own (e.g. a draft
id) to make a re-send after a crash safe too. ``expected_version`` (every edit)
is the ``Ticket.version`` the user was looking at: if the ticket changed since,
the edit is refused with :class:`backend.errors.StaleVersion` instead of
overwriting someone's work. ``None`` (the default) skips each check.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from datetime import date

from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Ticket,
    TicketEvent,
    TicketQuery,
    TicketSummary,
    User,
)


class Adapter(ABC):
    """Async access to one helpdesk backend, acting as one user."""

    #: Where the data lives, for the status line ("local: PATH" / "servidor: URL").
    location: str

    @abstractmethod
    async def whoami(self) -> User:
        """The acting user's profile."""

    @abstractmethod
    async def update_profile(self, update: ProfileUpdate) -> User:
        """Change the acting user's e-mail, phone and cargo ("Meus Dados")."""

    @abstractmethod
    async def desks(self) -> list[DeskInfo]:
        """Every desk the backend serves."""

    @abstractmethod
    async def desk(self, desk_id: str) -> DeskInfo:
        """One desk's form, catalog and rules."""

    @abstractmethod
    async def list_tickets(self, query: TicketQuery) -> Page[TicketSummary]:
        """One page of tickets, in a stable order, with the total count."""

    @abstractmethod
    async def get_ticket(self, number: str) -> Ticket:
        """A ticket with its timeline and the actions the user may take."""

    @abstractmethod
    async def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None) -> Ticket:
        """Open a ticket."""

    @abstractmethod
    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                      idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """Add a comment and/or attachments."""

    @abstractmethod
    async def cancel(self, number: str, reason: str = "", *, expected_version: int | None = None) -> Ticket:
        """Cancel an active ticket."""

    @abstractmethod
    async def resolve(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Resolve a ticket (agents and managers)."""

    @abstractmethod
    async def reopen(self, number: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        """Reopen a resolved or canceled ticket with a justification."""

    # -- support staff ----------------------------------------------------

    @abstractmethod
    async def reply(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                    idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """A public answer from staff (the requester sees it)."""

    @abstractmethod
    async def note(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                   idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """An internal note (observação), never shown to the requester."""

    @abstractmethod
    async def ask(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Ask the requester for more information (-> Aguardando Solicitante)."""

    @abstractmethod
    async def assign(self, number: str, to_login: str, *, expected_version: int | None = None) -> Ticket:
        """Distribute a ticket to an agent of its area (managers)."""

    @abstractmethod
    async def take(self, number: str, *, expected_version: int | None = None) -> Ticket:
        """Reserve a ticket to me, taking it over from whoever held it."""

    @abstractmethod
    async def forward(self, number: str, area: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        """Send a ticket to another area, with the reason."""

    @abstractmethod
    async def track(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Open the linked tracking ticket of a forwarded ticket (SEI technical unit); returns the new one."""

    @abstractmethod
    async def monitor(self, number: str, until: date, reason: str, *,
                      expected_version: int | None = None) -> Ticket:
        """Keep a ticket in monitoring until ``until``."""

    @abstractmethod
    async def queue_counts(self) -> QueueCounts:
        """The home screen's alerts for staff."""

    @abstractmethod
    async def agents(self, area: str | None = None) -> list[AgentLoad]:
        """Staff of an area with their current open-ticket counts."""

    @abstractmethod
    async def download(self, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        """An attachment's metadata and bytes."""

    # -- connection and live updates -----------------------------------------

    @abstractmethod
    async def ping(self) -> bool:
        """True when the backend answers now; never raises (poll it behind the "sem conexão" banner)."""

    @abstractmethod
    def events(self) -> AsyncIterator[TicketEvent]:
        """Live events of the tickets the user may see, from the moment of the call on.

        Each event says a ticket changed (a new timeline entry: ``number``, ``kind``,
        ``at``, ``actor``); fetch the ticket or the listing to see what changed.
        Internal entries (notes, distribution, reservation) reach staff only. The
        user's own changes are included (compare ``actor`` with ``whoami().login``).

        The iterator never ends by itself: when the server is lost it reconnects
        with backoff and, on reconnect, receives what it missed. Consume it in a
        worker and cancel the worker to stop. Raises ``Unauthenticated`` when the
        token is refused; a local store is polled about once a second, so changes
        made by other processes on the same file show up too.
        """

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections and threads."""
