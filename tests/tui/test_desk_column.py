"""Several desks in use: the home list and the staff queue show a Balcão column; e-CAGE alone does not."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from backend.domain import NewAttachment, NewTicket, Role, User
from screens.home import HomeScreen
from screens.queue import QueueScreen
from tests.tui.conftest import recording, settle
from tests.tui.data import AGENT, REQUESTER, Desk, fill_desk, make_desk
from tui.app import DemandasApp
from widgets.queue_table import QueueTable
from widgets.ticket_table import TicketTable

SEI_AREA = "SEI – Comitê Setorial de Gestão (CSG)"
CAGE_AREA = "CAGE – Suporte Sistemas"
GESTOR = User("gestor", "Gabriela Gestora", "gabi@cage.rs.gov.br", "(51) 3214-6002", "Gestora", Role.MANAGER,
              (CAGE_AREA, SEI_AREA))


def sei_ticket(desk: Desk, description: str = "Não consigo assinar documentos no SEI.") -> str:
    email = REQUESTER.email
    new = NewTicket(title="", orgao="Casa Civil", type="", category="", subject="", description=description,
                    desk="sei", attachments=(NewAttachment("oficio.pdf", b"%PDF-1.4 oficio", field="attachments"),),
                    fields={"nome": REQUESTER.name, "email": email, "email_confirmacao": email})
    return desk.service.create_ticket(REQUESTER.login, new).number


def headers(table: TicketTable) -> list[str]:
    return [str(column.label).rstrip(" ▲▼") for column in table.columns.values()]


def column(table: TicketTable, name: str) -> list[str]:
    index = headers(table).index(name)
    return [table.get_row_at(i)[index].plain for i in range(table.row_count)]


async def test_home_shows_the_desk_only_when_tickets_span_desks(tmp_path: Path) -> None:
    desk = fill_desk(make_desk(tmp_path / "demandas.db"))
    app = DemandasApp(recording(desk), ask_profile=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TicketTable)
        assert "Balcão" not in headers(table)  # e-CAGE alone: as before
        number = sei_ticket(desk)
        home = app.screen
        assert isinstance(home, HomeScreen)
        home.reload()
        await settle(pilot)
        assert headers(table) == ["Título", "Número", "Balcão", "Solicitante", "Status", "Criação"]
        desks = dict(zip(column(table, "Número"), column(table, "Balcão"), strict=True))
        assert desks[number] == "SEI"
        assert {v for k, v in desks.items() if k != number} == {"e-CAGE"}
        # The filter now offers the statuses of every desk in use.
        select = app.screen.query_one("#home-filter", Select)
        values = [value for _, value in select._options]
        assert "Em Andamento" in values
        sei_only = {s.name for s in desk.service.desk("sei").statuses} - {
            s.name for s in desk.service.desk("ecage").statuses}
        assert sei_only and sei_only <= set(values)
    desk.service.store.close()


async def test_queue_shows_the_desk_of_each_row(tmp_path: Path) -> None:
    desk = fill_desk(make_desk(tmp_path / "demandas.db", users=(REQUESTER, AGENT, GESTOR)))
    sei = sei_ticket(desk)
    app = DemandasApp(recording(desk, GESTOR.login), ask_profile=False)
    app.animation_level = "none"
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one(QueueTable)
        assert "Balcão" in headers(table)
        desks = dict(zip(column(table, "Número"), column(table, "Balcão"), strict=True))
        assert desks[sei] == "SEI" and "e-CAGE" in desks.values()
        # The area filter lists the manager's areas on both desks.
        areas = [value for _, value in app.screen.query_one("#queue-area", Select)._options]
        assert CAGE_AREA in areas and SEI_AREA in areas
    desk.service.store.close()
