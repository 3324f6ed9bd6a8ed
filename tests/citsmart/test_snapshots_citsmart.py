"""SVG snapshots of Conhecimentos and Avaliar atendimento (review changes by eye)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import settle
from tests.tui.data import Desk
from tui.app import DemandasApp

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]


def pressing(*keys: str, ticket: str | None = None) -> Callable[[Pilot[object]], object]:
    """A run_before that (optionally) opens ``ticket``, presses keys and waits for the workers."""

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        if ticket is not None:
            app = pilot.app
            assert isinstance(app, DemandasApp)
            app.open_ticket(ticket)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_knowledge_all_articles(snap_compare: SnapCompare, cit_app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(cit_app, terminal_size=size, run_before=pressing("k"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_knowledge_search_uasg(snap_compare: SnapCompare, cit_app: DemandasApp, size: tuple[int, int]) -> None:
    assert snap_compare(cit_app, terminal_size=size, run_before=pressing("k", *"uasg"))


def test_knowledge_nothing_found(snap_compare: SnapCompare, cit_app: DemandasApp) -> None:
    assert snap_compare(cit_app, run_before=pressing("k", *"xilofone"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_detail_offers_evaluation(snap_compare: SnapCompare, cit_app: DemandasApp, cit_desk: Desk,
                                  size: tuple[int, int]) -> None:
    assert snap_compare(cit_app, terminal_size=size, run_before=pressing(ticket=cit_desk.numbers["resolvida"]))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_evaluate_dialog(snap_compare: SnapCompare, cit_app: DemandasApp, cit_desk: Desk,
                         size: tuple[int, int]) -> None:
    keys = ("a", "4", "tab", *"Atendimento rápido.")
    assert snap_compare(cit_app, terminal_size=size, run_before=pressing(*keys, ticket=cit_desk.numbers["resolvida"]))


def test_evaluate_dialog_without_score(snap_compare: SnapCompare, cit_app: DemandasApp, cit_desk: Desk) -> None:
    assert snap_compare(cit_app, run_before=pressing("a", "ctrl+s", ticket=cit_desk.numbers["resolvida"]))


def test_detail_after_evaluation(snap_compare: SnapCompare, cit_app: DemandasApp, cit_desk: Desk) -> None:
    keys = ("a", "5", "tab", *"Obrigado!", "ctrl+s")
    assert snap_compare(cit_app, terminal_size=(80, 24),
                        run_before=pressing(*keys, ticket=cit_desk.numbers["resolvida"]))
