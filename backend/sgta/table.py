"""The trail table as text: the trail's own columns plus the six common ones (seed 001, fig. 5).

Shared by the screen, the CLI listing and the export, so all three show the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.sgta.domain import FLAG_LABELS, FLAG_MARKS, STATUS_LABELS, RecordQuery, SgtaRecord, SgtaStatus, Trail

#: The six columns every trail ends with; "Ações" is the screen's action keys, not data.
COMMON_COLUMNS = ("Observação TCE", "TCE", "Status", "Flags", "Docs", "Ações")


def headings(trail: Trail, *, with_actions: bool = True) -> list[str]:
    """Column headings: number, the trail's own columns, then the common ones."""
    common = COMMON_COLUMNS if with_actions else COMMON_COLUMNS[:-1]
    return ["Nº", *(c.label for c in trail.columns), *common]


def actions_cell(record: SgtaRecord) -> str:
    """How many actions the user may take now (the seed's active buttons)."""
    allowed = sum(1 for reason in record.actions.values() if reason is None)
    return f"{allowed} ação" if allowed == 1 else f"{allowed} ações"


def cells(trail: Trail, record: SgtaRecord, *, with_actions: bool = True, marks: bool = False) -> list[str]:
    """One row's text, in the order of :func:`headings`."""
    flags = (" ".join(FLAG_MARKS[f] for f in record.flags) if marks
             else ", ".join(FLAG_LABELS[f] for f in record.flags))
    row = [str(record.id), *(record.values.get(c.name, "") for c in trail.columns), record.observation,
           record.reserved_by_name or "", STATUS_LABELS[record.status], flags, str(record.docs)]
    if with_actions:
        row.append(actions_cell(record))
    return row


def describe(trail: Trail, query: RecordQuery) -> str:
    """The filters in words, for the export header."""
    parts = [f"trilha {trail.name} ({trail.area})"]
    if query.status is not None:
        side = {SgtaStatus.EM_ANALISE_UNIDADE: " (unidade)", SgtaStatus.EM_ANALISE_GESTOR: " (Gestor)"}
        parts.append(f"status {STATUS_LABELS[query.status]}{side.get(query.status, '')}")
    if query.search:
        parts.append(f"busca “{query.search}”")
    return "; ".join(parts)


def table(trail: Trail, records: Sequence[SgtaRecord]) -> list[list[str]]:
    """Rows for an export (full flag names, no actions column)."""
    return [cells(trail, r, with_actions=False) for r in records]
