"""Server: list and create throughput and p50/p99 latency at 100,000 tickets, on 127.0.0.1 only.

``demandas serve`` runs on a private copy of the 100,000-ticket store (creates
write to it). ``CLIENTS`` concurrent httpx clients send a fixed number of
requests (and stop early at ``PHASE_SECONDS``): the list request is the one the
app's home screen makes (first page of "Minhas demandas", 100 rows); the create
request is a JSON ``POST /api/v1/tickets`` with an ``Idempotency-Key`` like the
app's. The baseline is a minimal FastAPI app on uvicorn
(``baselines/json_server.py``) hit the same way, in the same rounds.

Authentication follows the server as it is: a token from ``demandas admin
tokens create`` when that command exists; otherwise the old
``X-Demandas-User`` header; if the server refuses that (401), a token made with
``backend.accounts`` directly (the command is not wired yet).
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    PYTHON,
    USER,
    Figure,
    Options,
    Result,
    clean_env,
    cli,
    median,
    percentile,
    spawn,
    stop,
)

CLIENTS = 4
PHASE_SECONDS = 20.0
WARMUP = 20
LIST_PARAMS = {"scope": "mine", "active_only": "true", "sort": "created", "descending": "true",
               "offset": "0", "limit": "50", "desk": "ecage"}  # TicketTable.PAGE_SIZE


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(argv: list[str], home: Path, log: Path, port: int) -> subprocess.Popen[bytes]:
    """Start a server and wait until ``/health`` answers."""
    with log.open("wb") as out:
        proc = spawn(argv, env=clean_env(home), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-1500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1, trust_env=False).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"server did not answer /health within 60 s: {log.read_text(errors='replace')[-1500:]}")


def _has_admin(home: Path) -> bool:
    """True when ``demandas admin`` exists in this version of the CLI."""
    proc = spawn([PYTHON, "-m", "tui.cli", "admin", "--help"], env=clean_env(home), stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        return proc.wait(timeout=60) == 0
    finally:
        stop(proc)


def authenticate(db: Path, base: str, home: Path) -> tuple[dict[str, str], str]:
    """Headers that let the benchmark act as the demo requester, and how they were obtained."""
    def works(headers: dict[str, str]) -> int:
        return httpx.get(f"{base}/api/v1/me", headers=headers, timeout=10, trust_env=False).status_code

    if _has_admin(home):
        out = cli(["admin", "tokens", "create", USER, "--db", str(db), "--label", "benchmarks"], home)
        headers = {"Authorization": f"Bearer {out.strip().splitlines()[-1].strip()}"}
        if works(headers) == 200:
            return headers, "Bearer token from `demandas admin tokens create`"
        raise RuntimeError("the token from `demandas admin tokens create` was refused")
    headers = {"X-Demandas-User": USER}
    status = works(headers)
    if status == 200:
        return headers, "X-Demandas-User header (no `demandas admin` yet)"
    if status == 401:
        from backend.accounts import Accounts
        from backend.store import Store

        store = Store(db)
        try:
            secret = Accounts(store).create_token(USER, "benchmarks")[1]
        finally:
            store.close()
        headers = {"Authorization": f"Bearer {secret}"}
        if works(headers) == 200:
            return headers, "Bearer token from backend.accounts (`demandas admin` not in the CLI yet)"
    raise RuntimeError(f"cannot authenticate to the server (HTTP {status})")


async def load(base: str, count: int, request: Callable[[httpx.AsyncClient], Any], ok: int) -> dict[str, Any]:
    """``count`` requests from ``CLIENTS`` clients (stopping at ``PHASE_SECONDS``): throughput and latencies."""
    latencies: list[float] = []
    errors: list[int] = []
    sent = 0
    deadline = time.perf_counter() + PHASE_SECONDS

    async def client() -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as http:
            await request(http)  # opens the connection before the clock matters
            while sent < count and time.perf_counter() < deadline:
                sent += 1
                began = time.perf_counter()
                response = await request(http)
                latencies.append((time.perf_counter() - began) * 1000)
                if response.status_code != ok:
                    errors.append(response.status_code)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    wall = time.perf_counter() - began
    good = len(latencies) - len(errors)
    return {"requests": len(latencies), "errors": len(errors), "error_statuses": sorted(set(errors)),
            "seconds": round(wall, 2), "throughput": good / wall if wall else 0.0,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def run(opts: Options) -> Result:
    """Start both servers, authenticate, then run ``opts.heavy_runs`` rounds of list and create."""
    result = Result("server", f"Server: list/create at {opts.large:,} tickets, {CLIENTS} clients on 127.0.0.1")
    db = opts.dbs.copy(opts.large, "server.db")
    desk = json.loads(cli(["catalog", "--db", str(db), "--user", USER, "--json"], opts.work))
    kind = desk["types"][0]
    category = kind["categories"][0]
    ticket = {"title": "Benchmark: tempo de criação", "orgao": desk["orgaos"][0], "type": kind["name"],
              "category": category["name"], "subject": category["subjects"][0],
              "description": "Demanda criada pelo benchmark do servidor.", "desk": desk["id"]}
    ports = {"ours": _free_port(), "baseline": _free_port()}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(_start([PYTHON, "-m", "benchmarks.baselines.json_server", "--port", str(ports["baseline"])],
                            opts.work, opts.work / "baseline-server.log", ports["baseline"]))
        procs.append(_start([PYTHON, "-m", "tui.cli", "serve", "--db", str(db), "--port", str(ports["ours"])],
                            opts.work, opts.work / "server.log", ports["ours"]))
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        headers, how = authenticate(db, urls["ours"], opts.work)
        result.notes.append(f"authentication: {how}")

        def ours_list(http: httpx.AsyncClient) -> Any:
            return http.get("/api/v1/tickets", params=LIST_PARAMS, headers=headers)

        def ours_create(http: httpx.AsyncClient) -> Any:
            return http.post("/api/v1/tickets", json=ticket,
                             headers={**headers, "Idempotency-Key": str(uuid.uuid4())})

        def base_list(http: httpx.AsyncClient) -> Any:
            return http.get("/items")

        def base_create(http: httpx.AsyncClient) -> Any:
            return http.post("/items", json={"title": ticket["title"], "description": ticket["description"]})

        phases = {
            "list": (("baseline", base_list, 200), ("ours", ours_list, 200), 150 if opts.quick else 400),
            "create": (("baseline", base_create, 201), ("ours", ours_create, 201), 60 if opts.quick else 150),
        }
        rounds: dict[str, dict[str, list[dict[str, Any]]]] = {p: {"ours": [], "baseline": []} for p in phases}
        for first, second, _ in phases.values():  # warm both servers up, unmeasured
            for name, request, ok in (first, second):
                asyncio.run(load(urls[name], WARMUP, request, ok))
        for _ in range(opts.heavy_runs):
            for phase, (first, second, count) in phases.items():
                for name, request, ok in (first, second):
                    rounds[phase][name].append(asyncio.run(load(urls[name], count, request, ok)))
    finally:
        for proc in procs:
            stop(proc)

    for phase, budget_p99 in (("list", True), ("create", True)):
        ours, base = rounds[phase]["ours"], rounds[phase]["baseline"]
        name = f"minimal FastAPI/uvicorn {'GET' if phase == 'list' else 'POST'} /items"
        tput = [r["throughput"] for r in ours]
        btput = [r["throughput"] for r in base]
        result.figures.append(Figure(
            f"{phase} throughput", median(tput), "req/s", median(btput), name,
            ("ratio>=", 0.6) if phase == "list" else None, "≥ 0.6× baseline" if phase == "list" else "",
            runs=tput, baseline_runs=btput))
        for pct in ("p50", "p99"):
            mine = [r[pct] for r in ours]
            theirs = [r[pct] for r in base]
            budget = ("<=", 25.0) if pct == "p99" and budget_p99 else None
            result.figures.append(Figure(f"{phase} latency {pct}", median(mine), "ms", median(theirs), name,
                                         budget, "≤ 25 ms" if budget else "", runs=mine, baseline_runs=theirs))
        errors = sum(r["errors"] for r in ours)
        if errors:
            statuses = sorted({s for r in ours for s in r["error_statuses"]})
            result.notes.append(f"{phase}: {errors} requests failed (HTTP {statuses})")
    result.details = {"rounds": rounds, "clients": CLIENTS, "list_params": LIST_PARAMS}
    return result
