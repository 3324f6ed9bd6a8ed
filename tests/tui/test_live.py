"""Live updates in local mode: changes made by another process show without a manual refresh."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from backend.domain import EntryKind, TicketEvent
from backend.service import HelpdeskService
from backend.store import Store
from screens.home import HomeScreen
from screens.ticket_detail import TicketDetailScreen
from tests.tui.conftest import recording, settle
from tests.tui.data import AGENT, REQUESTER, START, Desk
from tui.app import DemandasApp
from tui.first_page import HOME_FIRST_PAGE
from tui.live import notices
from widgets.ticket_table import TicketTable
from widgets.timeline import TimelineEntryView


def event(kind: EntryKind, number: str = "CAGE-00001-AAAA", actor: str = "ana") -> TicketEvent:
    return TicketEvent(number, kind, START, actor)


def test_notices_speak_of_what_others_did() -> None:
    assert notices([event(EntryKind.COMMENT)], "fernando") == ["Nova resposta em CAGE-00001-AAAA"]
    assert notices([event(EntryKind.COMMENT, actor="fernando")], "fernando") == []  # own change
    assert notices([event(EntryKind.RESERVED)], "fernando") == []  # bookkeeping, shown in the queue
    # The same change twice in a batch is said once; a long batch becomes one line.
    assert notices([event(EntryKind.COMMENT), event(EntryKind.COMMENT)], "x") == ["Nova resposta em CAGE-00001-AAAA"]
    burst = [event(EntryKind.COMMENT, f"CAGE-0000{i}-AAAA") for i in range(1, 6)]
    assert notices(burst, "fernando") == ["5 demandas foram atualizadas."]


def other_process(desk: Desk) -> tuple[Store, HelpdeskService]:
    """Another program on the same database file (its own connection), a minute later."""
    desk.clock.advance(minutes=1)
    store = Store(desk.path)
    return store, HelpdeskService(store, clock=desk.clock)


async def wait_until(pilot: Pilot[object], condition: Callable[[], bool], what: str) -> None:
    """Give the live stream time to deliver (bounded), then insist on ``condition``."""
    for _ in range(300):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def shown_entries(app: DemandasApp) -> list[str]:
    return [str(view.content) for view in app.screen.query(TimelineEntryView)]


def messages(app: DemandasApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_an_answer_from_another_process_reaches_the_open_ticket(desk: Desk) -> None:
    number = desk.numbers["nova"]
    app = DemandasApp(recording(desk, poll_seconds=0.05), ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        store, service = other_process(desk)
        try:
            service.reply(AGENT.login, number, "Resposta dada no outro terminal.")
        finally:
            store.close()
        await wait_until(pilot, lambda: any("Resposta dada no outro terminal." in e for e in shown_entries(app)),
                         "the reply in the timeline")
        await wait_until(pilot, lambda: f"Nova resposta em {number}" in messages(app), "the notice")
        assert app.screen.ticket is not None and app.screen.ticket.timeline[-1].author_login == AGENT.login


async def test_the_home_list_follows_status_changes_made_elsewhere(desk: Desk) -> None:
    number = desk.numbers["nova"]
    app = DemandasApp(recording(desk, poll_seconds=0.05), ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(TicketTable)
        table.move_cursor(row=table.get_row_index(number))
        store, service = other_process(desk)
        try:
            service.ask(AGENT.login, number, "Qual o número do empenho?")
        finally:
            store.close()

        def status() -> str:
            return next(t.status for t in table.rows_loaded if t.number == number)

        await wait_until(pilot, lambda: status() == "Aguardando Solicitante", "the new status in the list")
        assert table.current_number == number  # the cursor stayed on the ticket
        assert "Aguardando" in table.get_row(number)[3].plain
        await wait_until(pilot, lambda: any(number in m for m in messages(app)), "a notice")


async def test_own_changes_update_in_place_without_a_notice(desk: Desk) -> None:
    number = desk.numbers["dci"]
    app = DemandasApp(recording(desk, poll_seconds=0.05), ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TicketTable)
        # The same user, in another program (the CLI): the row changes, it does not vanish.
        store, service = other_process(desk)
        try:
            service.cancel(REQUESTER.login, number)
        finally:
            store.close()
        await wait_until(pilot, lambda: any(t.number == number and t.status == "Cancelado"
                                            for t in table.rows_loaded), "the row redrawn")
        await pilot.pause(0.3)
        assert not any(number in m for m in messages(app))


async def test_a_change_made_while_the_app_loaded_reaches_the_prefetched_list(desk: Desk) -> None:
    # demandas reads the first page before Textual loads; another program may change a
    # ticket before the live stream starts. The stream starts from the first read, not later.
    number = desk.numbers["nova"]
    adapter = recording(desk, poll_seconds=0.05)
    adapter.prefetch(HOME_FIRST_PAGE)
    assert adapter._prefetched is not None
    adapter._prefetched[2].result(timeout=30)
    store, service = other_process(desk)
    try:
        service.ask(AGENT.login, number, "Qual o número do empenho?")
    finally:
        store.close()
    app = DemandasApp(adapter, ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(TicketTable)
        assert next(t.status for t in table.rows_loaded if t.number == number) == "Em Andamento"  # as read

        def status() -> str:
            return next(t.status for t in table.rows_loaded if t.number == number)

        await wait_until(pilot, lambda: status() == "Aguardando Solicitante", "the change made meanwhile")
