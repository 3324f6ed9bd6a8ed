"""Escolher arquivo: a modal file browser, the alternative to typing a path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Static

from backend.text import printable
from widgets.attachment_field import AttachmentField, display_path


class FileTree(DirectoryTree):
    """A DirectoryTree that hides dot-files unless asked, folders first."""

    def __init__(self, path: Path, *, show_hidden: bool = False, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.show_hidden = show_hidden

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if self.show_hidden or not p.name.startswith(".")]


class FileBrowserScreen(ModalScreen[Path | None]):
    """Browse folders and choose one file; dismisses with its path, or None.

    | Key | Description |
    | :- | :- |
    | up / down | Move. |
    | enter | Open a folder / choose a file. |
    | backspace | Go to the parent folder. |
    | . | Show or hide hidden files. |
    | escape | Cancel. |
    """

    DEFAULT_CSS = """
    FileBrowserScreen {
        align: center middle;
        & > #browser {
            width: 90%;
            max-width: 100;
            height: 90%;
            max-height: 36;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        #browser-title { text-style: bold; height: 1; }
        #browser-folder { height: 1; color: $text-muted; }
        #browser-tree { height: 1fr; border: none; }
        #browser-hint { height: auto; color: $text-muted; }
        #browser-buttons { height: auto; align-horizontal: right; }
        #browser-buttons Button { margin-left: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="file_browser.cancel"),
        Binding("backspace", "parent", "Pasta acima", id="file_browser.parent"),
        Binding("full_stop", "toggle_hidden", "Ocultos", id="file_browser.hidden"),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        start = start or Path.cwd()
        self._start = start if start.is_dir() else Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical(id="browser"):
            yield Static("Escolher arquivo", id="browser-title")
            yield Static("", id="browser-folder")
            yield FileTree(self._start, id="browser-tree")
            yield Static(
                "enter abre a pasta ou escolhe o arquivo · backspace: pasta acima · "
                ". (ponto): arquivos ocultos · esc: cancelar",
                id="browser-hint",
                markup=False,
            )
            with Horizontal(id="browser-buttons"):
                yield Button("Cancelar", id="browser-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(FileTree).show_root = False
        self._show_folder()
        self.query_one(FileTree).focus()

    @property
    def folder(self) -> Path:
        """The folder shown."""
        return Path(self.query_one(FileTree).path)

    def _show_folder(self) -> None:
        label = Text("Pasta: ")
        label.append(printable(display_path(self.folder)), style="bold")
        self.query_one("#browser-folder", Static).update(label)

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    @on(Button.Pressed, "#browser-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    def action_parent(self) -> None:
        """Show the parent folder."""
        tree = self.query_one(FileTree)
        parent = self.folder.parent
        if parent != self.folder:
            tree.path = parent
            self._show_folder()

    def action_toggle_hidden(self) -> None:
        """Show or hide dot-files."""
        tree = self.query_one(FileTree)
        tree.show_hidden = not tree.show_hidden
        tree.reload()


def attach_from_browser(field: AttachmentField, start: Path) -> None:
    """Answer a field's ``BrowseRequested``: the chosen file joins ``field``, which gets the focus back."""

    def chosen(path: Path | None) -> None:
        if path is not None:
            field.add_path(path)
        field.focus()

    field.app.push_screen(FileBrowserScreen(start), chosen)
