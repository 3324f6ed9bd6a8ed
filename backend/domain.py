"""Domain objects shared by the service, the adapters and the screens.

Plain frozen dataclasses: cheap to import (no pydantic on the local path) and
serialisable by FastAPI on the server side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Role(StrEnum):
    """What a user may do on a desk."""

    REQUESTER = "requester"
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        """Agents, managers and admins work tickets that are not theirs."""
        return self is not Role.REQUESTER


class StatusClass(StrEnum):
    """The case model every desk status maps onto."""

    ACTIVE = "active"
    RESOLVED = "resolved"
    CANCELED = "canceled"


class EntryKind(StrEnum):
    """Kinds of timeline entries."""

    CREATED = "created"
    COMMENT = "comment"
    NOTE = "note"
    STATUS = "status"
    CANCELED = "canceled"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    RESERVED = "reserved"
    FORWARDED = "forwarded"
    MONITOR = "monitor"
    # Two tickets were linked (SEI: the technical unit's tracking ticket and the original).
    LINKED = "linked"


class Flag(StrEnum):
    """Marks that call attention to a ticket; each has an explanation (FLAG_HELP)."""

    OVERDUE = "atrasada"
    MONITORING = "monitoramento"
    MONITORING_EXPIRED = "monitoramento_vencido"


FLAG_LABELS: dict[Flag, str] = {
    Flag.OVERDUE: "Atrasada",
    Flag.MONITORING: "Em monitoramento",
    Flag.MONITORING_EXPIRED: "Monitoramento vencido",
}

FLAG_HELP: dict[Flag, str] = {
    Flag.OVERDUE: "O prazo de atendimento (SLA do balcão) passou e a demanda continua em andamento.",
    Flag.MONITORING: "A demanda está em monitoramento: aguarda uma ação futura e será reavaliada na data indicada.",
    Flag.MONITORING_EXPIRED: "O prazo do monitoramento esgotou: a demanda aguarda uma ação do responsável.",
}


class Scope(StrEnum):
    """Which tickets a listing covers before status filters."""

    MINE = "mine"
    VISIBLE = "visible"


class SortKey(StrEnum):
    """Columns a listing can be ordered by."""

    CREATED = "created"
    UPDATED = "updated"
    TITLE = "title"
    NUMBER = "number"
    REQUESTER = "requester"
    STATUS = "status"
    DUE = "due"


@dataclass(frozen=True, slots=True)
class User:
    """A person known to the backend, with the profile asked on first use."""

    login: str
    name: str
    email: str = ""
    phone: str = ""
    cargo: str = ""
    role: Role = Role.REQUESTER
    areas: tuple[str, ...] = ()

    @property
    def profile_complete(self) -> bool:
        """Meus Dados asks for e-mail, phone and cargo on first use."""
        return bool(self.email and self.phone and self.cargo)


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    """The fields a user may change about themselves ("Meus Dados")."""

    email: str
    phone: str
    cargo: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata of a stored file; the bytes are fetched separately."""

    id: int
    name: str
    size: int
    content_type: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewAttachment:
    """A file the caller wants to attach: its name is data, never a path."""

    name: str
    data: bytes
    # The desk's ``files`` field it answers (CITSmart's mandatory screenshot is its own field).
    field: str = "attachments"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One append-only event of a ticket."""

    id: int
    kind: EntryKind
    author_login: str
    author_name: str
    created_at: datetime
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    status_from: str | None = None
    status_to: str | None = None
    # Internal notes (observações) are for staff only; requesters never receive them.
    internal: bool = False


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """A row of a ticket listing."""

    number: str
    desk: str
    title: str
    requester_login: str
    requester_name: str
    status: str
    status_class: StatusClass
    created_at: datetime
    updated_at: datetime
    assignee_login: str | None = None
    assignee_name: str | None = None
    area: str = ""
    reserved_by: str | None = None
    reserved_by_name: str | None = None
    reserved_at: datetime | None = None
    due_at: datetime | None = None
    monitor_until: datetime | None = None
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket with everything the detail screen shows."""

    number: str
    desk: str
    title: str
    requester_login: str
    requester_name: str
    orgao: str
    type: str
    category: str
    subject: str
    description: str
    status: str
    status_class: StatusClass
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int
    attachments: tuple[Attachment, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    assignee_login: str | None = None
    assignee_name: str | None = None
    area: str = ""
    reserved_by: str | None = None
    reserved_by_name: str | None = None
    reserved_at: datetime | None = None
    due_at: datetime | None = None
    monitor_until: datetime | None = None
    flags: tuple[Flag, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    # action name -> None when allowed for the caller now, else the pt-BR reason.
    actions: dict[str, str | None] = field(default_factory=dict)

    def can(self, action: str) -> bool:
        """True when the caller may perform ``action`` now."""
        return action in self.actions and self.actions[action] is None

    def why_not(self, action: str) -> str | None:
        """The reason ``action`` is refused, or None when it is allowed."""
        if action not in self.actions:
            return "Ação indisponível nesta demanda."
        return self.actions[action]


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a requester sends to open a ticket."""

    title: str
    orgao: str
    type: str
    category: str
    subject: str
    description: str
    desk: str = "ecage"
    attachments: tuple[NewAttachment, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """A page of a ticket listing: filters, order and window."""

    scope: Scope = Scope.MINE
    active_only: bool = True
    status: str | None = None
    search: str = ""
    sort: SortKey = SortKey.CREATED
    descending: bool = True
    offset: int = 0
    limit: int = 50
    desk: str | None = None
    # Queue filters (staff): "me", "none" or a login; an area; only overdue; one flag.
    assignee: str | None = None
    area: str | None = None
    overdue: bool = False
    flag: Flag | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A window of a listing plus the total count of matches."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        """True when rows exist past this page."""
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An API token of a shared server, as the admin lists it (never the secret itself)."""

    id: int
    login: str
    label: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """Something happened to a ticket (a new timeline entry): what, when and by whom."""

    number: str
    kind: EntryKind
    at: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """What the home screen alerts staff about."""

    awaiting_distribution: int = 0
    awaiting_me: int = 0
    overdue: int = 0
    monitoring_expired: int = 0


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """An agent of an area and how many open tickets they hold now."""

    login: str
    name: str
    role: Role
    open_tickets: int


@dataclass(frozen=True, slots=True)
class CatalogCategory:
    """A category of a ticket type with its subjects."""

    name: str
    subjects: tuple[str, ...]
    hint: str = ""


@dataclass(frozen=True, slots=True)
class CatalogType:
    """A ticket type (Serviços, Orientação, Sistemas) with its categories."""

    name: str
    categories: tuple[CatalogCategory, ...]
    hint: str = ""


@dataclass(frozen=True, slots=True)
class StatusDef:
    """A desk status and the case-model class it belongs to."""

    name: str
    status_class: StatusClass
    initial: bool = False


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A form field of a desk, rendered by the generic form.

    Kinds: ``text``, ``longtext``, ``email``, ``phone``, ``choice`` (the desk's órgãos),
    ``select`` (one of ``options``), ``email_confirm`` (typed again, must equal the
    field named by ``confirm_of``), ``rows`` (a table of values added one by one, each
    matching ``pattern``; stored one per line), ``files``, and the cascading
    ``catalog_type`` / ``catalog_category`` / ``catalog_subject``.
    """

    name: str
    label: str
    kind: str
    required: bool = False
    max_length: int | None = None
    help: str = ""
    options: tuple[str, ...] = ()
    confirm_of: str | None = None
    # A full-match regular expression for the value (each row of ``rows``) and the
    # pt-BR message shown when a value does not match it.
    pattern: str | None = None
    pattern_message: str = ""
    # ``files``: extensions (lower case, no dot) this field accepts; empty: the desk's list.
    accept: tuple[str, ...] = ()
    # Required only when another field has one of these values: ((field, value), ...).
    required_when: tuple[tuple[str, str], ...] = ()
    # ``rows``: the column heading of the table.
    column: str = ""
    # Filled by the service from the requester's account ("name" or "email"), never typed.
    from_account: str = ""

    def required_for(self, values: dict[str, str]) -> bool:
        """Whether this field must be filled, given the other values of the form."""
        if self.required:
            return True
        return any(values.get(name, "") == value for name, value in self.required_when)


@dataclass(frozen=True, slots=True)
class DeskInfo:
    """Everything a client needs to render a desk's form and rules."""

    id: str
    name: str
    prefix: str
    description_limit: int
    reopen_days: int
    max_attachment_bytes: int
    max_attachments: int
    statuses: tuple[StatusDef, ...]
    fields: tuple[FieldDef, ...]
    types: tuple[CatalogType, ...]
    orgaos: tuple[str, ...]
    areas: tuple[str, ...] = ()
    sla_hours: int = 72
    # File extensions (lower case, no dot) the desk accepts; empty: any.
    allowed_extensions: tuple[str, ...] = ()
    # A warning the form shows above the fields (gov.br: what the channel does not handle).
    notice: str = ""
    # Desk wording of an action (e.g. gov.br "ask" is "Solicitar ajustes"); absent: the default label.
    action_labels: dict[str, str] = field(default_factory=dict)

    def find_field(self, name: str) -> FieldDef | None:
        """The form field called ``name``, if the desk has one."""
        return next((f for f in self.fields if f.name == name), None)

    def status(self, name: str) -> StatusDef | None:
        """The status called ``name`` (case-insensitive), if any."""
        folded = name.casefold()
        return next((s for s in self.statuses if s.name.casefold() == folded), None)

    def find_type(self, name: str) -> CatalogType | None:
        """The catalog type called ``name``, if any."""
        return next((t for t in self.types if t.name == name), None)
