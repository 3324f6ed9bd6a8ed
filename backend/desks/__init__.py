"""Desks are data: each ``<id>.toml`` in this package defines one helpdesk."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from backend.domain import (
    CatalogCategory,
    CatalogType,
    DeskInfo,
    FieldDef,
    Role,
    StatusClass,
    StatusDef,
)
from backend.errors import NotFound

DESK_IDS: tuple[str, ...] = ("ecage",)
DEFAULT_DESK = "ecage"


@dataclass(frozen=True, slots=True)
class Transition:
    """An action that moves a ticket between statuses."""

    name: str
    sources: frozenset[str]
    target: str | None  # None: the action does not change the status
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class DeskDefinition:
    """A desk's public description plus the rules only the service needs."""

    info: DeskInfo
    title_limit: int
    comment_when_closed: bool
    transitions: dict[str, Transition]
    area_by_type: dict[str, str]
    sla_by_type: dict[str, int]
    # Lower-case extension -> the content type files of that kind are served with; empty: any file.
    content_types: dict[str, str] = field(default_factory=dict)
    allow_without_extension: bool = True

    def area_for(self, type_name: str) -> str:
        """The support area that receives new tickets of ``type_name``."""
        return self.area_by_type.get(type_name, self.info.areas[0] if self.info.areas else "")

    def sla_for(self, type_name: str) -> int:
        """Hours from creation to the due date for ``type_name``."""
        return self.sla_by_type.get(type_name, self.info.sla_hours)

    @property
    def id(self) -> str:
        """The desk id (``ecage``)."""
        return self.info.id

    def initial_status(self) -> StatusDef:
        """The status new tickets start in."""
        return next(s for s in self.info.statuses if s.initial)

    def status_class(self, status: str) -> StatusClass:
        """The case-model class of ``status``."""
        found = self.info.status(status)
        return found.status_class if found else StatusClass.ACTIVE


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _catalog(data: dict[str, Any]) -> tuple[CatalogType, ...]:
    lists: dict[str, list[str]] = data.get("subject_lists", {})
    types = []
    for t in data["types"]:
        categories = []
        for c in t["categories"]:
            subjects = c.get("subjects") or lists[c["subject_list"]]
            categories.append(CatalogCategory(c["name"], tuple(subjects), c.get("hint", "")))
        types.append(CatalogType(t["name"], tuple(categories), t.get("hint", "")))
    return tuple(types)


@cache
def load_desk(desk_id: str) -> DeskDefinition:
    """Read and check the desk called ``desk_id``; raises NotFound if unknown."""
    if desk_id not in DESK_IDS:
        raise NotFound(f"Balcão desconhecido: {desk_id!r}. Balcões: {', '.join(DESK_IDS)}.")
    data = _read(f"{desk_id}.toml")
    files = data["attachments"]
    content_types = {str(ext).lower().lstrip("."): str(kind) for ext, kind in
                     files.get("allowed_extensions", {}).items()}
    limits = {"title": data["title_limit"], "description": data["description_limit"]}
    fields = tuple(
        FieldDef(
            name=f["name"],
            label=f["label"],
            kind=f["kind"],
            required=f.get("required", False),
            max_length=limits.get(f["name"]),
            help=f.get("help", ""),
        )
        for f in data["fields"]
    )
    statuses = tuple(
        StatusDef(s["name"], StatusClass(s["class"]), s.get("initial", False)) for s in data["statuses"]
    )
    info = DeskInfo(
        id=data["id"],
        name=data["name"],
        prefix=data["prefix"],
        description_limit=data["description_limit"],
        reopen_days=data["reopen_days"],
        max_attachment_bytes=files["max_bytes"],
        max_attachments=files["max_files"],
        statuses=statuses,
        fields=fields,
        types=_catalog(_read(data["catalog"])),
        orgaos=tuple(_read(data["orgaos"])["orgaos"]),
        areas=tuple(dict.fromkeys(data.get("areas", {}).values())),
        sla_hours=max(data.get("sla_hours", {"": 72}).values()),
        allowed_extensions=tuple(content_types),
    )
    transitions = {
        name: Transition(
            name=name,
            sources=frozenset(t["from"]),
            target=t.get("to"),
            roles=frozenset(Role(r) for r in t["roles"]),
        )
        for name, t in data.get("transitions", {}).items()
    }
    names = {s.name for s in statuses}
    for t in transitions.values():
        unknown = (t.sources | ({t.target} if t.target else set())) - names
        if unknown:
            raise ValueError(f"desk {desk_id}: transition {t.name} names unknown statuses {unknown}")
    if sum(s.initial for s in statuses) != 1:
        raise ValueError(f"desk {desk_id}: exactly one status must be initial")
    return DeskDefinition(
        info=info,
        title_limit=data["title_limit"],
        comment_when_closed=data.get("comment_when_closed", True),
        transitions=transitions,
        area_by_type=dict(data.get("areas", {})),
        sla_by_type=dict(data.get("sla_hours", {})),
        content_types=content_types,
        allow_without_extension=bool(files.get("allow_without_extension", not content_types)),
    )
