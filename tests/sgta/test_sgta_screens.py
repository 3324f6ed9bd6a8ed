"""Pilot tests of the SGTA screens: trails, the trail table, justification and the gestor's decisions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from textual.widgets import DataTable, Input, RadioSet, Static, TextArea

from backend.sgta.domain import SgtaFlag, SgtaStatus
from screens.export_dialog import ExportScreen
from screens.sgta import NO_ACCESS, SgtaTrailsScreen
from screens.sgta_action import SgtaActionDialog
from screens.sgta_record import SgtaRecordScreen
from screens.sgta_trail import SgtaTrailScreen
from tests.sgta.conftest import SgtaDesk, sgta_app
from tests.tui.conftest import settle


def cell_texts(table: DataTable[object], column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def open_trail(pilot: object, app: object) -> SgtaTrailScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("T")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, SgtaTrailScreen)
    return screen


async def go_to(pilot: object, screen: SgtaTrailScreen, record_id: int) -> None:
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(record_id)))
    await settle(pilot)  # type: ignore[arg-type]


async def test_trails_table_and_the_word_permitido(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, SgtaTrailsScreen)
        table = app.screen.query_one(DataTable)
        assert cell_texts(table, 0) == ["Acumulação de cargos", "Pagamento após óbito", "Fornecedor com sócio servidor"]
        assert cell_texts(table, 1) == ["sim", "não", "não"]
        await pilot.press("slash", *"permitido")
        await settle(pilot, rounds=6)
        assert cell_texts(table, 0) == ["Acumulação de cargos"]
        assert "busca “permitido”" in str(app.screen.query_one("#sgta-summary", Static).content)
        await pilot.press("escape")  # clears the search
        await settle(pilot, rounds=6)
        assert table.row_count == 3


async def test_a_trail_without_access_is_refused_with_the_seeds_words(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SgtaTrailsScreen)
        assert any(NO_ACCESS in str(n.message) for n in app._notifications)


async def test_trail_table_has_own_and_common_columns_and_explains_flags(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_trail(pilot, app)
        table = screen.query_one(DataTable)
        headings = [str(c.label) for c in table.columns.values()]
        assert headings == ["Nº", "Unidade Gestora", "Matrícula", "Servidor", "Cargos acumulados", "Observação TCE",
                            "TCE", "Status", "Flags", "Docs", "Ações"]
        assert cell_texts(table, 7) == ["pendente", "justificado", "concluído", "pendente"]
        assert cell_texts(table, 3)[2] == "[b]Mauro[/b] Pereira"  # user data is never markup
        info = str(screen.query_one("#trail-info", Static).content)
        assert "P! Prazo de justificativa descumprido: Indica o descumprimento do prazo" in info
        await go_to(pilot, screen, sgta_desk.ids["monitorado"])
        info = str(screen.query_one("#trail-info", Static).content)
        assert "M Em monitoramento: Indica que o registro já teve a análise concluída" in info


async def test_analyst_justifies_through_the_dialog(sgta_desk: SgtaDesk, tmp_path: Path) -> None:
    document = tmp_path / "portaria.pdf"
    document.write_bytes(b"%PDF portaria")
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await pilot.press("j")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SgtaActionDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Escolha uma das opções." in str(dialog.query_one("#act-error", Static).content)
        dialog.query_one("#act-nao").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Escreva a justificativa." in str(dialog.query_one("#act-error", Static).content)
        dialog.query_one(TextArea).focus()
        await pilot.press(*"Vigia exonerado em 2024.")
        dialog.query_one("#act-files", Input).value = str(document)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        record = sgta_desk.service.record("ana", sgta_desk.ids["pendente"])
        assert record.status is SgtaStatus.JUSTIFICADO
        assert record.justification is not None and record.justification.agree is False
        assert record.justification.text == "Vigia exonerado em 2024."
        assert [d.name for d in record.documents] == ["portaria.pdf"]
        assert cell_texts(screen.query_one(DataTable), 7)[0] == "justificado"


async def test_keys_follow_status_and_role(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        assert screen.check_action("justify", ()) and not screen.check_action("validate", ())
        await pilot.press("v")  # hidden for the unit: nothing opens
        await settle(pilot)
        assert app.screen is screen
        assert screen.refusal("validate") == "Somente os Gestores da área DAP – Diretoria de Atos de Pessoal " \
                                             "podem fazer isto."
        await go_to(pilot, screen, sgta_desk.ids["justificado"])
        assert screen.check_action("request_change", ()) and not screen.check_action("justify", ())


async def test_gestor_puts_a_record_in_monitoring(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await go_to(pilot, screen, sgta_desk.ids["justificado"])
        await pilot.press("v")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SgtaActionDialog)
        dialog.query_one("#act-monitorar").value = True
        dialog.query_one(TextArea).insert("Acompanhar as escalas.")
        dialog.query_one("#act-until", Input).value = "31/02/2024"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Data inválida: '31/02/2024'. Use dd/mm/aaaa" in str(dialog.query_one("#act-error", Static).content)
        dialog.query_one("#act-until", Input).value = "15/03/2024"
        await pilot.press("ctrl+s")
        await settle(pilot)
        record = sgta_desk.service.record("gestor", sgta_desk.ids["justificado"])
        assert record.status is SgtaStatus.CONCLUIDO and record.flags == (SgtaFlag.MONITORING,)
        row = screen.query_one(DataTable).get_row(str(record.id))
        assert [str(c) for c in row[7:9]] == ["concluído", "M"]


async def test_a_refused_action_reopens_the_dialog_with_what_was_typed(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await pilot.press("j")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SgtaActionDialog)
        dialog.query_one("#act-sim").value = True
        dialog.query_one(TextArea).insert("Texto que não pode se perder.")
        # Meanwhile a colleague opens the record: the version the dialog saw is old.
        from backend.sgta.domain import SgtaAction, SgtaRequest

        sgta_desk.service.act("beto", sgta_desk.ids["pendente"], SgtaRequest(SgtaAction.OPEN))
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, SgtaActionDialog) and again is not dialog
        assert again.query_one(TextArea).text == "Texto que não pode se perder."
        assert again.query_one(RadioSet).pressed_button is not None
        assert any("alterado por outra pessoa" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_details_show_justification_documents_and_events(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_trail(pilot, app)
        await go_to(pilot, screen, sgta_desk.ids["justificado"])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SgtaRecordScreen)
        body = str(app.screen.query_one("#rec-body", Static).content)
        assert "Discorda — Ana Beatriz Vieira" in body and "Horários compatíveis." in body
        assert "escala.pdf" in body and "Registro carregado na trilha Acumulação de cargos" in body
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_export_writes_exactly_the_filtered_table(sgta_desk: SgtaDesk, tmp_path: Path) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await pilot.press("slash", *"blumenau")
        await settle(pilot, rounds=6)
        assert screen.query_one(DataTable).row_count == 1
        await pilot.press("enter", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        target = tmp_path / "trilha.csv"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
        assert rows[-1][:4] == [str(sgta_desk.ids["blumenau"]), "Prefeitura Municipal de Blumenau", "55.031-2",
                                "Patrícia Hoffmann Kuhn"]
        assert sum(1 for r in rows if r and r[0].isdigit()) == 1


async def test_palette_offers_the_trails(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Trilhas de auditoria (SGTA)" in titles


async def test_gestor_distributes_seeing_each_ones_load(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        alert = str(app.screen.query_one("#sgta-alert", Static).content)
        assert "Aguardando distribuição: 1" in alert and "Monitoramento vencido" not in alert
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SgtaTrailScreen)
        assert not screen.check_action("distribute", ())  # a pending record: nothing to distribute
        await go_to(pilot, screen, sgta_desk.ids["justificado"])
        await pilot.press("D")
        await settle(pilot)
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["Cláudia Pacheco (gestor) — nenhum registro em análise",
                          "Gabriela Souza (gabi) — nenhum registro em análise"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is screen
        record = sgta_desk.service.record("gestor", sgta_desk.ids["justificado"])
        assert record.status is SgtaStatus.EM_ANALISE_GESTOR and record.reserved_by == "gabi"
        row = screen.query_one(DataTable).get_row(str(record.id))
        assert [str(c) for c in row[6:8]] == ["Gabriela Souza", "em análise"]


async def test_complementary_actions_offer_only_what_the_record_allows(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await go_to(pilot, screen, sgta_desk.ids["monitorado"])
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SgtaActionDialog)
        enabled = {b.id: not b.disabled for b in dialog.query_one(RadioSet).query("RadioButton")}
        assert enabled == {"act-alterar_monitoramento": True, "act-encerrar_monitoramento": True,
                           "act-reabrir": True, "act-invocar": False}
        dialog.query_one("#act-encerrar_monitoramento").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        record = sgta_desk.service.record("gestor", sgta_desk.ids["monitorado"])
        assert record.status is SgtaStatus.CONCLUIDO and record.monitor_until is None and record.flags == ()
        # A pending record past its deadline: only the invocation.
        await go_to(pilot, screen, sgta_desk.ids["pendente"])
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SgtaActionDialog)
        assert dialog.query_one("#act-invocar").value  # the one allowed is chosen
        await pilot.press("ctrl+s")
        await settle(pilot)
        record = sgta_desk.service.record("gestor", sgta_desk.ids["pendente"])
        assert record.invoked_at is not None
        assert "Registro invocado pelo TCE" in record.events[-1].text


async def test_a_document_is_saved_from_the_details(sgta_desk: SgtaDesk, tmp_path: Path) -> None:
    app = sgta_app(sgta_desk, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_trail(pilot, app)
        await go_to(pilot, screen, sgta_desk.ids["justificado"])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SgtaRecordScreen)
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one(Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "escala.pdf").read_bytes() == b"%PDF escala"
        assert isinstance(app.screen, SgtaRecordScreen)


async def test_status_filter_cycles_and_the_export_follows_it(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        await pilot.press("s")  # pendente
        await settle(pilot)
        table = screen.query_one(DataTable)
        assert cell_texts(table, 7) == ["pendente", "pendente"]
        assert "status: pendente" in str(screen.query_one("#trail-summary", Static).content)
        assert screen.current_query().status is SgtaStatus.PENDENTE
        await pilot.press("s", "s")  # em análise (unidade): none; then justificado
        await settle(pilot)
        assert cell_texts(table, 7) == ["justificado"]
        for _ in range(4):  # em análise (Gestor), concluído, devolvido, then every status again
            await pilot.press("s")
        await settle(pilot)
        assert table.row_count == 4 and screen.current_query().status is None


async def test_the_table_picks_up_other_peoples_work_when_it_refreshes(sgta_desk: SgtaDesk) -> None:
    app = sgta_app(sgta_desk, "gestor")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_trail(pilot, app)
        from backend.sgta.domain import SgtaAction, SgtaRequest

        sgta_desk.service.act("beto", sgta_desk.ids["pendente"], SgtaRequest(SgtaAction.OPEN))
        screen._refresh_if_shown()  # what the 30-second timer calls
        await settle(pilot)
        row = screen.query_one(DataTable).get_row(str(sgta_desk.ids["pendente"]))
        assert [str(c) for c in row[6:8]] == ["Roberto Kuhn", "em análise"]
