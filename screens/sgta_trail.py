"""Uma trilha (SGTA): its records with the trail's own columns plus the six common ones, and the actions."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from backend.domain import User
from backend.errors import DemandasError
from backend.sgta.domain import (
    FLAG_HELP,
    FLAG_LABELS,
    FLAG_MARKS,
    STATUS_HELP,
    STATUS_LABELS,
    RecordQuery,
    SgtaAction,
    SgtaRecord,
    SgtaRequest,
    SgtaStatus,
    Trail,
)
from backend.sgta.table import cells, headings
from backend.text import format_date, printable
from tui.adapter import Adapter
from tui.messages import OFFLINE_TEXT, Reconnected, WorkerErrorsToApp
from widgets.footer import CompactFooter

SEARCH_DEBOUNCE = 0.25
REFRESH_SECONDS = 30.0
#: One page is the whole table for a trail: the service caps pages at 500.
PAGE = 500
#: The status filter names both "em análise" apart.
STATUS_FILTER_LABELS = {**STATUS_LABELS, SgtaStatus.EM_ANALISE_UNIDADE: "em análise (unidade)",
                        SgtaStatus.EM_ANALISE_GESTOR: "em análise (Gestor)"}
#: The trail's own columns are cut at this width so the six common ones fit beside them.
OWN_WIDTH = 20
COLUMN_WIDTHS = {"Nº": 6, "Observação TCE": 16, "TCE": 16, "Status": 11, "Flags": 8, "Docs": 4, "Ações": 8}

# Screen action -> the record actions it may run (the first one allowed is used).
ACTION_KEYS: dict[str, tuple[SgtaAction, ...]] = {
    "take": (SgtaAction.OPEN, SgtaAction.ANALYSE),
    "justify": (SgtaAction.JUSTIFY,),
    "request_change": (SgtaAction.REQUEST_CHANGE,),
    "observe": (SgtaAction.OBSERVE,),
    "attach": (SgtaAction.ATTACH,),
    "validate": (SgtaAction.VALIDATE,),
    "decide": (SgtaAction.DECIDE_CHANGE,),
    "distribute": (SgtaAction.DISTRIBUTE,),
    "complement": (SgtaAction.CHANGE_MONITORING, SgtaAction.END_MONITORING, SgtaAction.REOPEN, SgtaAction.INVOKE),
}


class SgtaTrailScreen(WorkerErrorsToApp, Screen[None]):
    """The trail's records; keys act on the highlighted one when its status and your role allow.

    | Key | Description |
    | :- | :- |
    | enter | Consultar justificativas, pareceres, eventos e flags. |
    | a | Abrir para análise (reserva o registro para você). |
    | j | Justificar (Supervisor e/ou Analista da unidade). |
    | c | Pedir alteração da justificativa. |
    | v | Validar justificativa (Gestor). |
    | d | Analisar pedido de alteração (Gestor). |
    | o | Incluir uma observação (Gestor). |
    | x | Anexar um arquivo. |
    | D | Distribuir a um Gestor da área (Gestor). |
    | m | Ações complementares (monitoramento, reabrir, invocar). |
    | / | Buscar em qualquer coluna. |
    | s | Mostrar só um status (cicla entre os seis). |
    | e | Exportar exatamente o que a tabela mostra. |
    | escape | Limpar a busca / voltar. |
    """

    DEFAULT_CSS = """
    SgtaTrailScreen {
        #trail-search { margin: 0 1; }
        #trail-summary { height: 1; color: $text-muted; padding: 0 1; }
        #trail-table { height: 1fr; }
        #trail-info { height: auto; max-height: 6; padding: 0 1; background: $boost; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "details", "Detalhes", show=False, id="trail.details",
                tooltip="Consultar justificativas, pareceres e eventos"),
        Binding("a", "take", "Analisar", id="trail.take", tooltip="Abrir o registro para análise (reserva)"),
        Binding("j", "justify", "Justificar", id="trail.justify", tooltip="Concordar ou discordar, com justificativa"),
        Binding("c", "request_change", "Pedir alteração", id="trail.request_change",
                tooltip="Pedir ao Gestor a alteração da justificativa"),
        Binding("v", "validate", "Validar", id="trail.validate",
                tooltip="Arquivar, monitorar, devolver ou salvar rascunho"),
        Binding("d", "decide", "Pedido de alteração", id="trail.decide", tooltip="Aceitar ou recusar o pedido"),
        Binding("o", "observe", "Observação", id="trail.observe", tooltip="Incluir uma observação no registro"),
        Binding("x", "attach", "Anexar", id="trail.attach", tooltip="Anexar PDF, texto ou planilha"),
        Binding("D", "distribute", "Distribuir", id="trail.distribute",
                tooltip="Distribuir a um Gestor da área (vendo a carga de cada um)"),
        Binding("m", "complement", "Complementares", id="trail.complement",
                tooltip="Alterar/encerrar monitoramento, reabrir, invocar"),
        Binding("slash", "search", "Buscar", id="trail.search", tooltip="Buscar em qualquer coluna"),
        Binding("s", "next_status", "Status", show=False, id="trail.status", tooltip="Mostrar só um status (cicla)"),
        Binding("e", "export", "Exportar", id="trail.export", tooltip="Exportar o que a tabela mostra"),
        Binding("escape", "back", "Voltar", id="trail.back", tooltip="Limpar a busca ou voltar"),
    ]

    AUTO_FOCUS = "#trail-table"

    def __init__(self, adapter: Adapter, trail: Trail) -> None:
        super().__init__()
        self.adapter = adapter
        self.trail = trail
        self.title = f"Trilha: {trail.name}"
        self.records: dict[int, SgtaRecord] = {}
        self.total = 0
        self.status: SgtaStatus | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        yield Input(placeholder="Buscar em qualquer coluna, status ou flag…", compact=True, id="trail-search")
        yield Static("", id="trail-summary", markup=False)
        table: DataTable[Text] = DataTable(id="trail-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="trail-info", markup=False)
        yield CompactFooter()

    def on_mount(self) -> None:
        """The trail's columns, then the six common ones (seed, fig. 5)."""
        table: DataTable[Text] = self.query_one(DataTable)
        for index, heading in enumerate(headings(self.trail)):
            # Auto width: cells are cut at COLUMN_WIDTHS / OWN_WIDTH, so a column is never wider.
            table.add_column(heading, key=str(index))
        self.reload()
        # SGTA changes are not ticket events: look again now and then for other people's work.
        self.set_interval(REFRESH_SECONDS, self._refresh_if_shown)

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.reload()

    # -- loading ---------------------------------------------------------------------

    def current_query(self) -> RecordQuery:
        """What the table shows now (also exactly what the export writes)."""
        return RecordQuery(self.trail.id, search=self.query_one("#trail-search", Input).value.strip(),
                           status=self.status, limit=PAGE)

    @work(exclusive=True, group="records", exit_on_error=False)
    async def reload(self, delay: float = 0.0) -> None:
        """Fetch the table again, keeping the highlighted record."""
        if delay:
            import asyncio

            await asyncio.sleep(delay)
        page = await self.adapter.sgta_records(self.current_query())
        self._show(list(page.items), page.total)

    def _show(self, records: list[SgtaRecord], total: int) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self.current_id
        self.records = {r.id: r for r in records}
        self.total = total
        table.clear()
        for record in records:
            table.add_row(*_cells(self.trail, record), key=str(record.id))
        if keep in self.records:
            table.move_cursor(row=table.get_row_index(str(keep)))
        search = self.current_query().search
        words = f" · busca “{search}”" if search else ""
        if self.status is not None:
            words += f" · status: {STATUS_FILTER_LABELS[self.status]}"
        self.query_one("#trail-summary", Static).update(
            f"{len(records)} de {total} registro(s) · {self.trail.area}{words}")
        self._show_info()
        self.refresh_bindings()

    def replace_record(self, record: SgtaRecord) -> None:
        """Show a record as an action left it (the table's other rows stay)."""
        if record.id not in self.records:
            return
        self.records[record.id] = record
        table: DataTable[Text] = self.query_one(DataTable)
        for index, value in enumerate(_cells(self.trail, record)):
            table.update_cell(str(record.id), str(index), value)
        self._show_info()
        self.refresh_bindings()

    @property
    def current_id(self) -> int | None:
        """The highlighted record's id."""
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @property
    def current(self) -> SgtaRecord | None:
        """The highlighted record."""
        return self.records.get(self.current_id or -1)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_info()
        self.refresh_bindings()

    def _show_info(self) -> None:
        """Status and flags of the highlighted record, with their explanations (the seed's tooltips)."""
        info = self.query_one("#trail-info", Static)
        record = self.current
        if record is None:
            info.update("Nenhum registro encontrado." if self.total == 0 else "")
            return
        who = f" Em análise por {record.reserved_by_name}." if record.reserved_by_name else ""
        text = Content.assemble((f"Nº {record.id} — {record.status_label}: ", "bold"),
                                STATUS_HELP[record.status], f" Prazo de justificativa: {format_date(record.due_at)}.",
                                who, f" Docs: {record.docs}.")
        if record.observation:
            # The common columns may be off screen at 80 columns: the line under the table repeats them.
            text = text + Content("\n") + Content.assemble(("Observação TCE: ", "bold"), printable(record.observation))
        for flag in record.flags:
            text = text + Content("\n") + Content.assemble(
                (f"{FLAG_MARKS[flag]} {FLAG_LABELS[flag]}: ", "bold"), FLAG_HELP[flag])
        info.update(text)

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions of the record show only when its status and the user's role allow them."""
        wanted = ACTION_KEYS.get(action)
        if wanted is None:
            return True
        record = self.current
        return record is not None and any(record.can(a) for a in wanted)

    def refusal(self, action: str) -> str | None:
        """Why a key does nothing now (the palette says it instead of staying silent)."""
        wanted = ACTION_KEYS.get(action)
        record = self.current
        if wanted is None:
            return None
        if record is None:
            return "Nenhum registro selecionado."
        if any(record.can(a) for a in wanted):
            return None
        return record.why_not(wanted[0])

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_details()

    def action_details(self) -> None:
        """Consultar justificativas/pareceres/eventos."""
        record = self.current
        if record is None:
            return
        from screens.sgta_record import SgtaRecordScreen

        self.app.push_screen(SgtaRecordScreen(self.adapter, self.trail, record.id))

    def action_take(self) -> None:
        """Open for analysis: the unit's analyst or the gestor, whichever the record allows."""
        record = self.current
        if record is None:
            return
        action = SgtaAction.OPEN if record.can(SgtaAction.OPEN) else SgtaAction.ANALYSE
        self._run(record.id, SgtaRequest(action, expected_version=record.version))

    def _dialog(self, action: SgtaAction, draft: SgtaRequest | None = None) -> None:
        record = self.current
        if record is None:
            return
        from screens.sgta_action import SgtaActionDialog

        def done(request: SgtaRequest | None) -> None:
            if request is not None:
                self._run(record.id, request, reopen=True)

        self.app.push_screen(SgtaActionDialog(self.trail, record, action, draft), callback=done)

    def action_justify(self) -> None:
        """Justificar."""
        self._dialog(SgtaAction.JUSTIFY)

    def action_request_change(self) -> None:
        """Pedir alteração."""
        self._dialog(SgtaAction.REQUEST_CHANGE)

    def action_observe(self) -> None:
        """Incluir observação."""
        self._dialog(SgtaAction.OBSERVE)

    def action_attach(self) -> None:
        """Anexar arquivos."""
        self._dialog(SgtaAction.ATTACH)

    def action_validate(self) -> None:
        """Validar justificativa."""
        self._dialog(SgtaAction.VALIDATE)

    def action_decide(self) -> None:
        """Analisar pedido de alteração."""
        self._dialog(SgtaAction.DECIDE_CHANGE)

    def action_distribute(self) -> None:
        """Distribuir: pick a gestor of the area, then hand the record over."""
        record = self.current
        if record is None:
            return
        from screens.sgta_distribute import SgtaDistributeScreen

        def chosen(login: str | None) -> None:
            if login is not None:
                self._run(record.id, SgtaRequest(SgtaAction.DISTRIBUTE, to=login, expected_version=record.version))

        self.app.push_screen(SgtaDistributeScreen(self.adapter, self.trail, record.id), callback=chosen)

    def action_complement(self) -> None:
        """Ações complementares."""
        record = self.current
        if record is None:
            return
        first = next(a for a in ACTION_KEYS["complement"] if record.can(a))
        self._dialog(first)

    @work(group="act", exit_on_error=False)
    async def _run(self, record_id: int, request: SgtaRequest, reopen: bool = False) -> None:
        try:
            changed = await self.adapter.sgta_act(record_id, request)
        except DemandasError as error:
            self.notify(error.message, title="Não foi possível concluir", severity="error", markup=False)
            if reopen:
                self._dialog(request.action, request)  # nothing typed is lost
            return
        self.replace_record(changed)
        self.notify(_done_message(request, changed), markup=False)

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#trail-search", Input).focus()

    def action_next_status(self) -> None:
        """Show only the next status (after the last one, every status again)."""
        cycle: list[SgtaStatus | None] = [None, *SgtaStatus]
        self.status = cycle[(cycle.index(self.status) + 1) % len(cycle)]
        self.reload()

    @on(Input.Changed, "#trail-search")
    def _search_changed(self) -> None:
        self.reload(SEARCH_DEBOUNCE)

    @on(Input.Submitted, "#trail-search")
    def _search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_export(self) -> None:
        """Export exactly the filtered table."""
        from screens.sgta_action import trail_export

        app_user: User | None = getattr(self.app, "user", None)
        self.app.push_screen(trail_export(self.adapter, self.trail, self.current_query(), app_user))

    def action_back(self) -> None:
        """Clear the search, or go back to the trails."""
        search = self.query_one("#trail-search", Input)
        if search.value:
            search.value = ""
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    def on_reconnected(self, message: Reconnected) -> None:
        """Reload after the server comes back."""
        self.reload()


def _cells(trail: Trail, record: SgtaRecord) -> list[Text]:
    """Cells as Text: a DataTable parses plain str as markup, and a name like "[b]x" must show as typed."""
    row = []
    for heading, value in zip(headings(trail), cells(trail, record, marks=True), strict=True):
        width = COLUMN_WIDTHS.get(heading, OWN_WIDTH)
        flat = " ".join(printable(value).split())
        row.append(Text(flat if len(flat) <= width else flat[: width - 1] + "…"))
    return row


def _done_message(request: SgtaRequest, record: SgtaRecord) -> str:
    from backend.sgta.domain import ACTION_LABELS

    return f"{ACTION_LABELS[request.action]}: registro {record.id} agora está “{record.status_label}”."
