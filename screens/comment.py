"""Adicionar comentário/anexo: complement a ticket after sending it (seed 000, 2.2)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Label, Static, TextArea

from backend.domain import DeskInfo, Ticket
from backend.errors import DemandasError, Unavailable
from screens.draft_recovery import DraftRecoveryScreen
from screens.file_browser import FileBrowserScreen
from tui.adapter import Adapter
from tui.drafts import Draft, DraftStore, DraftValue, comment_key, idempotency_key, new_form_id
from tui.messages import WorkerErrorsToApp
from widgets.attachment_field import AttachmentField, read_attachments
from widgets.counted_text import CountedTextArea

#: Seconds of quiet typing before the draft is written.
DRAFT_DELAY = 0.5
#: Longest time typed text may stay unsaved while the user keeps typing.
DRAFT_MAX_WAIT = 2.0
#: Used until the desk's own limit arrives (the e-CAGE description limit).
FALLBACK_LIMIT = 2000
FALLBACK_MAX_BYTES = 10 * 1024 * 1024
FALLBACK_MAX_FILES = 10
# Mirrors the service's refusal of an empty comment.
EMPTY_MESSAGE = "Escreva um comentário ou anexe um arquivo."


class CommentScreen(WorkerErrorsToApp, ModalScreen[Ticket | None]):
    """Adicione um comentário: text and/or files; dismisses with the updated Ticket, or None.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Enviar. |
    | ctrl+e | Edit the comment in $VISUAL/$EDITOR. |
    | ctrl+o | Choose a file in the file browser. |
    | escape | Cancelar (the draft stays saved). |
    """

    DEFAULT_CSS = """
    CommentScreen {
        align: center middle;
        & > #comment-dialog {
            width: 100%;
            max-width: 100;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        #comment-title { text-style: bold; }
        #comment-ticket { color: $text-muted; margin-bottom: 1; }
        /* Title, buttons, key line and borders take 10 rows: at 80×24 the body scrolls, the buttons stay. */
        #comment-body { height: auto; max-height: 60vh; }
        .comment-field { height: auto; }
        .comment-label { padding: 0 1; }
        #comment-body > Vertical:focus-within > .comment-label { text-style: bold reverse; }
        #comment-text { height: auto; }
        #comment-text > LimitedTextArea { height: 6; }
        .comment-error { color: $text-error; text-style: bold; padding: 0 1; display: none; }
        .comment-error.-shown { display: block; }
        #comment-buttons { height: auto; margin-top: 1; }
        #comment-keys { color: $text-muted; height: auto; }
        #comment-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not priority: a priority key runs before keys typed just ahead of it reach the field,
        # so the send would validate stale text.
        Binding("ctrl+s", "send", "Enviar", id="comment.send"),
        Binding("ctrl+e", "editor", "Editor externo", id="comment.editor", priority=True),
        Binding("ctrl+o", "browse", "Anexar arquivo", id="comment.browse"),
        Binding("escape", "cancel", "Cancelar", id="comment.cancel"),
        # No guard for the app's q/p: a ModalScreen already cuts the app's bindings off.
    ]

    def __init__(self, adapter: Adapter, ticket: Ticket, desk: DeskInfo | None = None) -> None:
        super().__init__()
        self.adapter = adapter
        self.ticket = ticket
        self.desk = desk
        self.title = "Adicionar comentário/anexo"
        self.drafts = DraftStore(adapter.location)
        self.draft_key = comment_key(ticket.desk, ticket.number)
        self._draft_ready = False
        self._draft_timer: Timer | None = None
        self._dirty_since: float | None = None
        self._draft_lock = asyncio.Lock()
        self._sending = False
        self.form_id = new_form_id()
        # Kept as attributes: the last draft save runs after the widgets are unmounted.
        self.text_field = CountedTextArea(limit=desk.description_limit if desk else FALLBACK_LIMIT,
                                          placeholder="Descrição complementar", id="comment-text")
        self.files_field = AttachmentField(
            max_bytes=desk.max_attachment_bytes if desk else FALLBACK_MAX_BYTES,
            max_files=desk.max_attachments if desk else FALLBACK_MAX_FILES,
            id="comment-files",
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="comment-dialog"):
            yield Static("Adicione um comentário", id="comment-title", markup=False)
            about = Text(f"Demanda {self.ticket.number} — ")
            about.append(self.ticket.title)
            yield Static(about, id="comment-ticket")
            with VerticalScroll(id="comment-body"):
                with Vertical(id="comment-text-box", classes="comment-field"):
                    yield Label("Comentário:", classes="comment-label")
                    yield self.text_field
                    yield Static("", id="comment-text-error", classes="comment-error", markup=False)
                with Vertical(id="comment-files-box", classes="comment-field"):
                    yield Label("Carregar arquivos:", classes="comment-label")
                    yield self.files_field
                    yield Static("", id="comment-files-error", classes="comment-error", markup=False)
                yield Static("", id="comment-error", classes="comment-error", markup=False)
            with Horizontal(id="comment-buttons"):
                yield Button("Enviar", id="comment-send", variant="primary")
                yield Button("Cancelar", id="comment-cancel")
            yield Static("ctrl+s enviar · ctrl+e editor · ctrl+o procurar arquivo · esc cancelar",
                         id="comment-keys", markup=False)

    def on_mount(self) -> None:
        if self.desk is None:
            self._load_desk()
        draft = self.drafts.load(self.draft_key)
        if draft is None:
            self._draft_ready = True
        else:
            self.app.push_screen(
                DraftRecoveryScreen(draft.saved_at, "O comentário não foi enviado; o texto digitado foi guardado."),
                partial(self._recovery_answered, draft),
            )
        self.text_field.text_area.focus()

    @work(group="desk", exclusive=True, exit_on_error=False)
    async def _load_desk(self) -> None:
        try:
            desk = await self.adapter.desk(self.ticket.desk)
        except DemandasError:
            return  # the fallback limits stay; the server still checks
        self.desk = desk
        self.text_field.limit = desk.description_limit
        self.files_field.set_limits(max_bytes=desk.max_attachment_bytes, max_files=desk.max_attachments)

    def values(self) -> dict[str, DraftValue]:
        """What the dialog holds, for the draft."""
        return {"text": self.text_field.text, "attachments": self.files_field.paths}

    # -- messages ------------------------------------------------------------

    def _set_error(self, where: str, message: str | None) -> None:
        line = self.query_one(f"#{where}", Static)
        line.update(Text(message or ""))
        line.set_class(bool(message), "-shown")

    def _clear_errors(self) -> None:
        for where in ("comment-text-error", "comment-files-error", "comment-error"):
            self._set_error(where, None)

    @on(TextArea.Changed)
    def _text_changed(self) -> None:
        self._clear_errors()
        self._schedule_draft()

    @on(AttachmentField.Changed)
    def _files_changed(self) -> None:
        self._clear_errors()
        self._write_draft()

    @on(AttachmentField.Rejected)
    def _file_rejected(self, event: AttachmentField.Rejected) -> None:
        self._set_error("comment-files-error", event.reason)

    @on(AttachmentField.BrowseRequested)
    def _browse_requested(self, event: AttachmentField.BrowseRequested) -> None:
        field = event.field

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.add_path(path)
            field.focus()

        self.app.push_screen(FileBrowserScreen(event.start), chosen)

    # -- drafts --------------------------------------------------------------

    def _recovery_answered(self, draft: Draft, restore: bool | None) -> None:
        if restore:
            self.form_id = draft.form_id or self.form_id  # a re-send after a crash replays, not duplicates
            self.text_field.load_text(draft.text("text"))
            lost = self.files_field.restore(draft.paths("attachments"))
            if lost:
                self._set_error("comment-files-error", " ".join(lost))
            self.notify("Rascunho recuperado.", markup=False)
        else:
            self.drafts.delete(self.draft_key)
        self._draft_ready = True

    def _schedule_draft(self) -> None:
        if not self._draft_ready:
            return
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        if self._draft_timer is not None:
            self._draft_timer.stop()
        # Debounced, but someone typing without pause is still saved every DRAFT_MAX_WAIT.
        delay = min(DRAFT_DELAY, self._dirty_since + DRAFT_MAX_WAIT - now)
        if delay <= 0:  # (a Timer of 0 s divides by zero in Textual 8)
            self._draft_timer = None
            self._write_draft()
        else:
            self._draft_timer = self.set_timer(delay, self._write_draft)

    @work(group="draft", exit_on_error=False)
    async def _write_draft(self) -> None:
        if not self._draft_ready:
            return
        async with self._draft_lock:
            self._dirty_since = None
            values = self.values()
            try:
                await asyncio.to_thread(self.drafts.save, self.draft_key, values, self.form_id)
            except OSError as exc:
                self.notify(f"Não foi possível salvar o rascunho: {exc}", severity="warning", markup=False)

    def flush_draft(self) -> bool:
        """Write the draft now; True when something was kept."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if not self._draft_ready:
            return False
        try:
            return self.drafts.save(self.draft_key, self.values(), self.form_id)
        except OSError:
            return False

    def on_unmount(self) -> None:
        self.flush_draft()

    # -- actions -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "send" and self._sending else True

    def action_cancel(self) -> None:
        """Close without sending; the draft stays saved."""
        if self.flush_draft():
            self.notify("Rascunho do comentário guardado.", markup=False)
        self._draft_ready = False
        self.dismiss(None)

    async def action_editor(self) -> None:
        """Edit the comment in the external editor."""
        await self.text_field.edit_in_editor()

    def action_browse(self) -> None:
        """Open the file browser."""
        self.files_field.action_browse()

    @on(Button.Pressed, "#comment-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#comment-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_send(self) -> None:
        """Check, then send in a worker."""
        if self._sending:
            return
        if not self.text_field.text.strip() and not self.files_field.files:
            self._set_error("comment-text-error", EMPTY_MESSAGE)
            self.text_field.text_area.focus()
            return
        self._send()

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        button = self.query_one("#comment-send", Button)
        button.disabled = sending
        button.label = "Enviando…" if sending else "Enviar"
        self.refresh_bindings()

    @work(group="send", exclusive=True, exit_on_error=False)
    async def _send(self) -> None:
        self._set_sending(True)
        try:
            try:
                attachments = await read_attachments(self.files_field.files)
            except OSError as exc:
                self._set_error("comment-files-error", str(exc))
                return
            text = self.text_field.text.strip()
            parts: list[str | bytes] = [self.ticket.number, text]
            for item in attachments:
                parts += [item.name, hashlib.sha256(item.data).digest()]
            ticket = await self.adapter.comment(self.ticket.number, text, attachments,
                                                idempotency_key=idempotency_key(self.form_id, parts))
        except DemandasError as exc:
            if not isinstance(exc, Unavailable):
                self._show_refusal(exc)
                return
            self._set_error("comment-error", f"Não foi possível enviar: {exc.message} O texto foi mantido.")
            raise  # WorkerErrorsToApp: the app's one handler owns the connection banner
        except Exception as exc:  # a bug: keep the text, say so here, let the app report it
            self._set_error("comment-error", f"Não foi possível enviar: {exc}")
            raise
        finally:
            with contextlib.suppress(Exception):
                self._set_sending(False)
        self._draft_ready = False
        with contextlib.suppress(OSError):
            self.drafts.delete(self.draft_key)
        self.app.notify(f"Comentário adicionado à demanda {ticket.number}.", markup=False)
        self.dismiss(ticket)

    def _show_refusal(self, exc: DemandasError) -> None:
        where = {"text": "comment-text-error", "attachments": "comment-files-error"}.get(exc.field or "",
                                                                                         "comment-error")
        self._set_error(where, exc.message)
        if where == "comment-text-error":
            self.text_field.text_area.focus()
        elif where == "comment-files-error":
            self.files_field.focus()
