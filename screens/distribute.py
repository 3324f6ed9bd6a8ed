"""Distribuir: choose the agent of the area who will take the tickets, seeing each one's load."""

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

from backend.domain import AgentLoad, Role
from backend.text import printable
from tui.adapter import Adapter
from tui.messages import WorkerErrorsToApp
from widgets.footer import CompactFooter

ROLE_NAMES = {Role.AGENT: "atendente", Role.MANAGER: "gestor", Role.ADMIN: "administrador"}


def load_text(count: int) -> str:
    """"nenhuma demanda aberta" / "1 demanda aberta" / "3 demandas abertas"."""
    if count == 0:
        return "nenhuma demanda aberta"
    return "1 demanda aberta" if count == 1 else f"{count} demandas abertas"


class DistributeScreen(WorkerErrorsToApp, ModalScreen[str | None]):
    """Lists the area's staff with their open tickets; dismisses with the chosen login, or None.

    | Key | Description |
    | :- | :- |
    | enter | Distribuir para o atendente destacado. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    DistributeScreen {
        align: center middle;
        & > #distribute-dialog {
            width: 100%; max-width: 80; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #distribute-title { text-style: bold; }
        #distribute-about { color: $text-muted; margin-bottom: 1; }
        #distribute-agents { height: auto; max-height: 14; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="distribute.cancel", tooltip="Fechar sem distribuir"),
    ]

    def __init__(self, adapter: Adapter, numbers: list[str], area: str | None) -> None:
        super().__init__()
        self.adapter = adapter
        self.numbers = numbers
        self.area = area
        self.title = "Distribuir"
        self.loads: list[AgentLoad] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="distribute-dialog"):
            count = len(self.numbers)
            what = f"a demanda {self.numbers[0]}" if count == 1 else f"{count} demandas"
            yield Static(f"Distribuir {what}", id="distribute-title", markup=False)
            where = f"Área: {self.area}" if self.area else "Várias áreas"
            yield Static(f"{where} · escolha quem vai atender (carga atual ao lado)", id="distribute-about",
                         markup=False)
            yield OptionList(id="distribute-agents")
        yield CompactFooter()

    def on_mount(self) -> None:
        """The staff and their loads arrive in a worker."""
        self._load()

    @work(exclusive=True, group="agents", exit_on_error=False)
    async def _load(self) -> None:
        self.loads = await self.adapter.agents(self.area)
        options = self.query_one("#distribute-agents", OptionList)
        options.clear_options()
        options.add_options(
            Option(
                Content.assemble(
                    (printable(agent.name), "bold"),
                    f" ({ROLE_NAMES.get(agent.role, agent.role)})  ",
                    (load_text(agent.open_tickets), "dim"),
                ),
                id=agent.login,
            )
            for agent in self.loads
        )
        if not self.loads:
            options.add_option(Option("Nenhum atendente nesta área.", disabled=True))
        else:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#distribute-agents")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without distributing."""
        self.dismiss(None)
