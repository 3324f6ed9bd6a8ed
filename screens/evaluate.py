"""Avaliar atendimento: the requester scores a resolved ticket (1 to 5) with an optional comment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, RadioButton, RadioSet, Static, TextArea

from backend.evaluations import MAX_COMMENT, MAX_SCORE, MIN_SCORE, SCORE_LABELS


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the requester chose: the score and the comment (may be empty)."""

    score: int
    comment: str = ""


class EvaluateScreen(ModalScreen[Evaluation | None]):
    """Dismisses with the Evaluation chosen, or None when the user gives up.

    The caller sends it; if that fails it passes it back in as ``draft``, so
    nothing chosen or typed is lost.

    | Key | Description |
    | :- | :- |
    | 1-5 | Escolher a nota (fora do comentário). |
    | up/down | Mudar a nota na lista. |
    | tab | Ir da nota para o comentário e os botões. |
    | ctrl+s | Enviar a avaliação. |
    | escape | Cancelar. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Enviar", id="evaluate.submit", tooltip="Enviar a avaliação"),
        Binding("escape", "give_up", "Cancelar", id="evaluate.cancel", tooltip="Fechar sem avaliar"),
        *(Binding(str(n), f"score({n})", f"Nota {n}", show=False, id=f"evaluate.score{n}")
          for n in range(MIN_SCORE, MAX_SCORE + 1)),
    ]

    DEFAULT_CSS = """
    EvaluateScreen {
        align: center middle;
    }
    EvaluateScreen > #evaluate-dialog {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    EvaluateScreen #evaluate-title {
        text-style: bold;
    }
    EvaluateScreen RadioSet {
        width: 100%;
        margin-top: 1;
    }
    EvaluateScreen #evaluate-comment-label {
        margin-top: 1;
    }
    EvaluateScreen #evaluate-comment {
        height: 4;
    }
    EvaluateScreen #evaluate-error {
        color: $text-error;
        height: auto;
    }
    EvaluateScreen #evaluate-buttons {
        height: auto;
        align-horizontal: right;
    }
    EvaluateScreen #evaluate-buttons Button {
        margin-left: 2;
    }
    """

    def __init__(self, number: str, draft: Evaluation | None = None) -> None:
        super().__init__()
        self.number = number
        self._draft = draft

    def compose(self) -> ComposeResult:
        chosen = self._draft.score if self._draft else None
        with Vertical(id="evaluate-dialog"):
            yield Static(f"Avaliar atendimento — {self.number}", id="evaluate-title", markup=False)
            yield Static("Como foi o atendimento? Escolha uma nota (teclas 1 a 5).", markup=False)
            with RadioSet(id="evaluate-score"):
                # Best first: the list reads like the portal's satisfaction scale.
                for score in range(MAX_SCORE, MIN_SCORE - 1, -1):
                    yield RadioButton(f"{score} — {SCORE_LABELS[score]}", value=score == chosen,
                                      id=f"evaluate-score-{score}")
            yield Static(f"Comentário (opcional, até {MAX_COMMENT} caracteres)", id="evaluate-comment-label",
                         markup=False)
            yield TextArea(self._draft.comment if self._draft else "", id="evaluate-comment", soft_wrap=True,
                           show_line_numbers=False)
            yield Static("", id="evaluate-error", markup=False)
            with Horizontal(id="evaluate-buttons"):
                yield Button("Enviar", variant="primary", id="evaluate-ok")
                yield Button("Cancelar", id="evaluate-cancel")
        yield Footer()

    def on_mount(self) -> None:
        """Start on the score list."""
        self.query_one(RadioSet).focus()

    @property
    def score(self) -> int | None:
        """The score chosen so far (None: none yet)."""
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return None
        return int(pressed.id.rsplit("-", 1)[1])

    @property
    def comment(self) -> str:
        """The comment typed so far."""
        return self.query_one("#evaluate-comment", TextArea).text

    def action_score(self, score: int) -> None:
        """Choose ``score`` by its digit."""
        self.query_one(f"#evaluate-score-{score}", RadioButton).value = True

    @on(Button.Pressed, "#evaluate-ok")
    def action_submit(self) -> None:
        """Enviar: refuse what the server would refuse inline, keep the dialog open."""
        error = self.query_one("#evaluate-error", Static)
        score = self.score
        comment = self.comment.strip()
        if score is None:
            error.update(f"Escolha uma nota de {MIN_SCORE} a {MAX_SCORE} (teclas 1 a 5 ou as setas).")
            self.query_one(RadioSet).focus()
            return
        if len(comment) > MAX_COMMENT:
            error.update(f"O comentário tem {len(comment)} caracteres; o limite é {MAX_COMMENT}.")
            self.query_one("#evaluate-comment", TextArea).focus()
            return
        self.dismiss(Evaluation(score, comment))

    @on(Button.Pressed, "#evaluate-cancel")
    def action_give_up(self) -> None:
        """Close without evaluating."""
        self.dismiss(None)

    @on(RadioSet.Changed)
    @on(TextArea.Changed)
    def _clear_error(self) -> None:
        self.query_one("#evaluate-error", Static).update("")
