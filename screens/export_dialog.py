"""Exportar: write exactly what a listing shows (filters, search, order) to CSV, Excel or PDF."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from backend.domain import TicketQuery, User
from backend.export import QUEUE_COLUMNS, ExportFormat, describe_filters
from tui.adapter import Adapter
from tui.export_job import export_listing
from tui.messages import WorkerErrorsToApp
from widgets.footer import CompactFooter

FORMAT_NAMES = {ExportFormat.CSV: "CSV", ExportFormat.XLSX: "Excel", ExportFormat.PDF: "PDF"}

#: Told (rows loaded, rows in all) as pages arrive.
Progress = Callable[[int, int], None]
#: Writes the rows in a format to a file and returns how many it wrote.
Exporter = Callable[[ExportFormat, Path, Progress], Awaitable[int]]


def default_folder() -> Path:
    """~/Downloads when it exists, else the current folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


def local_now() -> datetime:
    """Now, in the local time zone (names the file)."""
    return datetime.now().astimezone()


def default_name(stem: str, fmt: ExportFormat, now: datetime) -> str:
    """``<stem>-AAAAMMDD-hhmm.csv``."""
    return f"{stem}-{now:%Y%m%d-%H%M}.{fmt.value}"


class ExportScreen(WorkerErrorsToApp, ModalScreen[Path | None]):
    """Choose the format and the file, then run ``exporter``; dismisses with the path, or None.

    With ``progress`` the exporter reports its pages: a bar shows them, and the dialog
    holds (no second run, no cancel) until the file is written.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Exportar. |
    | escape | Cancelar. |
    """

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
        & > #export-dialog {
            width: 100%; max-width: 90; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #export-title { text-style: bold; }
        #export-filters { color: $text-muted; margin-bottom: 1; }
        #export-format { height: auto; layout: horizontal; width: 100%; }
        &.-progress #export-path { margin-bottom: 1; }
        #export-progress { height: 1; }
        #export-error { color: $text-error; text-style: bold; height: auto; }
        #export-buttons { height: auto; }
        #export-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Exportar", id="export.run", priority=True, tooltip="Gerar o arquivo"),
        Binding("escape", "cancel", "Cancelar", id="export.cancel", tooltip="Fechar sem exportar"),
    ]

    def __init__(self, heading: str, filters: str, stem: str, exporter: Exporter, *, progress: bool = False) -> None:
        super().__init__(classes="-progress" if progress else None)
        self.heading = heading
        self.filters = filters
        self.stem = stem
        self.exporter = exporter
        self.progress = progress
        self.title = "Exportar"
        self.format = ExportFormat.CSV
        self._now = local_now()
        self._exporting = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(self.heading, id="export-title", markup=False)
            yield Static(f"Filtros: {self.filters}", id="export-filters", markup=False)
            yield Label("Formato:")
            with RadioSet(id="export-format"):
                for fmt, name in FORMAT_NAMES.items():
                    yield RadioButton(name, value=fmt is self.format, id=f"export-{fmt.value}")
            yield Label("Arquivo:")
            yield Input(str(default_folder() / default_name(self.stem, self.format, self._now)), id="export-path")
            if self.progress:
                yield ProgressBar(total=None, show_eta=False, id="export-progress")
            yield Static("", id="export-error", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Exportar", variant="primary", id="export-run")
                yield Button("Cancelar", id="export-cancel")
        yield CompactFooter()

    def on_mount(self) -> None:
        """The bar appears only while exporting."""
        for bar in self.query(ProgressBar):
            bar.display = False
        self.query_one("#export-format", RadioSet).focus()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        fmt = ExportFormat((event.pressed.id or "export-csv").removeprefix("export-"))
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value)
        # Keep the folder and name the user chose; only the extension follows the format.
        if path.suffix.lstrip(".") in {f.value for f in ExportFormat}:
            path_input.value = str(path.with_suffix(f".{fmt.value}"))
        self.format = fmt

    @on(Button.Pressed, "#export-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_export()

    def action_cancel(self) -> None:
        """Close without exporting."""
        if not self._exporting:
            self.dismiss(None)

    def action_export(self) -> None:
        """Check the path, then export in a worker."""
        if self._exporting:
            return
        typed = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        if not typed:
            error.update("Informe o arquivo de destino.")
            return
        path = Path(typed).expanduser()
        if not path.parent.is_dir():
            error.update(f"A pasta {path.parent} não existe.")
            return
        error.update("")
        self._export(path)

    def _progress(self, loaded: int, total: int) -> None:
        for bar in self.query(ProgressBar):
            bar.update(total=max(total, 1), progress=loaded)

    def _hold(self, holding: bool) -> None:
        self._exporting = holding
        if holding:
            self.query_one(ProgressBar).display = True
        self.query_one("#export-run", Button).disabled = holding

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _export(self, path: Path) -> None:
        if self.progress:
            self._hold(True)
        try:
            count = await self.exporter(self.format, path, self._progress)
        except OSError as exc:
            self.query_one("#export-error", Static).update(f"Não foi possível gravar {path}: {exc.strerror or exc}")
            return
        finally:
            if self.progress:
                self._hold(False)
        self.app.notify(f"{count} linha(s) exportada(s) para {path}", title="Exportação concluída", markup=False)
        self.dismiss(path)


def queue_export(adapter: Adapter, query: TicketQuery, user: User) -> ExportScreen:
    """The dialog that exports exactly the queue's listing."""

    async def export(fmt: ExportFormat, path: Path, progress: Progress) -> int:
        return await export_listing(adapter, query, fmt, path, user, QUEUE_COLUMNS, progress)

    return ExportScreen("Exportar a fila", describe_filters(query), "demandas", export, progress=True)
