"""SVG snapshots of the form, its dialogs and the file browser at 80×24 and 160×48."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backend.domain import NewTicket
from screens.comment import CommentScreen
from tests.form.conftest import NOW, Backend, FormApp, freeze, settle
from tests.form.test_new_ticket import attachments, form_app, picker, screen_of
from tui.drafts import DraftStore

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    freeze(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_empty_form(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    assert snap_compare(form_app(backend), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_form_with_validation_messages(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*"[bold]Título[/bold]")  # user text is shown literally, never as markup
        await pilot.press("ctrl+s")
        await ready(pilot)

    assert snap_compare(form_app(backend), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_filtered_picker_open(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = screen_of(pilot)
        picker(screen, "type").restore("Sistemas")
        picker(screen, "category").restore("Dúvidas de Operação e Erros de Validação")
        await settle(pilot)
        picker(screen, "subject").focus()
        await pilot.press(*"fpe exec")
        await ready(pilot)

    assert snap_compare(form_app(backend), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_draft_recovery_prompt(snap_compare: Any, backend: Backend, size: tuple[int, int]) -> None:
    DraftStore(backend.adapter().location, clock=lambda: NOW).save(
        "ecage-new", {"title": "Nova Demanda", "description": "Texto guardado."})
    assert snap_compare(form_app(backend), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_comment_dialog(snap_compare: Any, backend: Backend, files: Path, size: tuple[int, int]) -> None:
    ticket = backend.service.create_ticket("fernando", NewTicket(
        title="Nova Demanda", orgao="Secretaria da Fazenda", type="Sistemas",
        category="Dúvidas de Operação e Erros de Validação", subject="FPE – Execução de Despesa > Retenção",
        description="Descrição inicial."))
    app = FormApp(backend.adapter(), lambda a: CommentScreen(a, ticket))

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*"Descrição complementar")
        screen = pilot.app.screen
        assert isinstance(screen, CommentScreen)
        screen.files_field.add_path(files / "image001.jpg (4).jpg")
        await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_file_browser(snap_compare: Any, backend: Backend, files: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        attachments(screen_of(pilot)).path_input.value = "docs/"
        await pilot.press("ctrl+o")
        await ready(pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(form_app(backend), terminal_size=size, run_before=run_before)
