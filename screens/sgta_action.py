"""SGTA dialogs: one form for every action on a record, and the export of the filtered trail table."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, TextArea

from backend.domain import NewAttachment, User
from backend.errors import DemandasError
from backend.export import ExportFormat
from backend.sgta.domain import (
    ACTION_LABELS,
    DECISION_LABELS,
    Decision,
    RecordQuery,
    SgtaAction,
    SgtaRecord,
    SgtaRequest,
    Trail,
)
from backend.sgta.table import describe
from screens.export_dialog import ExportScreen, Progress
from tui.adapter import Adapter
from widgets.footer import CompactFooter

COMPLEMENTARY = (SgtaAction.CHANGE_MONITORING, SgtaAction.END_MONITORING, SgtaAction.REOPEN, SgtaAction.INVOKE)
# What each form asks: (prompt, text required?, choices) — choices are (value, label) pairs.
PROMPTS: dict[SgtaAction, str] = {
    SgtaAction.JUSTIFY: "Justificativa da unidade (concordando ou não com a inconsistência):",
    SgtaAction.REQUEST_CHANGE: "Uma vez concluída, a justificativa não pode ser alterada. Descreva a alteração "
                               "que deseja; o Gestor decidirá sobre o pedido:",
    SgtaAction.OBSERVE: "Observação TCE (informação para auxiliar o Supervisor e/ou Analista):",
    SgtaAction.ATTACH: "Anexar arquivos PDF, documentos de texto e planilhas (até 20 MB cada).",
    SgtaAction.VALIDATE: "Parecer sobre a justificativa e os documentos apresentados:",
    SgtaAction.DECIDE_CHANGE: "Aceitando ou não, a decisão deverá ser justificada:",
}
REQUIRED_TEXT = {SgtaAction.JUSTIFY: "Escreva a justificativa.",
                 SgtaAction.REQUEST_CHANGE: "Descreva a alteração que deseja fazer na justificativa.",
                 SgtaAction.OBSERVE: "Escreva a observação.",
                 SgtaAction.VALIDATE: "Escreva o parecer sobre a justificativa.",
                 SgtaAction.DECIDE_CHANGE: "Justifique a decisão sobre o pedido de alteração (aceitando ou não).",
                 SgtaAction.REOPEN: "Informe uma justificativa para reabrir o registro."}


def parse_date(text: str) -> date:
    """``dd/mm/aaaa`` → date; ValueError with a pt-BR message otherwise."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"Data inválida: {text.strip()!r}. Use dd/mm/aaaa, por exemplo 31/12/2025.") from None


class SgtaActionDialog(ModalScreen[SgtaRequest | None]):
    """Asks what an action needs (choice, date, text, files); dismisses with the request, or None.

    The caller performs it; when that fails it opens the dialog again with the request
    as ``draft``, so nothing typed is lost.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Enviar. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    SgtaActionDialog {
        align: center middle;
        & > #act-dialog {
            width: 100%; max-width: 90; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #act-title { text-style: bold; }
        #act-context { color: $text-muted; }
        #act-choice { width: 100%; height: auto; }
        #act-text { height: 5; }
        #act-error { color: $text-error; text-style: bold; height: auto; }
        #act-buttons { height: auto; align-horizontal: right; }
        #act-buttons Button { margin-left: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Enviar", id="act.submit", priority=True, tooltip="Enviar"),
        Binding("escape", "give_up", "Cancelar", id="act.cancel", tooltip="Fechar sem enviar"),
    ]

    def __init__(self, trail: Trail, record: SgtaRecord, action: SgtaAction, draft: SgtaRequest | None = None) -> None:
        super().__init__()
        self.trail = trail
        self.record = record
        self.action = draft.action if draft is not None else action
        self.draft = draft
        self.complementary = self.action in COMPLEMENTARY
        self.title = "Ações complementares" if self.complementary else ACTION_LABELS[self.action]

    def _choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, enabled) of the form's radio buttons."""
        record = self.record
        if self.complementary:
            return [(a.value, ACTION_LABELS[a], record.can(a)) for a in COMPLEMENTARY]
        if self.action is SgtaAction.JUSTIFY:
            return [("sim", "Concordo com a inconsistência", True), ("nao", "Discordo da inconsistência", True)]
        if self.action is SgtaAction.VALIDATE:
            return [(d.value, label, True) for d, label in DECISION_LABELS.items()]
        if self.action is SgtaAction.DECIDE_CHANGE:
            return [("sim", "Aceitar o pedido (o registro volta a quem pediu)", True),
                    ("nao", "Recusar o pedido", True)]
        return []

    def _chosen_initially(self) -> str | None:
        draft = self.draft
        if self.complementary:
            return self.action.value
        if draft is None:
            return None
        if draft.agree is not None:
            return "sim" if draft.agree else "nao"
        if draft.accept is not None:
            return "sim" if draft.accept else "nao"
        return draft.decision.value if draft.decision else None

    def compose(self) -> ComposeResult:
        record = self.record
        heading = f"{self.title} — registro {record.id} ({self.trail.name})"
        with VerticalScroll(id="act-dialog"):
            yield Static(heading, id="act-title", markup=False)
            who = ", ".join(record.values.get(c.name, "") for c in self.trail.columns[1:3])
            yield Static(f"{record.unit} · {who} · status: {record.status_label}", id="act-context", markup=False)
            if self.action is SgtaAction.DECIDE_CHANGE and record.change_request is not None:
                asked = record.change_request
                yield Static(f"Pedido de {asked.author_name}: {asked.text}", markup=False)
            choices = self._choices()
            if choices:
                chosen = self._chosen_initially()
                with RadioSet(id="act-choice"):
                    for value, label, enabled in choices:
                        yield RadioButton(label, value=value == chosen, id=f"act-{value}", disabled=not enabled)
            if self.action is SgtaAction.VALIDATE or self.complementary:
                yield Label("Data do monitoramento (dd/mm/aaaa):")
                until = self.draft.until if self.draft and self.draft.until else None
                yield Input(until.strftime("%d/%m/%Y") if until else "", placeholder="dd/mm/aaaa", compact=True,
                            id="act-until")
            if self.action is not SgtaAction.ATTACH:
                yield Label(PROMPTS.get(self.action, "Motivo (opcional, obrigatório para reabrir):"))
                yield TextArea(self._initial_text(), id="act-text", soft_wrap=True, show_line_numbers=False)
            if self.action in (SgtaAction.JUSTIFY, SgtaAction.ATTACH):
                if self.action is SgtaAction.ATTACH:
                    yield Label(PROMPTS[SgtaAction.ATTACH])
                yield Label("Arquivos (caminhos separados por “;”):")
                yield Input("", placeholder="~/Documentos/portaria.pdf; ~/escala.xlsx", compact=True, id="act-files")
            yield Static("", id="act-error", markup=False)
            with Horizontal(id="act-buttons"):
                yield Button("Enviar", variant="primary", id="act-ok")
                yield Button("Cancelar", id="act-cancel")
        yield CompactFooter()

    def _initial_text(self) -> str:
        if self.draft is not None:
            return self.draft.text
        if self.action is SgtaAction.OBSERVE:
            return self.record.observation
        if self.action is SgtaAction.VALIDATE:
            return self.record.draft
        return ""

    def on_mount(self) -> None:
        """Start at the first thing to fill."""
        for selector in ("#act-choice", "#act-text", "#act-files"):
            found = self.query(selector)
            if found:
                found.first().focus()
                return

    def _error(self, message: str, focus: str | None = None) -> None:
        self.query_one("#act-error", Static).update(message)
        if focus and self.query(focus):
            self.query_one(focus).focus()

    def _choice(self) -> str | None:
        found = self.query("#act-choice")
        if not found:
            return None
        pressed = self.query_one("#act-choice", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("act-") if pressed is not None else None

    @on(Button.Pressed, "#act-ok")
    def action_submit(self) -> None:
        """Check what the form can check, then hand the request to the caller."""
        text = self.query_one("#act-text", TextArea).text if self.query("#act-text") else ""
        choice = self._choice()
        action = SgtaAction(choice) if self.complementary and choice else self.action
        if self.query("#act-choice") and choice is None:
            self._error("Escolha uma das opções.", "#act-choice")
            return
        required = REQUIRED_TEXT.get(action)
        if required and not text.strip():
            self._error(required, "#act-text")
            return
        until: date | None = None
        needs_date = (action is SgtaAction.CHANGE_MONITORING
                      or (action is SgtaAction.VALIDATE and choice == Decision.MONITOR.value))
        if needs_date:
            typed = self.query_one("#act-until", Input).value
            if not typed.strip():
                self._error("Informe a data até quando o registro fica em monitoramento.", "#act-until")
                return
            try:
                until = parse_date(typed)
            except ValueError as exc:
                self._error(str(exc), "#act-until")
                return
        files: tuple[NewAttachment, ...] = ()
        if self.query("#act-files"):
            files = self._read_files()
            if files == () and self.query_one("#act-error", Static).content:
                return
            if action is SgtaAction.ATTACH and not files:
                self._error("Informe ao menos um arquivo para anexar.", "#act-files")
                return
        self.dismiss(SgtaRequest(
            action,
            text=text.strip(),
            agree=(choice == "sim") if action is SgtaAction.JUSTIFY else None,
            accept=(choice == "sim") if action is SgtaAction.DECIDE_CHANGE else None,
            decision=Decision(choice) if action is SgtaAction.VALIDATE and choice else None,
            until=until,
            attachments=files,
            expected_version=self.record.version,
        ))

    def _read_files(self) -> tuple[NewAttachment, ...]:
        from backend.sgta.domain import MAX_DOC_BYTES, MAX_DOCS
        from tui.cli import read_attachments

        typed = [p.strip() for p in self.query_one("#act-files", Input).value.split(";") if p.strip()]
        self._error("")
        try:
            return read_attachments(typed, MAX_DOC_BYTES, MAX_DOCS)
        except DemandasError as exc:
            self._error(exc.message, "#act-files")
            return ()

    @on(Button.Pressed, "#act-cancel")
    def action_give_up(self) -> None:
        """Close without sending."""
        self.dismiss(None)

    @on(TextArea.Changed)
    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _clear_error(self) -> None:
        self.query_one("#act-error", Static).update("")


def trail_export(adapter: Adapter, trail: Trail, query: RecordQuery, user: User | None) -> ExportScreen:
    """The dialog that exports exactly what the trail table shows."""

    async def export(fmt: ExportFormat, path: Path, progress: Progress) -> int:
        from tui.sgta_export import export_records

        return await export_records(adapter, query, fmt, path, user or await adapter.whoami())

    return ExportScreen(f"Exportar a trilha {trail.name}", describe(trail, query), f"sgta-{trail.id}", export)
