"""Staff status dialogs: pedir informações, resolver, cancelar, encaminhar, monitorar.

Each dialog only collects and checks what the action needs; it dismisses with a
:class:`StaffRequest` and the detail screen performs the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from backend.domain import Ticket
from widgets.footer import CompactFooter

#: action -> (dialog title, text label, button)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "ask": ("Pedir informações ao solicitante", "O que o solicitante precisa complementar:", "Pedir"),
    "resolve": ("Resolver demanda", "Solução dada à demanda:", "Resolver"),
    "cancel": ("Cancelar demanda", "Motivo do cancelamento:", "Cancelar demanda"),
    "forward": ("Encaminhar para outra área", "Motivo do encaminhamento:", "Encaminhar"),
    "monitor": ("Colocar em monitoramento", "Motivo do monitoramento:", "Monitorar"),
    "track": ("Abrir chamado de acompanhamento", "O que a unidade técnica vai acompanhar:", "Abrir chamado"),
}
EMPTY_TEXT = {
    "ask": "Informe o que o solicitante precisa complementar.",
    "resolve": "Informe a solução dada à demanda.",
    "cancel": "Informe o motivo do cancelamento.",
    "forward": "Informe o motivo do encaminhamento.",
    "monitor": "Informe o motivo do monitoramento.",
    "track": "Descreva o que a unidade técnica vai acompanhar neste chamado.",
}


@dataclass(frozen=True, slots=True)
class StaffRequest:
    """What the user asked for: the action, its text and, when needed, an area or a date."""

    action: str
    text: str
    area: str | None = None
    until: date | None = None


def parse_date(typed: str, today: date) -> date | str:
    """A future ``dd/mm/aaaa`` date, or the pt-BR reason it is not one."""
    try:
        value = datetime.strptime(typed.strip(), "%d/%m/%Y").date()
    except ValueError:
        return "Data inválida: use o formato dd/mm/aaaa (ex.: 31/12/2025)."
    if value <= today:
        return "A data do monitoramento deve ser futura."
    return value


class StaffActionScreen(ModalScreen[StaffRequest | None]):
    """One status change: the text (and area or date); dismisses with a StaffRequest, or None.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Confirmar. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    StaffActionScreen {
        align: center middle;
        & > #staff-dialog {
            width: 100%; max-width: 90; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #staff-title { text-style: bold; }
        #staff-ticket { color: $text-muted; margin-bottom: 1; }
        #staff-text { height: 6; }
        .staff-error { color: $text-error; text-style: bold; height: auto; }
        #staff-buttons { height: auto; }
        #staff-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Confirmar", id="staff.confirm", priority=True, tooltip="Confirmar a ação"),
        Binding("escape", "cancel", "Cancelar", id="staff.cancel", tooltip="Fechar sem mudar a demanda"),
    ]

    def __init__(self, action: str, ticket: Ticket, *, areas: tuple[str, ...] = (), today: date | None = None,
                 text: str = "", label: str = "") -> None:
        super().__init__()
        self.action = action
        self.ticket = ticket
        self.areas = tuple(a for a in areas if a != ticket.area)
        self.today = today or date.today()
        self.initial_text = text
        # A desk may name the action its own way (SEI "Encaminhar à Unidade Técnica").
        self.heading = label or ACTIONS[action][0]
        self.title = self.heading

    def compose(self) -> ComposeResult:
        _, label, button = ACTIONS[self.action]
        with Vertical(id="staff-dialog"):
            yield Static(self.heading, id="staff-title", markup=False)
            yield Static(f"Demanda {self.ticket.number} — {self.ticket.title}", id="staff-ticket", markup=False)
            if self.action == "forward":
                yield Label(f"Área de destino (hoje: {self.ticket.area}):")
                yield Select([(a, a) for a in self.areas], prompt="Escolha a área", id="staff-area")
                yield Static("", id="staff-area-error", classes="staff-error", markup=False)
            if self.action == "monitor":
                yield Label("Monitorar até (dd/mm/aaaa):")
                yield Input(placeholder="dd/mm/aaaa", max_length=10, id="staff-date")
                yield Static("", id="staff-date-error", classes="staff-error", markup=False)
            yield Label(label)
            yield TextArea(self.initial_text, id="staff-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="staff-text-error", classes="staff-error", markup=False)
            with Horizontal(id="staff-buttons"):
                yield Button(button, variant="primary", id="staff-ok")
                yield Button("Voltar", id="staff-back")
        yield CompactFooter()

    def on_mount(self) -> None:
        """Start in the first field."""
        first = {"forward": "#staff-area", "monitor": "#staff-date"}.get(self.action, "#staff-text")
        self.query_one(first).focus()

    @on(Button.Pressed, "#staff-ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#staff-back")
    def _back(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close without changing the ticket."""
        self.dismiss(None)

    def _error(self, where: str, message: str) -> None:
        self.query_one(f"#{where}-error", Static).update(message)

    def action_confirm(self) -> None:
        """Check every field; dismiss with the request when all are valid."""
        ok = True
        area: str | None = None
        until: date | None = None
        focus: str | None = None
        if self.action == "forward":
            chosen = self.query_one("#staff-area", Select).value
            if isinstance(chosen, str):
                area = chosen
                self._error("staff-area", "")
            else:
                self._error("staff-area", "Escolha a área de destino.")
                ok, focus = False, focus or "#staff-area"
        if self.action == "monitor":
            parsed = parse_date(self.query_one("#staff-date", Input).value, self.today)
            if isinstance(parsed, str):
                self._error("staff-date", parsed)
                ok, focus = False, focus or "#staff-date"
            else:
                until = parsed
                self._error("staff-date", "")
        text = self.query_one("#staff-text", TextArea).text.strip()
        if not text:
            self._error("staff-text", EMPTY_TEXT[self.action])
            ok, focus = False, focus or "#staff-text"
        else:
            self._error("staff-text", "")
        if not ok:
            if focus:
                self.query_one(focus).focus()
            return
        self.dismiss(StaffRequest(self.action, text, area, until))
