"""A ticket listing that loads one page at a time from the adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style, StyleType
from rich.text import Text
from textual import work
from textual._types import SegmentLines
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey

from backend.domain import Page, SortKey, StatusClass, TicketQuery, TicketSummary
from backend.text import format_date, printable
from tui.first_page import PAGE_SIZE
from tui.messages import WorkerErrorsToApp

Fetch = Callable[[TicketQuery], Awaitable[Page[TicketSummary]]]

# (column key, wide label, narrow label, sort key)
COLUMNS: tuple[tuple[str, str, str, SortKey], ...] = (
    ("title", "Título", "Título", SortKey.TITLE),
    ("number", "Número", "Número", SortKey.NUMBER),
    ("requester", "Solicitante", "Solicitante", SortKey.REQUESTER),
    ("status", "Status", "Status", SortKey.STATUS),
    ("created", "Data de criação", "Criação", SortKey.CREATED),
)
SORT_COLUMN: dict[SortKey, str] = {sort: key for key, _, _, sort in COLUMNS}
# "Balcão": only while the rows come from more than one desk (e-CAGE alone looks as before).
DESK_KEY = "desk"
DESK_LABEL = "Balcão"

# Ticket numbers are PREFIX-NNNNN-XXXX: 15 cells.
_NUMBER_WIDTH = 15
_DATE_WIDTH = 10


#: Merged lines remembered (DataTable caches its strips; this keeps the merge off repeat frames).
_MERGED_LINES_KEPT = 512


def _one_target_per_row(strip: Strip) -> Strip:
    """``strip`` with every cell's click meta replaced by its row's (header and blank lines as they are)."""
    row: int | None = None
    for segment in strip:
        style = segment.style
        if style is not None and style._meta:
            row = style.meta.get("row")
            break
    if row is None or row < 0:
        return strip
    target = Style.from_meta({"row": row, "column": 0, "out_of_bounds": False})
    segments = [
        Segment(text, style + target, control) if style is not None and style._meta else Segment(text, style, control)
        for text, style, control in strip
    ]
    return Strip(segments, strip.cell_length).simplify()


def format_count(value: int) -> str:
    """An integer with pt-BR thousands separators: ``100.000``."""
    return f"{value:,}".replace(",", ".")


class TicketTable(WorkerErrorsToApp, DataTable[Text]):
    """Keyed ticket rows fetched a page at a time; the next page loads near the end.

    Rows are keyed by ticket number. ``load()`` replaces the listing (the newest
    request wins; stale answers are dropped); moving the cursor or scrolling close
    to the last loaded row fetches the next page and appends it.

    | Key | Description |
    | :- | :- |
    | enter | Abrir a demanda destacada. |
    | up/down, pageup/pagedown, home/end | Mover o cursor (a próxima página carrega sozinha). |
    """

    DEFAULT_CSS = """
    TicketTable {
        height: 1fr;
    }
    TicketTable:nocolor > .datatable--cursor {
        text-style: reverse;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Hidden from the footer to leave room at 80 columns; help and palette list it.
        Binding("enter", "select_cursor", "Abrir", show=False, id="table.open", tooltip="Abrir a demanda destacada"),
        # In a list, home/end mean first/last row (DataTable scrolls sideways by default).
        Binding("home", "scroll_top", "Primeira", show=False, id="table.first", tooltip="Ir para a primeira linha"),
        Binding("end", "scroll_bottom", "Última", show=False, id="table.last",
                tooltip="Ir para a última linha carregada (a próxima página vem em seguida)"),
    ]

    #: Rows requested per page.
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    #: How close (in rows) to the end of the loaded rows the next page is fetched.
    PREFETCH: ClassVar[int] = 20

    class Loaded(Message):
        """A page arrived: ``loaded`` rows are in the table out of ``total``."""

        def __init__(self, table: TicketTable, loaded: int, total: int, first: bool) -> None:
            super().__init__()
            self.table = table
            self.loaded = loaded
            self.total = total
            self.first = first

        @property
        def control(self) -> TicketTable:
            """The table that loaded."""
            return self.table

    class Opened(Message):
        """The user chose a ticket (Enter or click)."""

        def __init__(self, table: TicketTable, number: str) -> None:
            super().__init__()
            self.table = table
            self.number = number

        @property
        def control(self) -> TicketTable:
            """The table the ticket was chosen in."""
            return self.table

    def __init__(self, fetch: Fetch, *, page_size: int | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._fetch = fetch
        self.page_size = page_size or self.PAGE_SIZE
        self.query_base: TicketQuery | None = None
        """The listing shown (offset 0); None before the first page arrives."""
        self.total = 0
        """How many tickets match the listing on the server."""
        self.rows_loaded: list[TicketSummary] = []
        self._numbers: set[str] = set()
        self._generation = 0
        self._loading_more = False
        self._pending: int | None = None  # the generation whose first page is being fetched
        self._widths: tuple[int, ...] = ()
        self.desk_labels: dict[str, str] = {}
        """Short desk names by desk id, for the Balcão column (the id when absent)."""
        self._show_desk = False
        self._cell_styles: dict[tuple[StyleType, bool], Style | None] = {}
        self._frame_styles: dict[str, Any] | None = None  # only while render_lines() runs

    # -- public API -------------------------------------------------------

    @property
    def shows_desk(self) -> bool:
        """True while the Balcão column is shown (the rows span several desks)."""
        return self._show_desk

    def desk_label(self, desk_id: str) -> str:
        """What the Balcão column shows for ``desk_id``."""
        return self.desk_labels.get(desk_id, desk_id)

    def set_desk_labels(self, labels: dict[str, str]) -> None:
        """Name the desks of the Balcão column (they may arrive after the first page)."""
        self.desk_labels = dict(labels)
        if self._show_desk and self.query_base is not None:
            self._rebuild()

    def _columns(self) -> tuple[str, ...]:
        """The column keys shown now, in order."""
        keys = tuple(key for key, *_ in COLUMNS)
        return (*keys[:2], DESK_KEY, *keys[2:]) if self._show_desk else keys

    def _spans_desks(self) -> bool:
        return len({t.desk for t in self.rows_loaded}) > 1

    @property
    def has_more(self) -> bool:
        """True while the server holds rows not loaded yet."""
        return len(self.rows_loaded) < self.total

    @property
    def current_number(self) -> str | None:
        """The ticket number under the cursor, if any."""
        if not self.rows_loaded or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def load(self, query: TicketQuery, *, delay: float = 0.0, keep: str | None = None) -> None:
        """Replace the listing with the first page of ``query``.

        ``delay`` debounces typing, but only while an earlier listing is still on its way:
        a key typed after the last one's rows arrived searches at once, and a burst of
        keys asks once (a newer call cancels this one while it waits).
        ``keep`` puts the cursor back on that ticket number when it is still listed.
        """
        self._generation += 1
        self.workers.cancel_group(self, "more")
        self._loading_more = False
        self._load_first(query, self._generation, delay if self._pending is not None else 0.0, keep)

    def reload(self) -> None:
        """Fetch the current listing again, keeping the cursor on the same ticket."""
        if self.query_base is not None:
            self.load(self.query_base, keep=self.current_number)

    def update_ticket(self, ticket: TicketSummary) -> None:
        """Redraw one loaded row in place (after a change on the detail screen)."""
        if ticket.number not in self._numbers:
            return
        self.rows_loaded = [ticket if t.number == ticket.number else t for t in self.rows_loaded]
        for key, cell in zip(self._columns(), self._cells(ticket), strict=True):
            self.update_cell(ticket.number, key, cell)

    # -- loading ----------------------------------------------------------

    @work(exclusive=True, group="first", exit_on_error=False)
    async def _load_first(self, query: TicketQuery, generation: int, delay: float, keep: str | None) -> None:
        self._pending = generation
        try:
            if delay:
                await asyncio.sleep(delay)
            page = await self._fetch(replace(query, offset=0, limit=self.page_size))
        finally:
            if self._pending == generation:
                self._pending = None
        if generation != self._generation:
            return  # a newer listing was asked for meanwhile
        self.post_message(self._show_first(query, page, keep))

    def show_first_page(self, query: TicketQuery, page: Page[TicketSummary]) -> TicketTable.Loaded:
        """Show a first page already read (at start-up, the adapter's prefetch) as ``load(query)`` would.

        Returns the ``Loaded`` message instead of posting it: the caller handles it at once, so
        the first frame already shows what depends on it (the home's count) and no second
        full frame follows.
        """
        self._generation += 1
        self.workers.cancel_group(self, "first")
        self.workers.cancel_group(self, "more")
        self._loading_more = False
        return self._show_first(query, page, None)

    def _show_first(self, query: TicketQuery, page: Page[TicketSummary], keep: str | None) -> TicketTable.Loaded:
        previous = self.query_base
        self.query_base = replace(query, offset=0, limit=self.page_size)
        self.total = page.total
        items = list(page.items)
        if (previous is not None and items == self.rows_loaded and self.row_count == len(items)
                and (previous.sort, previous.descending) == (query.sort, query.descending)
                and self._column_widths() == self._widths):
            # The same rows in the same order under the same headers (most keys of a search,
            # a live reload that changed nothing shown): nothing to redraw, the place is kept.
            self._place_cursor(keep or self.current_number)
            self._maybe_load_more()  # load() cancelled a prefetch that may have been under way
        else:
            self.rows_loaded = items
            self._numbers = {t.number for t in items}
            self._rebuild(keep)
        return self.Loaded(self, len(self.rows_loaded), self.total, first=True)

    def _maybe_load_more(self) -> None:
        if self._loading_more or not self.has_more or self.query_base is None:
            return
        near_cursor = self.cursor_row >= self.row_count - self.PREFETCH
        # Rows are one line high; row_count is current even before the layout catches up.
        last_visible = int(self.scroll_y) + self.scrollable_content_region.height
        near_scroll = last_visible >= self.row_count - self.PREFETCH
        if near_cursor or near_scroll:
            self._loading_more = True
            self._load_more(self._generation, len(self.rows_loaded))

    @work(group="more", exit_on_error=False)
    async def _load_more(self, generation: int, offset: int) -> None:
        assert self.query_base is not None
        try:
            page = await self._fetch(replace(self.query_base, offset=offset))
        finally:
            if generation == self._generation:
                self._loading_more = False
        if generation != self._generation:
            return
        # A ticket created meanwhile shifts offsets; skip rows already shown.
        fresh = [t for t in page.items if t.number not in self._numbers]
        self.rows_loaded.extend(fresh)
        self._numbers.update(t.number for t in fresh)
        self.total = page.total if page.items else len(self.rows_loaded)
        if self._spans_desks() != self._show_desk:
            self._rebuild()  # a page from another desk brings the Balcão column
            fresh = []
        for ticket in fresh:
            self.add_row(*self._cells(ticket), key=ticket.number)
        self.post_message(self.Loaded(self, len(self.rows_loaded), self.total, first=False))

    # -- rendering --------------------------------------------------------

    def _column_widths(self) -> tuple[int, ...]:
        """Widths for (title, number, requester, status, date) that fit the table."""
        width = self.size.width or self.app.size.width
        usable = width - 2 * self.cell_padding * len(COLUMNS) - 2  # 2: vertical scrollbar
        wide = usable >= 110
        date = 15 if wide else _DATE_WIDTH
        status = 22 if wide else 12
        requester = max(11, min(34, (usable - _NUMBER_WIDTH - date - status) * 2 // 5))
        title = max(10, usable - _NUMBER_WIDTH - date - status - requester)
        if self._show_desk:
            desk = 16 if wide else 8
            usable -= 2 * self.cell_padding + desk
            requester = max(11, min(34, (usable - _NUMBER_WIDTH - date - status) * 2 // 5))
            title = max(10, usable - _NUMBER_WIDTH - date - status - requester)
            return title, _NUMBER_WIDTH, desk, requester, status, date
        return title, _NUMBER_WIDTH, requester, status, date

    def _rebuild(self, keep: str | None = None) -> None:
        """Redraw columns and loaded rows (after a new listing, a resize or a sort)."""
        keep = keep or self.current_number
        self._show_desk = self._spans_desks()
        self._widths = self._column_widths()
        wide = self._widths[-1] > _DATE_WIDTH
        query = self.query_base
        columns: dict[str, tuple[str, str, SortKey | None]] = {
            key: (wide_label, narrow_label, sort) for key, wide_label, narrow_label, sort in COLUMNS}
        columns[DESK_KEY] = (DESK_LABEL, DESK_LABEL, None)
        specs = []
        for key, width in zip(self._columns(), self._widths, strict=True):
            wide_label, narrow_label, sort = columns[key]
            label = Text(wide_label if wide else narrow_label)
            if query is not None and query.sort is sort:
                label.append(" ▼" if query.descending else " ▲")
            specs.append((key, label, width))
        self._replace_rows(specs, keep)

    def _replace_rows(self, columns: list[tuple[str, Text, int]], keep: str | None) -> None:
        """Show ``rows_loaded`` under ``columns`` (key, label, width); the cursor on ``keep`` or the top.

        The columns are kept when they are the same (most new listings: a search, a page
        reload), so only the rows are replaced.
        """
        same = [(c.key.value, c.label, c.width, c.auto_width) for c in self.ordered_columns] == [
            (key, label, width, False) for key, label, width in columns]
        with self.app.batch_update():
            self.clear(columns=not same)
            if not same:
                for key, label, width in columns:
                    self.add_column(label, width=width, key=key)
            for ticket in self.rows_loaded:
                self.add_row(*self._cells(ticket), key=ticket.number)
            self._place_cursor(keep)

    def _place_cursor(self, keep: str | None) -> None:
        if keep and keep in self._numbers:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        else:
            self.move_cursor(row=0, animate=False)

    def _cells(self, ticket: TicketSummary) -> tuple[Text, ...]:
        # Ticket text is data: printable() neutralises escape codes and Text never parses markup.
        status_style = "" if ticket.status_class is StatusClass.ACTIVE else "italic"
        cells = (
            Text(printable(ticket.title), no_wrap=True, overflow="ellipsis"),
            Text(ticket.number, no_wrap=True),
            Text(printable(ticket.requester_name), no_wrap=True, overflow="ellipsis"),
            Text(ticket.status, style=status_style, no_wrap=True, overflow="ellipsis"),
            Text(format_date(ticket.created_at), no_wrap=True),
        )
        if self._show_desk:
            desk = Text(printable(self.desk_label(ticket.desk)), no_wrap=True, overflow="ellipsis")
            return (*cells[:2], desk, *cells[2:])
        return cells

    # -- events -----------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        """Refit the columns to the new width."""
        if self._column_widths() != self._widths and self.query_base is not None:
            self._rebuild()

    def _set_hover_cursor(self, active: bool) -> None:
        # Every cursor key switches the mouse-hover row off; DataTable redraws that row each
        # time even when it is already off (bytes per key). Redraw only on a real change.
        if active == self._show_hover_cursor:
            return
        super()._set_hover_cursor(active)

    # -- measuring and drawing: less work per listing ------------------------

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Only the virtual size when nothing needs measuring.

        DataTable measures every cell of every new row to fit auto-width columns; every
        column here has a fixed width and every row one line, so a 50-row listing
        measured 250 cells for nothing (~10 ms per keystroke while searching).
        """
        rows = self.rows
        if (self._labelled_row_exists or any(column.auto_width for column in self.columns.values())
                or any(row.label is not None or row.auto_height
                       for row in (rows.get(key) for key in new_rows) if row is not None)):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    # DataTable looks up its styles once per line drawn, and each lookup walks every ancestor
    # (DOMNode.rich_style): four walks a line, a third of the time of a new screenful of
    # rows. Within one render_lines() call the styles cannot change, so they are kept there.

    def render_lines(self, crop: Region) -> list[Strip]:
        """DataTable's lines, with styles looked up once for the whole call."""
        self._frame_styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    @property
    def rich_style(self) -> Style:
        """The widget's Rich style (kept while the lines of one frame are drawn)."""
        styles = self._frame_styles
        if styles is None:
            return super().rich_style
        style = styles.get("")
        if style is None:
            style = styles[""] = super().rich_style
        return style

    def _component_style(self, name: str) -> Style:
        styles = self._frame_styles
        if styles is None:
            return self.get_component_styles(name).rich_style
        style = styles.get(name)
        if style is None:
            style = styles[name] = self.get_component_styles(name).rich_style
        return style

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        # DataTable._get_row_style, with the component styles kept for the frame.
        if row_index == -1:
            return self._component_style("datatable--header")
        if row_index < self.fixed_rows:
            return self._component_style("datatable--fixed")
        if self.zebra_stripes:
            return self._component_style("datatable--odd-row" if row_index % 2 else "datatable--even-row")
        return base_style

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[SegmentLines, SegmentLines]:
        """DataTable's row line for a row-cursor table without row labels or fixed columns.

        The same segments (``test_ticket_table`` compares them), without the
        lookups those features need (a header style, the background colours: two
        ancestor walks per line) and with the column widths worked out once.
        """
        if (self._frame_styles is None or self.cursor_type != "row" or self.fixed_columns
                or self._should_render_row_labels):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        show_cursor = self.show_cursor
        cache_key = (row_key, line_no, base_style, cursor_location, hover_location, self.cursor_type, show_cursor,
                     self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        if cache_key in self._row_render_cache:
            return self._row_render_cache[cache_key]
        found = self._row_locations.get(row_key)
        row_index = -1 if found is None else found
        row_style = self._get_row_style(row_index, base_style)
        cursor = cursor_location.row == row_index
        hover = hover_location.row == row_index
        render_cell = self._render_cell
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        scrollable_row = [render_cell(row_index, column_index, row_style, width, cursor=cursor, hover=hover)[line_no]
                          for column_index, width in enumerate(widths)]
        # The rest of the line, styled like the row (DataTable: "extending the styling out").
        remaining_space = max(0, self.size.width - sum(widths))
        extend_style, _ = self._get_styles_to_render_cell(
            row_index == -1, False, False, hover_location.row == (row_index or 0), cursor, show_cursor,
            self._show_hover_cursor, False, False)
        extend_style = row_style + extend_style + Style.from_meta(
            {"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable_row.append([Segment(" " * remaining_space, extend_style)])
        row_pair: tuple[SegmentLines, SegmentLines] = ([], scrollable_row)
        self._row_render_cache[cache_key] = row_pair
        return row_pair

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> SegmentLines:
        lines = self._render_one_line_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def _render_one_line_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                              cursor: bool, hover: bool) -> SegmentLines | None:
        """DataTable's cell rendering, done directly for a one-line Text cell (None: not such a cell).

        DataTable renders each cell through Rich's generic pipeline (``Styled(Padding(cell))``,
        two ``render_lines``): ~0.2 ms a cell, ~100 cells for every new listing on screen,
        the largest cost of a keystroke while searching. For a single-line Text with no
        spans, tabs or justification the result is a few segments; this builds exactly
        those (same texts, same styles, same cache; ``test_ticket_table`` compares
        them with DataTable's own) and leaves every other cell to DataTable.
        """
        if column_index < 0 or row_index < -1:
            return None
        settings = self._cell_settings()
        padding, plain_table, header_height, console, justify, overflow, cursor_settings = settings
        inner = width - 2 * padding
        if not plain_table or padding < 1 or inner < 1:
            return None
        row_key = self._header_row_key if row_index == -1 else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        if row_index == -1:
            if header_height != 1:
                return None
        else:
            row = self.rows[row_key]
            if row.height != 1 or row.auto_height:
                return None
        cache_key = (row_key, column_key, base_style, cursor, hover,
                     self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]
        cell = self._get_row_renderables(row_index)[1][column_index]
        if type(cell) is not Text or cell._spans or cell.no_wrap is False:
            return None
        plain = cell.plain
        if "\n" in plain or "\t" in plain or (not plain and cell.style):
            return None
        if (cell.justify or justify) != "default":
            return None
        cell_overflow = cell.overflow or overflow
        if cell_overflow == "ignore":
            return None

        # What Text.wrap (no_wrap) + Text.truncate do to the one line.
        if cell_len(plain) > inner:
            plain = (set_cell_size(plain, inner - 1) + "…" if cell_overflow == "ellipsis"
                     else set_cell_size(plain, inner))
        length = cell_len(plain)
        # Padding renders the Text with its own style (Style "none") padded to the inner width,
        # between one-cell margins; Styled then layers DataTable's styles over every segment.
        pad_style = self._cell_style("none", console)
        line = [Segment(" " * padding, pad_style), Segment(plain, self._cell_style(cell.style, console, text=True))]
        if length < inner:
            line.append(Segment(" " * (inner - length), pad_style))
        line.append(Segment(" " * padding, pad_style))

        show_cursor, foreground_css, background_css = cursor_settings
        component_style, post_style = self._get_styles_to_render_cell(
            row_index == -1, False, False, hover, cursor, show_cursor, self._show_hover_cursor,
            foreground_css, background_css,
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        lines = [list(Segment.apply_style(line, pre_style, post_style))]
        cache[cache_key] = lines
        return lines

    def _cell_settings(self) -> tuple[int, bool, int, Console, str, str, tuple[bool, bool, bool]]:
        """What cell drawing reads from the table and the app (reactives: read once per frame)."""
        styles = self._frame_styles
        settings = styles.get("cells") if styles is not None else None
        if settings is None:
            options = self.app.console_options
            settings = (
                self.cell_padding, not (self.fixed_rows or self.fixed_columns), self.header_height,
                self.app.console, options.justify or "default", options.overflow or "fold",
                (self.show_cursor, self.cursor_foreground_priority == "css",
                 self.cursor_background_priority == "css"),
            )
            if styles is not None:
                styles["cells"] = settings
        return settings

    def _cell_style(self, style: StyleType, console: Console, *, text: bool = False) -> Style | None:
        """The style Rich gives a Padding's spaces (``"none"``), or a one-line Text's segment (``text``).

        Found once per style the way Rich finds it: ``console.get_style``, and for a
        Text, rendering ``Text("\\n").join([line])`` (None for an unstyled Text).
        """
        key = (style, text)
        if key not in self._cell_styles:
            if text:
                probe = Text("\n").join([Text("x", style=style)])
                self._cell_styles[key] = next(iter(probe.render(console))).style
            else:
                self._cell_styles[key] = console.get_style(style)
        return self._cell_styles[key]

    # -- drawing: fewer bytes per key -----------------------------------------

    def render_line(self, y: int) -> Strip:
        """DataTable's line with one click target per row, so equal styles merge.

        Every cell carries its own ``{"row", "column"}`` meta, which makes its style
        unique: the terminal gets an ``SGR … ESC[0m`` run per cell even where cells look
        the same. This is a row-cursor table, so the column of a click or hover is not
        needed: giving all cells of a data row the same meta lets ``simplify()`` join
        them (the benchmarks: 741 → ~300 bytes per cursor move at 80×24). The header
        keeps its per-column meta: a header click sorts by that column.
        """
        strip = super().render_line(y)
        if self.cursor_type != "row":
            return strip
        lines: dict[int, tuple[Strip, Strip]] | None = getattr(self, "_merged_lines", None)
        if lines is None:
            lines = {}
            self._merged_lines = lines
        cached = lines.get(id(strip))
        if cached is not None and cached[0] is strip:
            return cached[1]
        merged = _one_target_per_row(strip)
        if len(lines) >= _MERGED_LINES_KEPT:
            lines.clear()
        # The source strip is kept in the entry, so its id cannot be reused while cached.
        lines[id(strip)] = (strip, merged)
        return merged

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Fetch the next page when the cursor nears the end."""
        self._maybe_load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Turn the DataTable's selection into an Opened message with the number."""
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(self, event.row_key.value))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling near the bottom fetches the next page too."""
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value:
            self._maybe_load_more()
