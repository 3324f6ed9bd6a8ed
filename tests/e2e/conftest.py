"""End-to-end runs of the installed ``demandas`` command in a real terminal (tmux)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
DEMANDAS = shutil.which("demandas")
#: Generous: CI machines are slow and the first start compiles bytecode.
TIMEOUT = 30.0
#: Pause between keys, about a fast typist's.
PACE = 0.1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder e2e; skip them all when tmux or the command is missing."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            # A real terminal under a loaded machine sometimes misses a frame (see the #6 note:
            # an intermittent stale screen, not yet explained); one more run tells that from a bug.
            item.add_marker(pytest.mark.flaky(reruns=2))
            if TMUX is None:
                item.add_marker(pytest.mark.skip(reason="tmux não está instalado"))
            elif DEMANDAS is None:
                item.add_marker(pytest.mark.skip(reason="o comando demandas não está no PATH (pip install -e .)"))


class Terminal:
    """One tmux session on a private server, driven like a person at the keyboard."""

    def __init__(self, home: Path, width: int = 80, height: int = 24) -> None:
        self.socket = f"demandas-e2e-{uuid.uuid4().hex[:8]}"
        self.session = "e2e"
        self.home = home
        self.width = width
        self.height = height
        self.db = home / "demandas.db"
        # The private tmux server passes this environment to the command. The developer's
        # own environment is kept (tool shims need it) minus anything Demandas reads.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DEMANDAS_", "NO_COLOR", "TEXTUAL"))}
        self.env.update({
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TZ": "America/Sao_Paulo",
            "DEMANDAS_DB": str(self.db),
            "DEMANDAS_USER": "fernando",
            "DEMANDAS_CONFIG_DIR": str(home / "config"),
            "DEMANDAS_DATA_DIR": str(home / "data"),
        })

    def _tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=True,
                              env=self.env)
        return done.stdout

    def start(self, *args: str) -> None:
        """Run the installed command (with ``args``); the shell reports its exit status afterwards."""
        assert DEMANDAS is not None
        # tmux sets TERM for its panes; the app should see an ordinary xterm.
        line = " ".join(shlex.quote(a) for a in (DEMANDAS, *args))
        command = f"TERM=xterm-256color {line}; echo DEMANDAS-SAIU=$?; sleep 60"
        self._tmux("new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-s", self.session,
                   "sh", "-c", command)

    def send(self, *keys: str) -> None:
        """Press keys (tmux key names such as Enter, Escape, C-s), one at a time, at a human pace."""
        for key in keys:
            self._tmux("send-keys", "-t", self.session, key)
            time.sleep(PACE)

    def type(self, text: str) -> None:
        """Type text literally."""
        self._tmux("send-keys", "-t", self.session, "-l", text)

    def cursor(self) -> tuple[int, int]:
        """Where the terminal cursor is: Textual keeps it on the focused text field."""
        x, y = self._tmux("display-message", "-p", "-t", self.session, "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def wait_cursor_on(self, text: str, below: int = 0, timeout: float = TIMEOUT) -> None:
        """Wait until the cursor (the focused field) is on the row of ``text``, or ``below`` rows under it.

        What a person does before typing: look where the cursor is. A screen can be drawn
        a moment before its first field takes the focus.
        """

        def there(shown: str) -> bool:
            rows = [i for i, line in enumerate(shown.splitlines()) if text in line]
            return bool(rows) and self.cursor()[1] == rows[0] + below

        self.wait_until(there, f"o cursor na linha de {text!r}", timeout)

    def move_focus(self, key: str = "Tab", timeout: float = TIMEOUT) -> None:
        """Press a key that moves to another field and wait until the focus got there.

        Textual hands keys to the widget focused when they arrive, so text typed before
        the move is processed would land in the previous field.
        """
        # Rows, not columns: typed text still being drawn moves the cursor sideways.
        _, before = self.cursor()
        self.send(key)
        deadline = time.monotonic() + timeout
        while self.cursor()[1] == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} não mudou de campo; a tela era:\n{self.screen()}")
            time.sleep(0.05)

    def screen(self) -> str:
        """What the terminal shows now."""
        return self._tmux("capture-pane", "-p", "-t", self.session)

    def wait_until(self, check: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> str:
        """Poll the screen until ``check(screen)`` holds; fail with the last screen."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if check(shown):
                return shown
            time.sleep(0.1)
        x, y = self.cursor()
        raise AssertionError(f"não apareceu {what} em {timeout:.0f}s; cursor em x={x}, y={y}; a tela era:\n{shown}")

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        """Poll the screen until every text is visible."""
        return self.wait_until(lambda shown: all(text in shown for text in texts), repr(texts), timeout)

    def close(self) -> None:
        """Stop the private tmux server."""
        subprocess.run([TMUX or "tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False,
                       env=self.env)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """An 80×24 terminal with its own HOME, data and config folders."""
    home = tmp_path / "terminal-home"
    home.mkdir()
    term = Terminal(home)
    yield term
    term.close()
