"""The installed ``demandas`` in an 80×24 tmux terminal, driven by the keyboard only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.domain import Scope, TicketQuery
from tests.e2e.conftest import Terminal
from tests.tui.data import REQUESTER, fill_desk, make_desk


def test_create_a_ticket_with_the_keyboard_and_read_it_back(terminal: Terminal) -> None:
    desk = make_desk(terminal.db)  # the requester exists with a complete profile: no first-use dialog
    desk.service.store.close()
    terminal.start()
    terminal.wait_for("Minhas demandas", "Nenhuma demanda ativa", "n Nova")

    terminal.send("n")
    terminal.wait_for("Em qual balcão", "e-CAGE")  # several desks: the list opens on e-CAGE
    terminal.send("Enter")
    terminal.wait_for("Nova demanda", "Título *")
    terminal.wait_cursor_on("Título *", below=2)  # label, box border, then the text line
    terminal.type("Erro no CADIN via terminal")
    terminal.move_focus("Tab")
    # Each picker: type to filter, wait for the option, Enter chooses it; then wait until
    # the next level has loaded its options before moving on (they load in a worker).
    steps = (
        ("Secretaria da Fazenda", None),
        ("Sistemas", "Selecione antes: Tipo"),
        ("Erros de Sistema", "Selecione antes: Categoria"),
        ("CADIN", None),
    )
    for value, waiting in steps:
        before = terminal.screen().count(value)
        terminal.type(value)
        terminal.wait_until(lambda shown, v=value, n=before: shown.count(v) >= n + 2, f"a opção {value!r}")
        terminal.send("Enter")
        # The list closes on the choice (only the chosen value stays on screen): a Tab sent while it
        # is still open would go to the list. A person sees it close; the test waits for it too.
        terminal.wait_until(lambda shown, v=value, n=before: shown.count(v) <= n + 1, f"a escolha de {value!r}")
        if waiting:
            terminal.wait_until(lambda shown, w=waiting: w not in shown, f"o próximo nível depois de {value!r}")
        if value != "CADIN":
            terminal.move_focus("Tab")
    terminal.send("Tab")  # to the description (a text area: no terminal cursor to watch)
    terminal.type("A")
    terminal.wait_for("1999 caracteres restantes")  # the focus is in the description now
    terminal.type(" consulta ao CADIN falha com uma mensagem em inglês.")
    terminal.wait_for("A consulta ao CADIN falha com uma mensagem em inglês.")
    terminal.send("C-s")

    shown = terminal.wait_for("Linha do Tempo", "Erro no CADIN via terminal", "CAGE-")
    assert "Em Andamento" in shown and "CADIN" in shown
    terminal.send("Escape")
    shown = terminal.wait_for("Minhas demandas", "1 de 1", "Erro no CADIN via")

    # The row on screen is the ticket the service stored.
    desk = make_desk(terminal.db, users=())
    page = desk.service.list_tickets(REQUESTER.login, TicketQuery(scope=Scope.MINE))
    desk.service.store.close()
    assert [t.title for t in page.items] == ["Erro no CADIN via terminal"]
    assert page.items[0].number in shown

    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")


def test_open_a_resolved_ticket_and_reopen_it(terminal: Terminal) -> None:
    # Real time, so the 7-day window counts from "yesterday" for the installed app too.
    desk = fill_desk(make_desk(terminal.db), start=datetime.now(UTC) - timedelta(minutes=30))
    number = desk.numbers["resolvida"]
    desk.service.store.close()
    terminal.start()
    terminal.wait_for("Minhas demandas", "4 de 4")

    terminal.send("/")
    terminal.type("liquidar")
    terminal.wait_for("0 de 0")  # active only: the resolved ticket is not listed
    terminal.send("Escape", "a")  # clear the search... then all tickets
    terminal.wait_for("Todas as ocorrências", "6 de 6")
    terminal.send("/")
    terminal.type("liquidar")
    terminal.wait_for("1 de 1", number)
    terminal.send("Enter", "Enter")  # leave the search box, open the highlighted ticket

    terminal.wait_for(f"Demanda {number}", "Status:           Resolvido", "Linha do Tempo")
    terminal.send("r")
    terminal.wait_for("Reabertura", "Informe uma justificativa para reabrir esta demanda.")
    terminal.send("C-s")  # empty: refused inline, the dialog stays
    terminal.wait_for("A justificativa é obrigatória")
    terminal.type("Problema não resolvido.")
    terminal.send("C-s")

    shown = terminal.wait_for("Demanda reaberta com sucesso.", "Status:           Em Andamento")
    assert "Reabertura" not in shown
    terminal.send("Escape")
    terminal.wait_for("Minhas demandas", "Em Andamento")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")


def test_first_use_asks_for_my_data(terminal: Terminal) -> None:
    make_desk(terminal.db, users=()).service.store.close()
    terminal.start()
    terminal.wait_for("Meus Dados", "Primeiro acesso")
    terminal.wait_cursor_on("ex.: nome@orgao.rs.gov.br")
    terminal.type("fernando@sefaz.rs.gov.br")
    terminal.move_focus("Enter")  # Enter goes to the next field...
    terminal.type("(51) 3214-5000")
    terminal.move_focus("Enter")
    terminal.type("Analista")
    terminal.send("Enter")  # ...and saves on the last one
    terminal.wait_for("Dados salvos.", "Minhas demandas")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")
