"""Adicionar comentário/anexo over a LocalAdapter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from backend.domain import EntryKind, NewTicket, Ticket
from screens.comment import CommentScreen
from tests.form.conftest import Backend, FormApp, burst, settle


def open_ticket(backend: Backend) -> Ticket:
    return backend.service.create_ticket("fernando", NewTicket(
        title="Nova Demanda", orgao="Secretaria da Fazenda", type="Sistemas",
        category="Dúvidas de Operação e Erros de Validação", subject="FPE – Execução de Despesa > Retenção",
        description="Descrição inicial."))


def comment_app(backend: Backend, ticket: Ticket) -> FormApp:
    return FormApp(backend.adapter(), lambda a: CommentScreen(a, ticket))


def screen_of(pilot: Pilot[Any]) -> CommentScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CommentScreen)
    return screen


def error(screen: CommentScreen, where: str) -> str:
    line = screen.query_one(f"#{where}", Static)
    return str(line.content) if line.has_class("-shown") else ""


async def test_comment_with_attachment_reaches_the_timeline(backend: Backend, files: Path) -> None:
    ticket = open_ticket(backend)
    app = comment_app(backend, ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.text_field.limit == 2000  # the desk's limit, fetched through the adapter
        await pilot.press(*"Descrição complementar")
        await pilot.press("tab", *"docs/image001.jpg (4).jpg", "enter")
        await settle(pilot)
        assert [f.name for f in screen.files_field.files] == ["image001.jpg (4).jpg"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        [updated] = app.results
        assert isinstance(updated, Ticket) and updated.number == ticket.number
    stored = backend.service.get_ticket("fernando", ticket.number)
    comments = [e for e in stored.timeline if e.kind is EntryKind.COMMENT]
    assert [(e.text, [a.name for a in e.attachments]) for e in comments] == [
        ("Descrição complementar", ["image001.jpg (4).jpg"])]
    assert screen.drafts.load(screen.draft_key) is None  # sent: the draft is gone


async def test_send_sees_text_typed_right_before_ctrl_s(backend: Backend) -> None:
    ticket = open_ticket(backend)
    app = comment_app(backend, ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, *"Segue o anexo.", "ctrl+s")  # no pause between the text and the key
        await settle(pilot)
        [updated] = app.results
        assert isinstance(updated, Ticket)
    stored = backend.service.get_ticket("fernando", ticket.number)
    assert [e.text for e in stored.timeline if e.kind is EntryKind.COMMENT] == ["Segue o anexo."]


async def test_empty_comment_is_refused_inline(backend: Backend) -> None:
    ticket = open_ticket(backend)
    app = comment_app(backend, ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error(screen, "comment-text-error") == "Escreva um comentário ou anexe um arquivo."
        await pilot.press("a")
        assert error(screen, "comment-text-error") == ""
        assert app.results == []


async def test_server_refusal_keeps_the_text(backend: Backend) -> None:
    ticket = open_ticket(backend)
    app = comment_app(backend, ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press(*"Mais detalhes")
        backend.service.cancel("fernando", ticket.number)  # meanwhile, in another terminal
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Cancelado" in error(screen, "comment-error")
        assert screen.text_field.text == "Mais detalhes"
        assert app.results == [] and pilot.app.screen is screen


async def test_comment_limit_and_escape_keeps_a_draft(backend: Backend) -> None:
    ticket = open_ticket(backend)
    app = comment_app(backend, ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        screen.text_field.load_text("y" * 2500)
        assert len(screen.text_field.text) == 2000
        await pilot.press("escape")
        await settle(pilot)
        assert app.results == [None]
    draft = screen.drafts.load(screen.draft_key)
    assert draft is not None and draft.text("text") == "y" * 2000
    assert screen.draft_key == f"ecage-comment-{ticket.number}"

    again = comment_app(backend, ticket)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "DraftRecoveryScreen"
        await pilot.press("s")
        await settle(pilot)
        assert screen_of(pilot).text_field.text == "y" * 2000
