"""Desks are data: each ``<id>.toml`` in this package defines one helpdesk."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
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

DESK_IDS: tuple[str, ...] = ("ecage", "sei", "govbr", "citsmart")
DEFAULT_DESK = "ecage"
FIELD_KINDS = frozenset({"text", "longtext", "email", "phone", "choice", "select", "email_confirm", "rows", "files",
                         "catalog_type", "catalog_category", "catalog_subject"})


@dataclass(frozen=True, slots=True)
class Transition:
    """An action that moves a ticket between statuses."""

    name: str
    sources: frozenset[str]
    target: str | None  # None: the action does not change the status
    roles: frozenset[Role]
    # The ticket must be in one of these areas (SEI: only the technical unit opens a tracking ticket).
    areas: frozenset[str] = frozenset()
    label: str = ""


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
    # Desks without a title field store the first line of this field as the title.
    title_from: str | None = None
    # The form value that picks the deadline from ``sla_by_type`` (CITSmart: the priority).
    sla_field: str = "type"

    def area_for(self, type_name: str) -> str:
        """The support area that receives new tickets of ``type_name``."""
        return self.area_by_type.get(type_name, self.info.areas[0] if self.info.areas else "")

    def sla_for(self, type_name: str) -> int:
        """Hours from creation to the due date for ``type_name``."""
        return self.sla_by_type.get(type_name, self.info.sla_hours)

    def deadline_hours(self, values: Mapping[str, str]) -> int:
        """Hours from creation (or reopening) to the due date, from the ticket's values."""
        return self.sla_by_type.get(values.get(self.sla_field, ""), self.info.sla_hours)

    def derive_title(self, values: Mapping[str, str]) -> str:
        """The stored title of a desk whose form has none: the first line of ``title_from``, cut to the limit."""
        source = values.get(self.title_from or "", "")
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        if len(first) <= self.title_limit:
            return first
        return first[: self.title_limit - 1].rstrip() + "…"

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
    fields = tuple(_field(f, limits) for f in data["fields"])
    statuses = tuple(
        StatusDef(s["name"], StatusClass(s["class"]), s.get("initial", False)) for s in data["statuses"]
    )
    sla_hours: dict[str, int] = dict(data.get("sla_hours", {}))
    areas = data.get("all_areas") or list(dict.fromkeys(data.get("areas", {}).values()))
    raw_transitions: dict[str, Any] = data.get("transitions", {})
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
        types=_catalog(_read(data["catalog"])) if "catalog" in data else (),
        orgaos=tuple(_read(data["orgaos"])["orgaos"]) if "orgaos" in data else (),
        areas=tuple(areas),
        sla_hours=data.get("sla_default") or max(sla_hours.values() or [72]),
        allowed_extensions=tuple(content_types),
        notice=data.get("notice", ""),
        action_labels={name: t["label"] for name, t in raw_transitions.items() if t.get("label")},
    )
    transitions = {
        name: Transition(
            name=name,
            sources=frozenset(t["from"]),
            target=t.get("to"),
            roles=frozenset(Role(r) for r in t["roles"]),
            areas=frozenset(t.get("areas", ())),
            label=t.get("label", ""),
        )
        for name, t in raw_transitions.items()
    }
    names = {s.name for s in statuses}
    for t in transitions.values():
        unknown = (t.sources | ({t.target} if t.target else set())) - names
        if unknown:
            raise ValueError(f"desk {desk_id}: transition {t.name} names unknown statuses {unknown}")
    if sum(s.initial for s in statuses) != 1:
        raise ValueError(f"desk {desk_id}: exactly one status must be initial")
    _check_fields(desk_id, info, transitions, data.get("title_from"))
    return DeskDefinition(
        info=info,
        title_limit=data["title_limit"],
        comment_when_closed=data.get("comment_when_closed", True),
        transitions=transitions,
        area_by_type=dict(data.get("areas", {})),
        sla_by_type=sla_hours,
        content_types=content_types,
        allow_without_extension=bool(files.get("allow_without_extension", not content_types)),
        title_from=data.get("title_from"),
        sla_field=data.get("sla_field", "type"),
    )


def _field(f: dict[str, Any], limits: dict[str, int]) -> FieldDef:
    return FieldDef(
        name=f["name"],
        label=f["label"],
        kind=f["kind"],
        required=f.get("required", False),
        max_length=f.get("max_length", limits.get(f["name"])),
        help=f.get("help", ""),
        options=tuple(f.get("options", ())),
        confirm_of=f.get("confirm_of"),
        pattern=f.get("pattern"),
        pattern_message=f.get("pattern_message", ""),
        accept=tuple(str(ext).lower().lstrip(".") for ext in f.get("accept", ())),
        required_when=tuple((str(name), str(value)) for name, value in f.get("required_when", ())),
        column=f.get("column", ""),
        from_account=f.get("from_account", ""),
    )


def _check_fields(desk_id: str, info: DeskInfo, transitions: dict[str, Transition], title_from: str | None) -> None:
    """Mistakes in a desk file fail at load time, not when a requester sends the form."""
    names = [f.name for f in info.fields]
    if len(set(names)) != len(names):
        raise ValueError(f"desk {desk_id}: repeated field names")
    for f in info.fields:
        if f.kind not in FIELD_KINDS:
            raise ValueError(f"desk {desk_id}: field {f.name} has unknown kind {f.kind}")
        if f.kind == "select" and not f.options:
            raise ValueError(f"desk {desk_id}: select field {f.name} needs options")
        if f.kind == "email_confirm" and f.confirm_of not in names:
            raise ValueError(f"desk {desk_id}: field {f.name} confirms an unknown field")
        if f.pattern is not None:
            re.compile(f.pattern)
        if f.from_account not in ("", "name", "email"):
            raise ValueError(f"desk {desk_id}: field {f.name} reads unknown account data {f.from_account}")
        for other, _ in f.required_when:
            if other not in names:
                raise ValueError(f"desk {desk_id}: field {f.name} depends on unknown field {other}")
        unknown_ext = set(f.accept) - set(info.allowed_extensions) if info.allowed_extensions else set()
        if unknown_ext:
            raise ValueError(f"desk {desk_id}: field {f.name} accepts extensions the desk refuses: {unknown_ext}")
    if "title" not in names and title_from not in names:
        raise ValueError(f"desk {desk_id}: a desk without a title field needs title_from naming a field")
    unknown_areas = {a for t in transitions.values() for a in t.areas} - set(info.areas)
    if unknown_areas:
        raise ValueError(f"desk {desk_id}: transitions name unknown areas {unknown_areas}")
