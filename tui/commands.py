"""Command-palette providers: "Ir para demanda…" searches tickets through the adapter."""

from __future__ import annotations

from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from backend.domain import Scope, TicketQuery, TicketSummary
from backend.errors import DemandasError
from backend.text import printable
from tui.adapter import Adapter

#: How many tickets the palette lists per search.
MAX_HITS = 10


@runtime_checkable
class OpensTickets(Protocol):
    """What the provider needs from the app (kept structural to avoid an import cycle)."""

    adapter: Adapter

    def open_ticket(self, number: str) -> None:
        """Show a ticket's details."""


def ticket_display(ticket: TicketSummary) -> Content:
    """``CAGE-00001-ABCD  Title`` as content that never parses markup."""
    return Content.assemble((ticket.number, "bold"), "  ", printable(ticket.title))


def ticket_help(ticket: TicketSummary) -> str:
    """The hit's second line; the palette parses it as markup, so it is escaped."""
    return escape(f"{ticket.status} · {printable(ticket.requester_name)}")


class GoToTicketProvider(Provider):
    """Finds tickets by number or title words ("Ir para demanda")."""

    def _app(self) -> OpensTickets | None:
        return self.app if isinstance(self.app, OpensTickets) else None

    async def _find(self, text: str, limit: int = MAX_HITS) -> list[TicketSummary]:
        app = self._app()
        if app is None:
            return []
        query = TicketQuery(scope=Scope.VISIBLE, active_only=False, search=text, limit=limit)
        try:
            page = await app.adapter.list_tickets(query)
        except DemandasError:
            return []  # the palette stays usable; the banner reports a lost server
        return list(page.items)

    async def discover(self) -> Hits:
        """With nothing typed, offer the most recent tickets."""
        app = self._app()
        if app is None:
            return
        for ticket in await self._find("", limit=5):
            yield DiscoveryHit(
                Content("Ir para ") + ticket_display(ticket),
                partial(app.open_ticket, ticket.number),
                text=f"Ir para {ticket.number} {ticket.title}",
                help=ticket_help(ticket),
            )

    async def search(self, query: str) -> Hits:
        """Tickets whose number, title or description match what was typed."""
        app = self._app()
        text = query.strip()
        if app is None or len(text) < 2:
            return
        matcher = self.matcher(text)
        for ticket in await self._find(text):
            label = f"{ticket.number} {ticket.title}"
            # The server already matched (description too); keep those hits visible.
            score = max(matcher.match(label), 0.2)
            yield Hit(
                score,
                Content("Ir para ") + ticket_display(ticket),
                partial(app.open_ticket, ticket.number),
                text=f"Ir para {label}",
                help=ticket_help(ticket),
            )
