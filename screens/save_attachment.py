"""Salvar anexo: asks where to save an attachment; the caller writes the file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from backend.text import format_size, printable

# Characters Windows, macOS or shells trip on, plus path separators.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_MAX_NAME = 200


def safe_file_name(name: str) -> str:
    """A file name from the server made safe to create: no folders, controls or odd marks."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if not base:
        return "anexo"
    if len(base) > _MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: _MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) < 16 else base[:_MAX_NAME]
    return base


def write_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name``, adding " (1)", " (2)"… instead of overwriting."""
    safe = safe_file_name(name)
    stem, ext = (safe.rsplit(".", 1)[0], "." + safe.rsplit(".", 1)[1]) if "." in safe else (safe, "")
    for attempt in range(10_000):
        candidate = folder / (safe if attempt == 0 else f"{stem} ({attempt}){ext}")
        try:
            # "x" creates or fails atomically, so a file appearing meanwhile is never clobbered.
            with candidate.open("xb") as handle:
                handle.write(data)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"Nomes demais ocupados para {safe!r} em {folder}.")


def default_folder() -> Path:
    """~/Downloads when it exists, else the current folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


class SaveAttachmentScreen(ModalScreen[Path | None]):
    """Asks for the destination folder; dismisses with it, or None.

    | Key | Description |
    | :- | :- |
    | enter | Salvar na pasta informada. |
    | escape | Cancelar. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "give_up", "Cancelar", id="save.cancel", tooltip="Não salvar"),
    ]

    DEFAULT_CSS = """
    SaveAttachmentScreen {
        align: center middle;
    }
    SaveAttachmentScreen > #save-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }
    SaveAttachmentScreen #save-title {
        text-style: bold;
    }
    SaveAttachmentScreen #save-error {
        color: $text-error;
        height: auto;
    }
    SaveAttachmentScreen #save-buttons {
        height: auto;
        align-horizontal: right;
    }
    SaveAttachmentScreen #save-buttons Button {
        margin-left: 2;
    }
    """

    def __init__(self, name: str, size: int, folder: Path | None = None) -> None:
        super().__init__()
        self.file_name = name
        self.file_size = size
        self.folder = folder or default_folder()

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            yield Static("Salvar anexo", id="save-title", markup=False)
            yield Static(
                Content.assemble(
                    (safe_file_name(printable(self.file_name)), "bold"), (f" ({format_size(self.file_size)})", "dim")
                )
            )
            yield Label("Pasta de destino")
            yield Input(str(self.folder), id="save-folder")
            yield Static("", id="save-error", markup=False)
            with Horizontal(id="save-buttons"):
                yield Button("Salvar", variant="primary", id="save-ok")
                yield Button("Cancelar", id="save-cancel")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the folder, ready for Enter."""
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save-ok")
    def _submit(self) -> None:
        folder = Path(self.query_one(Input).value.strip() or ".").expanduser()
        if not folder.is_dir():
            self.query_one("#save-error", Static).update(f"A pasta {folder} não existe.")
            return
        self.dismiss(folder)

    @on(Button.Pressed, "#save-cancel")
    def action_give_up(self) -> None:
        """Close without saving."""
        self.dismiss(None)
