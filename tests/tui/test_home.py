"""Minhas demandas: filters, search, sort, paging, palette, connection loss, safety."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static

from backend.domain import Scope, SortKey
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.ticket_detail import TicketDetailScreen
from tests.tui.conftest import BIG, RecordingAdapter, recording, settle
from tests.tui.data import ESCAPE_TITLE, MARKUP_TITLE, Desk, make_desk
from tui.app import DemandasApp
from widgets.ticket_table import TicketTable


def titles(app: DemandasApp) -> list[str]:
    """The Título column, top to bottom, as plain text."""
    table = app.screen.query_one(TicketTable)
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


def count_label(app: DemandasApp) -> str:
    return str(app.screen.query_one("#home-count", Static).content)


async def test_active_tickets_by_default(app: DemandasApp, adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert titles(app) == ["Nova Demanda", "␛[31mvermelho␛[0m e [b]negrito[/b]", MARKUP_TITLE, "Teste DCI"]
        assert count_label(app) == "4 de 4"
        first = adapter.queries[0]
        assert (first.scope, first.active_only, first.offset) == (Scope.MINE, True, 0)
        assert first.limit == TicketTable.PAGE_SIZE


async def test_a_toggles_all_and_active(app: DemandasApp, adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert len(titles(app)) == 6
        assert "Erro ao liquidar empenho" in titles(app) and "Teste" in titles(app)
        assert adapter.queries[-1].active_only is False
        assert app.screen.query_one("#home-filter", Select).value == "__todas__"
        await pilot.press("a")
        await settle(pilot)
        assert len(titles(app)) == 4


async def test_s_filters_by_one_status(app: DemandasApp, adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        # Options: ativas, todas, Em Andamento, Aguardando Solicitante, Resolvido, Cancelado.
        await pilot.press("down", "down", "down", "down", "enter")
        await settle(pilot)
        assert titles(app) == ["Erro ao liquidar empenho"]
        assert adapter.queries[-1].status == "Resolvido"
        assert app.focused is app.screen.query_one(TicketTable)


async def test_search_as_you_type_drops_stale_answers(app: DemandasApp, adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(adapter.queries)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#home-search", Input)
        for key in "dci":  # typed faster than the debounce (Pilot.press idles between keys)
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert titles(app) == ["Teste DCI"]
        searches = [q.search for q in adapter.queries[before:]]
        assert searches[-1] == "dci"
        assert len(searches) < 3
        assert count_label(app) == "1 de 1"
        # Keys typed in the search box are text, not commands.
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#home-search", Input).value == ""
        assert len(titles(app)) == 4


async def test_a_search_with_the_same_rows_leaves_the_table_as_it_is(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"tes")
        await settle(pilot)
        table = app.screen.query_one(TicketTable)
        assert titles(app) == ["Teste DCI"]
        shown = table.get_row_at(0)[0]
        await pilot.press("t")  # "test": the same ticket
        await settle(pilot)
        assert table.get_row_at(0)[0] is shown  # nothing was redrawn
        assert count_label(app) == "1 de 1"
        await pilot.press("escape")  # every ticket again: redrawn
        await settle(pilot)
        assert len(titles(app)) == 4


async def test_search_with_no_match_says_so(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzz")
        await settle(pilot)
        empty = app.screen.query_one("#home-empty", Static)
        assert empty.display and "Nenhuma demanda encontrada" in str(empty.content)
        assert not app.screen.query_one(TicketTable).display


async def test_sort_by_key_and_header(app: DemandasApp, adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert (adapter.queries[-1].sort, adapter.queries[-1].descending) == (SortKey.TITLE, False)
        # The server orders by the stored title (ESC sorts before "[").
        assert titles(app) == ["␛[31mvermelho␛[0m e [b]negrito[/b]", MARKUP_TITLE, "Nova Demanda", "Teste DCI"]
        await pilot.press("i")
        await settle(pilot)
        assert adapter.queries[-1].descending is True
        table = app.screen.query_one(TicketTable)
        assert "▼" in table.ordered_columns[0].label.plain
        # Clicking the "Número" header sorts by number.
        x = table.ordered_columns[0].get_render_width(table) + 2
        await pilot.click(TicketTable, offset=(x, 0))
        await settle(pilot)
        assert adapter.queries[-1].sort is SortKey.NUMBER
        numbers = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert numbers == sorted(numbers, reverse=adapter.queries[-1].descending)


async def test_enter_opens_the_ticket(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert app.screen.number == desk.numbers["dci"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_hostile_titles_show_literally(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = titles(app)
        assert MARKUP_TITLE in shown
        assert "\x1b" not in "".join(shown)
        assert "␛[31mvermelho␛[0m e [b]negrito[/b]" in shown
        app.open_ticket(desk.numbers["escape"])
        await settle(pilot)
        values = [str(s.content) for s in app.screen.query(".detail-value").results(Static)]
        assert ESCAPE_TITLE.replace("\x1b", "␛") in values
        app.open_ticket(desk.numbers["markup"])
        await settle(pilot)
        values = [str(s.content) for s in app.screen.query(".detail-value").results(Static)]
        assert MARKUP_TITLE in values
        description = app.screen.query_one("#detail-description", Static)
        assert "Descrição com [link=x]markup[/link]." in str(description.content)


async def test_new_user_sees_how_to_start(empty_desk: Desk) -> None:
    app = DemandasApp(recording(empty_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = app.screen.query_one("#home-empty", Static)
        assert empty.display
        assert "Nenhuma demanda ativa" in str(empty.content)
        assert "Pressione n para criar" in str(empty.content)
        await pilot.press("a")
        await settle(pilot)
        assert "Pressione n para criar a sua primeira demanda" in str(empty.content)


async def test_first_page_only_then_next_page_near_the_end(big_db: Path, tmp_path: Path) -> None:
    desk = make_desk(big_db, users=())
    adapter = recording(desk)
    app = DemandasApp(adapter)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TicketTable)
        page = TicketTable.PAGE_SIZE
        # Start-up asked for one page, not for 100,000 rows.
        assert [(q.offset, q.limit) for q in adapter.queries] == [(0, page)]
        assert table.row_count == page
        assert count_label(app) == f"{page} de {BIG:,}".replace(",", ".")
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert len(adapter.queries) == 1  # still far from the end (a page down is near it already)
        await pilot.press("end")
        await settle(pilot)
        assert [(q.offset, q.limit) for q in adapter.queries] == [(0, page), (page, page)]
        assert table.row_count == 2 * page
        assert count_label(app) == f"{2 * page} de {BIG:,}".replace(",", ".")
        # The cursor stayed where the user put it; new rows went below.
        assert table.cursor_row == page - 1
        assert table.get_row_at(page)[0].plain == f"Demanda de carga {BIG - page}"
    desk.service.store.close()


async def test_palette_goes_to_a_ticket(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Ir para demanda")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)  # the ticket finder
        await pilot.press(*"DCI")
        await settle(pilot, rounds=8)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert app.screen.number == desk.numbers["dci"]


async def test_palette_lists_the_screen_actions(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles_ = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Ir para demanda…", "Minhas demandas: Buscar", "Minhas demandas: Status",
                         "Minhas demandas: Ordenar", "Minhas demandas: Meus Dados", "Minhas demandas: Ajuda",
                         "Nova demanda", "Tema"):
            assert expected in titles_


async def test_help_lists_the_keys_of_this_screen(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        described = {row[1] for row in app.screen.rows}
        assert {"Nova", "Buscar", "Status", "Ordenar", "Abrir", "Meus Dados", "Sair"} <= described
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_lost_server_shows_banner_keeps_typing_and_recovers(app: DemandasApp,
                                                                  adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        adapter.down = True
        await pilot.press("slash", *"teste")
        await settle(pilot)
        banner = app.screen.query_one(".offline-banner", Static)
        assert app.offline and banner.display
        assert "Sem conexão com o servidor" in str(banner.content)
        assert app.screen.query_one("#home-search", Input).value == "teste"
        assert len(titles(app)) == 4  # the last good rows stay
        adapter.down = False
        app._probe()  # the retry timer's job, without waiting 5 seconds
        await settle(pilot)
        assert not app.offline and not banner.display
        assert titles(app) == ["Teste DCI"]  # reloaded with what was typed while offline
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_letters_typed_right_after_slash_go_to_the_search(app: DemandasApp) -> None:
    from textual.events import Key

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # All at once, as a fast typist or a paste sends them: the list gets the letters
        # before "/" has moved the focus; they must still end up in the search box.
        for key, char in (("slash", "/"), ("i", "i"), ("q", "q"), ("d", "d")):
            app.post_message(Key(key, char))
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one("#home-search", Input).value == "iqd"
        assert app.screen.query_one(TicketTable).query_base.descending is True  # "i" did not invert the order
