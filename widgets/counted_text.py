"""Text entry with a character limit: a counted TextArea, a limited Input, $EDITOR."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile

from textual import events, on
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import EditResult, Location


def remaining_text(remaining: int) -> str:
    """The counter line, as the portal writes it ("1882 caracteres restantes.")."""
    if remaining == 1:
        return "1 caractere restante."
    return f"{max(remaining, 0)} caracteres restantes."


def truncation_notice(limit: int) -> str:
    """What the user is told when pasted text did not fit."""
    return f"O texto colado foi cortado: o limite é de {limit} caracteres."


class EditorUnavailable(Exception):
    """The external editor could not run; the message is for the user."""


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else nano or vi; [] when none exists."""
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if raw and raw.strip():
        return shlex.split(raw)
    for name in ("nano", "vi"):
        if shutil.which(name):
            return [name]
    return []


def edit_externally(app: App[object], text: str) -> str:
    """Open ``text`` in the user's editor with the app suspended; return the edited text.

    Raises EditorUnavailable (pt-BR message) when no editor runs or it fails.
    """
    command = editor_command()
    if not command:
        raise EditorUnavailable("Nenhum editor encontrado: defina a variável EDITOR (por exemplo, EDITOR=nano).")
    fd, name = tempfile.mkstemp(prefix="demandas-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            with app.suspend():
                code = subprocess.call([*command, name])
        except SuspendNotSupported:
            if not app.is_headless:
                raise EditorUnavailable("Este terminal não permite abrir um editor externo.") from None
            # Headless (tests, automation): there is no terminal to hand over.
            code = subprocess.call([*command, name], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if code != 0:
            raise EditorUnavailable(f"O editor terminou com erro (código {code}); o texto não foi alterado.")
        with open(name, encoding="utf-8", errors="replace", newline="") as handle:
            edited = handle.read()
    except FileNotFoundError as exc:
        raise EditorUnavailable(f"Editor não encontrado: {command[0]}.") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    edited = edited.replace("\r\n", "\n")
    # Editors end the file with a newline the user never typed.
    return edited[:-1] if edited.endswith("\n") else edited


class LimitedInput(Input):
    """An Input whose paste is cut at ``max_length`` (with a notice) instead of refused whole."""

    def _on_paste(self, event: events.Paste) -> None:
        if not (self.max_length and event.text):
            return  # Input's own handler runs next
        line = event.text.splitlines()[0] if event.text.splitlines() else ""
        start, end = sorted(self.selection)
        room = self.max_length - (len(self.value) - (end - start))
        if len(line) <= room:
            return
        event.prevent_default()
        event.stop()
        if room > 0:
            self.replace(line[:room], start, end)
        self.notify(truncation_notice(self.max_length), severity="warning", markup=False)


class LimitedTextArea(TextArea):
    """A TextArea that never holds more than ``limit`` characters: typing stops, paste is cut."""

    class Truncated(Message):
        """Inserted text was cut to fit the limit."""

        def __init__(self, text_area: LimitedTextArea, dropped: int) -> None:
            super().__init__()
            self.text_area = text_area
            self.dropped = dropped

        @property
        def control(self) -> LimitedTextArea:
            """The text area that cut the text."""
            return self.text_area

    def __init__(self, text: str = "", *, limit: int | None = None, placeholder: str = "",
                 id: str | None = None) -> None:
        super().__init__(text[:limit] if limit else text, soft_wrap=True, tab_behavior="focus",
                         show_line_numbers=False, placeholder=placeholder, id=id)
        self.limit = limit

    def room(self, start: Location, end: Location) -> int | None:
        """How many characters fit when replacing start..end (None: no limit)."""
        if self.limit is None:
            return None
        first, last = sorted((start, end))
        return self.limit - (len(self.text) - len(self.get_text_range(first, last)))

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        room = self.room(start, end)
        if room is not None and len(insert) > room:
            if len(insert) > 1:
                self.post_message(self.Truncated(self, len(insert) - max(room, 0)))
            insert = insert[: max(room, 0)]
            if not insert:
                self.app.bell()
                return None
        return super()._replace_via_keyboard(insert, start, end)


class CountedTextArea(Vertical):
    """A multi-line text field with a live "N caracteres restantes." counter.

    Typing stops at the limit; pasted or loaded text is cut to fit, with a notice.
    The inner TextArea's ``TextArea.Changed`` bubbles as usual.

    | Key | Description |
    | :- | :- |
    | tab / shift+tab | Leave the field (tab does not insert a tab character). |
    """

    DEFAULT_CSS = """
    CountedTextArea {
        height: auto;
        & > LimitedTextArea { height: 8; }
        & > .counter { height: 1; color: $text-muted; padding: 0 1; }
        & > .counter.-at-limit { color: $text-warning; text-style: bold; }
    }
    """

    def __init__(self, text: str = "", *, limit: int | None = None, placeholder: str = "",
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = text
        self._limit = limit
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield LimitedTextArea(self._initial, limit=self._limit, placeholder=self._placeholder)
        yield Static("", classes="counter", markup=False)

    def on_mount(self) -> None:
        self._update_counter()

    @property
    def text_area(self) -> LimitedTextArea:
        """The inner TextArea."""
        return self.query_one(LimitedTextArea)

    @property
    def text(self) -> str:
        """The current text (still readable after the widget is removed, for a last draft save)."""
        if self.is_mounted and self.children:
            self._initial = self.text_area.text
        return self._initial

    @property
    def limit(self) -> int | None:
        """The maximum number of characters (None: unlimited)."""
        return self._limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        self._limit = limit
        if self.is_mounted:
            self.text_area.limit = limit
            if limit is not None and len(self.text) > limit:
                self.load_text(self.text)
            self._update_counter()

    def load_text(self, text: str) -> bool:
        """Replace the text, cut to the limit; True when it had to be cut."""
        cut = self._limit is not None and len(text) > self._limit
        self.text_area.load_text(text[: self._limit] if self._limit is not None else text)
        if cut and self._limit is not None:
            self.notify(truncation_notice(self._limit).replace("colado", "carregado"), severity="warning",
                        markup=False)
        self._update_counter()
        return cut

    async def edit_in_editor(self) -> None:
        """Edit the text in $VISUAL/$EDITOR with the app suspended, then load it back."""
        try:
            edited = edit_externally(self.app, self.text)
        except EditorUnavailable as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.load_text(edited)
        area = self.text_area
        area.move_cursor(area.document.end)
        area.focus()

    def _update_counter(self) -> None:
        counter = self.query_one(".counter", Static)
        if self._limit is None:
            counter.update(f"{len(self.text)} caracteres.")
            counter.set_class(False, "-at-limit")
            return
        remaining = self._limit - len(self.text)
        counter.update(remaining_text(remaining))
        counter.set_class(remaining <= 0, "-at-limit")

    @on(TextArea.Changed)
    def _text_changed(self) -> None:
        self._initial = self.text_area.text
        self._update_counter()

    @on(LimitedTextArea.Truncated)
    def _truncated(self, event: LimitedTextArea.Truncated) -> None:
        event.stop()
        if self._limit is not None:
            self.notify(truncation_notice(self._limit), severity="warning", markup=False)
