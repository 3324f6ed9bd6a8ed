"""Consultar justificativas/pareceres/eventos de um registro SGTA, with its flags explained."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.sgta.domain import (
    ACTION_LABELS,
    FLAG_HELP,
    FLAG_LABELS,
    STATUS_HELP,
    SgtaAction,
    SgtaDoc,
    SgtaRecord,
    Trail,
)
from backend.text import format_date, format_datetime, format_size, printable
from tui.adapter import Adapter
from tui.messages import WorkerErrorsToApp
from widgets.footer import CompactFooter


def record_text(trail: Trail, record: SgtaRecord) -> Content:
    """Everything about a record, as content that never parses markup."""
    bold = "bold"
    parts: list[Content] = []

    def line(label: str, value: str) -> None:
        parts.append(Content.assemble((f"{label}: ", bold), printable(value)))

    for column in trail.columns:
        line(column.label, record.values.get(column.name, ""))
    line("Observação TCE", record.observation or "—")
    line("TCE (em análise por)", record.reserved_by_name or "—")
    line("Status", f"{record.status_label} — {STATUS_HELP[record.status]}")
    line("Prazo de justificativa", format_date(record.due_at))
    if record.monitor_until:
        line("Em monitoramento até", format_date(record.monitor_until))
    if record.invoked_at:
        line("Invocado pelo TCE em", format_datetime(record.invoked_at))
    for flag in record.flags:
        line(f"Flag {FLAG_LABELS[flag]}", FLAG_HELP[flag])
    parts.append(Content.styled("\nJustificativa", bold))
    if record.justification is None:
        parts.append(Content("Ainda não justificado."))
    else:
        j = record.justification
        side = "Concorda" if j.agree else "Discorda"
        parts.append(Content(f"{side} — {printable(j.author_name)}, {format_datetime(j.created_at)}"))
        parts.append(Content(printable(j.text)))
    if record.change_request is not None:
        c = record.change_request
        parts.append(Content.styled("\nPedido de alteração", bold))
        parts.append(Content(f"{printable(c.author_name)}, {format_datetime(c.created_at)}: {printable(c.text)}"))
        if c.accepted is not None:
            verdict = "aceito" if c.accepted else "recusado"
            parts.append(Content(f"Pedido {verdict}: {printable(c.decision_text)}"))
    if record.draft:
        parts.append(Content.styled("\nRascunho do parecer", bold))
        parts.append(Content(printable(record.draft)))
    parts.append(Content.styled(f"\nDocumentos ({record.docs})", bold))
    for doc in record.documents:
        parts.append(Content(f"{printable(doc.name)} · {format_size(doc.size)} · {printable(doc.author_name)} · "
                             f"{format_datetime(doc.created_at)}"))
    parts.append(Content.styled("\nEventos", bold))
    for event in reversed(record.events):  # newest first, like the ticket timeline
        parts.append(Content.assemble((f"{format_datetime(event.created_at)} {printable(event.author_name)}: ",
                                       bold), printable(event.text)))
    allowed = [a for a in SgtaAction if record.can(a)]
    parts.append(Content.styled("\nAções disponíveis", bold))
    parts.append(Content(", ".join(ACTION_LABELS[a] for a in allowed) if allowed else "nenhuma"))
    return Content("\n").join(parts)


class SgtaRecordScreen(WorkerErrorsToApp, ModalScreen[None]):
    """The record's detail: its columns, status, flags, justification, change request, documents, events.

    | Key | Description |
    | :- | :- |
    | s | Salvar o documento destacado (ou o primeiro). |
    | escape | Fechar. |
    """

    DEFAULT_CSS = """
    SgtaRecordScreen {
        align: center middle;
        & > #rec-dialog {
            width: 100%; max-width: 110; height: 100%; max-height: 40;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #rec-title { text-style: bold; }
        #rec-docs { height: auto; max-height: 6; margin-top: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "save", "Salvar documento", id="rec.save", tooltip="Salvar o documento destacado no disco"),
        Binding("escape", "close", "Fechar", id="rec.close", tooltip="Voltar à tabela"),
    ]

    def __init__(self, adapter: Adapter, trail: Trail, record_id: int) -> None:
        super().__init__()
        self.adapter = adapter
        self.trail = trail
        self.record_id = record_id
        self.title = f"Registro {record_id}"
        self.documents: dict[str, SgtaDoc] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rec-dialog"):
            yield Static(f"Registro {self.record_id} — {self.trail.name}", id="rec-title", markup=False)
            yield Static("Carregando…", id="rec-body", markup=False)
            yield OptionList(id="rec-docs")
        yield CompactFooter()

    def on_mount(self) -> None:
        """Fetch the full record (the table row has no events)."""
        self.query_one("#rec-docs").display = False
        self.query_one("#rec-dialog").focus()
        self._load()

    @work(exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        record = await self.adapter.sgta_record(self.record_id)
        self.documents = {str(d.id): d for d in record.documents}
        self.query_one("#rec-body", Static).update(record_text(self.trail, record))
        docs = self.query_one("#rec-docs", OptionList)
        docs.clear_options()
        for doc in record.documents:
            docs.add_option(Option(Content(f"Salvar {printable(doc.name)} ({format_size(doc.size)})"), id=str(doc.id)))
        docs.display = bool(record.documents)
        if record.documents:
            docs.highlighted = 0
            docs.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Saving needs a document."""
        if action == "save":
            return bool(self.documents)
        return True

    @on(OptionList.OptionSelected, "#rec-docs")
    def action_save(self) -> None:
        """Ask for the folder, then fetch and write the highlighted document."""
        docs = self.query_one("#rec-docs", OptionList)
        if docs.highlighted is None:
            return
        option_id = docs.get_option_at_index(docs.highlighted).id or ""
        doc = self.documents.get(option_id)
        if doc is None:
            return
        from screens.save_attachment import SaveAttachmentScreen

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self._save(doc.id, folder)

        self.app.push_screen(SaveAttachmentScreen(doc.name, doc.size), callback=chosen)

    @work(group="save", exit_on_error=False)
    async def _save(self, doc_id: int, folder: Path) -> None:
        from screens.save_attachment import write_new_file

        meta, data = await self.adapter.sgta_download(self.record_id, doc_id)
        try:
            path = write_new_file(folder, meta.name, data)
        except OSError as exc:
            self.notify(f"Não foi possível salvar em {folder}: {exc.strerror or exc}", severity="error",
                        markup=False)
            return
        self.notify(f"Documento salvo em {path}", markup=False)

    def action_close(self) -> None:
        """Back to the table."""
        self.dismiss(None)
