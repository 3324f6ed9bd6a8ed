"""SVG snapshots of the SGTA screens at 80×24 and 160×48: trails, trail table, justify, validate, details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.sgta.conftest import SgtaDesk, sgta_app
from tests.tui.conftest import settle

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


def keys(*pressed: str, row: int = 0) -> Callable[[Pilot[Any]], object]:
    """Open the trails (T), optionally the first trail (enter) at ``row``, then press keys."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            if key == "row":
                table = pilot.app.screen.query_one("DataTable")
                table.move_cursor(row=row)
                await settle(pilot)
                continue
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_trails(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "ana"), terminal_size=size, run_before=keys("T"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_trail_table_as_gestor(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "gestor"), terminal_size=size, run_before=keys("T", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_justify_dialog(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "ana"), terminal_size=size, run_before=keys("T", "enter", "j"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_validate_dialog(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "gestor"), terminal_size=size,
                        run_before=keys("T", "enter", "row", "v", row=1))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_record_details(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "gestor"), terminal_size=size,
                        run_before=keys("T", "enter", "row", "enter", row=2))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_distribute_dialog(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "gestor"), terminal_size=size,
                        run_before=keys("T", "enter", "row", "D", row=1))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_complementary_actions(snap_compare: SnapCompare, sgta_desk: SgtaDesk, size: tuple[int, int]) -> None:
    assert snap_compare(sgta_app(sgta_desk, "gestor"), terminal_size=size,
                        run_before=keys("T", "enter", "row", "m", row=2))
