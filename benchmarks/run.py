"""Run the benchmark suite: ``python3 -m benchmarks.run [--quick] [--only NAME,...]``.

Builds the demo stores (100 and 100,000 tickets) in a temporary folder once,
runs each benchmark, prints its figures as JSON and as a table, and writes
everything to ``benchmarks/results.json``. Every process it starts is stopped
before it exits (also on errors and Ctrl+C). See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks import scale, search, server, sgta, startup, terminal_bytes
from benchmarks.common import ROOT, Databases, Options, Result, cleanup, leftovers, table

BENCHMARKS: dict[str, Callable[[Options], Result]] = {
    "startup": startup.run,
    "scale": scale.run,
    "search": search.run,
    "terminal": terminal_bytes.run,
    "server": server.run,
    "sgta": sgta.run,
}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "textual": version("textual"),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_uncommitted_files": len(git("status", "--porcelain").splitlines()),
    }


def summary(results: list[Result]) -> str:
    """Every budgeted figure with its verdict."""
    lines = ["== Budgets"]
    for result in results:
        for f in result.figures:
            if f.verdict:
                ratio = f" ({f.ratio:.2f}× baseline)" if f.ratio is not None else ""
                lines.append(f"{f.verdict}  {result.name}: {f.name} = {f.value:,.1f} {f.unit}{ratio}; "
                             f"budget {f.budget_text}")
    return "\n".join(lines)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and requests (about half the time)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json", help="JSON results file")
    parser.add_argument("--work", type=Path, help="folder for the databases (default: a new temporary folder, "
                                                  "removed at the end; a given folder is kept and reused)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a budget fails")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    signal.signal(signal.SIGTERM, _interrupted)
    work = args.work or Path(tempfile.mkdtemp(prefix="demandas-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    opts = Options(quick=args.quick, work=work, dbs=Databases(work / "db"))
    results: list[Result] = []
    errors: dict[str, str] = {}
    load_at_start = [round(v, 2) for v in os.getloadavg()]
    started = time.perf_counter()
    print(f"Demandas benchmarks ({'quick' if args.quick else 'full'}): {', '.join(chosen)}; work folder {work}",
          flush=True)
    try:
        for size in (opts.small, opts.large):
            print(f"seeding {size:,} tickets…", flush=True)
            opts.dbs.path(size)
        for name in chosen:
            print(f"\n-- {name}", flush=True)
            began = time.perf_counter()
            try:
                result = BENCHMARKS[name](opts)
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                errors[name] = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                cleanup()
                continue
            result.seconds = time.perf_counter() - began
            results.append(result)
            print(json.dumps(result.to_json(details=False), ensure_ascii=False))
            print(table(result), flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the processes started by the benchmarks", file=sys.stderr)
        errors["interrupted"] = "KeyboardInterrupt"
    finally:
        cleanup()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    left = leftovers()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.perf_counter() - started, 1),
        "machine": {**machine(), "load_average_at_start": load_at_start},
        "seed_seconds": {str(k): round(v, 1) for k, v in opts.dbs.seed_seconds.items()},
        "results": [r.to_json() for r in results],
        "errors": errors,
        "leftover_processes": left,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print()
    print(summary(results))
    for name, error in errors.items():
        print(f"ERROR  {name}: {error}")
    print(f"\n{report['seconds']:.0f} s in all; results in {args.out}; leftover processes: {left or 'none'}")
    failed = any(f.verdict == "FAIL" for r in results for f in r.figures)
    return 1 if errors or (args.strict and failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
