"""The start-up prefetch (issue #7): the home's first page read before Textual loads, on every adapter."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from backend.domain import EntryKind, Page, TicketSummary
from tests.contract.conftest import Backend
from tests.contract.test_safe_writes import EVENT_WAIT, next_event
from tests.contract.test_tickets import example
from tui.adapter import Adapter
from tui.first_page import HOME_FIRST_PAGE


async def prefetched(adapter: Adapter) -> Page[TicketSummary]:
    """What ``take_prefetched`` hands over once the read is done (bounded wait)."""
    for _ in range(600):
        page = adapter.take_prefetched(HOME_FIRST_PAGE)
        if page is not None:
            return page
        await asyncio.sleep(0.05)
    raise AssertionError("the prefetched page never arrived")


async def test_a_prefetched_page_is_the_page_a_plain_read_gives(backend: Backend, requester: Adapter) -> None:
    for title in ("Primeira", "Segunda"):
        await requester.create_ticket(example(title=title))
    plain = await requester.list_tickets(HOME_FIRST_PAGE)
    assert [t.title for t in plain.items] == ["Segunda", "Primeira"]
    starting = backend.adapter(requester.login)  # a new session of the same user, as at start-up
    starting.prefetch(HOME_FIRST_PAGE)
    assert await prefetched(starting) == plain
    assert starting.take_prefetched(HOME_FIRST_PAGE) is None  # handed over once
    assert await starting.list_tickets(HOME_FIRST_PAGE) == plain  # then a plain read again


async def test_list_tickets_waits_for_the_prefetched_read(backend: Backend, requester: Adapter) -> None:
    await requester.create_ticket(example())
    plain = await requester.list_tickets(HOME_FIRST_PAGE)
    starting = backend.adapter(requester.login)
    starting.prefetch(HOME_FIRST_PAGE)
    assert await starting.list_tickets(HOME_FIRST_PAGE) == plain
    other = replace(HOME_FIRST_PAGE, active_only=False)
    starting.prefetch(HOME_FIRST_PAGE)
    assert await starting.list_tickets(other) == await requester.list_tickets(other)  # not mistaken for another


async def test_a_change_made_between_the_first_page_and_the_event_stream_is_not_missed(
        backend: Backend, requester: Adapter, agent: Adapter) -> None:
    # At start-up the first page is read while Textual loads, and the event stream opens
    # later: a change in between must still arrive (the stream starts where the read did).
    ticket = await requester.create_ticket(example())
    starting = backend.adapter(requester.login)
    starting.prefetch(HOME_FIRST_PAGE)
    await prefetched(starting)
    await agent.reply(ticket.number, "Resposta enquanto o aplicativo abria.")
    events = starting.events()
    try:
        event = await asyncio.wait_for(next_event(events, ticket.number), EVENT_WAIT)
    finally:
        await events.aclose()  # type: ignore[attr-defined]
    assert (event.number, event.kind, event.actor) == (ticket.number, EntryKind.COMMENT, "atendente")


async def test_a_write_of_ours_makes_the_prefetched_page_stale(backend: Backend, requester: Adapter) -> None:
    await requester.create_ticket(example(title="Antes"))
    starting = backend.adapter(requester.login)
    starting.prefetch(HOME_FIRST_PAGE)
    assert starting._prefetched is not None
    before = await asyncio.wrap_future(starting._prefetched[2])  # read to the end before the write
    created = await starting.create_ticket(example(title="Depois"))
    assert starting.take_prefetched(HOME_FIRST_PAGE) is None
    page = await starting.list_tickets(HOME_FIRST_PAGE)
    assert page.total == before.total + 1 and page.items[0].number == created.number
