"""Recuperar rascunho: offer back what was typed before the terminal or connection died."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from backend.text import format_datetime


class DraftRecoveryScreen(ModalScreen[bool]):
    """Ask whether to restore a saved draft; dismisses True (Sim) or False (Descartar).

    Escape answers Sim: the one-key answer must never throw text away.

    | Key | Description |
    | :- | :- |
    | s / enter | Sim: restore the draft. |
    | d | Descartar: delete the draft and start empty. |
    | escape | Same as Sim. |
    """

    DEFAULT_CSS = """
    DraftRecoveryScreen {
        align: center middle;
        & > #recovery {
            width: 64;
            max-width: 100%;
            height: auto;
            border: thick $primary;
            background: $surface;
            padding: 1 2;
        }
        #recovery-question { text-style: bold; }
        #recovery-detail { color: $text-muted; }
        #recovery-keys { color: $text-muted; margin-top: 1; }
        #recovery-buttons { height: auto; width: auto; margin-top: 1; }
        #recovery-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer(True)", "Sim", id="draft_recovery.yes"),
        Binding("d", "answer(False)", "Descartar", id="draft_recovery.discard"),
        Binding("escape", "answer(True)", "Sim", show=False),
    ]

    def __init__(self, saved_at: datetime, detail: str = "") -> None:
        super().__init__()
        self.saved_at = saved_at
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="recovery"):
            yield Static(f"Recuperar rascunho de {format_datetime(self.saved_at)}?", id="recovery-question",
                         markup=False)
            yield Static(self.detail or "O formulário foi fechado sem enviar; o texto digitado foi guardado.",
                         id="recovery-detail", markup=False)
            with Horizontal(id="recovery-buttons"):
                yield Button("Sim", id="recovery-yes", variant="primary")
                yield Button("Descartar", id="recovery-discard")
            yield Static("s ou enter: Sim · d: Descartar", id="recovery-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#recovery-yes", Button).focus()

    @on(Button.Pressed, "#recovery-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#recovery-discard")
    def _discard(self) -> None:
        self.dismiss(False)

    def action_answer(self, restore: bool) -> None:
        """Close with the answer."""
        self.dismiss(restore)
