"""The README's first command: ``demandas --demo`` on a brand-new machine shows demo tickets."""

from __future__ import annotations

from tests.e2e.conftest import Terminal


def test_demo_fills_an_empty_store_and_opens_the_app(terminal: Terminal) -> None:
    terminal.env["DEMANDAS_USER"] = "solicitante"  # the demo requester: complete profile, many tickets
    assert not terminal.db.exists()
    terminal.start("--demo")
    shown = terminal.wait_for("Minhas demandas", "CAGE-", "Criação", timeout=90)
    assert "Em Andamento" in shown
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")
    # A second start keeps the data: --demo only seeds an empty store.
    terminal.close()
    again = Terminal(terminal.home)
    again.env["DEMANDAS_USER"] = "solicitante"
    again.start("--demo")
    try:
        again.wait_for("Minhas demandas", "CAGE-")
        again.send("q")
        shown = again.wait_for("DEMANDAS-SAIU=0")
        assert "nada foi criado" in shown
    finally:
        again.close()
