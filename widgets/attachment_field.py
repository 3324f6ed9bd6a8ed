"""Choose files to attach: a path box that completes as you type, the chosen list, a browser.

Files are checked when added (exists, is a file, readable, size, count) and read
only when the form is sent (``read_attachments``), so a long form never holds
megabytes in memory and a file changed meanwhile is sent as it is at send time.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from backend.domain import NewAttachment
from backend.text import format_size, printable


@dataclass(frozen=True, slots=True)
class ChosenFile:
    """A file the user picked: where it is and how big it was when picked."""

    path: Path
    size: int

    @property
    def name(self) -> str:
        """The name sent to the server (never the folder)."""
        return self.path.name


def display_path(path: Path | str) -> str:
    """A path as the user would type it: the home folder as ``~``."""
    text = str(path)
    home = os.path.expanduser("~")
    if home not in ("", "/", "~") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


def resolve_typed(typed: str, cwd: Path | None = None) -> Path:
    """The absolute path of what the user typed (``~`` expanded, relative to cwd)."""
    path = Path(os.path.expanduser(typed.strip()))
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    return Path(os.path.normpath(path))


def accept_text(accept: Sequence[str]) -> str:
    """``PNG, JPG ou JPEG``: the extensions a field takes, as a person reads them."""
    names = [ext.upper() for ext in accept]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]


def check_file(path: Path, chosen: Sequence[ChosenFile], max_bytes: int, max_files: int,
               accept: Sequence[str] = ()) -> ChosenFile | str:
    """A ChosenFile when ``path`` may be attached, else the pt-BR reason it may not."""
    shown = printable(display_path(path))
    if accept and path.suffix.lower().lstrip(".") not in accept:
        return f"O arquivo “{printable(path.name)}” não é aceito aqui: envie {accept_text(accept)}."
    if len(chosen) >= max_files:
        return f"Já são {len(chosen)} arquivos; o limite é {max_files} por envio."
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"Arquivo não encontrado: {shown}"
    except PermissionError:
        return f"Sem permissão para acessar {shown}"
    except OSError as exc:
        return f"Não foi possível abrir {shown}: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"{shown} é uma pasta; escolha um arquivo."
    if not stat.S_ISREG(info.st_mode):
        return f"{shown} não é um arquivo comum."
    name = printable(path.name)
    if not os.access(path, os.R_OK):
        return f"Sem permissão para ler o arquivo “{name}”."
    if info.st_size == 0:
        return f"O arquivo “{name}” está vazio."
    if info.st_size > max_bytes:
        return (f"O arquivo “{name}” tem {format_size(info.st_size)}; o limite é "
                f"{format_size(max_bytes)} por arquivo.")
    if any(c.path == path for c in chosen):
        return f"O arquivo “{name}” já está na lista."
    return ChosenFile(path=path, size=info.st_size)


def _read_all(files: Sequence[ChosenFile], field: str) -> tuple[NewAttachment, ...]:
    out = []
    for item in files:
        try:
            data = item.path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OSError(f"Não foi possível ler “{printable(item.name)}”: {reason}.") from exc
        out.append(NewAttachment(name=item.name, data=data, field=field))
    return tuple(out)


async def read_attachments(files: Sequence[ChosenFile], field: str = "attachments") -> tuple[NewAttachment, ...]:
    """Read every chosen file off the event loop (for the form's ``field``); OSError carries a pt-BR message."""
    return await asyncio.to_thread(_read_all, list(files), field)


def complete_path(value: str) -> str | None:
    """``value`` completed with the first matching file or folder name (folders end in /)."""
    if not value or value.endswith(("\n", "\t")):
        return None
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    try:
        with os.scandir(folder or ".") as entries:
            names = sorted(
                (e.name + ("/" if e.is_dir() else ""))
                for e in entries
                if e.name.startswith(prefix) and (prefix.startswith(".") or not e.name.startswith("."))
            )
    except OSError:
        return None
    for name in names:
        if len(name) > len(prefix):
            return value + name[len(prefix):]
    return None


class PathSuggester(Suggester):
    """Suggests the rest of a path from the file system (never cached: folders change)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


class PathInput(Input):
    """The path box: tab accepts the completion shown (else moves on, as usual)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_completion", "Completar", show=False),
    ]

    def action_accept_completion(self) -> None:
        """Take the grey completion; without one, let tab move the focus."""
        suggestion = self._suggestion  # Input keeps the suggestion private; it is the one shown
        if not suggestion or len(suggestion) <= len(self.value) or not self.cursor_at_end:
            raise SkipAction()
        self.value = suggestion
        self.cursor_position = len(self.value)


class FileList(OptionList):
    """The chosen files; ``delete`` removes the highlighted one."""


class AttachmentField(Vertical):
    """Pick files to attach: type a path (it completes), or browse; see and remove the list.

    | Key | Description |
    | :- | :- |
    | tab / right | Accept the path completion shown in grey. |
    | enter | Add the typed file to the list (same as "Adicionar"). |
    | ctrl+o | Open the file browser ("Procurar…"). |
    | delete / backspace | Remove the highlighted file from the list. |
    """

    DEFAULT_CSS = """
    AttachmentField {
        height: auto;
        & > .attach-row { height: auto; align: left middle; }
        & > .attach-row > PathInput { width: 1fr; }
        & > .attach-row > Button { min-width: 12; margin-left: 1; }
        & > FileList { height: auto; max-height: 6; border: none; padding: 0 1; }
        & > FileList.-empty { display: none; }
        & > .attach-empty { color: $text-muted; padding: 0 1; }
        & > .attach-empty.-hidden { display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "browse", "Procurar arquivo"),
        Binding("delete,backspace", "remove", "Remover arquivo"),
    ]

    class Changed(Message):
        """The list of chosen files changed."""

        def __init__(self, field: AttachmentField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> AttachmentField:
            """The field whose list changed."""
            return self.field

    class Rejected(Message):
        """A file could not be added; ``reason`` is for the user."""

        def __init__(self, field: AttachmentField, reason: str) -> None:
            super().__init__()
            self.field = field
            self.reason = reason

        @property
        def control(self) -> AttachmentField:
            """The field that refused the file."""
            return self.field

    class BrowseRequested(Message):
        """The user asked for the file browser; the screen pushes it and calls ``add_path``."""

        def __init__(self, field: AttachmentField, start: Path) -> None:
            super().__init__()
            self.field = field
            self.start = start

        @property
        def control(self) -> AttachmentField:
            """The field that wants a file."""
            return self.field

    def __init__(self, *, max_bytes: int, max_files: int, accept: Sequence[str] = (), id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.max_bytes = max_bytes
        self.max_files = max_files
        # Extensions (lower case, no dot) this field takes; empty: any.
        self.accept = tuple(ext.lower().lstrip(".") for ext in accept)
        self._files: list[ChosenFile] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="attach-row"):
            yield PathInput(placeholder="Caminho do arquivo (tab completa)",
                            suggester=PathSuggester(), select_on_focus=False)
            yield Button("Adicionar", id="attach-add", compact=True)
            yield Button("Procurar…", id="attach-browse", compact=True)
        yield Static(self._empty_text(), classes="attach-empty", markup=False)
        yield FileList(classes="-empty")

    @property
    def path_input(self) -> PathInput:
        """The path box."""
        return self.query_one(PathInput)

    @property
    def files(self) -> tuple[ChosenFile, ...]:
        """The chosen files, in the order added."""
        return tuple(self._files)

    @property
    def paths(self) -> list[str]:
        """The chosen files' absolute paths (for drafts)."""
        return [str(f.path) for f in self._files]

    def set_limits(self, *, max_bytes: int, max_files: int) -> None:
        """Apply the desk's limits (they may arrive after the field is shown)."""
        self.max_bytes = max_bytes
        self.max_files = max_files
        if self.is_mounted:
            self.query_one(".attach-empty", Static).update(self._empty_text())

    def focus(self, scroll_visible: bool = True) -> AttachmentField:
        """Focus the path box."""
        self.path_input.focus(scroll_visible)
        return self

    def add_path(self, typed: str | Path) -> bool:
        """Check and add a file; on refusal post Rejected and add nothing."""
        text = str(typed)
        if not text.strip():
            self.post_message(self.Rejected(self, "Informe o caminho de um arquivo."))
            return False
        result = check_file(resolve_typed(text), self._files, self.max_bytes, self.max_files, self.accept)
        if isinstance(result, str):
            self.post_message(self.Rejected(self, result))
            return False
        self._files.append(result)
        self._refresh_list()
        self.path_input.value = ""
        self.post_message(self.Changed(self))
        return True

    def restore(self, paths: Iterable[str]) -> list[str]:
        """Re-add saved paths that still pass the checks; return the reasons for the others."""
        problems = []
        for text in paths:
            result = check_file(resolve_typed(text), self._files, self.max_bytes, self.max_files, self.accept)
            if isinstance(result, str):
                problems.append(result)
            else:
                self._files.append(result)
        self._refresh_list()
        self.post_message(self.Changed(self))
        return problems

    def remove_file(self, index: int) -> None:
        """Drop the file at ``index`` from the list."""
        if 0 <= index < len(self._files):
            del self._files[index]
            self._refresh_list()
            file_list = self.query_one(FileList)
            if self._files:
                file_list.highlighted = min(index, len(self._files) - 1)
            else:
                self.path_input.focus()
            self.post_message(self.Changed(self))

    def clear(self) -> None:
        """Forget every chosen file."""
        self._files.clear()
        self._refresh_list()
        self.post_message(self.Changed(self))

    def browse_start(self) -> Path:
        """Where the file browser opens: the typed folder if it exists, else the working folder."""
        typed = self.path_input.value.strip()
        if typed:
            path = resolve_typed(typed)
            for candidate in (path, path.parent):
                if candidate.is_dir():
                    return candidate
        return Path.cwd()

    def _empty_text(self) -> str:
        if self.accept:
            count = "1 arquivo" if self.max_files == 1 else f"até {self.max_files} arquivos"
            return (f"Nenhum arquivo escolhido ({count} {accept_text(self.accept)}, "
                    f"{format_size(self.max_bytes)} cada).")
        return (f"Nenhum arquivo escolhido (até {self.max_files} arquivos, "
                f"{format_size(self.max_bytes)} cada).")

    def _refresh_list(self) -> None:
        file_list = self.query_one(FileList)
        previous = file_list.highlighted
        file_list.clear_options()
        for item in self._files:
            line = Text(printable(item.name), style="bold")
            line.append(f"  {format_size(item.size)}", style="")
            line.append(f"  {printable(display_path(item.path.parent))}", style="dim")
            file_list.add_option(Option(line))
        if self._files:
            file_list.highlighted = min(previous if previous is not None else 0, len(self._files) - 1)
        file_list.set_class(not self._files, "-empty")
        self.query_one(".attach-empty", Static).set_class(bool(self._files), "-hidden")

    @on(PathInput.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add_path(event.value)

    @on(PathInput.Changed)
    def _typing(self, event: Input.Changed) -> None:
        event.stop()  # the path box is not form data until added

    @on(Button.Pressed, "#attach-add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_path(self.path_input.value)

    @on(Button.Pressed, "#attach-browse")
    def _browse_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_browse()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            file_list = self.query_one(FileList)
            return file_list.has_focus and file_list.highlighted is not None
        return True

    @on(OptionList.OptionHighlighted)
    def _highlight_moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def action_browse(self) -> None:
        """Ask the screen for the file browser."""
        self.post_message(self.BrowseRequested(self, self.browse_start()))

    def action_remove(self) -> None:
        """Remove the highlighted file when the list has the focus."""
        file_list = self.query_one(FileList)
        if not file_list.has_focus or file_list.highlighted is None:
            raise SkipAction()
        self.remove_file(file_list.highlighted)
