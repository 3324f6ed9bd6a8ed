"""Start-up: process start → the first ticket row on the screen, in a real pty at 80×24.

The clock starts just before the process is spawned and stops when the
terminal output, stripped of escape sequences, contains the number of the
first ticket of "Minhas demandas" (as ``demandas tickets list`` reports it). The
baseline is a minimal Textual app showing a 50-row DataTable
(``baselines/datatable_app.py``), detected the same way. Runs are interleaved
(baseline, 100, 100,000, baseline, …) so a busy moment of the machine hits all.

A third case, with no budget, starts the app in server mode (``--server``) against a
``demandas serve`` of the 100,000-ticket store on 127.0.0.1: what an agent on a shared
server waits for.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from benchmarks.baselines.datatable_app import first_number
from benchmarks.common import PYTHON, USER, Figure, Options, PtyApp, Result, clean_env, median, stop

TIMEOUT = 60.0


def app_argv(db: Path) -> list[str]:
    """The command line of the app on ``db`` (what the ``demandas`` script runs, without a shell shim)."""
    return [PYTHON, "-m", "tui.cli", "--db", str(db), "--user", USER]


def baseline_argv(rows: int = 50) -> list[str]:
    """The command line of the minimal DataTable app."""
    return [PYTHON, "-m", "benchmarks.baselines.datatable_app", "--rows", str(rows)]


@contextlib.contextmanager
def served(db: Path, home: Path) -> Iterator[tuple[str, str]]:
    """A ``demandas serve`` of a copy of ``db`` on 127.0.0.1: its URL and a token of the demo requester."""
    from benchmarks.server import _free_port, _start, authenticate

    copy = home / "startup-server.db"
    shutil.copyfile(db, copy)
    port = _free_port()
    proc = _start([PYTHON, "-m", "tui.cli", "--db", str(copy), "serve", "--port", str(port)], home,
                  home / "startup-server.log", port)
    try:
        base = f"http://127.0.0.1:{port}"
        headers, _how = authenticate(copy, base, home)
        yield base, headers.get("Authorization", "").removeprefix("Bearer ")
    finally:
        stop(proc)


def first_rows(argv: list[str], marker: str, home: Path, token: str = "") -> tuple[float, int]:
    """Seconds from spawn until ``marker`` is on the screen, and the bytes written until then."""
    env = clean_env(home)
    if token:
        env["DEMANDAS_TOKEN"] = token
    app = PtyApp(argv, env)
    try:
        seen = app.wait_for_text(marker, TIMEOUT)
        return seen - app.started, len(app.received)
    finally:
        app.close()


def run(opts: Options) -> Result:
    """Measure the three cases ``opts.runs`` times each (after one discarded warm-up round)."""
    result = Result("startup", "Start-up: process start → first ticket rows on screen (pty 80×24)")
    cases: dict[str, tuple[list[str], str, str]] = {"baseline": (baseline_argv(), first_number(0), "")}
    for size in (opts.small, opts.large):
        db = opts.dbs.path(size)
        number = opts.dbs.first_rows(size)["items"][0]["number"]
        cases[str(size)] = (app_argv(db), number, "")
    with served(opts.dbs.path(opts.large), opts.work) as (url, token):
        cases["server"] = ([PYTHON, "-m", "tui.cli", "--server", url], cases[str(opts.large)][1], token)
        times: dict[str, list[float]] = {name: [] for name in cases}
        sizes: dict[str, list[int]] = {name: [] for name in cases}
        names = list(cases)
        for round_ in range(opts.runs + 1):
            order = names[round_ % len(names):] + names[:round_ % len(names)]  # rotate who goes first
            for name in order:
                seconds, written = first_rows(*cases[name][:2], opts.work, cases[name][2])
                if round_:  # round 0 warms the disk cache and the bytecode
                    times[name].append(seconds * 1000)
                    sizes[name].append(written)
    base = median(times["baseline"])
    for size in (opts.small, opts.large):
        name = str(size)
        result.figures.append(Figure(
            f"first rows, {size:,} tickets", median(times[name]), "ms", base,
            "minimal Textual app, 50-row DataTable", ("ratio<=", 1.25), "≤ 1.25× baseline",
            runs=times[name], baseline_runs=times["baseline"]))
    result.figures.append(Figure(
        f"first rows, server mode on 127.0.0.1, {opts.large:,} tickets", median(times["server"]), "ms", base,
        "minimal Textual app, 50-row DataTable", runs=times["server"], baseline_runs=times["baseline"]))
    for size in (opts.small, opts.large):
        name = str(size)
        result.figures.append(Figure(
            f"bytes until first rows, {size:,} tickets", median(sizes[name]), "B", median(sizes["baseline"]),
            "minimal Textual app, 50-row DataTable", runs=[float(v) for v in sizes[name]],
            baseline_runs=[float(v) for v in sizes["baseline"]]))
    result.details = {"markers": {name: marker for name, (_, marker, _) in cases.items()}}
    return result
