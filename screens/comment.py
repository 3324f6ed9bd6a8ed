"""Adicionar comentário/anexo: complement a ticket after sending it (seed 000, 2.2)."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from backend.domain import DeskInfo, Ticket
from backend.errors import DemandasError
from screens.draft_form import DraftForm
from screens.file_browser import attach_from_browser
from tui.adapter import Adapter
from tui.drafts import Draft, DraftValue, comment_key, idempotency_key
from widgets.attachment_field import AttachmentField, read_attachments
from widgets.counted_text import CountedTextArea

#: Used until the desk's own limit arrives (the e-CAGE description limit).
FALLBACK_LIMIT = 2000
FALLBACK_MAX_BYTES = 10 * 1024 * 1024
FALLBACK_MAX_FILES = 10
# Mirrors the service's refusal of an empty comment.
EMPTY_MESSAGE = "Escreva um comentário ou anexe um arquivo."


class CommentScreen(DraftForm, ModalScreen[Ticket | None]):
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

    SEND_BUTTON = "comment-send"
    KEPT = "O texto foi mantido."

    def __init__(self, adapter: Adapter, ticket: Ticket, desk: DeskInfo | None = None) -> None:
        super().__init__(adapter.location, comment_key(ticket.desk, ticket.number))
        self.adapter = adapter
        self.ticket = ticket
        self.desk = desk
        self.title = "Adicionar comentário/anexo"
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
        self.offer_draft("O comentário não foi enviado; o texto digitado foi guardado.")
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
        attach_from_browser(event.field, event.start)

    # -- drafts and sending (see DraftForm) ----------------------------------

    def apply_draft(self, draft: Draft) -> None:
        self.text_field.load_text(draft.text("text"))
        lost = self.files_field.restore(draft.paths("attachments"))
        if lost:
            self._set_error("comment-files-error", " ".join(lost))
        self.notify("Rascunho recuperado.", markup=False)

    def ready_to_send(self) -> bool:
        if not self.text_field.text.strip() and not self.files_field.files:
            self._set_error("comment-text-error", EMPTY_MESSAGE)
            self.text_field.text_area.focus()
            return False
        return True

    async def submit(self) -> Ticket | None:
        try:
            attachments = await read_attachments(self.files_field.files)
        except OSError as exc:
            self._set_error("comment-files-error", str(exc))
            return None
        text = self.text_field.text.strip()
        parts: list[str | bytes] = [self.ticket.number, text]
        for item in attachments:
            parts += [item.name, hashlib.sha256(item.data).digest()]
        return await self.adapter.comment(self.ticket.number, text, attachments,
                                          idempotency_key=idempotency_key(self.form_id, parts))

    def show_send_error(self, message: str) -> None:
        self._set_error("comment-error", message)

    def notify_sent(self, ticket: Ticket) -> None:
        self.app.notify(f"Comentário adicionado à demanda {ticket.number}.", markup=False)

    def show_refusal(self, exc: DemandasError) -> None:
        where = {"text": "comment-text-error", "attachments": "comment-files-error"}.get(exc.field or "",
                                                                                         "comment-error")
        self._set_error(where, exc.message)
        if where == "comment-text-error":
            self.text_field.text_area.focus()
        elif where == "comment-files-error":
            self.files_field.focus()

    # -- actions -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "send" and self._sending else True

    def action_cancel(self) -> None:
        """Close without sending; the draft stays saved."""
        self.leave("Rascunho do comentário guardado.")

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
