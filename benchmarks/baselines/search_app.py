"""The search baseline: an Input over a stock DataTable that filters 100,000 rows held in memory.

Each keystroke scans every row (substring match on each word, like a naive
app would), counts the matches and shows the first 100: no database, no
debounce, no worker. ``loads`` records when each new result was put in the table.
"""

from __future__ import annotations

import time

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from benchmarks.baselines.datatable_app import COLUMNS, rows

_EXTRA_TITLES = ("Erro ao registrar o ingresso de receita", "Erro ao registrar a liquidação",
                 "Dúvida ao registrar contrato", "Orientação sobre registro de bens")
PAGE = 100


def dataset(count: int) -> list[tuple[str, ...]]:
    """``count`` rows; some titles contain the words the benchmark types."""
    data = rows(count)
    for index in range(0, count, 7):
        data[index] = (_EXTRA_TITLES[index % len(_EXTRA_TITLES)], *data[index][1:])
    return data


class MinimalSearchApp(App[None]):
    """Type to filter; the table shows the first 100 matches."""

    def __init__(self, count: int = 100_000) -> None:
        super().__init__()
        self.data = dataset(count)
        self.folded = [" ".join(row).casefold() for row in self.data]
        self.loads: list[float] = []
        self.total = len(self.data)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Buscar…")
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(self.data[:PAGE])

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        matches = [i for i, text in enumerate(self.folded) if all(w in text for w in words)]
        self.total = len(matches)
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(self.data[i] for i in matches[:PAGE])
        self.loads.append(time.perf_counter())
