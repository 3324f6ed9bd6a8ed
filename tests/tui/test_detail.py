"""Detalhes: timeline, cancel, reopen (allowed, refused, empty), attachments, comment."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList, Static, TextArea

from backend.domain import StatusClass
from screens.confirm import ConfirmScreen
from screens.home import HomeScreen
from screens.reopen import ReopenScreen
from screens.save_attachment import SaveAttachmentScreen, safe_file_name, write_new_file
from screens.ticket_detail import TicketDetailScreen
from tests.tui.conftest import RecordingAdapter, recording, settle
from tests.tui.data import REQUESTER, Desk, ticket
from tui.app import DemandasApp
from widgets.ticket_table import TicketTable
from widgets.timeline import TimelineEntryView


def entries(app: DemandasApp) -> list[str]:
    """The timeline as shown, newest first."""
    return [str(view.content) for view in app.screen.query(TimelineEntryView)]


def field(app: DemandasApp, label: str) -> str:
    statics = list(app.screen.query("#detail-fields > Static").results(Static))
    labels = [str(s.content) for s in statics[0::2]]
    return str(statics[1::2][labels.index(f"{label}:")].content)


def notices(app: DemandasApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_detail(app: DemandasApp, pilot: object, number: str) -> TicketDetailScreen:
    await settle(pilot)  # type: ignore[arg-type]
    app.open_ticket(number)
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, TicketDetailScreen)
    return app.screen


async def test_fields_and_timeline_newest_first(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["nova"])
        assert field(app, "Título") == "Nova Demanda"
        assert field(app, "Número") == desk.numbers["nova"]
        assert field(app, "Solicitante") == REQUESTER.name
        assert field(app, "Órgão") == "Secretaria da Fazenda"
        assert field(app, "Tipo") == "Sistemas"
        assert field(app, "Categoria") == "Dúvidas de Operação e Erros de Validação"
        assert field(app, "Assunto") == "FPE – Execução de Despesa > Retenção"
        assert field(app, "Status") == "Em Andamento"
        assert field(app, "Data de criação") == "16/01/2024 12:46"
        shown = entries(app)
        assert shown[0].splitlines() == [
            f"Criado por: {REQUESTER.name} em 16/01/2024 12:49",
            "Descrição complementar",
            "Anexo: image001.jpg (5).jpg (15 bytes)",
        ]
        assert shown[1].splitlines()[0] == f"Criado por: {REQUESTER.name} em 16/01/2024 12:46"
        assert "Anexo: image001.jpg (4).jpg (15 bytes)" in shown[1]


async def test_cancel_asks_first(app: DemandasApp, desk: Desk) -> None:
    number = desk.numbers["dci"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, number)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Deseja cancelar a demanda {number}?" in str(app.screen.query_one("#confirm-question", Static).content)
        await pilot.press("enter")  # "Não" has the focus
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert ticket(desk, "dci").status == "Em Andamento"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert ticket(desk, "dci").status == "Cancelado"
        assert field(app, "Status") == "Cancelado"
        assert entries(app)[0].splitlines()[1] == "Demanda cancelada (Em Andamento → Cancelado)"
        assert "Demanda cancelada." in notices(app)
        # Now x is refused (dimmed) and r is offered.
        active = app.screen.active_bindings
        assert active["x"].enabled is False and active["r"].enabled is True
        # Back home, the row shows the new status without a reload.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(TicketTable)
        assert table.get_row(number)[3].plain == "Cancelado"


async def test_reopen_within_seven_days(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["resolvida"])
        assert app.screen.active_bindings["r"].enabled is True
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReopenScreen)
        assert "Informe uma justificativa para reabrir esta demanda." in [
            str(s.content) for s in app.screen.query(Static).results(Static)
        ]
        await pilot.press(*"Problema não resolvido.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert "Demanda reaberta com sucesso." in notices(app)
        assert field(app, "Status") == "Em Andamento"
        assert ticket(desk, "resolvida").status_class is StatusClass.ACTIVE
        first = entries(app)[0].splitlines()
        assert first[1] == "Demanda reaberta (Resolvido → Em Andamento)"
        assert first[2] == "Justificativa: Problema não resolvido."


async def test_reopen_needs_a_justification(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["resolvida"])
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("space", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReopenScreen)
        error = str(app.screen.query_one("#reopen-error", Static).content)
        assert error == "A justificativa é obrigatória para reabrir a demanda."
        assert app.screen.query_one(TextArea).text == "  "  # nothing typed is lost
        await pilot.press("escape")
        await settle(pilot)
        assert ticket(desk, "resolvida").status == "Resolvido"


async def test_app_letters_on_a_button_stay_in_the_reopen_dialog(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["resolvida"])
        await pilot.press("r")
        await settle(pilot)
        reopen = app.screen
        assert isinstance(reopen, ReopenScreen)
        await pilot.press(*"pq")  # in the text box they are text
        reopen.query_one("#reopen-cancel", Button).focus()
        await pilot.press("q", "p")  # on a button: not Sair, not Meus Dados
        await settle(pilot)
        assert reopen.text == "pq"
        assert app.is_running and app.screen is reopen


async def test_reopen_refused_after_seven_days(app: DemandasApp, desk: Desk) -> None:
    desk.clock.advance(days=8)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["resolvida"])
        # The footer shows r dimmed...
        assert app.screen.active_bindings["r"].enabled is False
        # ...and pressing it says why instead of opening the dialog.
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        reason = ticket(desk, "resolvida").why_not("reopen")
        assert reason and "prazo para reabrir terminou" in reason
        assert reason in notices(app)


async def test_failed_reopen_keeps_the_justification(app: DemandasApp, desk: Desk,
                                                    adapter: RecordingAdapter) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["resolvida"])
        adapter.down = True
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Ainda com erro")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.offline
        assert ticket(desk, "resolvida").status == "Resolvido"
        adapter.down = False
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReopenScreen)
        assert app.screen.query_one(TextArea).text == "Ainda com erro"


async def test_comment_key_opens_the_comment_dialog(app: DemandasApp, desk: Desk) -> None:
    from screens.comment import CommentScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["nova"])
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CommentScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)


async def test_comment_sent_shows_in_the_timeline(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["dci"])
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"Mais um detalhe", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert entries(app)[0].splitlines()[1] == "Mais um detalhe"
        assert ticket(desk, "dci").timeline[-1].text == "Mais um detalhe"


async def test_comment_refused_on_a_closed_ticket(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["cancelada"])
        assert app.screen.active_bindings["c"].enabled is False
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert any("reabra-a para adicionar" in n for n in notices(app))


async def test_save_attachment_never_overwrites(app: DemandasApp, desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "baixados"
    target.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["nova"])
        for expected in ("image001.jpg (5).jpg", "image001.jpg (5) (1).jpg"):
            await pilot.press("d")  # two files: the first press picks the list
            await settle(pilot)
            files = app.screen.query_one("#detail-files", OptionList)
            assert files.has_focus
            files.highlighted = 1
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, SaveAttachmentScreen)
            app.screen.query_one(Input).value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            assert (target / expected).read_bytes() == b"\xff\xd8\xff fake jpeg 5"
            app.screen.query_one("#detail-body").focus()
        assert sorted(p.name for p in target.iterdir()) == ["image001.jpg (5) (1).jpg", "image001.jpg (5).jpg"]


async def test_save_attachment_reports_a_missing_folder(app: DemandasApp, desk: Desk, tmp_path: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["nova"])
        await pilot.press("d", "d")
        await settle(pilot)
        assert isinstance(app.screen, SaveAttachmentScreen)
        app.screen.query_one(Input).value = str(tmp_path / "nao-existe")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SaveAttachmentScreen)
        assert "não existe" in str(app.screen.query_one("#save-error", Static).content)


async def test_download_hidden_without_files(app: DemandasApp, desk: Desk) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["dci"])
        assert "d" not in app.screen.active_bindings
        await pilot.press("d")
        await settle(pilot)
        assert "Esta demanda não tem anexos." in notices(app)


async def test_unknown_ticket_goes_back_with_a_notice(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_ticket("CAGE-99999-ZZZZ")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Demanda CAGE-99999-ZZZZ não encontrada." in notices(app)


async def test_refusal_from_the_server_becomes_a_notice(desk: Desk) -> None:
    # The live update that would show the change has not arrived yet (an hour-long poll).
    app = DemandasApp(recording(desk, poll_seconds=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, desk.numbers["dci"])
        # Someone else cancels meanwhile; our screen still offers "x".
        desk.service.cancel(REQUESTER.login, desk.numbers["dci"])
        await pilot.press("x", "s")
        await settle(pilot)
        assert isinstance(app.screen, TicketDetailScreen)
        assert any("foi alterada por outra pessoa" in n for n in notices(app))
        # The screen reloaded: it now shows the cancellation and no longer offers "x".
        assert field(app, "Status") == "Cancelado"
        assert app.screen.active_bindings["x"].enabled is False


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("relatório.pdf", "relatório.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\nota.txt", "nota.txt"),
        ("\x1b[31mvermelho.txt", "[31mvermelho.txt"),
        ('a<b>c:"d"|e?*.txt', "a_b_c__d__e__.txt"),
        (".bashrc", "bashrc"),
        ("", "anexo"),
        ("..", "anexo"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_write_new_file_adds_a_number(tmp_path: Path) -> None:
    first = write_new_file(tmp_path, "a.txt", b"1")
    second = write_new_file(tmp_path, "a.txt", b"2")
    third = write_new_file(tmp_path, "../a.txt", b"3")
    assert [first.name, second.name, third.name] == ["a.txt", "a (1).txt", "a (2).txt"]
    assert first.read_bytes() == b"1" and third.parent == tmp_path
