"""The filterable, cascading picker on its own: filtering, keys, stale loads."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.worker import WorkerState

from tests.form.conftest import settle
from widgets.cascade import FilterPicker, fold, matches


def test_matching_ignores_case_accents_and_word_order() -> None:
    assert fold("Órgão Ação") == "orgao acao"
    assert matches("Dúvidas de Operação e Erros de Validação", "VALIDACAO duvidas")
    assert not matches("Secretaria da Fazenda", "fazenda saude")
    assert matches("qualquer", "   ")


class CascadeApp(App[None]):
    """A parent picker with a slow child, like a remote catalog."""

    def __init__(self) -> None:
        super().__init__()
        self.gates = {"A": asyncio.Event(), "B": asyncio.Event()}
        self.calls: list[tuple[str, ...]] = []

    async def load(self, path: tuple[str, ...]) -> Sequence[str]:
        self.calls.append(path)
        await self.gates[path[0]].wait()
        return [f"{path[0]}-{i}" for i in range(150)]

    def compose(self) -> ComposeResult:
        parent = FilterPicker(["A", "B"], id="parent", level="parent")
        yield parent
        yield FilterPicker(depends_on=parent, loader=self.load, level="child", id="child",
                           waiting_placeholder="Selecione antes: pai")


async def test_a_newer_parent_cancels_the_older_load() -> None:
    app = CascadeApp()
    async with app.run_test() as pilot:
        parent = app.query_one("#parent", FilterPicker)
        child = app.query_one("#child", FilterPicker)
        assert child.filter_input.disabled and child.filter_input.placeholder == "Selecione antes: pai"
        parent.restore("A")
        await pilot.pause()
        [first] = [w for w in app.workers if w.group == "cascade-child"]
        assert child.is_loading and child.filter_input.placeholder == "Carregando opções…"
        parent.restore("B")
        await pilot.pause()
        app.gates["B"].set()
        app.gates["A"].set()
        await settle(pilot)
        assert first.state is WorkerState.CANCELLED
        assert app.calls == [("A",), ("B",)]
        assert child.options[0] == "B-0" and len(child.options) == 150
        assert not child.filter_input.disabled


async def test_long_list_narrows_as_you_type_and_restores_after_load() -> None:
    app = CascadeApp()
    app.gates["B"].set()
    async with app.run_test() as pilot:
        child = app.query_one("#child", FilterPicker)
        child.restore("B-42")  # before its options exist, as a draft restore does
        app.query_one("#parent", FilterPicker).restore("B")
        await settle(pilot)
        assert child.value == "B-42"
        child.focus()
        await pilot.press(*"b-14")
        assert child.shown == ("B-14", *(f"B-14{i}" for i in range(10)))
        await pilot.press("down", "enter")
        assert child.value == "B-140" and not child.expanded
        await pilot.press("ctrl+a", "ctrl+k", "tab")  # an emptied box clears the choice
        await pilot.pause()
        assert child.value is None


async def test_text_typed_while_options_load_filters_them_when_they_arrive() -> None:
    app = CascadeApp()
    async with app.run_test() as pilot:
        child = app.query_one("#child", FilterPicker)
        app.query_one("#parent", FilterPicker).restore("B")
        await pilot.pause()
        assert child.is_loading and not child.filter_input.disabled  # typing is not dropped
        child.focus()
        await pilot.press(*"b-14")
        assert child.filter_input.value == "b-14" and child.shown == ()
        app.gates["B"].set()
        await settle(pilot)
        assert child.expanded and child.filter_input.value == "b-14"
        assert child.shown == ("B-14", *(f"B-14{i}" for i in range(10)))
        assert child.dropdown.option_count == len(child.shown)
        await pilot.press("enter")
        assert child.value == "B-14"
