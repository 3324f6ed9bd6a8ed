"""Bytes written to the terminal per cursor move and per page move at 80×24 (what an SSH link carries).

Each app runs under a pty (TERM=xterm-256color, no COLORTERM — what ssh
passes on — size set with TIOCSWINSZ). After the first rows show and the
output has been quiet for half a second, the benchmark sends ``down``
(ESC [ B) ``DOWNS`` times, then ``pagedown`` (ESC [ 6 ~) ``PAGES`` times, and
counts what the app writes after each key until it is quiet for ``QUIET``
seconds. The app runs on the 100,000-ticket store, so page moves also load
pages; the baseline is the minimal DataTable app with 1,000 rows (so it has
pages to move through too).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.baselines.datatable_app import first_number
from benchmarks.common import Figure, Options, PtyApp, Result, clean_env, median
from benchmarks.startup import app_argv, baseline_argv

DOWN = b"\x1b[B"
PAGE_DOWN = b"\x1b[6~"
DOWNS = 10
PAGES = 8
QUIET = 0.25


def key_bytes(argv: list[str], marker: str, home: Path) -> dict[str, list[int]]:
    """Bytes written after each key (``down`` × DOWNS, then ``pagedown`` × PAGES)."""
    app = PtyApp(argv, clean_env(home))
    try:
        app.wait_for_text(marker, 60)
        app.drain_until_quiet(0.5, 10)
        downs = []
        for _ in range(DOWNS):
            app.send(DOWN)
            downs.append(app.drain_until_quiet(QUIET, 5))
        pages = []
        for _ in range(PAGES):
            app.send(PAGE_DOWN)
            pages.append(app.drain_until_quiet(QUIET, 5))
        return {"down": downs, "pagedown": pages}
    finally:
        app.close()


def run(opts: Options) -> Result:
    """Both apps, ``opts.heavy_runs`` sessions each; medians per key, then across sessions."""
    result = Result("terminal", "Bytes written to the terminal per key at 80×24 (xterm-256color)")
    ours_case = (app_argv(opts.dbs.path(opts.large)), opts.dbs.first_rows(opts.large)["items"][0]["number"])
    base_case = (baseline_argv(1000), first_number(0))
    ours: list[dict[str, list[int]]] = []
    base: list[dict[str, list[int]]] = []
    for _ in range(opts.heavy_runs):
        base.append(key_bytes(*base_case, opts.work))
        ours.append(key_bytes(*ours_case, opts.work))
    name = "minimal Textual app, 1,000-row DataTable"
    for key, label, budget, text in (("down", "cursor move (down)", ("ratio<=", 0.6), "≤ 0.6× baseline"),
                                     ("pagedown", "page move (pagedown)", None, "")):
        mine = [median(s[key]) for s in ours]
        theirs = [median(s[key]) for s in base]
        result.figures.append(Figure(f"bytes per {label}, median", median(mine), "B", median(theirs), name,
                                     budget, text, runs=mine, baseline_runs=theirs))
        mine_max = [float(max(s[key])) for s in ours]
        theirs_max = [float(max(s[key])) for s in base]
        result.figures.append(Figure(f"bytes per {label}, max", median(mine_max), "B", median(theirs_max), name,
                                     runs=mine_max, baseline_runs=theirs_max))
    result.details = {"sessions": ours, "baseline_sessions": base,
                      "app_tickets": opts.large, "quiet_s": QUIET}
    return result
