"""The installed ``demandas`` in an 80×24 tmux terminal: one ticket per desk, opened by the keyboard only."""

from __future__ import annotations

import time
from pathlib import Path

from backend.domain import Scope, Ticket, TicketQuery
from tests.e2e.conftest import Terminal
from tests.tui.data import REQUESTER, make_desk

#: The desk list opens on e-CAGE; the others follow in this order.
ORDER = ("ecage", "sei", "govbr", "citsmart")


def open_form(terminal: Terminal, desk_id: str, title: str) -> None:
    """Start the app, press n, pick the desk in the list, wait for its form."""
    terminal.start()
    terminal.wait_for("Minhas demandas", "n Nova")
    terminal.send("n")
    terminal.wait_for("Em qual balcão", "SEI", "CITSmart")
    terminal.send(*["Down"] * ORDER.index(desk_id), "Enter")
    terminal.wait_for(f"Nova demanda — {title}")


def pick(terminal: Terminal, text: str, option: str | None = None) -> None:
    """In the focused picker: type a filter, wait for the option to be listed, take it."""
    option = option or text
    terminal.type(text)
    # A listed option sits right at the list's border ("▊Erro"); the typed filter is padded.
    def listed(shown: str) -> bool:
        return any(line.strip().startswith("▊" + option) for line in shown.splitlines())

    terminal.wait_until(listed, f"a opção {option!r}")
    terminal.send("Enter")
    # Closed before moving on: the closing list moves the cursor too, which move_focus would take
    # for the focus change.
    terminal.wait_until(lambda shown: not listed(shown), f"a lista fechar com {option!r}")


def go(terminal: Terminal, label: str) -> None:
    """Tab to the field labelled ``label`` and wait until the cursor is in its box.

    (The form scrolls to the focused field, so the cursor row alone does not tell a move.)"""
    terminal.send("Tab")
    terminal.wait_cursor_on(label, below=2)  # label, box border, then the text line


def go_blind(terminal: Terminal) -> None:
    """Tab to the next field when it is a box inside a composite field (picker, rows, files).

    Those boxes leave no terminal cursor to watch, and letters typed before tab has moved
    the focus land in the field being left; so give tab a moment. What follows checks a
    visible effect (the option listed, the row added), so a lost letter fails loudly."""
    terminal.send("Tab")
    time.sleep(0.5)


def write(terminal: Terminal, text: str) -> None:
    """Type into the focused one-line field and wait until it shows."""
    terminal.type(text)
    terminal.wait_for(text)


def sent(terminal: Terminal, prefix: str) -> Ticket:
    """Wait for the new ticket's details; return it as the service stored it."""
    terminal.wait_for(f"Demanda {prefix}-", "Solicitante:")  # (the desk's fields push the timeline down)
    desk = make_desk(terminal.db, users=())
    try:
        [summary] = desk.service.list_tickets(REQUESTER.login, TicketQuery(scope=Scope.MINE)).items
        return desk.service.get_ticket(REQUESTER.login, summary.number)
    finally:
        desk.service.store.close()


def quit_app(terminal: Terminal) -> None:
    terminal.send("Escape")
    terminal.wait_for("Minhas demandas", "1 de 1")
    terminal.send("q")
    terminal.wait_for("DEMANDAS-SAIU=0")


def documents(home: Path) -> Path:
    (home / "oficio.pdf").write_bytes(b"%PDF-1.4\n" + b"y" * 800)
    (home / "tela.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"p" * 500)
    return home


def test_sei_ticket_with_confirmed_email_and_attachment(terminal: Terminal) -> None:
    make_desk(terminal.db).service.store.close()
    home = documents(terminal.home)
    open_form(terminal, "sei", "SEI")
    terminal.wait_cursor_on("Órgão Vinculado *", below=2)
    pick(terminal, "Casa Civil")
    go(terminal, "Nome completo *")
    write(terminal, "Fernando Sidarta Bastos dos Santos")
    go(terminal, "Email *")
    write(terminal, "fernando@seplan.ma.gov.br")
    go(terminal, "Repetir Email *")
    terminal.type("fernando@sefaz")
    terminal.wait_for("Os e-mails não conferem")  # shown while typing
    terminal.send(*["BSpace"] * len("sefaz"))
    terminal.type("seplan.ma.gov.br")
    terminal.wait_until(lambda shown: "Os e-mails não conferem" not in shown, "a confirmação aceita")
    terminal.send("Tab")  # to "Chamado", a text area
    terminal.type("Não consigo assinar documentos no SEI.")
    terminal.wait_for("Não consigo assinar documentos no SEI.")
    terminal.send("C-s")  # the attachment is required: the form says so and goes there
    terminal.wait_for("Anexe ao menos um arquivo em “Anexo”.")
    terminal.type(str(home / "oficio.pdf"))
    terminal.send("Enter")
    terminal.wait_until(lambda shown: "Nenhum arquivo escolhido" not in shown, "o arquivo na lista")
    terminal.send("C-s")
    ticket = sent(terminal, "SEI")
    assert ticket.desk == "sei" and ticket.orgao == "Casa Civil"
    assert ticket.fields["email"] == "fernando@seplan.ma.gov.br"
    assert [a.name for a in ticket.attachments] == ["oficio.pdf"]
    quit_app(terminal)


def test_govbr_ticket_with_a_table_of_protocols(terminal: Terminal) -> None:
    make_desk(terminal.db).service.store.close()
    open_form(terminal, "govbr", "gov.br")
    terminal.wait_cursor_on("Telefone *", below=2)
    write(terminal, "(61) 2020-8000")
    go(terminal, "E-mail Institucional *")
    write(terminal, "fernando@economia.gov.br")
    go_blind(terminal)
    pick(terminal, "INSS", "Instituto Nacional do Seguro Social (INSS)")
    go(terminal, "Nome do Serviço *")
    write(terminal, "Emissão de certidão")
    for text, option in (("erro", "Erro"), ("analista", "Analista do Serviço"), ("api", "Erro em alguma API"),
                         ("todas", "Todas as solicitações do serviço")):
        go_blind(terminal)
        pick(terminal, text, option)
    terminal.send("Tab")  # to "Detalhamento do Chamado", a text area
    terminal.type("A integração com a Receita falha.")
    terminal.wait_for("A integração com a Receita falha.")
    go_blind(terminal)  # to the protocol box
    terminal.type("abc")
    terminal.send("Enter")
    terminal.wait_for("Use só dígitos")  # refused row, kept to fix
    terminal.send("C-u")
    for row in ("00001.002345/2025-67", "123456"):
        terminal.type(row)
        terminal.send("Enter")
        terminal.wait_for(row)
    terminal.wait_until(lambda shown: "Use só dígitos" not in shown, "a linha aceita")
    terminal.send("C-s")
    ticket = sent(terminal, "GOVBR")
    assert ticket.desk == "govbr"
    assert ticket.fields["protocolos"] == "00001.002345/2025-67\n123456"
    assert ticket.fields["tipo_problema"] == "Erro em alguma API"
    quit_app(terminal)


def test_citsmart_error_ticket_with_its_screenshot(terminal: Terminal) -> None:
    make_desk(terminal.db).service.store.close()
    home = documents(terminal.home)
    open_form(terminal, "citsmart", "CITSmart")
    terminal.wait_cursor_on("Tema de serviço *", below=2)
    pick(terminal, "erro/indis", "Erro/Indisponibilidade SIASG")
    go_blind(terminal)
    pick(terminal, "alta", "Alta")
    # The error theme made the questionnaire (and the screenshot) required: each label has its *.
    for label, text in (("Código da UASG *", "925001"),
                        ("Funcionalidade/transação do SIASG com erro *", "Divulgação de compras"),
                        ("Mensagem de erro apresentada *", "Erro 500 ao publicar"),
                        ("Data e hora da ocorrência *", "05/03/2025 14:30")):
        go(terminal, label)
        write(terminal, text)
    terminal.send("Tab")  # to the step by step, a text area
    terminal.type("Abri a compra e cliquei em Publicar.")
    terminal.wait_for("Abri a compra e cliquei em Publicar.")
    go_blind(terminal)  # to the screenshot's path box
    terminal.type(str(home / "tela.png"))
    terminal.send("Enter")
    terminal.wait_for("tela.png")
    terminal.send("C-s")  # the description is still empty: the form goes there
    terminal.wait_for("Descreva a demanda.")
    terminal.type("Não consigo publicar a compra.")
    terminal.wait_for("Não consigo publicar a compra.")
    terminal.send("C-s")
    ticket = sent(terminal, "CIT")
    assert ticket.desk == "citsmart" and ticket.type == "Erro/Indisponibilidade SIASG"
    assert ticket.fields["uasg"] == "925001"
    assert [a.name for a in ticket.attachments] == ["tela.png"]
    quit_app(terminal)
