"""What is HTTP-specific: schema, headers, error bodies, limits, loopback, the adapter's transport errors.

The rules themselves are covered by the contract suite, which runs over the HTTP adapter too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import backend.server
import tui.adapters.http as http_adapter
from backend.accounts import Accounts
from backend.api_models import NewTicketIn, ProfileIn
from backend.domain import NewAttachment, NewTicket, ProfileUpdate, TicketQuery
from backend.errors import (
    Conflict,
    DemandasError,
    NotFound,
    TooLarge,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from backend.server import (
    DirectRoute,
    bind_socket,
    content_disposition,
    expected_version,
    is_loopback_host,
    serve,
)
from backend.service import HelpdeskService
from backend.store import Store
from tests.server_helper import issue_token, running_server
from tui.adapters.http import HttpAdapter
from tui.first_page import HOME_FIRST_PAGE

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
FAST = (0.01, 0.01, 0.01)  # retry delays that keep the tests quick
PDF_NAME = "relatório (1).pdf"
PDF_BYTES = b"%PDF-1.4\n\x00\xff binary \xe9 data"
ENGLISH = ("Input should", "Field required", "JSON decode", "Not Found", "Method Not Allowed", "detail")


@dataclasses.dataclass
class Served:
    """A running server, the service behind it and maria's token."""

    url: str
    service: HelpdeskService
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """maria's Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}

    def ticket_body(self, **changes: Any) -> dict[str, Any]:
        """A valid ``POST /tickets`` body for the e-CAGE desk."""
        desk = self.service.desk("ecage")
        type_ = desk.types[0]
        category = type_.categories[0]
        body: dict[str, Any] = {
            "title": "Erro ao emitir relatório",
            "orgao": desk.orgaos[0],
            "type": type_.name,
            "category": category.name,
            "subject": category.subjects[0],
            "description": "Ao emitir o relatório aparece uma mensagem de erro.",
        }
        return body | changes


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One real server for the module's tests."""
    db = tmp_path_factory.mktemp("http") / "server.db"
    store = Store(db)
    service = HelpdeskService(store)
    token = issue_token(store, "maria", "Maria Clara")
    with running_server(db, service) as url:
        yield Served(url, service, token)
    store.close()


def multipart(payload: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """httpx arguments for a multipart request: the JSON ``payload`` part, then the files."""
    return {"data": {"payload": __import__("json").dumps(payload)},
            "files": [("files", (name, data, "application/octet-stream")) for name, data in files]}


@pytest.fixture(scope="module")
def ticket(served: Served) -> dict[str, Any]:
    """A ticket of maria's with one attachment whose name is not ASCII, sent as multipart."""
    response = httpx.post(f"{served.url}{API}/tickets", headers=served.auth,
                          **multipart(served.ticket_body(), [(PDF_NAME, PDF_BYTES)]))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The ``error`` object of a refusal, after checking its status and shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert not any(word in body["error"]["message"] for word in ENGLISH), body
    error: dict[str, Any] = body["error"]
    return error


# -- schema ----------------------------------------------------------------------


EXPECTED_OPERATIONS = {
    ("/health", "get"),
    (f"{API}/me", "get"),
    (f"{API}/me", "put"),
    (f"{API}/desks", "get"),
    (f"{API}/desks/{{desk_id}}", "get"),
    (f"{API}/tickets", "get"),
    (f"{API}/tickets", "post"),
    (f"{API}/tickets/{{number}}", "get"),
    (f"{API}/tickets/{{number}}/comments", "post"),
    (f"{API}/tickets/{{number}}/cancel", "post"),
    (f"{API}/tickets/{{number}}/resolve", "post"),
    (f"{API}/tickets/{{number}}/reopen", "post"),
    (f"{API}/tickets/{{number}}/attachments/{{attachment_id}}", "get"),
    (f"{API}/queue/counts", "get"),
    (f"{API}/agents", "get"),
    (f"{API}/events", "get"),
    (f"{API}/desks/{{desk_id}}/knowledge", "get"),
    (f"{API}/tickets/{{number}}/evaluate", "post"),
    *((f"{API}/tickets/{{number}}/{action}", "post")
      for action in ("reply", "note", "ask", "assign", "take", "forward", "monitor", "track")),
    # SGTA (audit trails).
    (f"{API}/sgta/trails", "get"),
    (f"{API}/sgta/trails/{{trail_id}}", "get"),
    (f"{API}/sgta/trails/{{trail_id}}/import", "post"),
    (f"{API}/sgta/trails/{{trail_id}}/gestores", "get"),
    (f"{API}/sgta/records", "get"),
    (f"{API}/sgta/records/{{record_id}}", "get"),
    (f"{API}/sgta/records/{{record_id}}/{{action}}", "post"),
    (f"{API}/sgta/records/{{record_id}}/docs/{{doc_id}}", "get"),
    (f"{API}/sgta/counts", "get"),
}
CREATED = {(f"{API}/tickets", "post"), (f"{API}/sgta/trails/{{trail_id}}/import", "post")}
BODILESS_POSTS = {f"{API}/tickets/{{number}}/take"}
UPLOADS = {(f"{API}/tickets", "post"), *((f"{API}/tickets/{{number}}/{action}", "post")
                                          for action in ("comments", "reply", "note"))}


@pytest.fixture(scope="module")
def schema(served: Served) -> dict[str, Any]:
    """The served OpenAPI document."""
    response = httpx.get(f"{served.url}/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_openapi_schema_is_valid_and_lists_every_endpoint(schema: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(schema)
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS


def test_openapi_describes_bodies_responses_and_errors(schema: dict[str, Any]) -> None:
    for path, method in EXPECTED_OPERATIONS:
        operation = schema["paths"][path][method]
        ok = operation["responses"]["201" if (path, method) in CREATED else "200"]
        assert ok["content"], (path, method)
        if method in {"post", "put"} and path not in BODILESS_POSTS:
            assert "requestBody" in operation, (path, method)
        if (path, method) in UPLOADS:
            assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
            assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
        if path.startswith(API):
            refusal = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert refusal == {"$ref": "#/components/schemas/ErrorBody"}, (path, method)
            assert operation["security"] == [{"token": []}]
    scheme = schema["components"]["securitySchemes"]["token"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert "X-Demandas-User" not in str(schema)  # the trusted header is gone for good
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's English default is gone


def test_listing_accepts_every_query_field(schema: dict[str, Any]) -> None:
    """A field added to TicketQuery must reach the server: the adapter sends all of them."""
    params = {p["name"] for p in schema["paths"][f"{API}/tickets"]["get"]["parameters"]}
    assert {f.name for f in dataclasses.fields(TicketQuery)} <= params


def test_request_models_mirror_the_domain() -> None:
    # Files are multipart parts beside the JSON payload, not a JSON field; the payload names their form fields.
    assert set(NewTicketIn.model_fields) == ({f.name for f in dataclasses.fields(NewTicket)} - {"attachments"}
                                             | {"attachment_fields"})
    assert set(ProfileIn.model_fields) == {f.name for f in dataclasses.fields(ProfileUpdate)}


# -- identity ----------------------------------------------------------------------


def test_health_and_schema_need_no_token(served: Served) -> None:
    response = httpx.get(f"{served.url}/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert httpx.get(f"{served.url}/openapi.json").status_code == 200
    assert httpx.get(f"{served.url}/docs").status_code == 200


def test_missing_token_is_401_json(served: Served) -> None:
    response = httpx.get(f"{served.url}{API}/tickets")
    error = error_of(response, 401)
    assert error["message"].startswith("Informe o token de acesso no cabeçalho Authorization: Bearer <token>.")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nao-existe", "Bearer", "Basic bWFyaWE6eA==", "Bearer " + "x" * 500])
def test_bad_tokens_are_401_json(served: Served, header: str) -> None:
    error = error_of(httpx.get(f"{served.url}{API}/me", headers={"Authorization": header}), 401)
    assert error["code"] == "nao_autenticado"


def test_the_token_decides_who_acts_not_a_header(served: Served) -> None:
    """The old trusted X-Demandas-User header is ignored: nobody can claim to be someone else."""
    response = httpx.get(f"{served.url}{API}/me", headers={**served.auth, "X-Demandas-User": "gestor"})
    assert response.status_code == 200
    assert response.json()["login"] == "maria"
    assert response.headers["x-demandas-login"] == "maria"


def test_revoked_token_is_refused_at_once(served: Served) -> None:
    accounts = Accounts(served.service.store)
    record, secret = accounts.create_token("maria", "descartável")
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{served.url}{API}/me", headers=headers).status_code == 200
    accounts.revoke_token(record.id)
    assert "revogado" in error_of(httpx.get(f"{served.url}{API}/me", headers=headers), 401)["message"]
    assert accounts.tokens()[-1].last_used_at is not None


def test_a_token_revoked_by_another_process_is_refused_at_once(served: Served) -> None:
    """The server reads the token on every request: nothing it keeps can outlive a revocation."""
    record, secret = Accounts(served.service.store).create_token("maria", "outro processo")
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{served.url}{API}/tickets", headers=headers).status_code == 200
    other = Store(served.service.store.path)  # connections of its own, like `demandas admin tokens revoke`
    try:
        Accounts(other).revoke_token(record.id)
    finally:
        other.close()
    assert "revogado" in error_of(httpx.get(f"{served.url}{API}/tickets", headers=headers), 401)["message"]


def test_the_token_check_only_reads_and_the_last_use_is_refreshed_every_few_minutes(tmp_path: Path) -> None:
    """``identify`` runs on the server's event loop, so it must never write; ``touch`` does, rarely."""
    now = [datetime(2024, 3, 1, 12, 0, tzinfo=UTC)]
    store = Store(tmp_path / "tokens.db")
    accounts = Accounts(store, clock=lambda: now[0])
    accounts.add_user("ana", "Ana")
    record, secret = accounts.create_token("ana")
    changes = store.conn.total_changes
    user, stale = accounts.identify(secret)
    assert (user.login, stale) == ("ana", record.id)  # never used yet: due a refresh
    assert store.conn.total_changes == changes
    accounts.touch(record.id)
    assert accounts.identify(secret) == (user, None)
    now[0] += timedelta(minutes=6)
    assert accounts.identify(secret) == (user, record.id)
    assert accounts.authenticate(secret) == user  # identify + touch
    assert accounts.identify(secret) == (user, None)
    store.close()


def test_foreign_host_header_is_refused(served: Served) -> None:
    """A page whose DNS name rebinds to 127.0.0.1 must not read tickets with a forged user."""
    refused = httpx.get(f"{served.url}{API}/me", headers={**served.auth, "Host": "evil.example:8765"})
    assert "127.0.0.1" in error_of(refused, 400)["message"]
    port = served.url.rsplit(":", 1)[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert httpx.get(f"{served.url}{API}/me", headers={**served.auth, "Host": host}).status_code == 200


# -- the direct listing: FastAPI's answers, without FastAPI's per-request work ------------

LISTINGS = [
    "", "scope=visible&active_only=false", "limit=3&offset=1&sort=title&descending=false", "search=relat%C3%B3rio",
    "status=cancelado&active_only=false", "flag=atrasada", "overdue=true&assignee=me", "desk=ecage", "limit=1&limit=2",
    "unknown=1", "search=", "active_only=0&descending=no&overdue=on", "limit=+7", "limit=3.0",
    # refused, by FastAPI or by the service
    "limit=abc", "limit=501", "limit=0", "limit=", "offset=-1", "scope=todos", "active_only=talvez",
    "search=" + "a" * 201, "desk=nao-existe", "status=Arquivado", "area=nenhuma", "flag=x",
    "limit=99999999999999999999", "scope=todos&limit=abc",
]


def count_direct_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests the direct handlers looked at (each reads the token first)."""
    taken = [0]
    bearer_token = backend.server.bearer_token

    def counted(request: Any) -> str | None:
        taken[0] += 1
        return bearer_token(request)

    monkeypatch.setattr(backend.server, "bearer_token", counted)
    return taken


def test_the_direct_listing_answers_like_fastapi(served: Served, ticket: dict[str, Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``GET /tickets`` skips FastAPI's handler when it can: status, headers and bytes must not tell."""
    auths = [served.auth, {}, {"Authorization": "Basic bWFyaWE6eA=="}, {"Authorization": "Bearer nao-existe"},
             {"Authorization": "bearer " + served.token}, {"Authorization": "Bearer"}]
    taken = count_direct_calls(monkeypatch)

    def answers() -> list[tuple[int, list[tuple[str, str]], bytes]]:
        with httpx.Client(base_url=served.url, trust_env=False) as http:
            return [(r.status_code, [h for h in r.headers.multi_items() if h[0] != "date"], r.content)
                    for r in (http.get(f"{API}/tickets?{query}", headers=auth) for query in LISTINGS for auth in auths)]

    direct = answers()
    assert taken[0] == len(LISTINGS) * len(auths)
    assert sum(status == 200 for status, _, _ in direct) >= 10
    monkeypatch.setattr(DirectRoute, "enabled", False)
    assert answers() == direct
    assert taken[0] == len(LISTINGS) * len(auths)  # FastAPI's own handler answered


def test_the_direct_creation_answers_like_fastapi(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """``POST /tickets`` too: a ticket made the direct way comes back identical from FastAPI's (the same key)."""
    good = served.ticket_body()
    json_body = {"Content-Type": "application/json"}
    cases: list[tuple[dict[str, str], dict[str, Any]]] = [
        (served.auth, {"json": good}),
        ({**served.auth, "Idempotency-Key": ""}, {"json": good}),
        ({**served.auth, "Idempotency-Key": "k" * 200}, {"json": good}),
        ({**served.auth, "Idempotency-Key": "k" * 201}, {"json": good}),
        ({**served.auth, "Idempotency-Key": "k" * 201}, {"content": b"[1]", "headers": json_body}),
        ({}, {"json": good}),
        ({"Authorization": "Bearer nao-existe"}, {"json": {"title": 1}}),
        ({"Authorization": "Basic bWFyaWE6eA=="}, {"json": good}),
        (served.auth, {"json": {**good, "title": 12}}),
        (served.auth, {"json": {**good, "desk": "nenhum"}}),
        (served.auth, {"content": b'{"title": "sem fim"', "headers": json_body}),
        (served.auth, {"content": b"title=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
        (served.auth, multipart(good, [("a.txt", b"x")])),
        (served.auth, multipart(good, [("programa.exe", b"MZ")])),
        (served.auth, {"data": {"outro": "x"}, "files": [("files", ("a.txt", b"x", "text/plain"))]}),
    ]

    def answers() -> list[tuple[int, list[tuple[str, str]], bytes]]:
        found = []
        with httpx.Client(base_url=served.url, trust_env=False) as http:
            for number, (headers, kwargs) in enumerate(cases):
                # Each case its own key unless it brings one: the second pass replays the first's ticket.
                extra = kwargs.get("headers", {})
                headers = {"Idempotency-Key": f"direct-{number}", **headers, **extra}
                r = http.post(f"{API}/tickets", headers=headers, **{k: v for k, v in kwargs.items() if k != "headers"})
                found.append((r.status_code, [h for h in r.headers.multi_items() if h[0] != "date"], r.content))
        return found

    taken = count_direct_calls(monkeypatch)
    direct = answers()
    assert [status for status, _, _ in direct].count(201) == 3
    assert taken[0] == len(cases)
    monkeypatch.setattr(DirectRoute, "enabled", False)
    assert answers() == direct
    assert taken[0] == len(cases)


# -- bad input: 422 in pt-BR, never 500 ------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("limit=abc", "limit", "Campo inválido: limit — deve ser um número inteiro."),
        ("limit=-1", "limit", "O tamanho da página deve estar entre 1 e"),
        ("limit=99999999999999999999999", "limit", "Campo inválido: limit — deve ser menor ou igual a"),
        ("offset=-5", "offset", "negativo"),
        ("scope=todos", "scope", "Campo inválido: scope — deve ser um destes valores: 'mine' ou 'visible'."),
        ("active_only=talvez", "active_only", "Campo inválido: active_only — deve ser verdadeiro ou falso"),
        ("sort=cor", "sort", "Campo inválido: sort"),
        ("limit=501", "limit", "O tamanho da página deve estar entre 1 e 500."),
        ("search=" + "a" * 201, "search", "deve ter no máximo 200 caracteres"),
    ],
)
def test_bad_query_is_422_in_portuguese(served: Served, query: str, field: str,
                                        expected: str) -> None:
    error = error_of(httpx.get(f"{served.url}{API}/tickets?{query}", headers=served.auth), 422)
    assert (error["code"], error["field"]) == ("validacao", field)
    assert expected in error["message"]


def test_bad_date_is_422_naming_the_format(served: Served,
                                           ticket: dict[str, Any]) -> None:
    url = f"{served.url}{API}/tickets/{ticket['number']}/monitor"
    error = error_of(httpx.post(url, headers=served.auth, json={"until": "amanhã", "reason": "x"}), 422)
    assert (error["field"], error["message"]) == ("until", "Campo inválido: until — deve ser uma data no formato "
                                                           "AAAA-MM-DD.")


def test_malformed_json_is_422(served: Served) -> None:
    response = httpx.post(f"{served.url}{API}/tickets", headers={**served.auth, "Content-Type": "application/json"},
                          content=b'{"title": "sem fim"')
    assert error_of(response, 422)["message"].startswith("O corpo da requisição não é um JSON válido")


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({"title": 12}, "title", "Campo inválido: title — deve ser um texto."),
        ({"fields": {"x": 1}}, "fields", "Campo inválido: fields.x — deve ser um texto."),
        ({"desk": ["ecage"]}, "desk", "Campo inválido: desk — deve ser um texto."),
    ],
)
def test_wrong_types_are_422(served: Served, body: dict[str, Any], field: str,
                             expected: str) -> None:
    response = httpx.post(f"{served.url}{API}/tickets", headers=served.auth, json=served.ticket_body(**body))
    error = error_of(response, 422)
    assert (error["field"], error["message"]) == (field, expected)
    # The same payload inside a multipart form gets the same answer.
    response = httpx.post(f"{served.url}{API}/tickets", headers=served.auth,
                          **multipart(served.ticket_body(**body), [("a.txt", b"x")]))
    assert (error_of(response, 422)["message"]) == expected


@pytest.mark.parametrize(
    ("data", "files", "content_type", "expected"),
    [
        ({"outro": "x"}, [("a.txt", b"x")], None, "Campo desconhecido no formulário: 'outro'"),
        ({"payload": "{não é json"}, [("a.txt", b"x")], None, "não é um JSON válido"),
        (None, None, "multipart/form-data", "sem o parâmetro boundary"),
        ({"payload": "{}"}, [("programa.exe", b"MZ")], None, "O tipo de arquivo .exe ('programa.exe') não é aceito"),
    ],
)
def test_bad_multipart_is_422_in_portuguese(served: Served, ticket: dict[str, Any], data: dict[str, str] | None,
                                            files: list[tuple[str, bytes]] | None, content_type: str | None,
                                            expected: str) -> None:
    url = f"{served.url}{API}/tickets/{ticket['number']}/comments"
    headers = dict(served.auth)
    kwargs: dict[str, Any] = {}
    if content_type:
        headers["Content-Type"] = content_type
        kwargs["content"] = b"--x\r\n"
    else:
        kwargs = {"data": data, "files": [("files", (n, b, "application/octet-stream")) for n, b in files or []]}
    assert expected in error_of(httpx.post(url, headers=headers, **kwargs), 422)["message"]


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"", "application/json", "Envie o corpo da requisição"),
        (b"[1, 2]", "application/json", "deve ser um objeto JSON"),
        (b"title=x", "application/x-www-form-urlencoded", "deve ser um objeto JSON"),
        (b"\xff\xfe\x00", "application/json", "não é um JSON válido"),
    ],
)
def test_missing_or_non_object_body_is_422(served: Served, content: bytes,
                                           content_type: str, expected: str) -> None:
    response = httpx.post(f"{served.url}{API}/tickets", headers={**served.auth, "Content-Type": content_type},
                          content=content)
    assert expected in error_of(response, 422)["message"]


def test_rule_refusals_keep_their_class_and_field(served: Served) -> None:
    response = httpx.post(f"{served.url}{API}/tickets", headers=served.auth, json=served.ticket_body(title="  "))
    error = error_of(response, 422)
    assert (error["code"], error["field"], error["message"]) == ("validacao", "title", "Informe o título.")


# -- not found, unexpected --------------------------------------------------------


def test_unknown_ticket_is_404_json(served: Served) -> None:
    error = error_of(httpx.get(f"{served.url}{API}/tickets/CAGE-99999-ZZZZ", headers=served.auth), 404)
    assert (error["code"], error["message"]) == ("nao_encontrado", "Demanda CAGE-99999-ZZZZ não encontrada.")


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/nada", 404),
    ("GET", f"{API}/tickets/", 404),
    ("DELETE", f"{API}/me", 405),
])
def test_unknown_routes_answer_json(served: Served, method: str, path: str,
                                    status: int) -> None:
    response = httpx.request(method, f"{served.url}{path}", headers=served.auth)
    assert path in error_of(response, status)["message"]


def test_unexpected_exception_is_500_without_details(tmp_path: Path) -> None:
    class Broken(HelpdeskService):
        def desks(self) -> list[Any]:
            raise RuntimeError("segredo: /srv/demandas/config")

    store = Store(tmp_path / "broken.db")
    token = issue_token(store, "maria")
    try:
        with running_server(tmp_path / "broken.db", Broken(store)) as url:
            error = error_of(httpx.get(f"{url}{API}/desks", headers={"Authorization": f"Bearer {token}"}), 500)
    finally:
        store.close()
    assert error["code"] == "interno"
    assert error["message"].startswith("Erro interno do servidor.")
    assert "segredo" not in error["message"] and "Traceback" not in error["message"]


# -- attachments and size limits --------------------------------------------------------


def test_attachment_download_keeps_bytes_type_and_name(served: Served,
                                                      ticket: dict[str, Any]) -> None:
    attachment = ticket["attachments"][0]
    url = f"{served.url}{API}/tickets/{ticket['number']}/attachments/{attachment['id']}"
    response = httpx.get(url, headers=served.auth)
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == "attachment; filename=\"relatorio (1).pdf\"; filename*=UTF-8''relat%C3%B3rio%20%281%29.pdf"


def test_content_disposition_fallback_is_safe() -> None:
    header = content_disposition('a"b\\c ção.txt')
    assert header.startswith('attachment; filename="a_b_c cao.txt"; filename*=UTF-8\'\'')
    assert content_disposition("日本.pdf").startswith('attachment; filename=".pdf"')
    assert content_disposition("日本").startswith('attachment; filename="anexo"')


def test_unknown_attachment_is_404(served: Served, ticket: dict[str, Any]) -> None:
    base = f"{served.url}{API}/tickets/{ticket['number']}/attachments"
    assert error_of(httpx.get(f"{base}/999999", headers=served.auth), 404)["code"] == "nao_encontrado"
    assert error_of(httpx.get(f"{base}/{2**70}", headers=served.auth), 422)["field"] == "attachment_id"


def test_body_over_the_limit_is_413_json(tmp_path: Path) -> None:
    big = {"text": "x" * 5000}

    def chunks() -> Iterator[bytes]:
        # No Content-Length: the server has to count while reading.
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    store = Store(tmp_path / "small.db")
    auth = {"Authorization": f"Bearer {issue_token(store, 'maria')}"}
    store.close()
    with running_server(tmp_path / "small.db", max_body_bytes=2048) as url:
        target = f"{url}{API}/tickets/CAGE-00001-AAAA/comments"
        declared = httpx.post(target, headers=auth, json=big)
        streamed = httpx.post(target, headers={**auth, "Content-Type": "application/json"}, content=chunks())
        # The connection still serves requests after a refusal.
        assert httpx.get(f"{url}/health").status_code == 200
    for response in (declared, streamed):
        error = error_of(response, 413)
        assert error["code"] == "muito_grande"
        assert "por requisição JSON" in error["message"]


def test_a_file_over_the_desk_limit_is_413_while_streaming(served: Served, ticket: dict[str, Any]) -> None:
    """The answer comes as soon as the file passes the desk's limit, while the client is still sending."""
    limit = served.service.desk("ecage").max_attachment_bytes
    boundary = "limite-demandas"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{{"text": "x"}}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="grande.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode()
    declared = len(head) + 3 * limit  # under the request limit: only the per-file limit can refuse it
    host, port = served.url.removeprefix("http://").split(":")
    before = len(served.service.get_ticket("maria", ticket["number"]).timeline)
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall((f"POST {API}/tickets/{ticket['number']}/comments HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Authorization: Bearer {served.token}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      f"Content-Length: {declared}\r\n\r\n").encode() + head)
        conn.sendall(b"0" * (limit + 512 * 1024))  # just past the limit; two thirds of the body never go
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            piece = conn.recv(65536)
            if not piece:
                break
            answer += piece
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large", answer[:300]
    message = rest.split(b"\r\n\r\n", 1)[1].decode()
    assert "grande.pdf" in message and "limite por arquivo do balcão" in message
    assert len(served.service.get_ticket("maria", ticket["number"]).timeline) == before


# -- serve(): loopback only --------------------------------------------------------


@pytest.mark.parametrize("host", ["example.com", "", "256.1.1.1"])
def test_serve_refuses_hosts_that_are_not_addresses(tmp_path: Path, host: str) -> None:
    with pytest.raises(ValueError, match="Endereço de escuta inválido"):
        serve(tmp_path / "x.db", host=host, port=0)
    assert not (tmp_path / "x.db").exists()  # refused before touching anything


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert is_loopback_host(host)


def test_busy_port_is_a_portuguese_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match=re.escape("Não foi possível escutar em 127.0.0.1")):
            bind_socket("127.0.0.1", taken.getsockname()[1]).close()


def test_a_bound_socket_already_queues_connections() -> None:
    # serve() prints its address before uvicorn starts accepting; a client that connects on that
    # line must wait in the backlog, not be refused (CI saw "Connection refused" here).
    with bind_socket("127.0.0.1", 0) as sock:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            assert client.getpeername()[1] == port


def test_serve_beyond_loopback_warns_that_http_is_not_encrypted(tmp_path: Path) -> None:
    db = tmp_path / "rede.db"
    code = f"from backend.server import serve; serve({str(db)!r}, host='0.0.0.0', port=0)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline().strip() for _ in range(3)]
        match = re.fullmatch(r"Servidor Demandas em http://0\.0\.0\.0:(\d+) \(banco: .+\)", lines[0])
        assert match, lines
        assert "SEM criptografia" in lines[1] and "túnel SSH" in lines[1] and "TLS" in lines[1]
        assert "Nenhum token de acesso ativo" in lines[2]
        # Any Host header is served (the token guards the API); without a token, 401.
        url = f"http://127.0.0.1:{match[1]}"
        assert httpx.get(f"{url}/health", headers={"Host": "demandas.orgao.gov.br"}, timeout=5).status_code == 200
        assert httpx.get(f"{url}{API}/me", headers={"Host": "demandas.orgao.gov.br"}, timeout=5).status_code == 401
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_announces_itself_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    code = f"from backend.server import serve; serve({str(db)!r}, port=0)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        ready, _, _ = select.select([proc.stderr], [], [], 20)
        assert ready, "serve() printed nothing"
        line = proc.stderr.readline().strip()
        match = re.fullmatch(r"Servidor Demandas em (http://127\.0\.0\.1:\d+) \(banco: (.+)\)", line)
        assert match, line
        assert match[2] == str(db)
        assert httpx.get(f"{match[1]}/health", timeout=5).json() == {"status": "ok"}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- the HTTP adapter's own behaviour --------------------------------------------------------


async def test_adapter_round_trips_an_attachment(served: Served, ticket: dict[str, Any]) -> None:
    adapter = HttpAdapter(served.url, served.token)
    try:
        found = await adapter.get_ticket(ticket["number"])
        meta, data = await adapter.download(found.number, found.attachments[0].id)
    finally:
        await adapter.aclose()
    assert data == PDF_BYTES
    assert meta == found.attachments[0]
    assert meta.name == PDF_NAME


async def test_adapter_learns_its_login_from_the_server(served: Served) -> None:
    adapter = HttpAdapter(served.url.removeprefix("http://"), served.token)
    try:
        assert adapter.login == ""
        user = await adapter.whoami()
    finally:
        await adapter.aclose()
    assert (user.login, user.name, adapter.login) == ("maria", "Maria Clara", "maria")
    assert adapter.location == f"servidor: {served.url}"


async def test_adapter_with_a_refused_token_says_so(served: Served) -> None:
    adapter = HttpAdapter(served.url, "dmd_inventado")
    try:
        with pytest.raises(Unauthenticated, match="inválido ou revogado"):
            await adapter.whoami()
        assert await adapter.ping()  # the server is there; only the token is wrong
    finally:
        await adapter.aclose()


async def test_adapter_ignores_proxies_for_a_local_server(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    adapter = HttpAdapter(served.url, served.token)
    try:
        assert (await adapter.whoami()).login == "maria"
    finally:
        await adapter.aclose()


@pytest.mark.parametrize("url", ["http://", "ftp://127.0.0.1:21", "http://[nao-e-ip]:80"])
async def test_adapter_with_a_bad_server_address_says_so(url: str) -> None:
    adapter = HttpAdapter(url, "token")
    with pytest.raises(ValidationFailed, match="Endereço de servidor inválido"):
        await adapter.whoami()
    await adapter.aclose()


async def test_a_prefetched_first_page_brings_the_login_too(served: Served, ticket: dict[str, Any]) -> None:
    adapter = HttpAdapter(served.url, served.token)
    try:
        adapter.prefetch(HOME_FIRST_PAGE)
        page = None
        for _ in range(600):  # bounded wait for the prefetch's thread
            page = adapter.take_prefetched(HOME_FIRST_PAGE)
            if page is not None:
                break
            await asyncio.sleep(0.05)
        assert page is not None and ticket["number"] in [t.number for t in page.items]
        assert adapter.login == "maria"  # as any answer of the server tells it
    finally:
        await adapter.aclose()


@pytest.mark.parametrize("bad", ["closed port", "refused token", "bad address"])
async def test_a_failed_prefetch_leaves_the_listing_to_report_as_usual(bad: str, served: Served) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    url, token = {"closed port": (closed, "token"), "refused token": (served.url, "dmd_inventado"),
                  "bad address": ("http://[nao-e-ip]:80", "token")}[bad]
    plain = HttpAdapter(url, token, timeout=5, retry_delays=FAST)
    prefetching = HttpAdapter(url, token, timeout=5, retry_delays=FAST)
    try:
        with pytest.raises(DemandasError) as plain_error:
            await plain.list_tickets(HOME_FIRST_PAGE)
        prefetching.prefetch(HOME_FIRST_PAGE)
        with pytest.raises(DemandasError) as prefetched_error:
            await prefetching.list_tickets(HOME_FIRST_PAGE)
        assert (type(prefetched_error.value), prefetched_error.value.message) == (
            type(plain_error.value), plain_error.value.message)
        assert prefetching.take_prefetched(HOME_FIRST_PAGE) is None
    finally:
        await plain.aclose()
        await prefetching.aclose()


def test_plain_http_to_this_machine_loads_no_ca_bundle_and_https_does() -> None:
    # Loading the CA bundle costs ~70 ms of CPU at start; plain HTTP on loopback never
    # makes a TLS handshake (and a context without CAs would refuse one, not skip the check).
    local = HttpAdapter("http://127.0.0.1:8765", "token")._tls_context()
    assert local.cert_store_stats()["x509_ca"] == 0
    assert (local.verify_mode, local.check_hostname) == (ssl.CERT_REQUIRED, True)
    for url in ("https://127.0.0.1:8765", "http://demandas.orgao.gov.br"):
        assert HttpAdapter(url, "token")._tls_context().cert_store_stats()["x509_ca"] > 0, url


async def test_adapter_against_a_closed_port_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = HttpAdapter(f"http://127.0.0.1:{port}", "token", timeout=5, retry_delays=FAST)
    try:
        with pytest.raises(Unavailable) as info:
            await adapter.whoami()
        assert not await adapter.ping()
    finally:
        await adapter.aclose()
    assert str(info.value) == (f"Sem conexão com o servidor http://127.0.0.1:{port}. "
                               "Verifique se `demandas serve` está rodando.")


def mocked(handler: Any) -> HttpAdapter:
    """An adapter whose requests go to ``handler`` instead of the network."""
    return HttpAdapter("http://demandas.test", "dmd_teste", transport=httpx.MockTransport(handler), retry_delays=FAST)


async def test_adapter_maps_error_bodies_to_the_same_classes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"code": "conflito", "message": "Prazo encerrado.", "field": None}}
        return httpx.Response(409, json=body)

    with pytest.raises(Conflict, match=re.escape("Prazo encerrado.")):
        await mocked(handler).reopen("CAGE-00001-AAAA", "motivo")


@pytest.mark.parametrize(("status", "kind", "expected"), [
    (500, DemandasError, "respondeu com um erro inesperado (HTTP 500)"),
    (404, DemandasError, "(HTTP 404)"),
    (502, Unavailable, "está indisponível (HTTP 502)"),
])
async def test_adapter_non_json_errors_name_the_status(status: int, kind: type[Exception], expected: str) -> None:
    adapter = mocked(lambda request: httpx.Response(status, text="<html>Bad Gateway</html>"))
    with pytest.raises(kind) as info:
        await adapter.whoami()
    assert type(info.value) is kind
    assert expected in str(info.value)


async def test_adapter_rejects_a_server_that_is_not_demandas() -> None:
    adapter = mocked(lambda request: httpx.Response(200, json={"hello": "world"}))
    with pytest.raises(DemandasError, match="não parece ser um servidor Demandas"):
        await adapter.whoami()


async def test_adapter_timeout_is_unavailable_and_warns_about_retrying() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(Unavailable, match=re.escape("não respondeu em 30 s. Confira se a ação foi registrada")):
        await mocked(handler).cancel("CAGE-00001-AAAA")


async def test_adapter_percent_encodes_ticket_numbers() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(404, json={"error": {"code": "nao_encontrado", "message": "Não.", "field": None}})

    with pytest.raises(NotFound):
        await mocked(handler).get_ticket("A B/C?d")
    assert seen == [b"/api/v1/tickets/A%20B%2FC%3Fd"]
    with pytest.raises(ValidationFailed, match=re.escape("Informe o número da demanda.")):
        await mocked(handler).get_ticket("")


async def test_adapter_refuses_an_oversized_body_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_adapter, "max_upload_bytes", lambda: 1000)

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    files = [NewAttachment("grande.pdf", b"x" * 2000)]
    with pytest.raises(TooLarge, match="o servidor aceita até"):
        await mocked(handler).comment("CAGE-00001-AAAA", "segue", files)


def test_if_match_accepts_etags_and_refuses_garbage() -> None:
    assert [expected_version(v) for v in (None, "*", '"3"', 'W/"12"', "7")] == [None, None, 3, 12, 7]
    for bad in ('"três"', '"1", "2"', "-1", "99999999999999999999"):
        with pytest.raises(ValidationFailed, match="If-Match inválido"):
            expected_version(bad)
