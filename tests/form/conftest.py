"""Fixtures for the Nova demanda / comment tests: a LocalAdapter on a temporary store."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from backend.domain import DeskInfo
from backend.service import HelpdeskService
from backend.store import Store
from tui.adapter import Adapter
from tui.adapters.local import LocalAdapter

NOW = datetime(2024, 1, 16, 15, 46, tzinfo=UTC)  # 12:46 in Porto Alegre, as in the seed's timeline
REQUESTER = "Fernando Sidarta Bastos dos Santos"


class Backend:
    """The service and the adapter of one temporary store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.service = HelpdeskService(Store(path), clock=lambda: NOW, rng=random.Random(7))
        self.service.ensure_user("fernando", REQUESTER)

    def adapter(self) -> LocalAdapter:
        """A fresh adapter over the same store (one per app run)."""
        return LocalAdapter(self.path, "fernando", REQUESTER, service=self.service)

    @property
    def desk(self) -> DeskInfo:
        """The e-CAGE desk."""
        return self.service.desk("ecage")


class FormApp(App[Any]):
    """A bare app that shows one screen and remembers what it was dismissed with."""

    def __init__(self, adapter: Adapter, make_screen: Callable[[Adapter], Screen[Any]]) -> None:
        super().__init__()
        self.animation_level = "none"  # focus scrolling must land at once: snapshots compare pixels
        self.adapter = adapter
        self._make_screen = make_screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(self.adapter), self.results.append)

    async def on_unmount(self) -> None:
        await self.adapter.aclose()


@pytest.fixture
def backend(tmp_path: Path) -> Backend:
    """A temporary store with the requester "fernando"."""
    return Backend(tmp_path / "demandas.db")


@pytest.fixture
def home(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME points at the isolated home folder, so paths show as ``~/…`` in snapshots."""
    monkeypatch.setenv("HOME", str(isolated_env))
    monkeypatch.chdir(isolated_env)
    return isolated_env


@pytest.fixture
def files(home: Path) -> Iterator[Path]:
    """A folder with a few files to attach."""
    folder = home / "docs"
    folder.mkdir()
    (folder / "image001.jpg (4).jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 4000)
    (folder / "planilha.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (folder / "relatorio.pdf").write_bytes(b"%PDF-1.4\n" + b"y" * 2000)
    (folder / "subpasta").mkdir()
    (folder / ".oculto").write_text("x", encoding="utf-8")
    yield folder


async def settle(pilot: Pilot[Any]) -> None:
    """Let messages and every worker that ends finish.

    DirectoryTree keeps a loader worker alive for its whole life, and the app follows its
    event stream for as long as it runs: neither is waited for.
    """
    for _ in range(2):
        await pilot.pause()
        pending = [w for w in pilot.app.workers if w.group not in ("_loader", "events") and not w.is_finished]
        if pending:
            await asyncio.gather(*(w.wait() for w in pending), return_exceptions=True)
    await pilot.pause()


def burst(app: App[Any], *keys: str) -> None:
    """Queue ``keys`` at once, as a fast typist or a paste delivers them.

    ``Pilot.press`` waits for the app to go idle after every key, which hides races
    between a key binding and the text typed just before it.
    """
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def freeze(app: App[Any]) -> None:
    """No blinking cursors in snapshots."""
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
        for area in screen.query(TextArea):
            area.cursor_blink = False
