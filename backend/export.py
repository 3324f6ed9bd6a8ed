"""Export a ticket listing — exactly the rows of the filtered view — to CSV, Excel or PDF.

Pure functions over :class:`TicketSummary` rows: the CLI and the app page the
rows through their adapter (so local and remote exports are the same) and hand
them here. openpyxl and fpdf2 are imported only when those formats are asked for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from backend.domain import FLAG_LABELS, SortKey, TicketQuery, TicketSummary
from backend.text import format_date, format_datetime


class ExportFormat(StrEnum):
    """The formats the seeds' tables export to."""

    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


# Column key -> (header, value of a row).
COLUMNS: dict[str, tuple[str, Callable[[TicketSummary], str]]] = {
    "number": ("Número", lambda t: t.number),
    "title": ("Título", lambda t: t.title),
    "requester": ("Solicitante", lambda t: t.requester_name),
    "status": ("Status", lambda t: t.status),
    "area": ("Área", lambda t: t.area),
    "assignee": ("Responsável", lambda t: t.assignee_name or ""),
    "reserved": ("Em análise por", lambda t: t.reserved_by_name or ""),
    "due": ("Prazo", lambda t: format_datetime(t.due_at) if t.due_at else ""),
    "flags": ("Sinalizadores", lambda t: ", ".join(FLAG_LABELS[f] for f in t.flags)),
    "created": ("Data de criação", lambda t: format_date(t.created_at)),
}
SORT_LABELS: dict[SortKey, str] = {
    SortKey.CREATED: "data de criação",
    SortKey.UPDATED: "última atualização",
    SortKey.TITLE: "título",
    SortKey.NUMBER: "número",
    SortKey.REQUESTER: "solicitante",
    SortKey.STATUS: "status",
    SortKey.DUE: "prazo",
}
HOME_COLUMNS = ("title", "number", "requester", "status", "created")
QUEUE_COLUMNS = ("number", "title", "requester", "status", "area", "reserved", "due", "flags", "created")


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """What the file says about itself: filters, who, when, how many rows."""

    filters: str
    user: str
    generated_at: datetime
    count: int

    def lines(self) -> list[tuple[str, str]]:
        """The header as label/value pairs, in pt-BR."""
        return [
            ("Relatório", "Demandas — exportação da tabela"),
            ("Filtros", self.filters),
            ("Usuário", self.user),
            ("Gerado em", format_datetime(self.generated_at)),
            ("Linhas", str(self.count)),
        ]


def describe_filters(query: TicketQuery) -> str:
    """The filters of a listing in words, for the export header."""
    parts = ["todas as demandas visíveis" if query.scope == "visible" else "minhas demandas"]
    if query.status:
        parts.append(f"status {query.status}")
    elif query.active_only:
        parts.append("somente ativas")
    if query.assignee == "none":
        parts.append("aguardando distribuição")
    elif query.assignee:
        parts.append(f"responsável {query.assignee}")
    if query.area:
        parts.append(f"área {query.area}")
    if query.overdue:
        parts.append("atrasadas")
    if query.flag:
        parts.append(f"sinalizador {FLAG_LABELS[query.flag]}")
    if query.search:
        parts.append(f"busca “{query.search}”")
    order = "decrescente" if query.descending else "crescente"
    parts.append(f"ordem por {SORT_LABELS[query.sort]} ({order})")
    return "; ".join(parts)


def render(
    fmt: ExportFormat,
    rows: Sequence[TicketSummary],
    header: ExportHeader,
    columns: Sequence[str] = QUEUE_COLUMNS,
) -> bytes:
    """The export file's bytes."""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown export columns: {unknown}")
    titles = [COLUMNS[c][0] for c in columns]
    table = [[COLUMNS[c][1](row) for c in columns] for row in rows]
    if fmt is ExportFormat.CSV:
        return _csv(titles, table, header)
    if fmt is ExportFormat.XLSX:
        return _xlsx(titles, table, header)
    return _pdf(titles, table, header)


def render_table(fmt: ExportFormat, titles: Sequence[str], table: Sequence[Sequence[str]],
                 header: ExportHeader) -> bytes:
    """The export file's bytes for any table of text (SGTA trails have their own columns)."""
    rows = [list(row) for row in table]
    if fmt is ExportFormat.CSV:
        return _csv(list(titles), rows, header)
    if fmt is ExportFormat.XLSX:
        return _xlsx(list(titles), rows, header)
    return _pdf(list(titles), rows, header)


def write(path: Path, data: bytes) -> None:
    """Write the export next to its final name, then move it in place."""
    tmp = path.with_name(f".{path.name}.parcial")
    tmp.write_bytes(data)
    tmp.replace(path)


def _csv(titles: list[str], table: list[list[str]], header: ExportHeader) -> bytes:
    out = io.StringIO()
    # Semicolons and a BOM: what Excel in pt-BR expects.
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in header.lines():
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(titles)
    writer.writerows([[_no_formula(v) for v in row] for row in table])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(titles: list[str], table: list[list[str]], header: ExportHeader) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Demandas")
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    for label, value in header.lines():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        sheet.append([cell, value])
    sheet.append([])
    heads = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        heads.append(cell)
    sheet.append(heads)
    for row in table:
        # Text stays text: a title like "=1+1" must not become a formula.
        sheet.append([_no_formula(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _no_formula(value: str) -> str:
    """Spreadsheets run cells that start with these as formulas (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _pdf(titles: list[str], table: list[list[str]], header: ExportHeader) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    for label, value in header.lines():
        pdf.set_font(style="B")
        pdf.cell(28, 5, _latin1(label + ":"))
        pdf.set_font(style="")
        pdf.multi_cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4.5, text_align="LEFT") as grid:
        heading = grid.row()
        for title in titles:
            heading.cell(_latin1(title))
        for values in table:
            line = grid.row()
            for value in values:
                line.cell(_latin1(value))
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1: keep accents, replace what they cannot show."""
    text = text.replace("–", "-").replace("—", "-").replace("“", '"').replace("”", '"')
    return text.encode("latin-1", "replace").decode("latin-1")
