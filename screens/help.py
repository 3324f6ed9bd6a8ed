"""Ajuda: the keys of the screen the user came from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

#: (key as displayed, description, longer explanation or None, enabled now)
HelpRow = tuple[str, str, str | None, bool]

GENERAL = (
    "tab / shift+tab: mover entre os campos · setas: mover na lista · "
    "ctrl+p: todos os comandos, inclusive \"Ir para demanda…\" · "
    "teclas esmaecidas no rodapé: indisponíveis agora (pressione para saber por quê)."
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen beneath, with what each does and whether it is available.

    | Key | Description |
    | :- | :- |
    | escape, f1, ?, q | Fechar a ajuda. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Fechar", id="help.close", tooltip="Fechar a ajuda"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-dialog {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
    }
    HelpScreen DataTable {
        height: auto;
        max-height: 1fr;
    }
    HelpScreen #help-general {
        color: $text-muted;
        margin-top: 1;
    }
    """

    def __init__(self, where: str, rows: Sequence[HelpRow]) -> None:
        super().__init__()
        self.where = where
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(f"Ajuda — {self.where}", id="help-title", markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
            yield Static(GENERAL, id="help-general", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the key table."""
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_column(Text("Tecla"), key="key")
        table.add_column(Text("Ação"), key="action")
        table.add_column(Text("Detalhe"), key="detail")
        for key, description, tooltip, enabled in self.rows:
            action = Text(description) if enabled else Text(f"{description} (indisponível)", style="dim")
            table.add_row(Text(key, style="bold"), action, Text(tooltip or "", style="" if enabled else "dim"))
        table.focus()

    def action_close(self) -> None:
        """Back to where the user was."""
        self.dismiss(None)
