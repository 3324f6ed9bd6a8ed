"""SVG snapshots of Minhas demandas, Meus Dados and the help (review changes by eye)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import RecordingAdapter, recording, settle
from tests.tui.data import Desk
from tui.app import DemandasApp

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]


def keys(*pressed: str) -> Callable[[Pilot[object]], object]:
    """A run_before that waits for the first page, presses keys and waits again."""

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_home_with_data(snap_compare: SnapCompare, app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=keys())


def test_home_all_tickets(snap_compare: SnapCompare, app: DemandasApp) -> None:
    assert snap_compare(app, run_before=keys("a"))


def test_home_empty_for_a_new_user(snap_compare: SnapCompare, empty_desk: Desk) -> None:
    app = DemandasApp(recording(empty_desk), ask_profile=False)
    assert snap_compare(app, run_before=keys())


def test_home_filtered_by_status(snap_compare: SnapCompare, app: DemandasApp) -> None:
    # s opens the filter; Cancelado is the last option.
    assert snap_compare(app, run_before=keys("s", "end", "enter"))


def test_home_status_picker_open(snap_compare: SnapCompare, app: DemandasApp) -> None:
    assert snap_compare(app, run_before=keys("s"))


def test_home_search_results(snap_compare: SnapCompare, app: DemandasApp) -> None:
    assert snap_compare(app, run_before=keys("slash", "t", "e", "s", "t", "e"))


def test_home_sorted_by_title(snap_compare: SnapCompare, app: DemandasApp) -> None:
    assert snap_compare(app, run_before=keys("o"))


def test_home_without_server(snap_compare: SnapCompare, app: DemandasApp, adapter: RecordingAdapter) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        adapter.down = True
        await pilot.press("slash", "d", "c", "i")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before)


def test_my_data_first_use(snap_compare: SnapCompare, desk: Desk) -> None:
    app = DemandasApp(recording(desk, "novato"))
    assert snap_compare(app, run_before=keys())


def test_my_data_with_an_error(snap_compare: SnapCompare, app: DemandasApp) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        pilot.app.screen.query_one("#profile-phone").value = "12"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_help_on_home(snap_compare: SnapCompare, app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=keys("f1"))


def test_palette(snap_compare: SnapCompare, app: DemandasApp) -> None:
    assert snap_compare(app, run_before=keys("ctrl+p", "I", "r", " ", "p", "a", "r", "a"))
