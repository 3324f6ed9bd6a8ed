"""A yes/no question in a modal ("Cancelar demanda" — "Deseja cancelar…?")."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; dismisses with True (Sim) or False (Não).

    "Não" has the focus, so Enter alone never confirms a destructive action.

    | Key | Description |
    | :- | :- |
    | s | Sim. |
    | n, escape | Não. |
    | left/right, tab | Trocar de botão. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer(True)", "Sim", id="confirm.yes", tooltip="Confirmar"),
        Binding("n,escape", "answer(False)", "Não", id="confirm.no", tooltip="Desistir"),
        Binding("left", "app.focus_previous", "Botão anterior", show=False),
        Binding("right", "app.focus_next", "Próximo botão", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #confirm-dialog {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #confirm-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ConfirmScreen #confirm-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmScreen #confirm-buttons Button {
        margin-left: 2;
    }
    """

    AUTO_FOCUS = "#confirm-no"

    def __init__(self, title: str, question: str, *, yes: str = "Sim", no: str = "Não") -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self._title, id="confirm-title", markup=False)
            yield Static(self._question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self._yes, variant="warning", id="confirm-yes")
                yield Button(self._no, id="confirm-no")
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
