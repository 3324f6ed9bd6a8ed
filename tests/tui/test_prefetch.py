"""The first page read while Textual loads (issue #7: start-up): used once, only when still right."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Static

from backend.domain import Page, TicketSummary
from screens.home import HomeScreen
from tests.tui.conftest import recording, settle
from tests.tui.data import Desk
from tui import cli
from tui.adapter import Adapter
from tui.adapters.local import LocalAdapter
from tui.app import DemandasApp
from tui.first_page import HOME_FIRST_PAGE
from widgets.ticket_table import TicketTable


def wait_for_prefetch(adapter: LocalAdapter) -> Page[TicketSummary]:
    """Block until the prefetched read is done (tests only: the app never waits for it)."""
    assert adapter._prefetched is not None
    return adapter._prefetched[2].result(timeout=30)


def count_service_listings(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    real = desk.service.list_tickets

    def counting(login: str, query: object) -> Page[TicketSummary]:
        calls.append(query)
        return real(login, query)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.service, "list_tickets", counting)
    return calls


async def test_the_home_shows_a_prefetched_page_on_its_first_frame(desk: Desk) -> None:
    adapter = recording(desk)
    adapter.prefetch(HOME_FIRST_PAGE)
    wait_for_prefetch(adapter)
    app = DemandasApp(adapter)
    async with app.run_test(size=(80, 24)) as pilot:
        # No pause: the rows were put in the table when the screen mounted, before any frame.
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(TicketTable)
        assert table.row_count == 4
        assert str(app.screen.query_one("#home-count", Static).content) == "4 de 4"  # and so is their count
        await settle(pilot)
        # The home asked for nothing more: its first listing is exactly HOME_FIRST_PAGE.
        assert adapter.queries == []
        assert table.rows_loaded[0].number == desk.numbers["nova"]


async def test_without_a_prefetch_the_home_lists_the_same_first_page(desk: Desk) -> None:
    adapter = recording(desk)
    app = DemandasApp(adapter)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert adapter.queries == [HOME_FIRST_PAGE]


async def test_list_tickets_uses_the_prefetched_read_once(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_service_listings(desk, monkeypatch)
    adapter = desk.adapter()
    adapter.prefetch(HOME_FIRST_PAGE)
    first = await adapter.list_tickets(HOME_FIRST_PAGE)
    assert len(calls) == 1
    again = await adapter.list_tickets(HOME_FIRST_PAGE)
    assert len(calls) == 2 and again == first


async def test_another_query_reads_the_store(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_service_listings(desk, monkeypatch)
    adapter = desk.adapter()
    adapter.prefetch(HOME_FIRST_PAGE)
    wait_for_prefetch(adapter)
    every = await adapter.list_tickets(replace(HOME_FIRST_PAGE, active_only=False))
    assert len(calls) == 2 and every.total == 6
    assert adapter.take_prefetched(HOME_FIRST_PAGE) is None  # a prefetch is good for the next listing only


async def test_take_prefetched_hands_the_page_over_once(desk: Desk) -> None:
    adapter = desk.adapter()
    assert adapter.take_prefetched(HOME_FIRST_PAGE) is None  # nothing asked for
    adapter.prefetch(HOME_FIRST_PAGE)
    page = wait_for_prefetch(adapter)
    assert adapter.take_prefetched(replace(HOME_FIRST_PAGE, search="x")) is None
    assert adapter.take_prefetched(HOME_FIRST_PAGE) == page
    assert adapter.take_prefetched(HOME_FIRST_PAGE) is None


async def test_a_failed_prefetch_fails_the_listing_as_a_plain_read_would(tmp_path: Path) -> None:
    folder = tmp_path / "pasta"  # a folder where the database file should be
    folder.mkdir()
    plain = LocalAdapter(folder, "ana")
    with pytest.raises(Exception) as plain_error:  # whatever a plain read raises
        await plain.list_tickets(HOME_FIRST_PAGE)
    prefetching = LocalAdapter(folder, "ana")
    prefetching.prefetch(HOME_FIRST_PAGE)
    assert prefetching._prefetched is not None
    assert prefetching._prefetched[2].exception(timeout=30) is not None
    assert prefetching.take_prefetched(HOME_FIRST_PAGE) is None  # the error is list_tickets' to raise
    with pytest.raises(type(plain_error.value)) as prefetched_error:
        await prefetching.list_tickets(HOME_FIRST_PAGE)
    assert (type(prefetched_error.value), str(prefetched_error.value)) == (
        type(plain_error.value), str(plain_error.value))
    for adapter in (plain, prefetching):
        await adapter.aclose()


def test_the_command_prefetches_the_home_page_before_loading_the_interface(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Page[TicketSummary] | None] = []

    def fake_run_tui(adapter: Adapter) -> int:
        page = None
        for _ in range(600):  # up to ~30 s on a busy machine; normally at once
            page = adapter.take_prefetched(HOME_FIRST_PAGE)
            if page is not None:
                break
            time.sleep(0.05)
        seen.append(page)
        asyncio.run(adapter.aclose())
        return 0

    monkeypatch.setattr("tui.app.run_tui", fake_run_tui)
    monkeypatch.setattr("tui.gc_pause.pause", lambda: None)  # the real one is resumed by the app
    assert cli.main(["--db", str(desk.path), "--user", "fernando"]) == 0
    assert seen and seen[0] is not None
    assert seen[0].items[0].number == desk.numbers["nova"]

