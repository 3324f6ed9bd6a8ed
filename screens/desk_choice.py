"""Escolha do balcão: which desk a new ticket goes to, when the backend serves several."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.domain import DeskInfo
from backend.errors import DemandasError
from backend.text import printable
from tui.adapter import Adapter
from tui.settings import save_desk, saved_desk
from widgets.footer import CompactFooter


def short_desk_name(desk: DeskInfo) -> str:
    """"e-CAGE — Atendimento CAGE Virtual" → "e-CAGE": what a narrow column or a list shows first."""
    return printable(desk.name.split(" — ", 1)[0]).strip() or desk.prefix


def desk_labels(desks: Sequence[DeskInfo]) -> dict[str, str]:
    """Short names by desk id, for the Balcão columns of the listings."""
    return {desk.id: short_desk_name(desk) for desk in desks}


def all_statuses(desks: Sequence[DeskInfo]) -> list[str]:
    """Every desk's status names, each once, in desk order (for filters over several desks)."""
    return list(dict.fromkeys(status.name for desk in desks for status in desk.statuses))


class DeskChoiceScreen(ModalScreen[str | None]):
    """Pick one desk from a list; dismisses with its id, or None.

    | Key | Description |
    | :- | :- |
    | up / down | Move the highlight. |
    | enter | Choose the highlighted desk. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    DeskChoiceScreen {
        align: center middle;
        & > #desk-dialog {
            width: 72; max-width: 100%; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #desk-title { text-style: bold; margin-bottom: 1; }
        #desk-list { height: auto; max-height: 14; border: none; }
        #desk-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Escolher", id="desk_choice.choose", tooltip="Abrir a demanda neste balcão"),
        Binding("escape", "cancel", "Cancelar", id="desk_choice.cancel", tooltip="Voltar sem escolher"),
    ]

    def __init__(self, desks: Sequence[DeskInfo], current: str | None = None) -> None:
        super().__init__()
        self.desks = list(desks)
        self.current = current
        self.title = "Escolha do balcão"

    def compose(self) -> ComposeResult:
        with Vertical(id="desk-dialog"):
            yield Static("Em qual balcão abrir a demanda?", id="desk-title", markup=False)
            options = []
            for desk in self.desks:
                line = Text(short_desk_name(desk), style="bold")
                rest = printable(desk.name)[len(short_desk_name(desk)):].lstrip(" —")
                if rest:
                    line.append(f" — {rest}")
                line.append(f"  ({desk.prefix})", style="dim")
                options.append(Option(line, id=desk.id))
            yield OptionList(*options, id="desk-list")
            yield Static("enter escolhe · esc cancela", id="desk-hint", markup=False)
        yield CompactFooter()

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        index = next((i for i, d in enumerate(self.desks) if d.id == self.current), 0)
        option_list.highlighted = index
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self) -> None:
        """Choose the highlighted desk."""
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(option_list.get_option_at_index(option_list.highlighted).id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


async def choose_desk(app: App[Any], adapter: Adapter, default: DeskInfo) -> DeskInfo | None:
    """The desk for a new ticket: ``default`` when the backend serves one desk, else the user's pick.

    The list opens on the desk chosen last time (kept in the settings file). Must run in a worker."""
    desks = await adapter.desks()
    if len(desks) < 2:
        return default
    try:
        last = saved_desk()
    except DemandasError:
        last = None  # a broken settings file must not block a new ticket
    current = last if any(d.id == last for d in desks) else default.id
    chosen = await app.push_screen_wait(DeskChoiceScreen(desks, current))
    desk = next((d for d in desks if d.id == chosen), None)
    if desk is not None:
        with contextlib.suppress(OSError, DemandasError):
            save_desk(desk.id)
    return desk
