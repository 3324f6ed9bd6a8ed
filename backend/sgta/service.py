"""The SGTA service: import, list and work audit-trail records, over the helpdesk's store.

Every public method takes the acting user's login first and returns SGTA domain
objects or raises a :class:`backend.errors.DemandasError` with a pt-BR message.
The clock is the helpdesk service's, so tests move time for both at once.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from backend.domain import NewAttachment, Page, User
from backend.errors import Conflict, Forbidden, NotFound, StaleVersion, TooLarge, ValidationFailed
from backend.rules import Refusal
from backend.service import MAX_MONITOR_DAYS, MAX_PAGE, HelpdeskService, clean_file_name, file_extension
from backend.sgta import csv_import
from backend.sgta.domain import (
    FLAG_LABELS,
    MAX_DOC_BYTES,
    MAX_DOCS,
    STATUS_LABELS,
    ChangeMark,
    ChangeRequest,
    Decision,
    GestorLoad,
    ImportResult,
    MemberRole,
    RecordQuery,
    SgtaCounts,
    SgtaDoc,
    SgtaFlag,
    SgtaRecord,
    SgtaRequest,
    SgtaStatus,
    Trail,
    TrailSummary,
)
from backend.sgta.rules import Membership, RecordState, actions_for, can_see, flags_at, flags_of, is_gestor, why_not
from backend.sgta.store import RecordRow, SgtaStore
from backend.sgta.trails import areas, trail, trails
from backend.store import from_db_time, to_db_time
from backend.text import format_date, format_size

#: The word that, typed in the trail search, keeps only the trails the user may access (seed 001).
PERMITTED_WORD = "permitido"
MAX_TEXT = 4000
MAX_OBSERVATION = 1000
#: PDF, text documents and spreadsheets (seed: "arquivos PDF, documentos de texto e planilhas eletrônicas").
DOC_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
}
Conn = sqlite3.Connection
_NO_ACCESS = ("Para ter o acesso é necessário solicitar ao Gestor responsável a alteração pelo Sistema de "
              "Gerenciamento de Identidade – SGI.")


def fold(text: str) -> str:
    """Lower case without accents, for searching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A listing's search folds these for every record: once is enough.
_STATUS_FOLDED: dict[str, str] = {s.value: fold(label) for s, label in STATUS_LABELS.items()}
_FLAG_FOLDED: dict[SgtaFlag, str] = {f: fold(label) for f, label in FLAG_LABELS.items()}


def _required(text: str, message: str, limit: int = MAX_TEXT, what: str = "O texto") -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed(message, field="text")
    if len(text) > limit:
        raise ValidationFailed(f"{what} tem {len(text)} caracteres; o limite é {limit}.", field="text")
    return text


class SgtaService:
    """SGTA's rules applied to the helpdesk's store (users, files and clock are shared)."""

    def __init__(self, helpdesk: HelpdeskService, clock: Callable[[], datetime] | None = None) -> None:
        self.helpdesk = helpdesk
        self.db = SgtaStore(helpdesk.store)
        # The demo data backdates some work; everyone else follows the helpdesk's clock.
        self._clock = clock

    def now(self) -> datetime:
        """The helpdesk's clock (or the one given)."""
        return self._clock() if self._clock is not None else self.helpdesk.clock()

    # -- members -------------------------------------------------------------

    def membership(self, user: User) -> Membership:
        """The areas ``user`` is gestor of and the units they justify for."""
        found = self.db.memberships(user.login)
        return Membership(areas=frozenset(p for r, p in found if r is MemberRole.GESTOR),
                          units=frozenset(p for r, p in found if r is MemberRole.ANALYST))

    def add_member(self, login: str, role: MemberRole, place: str) -> User:
        """Make ``login`` gestor of an area or supervisor/analyst of a unit (administration, seeding)."""
        user = self.helpdesk.ensure_user(login)
        place = place.strip()
        if role is MemberRole.GESTOR and place not in areas():
            raise ValidationFailed(f"Área desconhecida: {place!r}. Áreas do SGTA: {', '.join(areas())}.",
                                   field="area")
        if not place:
            raise ValidationFailed("Informe a unidade.", field="unit")
        with self.helpdesk.store.write() as conn:
            self.db.add_member(conn, user.login, role, place)
        return user

    def members(self) -> list[tuple[str, str, MemberRole, str]]:
        """Every membership: (login, name, role, area or unit)."""
        return self.db.members()

    # -- trails ----------------------------------------------------------------

    def trails(self, actor: str, search: str = "") -> list[TrailSummary]:
        """The trail selection table; "permitido" among the words keeps only the trails the user may access."""
        user = self.helpdesk.ensure_user(actor)
        member = self.membership(user)
        words = self._words(search)
        only_permitted = PERMITTED_WORD in words
        words = [w for w in words if w != PERMITTED_WORD]
        counts = self.db.trail_counts(None)
        mine = self.db.trail_counts(sorted(member.units)) if member.units else {}
        result = []
        for item in trails():
            gestor = is_gestor(user, member, item)
            permitted = gestor or bool(mine.get(item.id))
            by_status = counts.get(item.id, {}) if gestor else mine.get(item.id, {})
            statuses = " ".join(STATUS_LABELS[s] for s, n in by_status.items() if n)
            haystack = fold(f"{item.id} {item.name} {item.area} {item.description} {statuses}")
            if only_permitted and not permitted:
                continue
            if not all(w in haystack for w in words):
                continue
            result.append(TrailSummary(
                trail=item,
                permitted=permitted,
                total=sum(by_status.values()),
                awaiting_justification=sum(by_status.get(s, 0) for s in (
                    SgtaStatus.PENDENTE, SgtaStatus.EM_ANALISE_UNIDADE, SgtaStatus.DEVOLVIDO)),
                awaiting_analysis=sum(by_status.get(s, 0) for s in (
                    SgtaStatus.JUSTIFICADO, SgtaStatus.EM_ANALISE_GESTOR)),
                concluded=by_status.get(SgtaStatus.CONCLUIDO, 0),
            ))
        return result

    def gestores(self, actor: str, trail_id: str) -> list[GestorLoad]:
        """The gestores of the trail's area with how many records each analyses now (distribution)."""
        user = self.helpdesk.ensure_user(actor)
        item = trail(trail_id)
        if not is_gestor(user, self.membership(user), item):
            raise Forbidden(f"Somente os Gestores da área {item.area} distribuem registros da trilha {item.name}.")
        area_trails = [t.id for t in trails() if t.area == item.area]
        return [GestorLoad(login, name, count) for login, name, count in self.db.gestor_loads(item.area, area_trails)]

    def trail(self, actor: str, trail_id: str) -> Trail:
        """One trail's definition."""
        self.helpdesk.ensure_user(actor)
        return trail(trail_id)

    @staticmethod
    def _words(search: str) -> list[str]:
        if len(search) > 200:
            raise ValidationFailed("A busca tem mais de 200 caracteres.", field="search")
        return fold(search).split()

    # -- import ----------------------------------------------------------------

    def import_csv(self, actor: str, trail_id: str, data: bytes) -> ImportResult:
        """Load a trail's records from CSV (all or nothing); gestores of the trail's area only."""
        user = self.helpdesk.ensure_user(actor)
        item = trail(trail_id)
        if not is_gestor(user, self.membership(user), item):
            raise Forbidden(f"Somente os Gestores da área {item.area} importam registros da trilha {item.name}.")
        rows = csv_import.parse(item, csv_import.decode(data))
        now = self.now()
        due = now + timedelta(days=item.justification_days)
        ids: list[int] = []
        with self.helpdesk.store.write() as conn:
            for values in rows:
                search = fold(" ".join(values.values()))
                record_id = self.db.insert_record(conn, item.id, values[item.unit_column], values, now, due, search)
                self.db.add_event(conn, record_id, "importacao", user.login, now,
                                  text=f"Registro carregado na trilha {item.name}; prazo de justificativa até "
                                       f"{format_date(due)}.", status_to=SgtaStatus.PENDENTE)
                ids.append(record_id)
        return ImportResult(trail=item.id, count=len(ids), first_id=ids[0], last_id=ids[-1])

    # -- listing and detail ----------------------------------------------------

    def records(self, actor: str, query: RecordQuery) -> Page[SgtaRecord]:
        """A page of a trail's records the user may see, filtered by the search words and status."""
        user = self.helpdesk.ensure_user(actor)
        member = self.membership(user)
        item = trail(query.trail)
        if query.limit < 1 or query.limit > MAX_PAGE:
            raise ValidationFailed(f"O tamanho da página deve estar entre 1 e {MAX_PAGE}.", field="limit")
        if query.offset < 0:
            raise ValidationFailed("O deslocamento da página não pode ser negativo.", field="offset")
        words = self._words(query.search)
        if is_gestor(user, member, item):
            units: list[str] | None = None
        elif member.units:
            units = sorted(member.units)
        else:
            raise Forbidden(f"Você não tem acesso à trilha {item.name}. {_NO_ACCESS}")
        now = self.now()
        # Several reads make the page: they see one state of the database, as the single read of old did.
        with self.helpdesk.store.snapshot():
            if words:
                ids = self._matching(item.id, units, query.status, words, now)
                total = len(ids)
                rows = self.db.records_by_id(ids[query.offset:query.offset + query.limit])
            else:
                # Filter, count and window in SQL: a trail may hold tens of thousands of records.
                total = self.db.count_records(item.id, units, query.status)
                rows = self.db.record_page(item.id, units, query.status, query.offset, query.limit)
            # Change requests, flags and actions are worked out for the page only.
            changes = self.db.change_requests([row.id for row in rows])
        window = [self._record(user, member, row, changes.get(row.id), now) for row in rows]
        return Page(items=tuple(window), total=total, offset=query.offset, limit=query.limit)

    def _matching(self, trail_id: str, units: list[str] | None, status: SgtaStatus | None,
                  words: list[str], now: datetime) -> list[int]:
        """The ids, in order, of the records whose search haystack holds every word.

        The haystack is the record's search text, status label, observation, reserver's name, flag labels and
        id, each folded. A word (no spaces) is in it when it is in one of them, so the flags (which need the
        change requests and the dates parsed) are worked out only for the words the rest does not hold; folded
        texts and parsed dates are remembered per distinct value (most records share them).
        """
        folded: dict[str, str] = {"": ""}
        times: dict[str, datetime] = {}
        flag_texts: dict[tuple[str, str | None, str, str | None, ChangeMark], str] = {}
        marks: dict[int, ChangeMark] | None = None

        def fold_once(text: str) -> str:
            found = folded.get(text)
            if found is None:
                found = folded[text] = fold(text)
            return found

        def time_of(text: str) -> datetime:
            found = times.get(text)
            if found is None:
                found = times[text] = from_db_time(text)
            return found

        # SQLite drops the records that cannot hold a word, before any of them reaches Python: a word that no
        # flag label holds can only be in the search text, the id, the status label, the observation or the
        # reserver's name. Words a flag label may hold (and odd ones, with NUL) are left to the loop below.
        prefilter = [(w, [s for s in SgtaStatus if w in _STATUS_FOLDED[s.value]]) for w in dict.fromkeys(words)
                     if "\x00" not in w and not any(w in label for label in _FLAG_FOLDED.values())]
        matched: list[int] = []
        for record_id, status_value, observation, name, due, monitor, justified, search_text in self.db.record_keys(
                trail_id, units, status, prefilter):
            static = " ".join((search_text, _STATUS_FOLDED[status_value], fold_once(observation),
                               fold_once(name or ""), str(record_id)))
            rest = [w for w in words if w not in static]
            if rest:
                if marks is None:
                    marks = self.db.change_marks(trail_id)
                key = (status_value, monitor, due, justified, marks.get(record_id, ""))
                flags = flag_texts.get(key)
                if flags is None:
                    flags = flag_texts[key] = " ".join(_FLAG_FOLDED[f] for f in flags_at(
                        SgtaStatus(status_value), time_of(monitor) if monitor else None, time_of(due),
                        time_of(justified) if justified else None, key[4], now))
                if not all(w in flags for w in rest):
                    continue
            matched.append(record_id)
        return matched

    def record(self, actor: str, record_id: int) -> SgtaRecord:
        """A record with its justification, change request, documents and events."""
        user = self.helpdesk.ensure_user(actor)
        member = self.membership(user)
        row = self._visible(user, member, record_id)
        change = self.db.change_requests([row.id]).get(row.id)
        base = self._record(user, member, row, change, self.now())
        return SgtaRecord(
            **{name: getattr(base, name) for name in (
                "id", "trail", "unit", "values", "status", "observation", "reserved_by", "reserved_by_name", "docs",
                "flags", "created_at", "updated_at", "due_at", "version", "monitor_until", "invoked_at", "actions")},
            justification=self.db.justification(row.id),
            change_request=change,
            # The gestor's unfinished opinion is the gestor side's business.
            draft=row.draft if is_gestor(user, member, trail(row.trail)) else "",
            events=tuple(self.db.events(row.id)),
            documents=tuple(doc for doc, _ in self.db.docs(row.id)),
        )

    def download(self, actor: str, record_id: int, doc_id: int) -> tuple[SgtaDoc, bytes]:
        """A document of a record and its bytes."""
        user = self.helpdesk.ensure_user(actor)
        row = self._visible(user, self.membership(user), record_id)
        found = next(((d, digest) for d, digest in self.db.docs(row.id) if d.id == doc_id), None)
        if found is None:
            raise NotFound(f"Documento {doc_id} não encontrado no registro {row.id}.")
        try:
            return found[0], self.helpdesk.store.read_file(found[1])
        except OSError as exc:
            raise NotFound(f"O conteúdo do documento {found[0].name!r} não está disponível.") from exc

    def counts(self, actor: str) -> SgtaCounts:
        """The home screen's SGTA alerts for this user."""
        user = self.helpdesk.ensure_user(actor)
        member = self.membership(user)
        now = self.now()
        gestor_trails = [t.id for t in trails() if is_gestor(user, member, t)]
        result = SgtaCounts()
        if gestor_trails:
            marks = ", ".join("?" for _ in gestor_trails)
            side = ", ".join(f"'{s.value}'" for s in (SgtaStatus.JUSTIFICADO, SgtaStatus.EM_ANALISE_GESTOR))
            result = SgtaCounts(
                awaiting_analysis=self.db.count_where(f"trail IN ({marks}) AND status IN ({side})", gestor_trails),
                change_requests=self.db.count_where(
                    f"trail IN ({marks}) AND EXISTS (SELECT 1 FROM sgta_change_requests c WHERE c.record_id = r.id"
                    " AND c.accepted IS NULL)", gestor_trails),
                monitoring_expired=self.db.count_where(
                    f"trail IN ({marks}) AND status = 'concluido' AND monitor_until < ?",
                    [*gestor_trails, to_db_time(now)]),
                awaiting_distribution=self.db.count_where(f"trail IN ({marks}) AND status = 'justificado'",
                                                          gestor_trails),
            )
        if member.units:
            units = sorted(member.units)
            marks = ", ".join("?" for _ in units)
            side = ", ".join(f"'{s.value}'" for s in (SgtaStatus.PENDENTE, SgtaStatus.EM_ANALISE_UNIDADE,
                                                      SgtaStatus.DEVOLVIDO))
            result = replace(result, awaiting_justification=self.db.count_where(
                f"unit IN ({marks}) AND status IN ({side})", units))
        return result

    # -- actions ---------------------------------------------------------------

    def act(self, actor: str, record_id: int, request: SgtaRequest) -> SgtaRecord:
        """Do one action on a record, if the rules allow it now; returns the record as it is after."""
        user = self.helpdesk.ensure_user(actor)
        member = self.membership(user)
        row = self._visible(user, member, record_id)
        if request.expected_version is not None and request.expected_version != row.version:
            raise StaleVersion(self._stale(row.version))
        change = self.db.change_requests([row.id]).get(row.id)
        state = self._state(row, change)
        now = self.now()
        refusal = why_not(request.action, user, member, state, now)
        if refusal:
            raise refusal.error()
        handler = getattr(self, f"_do_{request.action.name.lower()}")
        files = self._files(request.attachments)
        digests = [self.helpdesk.store.put_file(data) for _, data, _ in files]
        with self.helpdesk.store.write() as conn:
            if self.db.version(conn, row.id) != row.version:
                raise StaleVersion(self._stale(self.db.version(conn, row.id)))
            handler(conn, user, row, state, request, now)
            for (name, data, kind), digest in zip(files, digests, strict=True):
                self.db.add_doc(conn, row.id, name, len(data), kind, digest, user.login, now)
            if files:
                names = ", ".join(name for name, _, _ in files)
                self.db.add_event(conn, row.id, "anexo", user.login, now, text=f"Documentos anexados: {names}.")
                self.db.update(conn, row.id, now)
        return self.record(actor, record_id)

    @staticmethod
    def _stale(current: int) -> str:
        return (f"O registro foi alterado por outra pessoa desde que você o abriu. Atualize-o (versão atual: "
                f"{current}) e refaça a ação, se ainda fizer sentido.")

    def _move(self, conn: Conn, user: User, row: RecordRow, target: SgtaStatus, now: datetime, kind: str,
              text: str, **values: object) -> None:
        self.db.update(conn, row.id, now, status=target, **values)
        self.db.add_event(conn, row.id, kind, user.login, now, text=text,
                          status_from=row.status if target is not row.status else None,
                          status_to=target if target is not row.status else None)

    def _reserve_text(self, user: User, row: RecordRow) -> str:
        if row.reserved_by and row.reserved_by != user.login:
            return f"Reserva transferida de {row.reserved_by_name} para {user.name}."
        return f"Em análise por {user.name}."

    def _do_open(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                 now: datetime) -> None:
        self._move(conn, user, row, SgtaStatus.EM_ANALISE_UNIDADE, now, "reserva", self._reserve_text(user, row),
                   reserved_by=user.login, reserved_at=now)

    def _do_justify(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                    now: datetime) -> None:
        if req.agree is None:
            raise ValidationFailed("Informe se concorda ou discorda da inconsistência.", field="agree")
        text = _required(req.text, "Escreva a justificativa.", what="A justificativa")
        self.db.add_justification(conn, row.id, req.agree, text, user.login, now)
        verdict = "Concorda com a inconsistência" if req.agree else "Discorda da inconsistência"
        first = row.justified_at or now
        self._move(conn, user, row, SgtaStatus.JUSTIFICADO, now, "justificativa", f"{verdict}: {text}",
                   reserved_by=None, reserved_at=None, justified_at=first)

    def _do_request_change(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                           now: datetime) -> None:
        text = _required(req.text, "Descreva a alteração que deseja fazer na justificativa.", what="O pedido")
        self.db.add_change_request(conn, row.id, text, user.login, now)
        self._move(conn, user, row, row.status, now, "pedido_alteracao", f"Pedido de alteração: {text}")

    def _do_attach(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                   now: datetime) -> None:
        if not req.attachments:
            raise ValidationFailed("Escolha ao menos um arquivo para anexar.", field="attachments")

    def _do_observe(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                    now: datetime) -> None:
        text = _required(req.text, "Escreva a observação.", MAX_OBSERVATION, "A observação")
        self._move(conn, user, row, row.status, now, "observacao", f"Observação: {text}", observation=text)

    def _do_analyse(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                    now: datetime) -> None:
        self._move(conn, user, row, SgtaStatus.EM_ANALISE_GESTOR, now, "reserva", self._reserve_text(user, row),
                   reserved_by=user.login, reserved_at=now)

    def _do_validate(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                     now: datetime) -> None:
        if req.decision is None:
            raise ValidationFailed("Escolha o parecer: arquivar, monitorar, devolver ou salvar rascunho.",
                                   field="decision")
        text = _required(req.text, "Escreva o parecer sobre a justificativa.", what="O parecer")
        if req.decision is Decision.DRAFT:
            self._move(conn, user, row, SgtaStatus.EM_ANALISE_GESTOR, now, "rascunho",
                       "Parecer salvo como rascunho; o registro continua reservado.", draft=text,
                       reserved_by=user.login, reserved_at=now)
        elif req.decision is Decision.ARCHIVE:
            self._move(conn, user, row, SgtaStatus.CONCLUIDO, now, "parecer", f"Arquivado: {text}", draft="",
                       reserved_by=None, reserved_at=None, monitor_until=None)
        elif req.decision is Decision.MONITOR:
            end = self._monitor_end(req.until, now)
            self._move(conn, user, row, SgtaStatus.CONCLUIDO, now, "parecer",
                       f"Em monitoramento até {format_date(end)}: {text}", draft="", reserved_by=None,
                       reserved_at=None, monitor_until=end)
        else:
            self._move(conn, user, row, SgtaStatus.DEVOLVIDO, now, "parecer", f"Devolvido à unidade: {text}",
                       draft="", reserved_by=None, reserved_at=None)

    @staticmethod
    def _monitor_end(until: date | None, now: datetime) -> datetime:
        if until is None:
            raise ValidationFailed("Informe a data até quando o registro fica em monitoramento.", field="until")
        today = now.astimezone().date()
        if until <= today:
            raise ValidationFailed(f"A data do monitoramento deve ser futura: {until.strftime('%d/%m/%Y')} não "
                                   "é depois de hoje.", field="until")
        if until > today + timedelta(days=MAX_MONITOR_DAYS):
            raise ValidationFailed("A data do monitoramento deve estar nos próximos 5 anos.", field="until")
        # Monitoring lasts through the whole day chosen, in local time.
        return datetime.combine(until, time(23, 59, 59)).astimezone()

    def _do_decide_change(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                          now: datetime) -> None:
        assert state.pending_change is not None
        if req.accept is None:
            raise ValidationFailed("Informe se aceita ou recusa o pedido de alteração.", field="accept")
        text = _required(req.text, "Justifique a decisão sobre o pedido de alteração (aceitando ou não).",
                         what="A justificativa")
        asked = state.pending_change
        self.db.decide_change(conn, asked.id, req.accept, user.login, text, now)
        if req.accept:
            # Back to the analyst who asked, reserved to them (seed: "reservado para ... quem pediu").
            self._move(conn, user, row, SgtaStatus.EM_ANALISE_UNIDADE, now, "decisao_alteracao",
                       f"Pedido de alteração aceito: {text}", reserved_by=asked.author_login, reserved_at=now)
        else:
            self._move(conn, user, row, row.status, now, "decisao_alteracao", f"Pedido de alteração recusado: {text}")

    def _do_change_monitoring(self, conn: Conn, user: User, row: RecordRow, state: RecordState,
                              req: SgtaRequest, now: datetime) -> None:
        end = self._monitor_end(req.until, now)
        extra = f": {req.text.strip()}" if req.text.strip() else "."
        self._move(conn, user, row, row.status, now, "monitoramento",
                   f"Prazo do monitoramento alterado para {format_date(end)}{extra}", monitor_until=end)

    def _do_end_monitoring(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                           now: datetime) -> None:
        extra = f": {req.text.strip()}" if req.text.strip() else "."
        self._move(conn, user, row, row.status, now, "monitoramento", f"Monitoramento encerrado e registro "
                   f"arquivado{extra}", monitor_until=None)

    def _do_reopen(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                   now: datetime) -> None:
        text = _required(req.text, "Informe uma justificativa para reabrir o registro.", what="A justificativa")
        self._move(conn, user, row, SgtaStatus.EM_ANALISE_GESTOR, now, "reabertura", f"Reaberto: {text}",
                   reserved_by=user.login, reserved_at=now, monitor_until=None)

    def _do_distribute(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                       now: datetime) -> None:
        login = (req.to or "").strip().lower()
        if not login:
            raise ValidationFailed("Escolha o Gestor que vai analisar o registro.", field="to")
        target = self.helpdesk.store.get_user(login)
        if target is None or state.trail.area not in self.membership(target).areas:
            raise ValidationFailed(f"{login} não é Gestor da área {state.trail.area}.", field="to")
        if row.reserved_by == target.login and row.status is SgtaStatus.EM_ANALISE_GESTOR:
            raise Conflict(f"O registro já está com {target.name}.")
        self._move(conn, user, row, SgtaStatus.EM_ANALISE_GESTOR, now, "distribuicao",
                   f"Distribuído para {target.name}.", reserved_by=target.login, reserved_at=now)

    def _do_invoke(self, conn: Conn, user: User, row: RecordRow, state: RecordState, req: SgtaRequest,
                   now: datetime) -> None:
        extra = f": {req.text.strip()}" if req.text.strip() else "."
        self._move(conn, user, row, row.status, now, "invocacao",
                   f"Registro invocado pelo TCE por falta de justificativa no prazo{extra}", invoked_at=now)

    # -- internals -------------------------------------------------------------

    def _files(self, attachments: Sequence[NewAttachment]) -> list[tuple[str, bytes, str]]:
        if len(attachments) > MAX_DOCS:
            raise ValidationFailed(f"São {len(attachments)} arquivos; o limite é {MAX_DOCS} por envio.",
                                   field="attachments")
        files = []
        for item in attachments:
            name = clean_file_name(item.name)
            if not name:
                raise ValidationFailed("Um dos arquivos não tem nome.", field="attachments")
            kind = DOC_TYPES.get(file_extension(name))
            if kind is None:
                raise ValidationFailed(f"O tipo do arquivo {name!r} não é aceito: anexe PDF, documentos de texto "
                                       f"ou planilhas ({', '.join(DOC_TYPES)}).", field="attachments")
            if not item.data:
                raise ValidationFailed(f"O arquivo {name!r} está vazio.", field="attachments")
            if len(item.data) > MAX_DOC_BYTES:
                raise TooLarge(f"O arquivo {name!r} tem {format_size(len(item.data))}; o limite é "
                               f"{format_size(MAX_DOC_BYTES)} por arquivo.", field="attachments")
            files.append((name, item.data, kind))
        return files

    def _visible(self, user: User, member: Membership, record_id: int) -> RecordRow:
        row = self.db.get(record_id)
        if row is None:
            raise NotFound(f"Registro {record_id} não encontrado.")
        refusal: Refusal | None = can_see(user, member, self._state(row, None))
        if refusal:
            raise refusal.error()
        return row

    @staticmethod
    def _state(row: RecordRow, change: ChangeRequest | None) -> RecordState:
        pending = change if change is not None and change.accepted is None else None
        return RecordState(id=row.id, trail=trail(row.trail), unit=row.unit, status=row.status,
                           reserved_by=row.reserved_by, due_at=row.due_at, monitor_until=row.monitor_until,
                           justified_at=row.justified_at, invoked_at=row.invoked_at, pending_change=pending,
                           last_change=change if pending is None else None)

    def _record(self, user: User, member: Membership, row: RecordRow, change: ChangeRequest | None,
                now: datetime) -> SgtaRecord:
        state = self._state(row, change)
        return SgtaRecord(
            id=row.id, trail=row.trail, unit=row.unit, values=dict(row.values), status=row.status,
            observation=row.observation, reserved_by=row.reserved_by, reserved_by_name=row.reserved_by_name,
            docs=row.docs, flags=flags_of(state, now), created_at=row.created_at, updated_at=row.updated_at,
            due_at=row.due_at, version=row.version, monitor_until=row.monitor_until, invoked_at=row.invoked_at,
            actions=actions_for(user, member, state, now),
        )

