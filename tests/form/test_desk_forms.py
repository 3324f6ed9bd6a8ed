"""The generic Nova demanda form on the other desks (SEI, gov.br, CITSmart), driven by keyboard.

The desks are the shipped data files; sends go to the real local backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from backend.domain import Ticket, TicketQuery
from screens.desk_choice import DeskChoiceScreen
from screens.new_ticket import NewTicketScreen
from tests.form.conftest import Backend, FormApp, settle
from tui.drafts import DraftStore
from tui.settings import saved_desk
from widgets.attachment_field import AttachmentField
from widgets.cascade import FilterPicker
from widgets.rows_field import RowsField

EMAIL = "fernando@seplan.ma.gov.br"


def desk_app(backend: Backend, desk_id: str) -> FormApp:
    desk = backend.service.desk(desk_id)
    return FormApp(backend.adapter(), lambda a: NewTicketScreen(a, desk))


def screen_of(pilot: Pilot[Any]) -> NewTicketScreen:
    screen = pilot.app.screen
    assert isinstance(screen, NewTicketScreen)
    return screen


def rows_of(screen: NewTicketScreen, name: str) -> RowsField:
    control = screen.box(name).control
    assert isinstance(control, RowsField)
    return control


def files_of(screen: NewTicketScreen, name: str) -> AttachmentField:
    control = screen.box(name).control
    assert isinstance(control, AttachmentField)
    return control


def label_of(screen: NewTicketScreen, name: str) -> str:
    return str(screen.box(name).query_one(".field-label", Label).content)


def stored(backend: Backend) -> list[Ticket]:
    page = backend.service.list_tickets("fernando", TicketQuery(active_only=False))
    return [backend.service.get_ticket("fernando", s.number) for s in page.items]


async def type_in(pilot: Pilot[Any], screen: NewTicketScreen, name: str, text: str, *, clear: bool = False) -> None:
    """Focus field ``name`` and type ``text`` (a picker: its filter, then enter takes the first match)."""
    screen._focus_field(name)
    await pilot.pause()
    control = screen.box(name).control
    if clear:
        await pilot.press("end", "ctrl+u")
    elif not isinstance(control, FilterPicker):
        await pilot.press("end")  # focus selects the text; type after it instead
    await pilot.press(*text)
    if isinstance(control, FilterPicker | RowsField):
        await pilot.press("enter")
    await settle(pilot)


async def fill(pilot: Pilot[Any], screen: NewTicketScreen, values: dict[str, str | list[str]]) -> None:
    for name, value in values.items():
        control = screen.box(name).control
        if isinstance(control, AttachmentField):
            assert isinstance(value, list)
            for path in value:
                assert control.add_path(path), path
            await settle(pilot)
        elif isinstance(value, list):
            for row in value:
                await type_in(pilot, screen, name, row)
        else:
            await type_in(pilot, screen, name, value)


@pytest.fixture
def shots(home: Path) -> Path:
    """Screenshots and documents to attach."""
    folder = home / "docs"
    folder.mkdir()
    (folder / "tela-erro.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"p" * 500)
    (folder / "oficio.pdf").write_bytes(b"%PDF-1.4\n" + b"y" * 800)
    (folder / "notas.txt").write_text("passo 1\npasso 2\n", encoding="utf-8")
    return folder


SEI = {
    "orgao": "seplan",
    "nome": "Fernando Sidarta Bastos dos Santos",
    "email": EMAIL,
    "email_confirmacao": EMAIL,
    "description": "Não consigo assinar documentos no SEI.",
}
GOVBR = {
    "telefone": "(61) 2020-8000",
    "email_institucional": "fernando@economia.gov.br",
    "orgao": "inss",
    "servico": "Emissão de certidão",
    "objetivo": "erro",
    "tipo_solicitante": "analista",
    "tipo_problema": "integra",
    "alcance": "algumas",
    "description": "A integração com a Receita falha.",
    "protocolos": ["00001.002345/2025-67", "00001.002346/2025-11"],
}
CITSMART_ERROR = {
    "type": "erro/indisp",
    "prioridade": "alta",
    "uasg": "925001",
    "funcionalidade": "Divulgação de compras",
    "mensagem_erro": "Erro 500 ao publicar",
    "data_ocorrencia": "05/03/2025 14:30",
    "passo_a_passo": "Abri a compra e cliquei em Publicar.",
    "description": "Não consigo publicar a compra.",
}

#: Every required field of each desk and the message an empty one gets (the service's wording).
REQUIRED = {
    "sei": {
        "orgao": "Selecione o órgão.",
        "nome": "Preencha o campo “Nome completo”.",
        "email": "Preencha o campo “Email”.",
        "email_confirmacao": "Repita o e-mail em “Repetir Email”.",
        "description": "Descreva a demanda.",
        "attachments": "Anexe ao menos um arquivo em “Anexo”.",
    },
    "govbr": {
        "telefone": "Preencha o campo “Telefone”.",
        "email_institucional": "Preencha o campo “E-mail Institucional”.",
        "orgao": "Selecione o órgão.",
        "servico": "Preencha o campo “Nome do Serviço”.",
        "objetivo": "Selecione uma opção em “Objetivo da Solicitação”.",
        "tipo_solicitante": "Selecione uma opção em “Tipo de Solicitante”.",
        "tipo_problema": "Selecione uma opção em “Tipo de Problema”.",
        "alcance": "Selecione uma opção em “Alcance do Defeito”.",
        "description": "Descreva a demanda.",
        "protocolos": "Adicione ao menos um item em “Protocolos das solicitações afetadas”.",
    },
    "citsmart": {
        "type": "Selecione o tipo.",
        "prioridade": "Selecione uma opção em “Prioridade”.",
        "description": "Descreva a demanda.",
    },
}


@pytest.mark.parametrize("desk_id", sorted(REQUIRED))
async def test_every_required_field_is_refused_with_its_message(backend: Backend, desk_id: str) -> None:
    app = desk_app(backend, desk_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = screen_of(pilot)
        shown = {name: box.error for name, box in screen._boxes.items() if box.error is not None}
        assert shown == REQUIRED[desk_id]
        for name in REQUIRED[desk_id]:
            assert label_of(screen, name).endswith(" *")
        # The focus goes to the first field to fix; nothing was sent.
        first = next(iter(REQUIRED[desk_id]))
        assert screen._field_of(screen.focused) is screen.box(first)
        assert app.results == [] and stored(backend) == []


async def test_email_confirmation_mismatch_shows_while_typing_and_on_leaving(backend: Backend) -> None:
    async with desk_app(backend, "sei").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await type_in(pilot, screen, "email", EMAIL)
        await type_in(pilot, screen, "email_confirmacao", "fernando@")
        confirm = screen.box("email_confirmacao")
        assert confirm.error is None  # still typing the same address
        await pilot.press(*"sefaz")
        await settle(pilot)
        assert confirm.error == "Os e-mails não conferem: digite o mesmo e-mail nos dois campos."
        for _ in "sefaz":
            await pilot.press("backspace")
        await settle(pilot)
        assert confirm.error is None
        await pilot.press("tab")  # leaving an unfinished confirmation is a mismatch
        await settle(pilot)
        assert confirm.error == "Os e-mails não conferem: digite o mesmo e-mail nos dois campos."
        await type_in(pilot, screen, "email_confirmacao", "seplan.ma.gov.br")
        assert confirm.error is None
        # Changing the first address re-checks the confirmation.
        await type_in(pilot, screen, "email", "x")
        assert confirm.error == "Os e-mails não conferem: digite o mesmo e-mail nos dois campos."


async def test_bad_email_and_phone_are_refused_on_leaving_the_field(backend: Backend) -> None:
    async with desk_app(backend, "govbr").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await type_in(pilot, screen, "telefone", "61 abc")
        await type_in(pilot, screen, "email_institucional", "fernando.economia.gov.br")
        assert screen.box("telefone").error == "Telefone inválido: use DDD e número, por exemplo (61) 2020-8000."
        await pilot.press("tab")
        await settle(pilot)
        assert screen.box("email_institucional").error == "E-mail inválido: use o formato nome@orgao.gov.br."
        await type_in(pilot, screen, "telefone", "(61) 2020-8000", clear=True)
        assert screen.box("telefone").error is None


async def test_rows_are_added_checked_and_removed_with_the_keyboard(backend: Backend) -> None:
    async with desk_app(backend, "govbr").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        rows = rows_of(screen, "protocolos")
        box = screen.box("protocolos")
        await type_in(pilot, screen, "protocolos", "abc")
        assert box.error == ("Use só dígitos, com pontos, barra ou hífen se houver "
                             "(ex.: 00001.002345/2025-67).")
        assert rows.rows == [] and rows.entry.value == "abc"  # what was typed stays, to fix it
        await pilot.press("ctrl+u", *"00001.002345/2025-67", "enter")
        await settle(pilot)
        assert box.error is None and rows.rows == ["00001.002345/2025-67"] and rows.entry.value == ""
        await pilot.press(*"00001.002345/2025-67", "enter")
        await settle(pilot)
        assert box.error == "“00001.002345/2025-67” já está na tabela."
        await pilot.press("ctrl+u", *"123456", "enter", *"777777", "enter")
        await settle(pilot)
        assert rows.rows == ["00001.002345/2025-67", "123456", "777777"]
        # Tab past "Adicionar" reaches the table; the footer shows the key that removes a row.
        await pilot.press("tab", "tab")
        assert rows.table.has_focus
        footer_keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "remove" in footer_keys
        await pilot.press("down", "delete")
        await settle(pilot)
        assert rows.rows == ["00001.002345/2025-67", "777777"]
        # The value sent is the rows, one per line.
        assert screen.build_ticket(screen.values()).fields["protocolos"] == "00001.002345/2025-67\n777777"
        await pilot.press("delete", "delete")
        await settle(pilot)
        assert rows.rows == [] and rows.entry.has_focus


async def test_a_value_typed_but_not_added_is_not_dropped_at_send(backend: Backend) -> None:
    async with desk_app(backend, "govbr").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        screen._focus_field("protocolos")
        await pilot.press(*"123456", "ctrl+s")
        await settle(pilot)
        assert screen.box("protocolos").error == "Tecle enter para adicionar o valor digitado à tabela, ou apague-o."
        assert rows_of(screen, "protocolos").entry.value == "123456"


async def test_citsmart_screenshot_is_required_only_for_the_error_theme(backend: Backend, shots: Path) -> None:
    app = desk_app(backend, "citsmart")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert not label_of(screen, "print_tela").endswith("*")
        await type_in(pilot, screen, "type", "reativa")
        assert not label_of(screen, "print_tela").endswith("*")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.box("print_tela").error is None
        assert screen.box("uasg").error == ("Preencha o campo “Código da UASG”: é obrigatório quando "
                                            "“Tema de serviço” é “Reativação de UASG”.")
        # The error theme: the screenshot and the questionnaire become required, live.
        await type_in(pilot, screen, "type", "erro/indisp")
        assert label_of(screen, "print_tela") == "Print da tela com o erro *"
        assert label_of(screen, "passo_a_passo").endswith(" *")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.box("print_tela").error == (
            "Anexe ao menos um arquivo em “Print da tela com o erro”: é obrigatório quando "
            "“Tema de serviço” é “Erro/Indisponibilidade SIASG”.")
        # Only pictures are taken there.
        shot = files_of(screen, "print_tela")
        assert not shot.add_path(shots / "oficio.pdf")
        await settle(pilot)
        assert screen.box("print_tela").error == (
            "O arquivo “oficio.pdf” não é aceito aqui: envie PNG, JPG, JPEG, GIF ou BMP.")
        # Back to a theme without the requirement: the message and the * go away.
        await type_in(pilot, screen, "type", "melhorias")
        assert not label_of(screen, "print_tela").endswith("*")


async def test_sei_refuses_a_ticket_without_its_attachment(backend: Backend, shots: Path) -> None:
    app = desk_app(backend, "sei")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await fill(pilot, screen, SEI)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert {n: b.error for n, b in screen._boxes.items() if b.error} == {
            "attachments": "Anexe ao menos um arquivo em “Anexo”."}
        assert app.results == []
        await fill(pilot, screen, {"attachments": [str(shots / "oficio.pdf")]})
        assert screen.box("attachments").error is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        [created] = app.results
        assert isinstance(created, Ticket) and created.number.startswith("SEI-")


@pytest.mark.parametrize(("desk_id", "values", "prefix"), [
    pytest.param("sei", {**SEI, "attachments": ["docs/oficio.pdf"]}, "SEI-", id="sei"),
    pytest.param("govbr", {**GOVBR, "attachments": ["docs/notas.txt"]}, "GOVBR-", id="govbr"),
    pytest.param("citsmart", {**CITSMART_ERROR, "print_tela": ["docs/tela-erro.png"],
                              "attachments": ["docs/notas.txt"]}, "CIT-", id="citsmart"),
])
async def test_a_filled_form_is_sent_to_the_backend(backend: Backend, shots: Path, desk_id: str,
                                                    values: dict[str, str | list[str]], prefix: str) -> None:
    backend.service.update_profile("fernando", _profile())
    app = desk_app(backend, desk_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await fill(pilot, screen, values)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert {n: b.error for n, b in screen._boxes.items() if b.error} == {}
        [created] = app.results
        assert isinstance(created, Ticket) and created.number.startswith(prefix)
    [ticket] = stored(backend)
    assert ticket.desk == desk_id
    sent_files = {(a.name) for a in ticket.attachments}
    expected_files = {Path(p).name for name in ("attachments", "print_tela") for p in values.get(name, [])}
    assert sent_files == expected_files
    if desk_id == "govbr":
        assert ticket.fields["protocolos"] == "00001.002345/2025-67\n00001.002346/2025-11"
        assert ticket.fields["tipo_problema"] == "Erro em alguma integração"
        assert ticket.orgao == "Instituto Nacional do Seguro Social (INSS)"
    if desk_id == "citsmart":
        assert ticket.type == "Erro/Indisponibilidade SIASG"
        assert ticket.fields["uasg"] == "925001"
    if desk_id == "sei":
        assert ticket.description == SEI["description"]
        assert "email_confirmacao" not in ticket.fields


def _profile() -> Any:
    from backend.domain import ProfileUpdate

    return ProfileUpdate(email=EMAIL, phone="(98) 3218-0000", cargo="Analista")


async def test_account_fields_show_the_account_and_are_not_typed(backend: Backend) -> None:
    backend.service.update_profile("fernando", _profile())
    async with desk_app(backend, "govbr").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert str(screen.box("nome_solicitante").control.render()) == "Fernando Sidarta Bastos dos Santos"
        assert str(screen.box("email_solicitante").control.render()) == EMAIL
        assert screen.box("telefone").control.has_focus  # the first field to type
        assert "nome_solicitante" not in screen.build_ticket(screen.values()).fields


async def test_the_server_refusal_lands_under_its_field(backend: Backend) -> None:
    """201 protocols pass every check of the form; the service allows 200 and names the field."""
    app = desk_app(backend, "govbr")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await fill(pilot, screen, {k: v for k, v in GOVBR.items() if k != "protocolos"})
        rows_of(screen, "protocolos").restore([f"{n:06d}" for n in range(201)])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        assert screen.box("protocolos").error == "“Protocolos das solicitações afetadas” tem 201 itens; o limite é 200."
        assert len(rows_of(screen, "protocolos").rows) == 201  # nothing lost


async def test_rows_and_every_files_field_survive_a_crash(backend: Backend, shots: Path) -> None:
    app = desk_app(backend, "citsmart")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await fill(pilot, screen, {"type": "erro/indisp", "print_tela": ["docs/tela-erro.png"],
                                   "attachments": ["docs/notas.txt", "docs/oficio.pdf"]})
        await settle(pilot)
        # On disk already, while the form is open: a crash now loses nothing.
        draft = DraftStore(screen.adapter.location).load("citsmart-new")
        assert draft is not None
        assert draft.text("type") == "Erro/Indisponibilidade SIASG"
        assert draft.paths("print_tela") == [str(shots / "tela-erro.png")]
        assert draft.paths("attachments") == [str(shots / "notas.txt"), str(shots / "oficio.pdf")]

    app = desk_app(backend, "govbr")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await fill(pilot, screen, {"protocolos": ["123456", "654321"]})
        await settle(pilot)
        draft = DraftStore(screen.adapter.location).load("govbr-new")
        assert draft is not None and draft.lines("protocolos") == ["123456", "654321"]
    # A new session offers the drafts back, each value in its own field.
    app = desk_app(backend, "govbr")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # "Recuperar rascunho?" Sim
        await settle(pilot)
        screen = screen_of(pilot)
        assert rows_of(screen, "protocolos").rows == ["123456", "654321"]
    app = desk_app(backend, "citsmart")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = screen_of(pilot)
        assert [f.name for f in files_of(screen, "print_tela").files] == ["tela-erro.png"]
        assert [f.name for f in files_of(screen, "attachments").files] == ["notas.txt", "oficio.pdf"]
        assert label_of(screen, "print_tela").endswith(" *")  # the restored theme requires it


async def test_ctrl_t_switches_the_form_to_another_desk(backend: Backend) -> None:
    app = desk_app(backend, "ecage")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press(*"Título guardado")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()  # (not settle: the switch's worker waits for the answer)
        chooser = pilot.app.screen
        assert isinstance(chooser, DeskChoiceScreen)
        await pilot.press("down", "enter")  # the desk after e-CAGE
        await settle(pilot)
        assert pilot.app.screen is screen and screen.desk.id == "sei"
        assert "SEI" in str(screen.query_one("#form-title").render())
        assert set(screen._boxes) == {f.name for f in backend.service.desk("sei").fields}
        assert saved_desk() == "sei"
        location = screen.adapter.location
    kept = DraftStore(location).load("ecage-new")
    assert kept is not None and kept.text("title") == "Título guardado"


def test_desk_cards_use_the_shipped_data(backend: Backend) -> None:
    """The desks these tests drive exist with the kinds the form renders."""
    kinds = {f.kind for d in backend.service.desks() for f in d.fields}
    assert {"email", "phone", "select", "email_confirm", "rows", "files"} <= kinds
