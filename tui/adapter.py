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

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future
from datetime import date
from typing import TYPE_CHECKING

from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    KnowledgeArticle,
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

if TYPE_CHECKING:  # only annotations here; SGTA's model loads when SGTA is used
    from backend.sgta.domain import (
        Decision,
        GestorLoad,
        ImportResult,
        RecordQuery,
        SgtaCounts,
        SgtaDoc,
        SgtaRecord,
        SgtaRequest,
        Trail,
        TrailSummary,
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

    # -- the start-up prefetch ------------------------------------------------

    #: (query, our writes then, the read) of prefetch(); used once.
    _prefetched: tuple[TicketQuery, int, Future[Page[TicketSummary]]] | None = None
    #: Writes this adapter has made: a page read before one of them is not used.
    _writes = 0

    def prefetch(self, query: TicketQuery) -> None:
        """Start reading ``query`` now, with no event loop yet; the next ``list_tickets(query)`` may use it.

        A hint for start-up (``demandas`` calls it before Textual loads). The read is used
        once, by the same query, if this adapter wrote nothing meanwhile; if it failed, the
        listing reads again, with its own retries and messages.
        """
        future = self._read_ahead(query)
        if future is not None:
            self._prefetched = (query, self._writes, future)

    def _read_ahead(self, query: TicketQuery) -> Future[Page[TicketSummary]] | None:
        """A read of ``query`` started off the event loop; None where the adapter cannot (the default)."""
        return None

    def take_prefetched(self, query: TicketQuery) -> Page[TicketSummary] | None:
        """The page ``prefetch(query)`` has already read, without waiting; None if it is not ready."""
        prefetched = self._prefetched
        if prefetched is None or prefetched[:2] != (query, self._writes) or not prefetched[2].done():
            return None
        self._prefetched = None
        return None if prefetched[2].exception() is not None else prefetched[2].result()

    async def _prefetched_page(self, query: TicketQuery) -> Page[TicketSummary] | None:
        """For ``list_tickets(query)``: the prefetched page (waiting for it), once; None to read as usual."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is None or prefetched[:2] != (query, self._writes):
            return None
        try:
            return await asyncio.wrap_future(prefetched[2])
        except Exception:  # the listing reads again and reports the error where it is handled
            return None

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

    # -- SGTA: audit trails (seed 001) ------------------------------------------

    @abstractmethod
    async def sgta_trails(self, search: str = "") -> list[TrailSummary]:
        """The trail selection table; the word "permitido" keeps the trails the user may access."""

    @abstractmethod
    async def sgta_trail(self, trail_id: str) -> Trail:
        """One trail: its area, own columns and justification deadline."""

    @abstractmethod
    async def sgta_import(self, trail_id: str, data: bytes, name: str = "registros.csv") -> ImportResult:
        """Load a trail's records from a CSV file (gestores of the trail's area)."""

    @abstractmethod
    async def sgta_records(self, query: RecordQuery) -> Page[SgtaRecord]:
        """A page of a trail's records the user may see, with the total count."""

    @abstractmethod
    async def sgta_record(self, record_id: int) -> SgtaRecord:
        """A record with its justification, change request, documents and events."""

    @abstractmethod
    async def sgta_act(self, record_id: int, request: SgtaRequest) -> SgtaRecord:
        """Do one action on a record (see the helpers below); returns the record after it."""

    @abstractmethod
    async def sgta_download(self, record_id: int, doc_id: int) -> tuple[SgtaDoc, bytes]:
        """A document of a record and its bytes."""

    @abstractmethod
    async def sgta_counts(self) -> SgtaCounts:
        """The home screen's SGTA alerts."""

    @abstractmethod
    async def sgta_gestores(self, trail_id: str) -> list[GestorLoad]:
        """The gestores of a trail's area with how many records each analyses now (distribution)."""

    # Helpers over sgta_act: one per action of the seed, so callers read like the manual.

    async def sgta_open(self, record_id: int, *, expected_version: int | None = None) -> SgtaRecord:
        """The unit's analyst opens the record to justify it (reserves it, taking it over if held)."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.OPEN, expected_version=expected_version))

    async def sgta_justify(self, record_id: int, agree: bool, text: str, attachments: Sequence[NewAttachment] = (),
                           *, expected_version: int | None = None) -> SgtaRecord:
        """The unit's analyst agrees or disagrees with the inconsistency, with a text and documents."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.JUSTIFY, text=text, agree=agree,
                                                          attachments=tuple(attachments),
                                                          expected_version=expected_version))

    async def sgta_request_change(self, record_id: int, text: str) -> SgtaRecord:
        """Ask the gestor to let a finished justification be changed."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.REQUEST_CHANGE, text=text))

    async def sgta_attach(self, record_id: int, attachments: Sequence[NewAttachment]) -> SgtaRecord:
        """Attach documents (any status, even after conclusion)."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.ATTACH, attachments=tuple(attachments)))

    async def sgta_observe(self, record_id: int, text: str) -> SgtaRecord:
        """The gestor's observation shown in the "Observação TCE" column."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.OBSERVE, text=text))

    async def sgta_analyse(self, record_id: int) -> SgtaRecord:
        """The gestor opens a justified record for analysis (reserves it)."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.ANALYSE))

    async def sgta_validate(self, record_id: int, decision: Decision, text: str, until: date | None = None, *,
                            expected_version: int | None = None) -> SgtaRecord:
        """The gestor's opinion: archive, monitor until a date, return, or save a draft."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.VALIDATE, text=text, decision=decision,
                                                          until=until, expected_version=expected_version))

    async def sgta_decide_change(self, record_id: int, accept: bool, text: str) -> SgtaRecord:
        """Accept or refuse a change request, always with a justification."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.DECIDE_CHANGE, text=text, accept=accept))

    async def sgta_distribute(self, record_id: int, to_login: str) -> SgtaRecord:
        """Hand a justified record to a gestor of the area, who will analyse it."""
        from backend.sgta.domain import SgtaAction, SgtaRequest  # SGTA loads on first use

        return await self.sgta_act(record_id, SgtaRequest(SgtaAction.DISTRIBUTE, to=to_login))

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

    # -- evaluations and knowledge articles ----------------------------------------

    @abstractmethod
    async def evaluate(self, number: str, score: int, comment: str = "", *,
                       expected_version: int | None = None) -> Ticket:
        """The requester scores the service of a resolved ticket (1 to 5), once per resolution."""

    @abstractmethod
    async def knowledge(self, desk_id: str, query: str = "") -> list[KnowledgeArticle]:
        """The desk's knowledge articles matching ``query`` (accents and case ignored); all when empty."""
