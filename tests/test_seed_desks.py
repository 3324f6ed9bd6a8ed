"""Demo data of the SEI, gov.br and CITSmart desks (``demandas --demo`` / ``seed --all-desks``)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.domain import Role, TicketQuery
from backend.seed import seed_demo
from backend.seed_desks import demo_requesters, seed_other_desks
from backend.service import HelpdeskService
from backend.store import Store
from tests.test_cli import run

NOW = datetime(2025, 6, 3, 15, 30, tzinfo=UTC)


def test_each_new_desk_gets_tickets_in_several_states(tmp_path: Path) -> None:
    service = HelpdeskService(Store(tmp_path / "d.db"), clock=lambda: NOW)
    seed_demo(service, 10, os_login=None, os_name=None, now=NOW)
    requesters = demo_requesters(service.store.get_user, ("solicitante", "ana.moraes", "carlos.tavares", "gestor"))
    assert [u.login for u in requesters] == ["solicitante", "ana.moraes", "carlos.tavares"]  # staff are skipped
    report = seed_other_desks(service, requesters, now=NOW)
    assert report.logins == ("csg.sei", "tecnico.sei", "analista.govbr", "suporte.cit")
    users = {u.login: u for u in service.store.list_users()}
    assert all(users[login].role is Role.AGENT and users[login].areas for login in report.logins)
    statuses: Counter[tuple[str, str]] = Counter()
    for desk in ("sei", "govbr", "citsmart"):
        for requester in requesters:
            mine = service.list_tickets(requester.login, TicketQuery(desk=desk, active_only=False, limit=50))
            assert mine.items, (desk, requester.login)
            for item in mine.items:
                assert item.created_at <= NOW
                statuses[(desk, item.status)] += 1
    assert sum(statuses.values()) == report.tickets
    assert {("sei", "Aberto"), ("sei", "Encaminhado à Unidade Técnica"), ("sei", "Respondido"),
            ("govbr", "Em Análise"), ("govbr", "Ajustes Solicitados"),
            ("citsmart", "Em Andamento"), ("citsmart", "Resolvida")} <= set(statuses)
    tracked = [t for t in service.list_tickets("ana.moraes", TicketQuery(desk="sei", active_only=False)).items
               if t.title.startswith("Acompanhamento de ")]
    assert tracked
    origin = service.get_ticket("ana.moraes", tracked[0].number).fields["origem"]
    assert service.get_ticket("ana.moraes", origin).fields["acompanhamento"] == tracked[0].number


def test_seed_all_desks_from_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    code, out, err = run(capsys, "seed", "--db", db, "--tickets", "20", "--user", "maria", "--all-desks")
    assert code == 0, err
    assert out.startswith("Criados: ") and out.rstrip().endswith(
        "solicitante, atendente, atendente2, gestor, maria, csg.sei, tecnico.sei, analista.govbr, suporte.cit.")
    code, out, err = run(capsys, "tickets", "list", "--desk", "citsmart", "--all", "--json", "--db", db,
                         "--user", "maria")
    assert code == 0, err
    assert json.loads(out)["total"] >= 1
