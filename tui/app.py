"""The Demandas terminal application: the App, its global keys and the adapter watch."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import inspect
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.events import DescendantFocus, Key
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from backend.domain import DeskInfo, Ticket, TicketEvent, User
from backend.errors import DemandasError, Unavailable
from backend.text import printable
from tui import gc_pause
from tui.adapter import Adapter
from tui.commands import GoToTicketProvider
from tui.live import BATCH_SECONDS, notices
from tui.messages import Reconnected, TicketsChanged, forward_typed_ahead

R = TypeVar("R")

#: Seconds between connection probes while the server is unreachable.
RETRY_SECONDS = 5.0
#: How often and how long the terminal cursor follows a focused field that scrolls into view.
CURSOR_CHECK_SECONDS = 0.05
CURSOR_CHECKS = 12
#: Seconds after start when the background loads begin if no screen started them (see start_background_loads).
BACKGROUND_AT_THE_LATEST = 1.0


class WatchedAdapter:
    """Wraps the real adapter to notice when the server is lost and when it answers again.

    Every screen gets this wrapper, so one place knows the connection state: an
    ``Unavailable`` turns the banner on, any later successful call turns it off.
    It forwards every coroutine method of the wrapped adapter by name, so it keeps
    up with the contract as it grows; ``DemandasApp`` types it as an ``Adapter``.
    """

    def __init__(self, inner: Adapter, on_online: Callable[[bool], None]) -> None:
        self.inner = inner
        self._on_online = on_online

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        @functools.wraps(attribute)
        async def watched(*args: Any, **kwargs: Any) -> Any:
            return await self._watch(attribute(*args, **kwargs))

        return watched

    async def _watch(self, call: Awaitable[R]) -> R:
        try:
            result = await call
        except Unavailable:
            self._on_online(False)
            raise
        self._on_online(True)
        return result


def short_location(location: str) -> str:
    """The adapter location with the home folder written as ``~``."""
    home = str(Path.home())
    return location.replace(home, "~", 1) if home and home != "/" else location


def is_documented(binding: Binding) -> bool:
    """Our bindings carry an id and a pt-BR description; Textual's scroll/focus keys do not."""
    return bool(binding.id and binding.description)


def short_name(name: str) -> str:
    """First and last word of a full name, to keep the status line inside 80 columns."""
    words = printable(name).split()
    return " ".join(words[:1] + words[-1:]) if len(words) > 2 else " ".join(words)


class DemandasApp(App[int]):
    """Keyboard-first helpdesk for requesters: Minhas demandas, Detalhes, Meus Dados.

    | Key | Description |
    | :- | :- |
    | q | Sair. |
    | f1, ? | Ajuda com as teclas da tela atual. |
    | p | Meus Dados (e-mail, telefone, cargo). |
    | ctrl+p | Paleta de comandos (inclui "Ir para demanda…"). |
    | k | Conhecimentos: artigos de ajuda (balcões que os publicam). |
    """

    CSS_PATH = "app.tcss"
    TITLE = "Demandas"
    COMMANDS = App.COMMANDS | {GoToTicketProvider}
    COMMAND_PALETTE_DISPLAY = "^p"

    BINDINGS: ClassVar[list[BindingType]] = [
        # p and q are shown by the home screen; elsewhere the footer's room goes to that screen's keys.
        Binding("p", "profile", "Meus Dados", show=False, id="app.profile", tooltip="E-mail, telefone e cargo"),
        Binding("f1", "help", "Ajuda", id="app.help", tooltip="Teclas desta tela"),
        Binding("question_mark", "help", "Ajuda", show=False, id="app.help_alt", tooltip="Teclas desta tela"),
        Binding("q", "quit", "Sair", show=False, id="app.quit", tooltip="Sair do Demandas"),
        Binding("T", "sgta", "Trilhas (SGTA)", show=False, id="app.sgta",
                tooltip="Trilhas de auditoria: registros de inconsistências"),
        Binding("ctrl+p", "command_palette", "Paleta", show=False, priority=True, id="app.palette",
                tooltip="Todos os comandos e \"Ir para demanda…\""),
        Binding("k", "knowledge", "Conhecimentos", show=False, id="app.knowledge",
                tooltip="Artigos de ajuda do balcão"),
    ]

    #: Desks that publish knowledge articles (Conhecimentos), learned after the first rows (None until then).
    _knowledge_desks: tuple[DeskInfo, ...] | None = None

    offline: var[bool] = var(False, init=False)
    """True while the server cannot be reached (the banner shows)."""

    def __init__(self, adapter: Adapter, desk_id: str = "ecage", *, ask_profile: bool = True) -> None:
        super().__init__()
        # The wrapper forwards the whole contract (see WatchedAdapter), hence the cast.
        self.adapter = cast(Adapter, WatchedAdapter(adapter, self._set_online))
        self.desk_id = desk_id
        self.user: User | None = None
        self._desk: DeskInfo | None = None
        self._ask_profile = ask_profile
        self._retry_timer: Timer | None = None
        self._pending_events: list[TicketEvent] = []
        self._events_timer: Timer | None = None
        self._background_started = False
        self._profile_wanted = False

    # -- start-up ---------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        from screens.home import HomeScreen

        return HomeScreen(self.adapter, self.desk_id)

    def on_mount(self) -> None:
        """Say who and where, then ask for the profile on first use."""
        self.sub_title = short_location(self.adapter.location)
        self._start()
        # The home screen calls this after its first rows; other first screens get it anyway.
        self.set_timer(BACKGROUND_AT_THE_LATEST, self.start_background_loads)

    def start_background_loads(self) -> None:
        """Loads that must not delay the first rows (they share the store's one thread)."""
        if self._background_started:
            return
        self._background_started = True
        self._load_desk()
        self._ask_for_profile()
        gc_pause.resume()
        self.call_after_refresh(self._freeze_startup_objects)

    def _freeze_startup_objects(self) -> None:
        # Modules, CSS and the first screen live as long as the app; a full garbage collection
        # walked them all each time (~55-75 ms of a 70-100 ms stall while paging at 100,000
        # tickets, benchmarks/scale.py). Frozen, the collector leaves them out.
        gc.freeze()

    def on_unmount(self) -> None:
        """Give the frozen start-up objects back to the collector (tests run many apps in one process)."""
        gc.unfreeze()

    @work(group="start", exit_on_error=False)
    async def _start(self) -> None:
        user = await self.adapter.whoami()
        self._show_user(user)
        if self._ask_profile and not user.profile_complete:
            self._profile_wanted = True
            if self._background_started:
                self._ask_for_profile()
        self._follow_events()

    def _ask_for_profile(self) -> None:
        """The first-use profile dialog, once, over the first rows (not before them)."""
        if self._profile_wanted:
            self._profile_wanted = False
            self.action_profile(first_use=True)

    # -- live updates -------------------------------------------------------

    @work(group="events", exclusive=True, exit_on_error=False)
    async def _follow_events(self) -> None:
        """Changes made elsewhere reach every open screen, batched, with a notice."""
        stream = self.adapter.events()
        try:
            async for event in stream:
                self._pending_events.append(event)
                if self._events_timer is None:
                    self._events_timer = self.set_timer(BATCH_SECONDS, self._flush_events)
        finally:
            close = getattr(stream, "aclose", None)  # an async generator: end its HTTP stream now
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    def _flush_events(self) -> None:
        self._events_timer = None
        batch, self._pending_events = tuple(self._pending_events), []
        if not batch:
            return
        me = self.user.login if self.user else ""
        for screen in self.screen_stack:
            screen.post_message(TicketsChanged(batch, me))
        for line in notices(batch, me):
            self.notify(line, title="Atualização", markup=False)

    def _show_user(self, user: User) -> None:
        self.user = user
        self.sub_title = f"{short_name(user.name) or user.login} · {short_location(self.adapter.location)}"

    async def get_desk(self) -> DeskInfo:
        """The desk's rules and catalog, fetched once."""
        if self._desk is None:
            self._desk = await self.adapter.desk(self.desk_id)
        return self._desk

    async def _knowledge_desks_known(self) -> tuple[DeskInfo, ...]:
        if self._knowledge_desks is None:
            self._knowledge_desks = tuple(d for d in await self.adapter.desks() if d.has_knowledge)
        return self._knowledge_desks

    @work(group="desk", exit_on_error=False)
    async def _load_desk(self) -> None:
        """Learn which desks publish knowledge articles: the Conhecimentos key depends on it."""
        await self._knowledge_desks_known()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Conhecimentos only when some desk publishes articles (allowed while that is not known yet)."""
        if action == "knowledge":
            return self._knowledge_desks is None or bool(self._knowledge_desks)
        return True

    def knowledge_desk(self) -> DeskInfo | None:
        """The desk whose articles Conhecimentos shows: the open ticket's, the app's, else the first with any."""
        desks = self._knowledge_desks or ()
        ticket = getattr(self.screen, "ticket", None)
        for desk_id in (getattr(ticket, "desk", None), self.desk_id):
            found = next((d for d in desks if d.id == desk_id), None)
            if found is not None:
                return found
        return desks[0] if desks else None

    def action_knowledge(self) -> None:
        """Conhecimentos: knowledge articles of the desk at hand."""
        self._open_knowledge()

    @work(group="knowledge", exclusive=True, exit_on_error=False)
    async def _open_knowledge(self) -> None:
        from screens.knowledge import KnowledgeScreen

        # A k pressed right after start may come before the desks are known: wait for them.
        await self._knowledge_desks_known()
        if isinstance(self.screen, KnowledgeScreen):
            return
        desk = self.knowledge_desk()
        if desk is None:
            self.notify("Nenhum balcão deste backend publica artigos de conhecimento.", severity="warning",
                        markup=False)
            return
        self.push_screen(KnowledgeScreen(self.adapter, desk))

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Keep the terminal cursor on a focused text field while the form scrolls to it.

        Input and TextArea place it when they get the focus, before the (animated) scroll
        to them: a field below the fold left it clamped to the last line until the next
        key. Screen readers and input methods follow that cursor (and so do the tmux tests).
        """
        widget = event.widget
        if hasattr(widget, "cursor_screen_offset"):
            self.call_after_refresh(self._place_cursor, widget, CURSOR_CHECKS)

    def _place_cursor(self, widget: Widget, checks_left: int) -> None:
        if not widget.has_focus:
            return
        offset = getattr(widget, "cursor_screen_offset", self.cursor_position)
        if offset != self.cursor_position:
            self.cursor_position = offset
            widget.refresh()  # the cursor moves with the next frame
        if checks_left > 1:  # until the scroll animation is over
            self.set_timer(CURSOR_CHECK_SECONDS, partial(self._place_cursor, widget, checks_left - 1))

    def on_key(self, event: Key) -> None:
        """Runs before the bindings: letters typed ahead of a focus change reach the new field."""
        forward_typed_ahead(self, event)

    # -- errors and the connection ----------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where failed workers become notices (screens forward theirs here)."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, Unavailable):
            return  # the banner already says so, and what was typed is kept
        if isinstance(error, DemandasError):
            self.notify(error.message, title="Não foi possível concluir", severity="error", markup=False)
        else:
            self.log.error(f"worker {event.worker.name!r} failed", error)
            self.notify(f"Erro inesperado: {type(error).__name__}: {error}", title="Erro interno",
                        severity="error", markup=False)

    def _set_online(self, online: bool) -> None:
        if self.offline == (not online):
            return
        self.offline = not online

    def watch_offline(self, offline: bool) -> None:
        """Show or clear the banner; probe the server while it is gone."""
        self.set_class(offline, "-offline")
        if offline:
            self.notify("Sem conexão com o servidor. Tentando reconectar…", severity="warning", markup=False)
            if self._retry_timer is None:
                self._retry_timer = self.set_interval(RETRY_SECONDS, self._probe)
        else:
            if self._retry_timer is not None:
                self._retry_timer.stop()
                self._retry_timer = None
            self.notify("Conexão com o servidor restabelecida.", markup=False)
            self.screen.post_message(Reconnected())

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self) -> None:
        self._show_user(await self.adapter.whoami())

    # -- navigation -------------------------------------------------------

    def open_ticket(self, number: str, ticket: Ticket | None = None) -> None:
        """Show the ticket's details; the home list learns about changes afterwards."""
        from screens.ticket_detail import TicketDetailScreen

        self.push_screen(TicketDetailScreen(self.adapter, number, ticket), callback=self._ticket_changed)

    def _ticket_changed(self, ticket: Ticket | None) -> None:
        if ticket is None:
            return
        from screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.ticket_changed(ticket)

    @work(exclusive=True, group="new-ticket", exit_on_error=False)
    async def action_new_ticket(self) -> None:
        """Open the Nova demanda form."""
        try:
            from screens.new_ticket import NewTicketScreen
        except ImportError:
            self.notify("A tela Nova demanda ainda não está disponível nesta versão.", severity="warning")
            return
        from screens.desk_choice import choose_desk

        desk = await choose_desk(self, self.adapter, await self.get_desk())  # asks only when several desks
        if desk is None:
            return
        self.push_screen(NewTicketScreen(self.adapter, desk), callback=self._ticket_created)

    def _ticket_created(self, ticket: Ticket | None) -> None:
        if ticket is None:
            return
        from screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.reload()
        self.open_ticket(ticket.number, ticket)

    def action_profile(self, first_use: bool = False) -> None:
        """Meus Dados."""
        from screens.profile import ProfileScreen

        if isinstance(self.screen, ProfileScreen):
            return
        self.push_screen(ProfileScreen(self.adapter, self.user, first_use=first_use), callback=self._profile_saved)

    def _profile_saved(self, user: User | None) -> None:
        if user is not None:
            self._show_user(user)
            self.notify("Dados salvos.", markup=False)

    def action_help(self) -> None:
        """Keys of the screen the user is on."""
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        screen = self.screen
        rows = [
            (self.get_key_display(active.binding), active.binding.description, active.binding.tooltip, active.enabled)
            for active in screen.active_bindings.values()
            if is_documented(active.binding)
        ]
        self.push_screen(HelpScreen(screen.title or self.title, rows))

    def action_go_to_ticket(self) -> None:
        """A palette that searches ticket numbers and titles."""
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[GoToTicketProvider],
                                        placeholder="Número ou título da demanda…"))

    def action_sgta(self) -> None:
        """Trilhas de auditoria (SGTA)."""
        from screens.sgta import SgtaTrailsScreen

        if not isinstance(self.screen, SgtaTrailsScreen):
            self.push_screen(SgtaTrailsScreen(self.adapter))

    # -- palette ----------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen, plus the app-wide commands, in Portuguese."""
        yield SystemCommand("Ir para demanda…", "Buscar uma demanda pelo número ou título", self.action_go_to_ticket)
        area = screen.title or "Demandas"
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not is_documented(binding) or binding.action in seen or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            key = self.get_key_display(binding)
            yield SystemCommand(
                f"{area}: {binding.description}",
                f"{binding.tooltip or binding.description} (tecla {key})",
                partial(self._run_from_palette, screen, active.node, binding.action),
            )
        yield SystemCommand("Nova demanda", "Abrir uma nova demanda", self.action_new_ticket)
        yield SystemCommand("Trilhas de auditoria (SGTA)", "Registros de inconsistências das trilhas (tecla T)",
                            self.action_sgta)
        yield SystemCommand("Tema", "Trocar o tema de cores", self.action_change_theme)

    async def _run_from_palette(self, screen: Screen[object], node: DOMNode, action: str) -> None:
        # A disabled action says why instead of doing nothing.
        explain = getattr(screen, "refusal", None)
        reason = explain(action) if callable(explain) else None
        if reason:
            self.notify(reason, severity="warning", markup=False)
            return
        await self.run_action(action, node)


def run_tui(adapter: Adapter, desk_id: str = "ecage") -> int:
    """Run the application until the user quits; always closes the adapter."""

    async def main() -> int:
        app = DemandasApp(adapter, desk_id)
        try:
            result = await app.run_async()
        finally:
            await adapter.aclose()
        if isinstance(result, int):
            return result
        return app.return_code or 0

    return asyncio.run(main())
