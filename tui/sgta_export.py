"""Export exactly what the SGTA trail table shows (its search and status filter), page by page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from backend.domain import User
from backend.export import ExportFormat, ExportHeader, render_table, write
from backend.sgta.domain import RecordQuery, SgtaRecord
from backend.sgta.table import describe, headings, table
from tui.adapter import Adapter

PAGE = 500


async def collect_records(adapter: Adapter, query: RecordQuery) -> list[SgtaRecord]:
    """Every record matching ``query``, fetched a page at a time."""
    rows: list[SgtaRecord] = []
    offset = 0
    while True:
        page = await adapter.sgta_records(replace(query, offset=offset, limit=PAGE))
        rows.extend(page.items)
        if not page.has_more or not page.items:
            return rows
        offset += len(page.items)


async def export_records(adapter: Adapter, query: RecordQuery, fmt: ExportFormat, output: Path, user: User,
                         now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Write the export file of the filtered trail table; returns how many rows it holds."""
    trail = await adapter.sgta_trail(query.trail)
    rows = await collect_records(adapter, query)
    header = ExportHeader(describe(trail, query), f"{user.name} ({user.login})", now(), len(rows))
    write(output, render_table(fmt, headings(trail, with_actions=False), table(trail, rows), header))
    return len(rows)
