"""Property-based fuzzing of the OpenAPI schema (schemathesis): no input makes the server answer 5xx.

Bounded and repeatable: a few examples per operation, a fixed derandomised seed,
a real token of a manager (the role that reaches the most code), a real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402 - after the skip above

from backend.domain import Role  # noqa: E402
from backend.service import HelpdeskService  # noqa: E402
from backend.store import Store  # noqa: E402
from tests.contract.conftest import ORIENTACAO, SISTEMAS  # noqa: E402
from tests.contract.test_tickets import SEED_EXAMPLE  # noqa: E402
from tests.server_helper import issue_token, running_server  # noqa: E402

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    store = Store(db)
    service = HelpdeskService(store)
    token = issue_token(store, "gestor", "Gabriel Gestor", Role.MANAGER, (SISTEMAS, ORIENTACAO))
    issue_token(store, "bruno", "Bruno", Role.AGENT, (SISTEMAS,))  # someone to assign to
    service.create_ticket("gestor", SEED_EXAMPLE)  # CAGE-00001-…: something real to hit
    with running_server(db, service) as url:
        yield url, token
    store.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: tuple[str, str]) -> Any:
    url, _ = fuzz_server
    config = schemathesis.Config.from_dict({"seed": 20240116})
    return schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    """One keep-alive connection for every case: the fuzzing measures the server, not TCP set-up."""
    import requests

    with requests.Session() as opened:
        opened.trust_env = False
        yield opened


schema = schemathesis.pytest.from_fixture("api_schema")


# The event stream never ends by design; it has its own tests.
@schema.exclude(path="/api/v1/events").parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case: Any, fuzz_server: tuple[str, str], session: Any) -> None:
    url, token = fuzz_server
    headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call(base_url=url, headers=headers, session=session, timeout=10)
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}, response.text[:300]  # every refusal in the same pt-BR shape
