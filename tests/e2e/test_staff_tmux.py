"""Staff flow in the installed ``demandas`` (80×24 tmux): distribute, reply, note, requester reads."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.e2e.conftest import Terminal
from tests.staff.conftest import AGENT, MANAGER
from tests.tui.data import REQUESTER, make_desk, new_ticket

REPLY = "Ajustamos a retencao no FPE"
NOTE = "Segredo interno da equipe"


def demandas(db: Path, user: str, *args: str) -> None:
    """Run the installed CLI as ``user`` over ``db``; it must succeed."""
    command = shutil.which("demandas")
    assert command is not None
    done = subprocess.run([command, *args, "--db", str(db), "--user", user], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_manager_distributes_agent_answers_requester_reads(terminal: Terminal, tmp_path: Path) -> None:
    desk = make_desk(terminal.db, users=(REQUESTER, AGENT, MANAGER))
    desk.clock.now = datetime.now(UTC)
    number = desk.service.create_ticket(REQUESTER.login, new_ticket("Retencao indevida no FPE")).number
    desk.service.store.close()

    # The manager distributes it from the queue, keyboard only.
    terminal.env["DEMANDAS_USER"] = MANAGER.login
    terminal.start()
    terminal.wait_for("aguardando distribuição", "f para abrir a fila")
    terminal.send("f")
    terminal.wait_for("Fila", "1 de 1", number)
    terminal.send("D")
    terminal.wait_for(f"Distribuir a demanda {number}", "Ana Atendente (atendente)")
    terminal.send("Enter")  # Ana is the first (highlighted) option
    terminal.wait_for("0 de 0", "distribuída(s)")  # nothing awaits distribution; the notice confirms it
    terminal.send("m")  # Todas da área: the info line under the table names the assignee
    terminal.wait_until(lambda shown: "1 de 1" in shown and number in shown
                        and "responsável: Ana Atendente" in " ".join(shown.split()),  # the line may wrap
                        "a demanda com responsável Ana Atendente")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")

    # The agent answers and writes a note, through the CLI.
    demandas(terminal.db, AGENT.login, "tickets", "reply", number, "--text", REPLY)
    demandas(terminal.db, AGENT.login, "tickets", "note", number, "--text", NOTE)
    staff_view = make_desk(terminal.db, users=())
    texts = [event.text for event in staff_view.service.get_ticket(AGENT.login, number).timeline]
    staff_view.service.store.close()
    assert REPLY in texts and NOTE in texts  # the note exists: the requester must not see it

    # The requester, in a terminal of their own, reads the reply and never the note.
    home = tmp_path / "requester-home"
    home.mkdir()
    requester = Terminal(home)
    requester.db = terminal.db
    requester.env.update({"DEMANDAS_DB": str(terminal.db), "DEMANDAS_USER": REQUESTER.login})
    try:
        requester.start()
        requester.wait_for("Minhas demandas", "1 de 1", number)
        requester.send("Enter")
        shown = requester.wait_for(f"Demanda {number}", "Linha do Tempo", REPLY)
        # The timeline is newest first: the note, written after the reply, would be above it.
        assert NOTE not in shown
        requester.send("Escape")
        requester.wait_for("Minhas demandas")
        requester.send("q")
        requester.wait_for("DEMANDAS-SAIU=0")
    finally:
        requester.close()
