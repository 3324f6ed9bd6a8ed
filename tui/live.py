"""Live updates: what the app tells the user when tickets change elsewhere.

The adapter streams one event per new timeline entry (see ``Adapter.events``); the
app gathers them in short batches, refreshes the screens and shows one notice per
batch, worded here so the rules are testable without a terminal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from backend.domain import EntryKind, Ticket, TicketEvent, TicketSummary
from tui.messages import TicketsChanged

#: Seconds the app waits after an event for more of the same burst before refreshing.
BATCH_SECONDS = 0.3

#: More notices than this in one batch become one summary line.
MAX_NOTICES = 3

# What a change made by someone else means to the person looking at the app.
_NOTICES: dict[EntryKind, str] = {
    EntryKind.CREATED: "Nova demanda {number}",
    EntryKind.COMMENT: "Nova resposta em {number}",
    EntryKind.NOTE: "Nova observação interna em {number}",
    EntryKind.STATUS: "Status alterado em {number}",
    EntryKind.RESOLVED: "Demanda {number} resolvida",
    EntryKind.CANCELED: "Demanda {number} cancelada",
    EntryKind.REOPENED: "Demanda {number} reaberta",
    EntryKind.ASSIGNED: "Demanda {number} distribuída",
    EntryKind.FORWARDED: "Demanda {number} encaminhada",
    EntryKind.MONITOR: "Demanda {number} em monitoramento",
}


def notices(events: Sequence[TicketEvent], me: str) -> list[str]:
    """One pt-BR line per change others made, newest last; a long batch becomes one summary.

    The user's own changes (made in this app or anywhere else) need no notice, and
    reservations are bookkeeping that the queue table shows by itself.
    """
    lines: list[str] = []
    for event in events:
        template = _NOTICES.get(event.kind)
        if event.actor == me or template is None:
            continue
        line = template.format(number=event.number)
        if line not in lines:
            lines.append(line)
    if len(lines) > MAX_NOTICES:
        count = len({e.number for e in events if e.actor != me and e.kind in _NOTICES})
        return [f"{count} demandas foram atualizadas." if count > 1 else lines[-1]]
    return lines


class Listing(Protocol):
    """What a ticket table offers a live refresh (TicketTable and QueueTable)."""

    rows_loaded: list[TicketSummary]
    page_size: int

    def reload(self) -> None: ...

    def update_ticket(self, ticket: TicketSummary) -> None: ...


async def refresh_listing(table: Listing, changed: TicketsChanged,
                          get_ticket: Callable[[str], Awaitable[Ticket]]) -> None:
    """Show changes made elsewhere in a listing without losing the user's place.

    Someone else's changes on the first page: a reload (new tickets appear, moved
    ones leave) with the cursor kept on its ticket. Deeper down a reload would jump
    back to the top, and the user's own changes must not make the row they just
    acted on vanish, so then only the changed rows that are loaded are redrawn.
    """
    if changed.by_others and len(table.rows_loaded) <= table.page_size:
        table.reload()
        return
    numbers = changed.numbers
    loaded = {t.number for t in table.rows_loaded}
    for number in sorted(numbers & loaded):
        table.update_ticket((await get_ticket(number)).summary())
