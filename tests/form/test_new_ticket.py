"""Nova demanda, driven with the keyboard over a LocalAdapter on a temporary store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backend.domain import NewTicket, Ticket, TicketQuery
from backend.errors import ValidationFailed
from screens.new_ticket import NewTicketScreen
from tests.form.conftest import Backend, FormApp, burst, settle
from tui.adapter import Adapter
from tui.adapters.local import LocalAdapter
from widgets.attachment_field import AttachmentField
from widgets.cascade import FilterPicker
from widgets.counted_text import CountedTextArea

SEED = {
    "title": "Nova Demanda",
    "orgao": "Secretaria da Fazenda",
    "type": "Sistemas",
    "category": "Dúvidas de Operação e Erros de Validação",
    "subject": "FPE – Execução de Despesa > Retenção",
}


def form_app(backend: Backend, adapter: Adapter | None = None) -> FormApp:
    desk = backend.desk
    return FormApp(adapter or backend.adapter(), lambda a: NewTicketScreen(a, desk))


def screen_of(pilot: Pilot[Any]) -> NewTicketScreen:
    screen = pilot.app.screen
    assert isinstance(screen, NewTicketScreen)
    return screen


def picker(screen: NewTicketScreen, name: str) -> FilterPicker:
    control = screen.box(name).control
    assert isinstance(control, FilterPicker)
    return control


def description(screen: NewTicketScreen) -> CountedTextArea:
    control = screen.box("description").control
    assert isinstance(control, CountedTextArea)
    return control


def attachments(screen: NewTicketScreen) -> AttachmentField:
    control = screen.box("attachments").control
    assert isinstance(control, AttachmentField)
    return control


def counter_text(area: CountedTextArea) -> str:
    return str(area.query_one(".counter", Static).content)


async def choose(pilot: Pilot[Any], filter_text: str) -> None:
    """Type a filter into the focused picker, take the first match, go to the next field."""
    await pilot.press(*filter_text)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def fill_by_keyboard(pilot: Pilot[Any], attach: Path | None = None) -> None:
    """The seed's example, typed: título, órgão, tipo, categoria, assunto, descrição, arquivo."""
    await settle(pilot)
    await pilot.press(*SEED["title"], "tab")
    await choose(pilot, "secretaria da fazenda")
    await choose(pilot, "sis")
    await choose(pilot, "duvidas operacao")  # accents and case do not matter
    await choose(pilot, "fpe retenc")
    await pilot.press(*"Erro ao reter ISS.")
    if attach is not None:
        await pilot.press("tab", *str(attach), "enter")
    await settle(pilot)


async def fill_directly(pilot: Pilot[Any], text: str = "Descrição da demanda.") -> NewTicketScreen:
    """The seed's example set through the widgets' API (for tests about something else)."""
    await settle(pilot)
    screen = screen_of(pilot)
    title = screen.box("title").control
    assert isinstance(title, Input)
    title.value = SEED["title"]
    for name in ("orgao", "type", "category", "subject"):
        picker(screen, name).restore(SEED[name])
        await settle(pilot)
    description(screen).load_text(text)
    await settle(pilot)
    return screen


def stored(backend: Backend) -> list[Ticket]:
    page = backend.service.list_tickets("fernando", TicketQuery(active_only=False))
    return [backend.service.get_ticket("fernando", s.number) for s in page.items]


async def test_seed_example_is_created_with_cascading_pickers(backend: Backend, files: Path) -> None:
    app = form_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_by_keyboard(pilot, attach=Path("docs/image001.jpg (4).jpg"))
        screen = screen_of(pilot)
        assert picker(screen, "orgao").value == SEED["orgao"]
        assert picker(screen, "type").value == SEED["type"]
        assert picker(screen, "category").value == SEED["category"]
        assert picker(screen, "subject").value == SEED["subject"]
        assert [f.name for f in attachments(screen).files] == ["image001.jpg (4).jpg"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(app.results) == 1
        created = app.results[0]
        assert isinstance(created, Ticket)
        assert created.number.startswith("CAGE-00001-")
        assert any(n.message == f"Demanda {created.number} criada." for n in app._notifications)
    [ticket] = stored(backend)
    assert ticket.number == created.number
    assert (ticket.title, ticket.orgao, ticket.type, ticket.category, ticket.subject) == (
        SEED["title"], SEED["orgao"], SEED["type"], SEED["category"], SEED["subject"])
    assert ticket.description == "Erro ao reter ISS."
    assert [a.name for a in ticket.attachments] == ["image001.jpg (4).jpg"]
    assert ticket.requester_name == "Fernando Sidarta Bastos dos Santos"


async def test_send_sees_text_typed_right_before_ctrl_s(backend: Backend) -> None:
    app = form_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fill_directly(pilot, "")
        description(screen).text_area.focus()
        await pilot.pause()
        burst(app, *"Erro ao reter ISS.", "ctrl+s")  # no pause between the text and the key
        await settle(pilot)
        assert screen.box("description").error is None
        [created] = app.results
        assert isinstance(created, Ticket)
    [ticket] = stored(backend)
    assert ticket.description == "Erro ao reter ISS."


async def test_changing_the_type_clears_category_and_subject(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        screen = await fill_directly(pilot)
        category, subject = picker(screen, "category"), picker(screen, "subject")
        assert (category.value, subject.value) == (SEED["category"], SEED["subject"])
        picker(screen, "type").focus()
        await pilot.press(*"servi", "enter")
        await settle(pilot)
        assert picker(screen, "type").value == "Serviços"
        assert category.value is None and subject.value is None
        servicos = backend.desk.find_type("Serviços")
        assert servicos is not None
        assert category.options == tuple(c.name for c in servicos.categories)
        assert subject.options == () and subject.filter_input.disabled
        assert "Selecione antes: Categoria" in subject.filter_input.placeholder
        # The children reload in their own exclusive worker groups.
        category.restore("Contabilidade")
        await settle(pilot)
        assert len(subject.options) > 1 and not subject.filter_input.disabled


async def test_typing_filters_a_long_list(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        orgao = picker(screen, "orgao")
        orgao.focus()
        await pilot.press(*"secretaria")
        assert orgao.expanded
        assert 1 < len(orgao.shown) < len(orgao.options)
        assert all("secretaria" in o.casefold() for o in orgao.shown)
        assert orgao.dropdown.option_count == len(orgao.shown)
        await pilot.press(*" faz")  # every word must match
        assert orgao.shown == ("Secretaria da Fazenda",)
        await pilot.press("escape")  # closes the list, keeps the (empty) choice
        assert not orgao.expanded and orgao.value is None
        assert isinstance(pilot.app.screen, NewTicketScreen)  # escape did not leave the form
        await pilot.press("down", "down", "enter")  # keyboard only: open, move, choose
        assert orgao.value == orgao.options[1]


async def test_description_counter_stops_at_the_limit(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        area = description(screen)
        assert area.limit == 2000
        assert counter_text(area) == "2000 caracteres restantes."
        area.text_area.focus()
        await pilot.press(*"Erro")
        assert counter_text(area) == "1996 caracteres restantes."
        area.load_text("x" * 1995)
        area.text_area.move_cursor(area.text_area.document.end)
        await pilot.press(*"abcdefgh")  # only five fit
        assert area.text == "x" * 1995 + "abcde"
        assert counter_text(area) == "0 caracteres restantes."
        await pilot.press("enter", "z")
        assert len(area.text) == 2000
        await pilot.press("backspace", "backspace", "backspace")
        assert counter_text(area) == "3 caracteres restantes."
        area.text_area.post_message(events.Paste("colado" * 10))
        await pilot.pause()
        assert len(area.text) == 2000 and area.text.endswith("col")
        assert any("cortado" in n.message for n in pilot.app._notifications)


async def test_title_paste_is_cut_at_its_limit(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        title = screen_of(pilot).box("title").control
        assert isinstance(title, Input) and title.max_length == 150
        title.post_message(events.Paste("t" * 400))
        await pilot.pause()
        assert title.value == "t" * 150


async def test_required_fields_show_the_services_messages(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = {name: screen.box(name).error for name in ("title", "orgao", "type", "category", "subject",
                                                            "description", "attachments")}
        assert errors == {
            "title": "Informe o título.",
            "orgao": "Selecione o órgão.",
            "type": "Selecione o tipo.",
            "category": "Selecione a categoria.",
            "subject": "Selecione o assunto.",
            "description": "Descreva a demanda.",
            "attachments": None,
        }
        assert pilot.app.focused is screen.box("title").control  # first problem gets the focus
        assert pilot.app.screen is screen and stored(backend) == []
        await pilot.press(*"Nova")
        assert screen.box("title").error is None  # cleared as it is fixed
        assert screen.box("orgao").error == "Selecione o órgão."
        picker(screen, "orgao").restore("Casa Civil")
        await pilot.pause()
        assert screen.box("orgao").error is None
        labels = [str(label.content) for label in screen.query(".field-label").results()]
        assert labels[:6] == ["Título *", "Órgão *", "Tipo *", "Categoria *", "Assunto *", "Descrição *"]
        assert labels[6] == "Carregar arquivos"
        assert "* campos obrigatórios" in str(screen.query_one("#required-note", Static).content)


async def test_server_refusal_is_shown_under_the_field_and_nothing_is_lost(backend: Backend, files: Path) -> None:
    doomed = files / "vazio-depois.txt"
    doomed.write_text("conteúdo", encoding="utf-8")
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        screen = await fill_directly(pilot, "Texto longo que não pode se perder.")
        assert attachments(screen).add_path(str(doomed))
        doomed.write_bytes(b"")  # emptied after it was chosen: only the server notices
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.box("attachments").error == "O arquivo 'vazio-depois.txt' está vazio."
        assert pilot.app.screen is screen and stored(backend) == []
        values = screen.values()
        assert {k: values[k] for k in SEED} == SEED
        assert values["description"] == "Texto longo que não pode se perder."
        assert values["attachments"] == [str(doomed)]
        assert not screen.query_one("#send").disabled  # can send again


class RefusingAdapter(LocalAdapter):
    """Refuses the órgão once, as a server with a newer list would."""

    async def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None) -> Ticket:
        raise ValidationFailed(f"Órgão desconhecido: {new.orgao!r}. Escolha um órgão da lista.", field="orgao")


async def test_refusal_for_a_picker_field_keeps_the_cascade(backend: Backend) -> None:
    adapter = RefusingAdapter(backend.path, "fernando", service=backend.service)
    async with form_app(backend, adapter).run_test(size=(80, 24)) as pilot:
        screen = await fill_directly(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.box("orgao").error == "Órgão desconhecido: 'Secretaria da Fazenda'. Escolha um órgão da lista."
        assert pilot.app.focused is picker(screen, "orgao").filter_input
        assert picker(screen, "subject").value == SEED["subject"]
        picker(screen, "orgao").restore("Casa Civil")
        await pilot.pause()
        assert screen.box("orgao").error is None


async def test_attachment_checks(backend: Backend, files: Path) -> None:
    big = files / "grande.bin"
    with big.open("wb") as handle:
        handle.truncate(backend.desk.max_attachment_bytes + 1)  # sparse: instant
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        field = attachments(screen)
        field.focus()
        box = screen.box("attachments")

        async def add(path: str) -> str | None:
            field.path_input.value = path  # typing is covered by the completion test
            await pilot.press("enter")
            await pilot.pause()
            return box.error

        assert await add("~/docs/nada.pdf") == "Arquivo não encontrado: ~/docs/nada.pdf"
        assert await add("docs/subpasta") == "~/docs/subpasta é uma pasta; escolha um arquivo."
        assert await add("docs/grande.bin") == "O arquivo “grande.bin” tem 10,0 MB; o limite é 10,0 MB por arquivo."
        assert field.files == ()
        assert await add("docs/planilha.csv") is None  # a good file clears the message
        assert [(f.name, f.size) for f in field.files] == [("planilha.csv", 8)]
        assert await add("docs/planilha.csv") == "O arquivo “planilha.csv” já está na lista."
        for i in range(backend.desk.max_attachments - 1):
            (files / f"extra{i}.txt").write_text("x", encoding="utf-8")
            assert field.add_path(files / f"extra{i}.txt")
        (files / "demais.txt").write_text("x", encoding="utf-8")
        most = backend.desk.max_attachments
        assert await add("docs/demais.txt") == f"Já são {most} arquivos; o limite é {most} por envio."
        assert len(field.files) == most
        # delete removes the highlighted file from the list
        await pilot.press("tab", "tab", "tab")
        assert pilot.app.focused is field.query_one("FileList")
        await pilot.press("delete")
        await pilot.pause()
        assert len(field.files) == most - 1 and "planilha.csv" not in [f.name for f in field.files]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
async def test_unreadable_file_is_refused(backend: Backend, files: Path) -> None:
    secret = files / "segredo.txt"
    secret.write_text("x", encoding="utf-8")
    secret.chmod(0)
    async with form_app(backend).run_test() as pilot:
        await settle(pilot)
        field = attachments(screen_of(pilot))
        assert not field.add_path(secret)
        await pilot.pause()
        assert screen_of(pilot).box("attachments").error == "Sem permissão para ler o arquivo “segredo.txt”."


async def test_path_completes_as_you_type(backend: Backend, files: Path) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = attachments(screen_of(pilot))
        field.focus()
        await pilot.press(*"docs/rel")
        await settle(pilot)
        await pilot.press("tab")  # accepts the grey completion
        assert field.path_input.value == "docs/relatorio.pdf"
        await pilot.press("enter")
        await pilot.pause()
        assert [f.name for f in field.files] == ["relatorio.pdf"]
        await pilot.press(*"docs/sub")
        await settle(pilot)
        await pilot.press("right")  # right accepts too; folders end with /
        assert field.path_input.value == "docs/subpasta/"


async def test_file_browser_adds_the_chosen_file(backend: Backend, files: Path) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        field = attachments(screen)
        field.path_input.value = "docs/"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "FileBrowserScreen"
        # folders first, dot-files hidden: subpasta, image001.jpg (4).jpg, planilha.csv, relatorio.pdf
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert [f.name for f in field.files] == ["planilha.csv"]


async def test_file_names_are_never_markup(backend: Backend, files: Path) -> None:
    odd = files / "[bold]x[-].txt"
    odd.write_text("conteúdo", encoding="utf-8")
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = attachments(screen_of(pilot))
        assert field.add_path(odd)
        await pilot.pause()
        prompt = field.query_one("FileList").get_option_at_index(0).prompt
        assert "[bold]x[-].txt" in str(prompt)


async def test_escape_goes_back_and_keeps_the_draft(backend: Backend) -> None:
    app = form_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press(*"Meio caminho")
        await pilot.press("escape")
        await settle(pilot)
        assert app.results == [None]
        assert not isinstance(pilot.app.screen, NewTicketScreen)
    draft = screen.drafts.load(screen.draft_key)
    assert draft is not None and draft.text("title") == "Meio caminho"


async def test_stray_letters_never_leave_the_form(backend: Backend) -> None:
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        screen.query_one("#back").focus()
        await pilot.press("q", "p")  # app keys elsewhere (sair, Meus Dados)
        await settle(pilot)
        assert pilot.app.screen is screen and pilot.app.is_running
        description(screen).text_area.focus()
        await pilot.press("p", "q")
        picker(screen, "orgao").focus()
        await pilot.press("q")
        assert description(screen).text == "pq"
        assert picker(screen, "orgao").filter_input.value == "q"
