"""SVG snapshots of Detalhes and its dialogs (review changes by eye)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import settle
from tests.tui.data import Desk
from tui.app import DemandasApp

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]


def on_ticket(number: str, *pressed: str) -> Callable[[Pilot[object]], object]:
    """A run_before that opens ``number``, presses keys and waits for the workers."""

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, DemandasApp)
        app.open_ticket(number)
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_detail_active(snap_compare: SnapCompare, app: DemandasApp, desk: Desk, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=on_ticket(desk.numbers["nova"]))


def test_detail_timeline_scrolled(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["nova"], "end"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_detail_resolved_reopen_offered(snap_compare: SnapCompare, app: DemandasApp, desk: Desk,
                                        size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=on_ticket(desk.numbers["resolvida"]))


def test_detail_hostile_title(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["escape"]))


def test_reopen_dialog(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["resolvida"], "r"))


def test_reopen_dialog_empty_justification(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["resolvida"], "r", "ctrl+s"))


def test_reopen_done(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["resolvida"], "r", "O", "k", "ctrl+s"))


def test_reopen_refused_after_seven_days(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    desk.clock.advance(days=8)
    assert snap_compare(app, run_before=on_ticket(desk.numbers["resolvida"], "r"))


def test_cancel_confirmation(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["dci"], "x"))


def test_help_on_detail(snap_compare: SnapCompare, app: DemandasApp, desk: Desk) -> None:
    assert snap_compare(app, run_before=on_ticket(desk.numbers["resolvida"], "f1"))
