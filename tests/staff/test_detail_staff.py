"""Answer editor and status dialogs from the detail screen (Pilot flows)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea

from screens.answer import AnswerScreen
from screens.staff_actions import StaffActionScreen
from screens.ticket_detail import TicketDetailScreen
from tests.staff.conftest import AGENT, staff_app
from tests.tui.conftest import settle as _settle
from tests.tui.data import REQUESTER, Desk

SIZE = (100, 30)


async def _type_into(pilot: object, text: str) -> None:
    await pilot.press(*text)  # type: ignore[attr-defined]


async def test_reply_and_note_requester_never_sees_note(desk: Desk) -> None:
    number = desk.numbers["dci"]
    app = staff_app(desk, AGENT.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, AnswerScreen) and not app.screen.internal
        await _type_into(pilot, "Resposta publica")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, AnswerScreen) and app.screen.internal
        assert "Observação interna (só a equipe vê)" in str(app.screen.query_one("#answer-banner").render())
        await _type_into(pilot, "Nota secreta")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
    texts = [e.text for e in desk.service.get_ticket(REQUESTER.login, number).timeline]
    assert "Resposta publica" in texts and "Nota secreta" not in texts
    requester = staff_app(desk, REQUESTER.login)
    async with requester.run_test(size=SIZE) as pilot:
        await settle(pilot)
        requester.open_ticket(number)
        await settle(pilot)
        shown = str(requester.screen.query_one("#detail-timeline").render()) + "".join(
            str(w.render()) for w in requester.screen.query("#detail-timeline *"))
        assert "Resposta publica" in shown and "Nota secreta" not in shown
        assert requester.screen.check_action("reply", ()) is False


async def test_ask_round_trip_and_monitor_validation(desk: Desk) -> None:
    number = desk.numbers["dci"]
    app = staff_app(desk, AGENT.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StaffActionScreen)
        dialog.query_one("#staff-date", Input).value = "31/02/2024"
        dialog.query_one("#staff-text", TextArea).text = "Aguardar"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Data inválida" in str(dialog.query_one("#staff-date-error").render())
        dialog.query_one("#staff-date", Input).value = "01/01/2020"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "deve ser futura" in str(dialog.query_one("#staff-date-error").render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, StaffActionScreen)
        await _type_into(pilot, "Envie o anexo")
        await pilot.press("ctrl+s")
        await settle(pilot)
    asked = desk.service.get_ticket(REQUESTER.login, number)
    assert asked.status != "Em andamento" or asked.timeline[0].text == "Envie o anexo"
    assert any(e.text == "Envie o anexo" for e in asked.timeline)


async def test_forward_moves_area(desk: Desk) -> None:
    number = desk.numbers["dci"]
    app = staff_app(desk, AGENT.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StaffActionScreen)
        dialog.query_one("#staff-area").value = "CAGE – Orientação"  # type: ignore[attr-defined]
        dialog.query_one("#staff-text", TextArea).text = "É orientação"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert desk.service.get_ticket(REQUESTER.login, number).area == "CAGE – Orientação"


async def settle(pilot: Any, rounds: int = 4) -> None:
    """tests.tui's settle, for a Pilot of any app type."""
    await _settle(pilot, rounds)
