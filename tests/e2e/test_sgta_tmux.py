"""SGTA in the installed ``demandas`` (80×24 tmux): the unit's analyst justifies a record, keyboard only."""

from __future__ import annotations

from tests.e2e.conftest import Terminal
from tests.sgta.conftest import ANALYST, ANALYST2, GESTOR, GESTOR2, fill_sgta
from tests.tui.data import make_desk

TEXT = "Vigia exonerado em janeiro"


def test_analyst_justifies_a_record_through_the_keyboard(terminal: Terminal) -> None:
    desk = make_desk(terminal.db, users=(GESTOR, GESTOR2, ANALYST, ANALYST2))
    made = fill_sgta(desk)
    record = made.ids["pendente"]
    desk.service.store.close()

    terminal.env["DEMANDAS_USER"] = ANALYST.login
    terminal.start()
    terminal.wait_for("Minhas demandas")
    terminal.send("T")
    terminal.wait_for("Trilhas de auditoria", "Acumulação de cargos", "Enter abre a trilha")
    terminal.send("Enter")
    terminal.wait_for("Trilha: Acumulação de cargos", f"Nº {record} — pendente")
    terminal.send("j")
    terminal.wait_for(f"Justificar — registro {record}", "Concordo com a inconsistência")
    terminal.send("Space")  # the first option, "Concordo", is highlighted
    terminal.move_focus("Tab")
    terminal.type(TEXT)
    terminal.wait_for(TEXT)
    terminal.send("C-s")
    terminal.wait_for(f"Nº {record} — justificado")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")

    check = make_desk(terminal.db, users=())
    try:
        from backend.sgta.service import SgtaService

        saved = SgtaService(check.service).record(GESTOR.login, record)
    finally:
        check.service.store.close()
    assert saved.status.value == "justificado"
    assert saved.justification is not None and saved.justification.agree is True
    assert saved.justification.text == TEXT
