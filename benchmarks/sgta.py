"""SGTA record listing at 20,000 records: one page (``SgtaService.records``), without and with search words.

A worker process copies the 100-ticket demo store, imports 20,000 records into
the "obito" trail (the demo's own three stay), works a few of them (justified,
analysed, monitored, change requests, observations) and then times
``records()`` for the pages the SGTA screen asks: the first page, a deep page,
a status filter, and search words typed as a user would ("silva",
"silva joinville", a flag label word). No budget: these figures track issue #7
("fast everywhere"). The service is called directly (no app, no server), so
the figures are the backend's share of each page or keystroke.

Worker use: ``python -m benchmarks.sgta page --db PATH``.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Options, Result, median, run_worker

RECORDS = 20_000
TRAIL = "obito"
UNITS = ("Prefeitura Municipal de Joinville", "Prefeitura Municipal de Blumenau", "Prefeitura Municipal de Chapecó",
         "Prefeitura Municipal de Lages", "Prefeitura Municipal de Itajaí")
FIRST = ("Ana", "João", "Maria", "José", "Antônio", "Francisca", "Luís", "Hilda", "Irineu", "Osvaldo", "Márcia",
         "Sérgio", "Patrícia", "Cláudio", "Rosângela")
LAST = ("Silva", "Souza", "Oliveira", "Kowalski", "Grün", "Zanella", "Schmitt", "Hoffmann", "Pereira", "Conceição",
        "Müller", "Bortolini", "Dalla Costa", "Stähelin", "Araújo")
#: (label, gestor or analyst login, search, status, offset)
CASES: tuple[tuple[str, str, str, str | None, int], ...] = (
    ("first page", "gestor", "", None, 0),
    ("page at offset 10,000", "gestor", "", None, 10_000),
    ("status filter (pendente)", "gestor", "", "pendente", 50),
    ("analyst of one unit, first page", "solicitante", "", None, 0),
    ("search 'silva'", "gestor", "silva", None, 0),
    ("search 'silva joinville'", "gestor", "silva joinville", None, 50),
    ("search 'descumprido' (a flag label)", "gestor", "descumprido", None, 0),
    ("analyst, search 'silva'", "solicitante", "silva", None, 0),
)
NO_SEARCH = [c[0] for c in CASES if not c[2]]
SEARCH = [c[0] for c in CASES if c[2]]


def run(opts: Options) -> Result:
    """Time every case in a worker, ``opts.heavy_runs`` workers (each on a fresh copy of the small store)."""
    result = Result("sgta", f"SGTA page at {RECORDS:,} records (SgtaService.records, in-process)")
    runs: list[dict[str, Any]] = []
    for index in range(opts.heavy_runs):
        db = opts.dbs.copy(opts.small, f"sgta-{index}.db")
        runs.append(run_worker("benchmarks.sgta", ["page", "--db", str(db), "--repeat", str(opts.runs)], opts.work,
                               timeout=300.0))
    for label, names in (("no search", NO_SEARCH), ("search", SEARCH)):
        values = [median([r["cases"][n] for n in names]) for r in runs]
        result.figures.append(Figure(f"page at {RECORDS:,} records, {label} (median of cases)", median(values), "ms",
                                     runs=values))
    for label, *_ in CASES:
        values = [r["cases"][label] for r in runs]
        result.figures.append(Figure(f"  {label}", median(values), "ms", runs=values))
    result.notes.append(f"import of {RECORDS:,} records (setup, not a figure): "
                        f"{median([r['import_s'] for r in runs]):.1f} s")
    result.details = {"runs": runs}
    return result


# -- the worker -------------------------------------------------------------------------


def _csv(count: int) -> bytes:
    rng = random.Random(7)
    lines = ["unidade;cpf;beneficiario;data_obito;valor"]
    for _ in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
        cpf = f"***.{rng.randrange(1000):03d}.{rng.randrange(1000):03d}-**"
        died = f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/{rng.choice((2022, 2023, 2024))}"
        value = f"R$ {rng.randrange(100, 9000)},{rng.randrange(100):02d}"
        lines.append(f"{rng.choice(UNITS)};{cpf};{name};{died};{value}")
    return "\n".join(lines).encode()


def _work(sgta: Any, first: int) -> None:
    """A few records in every stage, so flags and change requests exist among the 20,000."""
    from backend.sgta.domain import Decision, SgtaAction, SgtaRequest

    rows = sgta.records("solicitante", _query(search="", status=None, offset=0, limit=100)).items
    mine = [r.id for r in rows if r.id >= first][:12]
    for n, record in enumerate(mine):
        sgta.act("solicitante", record, SgtaRequest(SgtaAction.JUSTIFY, agree=n % 2 == 0, text="Justificativa."))
        if n % 3 == 0:
            sgta.act("gestor", record, SgtaRequest(SgtaAction.OBSERVE, text="Conferir a certidão de óbito."))
        if n % 4 == 1:
            sgta.act("solicitante", record, SgtaRequest(SgtaAction.REQUEST_CHANGE, text="Anexar a guia."))
            if n % 8 == 5:
                sgta.act("gestor", record, SgtaRequest(SgtaAction.DECIDE_CHANGE, accept=False, text="Não."))
        elif n % 4 == 2:
            until = (sgta.now() + timedelta(days=30)).date()
            sgta.act("gestor", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.MONITOR, text="Acompanhar.",
                                                   until=until))


def _query(**kwargs: Any) -> Any:
    from backend.sgta.domain import RecordQuery, SgtaStatus

    status = kwargs.pop("status")
    return RecordQuery(trail=TRAIL, status=SgtaStatus(status) if status else None, **kwargs)


def _worker() -> None:
    from benchmarks.inprocess import emit

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["page"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from backend.service import HelpdeskService
    from backend.sgta.service import SgtaService
    from backend.store import Store

    store = Store(Path(args.db))
    try:
        sgta = SgtaService(HelpdeskService(store))
        began = time.perf_counter()
        imported = sgta.import_csv("gestor", TRAIL, _csv(RECORDS))
        import_s = time.perf_counter() - began
        _work(sgta, imported.first_id or 0)
        cases: dict[str, float] = {}
        totals: dict[str, int] = {}
        for label, login, search, status, offset in CASES:
            query = _query(search=search, status=status, offset=offset, limit=50)
            spent = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                page = sgta.records(login, query)
                spent.append((time.perf_counter() - began) * 1000)
            cases[label] = median(spent)
            totals[label] = page.total
        emit({"cases": cases, "totals": totals, "import_s": import_s})
    finally:
        store.close()


if __name__ == "__main__":
    _worker()
