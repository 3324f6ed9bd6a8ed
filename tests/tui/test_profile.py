"""Meus Dados: asked on first use, inline validation, reachable with p."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from screens.home import HomeScreen
from screens.profile import ProfileScreen
from tests.tui.conftest import recording, settle
from tests.tui.data import NEWCOMER, REQUESTER, Desk
from tui.app import DemandasApp


def error_of(app: DemandasApp, field: str) -> str:
    return str(app.screen.query_one(f"#profile-{field}-error", Static).content)


async def test_first_use_asks_and_may_be_skipped(desk: Desk) -> None:
    app = DemandasApp(recording(desk, NEWCOMER.login))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.first_use
        assert app.focused is app.screen.query_one("#profile-email", Input)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not desk.service.whoami(NEWCOMER.login).profile_complete


async def test_first_use_saves_with_inline_errors(desk: Desk) -> None:
    app = DemandasApp(recording(desk, NEWCOMER.login))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"nina-sem-arroba", "enter", *"(51) 3214-5000", "enter", *"Analista", "enter")
        await settle(pilot)
        # The adapter refused the e-mail: the message sits under that field, the rest is kept.
        assert isinstance(app.screen, ProfileScreen)
        assert "E-mail inválido" in error_of(app, "email")
        assert error_of(app, "phone") == ""
        assert app.focused is app.screen.query_one("#profile-email", Input)
        assert app.screen.query_one("#profile-cargo", Input).value == "Analista"
        app.screen.query_one("#profile-email", Input).value = "nina@sefaz.rs.gov.br"
        app.screen.query_one("#profile-phone", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Telefone inválido" in error_of(app, "phone")
        assert error_of(app, "email") == ""
        app.screen.query_one("#profile-phone", Input).value = "(51) 3214-5000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        user = desk.service.whoami(NEWCOMER.login)
        assert (user.email, user.phone, user.cargo) == ("nina@sefaz.rs.gov.br", "(51) 3214-5000", "Analista")
        assert "Dados salvos." in [n.message for n in app._notifications]


async def test_p_opens_my_data_prefilled(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # a complete profile is not asked again
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert not app.screen.first_use
        assert app.screen.query_one("#profile-email", Input).value == REQUESTER.email
        assert REQUESTER.name in str(app.screen.query_one("#profile-name", Static).content)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_keys_typed_in_a_field_are_text(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        box = app.screen.query_one("#profile-cargo", Input)
        box.value = ""
        box.focus()
        await pilot.press(*"q?p/a")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert box.value == "q?p/a"


async def test_app_letters_on_a_button_stay_in_the_dialog(app: DemandasApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        profile.query_one("#profile-skip", Button).focus()
        await pilot.press("q", "p")  # elsewhere: Sair, Meus Dados
        await settle(pilot)
        assert app.is_running and app.screen is profile
        assert len([s for s in app.screen_stack if isinstance(s, ProfileScreen)]) == 1
