"""Reabertura: asks the justification for reopening a ticket."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static, TextArea


class ReopenScreen(ModalScreen[str | None]):
    """Dismisses with the justification typed, or None when the user gives up.

    The caller reopens the ticket; if that fails it passes the text back in as
    ``draft`` next time, so nothing typed is lost.

    | Key | Description |
    | :- | :- |
    | ctrl+s | OK (enviar a justificativa). |
    | tab | Ir para os botões OK / Cancelar. |
    | escape | Cancelar. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "OK", id="reopen.submit", tooltip="Reabrir com esta justificativa"),
        Binding("escape", "give_up", "Cancelar", id="reopen.cancel", tooltip="Fechar sem reabrir"),
    ]

    DEFAULT_CSS = """
    ReopenScreen {
        align: center middle;
    }
    ReopenScreen > #reopen-dialog {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    ReopenScreen #reopen-title {
        text-style: bold;
    }
    ReopenScreen #reopen-text {
        height: 6;
        margin-top: 1;
    }
    ReopenScreen #reopen-error {
        color: $text-error;
        height: auto;
    }
    ReopenScreen #reopen-buttons {
        height: auto;
        align-horizontal: right;
    }
    ReopenScreen #reopen-buttons Button {
        margin-left: 2;
    }
    """

    def __init__(self, number: str, draft: str = "") -> None:
        super().__init__()
        self.number = number
        self._draft = draft

    def compose(self) -> ComposeResult:
        with Vertical(id="reopen-dialog"):
            yield Static(f"Reabertura — {self.number}", id="reopen-title", markup=False)
            yield Static("Informe uma justificativa para reabrir esta demanda.", markup=False)
            yield TextArea(self._draft, id="reopen-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="reopen-error", markup=False)
            with Horizontal(id="reopen-buttons"):
                yield Button("OK", variant="primary", id="reopen-ok")
                yield Button("Cancelar", id="reopen-cancel")
        yield Footer()

    def on_mount(self) -> None:
        """Start typing right away, at the end of any kept draft."""
        text = self.query_one(TextArea)
        text.focus()
        text.move_cursor(text.document.end)

    @property
    def text(self) -> str:
        """What the user typed so far."""
        return self.query_one(TextArea).text

    @on(Button.Pressed, "#reopen-ok")
    def action_submit(self) -> None:
        """OK: refuse an empty justification inline, keep the dialog open."""
        if not self.text.strip():
            self.query_one("#reopen-error", Static).update("A justificativa é obrigatória para reabrir a demanda.")
            self.query_one(TextArea).focus()
            return
        self.dismiss(self.text.strip())

    @on(Button.Pressed, "#reopen-cancel")
    def action_give_up(self) -> None:
        """Close without reopening."""
        self.dismiss(None)

    @on(TextArea.Changed)
    def _clear_error(self) -> None:
        self.query_one("#reopen-error", Static).update("")
