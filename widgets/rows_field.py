"""A table of values added one by one (gov.br's "Adicionar Dados na Tabela +"): type, Enter, repeat.

Each value is checked against the field's ``pattern`` before it joins the table,
so a wrong protocol number is refused at once with the desk's own message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static

from backend.text import printable


def check_row(value: str, rows: Iterable[str], pattern: str | None, pattern_message: str) -> str | None:
    """The pt-BR reason ``value`` may not join the table, or None."""
    if not value:
        return "Digite um valor antes de adicionar."
    if pattern and re.fullmatch(pattern, value) is None:
        return pattern_message or f"Valor inválido: “{printable(value)}”."
    if value in rows:
        return f"“{printable(value)}” já está na tabela."
    return None


class RowInput(Input):
    """The box where the next value is typed."""


class RowsTable(DataTable[Text]):
    """The values added so far; ``delete`` removes the highlighted one."""


class RowsField(Vertical):
    """Add values one at a time to a one-column table; remove any of them.

    | Key | Description |
    | :- | :- |
    | enter | Add the typed value to the table (same as "Adicionar"). |
    | delete / backspace | Remove the highlighted row (in the table). |
    """

    DEFAULT_CSS = """
    RowsField {
        height: auto;
        & > .rows-entry { height: auto; align: left middle; }
        & > .rows-entry > RowInput { width: 1fr; }
        & > .rows-entry > Button { min-width: 12; margin-left: 1; }
        & > RowsTable { height: auto; max-height: 8; margin: 0 1; }
        & > RowsTable.-empty { display: none; }
        & > .rows-empty { color: $text-muted; padding: 0 1; }
        & > .rows-empty.-hidden { display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remover linha", id="rows.remove",
                tooltip="Remover a linha destacada da tabela"),
    ]

    class Changed(Message):
        """A row was added or removed."""

        def __init__(self, field: RowsField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> RowsField:
            """The field whose rows changed."""
            return self.field

    class Rejected(Message):
        """A value was refused; ``reason`` is for the user."""

        def __init__(self, field: RowsField, reason: str) -> None:
            super().__init__()
            self.field = field
            self.reason = reason

        @property
        def control(self) -> RowsField:
            """The field that refused the value."""
            return self.field

    def __init__(self, *, column: str = "", pattern: str | None = None, pattern_message: str = "",
                 max_length: int | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.column = column or "Valor"
        self.pattern = pattern
        self.pattern_message = pattern_message
        self.max_length = max_length
        self._rows: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="rows-entry"):
            yield RowInput(placeholder=f"{self.column}: digite e tecle enter", max_length=self.max_length or 0,
                           select_on_focus=False)
            yield Button("Adicionar", classes="rows-add", compact=True)
        yield Static("Nenhuma linha na tabela.", classes="rows-empty", markup=False)
        table = RowsTable(cursor_type="row", zebra_stripes=True, classes="-empty")
        table.add_column(Text(self.column), key="value")
        yield table

    @property
    def entry(self) -> RowInput:
        """The box where values are typed."""
        return self.query_one(RowInput)

    @property
    def table(self) -> RowsTable:
        """The table of values."""
        return self.query_one(RowsTable)

    @property
    def rows(self) -> list[str]:
        """The values added, in order."""
        return list(self._rows)

    @property
    def pending(self) -> str:
        """What is typed in the box and not added yet."""
        return self.entry.value.strip() if self.is_mounted else ""

    def focus(self, scroll_visible: bool = True) -> RowsField:
        """Focus the entry box."""
        self.entry.focus(scroll_visible)
        return self

    def add(self, value: str) -> bool:
        """Check and add ``value``; on refusal post Rejected and keep what was typed."""
        value = value.strip()
        problem = check_row(value, self._rows, self.pattern, self.pattern_message)
        if problem is not None:
            self.post_message(self.Rejected(self, problem))
            return False
        self._rows.append(value)
        self._refresh_table()
        self.entry.value = ""
        self.post_message(self.Changed(self))
        return True

    def restore(self, rows: Iterable[str]) -> None:
        """Put back the rows of a draft (as they were saved, even if the rules changed since)."""
        self._rows = [r for r in dict.fromkeys(r.strip() for r in rows) if r]
        self._refresh_table()
        self.post_message(self.Changed(self))

    def remove_row(self, index: int) -> None:
        """Drop the row at ``index``."""
        if not 0 <= index < len(self._rows):
            return
        del self._rows[index]
        self._refresh_table()
        if self._rows:
            self.table.move_cursor(row=min(index, len(self._rows) - 1), animate=False)
        else:
            self.entry.focus()
        self.post_message(self.Changed(self))

    def _refresh_table(self) -> None:
        table = self.table
        table.clear()
        for number, value in enumerate(self._rows):
            table.add_row(Text(printable(value), no_wrap=True, overflow="ellipsis"), key=str(number))
        table.set_class(not self._rows, "-empty")
        self.query_one(".rows-empty", Static).set_class(bool(self._rows), "-hidden")

    @on(RowInput.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add(event.value)

    @on(RowInput.Changed)
    def _typing(self, event: Input.Changed) -> None:
        event.stop()  # the box is not form data until added

    @on(Button.Pressed, ".rows-add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add(self.entry.value)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            return self.table.has_focus and bool(self._rows)
        return True

    def action_remove(self) -> None:
        """Remove the highlighted row while the table has the focus."""
        table = self.table
        if not table.has_focus or not self._rows:
            raise SkipAction()
        self.remove_row(table.cursor_row)
