"""Trilhas de auditoria (SGTA): the trail selection table, with the search that knows "permitido"."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from backend.sgta.domain import TrailSummary
from tui.adapter import Adapter
from tui.messages import OFFLINE_TEXT, Reconnected, WorkerErrorsToApp
from widgets.footer import CompactFooter

SEARCH_DEBOUNCE = 0.25
#: The seed's words when a trail's icon is not active.
NO_ACCESS = ("Você não tem acesso a esta trilha. Para ter o acesso é necessário solicitar ao Gestor responsável a "
             "alteração pelo Sistema de Gerenciamento de Identidade – SGI.")


class SgtaTrailsScreen(WorkerErrorsToApp, Screen[None]):
    """Trilhas/Auditoria: the trails, their area and counts; Enter opens a trail the user may access.

    | Key | Description |
    | :- | :- |
    | enter | Abrir a trilha (todos os registros dela). |
    | / | Buscar por área, trilha, status ou “permitido”. |
    | escape | Limpar a busca / voltar. |
    """

    DEFAULT_CSS = """
    SgtaTrailsScreen {
        #sgta-search { margin: 0 1; }
        #sgta-summary { height: 1; color: $text-muted; padding: 0 1; }
        #sgta-alert { height: auto; padding: 0 1; text-style: bold; }
        #sgta-trails { height: 1fr; }
        #sgta-info { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_trail", "Abrir trilha", id="sgta.open", tooltip="Ver os registros da trilha"),
        Binding("slash", "search", "Buscar", id="sgta.search",
                tooltip="Buscar por área, trilha, status ou “permitido”"),
        Binding("escape", "back", "Voltar", id="sgta.back", tooltip="Limpar a busca ou voltar"),
    ]

    AUTO_FOCUS = "#sgta-trails"

    def __init__(self, adapter: Adapter) -> None:
        super().__init__()
        self.adapter = adapter
        self.title = "Trilhas de auditoria"
        self.trails: dict[str, TrailSummary] = {}

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        yield Input(placeholder="Buscar: área, trilha, status ou “permitido” (só as que você acessa)",
                    compact=True, id="sgta-search")
        yield Static("", id="sgta-alert", markup=False)
        yield Static("", id="sgta-summary", markup=False)
        table: DataTable[str | Content] = DataTable(id="sgta-trails", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="sgta-info", markup=False)
        yield CompactFooter()

    def on_mount(self) -> None:
        """Columns as in the seed's trail table (fig. 3), then the first load."""
        table: DataTable[str | Content] = self.query_one(DataTable)
        # The area goes last: it is the widest and the rest must fit in 80 columns.
        table.add_column("Trilha", key="trail")
        table.add_column("Acesso", key="access")
        table.add_column("Registros", key="total")
        table.add_column("Aguard. justif.", key="pending")
        table.add_column("Aguard. análise", key="analysis")
        table.add_column("Concluídos", key="done")
        table.add_column("Área", key="area")
        self.query_one("#sgta-alert").display = False
        self.reload()
        self._load_alert()

    @work(exclusive=True, group="alert", exit_on_error=False)
    async def _load_alert(self) -> None:
        """What awaits the user (seed: the alert of the home page)."""
        counts = await self.adapter.sgta_counts()
        parts = [f"{label}: {count}" for label, count in (
            ("Aguardando distribuição", counts.awaiting_distribution),
            ("Em análise", counts.awaiting_analysis - counts.awaiting_distribution),
            ("Pedidos de alteração", counts.change_requests),
            ("Monitoramento vencido", counts.monitoring_expired),
            ("Aguardando justificativa da sua unidade", counts.awaiting_justification),
        ) if count]
        alert = self.query_one("#sgta-alert", Static)
        alert.display = bool(parts)
        alert.update(" · ".join(parts))

    @work(exclusive=True, group="trails", exit_on_error=False)
    async def reload(self, delay: float = 0.0) -> None:
        """Ask for the trails matching the search."""
        if delay:
            import asyncio

            await asyncio.sleep(delay)
        search = self.query_one("#sgta-search", Input).value
        found = await self.adapter.sgta_trails(search)
        self.trails = {t.trail.id: t for t in found}
        table: DataTable[str | Content] = self.query_one(DataTable)
        keep = self.current_id
        table.clear()
        for item in found:
            access = Content.styled("sim", "bold") if item.permitted else Content.styled("não", "dim")
            table.add_row(item.trail.name, access, str(item.total), str(item.awaiting_justification),
                          str(item.awaiting_analysis), str(item.concluded), item.trail.area, key=item.trail.id)
        if keep in self.trails:
            table.move_cursor(row=table.get_row_index(keep))
        words = f" · busca “{search.strip()}”" if search.strip() else ""
        self.query_one("#sgta-summary", Static).update(f"{len(found)} trilha(s){words} · Enter abre a trilha")
        self._show_info()

    @property
    def current_id(self) -> str | None:
        """The highlighted trail's id."""
        table: DataTable[str | Content] = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted)
    def _show_info(self) -> None:
        info = self.query_one("#sgta-info", Static)
        current = self.trails.get(self.current_id or "")
        if current is None:
            info.update("Nenhuma trilha encontrada." if not self.trails else "")
            return
        trail = current.trail
        access = "" if current.permitted else " " + NO_ACCESS
        info.update(f"{trail.name} ({trail.area}): {trail.description} Prazo de justificativa: "
                    f"{trail.justification_days} dias.{access}")

    @on(Input.Changed, "#sgta-search")
    def _search_changed(self) -> None:
        self.reload(SEARCH_DEBOUNCE)

    @on(Input.Submitted, "#sgta-search")
    def _search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_trail()

    def action_open_trail(self) -> None:
        """Open the highlighted trail if the user may access it."""
        current = self.trails.get(self.current_id or "")
        if current is None:
            return
        if not current.permitted:
            self.notify(NO_ACCESS, severity="warning", markup=False)
            return
        from screens.sgta_trail import SgtaTrailScreen

        def back(_: None) -> None:
            self.reload()  # counts changed while the trail was open
            self._load_alert()

        self.app.push_screen(SgtaTrailScreen(self.adapter, current.trail), callback=back)

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#sgta-search", Input).focus()

    def action_back(self) -> None:
        """Clear the search, or leave."""
        search = self.query_one("#sgta-search", Input)
        if search.value:
            search.value = ""
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    def on_reconnected(self, message: Reconnected) -> None:
        """Reload after the server comes back."""
        self.reload()
