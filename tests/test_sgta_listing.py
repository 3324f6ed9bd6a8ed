"""The SGTA listing (``SgtaService.records``) answers exactly as the old read-everything algorithm did.

The listing now filters, counts and windows in SQL, and searches over a few light
columns with the flags worked out only when needed (issue #7). The reference
below is the old algorithm, kept verbatim (its store read included): every query
here must give the same items, order, total, flags and actions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.domain import Page, User
from backend.errors import Forbidden
from backend.sgta.domain import (
    FLAG_LABELS,
    STATUS_LABELS,
    Decision,
    MemberRole,
    RecordQuery,
    SgtaAction,
    SgtaFlag,
    SgtaRecord,
    SgtaRequest,
    SgtaStatus,
)
from backend.sgta.rules import flags_of, is_gestor
from backend.sgta.service import _NO_ACCESS, SgtaService, fold
from backend.sgta.store import RecordRow, _row
from backend.sgta.trails import trail
from tests.tui.data import START, Desk, make_desk

DAP = "DAP – Diretoria de Atos de Pessoal"
JOINVILLE = "Prefeitura Municipal de Joinville"
BLUMENAU = "Prefeitura Municipal de Blumenau"
CHAPECO = "Prefeitura Municipal de Chapecó"
USERS = (
    User("gestor", "Cláudia Pacheco", "claudia@tce.sc.gov.br", "", "Auditora"),
    User("gabi", "Gabriela Souza", "gabriela@tce.sc.gov.br", "", "Auditora"),
    User("ana", "Ana Beatriz Vieira", "ana@joinville.sc.gov.br", "", "Analista"),
    User("beto", "Roberto Kühn", "beto@joinville.sc.gov.br", "", "Supervisor"),
    User("bia", "Beatriz Grün", "bia@blumenau.sc.gov.br", "", "Analista"),
    User("duo", "Dora Zanella", "dora@sc.gov.br", "", "Analista"),
    User("nada", "Nádia Ninguém", "nadia@sc.gov.br", "", "Analista"),
)
NAMES = ("Irineu Kowalski", "Hilda Maria Grün", "Osvaldo Zanella", "João da Silva", "Maria Souza Silva",
         "José Conceição", "Ana Müller", "Luís Araújo")


# -- the reference: the old algorithm, verbatim -----------------------------------------


def reference_records(sgta: SgtaService, actor: str, query: RecordQuery) -> Page[SgtaRecord]:
    """REFERENCE (the old ``SgtaService.records``, before issue #7): read everything, filter in Python."""
    user = sgta.helpdesk.ensure_user(actor)
    member = sgta.membership(user)
    item = trail(query.trail)
    words = sgta._words(query.search)
    if is_gestor(user, member, item):
        units: list[str] | None = None
    elif member.units:
        units = sorted(member.units)
    else:
        raise Forbidden(f"Você não tem acesso à trilha {item.name}. {_NO_ACCESS}")
    rows = _reference_store_records(sgta, item.id, units)
    changes = sgta.db.change_requests([r.id for r, _ in rows])
    now = sgta.now()
    matched: list[RecordRow] = []
    for row, search_text in rows:
        if query.status is not None and row.status is not query.status:
            continue
        if words:
            flags = flags_of(sgta._state(row, changes.get(row.id)), now)
            haystack = " ".join((search_text, fold(STATUS_LABELS[row.status]), fold(row.observation),
                                 fold(row.reserved_by_name or ""), *(fold(FLAG_LABELS[f]) for f in flags),
                                 str(row.id)))
            if not all(w in haystack for w in words):
                continue
        matched.append(row)
    window = [sgta._record(user, member, row, changes.get(row.id), now)
              for row in matched[query.offset:query.offset + query.limit]]
    return Page(items=tuple(window), total=len(matched), offset=query.offset, limit=query.limit)


def _reference_store_records(sgta: SgtaService, trail_id: str, units: list[str] | None) -> list[tuple[RecordRow, str]]:
    """REFERENCE (the old ``SgtaStore.records``): every record of the trail with its search text."""
    columns = ("r.id, r.trail, r.unit, r.vals, r.status, r.observation, r.reserved_by, u.name, r.created_at,"
               " r.updated_at, r.due_at, r.monitor_until, r.justified_at, r.invoked_at, r.draft, r.version,"
               " (SELECT count(*) FROM sgta_docs d WHERE d.record_id = r.id)")
    sql = (f"SELECT {columns}, r.search_text FROM sgta_records r"
           " LEFT JOIN users u ON u.login = r.reserved_by WHERE r.trail = ?")
    params: list[Any] = [trail_id]
    if units is not None:
        sql += f" AND r.unit IN ({', '.join('?' for _ in units)})"
        params.extend(units)
    rows = sgta.db.conn.execute(sql + " ORDER BY r.id", params).fetchall()
    return [(_row(r), r[17]) for r in rows]


# -- the store -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The "obito" trail with records in every status and every flag, in three units (plus another trail)."""
    made = make_desk(tmp_path_factory.mktemp("sgta") / "demandas.db", users=USERS)
    sgta = SgtaService(made.service)
    for login, role, place in (("gestor", MemberRole.GESTOR, DAP), ("gabi", MemberRole.GESTOR, DAP),
                               ("ana", MemberRole.ANALYST, JOINVILLE), ("beto", MemberRole.ANALYST, JOINVILLE),
                               ("bia", MemberRole.ANALYST, BLUMENAU), ("duo", MemberRole.ANALYST, BLUMENAU),
                               ("duo", MemberRole.ANALYST, CHAPECO)):
        sgta.add_member(login, role, place)
    units = (JOINVILLE, BLUMENAU, CHAPECO)
    lines = ["Unidade Gestora;CPF;Beneficiário;Data do óbito;Valor pago"]
    for n in range(60):
        lines.append(f"{units[n % 3]};***.{n:03d}.889-**;{NAMES[n % len(NAMES)]};0{n % 9 + 1}/02/2024;R$ {n},33")
    # Loaded twice, at two moments: two due dates, one already past at START.
    made.clock.now = START - timedelta(days=40)
    first = sgta.import_csv("gestor", "obito", "\n".join(lines[:31]).encode()).first_id or 1
    made.clock.now = START - timedelta(days=10)
    sgta.import_csv("gestor", "obito", "\n".join([lines[0], *lines[31:]]).encode())
    sgta.import_csv("gestor", "acumulacao", (
        "Unidade Gestora;Matrícula;Servidor;Cargos acumulados\n"
        f"{JOINVILLE};1;João da Silva;Professor + Médico\n").encode())
    analyst = {JOINVILLE: "ana", BLUMENAU: "bia", CHAPECO: "duo"}

    def act(login: str, record: int, request: SgtaRequest, at: datetime) -> None:
        made.clock.now = at
        sgta.act(login, record, request)

    for n in range(60):
        record = first + n
        who = analyst[units[n % 3]]
        stage = n % 12
        # Some justified before their deadline, some after (late), some never (pending/opened/returned).
        moment = START - timedelta(days=35 if n % 2 else 5)
        if stage == 1:
            act(who, record, SgtaRequest(SgtaAction.OPEN), moment)
        if stage >= 2:
            act(who, record, SgtaRequest(SgtaAction.JUSTIFY, agree=n % 2 == 0, text="Justificativa."), moment)
        if stage in (3, 4, 5, 6, 7, 8, 9, 10):
            act("gestor", record, SgtaRequest(SgtaAction.ANALYSE), moment + timedelta(hours=1))
        if stage == 4:
            act("gestor", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.ARCHIVE, text="Ok."),
                moment + timedelta(hours=2))
        if stage in (5, 6):
            # Monitoring until a day after START (in force) or before it (expired).
            until = (START + timedelta(days=1 if stage == 5 else -2)).astimezone().date()
            act("gestor", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.MONITOR, text="Acompanhar.",
                                              until=until), START - timedelta(days=4))
        if stage == 7:
            act("gestor", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.RETURN, text="Complete."),
                moment + timedelta(hours=2))
        if stage in (8, 9, 10):
            act(who, record, SgtaRequest(SgtaAction.REQUEST_CHANGE, text="Anexar a guia."), moment + timedelta(hours=3))
        if stage in (9, 10):
            act("gestor", record, SgtaRequest(SgtaAction.DECIDE_CHANGE, accept=stage == 9, text="Decidido."),
                moment + timedelta(hours=4))
        if n == 10:
            # A second request after a refusal: the latest one (pending) is what counts.
            act(who, record, SgtaRequest(SgtaAction.REQUEST_CHANGE, text="De novo."), moment + timedelta(hours=5))
        if n % 5 == 0 and stage != 4 and stage not in (5, 6):
            observation = ("Conferir a certidão de óbito no cartório de Chapecó", "Ação judicial em curso",
                           "OBSERVAÇÃO PRÉVIA")[n % 3]
            act("gestor", record, SgtaRequest(SgtaAction.OBSERVE, text=observation), moment + timedelta(hours=6))
        if stage == 11:
            act("gabi", record, SgtaRequest(SgtaAction.DISTRIBUTE, to="gestor"), moment + timedelta(hours=1))
    made.clock.now = START
    yield made
    made.service.store.close()


SEARCHES = ("", "silva", "SILVA", "grun", "Grün", "zanella joinville", "chapeco", "chapecó", "certidao", "ÓBITO",
            "observacao", "previa", "acao judicial", "pendente", "em análise", "analise", "justificado", "concluido",
            "devolvido", "monitoramento", "em monitoramento", "vencido", "alteracao", "alteração solicitada",
            "aceita", "recusada", "prazo", "descumprido", "prazo de justificativa descumprido", "cláudia",
            "claudia pacheco", "pacheco", "ana", "gabriela", "7", "12", "1", "33", "r$", "***", "silva descumprido",
            "silva alteracao", "xyz", "joinville em análise", "blumenau monitoramento vencido", "kühn", "ndent",
            "volv ado", "o", "e silva", "a\x00b", "89", "0", "judicial 1")
STATUSES = (None, *SgtaStatus)
WINDOWS = ((0, 50), (0, 1), (3, 7), (55, 50), (200, 50))
ACTORS = ("gestor", "gabi", "ana", "bia", "duo")


def _same(expected: Page[SgtaRecord], got: Page[SgtaRecord]) -> None:
    assert got.total == expected.total
    assert (got.offset, got.limit) == (expected.offset, expected.limit)
    assert [r.id for r in got.items] == [r.id for r in expected.items]
    assert got.items == expected.items  # every field: values, flags, actions, dates, versions, names


def test_the_store_has_every_status_flag_and_change(desk: Desk) -> None:
    sgta = SgtaService(desk.service)
    page = reference_records(sgta, "gestor", RecordQuery(trail="obito", limit=100))
    assert page.total == 60  # the other trail stays out
    assert {r.status for r in page.items} == set(SgtaStatus)
    assert {f for r in page.items for f in r.flags} == set(SgtaFlag)
    assert any(r.observation for r in page.items) and any(r.reserved_by_name for r in page.items)


@pytest.mark.parametrize("actor", ACTORS)
def test_listing_matches_the_reference_for_every_query(desk: Desk, actor: str) -> None:
    sgta = SgtaService(desk.service)
    checked = 0
    for search, status, (offset, limit) in itertools.product(SEARCHES, STATUSES, WINDOWS):
        query = RecordQuery(trail="obito", search=search, status=status, offset=offset, limit=limit)
        _same(reference_records(sgta, actor, query), sgta.records(actor, query))
        checked += 1
    assert checked == len(SEARCHES) * len(STATUSES) * len(WINDOWS)


def test_time_dependent_flags_match_the_reference_as_time_passes(desk: Desk) -> None:
    """Deadlines and monitoring expire: searching a flag word follows the clock, as before."""
    sgta = SgtaService(desk.service)
    try:
        for days in (-40, -1, 0, 0.5, 1, 1.4, 2, 19.5, 20, 20.5, 25, 400):
            desk.clock.now = START + timedelta(days=days)
            for actor, search in itertools.product(("gestor", "bia"), ("descumprido", "monitoramento", "vencido",
                                                                       "em monitoramento", "silva prazo")):
                query = RecordQuery(trail="obito", search=search, limit=100)
                _same(reference_records(sgta, actor, query), sgta.records(actor, query))
    finally:
        desk.clock.now = START


def test_outsiders_are_refused_as_before(desk: Desk) -> None:
    sgta = SgtaService(desk.service)
    for search in ("", "silva"):
        query = RecordQuery(trail="obito", search=search)
        with pytest.raises(Forbidden) as expected:
            reference_records(sgta, "nada", query)
        with pytest.raises(Forbidden) as got:
            sgta.records("nada", query)
        assert str(got.value) == str(expected.value)


def test_ids_and_search_text_are_matched_as_substrings(desk: Desk) -> None:
    sgta = SgtaService(desk.service)
    some = sgta.records("gestor", RecordQuery(trail="obito", limit=100)).items[17]
    found = sgta.records("gestor", RecordQuery(trail="obito", search=str(some.id), limit=100))
    assert some.id in [r.id for r in found.items]
    _same(reference_records(sgta, "gestor", RecordQuery(trail="obito", search=str(some.id), limit=100)), found)
