"""The staff queue's table: TicketTable's paging with queue columns and marked rows."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from backend.domain import FLAG_LABELS, SortKey, StatusClass, TicketSummary
from backend.text import format_datetime, printable
from widgets.ticket_table import TicketTable

# (column key, label, sort key or None)
QUEUE_COLUMNS: tuple[tuple[str, str, SortKey | None], ...] = (
    ("mark", "✓", None),
    ("number", "Número", SortKey.NUMBER),
    ("desk", "Balcão", None),  # only while the rows span several desks
    ("title", "Título", SortKey.TITLE),
    ("status", "Status", SortKey.STATUS),
    ("area", "Área", None),
    ("reserved", "Em análise por", None),
    ("due", "Prazo", SortKey.DUE),
    ("flags", "Sinalizadores", None),
)
#: Below this width Área and Em análise por move to the line under the table.
WIDE = 140
_NARROW_HIDDEN = {"area", "reserved"}


def short_area(area: str) -> str:
    """"CAGE – Suporte Sistemas" → "Suporte Sistemas": the desk prefix repeats on every row."""
    return area.split(" – ", 1)[-1]


def reserved_text(ticket: TicketSummary, *, long: bool = True) -> str:
    """"em análise por NOME desde hh:mm" (or "" when nobody holds the ticket)."""
    if not ticket.reserved_by:
        return ""
    name = printable(ticket.reserved_by_name or ticket.reserved_by)
    since = ticket.reserved_at.astimezone().strftime("%H:%M") if ticket.reserved_at else ""
    text = f"{name} desde {since}" if since else name
    return f"em análise por {text}" if long else text


def flags_text(ticket: TicketSummary) -> str:
    """The flags' pt-BR labels, comma separated."""
    return ", ".join(FLAG_LABELS[flag] for flag in ticket.flags)


class QueueTable(TicketTable):
    """Keyed, paged queue rows; space marks rows for distributing several at once.

    | Key | Description |
    | :- | :- |
    | enter | Abrir a demanda destacada. |
    | space | Marcar/desmarcar a demanda destacada. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Marcar", id="queue.mark", tooltip="Marcar a demanda para distribuir"),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.marked: set[str] = set()
        self._keys: tuple[str, ...] = ()

    # -- marks ----------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket, then move down."""
        number = self.current_number
        if number is None:
            return
        if number in self.marked:
            self.marked.discard(number)
        else:
            self.marked.add(number)
        self.update_cell(number, "mark", Text("✓" if number in self.marked else ""))
        self.action_cursor_down()

    def clear_marks(self) -> None:
        """Forget every mark."""
        for number in list(self.marked):
            if number in self._numbers:
                self.update_cell(number, "mark", Text(""))
        self.marked.clear()

    def summary(self, number: str) -> TicketSummary | None:
        """The loaded row of ``number``."""
        return next((t for t in self.rows_loaded if t.number == number), None)

    @property
    def current_summary(self) -> TicketSummary | None:
        """The highlighted row."""
        number = self.current_number
        return self.summary(number) if number else None

    # -- rendering (TicketTable's hooks) -------------------------------------

    def _visible_keys(self) -> tuple[str, ...]:
        width = self.size.width or self.app.size.width
        wide = width >= WIDE
        return tuple(key for key, _, _ in QUEUE_COLUMNS
                     if (wide or key not in _NARROW_HIDDEN) and (key != "desk" or self._show_desk))

    def _column_widths(self) -> tuple[int, ...]:
        width = self.size.width or self.app.size.width
        keys = self._visible_keys()
        usable = width - 2 * self.cell_padding * len(keys) - 2
        fixed = {"mark": 1, "number": 15, "desk": 12 if width >= WIDE else 8, "status": 14 if width >= WIDE else 12,
                 "area": 18,
                 "reserved": 26, "due": 16, "flags": 22 if width >= WIDE else 9}
        rest = usable - sum(fixed[k] for k in keys if k != "title")
        return tuple(max(10, rest) if key == "title" else fixed[key] for key in keys)

    def _rebuild(self, keep: str | None = None) -> None:
        keep = keep or self.current_number
        self._show_desk = self._spans_desks()
        self._keys = self._visible_keys()
        self._widths = self._column_widths()
        labels = {key: (label, sort) for key, label, sort in QUEUE_COLUMNS}
        query = self.query_base
        specs = []
        for key, width in zip(self._keys, self._widths, strict=True):
            label, sort = labels[key]
            text = Text(label)
            if query is not None and sort is not None and query.sort is sort:
                text.append(" ▼" if query.descending else " ▲")
            specs.append((key, text, width))
        self._replace_rows(specs, keep)

    def _cells(self, ticket: TicketSummary) -> tuple[Text, ...]:
        # Ticket text is data: printable() and Text never parse markup or escape codes.
        status_style = "" if ticket.status_class is StatusClass.ACTIVE else "italic"
        values = {
            "mark": Text("✓" if ticket.number in self.marked else ""),
            "number": Text(ticket.number, no_wrap=True),
            "desk": Text(printable(self.desk_label(ticket.desk)), no_wrap=True, overflow="ellipsis"),
            "title": Text(printable(ticket.title), no_wrap=True, overflow="ellipsis"),
            "status": Text(ticket.status, style=status_style, no_wrap=True, overflow="ellipsis"),
            "area": Text(short_area(ticket.area), no_wrap=True, overflow="ellipsis"),
            "reserved": Text(reserved_text(ticket, long=False), no_wrap=True, overflow="ellipsis"),
            "due": Text(format_datetime(ticket.due_at) if ticket.due_at else "", no_wrap=True),
            "flags": Text(flags_text(ticket), style="bold" if ticket.flags else "", no_wrap=True,
                          overflow="ellipsis"),
        }
        return tuple(values[key] for key in (self._keys or self._visible_keys()))

    def update_ticket(self, ticket: TicketSummary) -> None:
        """Redraw one loaded row in place."""
        if ticket.number not in self._numbers:
            return
        self.rows_loaded = [ticket if t.number == ticket.number else t for t in self.rows_loaded]
        for key, cell in zip(self._keys, self._cells(ticket), strict=True):
            self.update_cell(ticket.number, key, cell)
