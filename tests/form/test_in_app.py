"""The same screens inside the real DemandasApp: ``n`` opens the form, ``c`` the comment dialog."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, OptionList, Static

from backend.domain import EntryKind, NewAttachment, NewTicket, Ticket
from backend.errors import Unavailable
from screens.comment import CommentScreen
from screens.desk_choice import DeskChoiceScreen
from screens.new_ticket import NewTicketScreen
from tests.form.conftest import Backend, settle
from tests.form.test_new_ticket import SEED, fill_directly, stored
from tui.adapters.local import LocalAdapter
from tui.app import DemandasApp
from tui.settings import saved_desk


async def test_new_ticket_then_comment_in_the_app(backend: Backend, files: Path) -> None:
    app = DemandasApp(backend.adapter(), ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_new_ticket(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        await fill_directly(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [ticket] = stored(backend)
        assert ticket.subject == SEED["subject"]
        assert not isinstance(app.screen, NewTicketScreen)  # the app shows the new ticket
        await pilot.press("c")
        await settle(pilot)
        comment = app.screen
        assert isinstance(comment, CommentScreen)
        await pilot.press(*"Complemento")
        comment.files_field.add_path(files / "relatorio.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CommentScreen)
    [after] = stored(backend)
    [entry] = [e for e in after.timeline if e.kind is EntryKind.COMMENT]
    assert entry.text == "Complemento" and [a.name for a in entry.attachments] == ["relatorio.pdf"]


async def open_new_ticket(pilot: Pilot[Any], desk_id: str = "ecage") -> None:
    """``n``; the backend serves several desks, so the desk list comes first, on the last choice."""
    await settle(pilot)
    await pilot.press("n")
    await pilot.pause()  # (not settle: the action's worker waits for the answer)
    chooser = pilot.app.screen
    assert isinstance(chooser, DeskChoiceScreen)
    option_list = chooser.query_one(OptionList)
    while chooser.desks[option_list.highlighted or 0].id != desk_id:
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


class ServerGone(LocalAdapter):
    """Answers until a ticket or comment is sent, then the server is unreachable."""

    async def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None) -> Ticket:
        raise Unavailable("O servidor não respondeu.")

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                      idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        raise Unavailable("O servidor não respondeu.")


async def test_unavailable_during_send_keeps_the_form_and_shows_a_notice(backend: Backend) -> None:
    adapter = ServerGone(backend.path, "fernando", service=backend.service)
    app = DemandasApp(adapter, ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_new_ticket(pilot)
        screen = app.screen
        assert isinstance(screen, NewTicketScreen)
        await fill_directly(pilot, "Texto que não pode se perder.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        values = screen.values()
        assert app.screen is screen and stored(backend) == []
        assert {k: values[k] for k in SEED} == SEED
        assert values["description"] == "Texto que não pode se perder."
        assert app.offline  # the app's handler owns the banner
        assert any("Sem conexão" in n.message for n in app._notifications)
        assert "O que digitou foi mantido" in str(screen.query_one("#form-error", Static).content)
        assert not screen.query_one("#send", Button).disabled  # can send again


async def test_unexpected_error_during_send_reaches_the_app(backend: Backend) -> None:
    class Broken(LocalAdapter):
        async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                          idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
            raise RuntimeError("falha interna")

    ticket = backend.service.create_ticket("fernando", NewTicket(
        title="Nova Demanda", orgao=SEED["orgao"], type=SEED["type"], category=SEED["category"],
        subject=SEED["subject"], description="Descrição inicial."))
    app = DemandasApp(Broken(backend.path, "fernando", service=backend.service), ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.number)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        comment = app.screen
        assert isinstance(comment, CommentScreen)
        await pilot.press(*"Complemento", "ctrl+s")
        await settle(pilot)
        assert comment.text_field.text == "Complemento" and app.screen is comment
        assert any("falha interna" in n.message for n in app._notifications)  # the app's one handler


async def test_n_asks_for_the_desk_and_remembers_the_choice(backend: Backend) -> None:
    app = DemandasApp(backend.adapter(), ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_new_ticket(pilot, "govbr")
        screen = app.screen
        assert isinstance(screen, NewTicketScreen) and screen.desk.id == "govbr"
        assert saved_desk() == "govbr"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, DeskChoiceScreen)
        assert chooser.desks[chooser.query_one(OptionList).highlighted or 0].id == "govbr"  # the last choice
        await pilot.press("escape")  # no desk: no form
        await settle(pilot)
        assert not isinstance(app.screen, NewTicketScreen | DeskChoiceScreen)


async def test_the_terminal_cursor_follows_a_field_scrolled_into_view(backend: Backend) -> None:
    """Input places the terminal cursor when focused, before the form scrolls to it; the app
    moves it again once the field is in view (screen readers and input methods follow it)."""
    from textual.widgets import Input

    app = DemandasApp(backend.adapter(), ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_new_ticket(pilot)
        screen = app.screen
        assert isinstance(screen, NewTicketScreen)
        below = [field for field in screen.query(Input) if field.region.y >= app.size.height]
        assert below, "the form should have a text field below the fold at 80x24"
        below[-1].focus()
        await pilot.pause(1.0)  # the scroll animation, then the app's checks
        field = below[-1]
        assert 0 <= field.region.y < app.size.height
        assert app.cursor_position == field.cursor_screen_offset
        assert app.cursor_position.y < app.size.height - 1  # not clamped to the last line
