"""Trail definitions are data (``trails.toml``), read once and checked."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from backend.errors import NotFound
from backend.sgta.domain import Trail, TrailColumn


def _trail(data: dict[str, Any]) -> Trail:
    columns = tuple(TrailColumn(str(c["name"]), str(c["label"])) for c in data["columns"])
    trail = Trail(
        id=str(data["id"]),
        name=str(data["name"]),
        area=str(data["area"]),
        justification_days=int(data["justification_days"]),
        unit_column=str(data["unit_column"]),
        columns=columns,
        description=str(data.get("description", "")),
    )
    names = [c.name for c in columns]
    # A broken data file must fail loudly at start-up, not on some user's import.
    if len(set(names)) != len(names) or trail.unit_column not in names or trail.justification_days < 1:
        raise ValueError(f"trail {trail.id}: duplicate columns, unknown unit_column or bad deadline")
    return trail


@cache
def trails() -> tuple[Trail, ...]:
    """Every trail, in the file's order."""
    text = resources.files(__package__).joinpath("trails.toml").read_text(encoding="utf-8")
    return tuple(_trail(t) for t in tomllib.loads(text)["trail"])


def trail(trail_id: str) -> Trail:
    """The trail called ``trail_id``; NotFound (pt-BR) when there is none."""
    found = next((t for t in trails() if t.id == trail_id.strip()), None)
    if found is None:
        names = ", ".join(t.id for t in trails())
        raise NotFound(f"Trilha desconhecida: {trail_id!r}. Trilhas: {names}.")
    return found


def areas() -> tuple[str, ...]:
    """The areas that own trails."""
    return tuple(dict.fromkeys(t.area for t in trails()))
