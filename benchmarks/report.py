"""Print ``benchmarks/results.json`` as the Markdown table BENCHMARKS.md shows: ``python3 -m benchmarks.report``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, format_value


def markdown(report: dict[str, Any]) -> str:
    """One table row per figure: value, baseline, ratio, budget, verdict."""
    m = report["machine"]
    lines = [
        f"Measured {report['date']} ({report['mode']} run, {report['seconds']:.0f} s) on {m['cpu']}, "
        f"{m['cores']} cores, load average {m.get('load_average_at_start', '?')} at start; Python {m['python']}, "
        f"Textual {m['textual']}, commit {m['git_commit']} (+{m['git_uncommitted_files']} uncommitted files).",
        "",
        "| benchmark | figure | value | baseline | ratio | budget | |",
        "|---|---|--:|--:|--:|---|---|",
    ]
    for result in report["results"]:
        for f in result["figures"]:
            ratio = "—" if f["ratio"] is None else f"{f['ratio']:.2f}×"
            base = format_value(f["baseline"], f["unit"]) if f["baseline"] is not None else "—"
            lines.append(f"| {result['name']} | {f['name'].strip()} | {format_value(f['value'], f['unit'])} | {base} "
                         f"| {ratio} | {f['budget_text'] or '—'} | {f['verdict']} |")
    baselines = dict.fromkeys(f"{r['name']}: {f['baseline_name']}" for r in report["results"]
                              for f in r["figures"] if f["baseline_name"])
    lines += ["", "Baselines: " + "; ".join(baselines) + "."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="?", type=Path, default=ROOT / "benchmarks" / "results.json",
                        help="the results file of `benchmarks.run` (default: benchmarks/results.json)")
    print(markdown(json.loads(parser.parse_args().results.read_text())))


if __name__ == "__main__":
    main()
