"""Knowledge and evaluations over HTTP: what a client other than ours sees (real server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.domain import Role
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.test_evaluations import UASG
from tests.server_helper import issue_token, running_server

API = "/api/v1"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """A server, maria's Authorization header, and her resolved UASG ticket."""
    db = tmp_path / "portal.db"
    store = Store(db)
    service = HelpdeskService(store)
    auth = {"Authorization": f"Bearer {issue_token(store, 'maria', 'Maria Clara')}"}
    issue_token(store, "ana", "Ana Atendente", Role.AGENT)
    number = service.create_ticket("maria", UASG).number
    service.resolve("ana", number, "UASG reativada.")
    with running_server(db, service) as url:
        yield url, auth, number
    store.close()


def test_knowledge_query_parameter(served: tuple[str, dict[str, str], str]) -> None:
    url, auth, _ = served
    response = httpx.get(f"{url}{API}/desks/citsmart/knowledge", params={"q": "Reativação"}, headers=auth)
    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == ["reativacao-uasg"]
    every = httpx.get(f"{url}{API}/desks/citsmart/knowledge", headers=auth).json()
    assert len(every) == 8
    missing = httpx.get(f"{url}{API}/desks/nenhum/knowledge", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("Balcão desconhecido: 'nenhum'.")


@pytest.mark.parametrize(("body", "message"), [
    ({"score": "5"}, "Campo inválido: score — deve ser um número inteiro."),
    ({"score": 4.5}, "Campo inválido: score — deve ser um número inteiro."),
    ({"comment": "Sem nota."}, "Campo obrigatório ausente: score."),
    ({"score": 9}, "A nota deve ser um número inteiro de 1 a 5."),
])
def test_a_bad_score_is_a_422_in_portuguese(served: tuple[str, dict[str, str], str], body: dict[str, object],
                                           message: str) -> None:
    url, auth, number = served
    response = httpx.post(f"{url}{API}/tickets/{number}/evaluate", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "validacao", "message": message, "field": "score"}


def test_evaluate_answers_the_ticket_with_its_etag(served: tuple[str, dict[str, str], str]) -> None:
    url, auth, number = served
    response = httpx.post(f"{url}{API}/tickets/{number}/evaluate", json={"score": 5, "comment": "Ótimo."},
                          headers={**auth, "If-Match": '"1"'})  # the version at creation
    assert response.status_code == 412, response.text
    current = httpx.get(f"{url}{API}/tickets/{number}", headers=auth)
    etag = current.headers["ETag"]
    response = httpx.post(f"{url}{API}/tickets/{number}/evaluate", json={"score": 5, "comment": "Ótimo."},
                          headers={**auth, "If-Match": etag})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    assert response.json()["timeline"][-1] == {**response.json()["timeline"][-1], "kind": "evaluation",
                                               "text": "Nota 5 de 5 — Ótimo.", "internal": False}
    assert response.json()["actions"]["evaluate"].startswith("Você já avaliou este atendimento em ")
