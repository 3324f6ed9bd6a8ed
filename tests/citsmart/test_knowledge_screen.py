"""Conhecimentos and Avaliar atendimento, driven through the real app (Pilot)."""

from __future__ import annotations

from textual.widgets import Input, OptionList, RadioSet, Static, TextArea

from backend.domain import EntryKind
from screens.evaluate import EvaluateScreen
from screens.home import HomeScreen
from screens.knowledge import KnowledgeScreen
from screens.ticket_detail import TicketDetailScreen
from tests.tui.conftest import RecordingAdapter, settle
from tests.tui.data import Desk
from tui.app import DemandasApp


def article_text(screen: KnowledgeScreen) -> str:
    return str(screen.query_one("#knowledge-text", Static).content)


async def test_knowledge_search_as_you_type_and_read(cit_app: DemandasApp) -> None:
    async with cit_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = cit_app.screen
        assert isinstance(screen, KnowledgeScreen)
        assert screen.query_one("#knowledge-search", Input).has_focus
        listing = screen.query_one("#knowledge-list", OptionList)
        assert listing.option_count == 8
        assert article_text(screen).startswith("Como abrir um chamado de Erro/Indisponibilidade no SIASG")
        await pilot.press(*"reativacao")
        await settle(pilot)
        assert [a.id for a in screen.articles] == ["reativacao-uasg"]
        assert "CNPJ, endereço e telefone" in article_text(screen)
        assert str(screen.query_one("#knowledge-count", Static).content) == "1 artigo"
        # Nothing matches: the pane says so, and what was typed stays in the box.
        await pilot.press(*" xilofone")
        await settle(pilot)
        assert screen.articles == []
        assert article_text(screen) == ("Nenhum artigo encontrado para “reativacao xilofone”. "
                                        "Tente outras palavras.")
        assert screen.query_one("#knowledge-search", Input).value == "reativacao xilofone"
        screen.query_one("#knowledge-search", Input).value = ""
        await settle(pilot)
        # Arrows choose from the search box; enter goes to the text; escape comes back, then closes.
        await pilot.press("down", "down")
        assert listing.highlighted == 2
        assert article_text(screen).startswith("Informações sobre melhorias no SIASG (Serpro)")
        await pilot.press("enter")
        assert screen.query_one("#knowledge-article").has_focus
        await pilot.press("escape")
        assert screen.query_one("#knowledge-search", Input).has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(cit_app.screen, HomeScreen)


async def test_knowledge_follows_the_desk_at_hand(cit_adapter: RecordingAdapter, cit_desk: Desk) -> None:
    # The app starts on e-CAGE, which publishes no articles: k shows those of the desk that does.
    app = DemandasApp(cit_adapter, "ecage", ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.check_action("knowledge", ()) is True
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeScreen)
        assert app.screen.desk.id == "citsmart"
        assert app.screen.title == "Conhecimentos — CITSmart — Compras.gov.br"
        await pilot.press("escape")
        await settle(pilot)
        # From a CITSmart ticket: that ticket's desk.
        app.open_ticket(cit_desk.numbers["resolvida"])
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, KnowledgeScreen) and app.screen.desk.id == "citsmart"


async def test_without_articles_anywhere_the_key_is_hidden(cit_adapter: RecordingAdapter) -> None:
    app = DemandasApp(cit_adapter, "ecage", ask_profile=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app._knowledge_desks = ()  # a backend whose desks publish none
        app.refresh_bindings()
        assert app.check_action("knowledge", ()) is False
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert not any("Conhecimentos" in title for title in commands)
        app.action_knowledge()
        await settle(pilot)
        assert [n.message for n in app._notifications] == [
            "Nenhum balcão deste backend publica artigos de conhecimento."]


async def test_knowledge_is_in_the_palette(cit_app: DemandasApp) -> None:
    async with cit_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = [c.title for c in cit_app.get_system_commands(cit_app.screen)]
        assert "Minhas demandas: Conhecimentos" in commands


async def test_evaluate_from_the_detail(cit_app: DemandasApp, cit_desk: Desk, cit_adapter: RecordingAdapter) -> None:
    number = cit_desk.numbers["resolvida"]
    async with cit_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cit_app.open_ticket(number)
        await settle(pilot)
        detail = cit_app.screen
        assert isinstance(detail, TicketDetailScreen)
        assert detail.check_action("evaluate", ()) is True
        await pilot.press("a")
        await settle(pilot)
        dialog = cit_app.screen
        assert isinstance(dialog, EvaluateScreen)
        await pilot.press("ctrl+s")
        assert str(dialog.query_one("#evaluate-error", Static).content) == (
            "Escolha uma nota de 1 a 5 (teclas 1 a 5 ou as setas).")
        await pilot.press("4")
        assert dialog.score == 4
        assert dialog.query_one(RadioSet).pressed_button is not None
        dialog.query_one("#evaluate-comment", TextArea).focus()
        await pilot.press(*"Rápido.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cit_app.screen is detail
        assert detail.ticket is not None
        last = detail.ticket.timeline[-1]
        assert (last.kind, last.text) == (EntryKind.EVALUATION, "Nota 4 de 5 — Rápido.")
        # Once per resolution: the key is gone.
        assert detail.check_action("evaluate", ()) is False
        await pilot.press("a")
        await settle(pilot)
        assert cit_app.screen is detail
    stored = await cit_adapter.get_ticket(number)
    assert [e.text for e in stored.timeline if e.kind is EntryKind.EVALUATION] == ["Nota 4 de 5 — Rápido."]


async def test_a_refused_evaluation_keeps_the_choice(cit_app: DemandasApp, cit_desk: Desk) -> None:
    number = cit_desk.numbers["resolvida"]
    async with cit_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cit_app.open_ticket(number)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        # Meanwhile the ticket is evaluated elsewhere (another terminal): this send is refused.
        cit_desk.service.evaluate("fernando", number, 2, "Pelo outro terminal.")
        await pilot.press("5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = cit_app.screen
        assert isinstance(detail, TicketDetailScreen)
        assert detail._evaluation_draft is not None and detail._evaluation_draft.score == 5
        assert detail.ticket is not None and not detail.ticket.can("evaluate")
