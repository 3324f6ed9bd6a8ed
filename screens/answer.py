"""Responder: a public answer or an internal note (observação), with files and a saved draft.

The dialog collects the text and files and dismisses with an :class:`Answer`; the
detail screen sends it and deletes the draft once the server accepted it, so a
failed send (or a closed terminal) keeps what was typed. The reservation is the
server's and is untouched by closing the dialog.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from backend.domain import DeskInfo, Ticket
from tui.drafts import DraftStore, DraftValue, new_form_id
from widgets.attachment_field import AttachmentField, ChosenFile
from widgets.counted_text import CountedTextArea
from widgets.footer import CompactFooter

FALLBACK_LIMIT = 4000
FALLBACK_MAX_BYTES = 20 * 1024 * 1024
FALLBACK_MAX_FILES = 10
NOTE_BANNER = "Observação interna (só a equipe vê)"
REPLY_BANNER = "Resposta pública (o solicitante vê)"


@dataclass(frozen=True, slots=True)
class Answer:
    """What to send: reply or note, the text, the files, and the draft's form id (idempotency)."""

    internal: bool
    text: str
    files: tuple[ChosenFile, ...]
    form_id: str


def answer_key(desk_id: str, number: str, internal: bool) -> str:
    """The draft key of the reply (or note) editor of one ticket."""
    return f"{desk_id}-{'note' if internal else 'reply'}-{number}"


class AnswerScreen(ModalScreen[Answer | None]):
    """Resposta pública or Observação interna; dismisses with an Answer, or None (draft kept).

    | Key | Description |
    | :- | :- |
    | ctrl+s | Enviar. |
    | ctrl+o | Anexar arquivo (navegador de arquivos). |
    | escape | Fechar (o rascunho fica guardado). |
    """

    DEFAULT_CSS = """
    AnswerScreen {
        align: center middle;
        & > #answer-dialog {
            width: 100%; max-width: 100; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        &.-internal > #answer-dialog { border: thick $warning; }
        #answer-title { text-style: bold; }
        #answer-banner { text-style: bold reverse; padding: 0 1; }
        &.-internal #answer-banner { color: $warning; }
        #answer-ticket { color: $text-muted; margin-bottom: 1; }
        #answer-body { height: auto; max-height: 60vh; }
        #answer-text { height: auto; }
        #answer-text > LimitedTextArea { height: 6; }
        #answer-error { color: $text-error; text-style: bold; height: auto; }
        #answer-buttons { height: auto; }
        #answer-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Enviar", id="answer.send", priority=True, tooltip="Enviar"),
        Binding("ctrl+o", "browse", "Anexar arquivo", id="answer.browse", tooltip="Escolher um arquivo"),
        Binding("escape", "close", "Fechar", id="answer.close", tooltip="Fechar; o rascunho fica guardado"),
        Binding("q,p", "stay", show=False),
    ]

    def __init__(self, ticket: Ticket, location: str, *, internal: bool, desk: DeskInfo | None = None) -> None:
        super().__init__(classes="-internal" if internal else "")
        self.ticket = ticket
        self.internal = internal
        self.title = NOTE_BANNER if internal else REPLY_BANNER
        self.drafts = DraftStore(location)
        self.draft_key = answer_key(ticket.desk, ticket.number, internal)
        self.form_id = new_form_id()
        self._sent = False
        self.text_field = CountedTextArea(limit=desk.description_limit if desk else FALLBACK_LIMIT,
                                          placeholder="Escreva aqui", id="answer-text")
        self.files_field = AttachmentField(
            max_bytes=desk.max_attachment_bytes if desk else FALLBACK_MAX_BYTES,
            max_files=desk.max_attachments if desk else FALLBACK_MAX_FILES,
            id="answer-files",
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="answer-dialog"):
            yield Static("Observação interna" if self.internal else "Responder ao solicitante",
                         id="answer-title", markup=False)
            yield Static(NOTE_BANNER if self.internal else REPLY_BANNER, id="answer-banner", markup=False)
            yield Static(f"Demanda {self.ticket.number} — {self.ticket.title}", id="answer-ticket", markup=False)
            with VerticalScroll(id="answer-body"):
                yield Label("Texto:")
                yield self.text_field
                yield Label("Anexos:")
                yield self.files_field
            yield Static("", id="answer-error", markup=False)
            with Horizontal(id="answer-buttons"):
                yield Button("Registrar observação" if self.internal else "Enviar resposta", variant="primary",
                             id="answer-send")
                yield Button("Fechar", id="answer-close")
        yield CompactFooter()

    def on_mount(self) -> None:
        """Bring back a saved draft, then type."""
        draft = None
        with contextlib.suppress(OSError, ValueError):
            draft = self.drafts.load(self.draft_key)
        if draft is not None:
            self.form_id = draft.form_id or self.form_id
            self.text_field.load_text(draft.text("text"))
            self.files_field.restore(draft.paths("attachments"))
            self.notify("Rascunho restaurado.", markup=False)
        self.text_field.text_area.focus()

    def save_draft(self) -> bool:
        """Keep what was typed (until the server accepts it)."""
        values: dict[str, DraftValue] = {"text": self.text_field.text, "attachments": list(self.files_field.paths)}
        try:
            return self.drafts.save(self.draft_key, values, self.form_id)
        except OSError:
            return False

    def on_unmount(self) -> None:
        """Closing the terminal or the dialog keeps the draft."""
        self.save_draft()

    def action_stay(self) -> None:
        """Swallow the app's one-letter keys while the editor is open."""

    def action_browse(self) -> None:
        """Open the file browser."""
        self.files_field.action_browse()

    @on(AttachmentField.BrowseRequested)
    def _browse_requested(self, event: AttachmentField.BrowseRequested) -> None:
        from screens.file_browser import attach_from_browser

        attach_from_browser(event.field, event.start)

    def action_close(self) -> None:
        """Close; the draft stays saved."""
        if self.text_field.text.strip() or self.files_field.files:
            self.notify("Rascunho guardado.", markup=False)
        self.dismiss(None)

    @on(Button.Pressed, "#answer-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#answer-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_send(self) -> None:
        """Check, then hand the answer to the detail screen (the draft stays until it is accepted)."""
        text = self.text_field.text.strip()
        if not text and not self.files_field.files:
            self.query_one("#answer-error", Static).update("Escreva o texto ou anexe um arquivo.")
            self.text_field.text_area.focus()
            return
        self.dismiss(Answer(self.internal, text, self.files_field.files, self.form_id))
