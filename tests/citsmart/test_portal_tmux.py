"""End to end in a real terminal (tmux): Conhecimentos and Avaliar atendimento with the installed command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.domain import Role, User
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.test_evaluations import UASG
from tests.e2e.conftest import DEMANDAS, TMUX, Terminal

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(TMUX is None or DEMANDAS is None, reason="tmux ou o comando demandas não está disponível"),
]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """An 80×24 terminal whose store holds fernando's resolved UASG ticket."""
    home = tmp_path / "terminal-home"
    home.mkdir()
    term = Terminal(home)
    store = Store(term.db)
    try:
        service = HelpdeskService(store)
        service.save_user(User("fernando", "Fernando Santos", "fernando@sefaz.rs.gov.br", "(51) 3214-5000",
                               "Analista"))
        service.save_user(User("ana", "Ana Atendente", role=Role.AGENT))
        number = service.create_ticket("fernando", UASG).number
        service.resolve("ana", number, "UASG 925001 reativada.")
    finally:
        store.close()
    yield term
    term.close()


def test_read_an_article_then_evaluate_the_ticket(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for("Minhas demandas", "Nenhuma demanda ativa.")
    terminal.send("k")
    # The count appears after the first search, which starts once the search box has the focus.
    terminal.wait_for("Conhecimentos", "8 artigos")
    terminal.type("reativacao")
    shown = terminal.wait_for("1 artigo", "Reativação de UASG: quando e como pedir")
    assert "CNPJ" in shown or "dois anos" in shown
    terminal.send("Escape")
    terminal.wait_for("Minhas demandas")
    # The home lists the app's desk (e-CAGE); "Ir para demanda" in the palette finds any desk's ticket.
    terminal.send("C-p")
    terminal.wait_for("Ir para demanda")
    terminal.type("CIT-00001")
    terminal.wait_for("Ir para CIT-00001-")
    terminal.send("Enter")
    terminal.wait_for("Linha do Tempo", "a Avaliar")
    terminal.send("a")
    terminal.wait_for("Avaliar atendimento")
    terminal.send("4")
    terminal.move_focus("Tab")
    terminal.type("Rápido e claro.")
    terminal.send("C-s")
    terminal.wait_for("Nota 4 de 5 — Rápido e claro.")
    terminal.send("Escape")
    terminal.wait_for("Minhas demandas")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")
