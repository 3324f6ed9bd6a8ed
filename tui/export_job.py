"""Export the rows of a listing through any adapter: what the table shows, page by page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from backend.domain import TicketQuery, TicketSummary, User
from backend.export import ExportFormat, ExportHeader, describe_filters, render, write
from tui.adapter import Adapter

PAGE = 500


async def collect_rows(
    adapter: Adapter, query: TicketQuery, progress: Callable[[int, int], None] | None = None
) -> list[TicketSummary]:
    """Every row matching ``query`` (its filters, search and order), fetched a page at a time."""
    rows: list[TicketSummary] = []
    offset = 0
    while True:
        page = await adapter.list_tickets(replace(query, offset=offset, limit=PAGE))
        rows.extend(page.items)
        if progress:
            progress(len(rows), page.total)
        if not page.has_more or not page.items:
            return rows
        offset += len(page.items)


async def export_listing(
    adapter: Adapter,
    query: TicketQuery,
    fmt: ExportFormat,
    output: Path,
    user: User,
    columns: tuple[str, ...],
    progress: Callable[[int, int], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Write the export file and return how many rows it holds."""
    rows = await collect_rows(adapter, query, progress)
    header = ExportHeader(describe_filters(query), f"{user.name} ({user.login})", now(), len(rows))
    write(output, render(fmt, rows, header, columns))
    return len(rows)
