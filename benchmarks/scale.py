"""Scale: peak memory with 100 and 100,000 tickets, and the longest event-loop stall while loading and paging.

Memory: the app runs in a pty at 80×24; after the first rows show, it pages
down ``PAGES`` times (loading further pages as a user would), then the kernel's
high-water mark of its resident memory (``VmHWM`` in /proc/PID/status) is read.

Stalls: a worker process runs the app headless (``App.run_test``) next to a
task that wakes every millisecond (:class:`benchmarks.inprocess.LagMonitor`);
the longest gap between wake-ups is the longest time a key would have waited.
Windows: *loading* = first frame → rows on screen + 0.5 s; *paging* = ``PAGES``
page-downs then as many page-ups, each followed by the page loads it caused.
The baseline for both is the minimal DataTable app doing the same.

Worker use: ``python -m benchmarks.scale stall --db PATH`` or ``--baseline-rows N``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from benchmarks.baselines.datatable_app import first_number
from benchmarks.common import (
    USER,
    Figure,
    Options,
    PtyApp,
    Result,
    clean_env,
    median,
    run_worker,
    vm_hwm_kib,
)
from benchmarks.startup import app_argv, baseline_argv

PAGES = 15
PAGE_DOWN = b"\x1b[6~"
#: The 80×24 terminal a user over SSH has.
SIZE = (80, 24)


def peak_memory(argv: list[str], marker: str, home: Path, pages: int = PAGES) -> float:
    """VmHWM in MiB after start-up and ``pages`` page-downs."""
    app = PtyApp(argv, clean_env(home))
    try:
        app.wait_for_text(marker, 60)
        app.drain_until_quiet(0.5, 5)
        for _ in range(pages):
            app.send(PAGE_DOWN)
            app.drain_until_quiet(0.15, 5)
        app.drain_until_quiet(0.5, 5)
        return vm_hwm_kib(app.pid) / 1024
    finally:
        app.close()


def run(opts: Options) -> Result:
    """Memory at both sizes (pty), then the stall workers (in-process, headless)."""
    result = Result("scale", "Scale: peak memory (VmHWM) and event-loop stalls")
    cases = {"baseline": (baseline_argv(), first_number(0))}
    for size in (opts.small, opts.large):
        cases[str(size)] = (app_argv(opts.dbs.path(size)), opts.dbs.first_rows(size)["items"][0]["number"])
    memory: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(opts.heavy_runs):
        for name, (argv, marker) in cases.items():
            memory[name].append(peak_memory(argv, marker, opts.work))
    small, large = str(opts.small), str(opts.large)
    result.figures.append(Figure(
        f"peak RSS, {opts.small:,} tickets", median(memory[small]), "MiB", median(memory["baseline"]),
        "minimal Textual app, 50-row DataTable (same keys)", runs=memory[small], baseline_runs=memory["baseline"]))
    result.figures.append(Figure(
        f"peak RSS, {opts.large:,} tickets", median(memory[large]), "MiB", median(memory[small]),
        f"the app with {opts.small:,} tickets", ("ratio<=", 1.25), f"≤ 1.25× {opts.small:,} tickets",
        runs=memory[large], baseline_runs=memory[small]))

    ours: list[dict[str, Any]] = []
    base: list[dict[str, Any]] = []
    for _ in range(opts.heavy_runs):
        base.append(run_worker("benchmarks.scale", ["stall", "--baseline-rows", "1000"], opts.work))
        ours.append(run_worker("benchmarks.scale", ["stall", "--db", str(opts.dbs.path(opts.large))], opts.work))
    for key, label in (("load_ms", "loading"), ("paging_ms", f"paging ({PAGES} down, {PAGES} up)")):
        result.figures.append(Figure(
            f"max stall {label}, {opts.large:,} tickets", median([r[key] for r in ours]), "ms",
            median([r[key] for r in base]), "minimal Textual app, 1,000-row DataTable (same keys)",
            ("<=", 100), "≤ 100 ms", runs=[r[key] for r in ours], baseline_runs=[r[key] for r in base]))
    result.figures.append(Figure(
        f"max stall before the first frame, {opts.large:,} tickets", median([r["boot_ms"] for r in ours]), "ms",
        median([r["boot_ms"] for r in base]), "minimal Textual app, 1,000-row DataTable",
        runs=[r["boot_ms"] for r in ours], baseline_runs=[r["boot_ms"] for r in base]))
    result.details = {"stall_runs": ours, "stall_baseline_runs": base}
    result.notes.append("the stall before the first frame is start-up work (nothing is on screen yet); "
                        "it is reported, not budgeted")
    return result


# -- the worker -------------------------------------------------------------------------


async def _stalls(app: Any, pages: int) -> dict[str, Any]:
    from textual.widgets import DataTable

    from benchmarks.inprocess import FrameRecorder, LagMonitor, send_key, wait_until

    frames = FrameRecorder(app)
    lag = LagMonitor()
    lag.start()
    started = time.perf_counter()
    async with app.run_test(size=SIZE):
        table = app.screen.query_one(DataTable)
        rows_at = await wait_until(lambda: table.row_count > 0, 60)
        await wait_until(lambda: frames.first_after(rows_at) is not None, 10)
        first_frame = frames.frames[0]
        await _settle(app, set(), 0.5)
        loaded = time.perf_counter()
        for key in ["pagedown"] * pages + ["pageup"] * pages:
            before = set(app.workers)
            sent = send_key(app, key)
            await wait_until(lambda sent=sent: frames.first_after(sent) is not None, 10)
            await _settle(app, before, 0.05)
        await asyncio.sleep(0.3)
        paged = time.perf_counter()
        rows = table.row_count
    await lag.stop()
    return {
        "boot_ms": lag.max_gap(started, first_frame) * 1000,
        "load_ms": lag.max_gap(first_frame, loaded) * 1000,
        "paging_ms": lag.max_gap(loaded, paged) * 1000,
        "first_frame_s": first_frame - started,
        "rows_at_s": rows_at - started,
        "rows_loaded_after_paging": rows,
        "worst_load": lag.worst(first_frame, loaded),
        "worst_paging": lag.worst(loaded, paged),
    }


async def _settle(app: Any, before: set[Any], seconds: float) -> None:
    """Wait for the workers started since ``before`` (page loads), then ``seconds`` more."""
    new = [w for w in app.workers if w not in before and w.group != "events"]  # events: endless
    if new:
        await asyncio.wait_for(app.workers.wait_for_complete(new), 30)
    await asyncio.sleep(seconds)


def _worker() -> None:
    from benchmarks.inprocess import emit

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["stall"])
    parser.add_argument("--db")
    parser.add_argument("--baseline-rows", type=int)
    parser.add_argument("--pages", type=int, default=PAGES)
    args = parser.parse_args()
    if args.baseline_rows:
        from benchmarks.baselines.datatable_app import MinimalTableApp

        app: Any = MinimalTableApp(args.baseline_rows)
    else:
        from tui.adapters.local import LocalAdapter
        from tui.app import DemandasApp

        adapter = LocalAdapter(Path(args.db), USER)
        app = DemandasApp(adapter, ask_profile=False)

    async def main() -> dict[str, Any]:
        try:
            return await _stalls(app, args.pages)
        finally:
            if not args.baseline_rows:
                await adapter.aclose()

    emit(asyncio.run(main()))


if __name__ == "__main__":
    _worker()
