"""Fila, the home alert, distribution and export (Pilot flows)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from screens.distribute import DistributeScreen
from screens.export_dialog import ExportScreen
from screens.home import HomeScreen
from screens.queue import QueueScreen
from screens.ticket_detail import TicketDetailScreen
from tests.staff.conftest import AGENT, AGENT2, MANAGER, staff_app
from tests.tui.conftest import settle as _settle
from tests.tui.data import Desk
from tui.app import DemandasApp
from widgets.queue_table import QueueTable

SIZE = (100, 30)


def numbers(app: DemandasApp) -> list[str]:
    return [t.number for t in app.screen.query_one(QueueTable).rows_loaded]


async def test_requester_has_no_queue(desk: Desk) -> None:
    app = staff_app(desk, "fernando")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#home-alert").display is False
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_alert_opens_awaiting_distribution(manager_app: DemandasApp, desk: Desk) -> None:
    app = manager_app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        alert = str(app.screen.query_one("#home-alert").render())
        assert "4 demandas aguardando distribuição" in alert
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.view == "none"
        assert sorted(numbers(app)) == sorted(desk.numbers[k] for k in ("nova", "dci", "markup", "escape"))


async def test_filters_and_search(manager_app: DemandasApp, desk: Desk) -> None:
    app = manager_app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "m")  # none -> all
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen) and screen.view == "all"
        assert len(numbers(app)) == 4
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")  # Todos os status
        await settle(pilot)
        assert len(numbers(app)) == 6
        await pilot.press("slash")
        await pilot.press(*"DCI")
        await settle(pilot, rounds=6)
        assert numbers(app) == [desk.numbers["dci"]]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t")  # atrasadas: the three older active tickets
        await settle(pilot)
        assert sorted(numbers(app)) == sorted(desk.numbers[k] for k in ("dci", "markup", "escape"))
        assert "só atrasadas" in str(screen.query_one("#queue-summary").render())


async def test_overdue_flag_explained(manager_app: DemandasApp, desk: Desk) -> None:
    desk.clock.advance(days=30)
    app = manager_app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "atrasadas" in str(app.screen.query_one("#home-alert").render())
        await pilot.press("f", "t")
        await settle(pilot)
        assert len(numbers(app)) == 4
        info = str(app.screen.query_one("#queue-info").render())
        assert "Atrasada: O prazo de atendimento" in info


async def test_distribute_marked_updates_table_and_load(manager_app: DemandasApp, desk: Desk) -> None:
    app = manager_app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        before = numbers(app)
        await pilot.press("space", "space")  # marks two rows
        await settle(pilot)
        assert len(app.screen.query_one(QueueTable).marked) == 2
        await pilot.press("D")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DistributeScreen)
        assert [a.login for a in dialog.loads] == [AGENT.login, AGENT2.login, MANAGER.login]
        assert all(a.open_tickets == 0 for a in dialog.loads)
        await pilot.press("down", "enter")  # Bruno
        await settle(pilot, rounds=6)
        assert isinstance(app.screen, QueueScreen)
        assert numbers(app) == before[2:]  # no longer awaiting distribution
        loads = {a.login: a.open_tickets for a in desk.service.agents(MANAGER.login)}
        assert loads[AGENT2.login] == 2
        for number in before[:2]:
            assert desk.service.get_ticket(MANAGER.login, number).assignee_login == AGENT2.login


async def test_agent_cannot_distribute(agent_app: DemandasApp) -> None:
    app = agent_app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.check_action("distribute", ()) is False


async def test_open_reserves_and_other_sees_reservation(agent_app: DemandasApp, desk: Desk) -> None:
    app = agent_app
    number = desk.numbers["dci"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")  # nothing awaits the agent: every ticket of the area
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        table.move_cursor(row=table.get_row_index(number))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
    assert desk.service.get_ticket(AGENT.login, number).reserved_by == AGENT.login
    other = staff_app(desk, AGENT2.login)
    async with other.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other.open_ticket(number)
        await settle(pilot)
        line = str(other.screen.query_one("#detail-reservation").render())
        assert "Em análise por Ana Atendente desde" in line and "T para assumir" in line
        await pilot.press("T")
        await settle(pilot)
    assert desk.service.get_ticket(AGENT.login, number).reserved_by == AGENT2.login


@pytest.mark.parametrize("fmt", ["csv"])
async def test_export_writes_the_queue_rows(manager_app: DemandasApp, tmp_path: Path, fmt: str) -> None:
    app = manager_app
    out = tmp_path / f"fila.{fmt}"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "m", "o")  # todas, ordered by creation
        await settle(pilot)
        shown = numbers(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path").value = str(out)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, rounds=6)
        assert isinstance(app.screen, QueueScreen)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    exported = [r[0] for r in rows if r and r[0] in shown]
    assert exported == shown and len(shown) == 4


async def settle(pilot: Any, rounds: int = 4) -> None:
    """tests.tui's settle, for a Pilot of any app type."""
    await _settle(pilot, rounds)
