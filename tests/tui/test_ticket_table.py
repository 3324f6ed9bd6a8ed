"""TicketTable: its own drawing matches DataTable's exactly; typing debounces only while a listing is on its way."""

from __future__ import annotations

import asyncio
from itertools import product

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable

from backend.domain import Page, TicketQuery, TicketSummary
from widgets.ticket_table import TicketTable, _one_target_per_row

TEXTS = [
    "", "a", "Título", "exatamente dez", "Erro ao registrar ponto eletrônico no sistema de frequência",
    "漢字のタイトルがとても長い", "🎉 festa de fim de ano", "e\u0301 acentuado", "[bold]x[/] não é markup",
    "ECAGE-00042-AB12", "aaaaaaaaaaaaaaa", "22/11/2026",
]
STYLES: list[str | Style] = ["", "italic", "bold", Style(color="red", bgcolor="blue")]
OVERFLOWS = [None, "ellipsis", "crop", "fold"]
WIDTHS = [1, 3, 4, 10, 15, 40]


async def no_fetch(query: TicketQuery) -> Page[TicketSummary]:
    raise AssertionError("not used")


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TicketTable(no_fetch)


def cells() -> list[Text]:
    found = []
    for text, style, overflow, no_wrap in product(TEXTS, STYLES, OVERFLOWS, [True, None]):
        found.append(Text(text, style=style, overflow=overflow, no_wrap=no_wrap))  # type: ignore[arg-type]
    return found


async def test_one_line_cells_are_drawn_as_datatable_draws_them() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)):
        table = app.query_one(TicketTable)
        for index, width in enumerate(WIDTHS):
            table.add_column(Text(f"Coluna {index}", style="italic" if index % 2 else ""), width=width,
                             key=str(index))
        values = cells()
        for start in range(0, len(values), len(WIDTHS)):
            table.add_row(*values[start:start + len(WIDTHS)], key=str(start))
        table.add_row(Text.assemble("com ", ("span", "bold")), Text("duas\nlinhas"), Text("tab\there"), key="other")
        drawn = fallback = 0
        for row_index, column_index in product(range(-1, table.row_count), range(len(WIDTHS))):
            width = table.ordered_columns[column_index].get_render_width(table)
            for base, cursor, hover, hover_shown in product(
                    [table.rich_style, table._get_row_style(row_index, table.rich_style)],
                    [False, True], [False, True], [False, True]):
                table._show_hover_cursor = hover_shown
                table._cell_render_cache.clear()
                expected = DataTable._render_cell(table, row_index, column_index, base, width, cursor, hover)
                table._cell_render_cache.clear()
                ours = table._render_one_line_cell(row_index, column_index, base, width, cursor, hover)
                if ours is None:
                    fallback += 1
                    continue
                drawn += 1
                assert ours == expected, (row_index, column_index, table.get_row_at(row_index)[column_index]
                                          if row_index >= 0 else "header")
        # Most cells take the direct path; spans, several lines and tabs are left to DataTable.
        assert drawn > 0.9 * (drawn + fallback)
        assert fallback >= 3 * 16


class TwoTablesApp(App[None]):
    # TicketTable's NO_COLOR cursor for both, so the comparison holds with NO_COLOR set too.
    CSS = "DataTable { height: 14; } DataTable:nocolor > .datatable--cursor { text-style: reverse; }"

    def compose(self) -> ComposeResult:
        yield TicketTable(no_fetch, id="ours")
        yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)


async def test_ticket_table_lines_are_a_stock_data_tables_lines() -> None:
    """Whole frames: TicketTable's lines are a stock DataTable's, with one click target per row."""
    app = TwoTablesApp()
    async with app.run_test(size=(100, 30)) as pilot:
        ours = app.query_one(TicketTable)
        stock = app.query_one("#stock", DataTable)
        values = cells()
        widths = [30, 15, 11, 12, 10]
        for table in (ours, stock):
            for index, width in enumerate(widths):
                table.add_column(Text(f"Coluna {index}", style="italic" if index % 2 else ""), width=width,
                                 key=str(index))
            for start in range(0, len(values), len(widths)):
                table.add_row(*values[start:start + len(widths)], key=str(start))
        await pilot.pause()
        region = Region(0, 0, 100, 14)
        for cursor, hover, focused in product([0, 3, 12, 40], [0, 5], [True, False]):
            frames = []
            for table in (ours, stock):
                table.move_cursor(row=cursor)
                table.hover_coordinate = Coordinate(hover, 0)
                table._show_hover_cursor = bool(hover)
                if focused:
                    table.focus()
                else:
                    app.set_focus(None)
                await pilot.pause()
                frames.append(table.render_lines(region))
            assert frames[0] == [_one_target_per_row(strip) for strip in frames[1]], (cursor, hover, focused)


async def test_typing_waits_only_while_a_listing_is_on_its_way() -> None:
    """``load(delay=…)`` debounces a burst of keys; a key after the rows arrived searches at once."""
    asked: list[str] = []
    answer = asyncio.Event()

    async def slow_fetch(query: TicketQuery) -> Page[TicketSummary]:
        asked.append(query.search)
        await answer.wait()
        return Page((), 0, 0, query.limit)

    class SlowApp(App[None]):
        def compose(self) -> ComposeResult:
            yield TicketTable(slow_fetch)

    app = SlowApp()
    async with app.run_test() as pilot:
        table = app.query_one(TicketTable)
        table.load(TicketQuery(search="er"), delay=60)
        await pilot.pause()
        assert asked == ["er"]  # nothing on its way: no wait
        table.load(TicketQuery(search="err"), delay=60)
        await pilot.pause()
        assert asked == ["er"]  # "er" is still on its way: this one waits (and a newer key restarts it)
        table.load(TicketQuery(search="erro"))
        await pilot.pause()
        assert asked == ["er", "erro"]
        answer.set()
        await app.workers.wait_for_complete()
        assert table.total == 0
        table.load(TicketQuery(search="erro a"), delay=60)
        await pilot.pause()
        assert asked == ["er", "erro", "erro a"]
