"""One contract suite, two adapters: in-process and HTTP against a real server."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backend.domain import Role, User
from backend.service import HelpdeskService
from backend.store import Store, to_db_time
from tui.adapter import Adapter
from tui.adapters.local import LocalAdapter

SISTEMAS = "CAGE – Suporte Sistemas"
ORIENTACAO = "CAGE – Orientação"
USERS = (
    User("fernando", "Fernando Sidarta Bastos dos Santos", "fernando@sefaz.rs.gov.br", "(51) 3214-5000", "Analista"),
    User("maria", "Maria Clara Souza", "maria@sefaz.rs.gov.br", "(51) 3214-5001", "Técnica"),
    # An agent of every area (no areas listed), as a small desk has.
    User("atendente", "Ana Atendente", "ana@cage.rs.gov.br", "(51) 3214-6000", "Atendente", Role.AGENT),
    User("bruno", "Bruno Sistemas", "bruno@cage.rs.gov.br", "(51) 3214-6001", "Analista", Role.AGENT, (SISTEMAS,)),
    User("carla", "Carla Orientação", "carla@cage.rs.gov.br", "(51) 3214-6002", "Analista", Role.AGENT,
         (ORIENTACAO,)),
    User("gestor", "Gabriel Gestor", "gabriel@cage.rs.gov.br", "(51) 3214-6003", "Gestor", Role.MANAGER,
         (SISTEMAS, ORIENTACAO)),
)


class MovableClock:
    """Real time plus an offset the tests move forward (SLA, monitoring, reopen window)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        """Move time forward by ``timedelta(**delta)``."""
        self.offset += timedelta(**delta)


CLOCK = MovableClock()


class Backend:
    """A database file reachable through adapters of one kind, one per user."""

    def __init__(self, kind: str, db: Path, base_url: str | None) -> None:
        self.kind = kind
        self.db = db
        self.base_url = base_url
        self._open: list[Adapter] = []

    def adapter(self, login: str) -> Adapter:
        """An adapter acting as ``login`` (over HTTP: with a token of that user, made on the way)."""
        adapter: Adapter
        if self.base_url is None:
            adapter = LocalAdapter(self.db, login, service=HelpdeskService(Store(self.db), clock=CLOCK))
        else:
            from tests.server_helper import issue_token
            from tui.adapters.http import HttpAdapter

            store = Store(self.db)
            try:
                token = issue_token(store, login)
            finally:
                store.close()
            adapter = HttpAdapter(self.base_url, token)
        self._open.append(adapter)
        return adapter

    def age_closure(self, number: str, days: float) -> None:
        """Pretend the ticket was resolved/canceled ``days`` ago (time passing, not a backdoor)."""
        moment = datetime.now(UTC) - timedelta(days=days)
        with sqlite3.connect(self.db) as conn:
            conn.execute("UPDATE tickets SET closed_at = ? WHERE number = ?", (to_db_time(moment), number))

    def rows(self, table: str) -> int:
        """How many rows ``table`` holds, read straight from the file."""
        with sqlite3.connect(self.db) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    async def close(self) -> None:
        for adapter in self._open:
            await adapter.aclose()


def _prepare(db: Path) -> None:
    store = Store(db)
    service = HelpdeskService(store)
    for user in USERS:
        service.save_user(user)
    store.close()


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One real ``demandas serve`` on a free loopback port for the whole run."""
    from tests.server_helper import running_server

    db = tmp_path_factory.mktemp("server") / "contract.db"
    _prepare(db)
    with running_server(db, service=HelpdeskService(Store(db), clock=CLOCK)) as base_url:
        yield db, base_url


@pytest.fixture(params=["local", "http"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The same backend contract, in-process and over HTTP."""
    CLOCK.offset = timedelta()
    if request.param == "local":
        db = tmp_path / "contract.db"
        _prepare(db)
        result = Backend("local", db, None)
    else:
        db, base_url = request.getfixturevalue("http_server")
        result = Backend("http", db, base_url)
    yield result
    await result.close()


@pytest.fixture
def as_user(backend: Backend) -> Callable[[str], Adapter]:
    """Adapters for the contract's users."""
    return backend.adapter


@pytest.fixture
def requester(backend: Backend) -> Adapter:
    """A requester seen for the first time, so listings start empty on any backend."""
    import uuid

    return backend.adapter(f"req-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def agent(backend: Backend) -> Adapter:
    """The contract's agent of every area."""
    return backend.adapter("atendente")


@pytest.fixture
def clock() -> MovableClock:
    """The clock both adapters' services read."""
    return CLOCK
