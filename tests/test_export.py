"""Exports hold exactly the rows given, with a header, in each format."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from backend.domain import Flag, Scope, StatusClass, TicketQuery, TicketSummary
from backend.export import ExportFormat, ExportHeader, describe_filters, render

NOW = datetime(2024, 1, 16, 15, 46, tzinfo=UTC)


def rows(n: int) -> list[TicketSummary]:
    return [
        TicketSummary(
            number=f"CAGE-{i:05d}-AB{i % 10}Z",
            desk="ecage",
            title=f"=1+1 Retenção {i}" if i == 2 else f"Retenção de ISS nº {i} – FPE",
            requester_login="fernando",
            requester_name="Fernando Sidarta Bastos dos Santos",
            status="Em Andamento",
            status_class=StatusClass.ACTIVE,
            created_at=NOW - timedelta(days=i),
            updated_at=NOW,
            area="CAGE – Suporte Sistemas",
            due_at=NOW + timedelta(days=3),
            flags=(Flag.OVERDUE,) if i % 2 else (),
        )
        for i in range(1, n + 1)
    ]


HEADER = ExportHeader("minhas demandas; somente ativas", "Fernando (fernando)", NOW, 5)


def test_csv_has_header_and_exact_rows() -> None:
    data = render(ExportFormat.CSV, rows(5), HEADER).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert lines[0] == ["Relatório", "Demandas — exportação da tabela"]
    assert ["Linhas", "5"] in lines[:6]
    start = lines.index(["Número", "Título", "Solicitante", "Status", "Área", "Em análise por", "Prazo",
                         "Sinalizadores", "Data de criação"])
    table = lines[start + 1:]
    assert [r[0] for r in table] == [t.number for t in rows(5)]
    assert table[0][7] == "Atrasada" and table[1][7] == ""
    assert table[1][1] == "'=1+1 Retenção 2"  # never a formula
    assert table[0][8] == "15/01/2024"


def test_xlsx_opens_with_openpyxl() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render(ExportFormat.XLSX, rows(5), HEADER)))
    values = [list(r) for r in book["Demandas"].iter_rows(values_only=True)]
    head = values.index(["Número", "Título", "Solicitante", "Status", "Área", "Em análise por", "Prazo",
                         "Sinalizadores", "Data de criação"])
    numbers = [r[0] for r in values[head + 1:]]
    assert numbers == [t.number for t in rows(5)]
    assert ["Filtros", "minhas demandas; somente ativas"] in [r[:2] for r in values[:6]]


def test_pdf_has_one_row_per_ticket() -> None:
    from pypdf import PdfReader

    many = rows(60)
    reader = PdfReader(io.BytesIO(render(ExportFormat.PDF, many, HEADER)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    for ticket in many:
        assert text.count(ticket.number) == 1
    assert "Filtros:" in text and "Gerado em:" in text and "16/01/2024" in text


def test_filters_are_described_in_words() -> None:
    query = TicketQuery(scope=Scope.VISIBLE, active_only=False, status="Resolvido", search="iss", area="X",
                        assignee="none", overdue=True)
    text = describe_filters(query)
    for part in ("todas as demandas visíveis", "status Resolvido", "aguardando distribuição", "área X",
                 "atrasadas", "busca “iss”"):
        assert part in text
