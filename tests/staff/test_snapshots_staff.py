"""SVG snapshots of the staff screens: Fila, Distribuir, observação interna, Monitorar and Exportar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import screens.export_dialog as export_dialog
from tests.staff.conftest import AGENT, staff_app
from tests.tui.conftest import settle
from tests.tui.data import Desk
from tui.app import DemandasApp

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


def keys(*pressed: str, ticket: str | None = None) -> Callable[[Pilot[Any]], object]:
    """A run_before that waits for the first page, optionally opens ``ticket``, presses keys, waits again."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if ticket is not None:
            pilot.app.open_ticket(ticket)
            await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.fixture
def fixed_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """The export dialog's default file name is built from the folder and the clock: pin both."""
    monkeypatch.setattr(export_dialog, "default_folder", lambda: Path("/home/gestor/Downloads"))
    monkeypatch.setattr(export_dialog, "local_now", lambda: datetime(2024, 5, 10, 14, 30, tzinfo=UTC))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_queue_as_manager(snap_compare: SnapCompare, manager_app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(manager_app, terminal_size=size, run_before=keys("f"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_distribute_dialog(snap_compare: SnapCompare, manager_app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(manager_app, terminal_size=size, run_before=keys("f", "D"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_internal_note_editor(snap_compare: SnapCompare, desk: Desk, size: tuple[int, int]) -> None:
    app = staff_app(desk, AGENT.login)
    assert snap_compare(app, terminal_size=size, run_before=keys("O", ticket=desk.numbers["dci"]))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_monitor_dialog(snap_compare: SnapCompare, desk: Desk, size: tuple[int, int]) -> None:
    app = staff_app(desk, AGENT.login)
    assert snap_compare(app, terminal_size=size, run_before=keys("M", ticket=desk.numbers["dci"]))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_export_dialog(snap_compare: SnapCompare, manager_app: DemandasApp, fixed_export: None,
                       size: tuple[int, int]) -> None:
    assert snap_compare(manager_app, terminal_size=size, run_before=keys("f", "e"))
