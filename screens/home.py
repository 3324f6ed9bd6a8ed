"""Minhas demandas: the requester's ticket list (the home screen)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from backend.domain import QueueCounts, Role, SortKey, Ticket, TicketQuery, User
from screens.desk_choice import all_statuses, desk_labels
from tui.adapter import Adapter
from tui.first_page import HOME_FIRST_PAGE
from tui.live import refresh_listing
from tui.messages import OFFLINE_TEXT, Reconnected, TicketsChanged, WorkerErrorsToApp
from widgets.footer import CompactFooter
from widgets.ticket_table import COLUMNS, TicketTable, format_count

if TYPE_CHECKING:
    from tui.app import DemandasApp

ACTIVE = "__ativas__"
ALL = "__todas__"
FILTER_LABELS = {ACTIVE: "Minhas ocorrências ativas", ALL: "Todas as ocorrências"}

#: Seconds after mounting when the footer and the rest appear even if the first page has not.
AFTER_FIRST_ROWS_AT_THE_LATEST = 0.5

#: Seconds to wait after a keystroke before searching while the previous key's listing is still
#: on its way (a newer keystroke restarts it); a key typed after the rows arrived searches at once.
SEARCH_DEBOUNCE = 0.04

# The order "o" walks through, with each column's natural direction.
SORT_CYCLE: tuple[tuple[SortKey, bool], ...] = (
    (SortKey.CREATED, True),
    (SortKey.TITLE, False),
    (SortKey.NUMBER, True),
    (SortKey.REQUESTER, False),
    (SortKey.STATUS, False),
)


class _FilterOverlay(SelectOverlay):
    """The open filter list, with its key described in Portuguese."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Fechar lista", tooltip="Fechar a lista sem mudar o filtro"),
    ]


class FilterSelect(Select[str]):
    """The listing filter (ativas / todas / one status); Select with a pt-BR footer."""

    class Closed(Message):
        """The list closed (chosen or dismissed): the list of tickets gets the focus back."""

    def watch_expanded(self, expanded: bool) -> None:
        """Tell the screen when the list closes."""
        if not expanded:
            self.post_message(self.Closed())

    def compose(self) -> ComposeResult:
        # Same children as Select.compose (Textual 8.2), with the translated overlay.
        yield SelectCurrent(self.prompt)
        yield _FilterOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class HomeScreen(WorkerErrorsToApp, Screen[None]):
    """Minhas demandas: active tickets by default, all, or one status; search and sort.

    | Key | Description |
    | :- | :- |
    | n | Nova demanda. |
    | enter | Abrir a demanda destacada. |
    | / | Buscar (enquanto digita). |
    | a | Todas as ocorrências / só as ativas. |
    | s | Filtrar por um status. |
    | o | Ordenar pela próxima coluna. |
    | i | Inverter a ordem. |
    | p | Meus Dados. |
    | q | Sair. |
    | escape | Limpar a busca e voltar à lista. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.new_ticket", "Nova", id="home.new", tooltip="Abrir uma nova demanda"),
        Binding("slash", "search", "Buscar", id="home.search", tooltip="Buscar por número, título ou descrição"),
        # One key, two faces: the footer names what "a" switches to.
        Binding("a", "show_all", "Todas", id="home.all", tooltip="Mostrar todas as ocorrências"),
        Binding("a", "show_active", "Ativas", id="home.active", tooltip="Mostrar só minhas ocorrências ativas"),
        Binding("s", "pick_status", "Status", id="home.status", tooltip="Mostrar só um status"),
        Binding("o", "next_sort", "Ordenar", show=False, id="home.sort", tooltip="Ordenar pela próxima coluna"),
        Binding("i", "invert_sort", "Inverter ordem", show=False, id="home.invert",
                tooltip="Inverter a ordem (crescente/decrescente)"),
        Binding("f", "open_queue", "Fila", id="home.queue", tooltip="Fila de atendimento das suas áreas (equipe)"),
        Binding("p", "app.profile", "Meus Dados", id="home.profile", tooltip="E-mail, telefone e cargo"),
        Binding("q", "app.quit", "Sair", id="home.quit", tooltip="Sair do Demandas"),
        # Shown while typing the search; afterwards escape still clears it, without using footer room.
        Binding("escape", "leave_search", "Limpar busca", id="home.leave_search",
                tooltip="Limpar a busca e voltar à lista"),
        Binding("escape", "clear_search", "Limpar busca", show=False, id="home.clear_search",
                tooltip="Limpar a busca"),
    ]

    AUTO_FOCUS = "TicketTable"

    def __init__(self, adapter: Adapter, desk_id: str = "ecage") -> None:
        super().__init__()
        self.adapter = adapter
        self.desk_id = desk_id
        self.title = "Minhas demandas"
        # The first listing is HOME_FIRST_PAGE, which `demandas` prefetched while Textual loaded.
        self._filter = ACTIVE if HOME_FIRST_PAGE.active_only else ALL
        self._sort = HOME_FIRST_PAGE.sort
        self._descending = HOME_FIRST_PAGE.descending
        self._had_search = False
        self._all_desks = False  # the filter offers every desk's statuses once tickets span desks

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        with Horizontal(id="home-toolbar"):
            yield FilterSelect(
                [(label, value) for value, label in FILTER_LABELS.items()],
                value=ACTIVE,
                allow_blank=False,
                id="home-filter",
            )
            yield Input(placeholder="Buscar número, título…", id="home-search")
            yield Static("", id="home-count", markup=False)
        alert = Static("", id="home-alert", markup=False)
        alert.styles.padding = (0, 1)
        alert.styles.text_style = "bold"
        yield alert
        yield TicketTable(self.adapter.list_tickets, id="home-table")
        yield Static("", id="home-empty", markup=False)
        # Its keys come right after the first rows (_after_first_rows): building them cost
        # more than the rows themselves at start-up (issue #7, BENCHMARKS.md).
        yield CompactFooter(keys_later=True)

    def on_mount(self) -> None:
        """First page first; the desk's statuses arrive on their own."""
        self.query_one("#home-empty").display = False
        self.query_one("#home-alert").display = False
        self.staff_user: User | None = None
        self._alert_view: str | None = None
        self._first_rows_done = False
        query = self.current_query()
        page = self.adapter.take_prefetched(query)
        if page is None:
            self.reload()
        else:  # read while Textual loaded: the first frame has the rows and their count
            self._show_count(self.query_one(TicketTable).show_first_page(query, page))
        self.set_timer(AFTER_FIRST_ROWS_AT_THE_LATEST, self._after_first_rows)  # a slow or failed first page

    # -- the listing --------------------------------------------------------

    def current_query(self) -> TicketQuery:
        """The listing the controls describe now."""
        search = self.query_one("#home-search", Input).value.strip()
        status = None if self._filter in (ACTIVE, ALL) else self._filter
        # Mine on every desk (a ticket opened on another desk is listed too, with a Balcão column).
        return replace(HOME_FIRST_PAGE, active_only=self._filter == ACTIVE, status=status, search=search,
                       sort=self._sort, descending=self._descending)

    def reload(self, *, delay: float = 0.0) -> None:
        """Fetch the first page of the current listing again."""
        table = self.query_one(TicketTable)
        table.load(self.current_query(), delay=delay, keep=table.current_number)

    def ticket_changed(self, ticket: Ticket) -> None:
        """Show a change made on the detail screen without losing the place in the list."""
        self.query_one(TicketTable).update_ticket(ticket.summary())

    def on_tickets_changed(self, message: TicketsChanged) -> None:
        """Changes made elsewhere: refresh the listing where the user is, and the staff alert."""
        self._refresh_rows(message)
        if self.staff_user is not None:  # requesters have no alert: no whoami per live batch
            self.load_alert()

    @work(group="live-rows", exit_on_error=False)
    async def _refresh_rows(self, message: TicketsChanged) -> None:
        await refresh_listing(self.query_one(TicketTable), message, self.adapter.get_ticket)

    @work(group="statuses", exclusive=True, exit_on_error=False)  # asked again by the first rows and by a Balcão column
    async def _load_statuses(self) -> None:
        app: DemandasApp = self.app  # type: ignore[assignment]
        desk = await app.get_desk()
        statuses = [status.name for status in desk.statuses]
        table = self.query_one(TicketTable)
        desks = await self.adapter.desks()
        if len(desks) > 1:
            table.set_desk_labels(desk_labels(desks))
            if table.shows_desk:  # the user's tickets span desks: every desk's statuses
                self._all_desks = True
                statuses = all_statuses(desks)
        options = [(label, value) for value, label in FILTER_LABELS.items()]
        options += [(f"Status: {status}", status) for status in statuses]
        select: Select[str] = self.query_one("#home-filter", Select)
        # set_options resets the value and posts Changed; this is not a user choice.
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = self._filter

    def _after_first_rows(self) -> None:
        """What the first rows need not wait for: the footer, the filter's statuses, the alert.

        Building the footer's keys and loading every desk's definition took longer than the
        rows themselves; they now follow the first frame with rows (issue #7, BENCHMARKS.md).
        """
        if self._first_rows_done:
            return
        self._first_rows_done = True
        self.query_one(CompactFooter).show_keys()
        self.load_alert()
        self._load_statuses()
        app: DemandasApp = self.app  # type: ignore[assignment]
        app.start_background_loads()

    @on(TicketTable.Loaded)
    def _show_count(self, event: TicketTable.Loaded) -> None:
        if event.first and not self._first_rows_done:
            self.call_after_refresh(self._after_first_rows)
        if event.table.shows_desk and not self._all_desks:
            self._all_desks = True
            self._load_statuses()
        count = self.query_one("#home-count", Static)
        text = f"{format_count(event.loaded)} de {format_count(event.total)}"
        # Its width is auto: only a new length can move the toolbar (a layout costs ~5 ms a key).
        count.update(text, layout=len(text) != len(str(count.content)))
        empty = self.query_one("#home-empty", Static)
        table = self.query_one(TicketTable)
        nothing = event.total == 0
        empty.display = nothing
        table.display = not nothing
        if nothing:
            empty.update(self._empty_message())
            if self.focused is table or self.focused is None:
                self.set_focus(None)
        elif self.focused is None:
            table.focus()

    def _empty_message(self) -> Content:
        search = self.query_one("#home-search", Input).value.strip()
        if search:
            return Content.assemble(
                "Nenhuma demanda encontrada para “", search, "”.\n",
                ("Pressione escape para limpar a busca.", "dim"),
            )
        if self._filter == ACTIVE:
            return Content.assemble(
                "Nenhuma demanda ativa.\n",
                ("Pressione n para criar uma nova demanda, ou a para ver todas as ocorrências.", "dim"),
            )
        if self._filter == ALL:
            return Content.assemble(
                "Nenhuma demanda por aqui ainda.\n", ("Pressione n para criar a sua primeira demanda.", "dim")
            )
        return Content.assemble(
            f"Nenhuma demanda com status “{self._filter}”.\n",
            ("Pressione a para ver todas as ocorrências.", "dim"),
        )

    @on(TicketTable.Opened)
    def _open(self, event: TicketTable.Opened) -> None:
        app: DemandasApp = self.app  # type: ignore[assignment]
        app.open_ticket(event.number)

    @on(Input.Changed, "#home-search")
    def _search_changed(self, event: Input.Changed) -> None:
        # Only "Limpar busca" depends on the text, and only on whether there is any:
        # rebuilding the footer on every key cost ~15 ms per keystroke (benchmarks).
        has_text = bool(event.value)
        if has_text != self._had_search:
            self._had_search = has_text
            self.refresh_bindings()
        self.reload(delay=SEARCH_DEBOUNCE)

    @on(Input.Submitted, "#home-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(TicketTable)
        if table.display:
            table.focus()

    @on(Select.Changed, "#home-filter")
    def _filter_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._filter:
            self._filter = event.value
            self.refresh_bindings()
            self.reload()

    @on(FilterSelect.Closed)
    def _filter_closed(self) -> None:
        table = self.query_one(TicketTable)
        if table.display:
            table.focus()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        sort = next((s for key, _, _, s in COLUMNS if key == event.column_key.value), None)
        if sort is None:
            return
        if sort is self._sort:
            self._descending = not self._descending
        else:
            self._sort = sort
            self._descending = dict(SORT_CYCLE)[sort]
        self.reload()

    def on_reconnected(self, message: Reconnected) -> None:
        """The server is back: show fresh data."""
        self.reload()

    # -- actions ------------------------------------------------------------

    def action_search(self) -> None:
        """Focus the search box."""
        # Now, not after the next refresh (as Widget.focus does), so the letters typed
        # right after "/" already find it focused (see DemandasApp.on_key).
        self.set_focus(self.query_one("#home-search", Input))

    def action_leave_search(self) -> None:
        """Clear the search and go back to the list."""
        search = self.query_one("#home-search", Input)
        if search.value:
            search.value = ""  # posts Changed, which reloads
        table = self.query_one(TicketTable)
        if table.display:
            table.focus()
        else:
            self.set_focus(None)

    def action_clear_search(self) -> None:
        """Clear the search while the list has the focus."""
        self.action_leave_search()

    def action_show_all(self) -> None:
        """Todas as ocorrências."""
        self._set_filter(ALL)

    def action_show_active(self) -> None:
        """Minhas ocorrências ativas."""
        self._set_filter(ACTIVE)

    def action_pick_status(self) -> None:
        """Open the filter list (statuses included)."""
        select = self.query_one("#home-filter", Select)
        select.focus()
        select.action_show_overlay()

    def action_next_sort(self) -> None:
        """Order by the next column."""
        index = next((i for i, (s, _) in enumerate(SORT_CYCLE) if s is self._sort), -1)
        self._sort, self._descending = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self.reload()

    def action_invert_sort(self) -> None:
        """Ascending ⇄ descending."""
        self._descending = not self._descending
        self.reload()

    def _set_filter(self, value: str) -> None:
        self._filter = value
        select: Select[str] = self.query_one("#home-filter", Select)
        with self.prevent(Select.Changed):
            select.value = value
        self.reload()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape only means something while searching."""
        if action == "open_queue":
            return getattr(self, "staff_user", None) is not None
        if action == "show_all":
            return self._filter != ALL
        if action == "show_active":
            return self._filter == ALL
        if action in ("leave_search", "clear_search"):
            search = self.query_one("#home-search", Input)
            if action == "leave_search":
                return search.has_focus
            return bool(search.value) and not search.has_focus
        return True

    # -- staff: the queue alert ---------------------------------------------

    @work(exclusive=True, group="alert", exit_on_error=False)
    async def load_alert(self) -> None:
        """Staff see what awaits them ("N demandas aguardando distribuição"); f opens that queue."""
        user = await self.adapter.whoami()
        if not user.role.is_staff:
            return
        if self.staff_user is None:  # "f Fila" appears once; live refreshes must not rebuild the footer
            self.staff_user = user
            self.refresh_bindings()
        self._show_alert(user, await self.adapter.queue_counts())

    def _show_alert(self, user: User, counts: QueueCounts) -> None:
        parts: list[str] = []
        self._alert_view = None
        if user.role is not Role.AGENT and counts.awaiting_distribution:
            parts.append(_plural(counts.awaiting_distribution, "demanda aguardando", "demandas aguardando")
                         + " distribuição")
            self._alert_view = "none"
        if counts.awaiting_me:
            parts.append(f"{counts.awaiting_me} aguardando você")
            self._alert_view = self._alert_view or "me"
        if counts.overdue:
            parts.append(_plural(counts.overdue, "atrasada", "atrasadas"))
        if counts.monitoring_expired:
            parts.append(f"{counts.monitoring_expired} com monitoramento vencido")
        alert = self.query_one("#home-alert", Static)
        alert.display = bool(parts)
        alert.update("⚠ " + " · ".join(parts) + " — pressione f para abrir a fila" if parts else "")

    def on_click(self, event: object) -> None:
        """A click on the alert opens the queue too."""
        widget = getattr(event, "widget", None)
        if widget is not None and widget.id == "home-alert":
            self.action_open_queue()

    def action_open_queue(self) -> None:
        """Fila: the queue the alert points at (awaiting distribution for managers, mine for agents)."""
        from screens.queue import EVERYONE, QueueScreen

        if self.staff_user is None:
            return
        screen = QueueScreen(self.adapter, self.staff_user, self.desk_id, view=self._alert_view or EVERYONE)

        def back(_: None) -> None:
            self.load_alert()

        self.app.push_screen(screen, callback=back)


def _plural(count: int, one: str, many: str) -> str:
    """``1 demanda atrasada`` / ``3 atrasadas``: pt-BR agreement for the alert."""
    return f"{count} {one if count == 1 else many}"
