"""The helpdesk service: every rule of the desks, over the store.

Every public method takes the acting user's login first and either returns
domain objects or raises a :class:`backend.errors.DemandasError` whose message
is meant for the user. Nothing here knows about HTTP or terminals.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import random
import re
import secrets
import sqlite3
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from backend.desks import DESK_IDS, DeskDefinition, load_desk
from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    EntryKind,
    Flag,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Role,
    Scope,
    StatusClass,
    Ticket,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.errors import Conflict, Forbidden, NotFound, StaleVersion, TooLarge, ValidationFailed
from backend.events import EventHub
from backend.rules import ORIGIN_FIELD, TRACKING_FIELD, Refusal, actions_for, can_see, staff_areas, why_not
from backend.store import Store, TicketRow, flags_of
from backend.text import format_date, format_size
from backend.validation import check_form_files, validate_form

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_PAGE = 500
_SUFFIX_ALPHABET = string.ascii_uppercase + string.digits
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Idempotency keys: visible ASCII (a uuid4 in practice), kept for a week.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")
IDEMPOTENCY_KEEP = timedelta(days=7)
# Far enough for any real follow-up; keeps dates away from datetime's year-9999 edge.
MAX_MONITOR_DAYS = 5 * 366
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*]')


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def clean_file_name(name: str) -> str:
    """A safe display name for an uploaded file: no folders, controls, reserved characters or leading dots."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    # Characters Windows refuses in names become "_", so the file can be saved as named anywhere.
    base = " ".join(_UNSAFE_NAME_CHARS.sub("_", base).split())
    # A leading dot would hide the file once saved; trailing dots and spaces vanish on Windows.
    base = base.lstrip(". ").rstrip(". ")
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 254 - len(ext)] + dot + ext if dot and len(ext) <= 16 else base[:255]
    return base


def file_extension(name: str) -> str:
    """The lower-case extension of a cleaned file name, without the dot ("" when none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


class _Replay(Exception):
    """Raised inside a write whose idempotency key was used meanwhile: answer with that result."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


_KEY_REUSED = ("Esta chave de idempotência (Idempotency-Key) já foi usada para um pedido diferente. "
               "Gere uma chave nova para cada envio.")


def _stale_message(current: int) -> str:
    return ("A demanda foi alterada por outra pessoa desde que você a abriu. Atualize a demanda "
            f"(versão atual: {current}) e refaça a ação, se ainda fizer sentido.")


def request_fingerprint(action: str, values: Mapping[str, Any], attachments: Iterable[NewAttachment]) -> str:
    """A digest of what a request asks for: the same key must come with the same request."""
    files = [[item.name, hashlib.sha256(item.data).hexdigest()] for item in attachments]
    text = json.dumps({"action": action, "values": values, "files": files}, sort_keys=True, ensure_ascii=True,
                      default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class HelpdeskService:
    """The rules of every desk, applied to the store."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None) -> None:
        self.store = store
        self.clock = clock
        # Tests pass a seeded Random for repeatable numbers; production uses secrets.
        self._choice: Callable[[str], str] = rng.choice if rng else secrets.choice
        #: Committed timeline entries, published after each write (the server streams them).
        self.events = EventHub(store)

    # -- users -------------------------------------------------------------

    def ensure_user(self, login: str, name: str | None = None) -> User:
        """The user ``login``, created as a requester on first sight."""
        login = login.strip().lower()
        if not LOGIN_PATTERN.fullmatch(login):
            raise ValidationFailed(
                f"Usuário inválido: {login!r}. Use letras minúsculas, dígitos, ponto, hífen ou sublinhado.",
                field="user",
            )
        user = self.store.get_user(login)
        if user is not None:
            return user
        user = User(login=login, name=(name or login).strip() or login)
        with self.store.write() as conn:
            if self.store.get_user(login) is None:
                self.store.save_user(conn, user, self.clock())
        return self.store.get_user(login) or user

    def save_user(self, user: User) -> User:
        """Create or replace a user (seeding and administration)."""
        with self.store.write() as conn:
            self.store.save_user(conn, user, self.clock())
        return user

    def whoami(self, actor: str) -> User:
        """The acting user's profile."""
        return self.ensure_user(actor)

    def update_profile(self, actor: str, update: ProfileUpdate) -> User:
        """Change the acting user's e-mail, phone, cargo (and name)."""
        user = self.ensure_user(actor)
        email = update.email.strip()
        phone = update.phone.strip()
        cargo = update.cargo.strip()
        name = (update.name or user.name).strip()
        if not email:
            raise ValidationFailed("Informe o e-mail para recebimento das notificações.", field="email")
        if not EMAIL_PATTERN.fullmatch(email):
            raise ValidationFailed(f"E-mail inválido: {email!r}. Exemplo: nome@orgao.rs.gov.br", field="email")
        digits = re.sub(r"\D", "", phone)
        if not phone:
            raise ValidationFailed("Informe o telefone.", field="phone")
        if not 8 <= len(digits) <= 13 or re.search(r"[^\d\s()+.-]", phone):
            raise ValidationFailed(
                f"Telefone inválido: {phone!r}. Use DDD e número, por exemplo (51) 3214-5000.", field="phone"
            )
        if not cargo:
            raise ValidationFailed("Informe o cargo.", field="cargo")
        if not name:
            raise ValidationFailed("Informe o nome.", field="name")
        for value, label, limit, key in ((email, "e-mail", 254, "email"), (cargo, "cargo", 120, "cargo"),
                                         (name, "nome", 120, "name")):
            if len(value) > limit:
                raise ValidationFailed(f"O {label} tem {len(value)} caracteres; o limite é {limit}.", field=key)
        changed = User(user.login, name, email, phone, cargo, user.role, user.areas)
        return self.save_user(changed)

    # -- desks -------------------------------------------------------------

    def desks(self) -> list[DeskInfo]:
        """Every desk this backend serves."""
        return [load_desk(d).info for d in DESK_IDS]

    def desk(self, desk_id: str) -> DeskInfo:
        """One desk's form, catalog and rules."""
        return load_desk(desk_id).info

    # -- listing and detail -----------------------------------------------

    def list_tickets(self, actor: str, query: TicketQuery) -> Page[TicketSummary]:
        """A page of tickets the actor may see."""
        user = self.ensure_user(actor)
        query = self._check_query(user, query)
        if query.limit < 1 or query.limit > MAX_PAGE:
            raise ValidationFailed(f"O tamanho da página deve estar entre 1 e {MAX_PAGE}.", field="limit")
        if query.offset < 0:
            raise ValidationFailed("O deslocamento da página não pode ser negativo.", field="offset")
        requester, areas = self._scope(user, query)
        items, total = self.store.list_tickets(query, requester, areas, self.clock())
        return Page(items=tuple(items), total=total, offset=query.offset, limit=query.limit)

    def _scope(self, user: User, query: TicketQuery) -> tuple[str | None, list[str] | None]:
        if query.scope is Scope.MINE or not user.role.is_staff:
            return user.login, None
        areas = staff_areas(user)
        return None, list(areas) if areas is not None else None

    def _check_query(self, user: User, query: TicketQuery) -> TicketQuery:
        if len(query.search) > 200:
            raise ValidationFailed("A busca tem mais de 200 caracteres.", field="search")
        if query.desk is not None:
            load_desk(query.desk)
        if query.status is not None:
            query = self._check_status_filter(query)
        if query.assignee == "me":
            query = replace(query, assignee=user.login)
        if query.area is not None and query.area not in self._all_areas():
            raise ValidationFailed(
                f"Área desconhecida: {query.area!r}. Áreas: {', '.join(self._all_areas())}.", field="area"
            )
        return query

    @staticmethod
    def _all_areas() -> list[str]:
        return [a for d in DESK_IDS for a in load_desk(d).info.areas]

    def _check_status_filter(self, query: TicketQuery) -> TicketQuery:
        desks = [load_desk(query.desk)] if query.desk else [load_desk(d) for d in DESK_IDS]
        status = query.status or ""
        for desk in desks:
            found = desk.info.status(status)
            if found:
                return replace(query, status=found.name)
        names = sorted({s.name for d in desks for s in d.info.statuses})
        raise ValidationFailed(f"Status desconhecido: {status!r}. Use um destes: {', '.join(names)}.", field="status")

    def get_ticket(self, actor: str, number: str) -> Ticket:
        """The ticket ``number`` with its timeline and what the actor may do."""
        user = self.ensure_user(actor)
        row = self._visible_row(user, number)
        return self._ticket(user, row)

    def attachment(self, actor: str, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        """An attachment's metadata and bytes (internal notes' files: staff only)."""
        meta, path = self.attachment_file(actor, number, attachment_id)
        try:
            return meta, path.read_bytes()
        except OSError as exc:
            raise NotFound(f"O conteúdo do anexo {meta.name!r} não está disponível no servidor.") from exc

    def attachment_file(self, actor: str, number: str, attachment_id: int) -> tuple[Attachment, Path]:
        """An attachment's metadata and the file holding its bytes (the server streams it)."""
        user = self.ensure_user(actor)
        row = self._visible_row(user, number)
        found = self.store.attachment(row.id, attachment_id, include_internal=user.role.is_staff)
        if found is None:
            raise NotFound(f"Anexo {attachment_id} não encontrado na demanda {row.number}.")
        meta, digest = found
        path = self.store.file_path(digest)
        if not path.is_file():
            raise NotFound(f"O conteúdo do anexo {meta.name!r} não está disponível no servidor.")
        return meta, path

    def upload_desk(self, actor: str, number: str | None = None, desk_id: str | None = None) -> DeskInfo:
        """The desk whose file limits apply to an upload (checks that ``actor`` may see ``number``)."""
        if number is not None:
            user = self.ensure_user(actor)
            return load_desk(self._visible_row(user, number).desk).info
        return load_desk(desk_id or DESK_IDS[0]).info

    def queue_counts(self, actor: str) -> QueueCounts:
        """The alerts of the home screen: awaiting distribution, awaiting me, overdue, monitoring over."""
        user = self.ensure_user(actor)
        if not user.role.is_staff:
            return QueueCounts()
        areas = staff_areas(user)
        area_list = list(areas) if areas is not None else None
        now = self.clock()
        base = TicketQuery(scope=Scope.VISIBLE)
        managers = user.role in (Role.MANAGER, Role.ADMIN)
        mine = replace(base, assignee=user.login)
        return QueueCounts(
            awaiting_distribution=(
                self.store.count(replace(base, assignee="none"), None, area_list, now) if managers else 0
            ),
            awaiting_me=self.store.count(mine, None, area_list, now),
            overdue=self.store.count(replace(base if managers else mine, overdue=True), None, area_list, now),
            monitoring_expired=self.store.count(
                replace(base if managers else mine, flag=Flag.MONITORING_EXPIRED), None, area_list, now
            ),
        )

    def agents(self, actor: str, area: str | None = None) -> list[AgentLoad]:
        """Staff of ``area`` with how many open tickets each holds now."""
        user = self.ensure_user(actor)
        if not user.role.is_staff:
            raise Forbidden("Somente atendentes e gestores consultam a equipe.")
        if area is not None and area not in self._all_areas():
            raise ValidationFailed(f"Área desconhecida: {area!r}.", field="area")
        return self.store.agent_loads(area)

    # -- changes -----------------------------------------------------------

    def create_ticket(self, actor: str, new: NewTicket, idempotency_key: str | None = None) -> Ticket:
        """Open a ticket; validates every field against the desk.

        With ``idempotency_key``, a repeated call (a retry after a timeout) returns the
        ticket the first call made instead of opening another.
        """
        user = self.ensure_user(actor)
        values_in: dict[str, Any] = {"title": new.title, "orgao": new.orgao, "type": new.type,
                                     "category": new.category, "subject": new.subject,
                                     "description": new.description, "desk": new.desk, "fields": dict(new.fields)}
        if any(item.field != "attachments" for item in new.attachments):
            values_in["attachment_fields"] = [item.field for item in new.attachments]
        fingerprint = self._fingerprint(idempotency_key, "create", values_in, new.attachments)
        replayed = self._replay(user, idempotency_key, fingerprint)
        if replayed is not None:
            return replayed
        desk = load_desk(new.desk)
        values, extras = self._validate_new(desk, new, user)
        files = self._validate_files(desk, new.attachments)
        check_form_files(desk, {**values, **extras}, new.attachments, [name for name, _, _ in files])
        new = replace(new, fields=extras)
        digests = [self.store.put_file(data) for _, data, _ in files]
        now = self.clock()
        try:
            number = self._insert_ticket(user, desk, values, new, files, digests, now, idempotency_key, fingerprint)
        except _Replay as replay:
            return self._replayed(user, replay.number)
        return self.get_ticket(actor, number)

    def _insert_ticket(self, user: User, desk: DeskDefinition, values: dict[str, str], new: NewTicket,
                       files: list[tuple[str, bytes, str]], digests: list[str], now: datetime,
                       key: str | None, fingerprint: str) -> str:
        initial = desk.initial_status()
        with self.store.write() as conn:
            self._claim_key(conn, user, key, fingerprint)
            seq = self.store.next_sequence(conn, desk.id)
            number = self._new_number(conn, desk, seq)
            ticket_id = self.store.insert_ticket(
                conn,
                {
                    "number": number,
                    "desk": desk.id,
                    "requester": user.login,
                    **values,
                    "status": initial.name,
                    "status_class": initial.status_class.value,
                    "created_at": now,
                    "updated_at": now,
                    "fields": dict(new.fields),
                    "area": desk.area_for(values["type"]),
                    "due_at": now + timedelta(hours=desk.deadline_hours({**new.fields, **values})),
                },
            )
            entry = self.store.insert_entry(conn, ticket_id, EntryKind.CREATED, user.login, now,
                                            status_to=initial.name)
            self._attach(conn, ticket_id, entry, files, digests, now)
            self._remember_key(conn, user, key, fingerprint, number, now)
        return number

    def comment(self, actor: str, number: str, text: str, attachments: Iterable[NewAttachment] = (), *,
                idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """Add a comment and/or files ("Adicionar comentário/anexo"); staff comments are public replies.

        ``idempotency_key`` makes a retry return the first result; ``expected_version``
        refuses the change (StaleVersion) when the ticket moved on since the caller read it.
        """
        user = self.ensure_user(actor)
        attachments = tuple(attachments)
        fingerprint = self._fingerprint(idempotency_key, "comment", {"number": number.strip().upper(),
                                                                      "text": text}, attachments)
        replayed = self._replay(user, idempotency_key, fingerprint)
        if replayed is not None:
            return replayed
        row, desk = self._allowed(user, number, "comment", expected_version)
        if user.role.is_staff and row.requester_login != user.login:
            return self._post(user, row, desk, text, attachments, False, idempotency_key, fingerprint)
        text, files = self._message(desk, text, attachments)
        digests = [self.store.put_file(data) for _, data, _ in files]
        now = self.clock()
        try:
            with self.store.write() as conn:
                self._claim_key(conn, user, idempotency_key, fingerprint)
                self._check_version(row)
                entry = self.store.insert_entry(conn, row.id, EntryKind.COMMENT, user.login, now, text=text)
                self._attach(conn, row.id, entry, files, digests, now)
                back = desk.transitions.get("requester_reply")
                if back and back.target and user.login == row.requester_login and row.status in back.sources:
                    self._move(conn, row, desk, back.target, user, now, EntryKind.STATUS, "")
                else:
                    self.store.touch(conn, row.id, now)
                self._remember_key(conn, user, idempotency_key, fingerprint, row.number, now)
        except _Replay as replay:
            return self._replayed(user, replay.number)
        return self.get_ticket(actor, row.number)

    def reply(self, actor: str, number: str, text: str, attachments: Iterable[NewAttachment] = (), *,
              idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """A public answer from staff: the requester sees it."""
        return self._answer(actor, number, "reply", text, attachments, idempotency_key, expected_version)

    def note(self, actor: str, number: str, text: str, attachments: Iterable[NewAttachment] = (), *,
             idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """An internal note (observação): staff only, never shown to the requester."""
        return self._answer(actor, number, "note", text, attachments, idempotency_key, expected_version)

    def _answer(self, actor: str, number: str, action: str, text: str, attachments: Iterable[NewAttachment],
                key: str | None, expected_version: int | None) -> Ticket:
        user = self.ensure_user(actor)
        attachments = tuple(attachments)
        fingerprint = self._fingerprint(key, action, {"number": number.strip().upper(), "text": text}, attachments)
        replayed = self._replay(user, key, fingerprint)
        if replayed is not None:
            return replayed
        row, desk = self._allowed(user, number, action, expected_version)
        return self._post(user, row, desk, text, attachments, action == "note", key, fingerprint)

    def cancel(self, actor: str, number: str, reason: str = "", *, expected_version: int | None = None) -> Ticket:
        """Cancel an active ticket ("Cancelar demanda"); staff must give a reason."""
        user = self.ensure_user(actor)
        if user.role.is_staff and not reason.strip():
            row = self._visible_row(user, number)
            if row.requester_login != user.login:
                raise ValidationFailed("Informe o motivo do cancelamento.", field="reason")
        return self._transition(actor, number, "cancel", EntryKind.CANCELED, reason.strip(), expected_version)

    def resolve(self, actor: str, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Resolve a ticket with the answer given (agents only)."""
        if not text.strip():
            raise ValidationFailed("Informe a solução dada à demanda.", field="text")
        return self._transition(actor, number, "resolve", EntryKind.RESOLVED, text.strip(), expected_version)

    def reopen(self, actor: str, number: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        """Reopen a resolved/canceled ticket within the desk's window."""
        if not reason.strip():
            raise ValidationFailed("Informe uma justificativa para reabrir esta demanda.", field="reason")
        return self._transition(actor, number, "reopen", EntryKind.REOPENED, reason.strip(), expected_version)

    def ask(self, actor: str, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Ask the requester for more information: the ticket waits for them."""
        if not text.strip():
            raise ValidationFailed("Informe o que o solicitante precisa complementar.", field="text")
        return self._transition(actor, number, "ask", EntryKind.STATUS, text.strip(), expected_version)

    def assign(self, actor: str, number: str, to_login: str, *, expected_version: int | None = None) -> Ticket:
        """Distribute a ticket to an agent of its area (managers)."""
        user = self.ensure_user(actor)
        row, _ = self._allowed(user, number, "assign", expected_version)
        target = self.store.get_user(to_login.strip().lower())
        if target is None:
            raise ValidationFailed(f"Usuário desconhecido: {to_login!r}.", field="to")
        if not target.role.is_staff:
            raise ValidationFailed(f"{target.name} não é atendente nem gestor.", field="to")
        areas = staff_areas(target)
        if areas is not None and row.area not in areas:
            raise ValidationFailed(f"{target.name} não atende a área {row.area}.", field="to")
        if row.assignee_login == target.login:
            raise Conflict(f"A demanda já está atribuída a {target.name}.")
        now = self.clock()
        with self.store.write() as conn:
            self._check_version(row)
            self.store.set_columns(conn, row.id, now, assignee=target.login)
            self.store.insert_entry(conn, row.id, EntryKind.ASSIGNED, user.login, now,
                                    text=f"Atribuída a {target.name}.", internal=True)
        return self.get_ticket(actor, row.number)

    def take(self, actor: str, number: str, *, expected_version: int | None = None) -> Ticket:
        """Reserve a ticket to work on it; takes it over from whoever held it."""
        user = self.ensure_user(actor)
        row, _ = self._allowed(user, number, "take", expected_version)
        now = self.clock()
        with self.store.write() as conn:
            self._check_version(row)
            self._claim(conn, row, user, now)
        return self.get_ticket(actor, row.number)

    def forward(self, actor: str, number: str, area: str, reason: str, *,
                expected_version: int | None = None) -> Ticket:
        """Send a ticket to another area of its desk, with the reason."""
        user = self.ensure_user(actor)
        row, desk = self._allowed(user, number, "forward", expected_version)
        area = area.strip()
        if area not in desk.info.areas:
            raise ValidationFailed(
                f"Área desconhecida: {area!r}. Áreas do balcão: {', '.join(desk.info.areas)}.", field="area"
            )
        if area == row.area:
            raise ValidationFailed(f"A demanda já está na área {area}.", field="area")
        if not reason.strip():
            raise ValidationFailed("Informe o motivo do encaminhamento.", field="reason")
        now = self.clock()
        with self.store.write() as conn:
            self._check_version(row)
            self.store.set_columns(conn, row.id, now, area=area, assignee=None, reserved_by=None, reserved_at=None)
            self.store.insert_entry(conn, row.id, EntryKind.FORWARDED, user.login, now,
                                    text=f"Encaminhada de {row.area} para {area}: {reason.strip()}", internal=True)
            target = desk.transitions["forward"].target
            if target and target != row.status:
                # SEI: forwarding to the technical unit is a status of its own.
                self._move(conn, row, desk, target, user, now, EntryKind.STATUS, "")
        # The sender may no longer see the ticket (another area); show them the result once.
        moved = self.store.get_ticket(row.number)
        assert moved is not None
        return self._ticket(user, moved)

    def monitor(self, actor: str, number: str, until: date, reason: str, *,
                expected_version: int | None = None) -> Ticket:
        """Keep a ticket in monitoring until a future date (alert when it expires)."""
        user = self.ensure_user(actor)
        row, _ = self._allowed(user, number, "monitor", expected_version)
        now = self.clock()
        today = now.astimezone().date()
        if until <= today:
            raise ValidationFailed("A data do monitoramento deve ser futura.", field="until")
        if until > today + timedelta(days=MAX_MONITOR_DAYS):
            raise ValidationFailed("A data do monitoramento deve estar nos próximos 5 anos.", field="until")
        if not reason.strip():
            raise ValidationFailed("Informe o motivo do monitoramento.", field="reason")
        # Monitoring lasts through the whole day chosen, in local time.
        end = datetime.combine(until, time(23, 59, 59)).astimezone()
        with self.store.write() as conn:
            self._check_version(row)
            self._claim(conn, row, user, now)
            self.store.set_columns(conn, row.id, now, monitor_until=end)
            self.store.insert_entry(conn, row.id, EntryKind.MONITOR, user.login, now, internal=True,
                                    text=f"Em monitoramento até {format_date(end)}: {reason.strip()}")
        return self.get_ticket(actor, row.number)

    def track(self, actor: str, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Open the tracking ticket of a forwarded ticket (SEI technical unit); both record the link.

        The tracking ticket belongs to the same requester (they follow it), starts in the
        technical unit's area and is returned; the original keeps its own status.
        """
        user = self.ensure_user(actor)
        row, desk = self._allowed(user, number, "track", expected_version)
        text = text.strip()
        if not text:
            raise ValidationFailed("Descreva o que a unidade técnica vai acompanhar neste chamado.", field="text")
        if len(text) > desk.info.description_limit:
            raise ValidationFailed(
                f"O texto tem {len(text)} caracteres; o limite é {desk.info.description_limit}.", field="text"
            )
        initial = desk.initial_status()
        now = self.clock()
        title = f"Acompanhamento de {row.number}: {row.title}"
        if len(title) > desk.title_limit:
            title = title[: desk.title_limit - 1].rstrip() + "…"
        fields = {**row.fields, ORIGIN_FIELD: row.number}
        fields.pop(TRACKING_FIELD, None)
        with self.store.write() as conn:
            self._check_version(row)
            seq = self.store.next_sequence(conn, desk.id)
            tracking = self._new_number(conn, desk, seq)
            ticket_id = self.store.insert_ticket(conn, {
                "number": tracking, "desk": desk.id, "requester": row.requester_login, "title": title,
                "orgao": row.orgao, "type": row.type, "category": row.category, "subject": row.subject,
                "description": text, "status": initial.name, "status_class": initial.status_class.value,
                "created_at": now, "updated_at": now, "fields": fields, "area": row.area,
                "due_at": now + timedelta(hours=desk.deadline_hours({**row.fields, "type": row.type})),
            })
            self.store.insert_entry(conn, ticket_id, EntryKind.CREATED, user.login, now, status_to=initial.name)
            self.store.insert_entry(conn, ticket_id, EntryKind.LINKED, user.login, now,
                                    text=f"Chamado de acompanhamento da demanda {row.number}.")
            self.store.set_fields(conn, row.id, {**row.fields, TRACKING_FIELD: tracking}, now)
            self.store.insert_entry(conn, row.id, EntryKind.LINKED, user.login, now,
                                    text=f"Chamado de acompanhamento aberto pela unidade técnica: {tracking}.")
            self._claim(conn, row, user, now)
        return self.get_ticket(actor, tracking)

    # -- internals ---------------------------------------------------------

    def _allowed(self, user: User, number: str, action: str,
                 expected_version: int | None = None) -> tuple[TicketRow, DeskDefinition]:
        row = self._visible_row(user, number)
        # Before the rules: "someone changed it since you opened it" explains a refusal best.
        if expected_version is not None and expected_version != row.version:
            raise StaleVersion(_stale_message(row.version))
        desk = load_desk(row.desk)
        refusal = why_not(action, user, row, desk, self.clock())
        if refusal:
            raise refusal.error()
        return row, desk

    def _post(self, user: User, row: TicketRow, desk: DeskDefinition, text: str,
              attachments: Iterable[NewAttachment], internal: bool, key: str | None, fingerprint: str) -> Ticket:
        text, files = self._message(desk, text, attachments)
        digests = [self.store.put_file(data) for _, data, _ in files]
        now = self.clock()
        kind = EntryKind.NOTE if internal else EntryKind.COMMENT
        try:
            with self.store.write() as conn:
                self._claim_key(conn, user, key, fingerprint)
                self._check_version(row)
                self._claim(conn, row, user, now)
                entry = self.store.insert_entry(conn, row.id, kind, user.login, now, text=text, internal=internal)
                self._attach(conn, row.id, entry, files, digests, now)
                self.store.touch(conn, row.id, now)
                self._remember_key(conn, user, key, fingerprint, row.number, now)
        except _Replay as replay:
            return self._replayed(user, replay.number)
        return self.get_ticket(user.login, row.number)

    # -- idempotency -----------------------------------------------------------

    @staticmethod
    def _fingerprint(key: str | None, action: str, values: Mapping[str, Any],
                     attachments: Iterable[NewAttachment]) -> str:
        if key is None:
            return ""
        if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
            raise ValidationFailed("Chave de idempotência inválida: use até 200 caracteres ASCII visíveis "
                                   "(por exemplo, um UUID).", field="idempotency_key")
        return request_fingerprint(action, values, attachments)

    def _replay(self, user: User, key: str | None, fingerprint: str) -> Ticket | None:
        """The result of an earlier call with the same key, if there was one."""
        if key is None:
            return None
        found = self.store.idempotent_result(self.store.conn, user.login, key)
        if found is None:
            return None
        if found[0] != fingerprint:
            raise ValidationFailed(_KEY_REUSED, field="idempotency_key")
        return self._replayed(user, found[1])

    def _replayed(self, user: User, number: str) -> Ticket:
        row = self.store.get_ticket(number)
        if row is None:
            raise NotFound(f"Demanda {number} não encontrada.")
        # Shown even if it left the caller's areas since (forwarded): the caller made this change.
        return self._ticket(user, row)

    def _claim_key(self, conn: sqlite3.Connection, user: User, key: str | None, fingerprint: str) -> None:
        """Inside the write: a concurrent call with the same key may have finished first."""
        found = self.store.idempotent_result(conn, user.login, key) if key is not None else None
        if found is not None:
            if found[0] != fingerprint:
                raise ValidationFailed(_KEY_REUSED, field="idempotency_key")
            raise _Replay(found[1])

    def _remember_key(self, conn: sqlite3.Connection, user: User, key: str | None, fingerprint: str,
                      number: str, now: datetime) -> None:
        if key is not None:
            self.store.remember_key(conn, user.login, key, fingerprint, number, now, now - IDEMPOTENCY_KEEP)

    def _message(self, desk: DeskDefinition, text: str,
                 attachments: Iterable[NewAttachment]) -> tuple[str, list[tuple[str, bytes, str]]]:
        text = text.strip()
        files = self._validate_files(desk, tuple(attachments))
        if not text and not files:
            raise ValidationFailed("Escreva um comentário ou anexe um arquivo.", field="text")
        if len(text) > desk.info.description_limit:
            raise ValidationFailed(
                f"O comentário tem {len(text)} caracteres; o limite é {desk.info.description_limit}.", field="text"
            )
        return text, files

    def _claim(self, conn: sqlite3.Connection, row: TicketRow, user: User, now: datetime) -> None:
        """Staff working a ticket reserve it; a reservation held by someone else moves, on the record."""
        if not user.role.is_staff or row.reserved_by == user.login:
            return
        text = (f"Reserva transferida de {row.reserved_by_name} para {user.name}." if row.reserved_by
                else f"Em análise por {user.name}.")
        self.store.set_columns(conn, row.id, now, reserved_by=user.login, reserved_at=now)
        self.store.insert_entry(conn, row.id, EntryKind.RESERVED, user.login, now, text=text, internal=True)

    def _check_version(self, row: TicketRow) -> None:
        """Inside the write: nobody changed the ticket between our read and our write."""
        current = self.store.get_ticket(row.number)
        if current is None or current.version != row.version:
            raise StaleVersion(_stale_message(current.version if current else row.version))

    def _transition(self, actor: str, number: str, action: str, kind: EntryKind, text: str,
                    expected_version: int | None = None) -> Ticket:
        user = self.ensure_user(actor)
        row, desk = self._allowed(user, number, action, expected_version)
        if len(text) > desk.info.description_limit:
            raise ValidationFailed(
                f"O texto tem {len(text)} caracteres; o limite é {desk.info.description_limit}.", field="text"
            )
        target = desk.transitions[action].target
        assert target is not None, f"transition {action} must change the status"
        now = self.clock()
        with self.store.write() as conn:
            self._check_version(row)
            if action in ("resolve", "ask"):
                self._claim(conn, row, user, now)
            self._move(conn, row, desk, target, user, now, kind, text)
        return self.get_ticket(actor, row.number)

    def _move(self, conn: sqlite3.Connection, row: TicketRow, desk: DeskDefinition, target: str, user: User,
              now: datetime, kind: EntryKind, text: str) -> None:
        status_class = desk.status_class(target)
        closed_at = now if status_class is not StatusClass.ACTIVE else None
        self.store.update_status(conn, row.id, target, status_class, now, closed_at)
        if status_class is not StatusClass.ACTIVE:
            # Closed tickets hold no reservation and no monitoring.
            self.store.set_columns(conn, row.id, now, reserved_by=None, reserved_at=None, monitor_until=None)
        elif row.status_class is not StatusClass.ACTIVE:
            # Reopened: a new deadline from the desk's SLA.
            hours = desk.deadline_hours({**row.fields, "type": row.type})
            self.store.set_columns(conn, row.id, now, due_at=now + timedelta(hours=hours))
        self.store.insert_entry(conn, row.id, kind, user.login, now, text=text,
                                status_from=row.status, status_to=target)

    def _visible_row(self, user: User, number: str) -> TicketRow:
        number = number.strip()
        if not number:
            raise ValidationFailed("Informe o número da demanda.", field="number")
        row = self.store.get_ticket(number)
        if row is None:
            raise NotFound(f"Demanda {number.upper()} não encontrada.")
        refusal: Refusal | None = can_see(user, row)
        if refusal:
            raise refusal.error()
        return row

    def _ticket(self, user: User, row: TicketRow) -> Ticket:
        desk = load_desk(row.desk)
        now = self.clock()
        timeline = self.store.timeline(row.id, include_internal=user.role.is_staff)
        attachments = tuple(a for entry in timeline for a in entry.attachments)
        return Ticket(
            number=row.number,
            desk=row.desk,
            title=row.title,
            requester_login=row.requester_login,
            requester_name=row.requester_name,
            orgao=row.orgao,
            type=row.type,
            category=row.category,
            subject=row.subject,
            description=row.description,
            status=row.status,
            status_class=row.status_class,
            created_at=row.created_at,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
            version=row.version,
            attachments=attachments,
            timeline=tuple(timeline),
            assignee_login=row.assignee_login,
            assignee_name=row.assignee_name,
            area=row.area,
            reserved_by=row.reserved_by,
            reserved_by_name=row.reserved_by_name,
            reserved_at=row.reserved_at,
            due_at=row.due_at,
            monitor_until=row.monitor_until,
            flags=flags_of(row.status_class, row.due_at, row.monitor_until, now),
            fields=dict(row.fields),
            actions=actions_for(user, row, desk, now),
        )

    def _validate_new(self, desk: DeskDefinition, new: NewTicket,
                      user: User | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """The ticket's column values and desk-specific fields, checked against the desk's form."""
        return validate_form(desk, new, user or User(login="", name=""))

    def _validate_files(
        self, desk: DeskDefinition, attachments: tuple[NewAttachment, ...]
    ) -> list[tuple[str, bytes, str]]:
        """(clean name, bytes, content type) of each file, within the desk's count, size and type rules."""
        info = desk.info
        if len(attachments) > info.max_attachments:
            raise ValidationFailed(
                f"São {len(attachments)} arquivos; o limite é {info.max_attachments} por envio.", field="attachments"
            )
        files: list[tuple[str, bytes, str]] = []
        for item in attachments:
            name = clean_file_name(item.name)
            if not name:
                raise ValidationFailed("Um dos arquivos não tem nome.", field="attachments")
            content_type = self.file_type(desk, name)
            if not item.data:
                raise ValidationFailed(f"O arquivo {name!r} está vazio.", field="attachments")
            if len(item.data) > info.max_attachment_bytes:
                raise TooLarge(
                    f"O arquivo {name!r} tem {format_size(len(item.data))}; o limite é "
                    f"{format_size(info.max_attachment_bytes)} por arquivo.",
                    field="attachments",
                )
            files.append((name, item.data, content_type))
        return files

    @staticmethod
    def file_type(desk: DeskDefinition, name: str) -> str:
        """The content type a (cleaned) file name is stored with; ValidationFailed if the desk refuses it."""
        ext = file_extension(name)
        if not desk.content_types:
            return mimetypes.guess_type(name)[0] or "application/octet-stream"
        if not ext:
            if desk.allow_without_extension:
                return "application/octet-stream"
            raise ValidationFailed(f"O arquivo {name!r} não tem extensão; o balcão {desk.info.name} aceita: "
                                   f"{', '.join(desk.info.allowed_extensions)}.", field="attachments")
        found = desk.content_types.get(ext)
        if found is None:
            raise ValidationFailed(
                f"O tipo de arquivo .{ext} ({name!r}) não é aceito no balcão {desk.info.name}. "
                f"Tipos aceitos: {', '.join(desk.info.allowed_extensions)}.",
                field="attachments",
            )
        return found

    def _attach(self, conn: sqlite3.Connection, ticket_id: int, entry: int, files: list[tuple[str, bytes, str]],
                digests: list[str], now: datetime) -> None:
        for (name, data, content_type), digest in zip(files, digests, strict=True):
            self.store.insert_attachment(conn, ticket_id, entry, name, len(data), content_type, digest, now)

    def _new_number(self, conn: sqlite3.Connection, desk: DeskDefinition, seq: int) -> str:
        while True:
            suffix = "".join(self._choice(_SUFFIX_ALPHABET) for _ in range(4))
            number = f"{desk.info.prefix}-{seq:05d}-{suffix}"
            if not self.store.number_exists(conn, number):
                return number
