"""Fila: the staff queue of the areas a user works in (filters, search, sort, marks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from backend.domain import FLAG_HELP, FLAG_LABELS, Flag, Role, Scope, SortKey, Ticket, TicketQuery, User
from backend.text import printable
from screens.desk_choice import all_statuses, desk_labels
from tui.adapter import Adapter
from tui.live import refresh_listing
from tui.messages import OFFLINE_TEXT, Reconnected, TicketsChanged, WorkerErrorsToApp
from widgets.footer import CompactFooter
from widgets.queue_table import QUEUE_COLUMNS, QueueTable, reserved_text, short_area
from widgets.ticket_table import format_count

if TYPE_CHECKING:
    from tui.app import DemandasApp

#: Views of the queue: whose tickets (TicketQuery.assignee).
MINE, UNASSIGNED, EVERYONE = "me", "none", "all"
VIEW_LABELS = {MINE: "Minhas", UNASSIGNED: "Aguardando distribuição", EVERYONE: "Todas da área"}
ALL_AREAS = "__areas__"
ACTIVE, ALL = "__ativas__", "__todas__"
STATUS_LABELS = {ACTIVE: "Em andamento", ALL: "Todos os status"}
SEARCH_DEBOUNCE = 0.25

SORT_CYCLE: tuple[tuple[SortKey, bool], ...] = (
    (SortKey.DUE, False),
    (SortKey.CREATED, True),
    (SortKey.NUMBER, True),
    (SortKey.TITLE, False),
    (SortKey.STATUS, False),
)
SORT_NAMES = {SortKey.DUE: "prazo", SortKey.CREATED: "criação", SortKey.NUMBER: "número",
              SortKey.TITLE: "título", SortKey.STATUS: "status", SortKey.UPDATED: "atualização",
              SortKey.REQUESTER: "solicitante"}
FLAG_CYCLE: tuple[Flag | None, ...] = (None, *Flag)


def is_manager(user: User | None) -> bool:
    """Managers (and admins) distribute tickets."""
    return user is not None and user.role in (Role.MANAGER, Role.ADMIN)


class QueueScreen(WorkerErrorsToApp, Screen[None]):
    """Fila: tickets of my areas, a page at a time; Enter opens (and reserves) one.

    | Key | Description |
    | :- | :- |
    | enter | Abrir a demanda (reserva-a para você se estiver livre). |
    | space | Marcar a demanda (para distribuir várias). |
    | m | Minhas / aguardando distribuição / todas. |
    | A | Filtrar por área. |
    | s | Filtrar por status. |
    | t | Só as atrasadas. |
    | g | Filtrar por sinalizador. |
    | / | Buscar (enquanto digita). |
    | o, i | Ordenar pela próxima coluna / inverter. |
    | D | Distribuir (gestores). |
    | e | Exportar o que a tabela mostra. |
    | escape | Limpar a busca / voltar. |
    """

    DEFAULT_CSS = """
    QueueScreen {
        #queue-toolbar { height: 1; }
        #queue-view { width: 28; }
        #queue-area { width: 24; }
        #queue-status { width: 22; }
        #queue-search { width: 1fr; }
        #queue-summary { height: 1; color: $text-muted; padding: 0 1; }
        #queue-info { height: 2; padding: 0 1; background: $boost; }
        #queue-empty { height: 1fr; padding: 1 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "next_view", "Minhas/Todas", id="queue.view",
                tooltip="Minhas, aguardando distribuição ou todas da área"),
        Binding("A", "pick_area", "Área", show=False, id="queue.area", tooltip="Filtrar por área"),
        Binding("s", "pick_status", "Status", show=False, id="queue.status", tooltip="Filtrar por status"),
        Binding("t", "toggle_overdue", "Atrasadas", id="queue.overdue", tooltip="Mostrar só as atrasadas"),
        Binding("g", "next_flag", "Sinalizador", show=False, id="queue.flag", tooltip="Filtrar por sinalizador"),
        Binding("slash", "search", "Buscar", id="queue.search", tooltip="Buscar por número, título ou descrição"),
        Binding("o", "next_sort", "Ordenar", show=False, id="queue.sort", tooltip="Ordenar pela próxima coluna"),
        Binding("i", "invert_sort", "Inverter ordem", show=False, id="queue.invert", tooltip="Inverter a ordem"),
        Binding("D", "distribute", "Distribuir", id="queue.distribute",
                tooltip="Distribuir as demandas marcadas (ou a destacada) a um atendente"),
        Binding("e", "export", "Exportar", id="queue.export", tooltip="Exportar o que a tabela mostra"),
        Binding("escape", "back", "Voltar", id="queue.back", tooltip="Limpar a busca ou voltar"),
    ]

    AUTO_FOCUS = "QueueTable"

    def __init__(self, adapter: Adapter, user: User, desk_id: str = "ecage", *, view: str = EVERYONE,
                 overdue: bool = False, flag: Flag | None = None) -> None:
        super().__init__()
        self.adapter = adapter
        self.user = user
        self.desk_id = desk_id
        self.title = "Fila"
        self.view = view
        self.area: str | None = None
        self.status = ACTIVE
        self.overdue = overdue
        self.flag = flag
        self.sort = SortKey.DUE
        self.descending = False

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        with Horizontal(id="queue-toolbar"):
            yield Select([(label, value) for value, label in VIEW_LABELS.items()], value=self.view,
                         allow_blank=False, compact=True, id="queue-view")
            yield Select([("Todas as áreas", ALL_AREAS)], value=ALL_AREAS, allow_blank=False, compact=True,
                         id="queue-area")
            yield Select([(label, value) for value, label in STATUS_LABELS.items()], value=ACTIVE,
                         allow_blank=False, compact=True, id="queue-status")
            yield Input(placeholder="Buscar número, título…", compact=True, id="queue-search")
        yield Static("", id="queue-summary", markup=False)
        yield QueueTable(self.adapter.list_tickets, id="queue-table")
        yield Static("", id="queue-empty", markup=False)
        yield Static("", id="queue-info", markup=False)
        yield CompactFooter()

    def on_mount(self) -> None:
        """First page at once; the areas and statuses of the desk arrive on their own."""
        self.query_one("#queue-empty").display = False
        self.reload()
        self._load_options()

    # -- the listing --------------------------------------------------------

    def current_query(self) -> TicketQuery:
        """The listing the controls describe now (also what the export writes)."""
        search = self.query_one("#queue-search", Input).value.strip()
        return TicketQuery(
            scope=Scope.VISIBLE,
            active_only=self.status == ACTIVE,
            status=None if self.status in (ACTIVE, ALL) else self.status,
            search=search,
            sort=self.sort,
            descending=self.descending,
            desk=None,  # the areas choose: a desk's areas are its own
            assignee=None if self.view == EVERYONE else self.view,
            area=self.area,
            overdue=self.overdue,
            flag=self.flag,
        )

    def reload(self, *, delay: float = 0.0) -> None:
        """Fetch the first page of the current listing again."""
        table = self.query_one(QueueTable)
        table.load(self.current_query(), delay=delay, keep=table.current_number)
        self._show_summary()

    @work(group="options", exit_on_error=False)
    async def _load_options(self) -> None:
        app: DemandasApp = self.app  # type: ignore[assignment]
        desk = await app.get_desk()
        areas = list(self.user.areas or desk.areas)
        statuses = [s.name for s in desk.statuses]
        desks = await self.adapter.desks()
        if len(desks) > 1:
            self.query_one(QueueTable).set_desk_labels(desk_labels(desks))
            areas = list(self.user.areas) or [a for d in desks for a in d.areas]
            statuses = all_statuses(desks)
        area_select: Select[str] = self.query_one("#queue-area", Select)
        status_select: Select[str] = self.query_one("#queue-status", Select)
        with self.prevent(Select.Changed):
            area_select.set_options([("Todas as áreas", ALL_AREAS)] + [(short_area(a), a) for a in areas])
            area_select.value = self.area or ALL_AREAS
            status_select.set_options([(label, value) for value, label in STATUS_LABELS.items()]
                                      + [(s, s) for s in statuses])
            status_select.value = self.status

    def _show_summary(self, loaded: int | None = None, total: int | None = None) -> None:
        table = self.query_one(QueueTable)
        loaded = len(table.rows_loaded) if loaded is None else loaded
        total = table.total if total is None else total
        parts = [f"{format_count(loaded)} de {format_count(total)}", VIEW_LABELS[self.view]]
        if self.overdue:
            parts.append("só atrasadas")
        if self.flag is not None:
            parts.append(f"sinalizador: {FLAG_LABELS[self.flag]}")
        if table.marked:
            parts.append(f"{len(table.marked)} marcada(s)")
        order = "decrescente" if self.descending else "crescente"
        parts.append(f"ordem: {SORT_NAMES[self.sort]} ({order})")
        self.query_one("#queue-summary", Static).update(" · ".join(parts))

    @on(QueueTable.Loaded)
    def _loaded(self, event: QueueTable.Loaded) -> None:
        self._show_summary(event.loaded, event.total)
        table = self.query_one(QueueTable)
        empty = self.query_one("#queue-empty", Static)
        nothing = event.total == 0
        empty.display = nothing
        table.display = not nothing
        if nothing:
            empty.update(Content.assemble("Nenhuma demanda nesta fila.\n",
                                          ("Pressione m para ver outra fila ou escape para voltar.", "dim")))
            self.query_one("#queue-info", Static).update("")
            if self.focused is table or self.focused is None:
                self.set_focus(None)
        else:
            if self.focused is None:
                table.focus()
            self._show_info()

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_info()

    def _show_info(self) -> None:
        """Área, reservation and each flag's explanation for the highlighted row."""
        ticket = self.query_one(QueueTable).current_summary
        info = self.query_one("#queue-info", Static)
        if ticket is None:
            info.update("")
            return
        head = [f"{ticket.number} · {short_area(ticket.area)}"]
        head.append(reserved_text(ticket) or "livre (ninguém analisando)")
        if ticket.assignee_name:
            head.append(f"responsável: {printable(ticket.assignee_name)}")
        parts: list[str | tuple[str, str]] = [" · ".join(head)]
        for flag in ticket.flags:
            parts += ["\n", (f"{FLAG_LABELS[flag]}: ", "bold"), FLAG_HELP[flag]]
        info.update(Content.assemble(*parts))

    @on(QueueTable.Opened)
    def _open(self, event: QueueTable.Opened) -> None:
        self.open_ticket(event.number)

    @work(group="open", exclusive=True, exit_on_error=False)
    async def open_ticket(self, number: str) -> None:
        """Open a ticket; a free one is reserved to me (someone else's stays theirs until I press T)."""
        from screens.ticket_detail import TicketDetailScreen

        ticket = await self.adapter.get_ticket(number)
        if ticket.reserved_by is None and ticket.can("take"):
            ticket = await self.adapter.take(number, expected_version=ticket.version)
            self.notify(f"Demanda {number} reservada para você.", markup=False)
        await self.app.push_screen(TicketDetailScreen(self.adapter, number, ticket), callback=self._back_from)

    def _back_from(self, ticket: Ticket | None) -> None:
        self.query_one(QueueTable).reload()
        if ticket is not None:
            app: DemandasApp = self.app  # type: ignore[assignment]
            app._ticket_changed(ticket)

    @on(Input.Changed, "#queue-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.reload(delay=SEARCH_DEBOUNCE)

    @on(Input.Submitted, "#queue-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._focus_table()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        value = event.value
        if not isinstance(value, str):
            return
        if event.select.id == "queue-view":
            self.view = value
        elif event.select.id == "queue-area":
            self.area = None if value == ALL_AREAS else value
        elif event.select.id == "queue-status":
            self.status = value
        else:
            return
        self.reload()
        self._focus_table()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        sort = next((s for key, _, s in QUEUE_COLUMNS if key == event.column_key.value), None)
        if sort is None:
            return
        if sort is self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = sort, dict(SORT_CYCLE).get(sort, False)
        self.reload()

    def on_reconnected(self, message: Reconnected) -> None:
        """The server is back: show fresh data."""
        self.reload()

    @work(group="live-rows", exit_on_error=False)
    async def on_tickets_changed(self, message: TicketsChanged) -> None:
        """Changes made elsewhere (new tickets, answers, reservations) show without a manual refresh."""
        await refresh_listing(self.query_one(QueueTable), message, self.adapter.get_ticket)

    def _focus_table(self) -> None:
        table = self.query_one(QueueTable)
        if table.display:
            table.focus()
        else:
            self.set_focus(None)

    # -- actions --------------------------------------------------------------

    def set_view(self, view: str) -> None:
        """Show another view (minhas / aguardando distribuição / todas)."""
        self.view = view
        with self.prevent(Select.Changed):
            self.query_one("#queue-view", Select).value = view
        self.reload()

    def action_next_view(self) -> None:
        """Minhas → aguardando distribuição → todas."""
        views = list(VIEW_LABELS)
        self.set_view(views[(views.index(self.view) + 1) % len(views)])

    def _open_select(self, selector: str) -> None:
        select = self.query_one(selector, Select)
        select.focus()
        select.action_show_overlay()

    def action_pick_area(self) -> None:
        """Open the area list."""
        self._open_select("#queue-area")

    def action_pick_status(self) -> None:
        """Open the status list."""
        self._open_select("#queue-status")

    def action_toggle_overdue(self) -> None:
        """Only overdue tickets, or all again."""
        self.overdue = not self.overdue
        self.reload()

    def action_next_flag(self) -> None:
        """No flag filter → each flag in turn."""
        self.flag = FLAG_CYCLE[(FLAG_CYCLE.index(self.flag) + 1) % len(FLAG_CYCLE)]
        self.reload()

    def action_search(self) -> None:
        """Focus the search box."""
        self.set_focus(self.query_one("#queue-search", Input))

    def action_next_sort(self) -> None:
        """Order by the next column."""
        index = next((i for i, (s, _) in enumerate(SORT_CYCLE) if s is self.sort), -1)
        self.sort, self.descending = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self.reload()

    def action_invert_sort(self) -> None:
        """Ascending ⇄ descending."""
        self.descending = not self.descending
        self.reload()

    def action_back(self) -> None:
        """Clear the search first; then back to the home screen."""
        search = self.query_one("#queue-search", Input)
        if search.value or search.has_focus:
            search.value = ""
            self._focus_table()
            return
        self.dismiss(None)

    def action_distribute(self) -> None:
        """Choose an agent for the marked tickets (or the highlighted one)."""
        from screens.distribute import DistributeScreen

        table = self.query_one(QueueTable)
        numbers = sorted(table.marked) or ([table.current_number] if table.current_number else [])
        if not numbers:
            self.notify("Nenhuma demanda para distribuir.", severity="warning", markup=False)
            return
        areas = {s.area for n in numbers if (s := table.summary(n)) is not None}
        area = areas.pop() if len(areas) == 1 else None

        def chosen(login: str | None) -> None:
            if login:
                self._assign(numbers, login)

        self.app.push_screen(DistributeScreen(self.adapter, numbers, area), callback=chosen)

    @work(group="assign", exclusive=True, exit_on_error=False)
    async def _assign(self, numbers: list[str], login: str) -> None:
        table = self.query_one(QueueTable)
        done: list[str] = []
        name = login
        try:
            for number in numbers:
                ticket = await self.adapter.get_ticket(number)
                ticket = await self.adapter.assign(number, login, expected_version=ticket.version)
                name = ticket.assignee_name or login
                done.append(number)
        finally:
            table.clear_marks()
            table.reload()
        self.notify(f"{len(done)} demanda(s) distribuída(s) para {name}.", markup=False)

    def action_export(self) -> None:
        """Export exactly the current listing (filters, search and order)."""
        from screens.export_dialog import queue_export

        self.app.push_screen(queue_export(self.adapter, self.current_query(), self.user))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only managers distribute."""
        if action == "distribute":
            return is_manager(self.user)
        return True
