"""The demo seed: users, realistic tickets, timelines, numbering, speed of the bulk path."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backend.desks import load_desk
from backend.domain import NewTicket, Role, Scope, StatusClass, TicketQuery, User
from backend.errors import Conflict
from backend.seed import DEMO_LOGINS, EXAMPLE_TICKET, HISTORY_DAYS, SOLICITANTE, seed_demo
from backend.service import HelpdeskService
from backend.store import Store, from_db_time, to_db_time

NOW = datetime(2024, 6, 3, 15, 30, tzinfo=UTC)
NUMBER = re.compile(r"^CAGE-\d{5,}-[A-Z0-9]{4}$")


def make_service(path: Path, now: datetime = NOW) -> HelpdeskService:
    return HelpdeskService(Store(path), clock=lambda: now)


@pytest.fixture
def seeded(tmp_path: Path) -> HelpdeskService:
    service = make_service(tmp_path / "seed.db")
    seed_demo(service, 600, os_login="maria", os_name="Maria Clara Souza", now=NOW)
    return service


def dump(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM timeline ORDER BY id").fetchall(),
            conn.execute("SELECT login, name, email, phone, cargo, role, areas FROM users ORDER BY login").fetchall(),
            conn.execute("SELECT * FROM desk_sequences").fetchall(),
        )
    finally:
        conn.close()


def test_demo_users_have_full_profiles_and_roles(seeded: HelpdeskService) -> None:
    users = {u.login: u for u in seeded.store.list_users()}
    assert users["solicitante"].name == "Fernando Sidarta Bastos dos Santos"
    assert users["solicitante"].role is Role.REQUESTER
    assert users["atendente"].role is Role.AGENT and users["atendente2"].role is Role.AGENT
    assert users["gestor"].role is Role.MANAGER
    desk = load_desk("ecage")
    assert set(users["gestor"].areas) == set(desk.info.areas)
    assert users["atendente"].areas and set(users["atendente"].areas) <= set(desk.info.areas)
    for login in DEMO_LOGINS:
        assert users[login].profile_complete, login
    # The OS user is a real person: created as a requester, profile left for "Meus Dados".
    assert users["maria"].role is Role.REQUESTER and users["maria"].name == "Maria Clara Souza"
    assert not users["maria"].profile_complete
    requesters = [u for u in users.values() if u.role is Role.REQUESTER]
    assert len(requesters) >= 5


def test_report_and_counts(tmp_path: Path) -> None:
    service = make_service(tmp_path / "a.db")
    seen: list[int] = []
    report = seed_demo(service, 4321, os_login="maria", os_name=None, now=NOW, progress=seen.append)
    assert report.tickets == 4321 == service.store.ticket_count()
    assert report.logins == ("solicitante", "atendente", "atendente2", "gestor", "maria")
    assert seen[-1] == 4321 and seen == sorted(seen)
    assert report.first_number and report.first_number.startswith("CAGE-00001-")
    assert report.last_number and report.last_number.startswith("CAGE-04321-")
    numbers = [r[0] for r in service.store.conn.execute("SELECT number FROM tickets")]
    assert len(set(numbers)) == len(numbers) and all(NUMBER.match(n) for n in numbers)


def test_same_seed_and_now_give_the_same_data(tmp_path: Path) -> None:
    for name in ("a.db", "b.db", "c.db"):
        seed_demo(make_service(tmp_path / name), 300, os_login="maria", os_name="Maria", now=NOW,
                  random_seed=7 if name != "c.db" else 8)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    assert dump(tmp_path / "a.db")[0] != dump(tmp_path / "c.db")[0]


def test_tickets_are_valid_for_the_desk_and_timelines_consistent(seeded: HelpdeskService) -> None:
    desk = load_desk("ecage").info
    catalog = {(t.name, c.name): set(c.subjects) for t in desk.types for c in t.categories}
    conn = seeded.store.conn
    entries: dict[int, list[tuple[str, str, str, str | None, str | None]]] = {}
    for ticket_id, kind, author, created, status_to, text in conn.execute(
        "SELECT ticket_id, kind, author, created_at, status_to, text FROM timeline ORDER BY id"
    ):
        entries.setdefault(ticket_id, []).append((kind, author, created, status_to, text))
    earliest = NOW - timedelta(days=HISTORY_DAYS + 3)  # weekend tickets move back to Friday
    rows = conn.execute(
        "SELECT id, title, requester, orgao, type, category, subject, description, status, status_class,"
        " created_at, updated_at, closed_at, area FROM tickets"
    ).fetchall()
    for (tid, title, requester, orgao, type_, category, subject, description, status, status_class,
         created, updated, closed, area) in rows:
        assert subject in catalog[(type_, category)]
        assert orgao in desk.orgaos
        assert 0 < len(title) <= 150 and 0 < len(description) <= desk.description_limit
        assert area == load_desk("ecage").area_for(type_)
        assert earliest <= from_db_time(created) <= NOW
        timeline = entries[tid]
        assert timeline[0][:3] == ("created", requester, created)
        moments = [e[2] for e in timeline]
        assert moments == sorted(moments) and moments[-1] == updated and updated <= to_db_time(NOW)
        # The last status an entry moved to is the ticket's status.
        assert [e[3] for e in timeline if e[3]][-1] == status
        assert (closed is not None) == (status_class != StatusClass.ACTIVE.value)
        if closed:
            assert closed == updated and timeline[-1][0] in ("resolved", "canceled")


def test_status_mix_and_reopen_windows(tmp_path: Path) -> None:
    service = make_service(tmp_path / "mix.db")
    seed_demo(service, 3000, os_login=None, os_name=None, now=NOW)
    statuses = Counter(r[0] for r in service.store.conn.execute("SELECT status FROM tickets"))
    active = statuses["Em Andamento"] + statuses["Aguardando Solicitante"]
    assert active > 1500  # most are active
    assert statuses["Aguardando Solicitante"] > 100
    assert statuses["Resolvido"] > 300 and statuses["Cancelado"] > 100
    week_ago = to_db_time(NOW - timedelta(days=7))
    recent = service.store.conn.execute(
        "SELECT count(*) FROM tickets WHERE closed_at >= ?", (week_ago,)).fetchone()[0]
    older = service.store.conn.execute(
        "SELECT count(*) FROM tickets WHERE closed_at < ?", (week_ago,)).fetchone()[0]
    assert recent >= 2 and older > 100
    kinds = {r[0] for r in service.store.conn.execute("SELECT DISTINCT kind FROM timeline")}
    assert {"created", "comment", "status", "resolved", "canceled", "reopened", "assigned", "reserved"} <= kinds
    # Staff actions are authored by staff.
    authors = {r[0] for r in service.store.conn.execute(
        "SELECT DISTINCT author FROM timeline WHERE kind IN ('resolved', 'assigned', 'reserved', 'note')")}
    assert authors <= {"atendente", "atendente2", "gestor"}


def test_showcase_lets_the_requester_reopen_recent_but_not_old(seeded: HelpdeskService) -> None:
    page = seeded.list_tickets("solicitante", TicketQuery(active_only=False, limit=500))
    newest = page.items[0]
    assert newest.title == EXAMPLE_TICKET[0] and newest.status == "Em Andamento"
    example = seeded.get_ticket("solicitante", newest.number)
    assert (example.orgao, example.type, example.category, example.subject) == EXAMPLE_TICKET[1:]
    assert any(e.text == "Descrição complementar" for e in example.timeline)
    closed = [t for t in page.items if t.status_class is not StatusClass.ACTIVE]
    reopenable = [t for t in closed if seeded.get_ticket("solicitante", t.number).can("reopen")]
    too_old = [t for t in closed if not seeded.get_ticket("solicitante", t.number).can("reopen")]
    assert {t.status for t in reopenable} >= {"Resolvido", "Cancelado"}
    assert too_old
    reopened = seeded.reopen("solicitante", reopenable[0].number, "Problema não resolvido.")
    assert reopened.status == "Em Andamento"
    with pytest.raises(Conflict, match="prazo para reabrir"):
        seeded.reopen("solicitante", too_old[0].number, "Problema não resolvido.")


def test_staff_see_their_areas(seeded: HelpdeskService) -> None:
    atendente = seeded.store.get_user("atendente")
    assert atendente is not None
    page = seeded.list_tickets("atendente", TicketQuery(scope=Scope.VISIBLE, active_only=False, limit=500))
    assert page.total > 0 and {t.area for t in page.items} <= set(atendente.areas)
    everything = seeded.list_tickets("gestor", TicketQuery(scope=Scope.VISIBLE, active_only=False, limit=1))
    assert everything.total == 600
    waiting = seeded.list_tickets("atendente", TicketQuery(scope=Scope.VISIBLE, status="Aguardando Solicitante"))
    ticket = seeded.get_ticket("atendente", waiting.items[0].number)
    assert ticket.reserved_by == "atendente" and ticket.assignee_login == "atendente"


def test_create_after_seeding_continues_the_sequence(seeded: HelpdeskService) -> None:
    title, orgao, type_, category, subject = EXAMPLE_TICKET
    created = seeded.create_ticket("solicitante", NewTicket(title, orgao, type_, category, subject, "Descrição."))
    assert created.number.startswith("CAGE-00601-")
    # A second seed continues after that, too.
    report = seed_demo(seeded, 5, os_login=None, os_name=None, now=NOW)
    assert report.first_number and report.first_number.startswith("CAGE-00602-")
    assert report.last_number and report.last_number.startswith("CAGE-00606-")
    again = seeded.create_ticket("solicitante", NewTicket(title, orgao, type_, category, subject, "Outra."))
    assert again.number.startswith("CAGE-00607-")


def test_search_finds_seeded_tickets(seeded: HelpdeskService) -> None:
    row = seeded.store.conn.execute(
        "SELECT number, title FROM tickets WHERE type = 'Sistemas' AND requester = 'solicitante' LIMIT 1"
    ).fetchone()
    for text in (row[0], row[1], "retencao"):  # number, title, and without the accent
        page = seeded.list_tickets("gestor", TicketQuery(scope=Scope.VISIBLE, active_only=False, search=text))
        assert page.total >= 1, text
    page = seeded.list_tickets("gestor", TicketQuery(scope=Scope.VISIBLE, active_only=False, search=row[0]))
    assert page.items[0].number == row[0]


def test_existing_os_user_is_left_alone(tmp_path: Path) -> None:
    service = make_service(tmp_path / "x.db")
    mine = User("maria", "Maria Clara Souza", "maria@sefaz.rs.gov.br", "(51) 3214-5001", "Técnica", Role.AGENT)
    service.save_user(mine)
    seed_demo(service, 20, os_login="maria", os_name="Outro Nome", now=NOW)
    assert service.store.get_user("maria") == mine


def test_demo_accounts_are_reset_to_their_roles(tmp_path: Path) -> None:
    service = make_service(tmp_path / "x.db")
    service.ensure_user("atendente")  # e.g. someone ran `demandas --user atendente` before seeding
    seed_demo(service, 0, os_login=None, os_name=None, now=NOW)
    user = service.store.get_user("atendente")
    assert user is not None and user.role is Role.AGENT and user.profile_complete
    assert service.store.ticket_count() == 0


def test_os_user_that_is_a_demo_login_is_not_duplicated(tmp_path: Path) -> None:
    report = seed_demo(make_service(tmp_path / "x.db"), 10, os_login="solicitante", os_name="X", now=NOW)
    assert report.logins == DEMO_LOGINS
    assert SOLICITANTE.user.name == "Fernando Sidarta Bastos dos Santos"


def test_bulk_path_is_fast(tmp_path: Path) -> None:
    """A guard against falling back to row-by-row inserts (100,000 take ~20 s on 2 cores)."""
    import time

    service = make_service(tmp_path / "fast.db")
    start = time.perf_counter()
    seed_demo(service, 10_000, os_login=None, os_name=None, now=NOW)
    assert time.perf_counter() - start < 15
    assert service.store.ticket_count() == 10_000


def fts_automerge(service: HelpdeskService) -> list[tuple[str, int]]:
    return service.store.conn.execute("SELECT k, v FROM tickets_fts_config WHERE k = 'automerge'").fetchall()


def test_fts_merging_is_restored_even_after_an_error(tmp_path: Path) -> None:
    service = make_service(tmp_path / "fts.db")
    seed_demo(service, 1500, os_login=None, os_name=None, now=NOW)
    assert fts_automerge(service) == [("automerge", 4)]

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        seed_demo(service, 12_000, os_login=None, os_name=None, now=NOW, progress=interrupt)
    assert fts_automerge(service) == [("automerge", 4)]
    # The chunk written before the interruption is whole and searchable.
    count = service.store.ticket_count()
    assert count == 1500 + 10_000
    page = service.list_tickets("gestor", TicketQuery(scope=Scope.VISIBLE, active_only=False, search="FPE"))
    assert page.total > 0
