"""SVG snapshots of the other desks' Nova demanda (SEI, gov.br, CITSmart) at 80×24 and 160×48."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.form.conftest import Backend, freeze, settle
from tests.form.test_desk_forms import desk_app, rows_of, screen_of, type_in

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
DESKS = ["sei", "govbr", "citsmart"]


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    freeze(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("desk_id", DESKS)
def test_empty_desk_form(snap_compare: Any, backend: Backend, desk_id: str, size: tuple[int, int]) -> None:
    assert snap_compare(desk_app(backend, desk_id), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_sei_email_mismatch(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = screen_of(pilot)
        await type_in(pilot, screen, "email", "fernando@seplan.ma.gov.br")
        await type_in(pilot, screen, "email_confirmacao", "fernando@sefaz")
        await ready(pilot)

    assert snap_compare(desk_app(backend, "sei"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_govbr_protocol_table(snap_compare: Any, backend: Backend, home: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = screen_of(pilot)
        for row in ("00001.002345/2025-67", "123456"):
            await type_in(pilot, screen, "protocolos", row)
        await type_in(pilot, screen, "protocolos", "[b]abc[/b]")  # refused, shown literally
        screen.box("protocolos").scroll_visible(animate=False)
        await ready(pilot)
        assert len(rows_of(screen, "protocolos").rows) == 2

    assert snap_compare(desk_app(backend, "govbr"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_citsmart_error_theme_refused(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = screen_of(pilot)
        await type_in(pilot, screen, "type", "erro/indisp")
        await type_in(pilot, screen, "prioridade", "alta")
        await pilot.press("ctrl+s")
        await ready(pilot)

    assert snap_compare(desk_app(backend, "citsmart"), terminal_size=size, run_before=run_before)
