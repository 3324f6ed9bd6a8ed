"""Meus Dados: e-mail for notifications, phone and cargo (asked on first use)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from backend.domain import ProfileUpdate, User
from backend.errors import ValidationFailed
from backend.text import printable
from tui.adapter import Adapter
from tui.messages import OFFLINE_TEXT, WorkerErrorsToApp

# (field name used by the service's errors, label, placeholder)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("email", "E-mail para recebimento das notificações", "ex.: nome@orgao.rs.gov.br"),
    ("phone", "Telefone", "ex.: (51) 3214-5000"),
    ("cargo", "Cargo", "ex.: Analista Tributário"),
)


class ProfileScreen(WorkerErrorsToApp, ModalScreen[User | None]):
    """Edits the user's profile; dismisses with the saved User, or None when skipped.

    Errors from the adapter appear under the field they concern.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Salvar. |
    | tab, shift+tab | Próximo / anterior campo. |
    | escape | Voltar sem salvar (no primeiro acesso: pular). |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Salvar", id="profile.save", tooltip="Salvar meus dados"),
        Binding("escape", "skip", "Voltar", id="profile.back", tooltip="Fechar sem salvar"),
    ]

    DEFAULT_CSS = """
    ProfileScreen {
        align: center middle;
    }
    ProfileScreen > #profile-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    ProfileScreen #profile-title {
        text-style: bold;
    }
    ProfileScreen #profile-intro {
        color: $text-muted;
    }
    ProfileScreen > .offline-banner {
        dock: top;
    }
    ProfileScreen .field-error {
        color: $text-error;
        height: auto;
        display: none;
    }
    ProfileScreen .field-error.-shown {
        display: block;
    }
    ProfileScreen #profile-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ProfileScreen #profile-buttons Button {
        margin-left: 2;
    }
    """

    def __init__(self, adapter: Adapter, user: User | None, *, first_use: bool = False) -> None:
        super().__init__()
        self.adapter = adapter
        self.user = user
        self.first_use = first_use

    def compose(self) -> ComposeResult:
        user = self.user
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        with VerticalScroll(id="profile-dialog"):
            yield Static("Meus Dados", id="profile-title", markup=False)
            if self.first_use:
                yield Static(
                    "Primeiro acesso: informe seus dados para receber as notificações das demandas. "
                    "Pressione escape para fazer isso depois.",
                    id="profile-intro",
                    markup=False,
                )
            name = printable(user.name) if user else ""
            login = user.login if user else ""
            yield Label("Nome")
            shown_login = f" ({login})" if login and login != name else ""
            yield Static(Content.assemble((name, "bold"), (shown_login, "dim")), id="profile-name")
            for field, label, placeholder in FIELDS:
                yield Label(f"{label} *")
                yield Input(getattr(user, field, "") if user else "", placeholder=placeholder, id=f"profile-{field}")
                yield Static("", id=f"profile-{field}-error", classes="field-error", markup=False)
            yield Static("", id="profile-error", classes="field-error", markup=False)
            with Horizontal(id="profile-buttons"):
                yield Button("Salvar", variant="primary", id="profile-save")
                yield Button("Pular" if self.first_use else "Cancelar", id="profile-skip")
        yield Footer()

    def on_mount(self) -> None:
        """Start at the first empty field."""
        for field, _, _ in FIELDS:
            box = self.query_one(f"#profile-{field}", Input)
            if not box.value:
                box.focus()
                return
        self.query_one("#profile-email", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#profile-{field}", Input).value

    def _clear_errors(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
            error.remove_class("-shown")

    def _set_error(self, selector: str, message: str) -> None:
        error = self.query_one(selector, Static)
        error.update(message)
        error.add_class("-shown")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter moves on; on the last field it saves.
        if event.input.id == f"profile-{FIELDS[-1][0]}":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#profile-save")
    def action_save(self) -> None:
        """Send the fields to the adapter."""
        self._clear_errors()
        self._save(ProfileUpdate(email=self._value("email"), phone=self._value("phone"), cargo=self._value("cargo")))

    @on(Button.Pressed, "#profile-skip")
    def action_skip(self) -> None:
        """Leave without saving."""
        self.dismiss(None)

    @work(exclusive=True, group="save-profile", exit_on_error=False)
    async def _save(self, update: ProfileUpdate) -> None:
        try:
            user = await self.adapter.update_profile(update)
        except ValidationFailed as error:
            self._show_error(error)
            return
        self.dismiss(user)

    def _show_error(self, error: ValidationFailed) -> None:
        target = f"#profile-{error.field}" if error.field in {f for f, _, _ in FIELDS} else None
        if target:
            self._set_error(f"{target}-error", error.message)
            self.query_one(target, Input).focus()
        else:
            self._set_error("#profile-error", error.message)
