"""The helpdesk service: every rule of the desks, over the store.

Every public method takes the acting user's login first and either returns
domain objects or raises a :class:`backend.errors.DemandasError` whose message
is meant for the user. Nothing here knows about HTTP or terminals.
"""

from __future__ import annotations

import mimetypes
import random
import re
import secrets
import sqlite3
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from backend.desks import DESK_IDS, DeskDefinition, load_desk
from backend.domain import (
    Attachment,
    DeskInfo,
    EntryKind,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    Scope,
    StatusClass,
    Ticket,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationFailed
from backend.store import Store, TicketRow
from backend.text import format_datetime, format_size

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_PAGE = 500
_SUFFIX_ALPHABET = string.ascii_uppercase + string.digits
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Actions reported in Ticket.actions, in the order the screens offer them.
ACTIONS = ("comment", "cancel", "resolve", "reopen")


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def clean_file_name(name: str) -> str:
    """A display name for an uploaded file: no folders, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if base in {".", ".."}:
        base = ""
    return base[:255]


class HelpdeskService:
    """The rules of every desk, applied to the store."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None) -> None:
        self.store = store
        self.clock = clock
        # Tests pass a seeded Random for repeatable numbers; production uses secrets.
        self._choice: Callable[[str], str] = rng.choice if rng else secrets.choice

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
        if query.limit < 1 or query.limit > MAX_PAGE:
            raise ValidationFailed(f"O tamanho da página deve estar entre 1 e {MAX_PAGE}.", field="limit")
        if query.offset < 0:
            raise ValidationFailed("O deslocamento da página não pode ser negativo.", field="offset")
        if len(query.search) > 200:
            raise ValidationFailed("A busca tem mais de 200 caracteres.", field="search")
        if query.desk is not None:
            load_desk(query.desk)
        if query.status is not None:
            query = self._check_status_filter(query)
        requester = user.login if (query.scope is Scope.MINE or not user.role.is_staff) else None
        items, total = self.store.list_tickets(query, requester)
        return Page(items=tuple(items), total=total, offset=query.offset, limit=query.limit)

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
        """An attachment's metadata and bytes."""
        user = self.ensure_user(actor)
        row = self._visible_row(user, number)
        found = self.store.attachment(row.id, attachment_id)
        if found is None:
            raise NotFound(f"Anexo {attachment_id} não encontrado na demanda {row.number}.")
        meta, digest = found
        try:
            data = self.store.read_file(digest)
        except OSError as exc:
            raise NotFound(f"O conteúdo do anexo {meta.name!r} não está disponível no servidor.") from exc
        return meta, data

    # -- changes -----------------------------------------------------------

    def create_ticket(self, actor: str, new: NewTicket) -> Ticket:
        """Open a ticket; validates every field against the desk."""
        user = self.ensure_user(actor)
        desk = load_desk(new.desk)
        values = self._validate_new(desk, new)
        files = self._validate_files(desk, new.attachments)
        digests = [self.store.put_file(data) for _, data in files]
        now = self.clock()
        initial = desk.initial_status()
        with self.store.write() as conn:
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
                },
            )
            entry = self.store.insert_entry(conn, ticket_id, EntryKind.CREATED, user.login, now,
                                            status_to=initial.name)
            self._attach(conn, ticket_id, entry, files, digests, now)
        return self.get_ticket(actor, number)

    def comment(self, actor: str, number: str, text: str, attachments: Iterable[NewAttachment] = ()) -> Ticket:
        """Add a comment and/or files ("Adicionar comentário/anexo")."""
        user = self.ensure_user(actor)
        row = self._visible_row(user, number)
        desk = load_desk(row.desk)
        reason = self._why_not_comment(user, row, desk)
        if reason:
            raise Conflict(reason) if row.status_class is not StatusClass.ACTIVE else Forbidden(reason)
        text = text.strip()
        files = self._validate_files(desk, tuple(attachments))
        if not text and not files:
            raise ValidationFailed("Escreva um comentário ou anexe um arquivo.", field="text")
        if len(text) > desk.info.description_limit:
            raise ValidationFailed(
                f"O comentário tem {len(text)} caracteres; o limite é {desk.info.description_limit}.", field="text"
            )
        digests = [self.store.put_file(data) for _, data in files]
        now = self.clock()
        with self.store.write() as conn:
            entry = self.store.insert_entry(conn, row.id, EntryKind.COMMENT, user.login, now, text=text)
            self._attach(conn, row.id, entry, files, digests, now)
            back = desk.transitions.get("requester_reply")
            if (back and user.login == row.requester_login and row.status in back.sources):
                self._move(conn, row, desk, back.target, user, now, EntryKind.STATUS, "")
            else:
                self.store.touch(conn, row.id, now)
        return self.get_ticket(actor, row.number)

    def cancel(self, actor: str, number: str, reason: str = "") -> Ticket:
        """Cancel an active ticket ("Cancelar demanda")."""
        return self._transition(actor, number, "cancel", EntryKind.CANCELED, reason.strip())

    def resolve(self, actor: str, number: str, text: str) -> Ticket:
        """Resolve a ticket with the answer given (agents only)."""
        if not text.strip():
            raise ValidationFailed("Informe a solução dada à demanda.", field="text")
        return self._transition(actor, number, "resolve", EntryKind.RESOLVED, text.strip())

    def reopen(self, actor: str, number: str, reason: str) -> Ticket:
        """Reopen a resolved/canceled ticket within the desk's window."""
        if not reason.strip():
            raise ValidationFailed("Informe uma justificativa para reabrir esta demanda.", field="reason")
        return self._transition(actor, number, "reopen", EntryKind.REOPENED, reason.strip())

    # -- internals ---------------------------------------------------------

    def _transition(self, actor: str, number: str, action: str, kind: EntryKind, text: str) -> Ticket:
        user = self.ensure_user(actor)
        row = self._visible_row(user, number)
        desk = load_desk(row.desk)
        if len(text) > desk.info.description_limit:
            raise ValidationFailed(
                f"O texto tem {len(text)} caracteres; o limite é {desk.info.description_limit}.", field="text"
            )
        reason = self._why_not(action, user, row, desk)
        if reason:
            raise (Forbidden if reason.startswith(_FORBIDDEN_MARK) else Conflict)(reason.removeprefix(_FORBIDDEN_MARK))
        now = self.clock()
        with self.store.write() as conn:
            current = self.store.get_ticket(row.number)
            if current is None or current.version != row.version:
                raise Conflict("A demanda foi alterada por outra pessoa enquanto isso. Atualize e tente de novo.")
            self._move(conn, row, desk, desk.transitions[action].target, user, now, kind, text)
        return self.get_ticket(actor, row.number)

    def _move(self, conn: sqlite3.Connection, row: TicketRow, desk: DeskDefinition, target: str, user: User,
              now: datetime, kind: EntryKind, text: str) -> None:
        status_class = desk.status_class(target)
        closed_at = now if status_class is not StatusClass.ACTIVE else None
        self.store.update_status(conn, row.id, target, status_class, now, closed_at)
        self.store.insert_entry(conn, row.id, kind, user.login, now, text=text,
                                status_from=row.status, status_to=target)

    def _visible_row(self, user: User, number: str) -> TicketRow:
        number = number.strip()
        if not number:
            raise ValidationFailed("Informe o número da demanda.", field="number")
        row = self.store.get_ticket(number)
        if row is None:
            raise NotFound(f"Demanda {number.upper()} não encontrada.")
        if not user.role.is_staff and row.requester_login != user.login:
            raise Forbidden(f"A demanda {row.number} pertence a outro solicitante.")
        return row

    def _ticket(self, user: User, row: TicketRow) -> Ticket:
        desk = load_desk(row.desk)
        timeline = self.store.timeline(row.id)
        attachments = tuple(a for entry in timeline for a in entry.attachments)
        actions: dict[str, str | None] = {}
        for action in ACTIONS:
            if action == "comment":
                actions[action] = self._why_not_comment(user, row, desk)
            elif action in desk.transitions:
                reason = self._why_not(action, user, row, desk)
                actions[action] = reason.removeprefix(_FORBIDDEN_MARK) if reason else None
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
            fields=dict(row.fields),
            actions=actions,
        )

    def _why_not_comment(self, user: User, row: TicketRow, desk: DeskDefinition) -> str | None:
        if not user.role.is_staff and row.requester_login != user.login:
            return f"A demanda {row.number} pertence a outro solicitante."
        if row.status_class is not StatusClass.ACTIVE and not desk.comment_when_closed:
            verb = "reabra-a para" if "reopen" in desk.transitions else "não é possível"
            return f"A demanda está com status “{row.status}”; {verb} adicionar comentários ou anexos."
        return None

    def _why_not(self, action: str, user: User, row: TicketRow, desk: DeskDefinition) -> str | None:
        """None when ``user`` may do ``action`` now; else the reason (marked if forbidden)."""
        transition = desk.transitions.get(action)
        if transition is None:
            return f"Ação indisponível no balcão {desk.info.name}."
        if user.role not in transition.roles:
            return _FORBIDDEN_MARK + _ROLE_REFUSALS.get(action, "Seu perfil não permite esta ação.")
        if not user.role.is_staff and row.requester_login != user.login:
            return _FORBIDDEN_MARK + f"A demanda {row.number} pertence a outro solicitante."
        if row.status not in transition.sources:
            return _STATE_REFUSALS.get(action, "A demanda está com status “{status}”; esta ação não se aplica.").format(
                status=row.status
            )
        if action == "reopen":
            closed = row.closed_at or row.updated_at
            deadline = closed + timedelta(days=desk.info.reopen_days)
            if self.clock() > deadline:
                return (
                    f"O prazo para reabrir terminou em {format_datetime(deadline)}: demandas resolvidas ou "
                    f"canceladas podem ser reabertas em até {desk.info.reopen_days} dias."
                )
        return None

    def _validate_new(self, desk: DeskDefinition, new: NewTicket) -> dict[str, str]:
        info = desk.info
        title = new.title.strip()
        description = new.description.strip()
        checks: list[tuple[str, str, str]] = [
            ("title", title, "Informe o título."),
            ("orgao", new.orgao.strip(), "Selecione o órgão."),
            ("type", new.type.strip(), "Selecione o tipo."),
            ("category", new.category.strip(), "Selecione a categoria."),
            ("subject", new.subject.strip(), "Selecione o assunto."),
            ("description", description, "Descreva a demanda."),
        ]
        for name, value, message in checks:
            if not value:
                raise ValidationFailed(message, field=name)
        if len(title) > desk.title_limit:
            raise ValidationFailed(f"O título tem {len(title)} caracteres; o limite é {desk.title_limit}.",
                                   field="title")
        if len(description) > info.description_limit:
            raise ValidationFailed(
                f"A descrição tem {len(description)} caracteres; o limite é {info.description_limit}. "
                "Envie o restante depois, em \"Adicionar comentário/anexo\".",
                field="description",
            )
        orgao = new.orgao.strip()
        if orgao not in info.orgaos:
            raise ValidationFailed(f"Órgão desconhecido: {orgao!r}. Escolha um órgão da lista.", field="orgao")
        type_ = info.find_type(new.type.strip())
        if type_ is None:
            names = ", ".join(t.name for t in info.types)
            raise ValidationFailed(f"Tipo desconhecido: {new.type.strip()!r}. Tipos: {names}.", field="type")
        category = next((c for c in type_.categories if c.name == new.category.strip()), None)
        if category is None:
            raise ValidationFailed(
                f"A categoria {new.category.strip()!r} não existe no tipo {type_.name}.", field="category"
            )
        subject = new.subject.strip()
        if subject not in category.subjects:
            raise ValidationFailed(
                f"O assunto {subject!r} não pertence à categoria {category.name}.", field="subject"
            )
        return {
            "title": title,
            "orgao": orgao,
            "type": type_.name,
            "category": category.name,
            "subject": subject,
            "description": description,
        }

    def _validate_files(
        self, desk: DeskDefinition, attachments: tuple[NewAttachment, ...]
    ) -> list[tuple[str, bytes]]:
        info = desk.info
        if len(attachments) > info.max_attachments:
            raise ValidationFailed(
                f"São {len(attachments)} arquivos; o limite é {info.max_attachments} por envio.", field="attachments"
            )
        files: list[tuple[str, bytes]] = []
        for item in attachments:
            name = clean_file_name(item.name)
            if not name:
                raise ValidationFailed("Um dos arquivos não tem nome.", field="attachments")
            if not item.data:
                raise ValidationFailed(f"O arquivo {name!r} está vazio.", field="attachments")
            if len(item.data) > info.max_attachment_bytes:
                raise TooLarge(
                    f"O arquivo {name!r} tem {format_size(len(item.data))}; o limite é "
                    f"{format_size(info.max_attachment_bytes)} por arquivo.",
                    field="attachments",
                )
            files.append((name, item.data))
        return files

    def _attach(self, conn: sqlite3.Connection, ticket_id: int, entry: int, files: list[tuple[str, bytes]],
                digests: list[str], now: datetime) -> None:
        for (name, data), digest in zip(files, digests, strict=True):
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.store.insert_attachment(conn, ticket_id, entry, name, len(data), content_type, digest, now)

    def _new_number(self, conn: sqlite3.Connection, desk: DeskDefinition, seq: int) -> str:
        while True:
            suffix = "".join(self._choice(_SUFFIX_ALPHABET) for _ in range(4))
            number = f"{desk.info.prefix}-{seq:05d}-{suffix}"
            if not self.store.number_exists(conn, number):
                return number


_FORBIDDEN_MARK = "\x00forbidden\x00"
_ROLE_REFUSALS = {
    "resolve": "Somente atendentes e gestores resolvem demandas.",
    "ask": "Somente atendentes e gestores pedem informações ao solicitante.",
}
_STATE_REFUSALS = {
    "cancel": "A demanda está com status “{status}”; só demandas em andamento podem ser canceladas.",
    "resolve": "A demanda está com status “{status}”; só demandas em andamento podem ser resolvidas.",
    "reopen": "A demanda está com status “{status}”; só demandas resolvidas ou canceladas podem ser reabertas.",
}

