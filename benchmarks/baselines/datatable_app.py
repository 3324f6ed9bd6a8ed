"""The baseline Textual app: one stock ``DataTable`` of N rows and nothing else.

Its five columns carry text like the ticket list's (title, number, requester,
status, date), sized to fit 80 columns, so a frame of it costs what a frame of
a plain table costs. Run it as ``python -m benchmarks.baselines.datatable_app
--rows 50``; the benchmarks look for ``first_number(0)`` on the screen.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

COLUMNS = ("Título", "Número", "Solicitante", "Status", "Criação")
_TITLES = ("Erro ao emitir empenho", "Acesso ao FPE", "Dúvida sobre retenção", "Senha do CADIN expirou",
           "Relatório BI lento", "Cadastro de credor")
_NAMES = ("Fernando Santos", "Ana Vieira", "Carlos Nunes", "Juliana Zanella")
_STATUSES = ("Em Andamento", "Aguardando", "Resolvido")


def first_number(index: int) -> str:
    """The number shown in row ``index`` (what the benchmarks wait for)."""
    return f"BASE-{99999 - index:05d}-{'ABCDEFGHJK'[index % 10]}{'LMNPQRSTUV'[index // 10 % 10]}X7"


def rows(count: int) -> list[tuple[str, ...]]:
    """``count`` deterministic rows."""
    return [
        (_TITLES[i % len(_TITLES)], first_number(i), _NAMES[i % len(_NAMES)], _STATUSES[i % len(_STATUSES)],
         f"{1 + i % 28:02d}/{1 + i % 12:02d}/2026")
        for i in range(count)
    ]


class MinimalTableApp(App[None]):
    """A stock DataTable with row cursor; q quits."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, count: int = 50) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(rows(self.count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50)
    MinimalTableApp(parser.parse_args().rows).run()


if __name__ == "__main__":
    main()
