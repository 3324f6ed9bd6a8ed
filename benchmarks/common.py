"""What every benchmark shares: statistics, budgets, the demo databases, and processes under a pty.

Every process a benchmark starts goes through :func:`spawn`, which runs it in a
session of its own and remembers its pid; :func:`cleanup` (called by ``run.py``
on exit, also after errors or Ctrl+C) ends those and only those.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
#: The demo requester the app runs as: the seed gives them the biggest share of tickets.
USER = "solicitante"
COLS, ROWS = 80, 24

# -- statistics -----------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median (0.0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- figures and budgets ---------------------------------------------------------


@dataclass
class Figure:
    """One measured number, its baseline, and the budget it is held to (if any).

    ``budget`` is ``("ratio<=", 1.25)``, ``("ratio>=", 0.6)``, ``("<=", 100)`` or None.
    """

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    budget: tuple[str, float] | None = None
    budget_text: str = ""
    runs: list[float] = field(default_factory=list)
    baseline_runs: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """value / baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        """PASS, FAIL, or "" when no budget applies."""
        if self.budget is None:
            return ""
        kind, limit = self.budget
        if kind == "<=":
            ok = self.value <= limit
        elif kind == ">=":
            ok = self.value >= limit
        else:
            ratio = self.ratio
            ok = ratio is not None and (ratio <= limit if kind == "ratio<=" else ratio >= limit)
        return "PASS" if ok else "FAIL"

    def to_json(self) -> dict[str, Any]:
        """The figure as plain JSON (rounded)."""
        data = asdict(self)
        data["value"] = round(self.value, 3)
        data["baseline"] = None if self.baseline is None else round(self.baseline, 3)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        data["verdict"] = self.verdict
        data["runs"] = [round(v, 3) for v in self.runs]
        data["baseline_runs"] = [round(v, 3) for v in self.baseline_runs]
        return data


@dataclass
class Result:
    """What one benchmark module reports."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self, details: bool = True) -> dict[str, Any]:
        """The result as plain JSON (``details``: with the raw per-run data)."""
        data = {"name": self.name, "title": self.title, "seconds": round(self.seconds, 1),
                "figures": [f.to_json() for f in self.figures], "notes": self.notes}
        if details:
            data["details"] = self.details
        return data


def format_value(value: float | None, unit: str) -> str:
    """A number with its unit, at a readable precision."""
    if value is None:
        return "—"
    if unit in ("B", "req/s", "KiB") or abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


def table(result: Result) -> str:
    """The result as a short fixed-width table."""
    header = ("figure", "value", "baseline", "ratio", "budget", "")
    rows = [header]
    for f in result.figures:
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        rows.append((f.name, format_value(f.value, f.unit),
                     format_value(f.baseline, f.unit) if f.baseline is not None else "—",
                     ratio, f.budget_text or "—", f.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [f"== {result.title} ({result.seconds:.0f} s)"]
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths,
                                                                                                  strict=True))))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if result.figures and any(f.baseline_name for f in result.figures):
        names = dict.fromkeys(f.baseline_name for f in result.figures if f.baseline_name)
        lines.append("   baseline: " + "; ".join(names))
    lines.extend(f"   note: {n}" for n in result.notes)
    return "\n".join(lines)


# -- processes ---------------------------------------------------------------------

_STARTED: dict[int, subprocess.Popen[bytes]] = {}


def clean_env(home: Path) -> dict[str, str]:
    """The environment for the app: nothing of the developer's Demandas/Textual settings, xterm over SSH.

    COLORTERM is dropped on purpose: ssh does not forward it, so over SSH Textual
    draws with 256 colours (the bytes-per-key figure depends on it).
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DEMANDAS_", "TEXTUAL", "NO_COLOR", "COLORTERM", "FORCE_COLOR", "COLUMNS", "LINES",
                                "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"))}
    env.update({
        # Bytecode is written (to the work folder, not the repository) and reused after the
        # warm-up round, as an installed `demandas` has it: with PYTHONDONTWRITEBYTECODE set
        # in a developer's shell, every start compiled the project's sources again (~100 ms).
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
        "TERM": "xterm-256color",
        "LANG": env.get("LANG", "C.UTF-8") or "C.UTF-8",
        "TZ": "America/Sao_Paulo",
        "DEMANDAS_CONFIG_DIR": str(home / "config"),
        "DEMANDAS_DATA_DIR": str(home / "data"),
    })
    return env


def spawn(argv: Sequence[str], *, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start a process in its own session (so its children end with it) and remember it."""
    proc = subprocess.Popen(list(argv), env=env, cwd=ROOT, start_new_session=True, **kwargs)
    _STARTED[proc.pid] = proc
    return proc


def stop(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """End a process we started (and its session): SIGTERM, then SIGKILL after ``grace`` seconds."""
    try:
        if proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)  # the session (group) we created for it: only our own processes
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # A process group may outlive its leader (a child it left behind).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)
    finally:
        _STARTED.pop(proc.pid, None)


def cleanup() -> None:
    """Stop every process this run started and did not stop yet."""
    for proc in list(_STARTED.values()):
        stop(proc, grace=1.0)


def leftovers() -> list[int]:
    """Pids we started that still exist (should be empty after :func:`cleanup`)."""
    alive = []
    for pid in list(_STARTED):
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    return alive


def vm_hwm_kib(pid: int) -> int:
    """The process's resident-memory high-water mark (VmHWM), in KiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


# -- a program under a pseudo-terminal -----------------------------------------------

_ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")


def strip_ansi(data: bytes) -> str:
    """The printable text of a terminal byte stream (escape sequences removed)."""
    return _ANSI.sub(b"", data).decode("utf-8", "replace")


class PtyApp:
    """A program started under a pty of ``COLS``×``ROWS``, like a terminal over SSH would run it.

    Everything the program writes is read as it comes, so it never blocks on a
    full pty buffer; ``received`` keeps the whole stream.
    """

    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int = COLS, rows: int = ROWS) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        try:
            self.proc = spawn(argv, env=env, stdin=slave, stdout=slave, stderr=slave)
        finally:
            os.close(slave)
        self.received = bytearray()
        self._text_cache = (0, "")

    @property
    def pid(self) -> int:
        """The program's pid."""
        return self.proc.pid

    def _read(self, timeout: float) -> int:
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return 0
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the program closed the terminal
            return -1
        if not chunk:
            return -1
        self.received += chunk
        return len(chunk)

    def text(self) -> str:
        """Everything shown so far, without escape sequences."""
        if self._text_cache[0] != len(self.received):
            self._text_cache = (len(self.received), strip_ansi(bytes(self.received)))
        return self._text_cache[1]

    def wait_for(self, predicate: Callable[[PtyApp], bool], timeout: float) -> float:
        """Read until ``predicate`` holds; returns the moment (perf_counter) it first did."""
        deadline = time.perf_counter() + timeout
        while True:
            if predicate(self):
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"not seen within {timeout:g} s; last output: {self.text()[-300:]!r}")
            if self._read(min(left, 0.05)) < 0:
                raise RuntimeError(f"the program ended (status {self.proc.poll()}): {self.text()[-500:]!r}")

    def wait_for_text(self, needle: str, timeout: float = 30.0) -> float:
        """Read until ``needle`` appears on screen; returns when it did (perf_counter)."""
        # Only the text that arrived after the last check can hold it for the first time: cheap polling.
        return self.wait_for(lambda app: needle in app.text(), timeout)

    def drain_until_quiet(self, quiet: float = 0.2, limit: float = 5.0) -> int:
        """Read until nothing arrives for ``quiet`` seconds (at most ``limit``); returns the bytes read."""
        total = 0
        deadline = time.perf_counter() + limit
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            count = self._read(min(quiet, deadline - time.perf_counter()))
            if count < 0:
                break
            if count:
                total += count
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                break
        return total

    def send(self, data: bytes) -> None:
        """Type ``data`` into the terminal."""
        os.write(self.master, data)

    def close(self) -> None:
        """Stop the program and close the terminal."""
        try:
            stop(self.proc)
        finally:
            os.close(self.master)


# -- the demo databases ----------------------------------------------------------------


class Databases:
    """Demo stores made with ``demandas seed`` in a temporary folder, built once per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._paths: dict[int, Path] = {}
        self.seed_seconds: dict[int, float] = {}

    def path(self, tickets: int) -> Path:
        """The store with ``tickets`` demo tickets (seeded on first use, or kept from an earlier ``--work`` run)."""
        if tickets not in self._paths:
            path = self.folder / f"demo-{tickets}.db"
            # Written after a complete seed: a store without it (an interrupted run) is made again.
            seeded = path.with_name(path.name + ".seeded")
            recipe = f"tickets={tickets} user={USER}\n"
            if not (path.exists() and seeded.exists() and seeded.read_text() == recipe):
                for extra in (seeded, path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    extra.unlink(missing_ok=True)
                started = time.perf_counter()
                cli(["seed", "--db", str(path), "--tickets", str(tickets), "--user", USER], self.folder)
                self.seed_seconds[tickets] = time.perf_counter() - started
                seeded.write_text(recipe)
            self._paths[tickets] = path
        return self._paths[tickets]

    def copy(self, tickets: int, name: str) -> Path:
        """A private copy of a store, for a benchmark that writes (the others keep the pristine one)."""
        source = self.path(tickets)
        target = self.folder / name
        for suffix in ("-wal", "-shm"):
            # A journal left by an earlier run (--work) would be replayed onto the fresh copy: corrupt.
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, target)
        for suffix in ("-wal", "-shm"):
            extra = source.with_name(source.name + suffix)
            if extra.exists():
                shutil.copyfile(extra, target.with_name(target.name + suffix))
        return target

    def first_rows(self, tickets: int, count: int = 1, search: str = "") -> dict[str, Any]:
        """What the home screen lists first (``tickets list`` has the same defaults): JSON page."""
        args = ["tickets", "list", "--db", str(self.path(tickets)), "--user", USER, "--limit", str(count), "--json"]
        if search:
            args += ["--search", search]
        return json.loads(cli(args, self.folder))


def cli(args: Sequence[str], home: Path, timeout: float = 300.0) -> str:
    """Run ``demandas ARGS`` (as ``python -m tui.cli``) and return its standard output."""
    proc = spawn([PYTHON, "-m", "tui.cli", *args], env=clean_env(home), stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        stop(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"demandas {' '.join(args)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return out.decode()


def run_worker(module: str, args: Sequence[str], home: Path, timeout: float = 180.0) -> dict[str, Any]:
    """Run ``python -m MODULE ARGS`` (an in-process measurement) and parse its last output line as JSON."""
    proc = spawn([PYTHON, "-m", module, *args], env=clean_env(home), stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        stop(proc)
    lines = out.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({proc.returncode}): "
                           f"{err.decode(errors='replace')[-2000:]}")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


@dataclass
class Options:
    """How hard to try: run counts and sizes (``--quick`` lowers them)."""

    quick: bool
    work: Path
    dbs: Databases
    small: int = 100
    large: int = 100_000

    @property
    def runs(self) -> int:
        """Repetitions of a cheap measurement (the median is reported)."""
        return 3 if self.quick else 5

    @property
    def heavy_runs(self) -> int:
        """Repetitions of a costly measurement."""
        return 2 if self.quick else 3
