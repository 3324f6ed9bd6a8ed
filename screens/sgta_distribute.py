"""Distribuir (SGTA): choose the gestor of the area who will analyse the record, seeing each one's load."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.sgta.domain import Trail
from backend.text import printable
from tui.adapter import Adapter
from tui.messages import WorkerErrorsToApp
from widgets.footer import CompactFooter


def load_text(count: int) -> str:
    """"nenhum registro" / "1 registro" / "3 registros" (in analysis now)."""
    if count == 0:
        return "nenhum registro em análise"
    return "1 registro em análise" if count == 1 else f"{count} registros em análise"


class SgtaDistributeScreen(WorkerErrorsToApp, ModalScreen[str | None]):
    """Lists the area's gestores with how many records each analyses; dismisses with the login, or None.

    | Key | Description |
    | :- | :- |
    | enter | Distribuir para o Gestor destacado. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    SgtaDistributeScreen {
        align: center middle;
        & > #sd-dialog {
            width: 100%; max-width: 80; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #sd-title { text-style: bold; }
        #sd-about { color: $text-muted; margin-bottom: 1; }
        #sd-gestores { height: auto; max-height: 14; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="sd.cancel", tooltip="Fechar sem distribuir"),
    ]

    def __init__(self, adapter: Adapter, trail: Trail, record_id: int) -> None:
        super().__init__()
        self.adapter = adapter
        self.trail = trail
        self.record_id = record_id
        self.title = "Distribuir"

    def compose(self) -> ComposeResult:
        with Vertical(id="sd-dialog"):
            yield Static(f"Distribuir o registro {self.record_id}", id="sd-title", markup=False)
            yield Static(f"Gestores da área {self.trail.area} e os registros que cada um analisa agora:",
                         id="sd-about", markup=False)
            yield OptionList(id="sd-gestores")
        yield CompactFooter()

    def on_mount(self) -> None:
        """Load the gestores."""
        self.query_one(OptionList).focus()
        self._load()

    @work(exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        gestores = await self.adapter.sgta_gestores(self.trail.id)
        options = self.query_one(OptionList)
        options.clear_options()
        for gestor in gestores:
            label = Content.assemble((printable(gestor.name), "bold"), f" ({gestor.login}) — ",
                                     load_text(gestor.records))
            options.add_option(Option(label, id=gestor.login))
        if gestores:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without distributing."""
        self.dismiss(None)
