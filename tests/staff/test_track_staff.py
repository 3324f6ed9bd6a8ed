"""SEI's "abrir chamado de acompanhamento" from the detail screen (Pilot flow)."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea

from backend.domain import NewAttachment, NewTicket, Role, User
from screens.staff_actions import StaffActionScreen
from screens.ticket_detail import TicketDetailScreen
from tests.staff.conftest import AGENT, staff_app
from tests.tui.conftest import settle as _settle
from tests.tui.data import REQUESTER, Desk

SIZE = (100, 30)
TECNICA = "SEI – Unidades Técnica e de Gestão"
TECNICO = User("tecnico", "Tânia Técnica", "t@seati.ma.gov.br", "(98) 3000-0000", "Analista", Role.AGENT,
               (TECNICA,))
COMITE = User("comite", "Caio Comitê", "c@sefaz.ma.gov.br", "(98) 3000-0001", "Comitê", Role.AGENT,
              ("SEI – Comitê Setorial de Gestão (CSG)",))


async def settle(pilot: Any) -> None:
    await _settle(pilot)


def forwarded_sei_ticket(desk: Desk) -> str:
    email = "fernando@ma.gov.br"
    ticket = desk.service.create_ticket(REQUESTER.login, NewTicket(
        title="", orgao="SAMOP", type="", category="", subject="", description="Alterar nome da unidade",
        desk="sei", attachments=(NewAttachment("oficio.pdf", b"%PDF"),),
        fields={"nome": REQUESTER.name, "email": email, "email_confirmacao": email}))
    desk.service.save_user(TECNICO)
    desk.service.save_user(COMITE)
    desk.service.forward(COMITE.login, ticket.number, TECNICA, "Unidade técnica")
    return ticket.number


async def test_technical_unit_opens_the_tracking_ticket(desk: Desk) -> None:
    number = forwarded_sei_ticket(desk)
    app = staff_app(desk, TECNICO.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, TicketDetailScreen) and detail.check_action("track", ()) is True
        await pilot.press("A")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StaffActionScreen) and dialog.title == "Abrir chamado de acompanhamento"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Descreva o que a unidade técnica" in str(dialog.query_one("#staff-text-error").render())
        dialog.query_one("#staff-text", TextArea).text = "Renomear no próximo lote"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        tracking = desk.service.get_ticket(TECNICO.login, number).fields["acompanhamento"]
        assert detail.ticket is not None and detail.ticket.number == number
        assert detail.ticket.fields["acompanhamento"] == tracking
        # Done once: the key now says why not.
        assert detail.check_action("track", ()) is None
        # The desk's own fields show with their form labels; so does the link; empty catalog rows do not.
        cells = [str(w.render()) for w in detail.query("#detail-fields > Static")]
        shown = dict(zip(cells[::2], cells[1::2], strict=True))
        assert shown["Nome completo:"] == REQUESTER.name and shown["Email:"] == "fernando@ma.gov.br"
        assert shown["Chamado de acompanhamento:"] == tracking and shown["Órgão:"] == "SAMOP"
        assert "Tipo:" not in shown and "Categoria:" not in shown
    assert desk.service.get_ticket(REQUESTER.login, tracking).description == "Renomear no próximo lote"


async def test_desks_without_tracking_do_not_offer_the_key(desk: Desk) -> None:
    app = staff_app(desk, AGENT.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(desk.numbers["dci"])
        await settle(pilot)
        assert app.screen.check_action("track", ()) is False


async def test_dialogs_use_the_desk_name_of_the_action(desk: Desk) -> None:
    number = forwarded_sei_ticket(desk)
    app = staff_app(desk, TECNICO.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(number)
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StaffActionScreen)
        assert str(dialog.query_one("#staff-title").render()) == "Responder e encerrar"  # SEI's "resolve"
        await pilot.press("escape")
        await settle(pilot)
    app = staff_app(desk, AGENT.login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(desk.numbers["dci"])
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert str(app.screen.query_one("#staff-title").render()) == "Resolver demanda"  # e-CAGE keeps its own
