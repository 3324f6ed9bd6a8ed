"""A shared server kept dependable: no doubled or lost writes, retries, restarts and live updates.

Everything runs against a real ``demandas serve`` on 127.0.0.1 (uvicorn in a thread),
and the CLI in real subprocesses where the issue asks for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.accounts import Accounts
from backend.domain import EntryKind, NewAttachment, Role, TicketEvent
from backend.errors import NotFound, StaleVersion, Unavailable
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.conftest import ORIENTACAO, SISTEMAS
from tests.contract.test_tickets import SEED_EXAMPLE
from tests.server_helper import running_server
from tui.adapters.http import HttpAdapter
from tui.adapters.local import LocalAdapter

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
EVENT_WAIT = 10.0
FAST = (0.05, 0.1, 0.2, 0.4)


@dataclass
class Shared:
    """A server with a requester (maria), an agent of her area (bruno) and tokens for both."""

    db: Path
    url: str
    service: HelpdeskService
    tokens: dict[str, str]

    def auth(self, login: str) -> dict[str, str]:
        """The Authorization header of ``login``."""
        return {"Authorization": f"Bearer {self.tokens[login]}"}

    def new_ticket(self) -> str:
        """A fresh ticket of maria's, made straight in the service."""
        return self.service.create_ticket("maria", SEED_EXAMPLE).number


def prepare(db: Path) -> dict[str, str]:
    """maria (requester), bruno (agent of Sistemas), carla (agent of Orientação); a token each."""
    store = Store(db)
    accounts = Accounts(store)
    accounts.add_user("maria", "Maria Clara", "maria@sefaz.rs.gov.br")
    accounts.add_user("bruno", "Bruno Sistemas", role=Role.AGENT, areas=(SISTEMAS,))
    accounts.add_user("carla", "Carla Orientação", role=Role.AGENT, areas=(ORIENTACAO,))
    tokens = {login: accounts.create_token(login)[1] for login in ("maria", "bruno", "carla")}
    store.close()
    return tokens


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    db = tmp_path / "shared.db"
    tokens = prepare(db)
    store = Store(db)
    service = HelpdeskService(store)
    with running_server(db, service, keepalive_seconds=0.5) as url:
        yield Shared(db, url, service, tokens)
    store.close()


def ticket_body() -> dict[str, Any]:
    return {"title": "Erro no FPE", "orgao": SEED_EXAMPLE.orgao, "type": SEED_EXAMPLE.type,
            "category": SEED_EXAMPLE.category, "subject": SEED_EXAMPLE.subject, "description": "Detalhes."}


def count(db: Path, table: str) -> int:
    store = Store(db)
    try:
        return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        store.close()


# -- idempotency ------------------------------------------------------------------------


def test_same_idempotency_key_twice_makes_one_ticket(shared: Shared) -> None:
    headers = {**shared.auth("maria"), "Idempotency-Key": str(uuid.uuid4())}
    first = httpx.post(f"{shared.url}{API}/tickets", headers=headers, json=ticket_body())
    again = httpx.post(f"{shared.url}{API}/tickets", headers=headers, json=ticket_body())
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["number"] == again.json()["number"]
    assert count(shared.db, "tickets") == 1
    changed = httpx.post(f"{shared.url}{API}/tickets", headers=headers, json={**ticket_body(), "title": "Outro"})
    assert changed.status_code == 422
    assert changed.json()["error"]["message"].startswith("Esta chave de idempotência (Idempotency-Key) já foi usada")
    assert count(shared.db, "tickets") == 1


def test_concurrent_retries_with_one_key_make_one_ticket(shared: Shared) -> None:
    headers = {**shared.auth("maria"), "Idempotency-Key": str(uuid.uuid4())}
    numbers: list[str] = []

    def send() -> None:
        response = httpx.post(f"{shared.url}{API}/tickets", headers=headers, json=ticket_body(), timeout=30)
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(numbers)) == 1 and len(numbers) == 6
    assert count(shared.db, "tickets") == 1


def test_keys_belong_to_their_user(shared: Shared) -> None:
    """The same key from two users is two requests: one cannot read the other's result through it."""
    key = str(uuid.uuid4())
    mine = httpx.post(f"{shared.url}{API}/tickets", headers={**shared.auth("maria"), "Idempotency-Key": key},
                      json=ticket_body())
    theirs = httpx.post(f"{shared.url}{API}/tickets", headers={**shared.auth("bruno"), "Idempotency-Key": key},
                        json=ticket_body())
    assert mine.json()["number"] != theirs.json()["number"]


# -- versions: ETag and If-Match ------------------------------------------------------------


def test_a_stale_update_is_refused_with_412(shared: Shared) -> None:
    number = shared.new_ticket()
    url = f"{shared.url}{API}/tickets/{number}"
    opened = httpx.get(url, headers=shared.auth("maria"))
    etag = opened.headers["etag"]
    assert etag == f'"{opened.json()["version"]}"'
    reply = httpx.post(f"{url}/reply", headers=shared.auth("bruno"), json={"text": "Pode mandar o print?"})
    assert reply.headers["etag"] != etag
    stale = httpx.post(f"{url}/cancel", headers={**shared.auth("maria"), "If-Match": etag}, json={"reason": "x"})
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "versao_desatualizada"
    assert error["message"].startswith("A demanda foi alterada por outra pessoa desde que você a abriu.")
    assert httpx.get(url, headers=shared.auth("maria")).json()["status"] == "Em Andamento"
    fresh = httpx.get(url, headers=shared.auth("maria")).headers["etag"]
    done = httpx.post(f"{url}/cancel", headers={**shared.auth("maria"), "If-Match": fresh}, json={"reason": "x"})
    assert done.status_code == 200 and done.json()["status"] == "Cancelado"


async def test_the_adapter_raises_stale_version(shared: Shared) -> None:
    number = shared.new_ticket()
    maria = HttpAdapter(shared.url, shared.tokens["maria"])
    try:
        seen = await maria.get_ticket(number)
        shared.service.reply("bruno", number, "Atualizei.")
        with pytest.raises(StaleVersion, match="desde que você a abriu"):
            await maria.comment(number, "Resposta ao que vi", expected_version=seen.version)
    finally:
        await maria.aclose()


# -- retries and restarts ---------------------------------------------------------------------


def recording(answers: list[Any]) -> tuple[HttpAdapter, list[httpx.Request]]:
    """An adapter whose transport replays ``answers`` (a response, or an exception to raise) in order."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("simulado", request=request)
        assert isinstance(answer, httpx.Response)
        return answer

    adapter = HttpAdapter("http://demandas.test", "dmd_x", transport=httpx.MockTransport(handler), retry_delays=FAST)
    return adapter, seen


def ticket_json(shared: Shared, number: str) -> dict[str, Any]:
    return httpx.get(f"{shared.url}{API}/tickets/{number}", headers=shared.auth("maria")).json()  # type: ignore[no-any-return]


async def test_idempotent_posts_are_retried_with_the_same_key(shared: Shared) -> None:
    body = ticket_json(shared, shared.new_ticket())
    busy = httpx.Response(503, json={"error": {"code": "indisponivel", "message": "Ocupado.", "field": None}})
    adapter, seen = recording([httpx.ConnectError, httpx.ReadTimeout, busy, httpx.Response(502),
                               httpx.Response(200, json=body)])
    ticket = await adapter.comment(body["number"], "Segue.", [NewAttachment("a.txt", b"a")])
    assert ticket.number == body["number"]
    keys = {request.headers["idempotency-key"] for request in seen}
    assert len(seen) == 5 and len(keys) == 1
    assert all(request.headers["authorization"] == "Bearer dmd_x" for request in seen)
    assert all(request.headers["content-type"].startswith("multipart/form-data") for request in seen)


async def test_unsafe_posts_are_not_retried_after_the_request_left() -> None:
    adapter, seen = recording([httpx.ReadTimeout])
    with pytest.raises(Unavailable, match="Confira se a ação foi registrada"):
        await adapter.cancel("CAGE-00001-AAAA")
    assert len(seen) == 1
    # A refused connection never reached the server: that one is retried even for a cancel.
    adapter, seen = recording([httpx.ConnectError, httpx.ConnectError, httpx.Response(404, json={
        "error": {"code": "nao_encontrado", "message": "Não.", "field": None}})])
    with pytest.raises(NotFound):
        await adapter.cancel("CAGE-00001-AAAA")
    assert len(seen) == 3


async def test_retries_are_bounded() -> None:
    adapter, seen = recording([httpx.Response(503)] * 10)
    with pytest.raises(Unavailable, match="indisponível"):
        await adapter.whoami()
    assert len(seen) == len(FAST) + 1


async def test_the_client_keeps_working_after_the_server_restarts(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    tokens = prepare(db)
    maria = HttpAdapter("http://127.0.0.1:1", tokens["maria"], retry_delays=(0.2, 0.4, 0.8, 1.6, 3.2),
                        event_delays=(0.1, 0.2))
    with ExitStack() as stack:
        url = stack.enter_context(running_server(db))
        maria.base_url = url  # the port is only known now
        maria.location = f"servidor: {url}"
        port = int(url.rsplit(":", 1)[1])
        ticket = await maria.create_ticket(SEED_EXAMPLE)
        events = maria.events()
        first_event = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.3)
        stack.close()  # the server stops; the adapter's pooled connection is now dead
        assert not await maria.ping()
        # While it is down: a read, and a comment (idempotent: retried with its key).
        reading = asyncio.ensure_future(maria.get_ticket(ticket.number))
        commenting = asyncio.ensure_future(maria.comment(ticket.number, "Enviado durante a queda."))
        # Someone answers while the server is down (straight in the database): not lost for the stream.
        offline = Store(db)
        HelpdeskService(offline).reply("bruno", ticket.number, "Respondido com o servidor fora.")
        offline.close()
        await asyncio.sleep(0.5)
        assert not reading.done() and not commenting.done()  # still trying
        await asyncio.to_thread(stack.enter_context, running_server(db, port=port))
        again = await asyncio.wait_for(reading, 15)
        commented = await asyncio.wait_for(commenting, 15)
        assert again.number == ticket.number
        texts = [e.text for e in commented.timeline if e.kind is EntryKind.COMMENT]
        assert texts.count("Enviado durante a queda.") == 1
        assert await maria.ping()
        # The event stream reconnected by itself and replayed what happened meanwhile (Last-Event-ID).
        event = await asyncio.wait_for(first_event, EVENT_WAIT)
        assert (event.number, event.actor) == (ticket.number, "bruno")
        await events.aclose()  # type: ignore[attr-defined]
    await maria.aclose()


# -- live updates -------------------------------------------------------------------------------


async def wait_for_event(events: AsyncIterator[TicketEvent], number: str, kind: EntryKind) -> TicketEvent:
    async def find() -> TicketEvent:
        async for event in events:
            if event.number == number and event.kind is kind:
                return event
        raise AssertionError("the event stream ended")

    return await asyncio.wait_for(find(), EVENT_WAIT)


def cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=60)


async def test_a_reply_from_the_cli_reaches_another_users_event_stream(shared: Shared) -> None:
    number = shared.new_ticket()
    maria = HttpAdapter(shared.url, shared.tokens["maria"])
    events = maria.events()
    try:
        waiting = asyncio.ensure_future(wait_for_event(events, number, EntryKind.COMMENT))
        await asyncio.sleep(0.3)
        done = await asyncio.to_thread(cli, "tickets", "note", number, "--text", "Interno.", "--server", shared.url,
                                       env={"DEMANDAS_TOKEN": shared.tokens["bruno"]})
        assert done.returncode == 0, done.stderr
        done = await asyncio.to_thread(cli, "tickets", "reply", number, "--text", "Ajuste feito.", "--server",
                                       shared.url, env={"DEMANDAS_TOKEN": shared.tokens["bruno"]})
        assert done.returncode == 0, done.stderr
        event = await waiting
    finally:
        await events.aclose()  # type: ignore[attr-defined]
        await maria.aclose()
    assert (event.number, event.kind, event.actor) == (number, EntryKind.COMMENT, "bruno")


def read_sse(url: str, headers: dict[str, str], until: str, limit: float = EVENT_WAIT) -> list[str]:
    """The lines of an event stream up to the first one containing ``until``."""
    lines: list[str] = []
    with httpx.stream("GET", url, headers=headers, timeout=limit) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            lines.append(line)
            if until in line:
                return lines
    raise AssertionError(f"{until!r} never came: {lines}")


def test_the_stream_keeps_alive_and_filters_by_user(shared: Shared) -> None:
    number = shared.new_ticket()
    url = f"{shared.url}{API}/events"
    assert ": keep-alive" in read_sse(url, shared.auth("carla"), "keep-alive")[-1]

    def later() -> None:
        import time

        time.sleep(0.3)
        shared.service.note("bruno", number, "Interno.")
        shared.service.reply("bruno", number, "Público.")

    threading.Thread(target=later).start()
    lines = read_sse(url, shared.auth("maria"), '"kind": "comment"')
    kinds = [json.loads(line[6:])["kind"] for line in lines if line.startswith("data: ")]
    assert kinds == ["comment"]  # the note and the reservation are internal: not for the requester
    # bruno, reconnecting from the creation on (Last-Event-ID), gets what he missed, internal entries too.
    created = int([line for line in lines if line.startswith("id: ")][-1][4:]) - 3
    replay = read_sse(url, {**shared.auth("bruno"), "Last-Event-ID": str(created)}, '"kind": "comment"')
    assert [json.loads(line[6:])["kind"] for line in replay if line.startswith("data: ")] == [
        "reserved", "note", "comment"]
    # carla works another area: even replaying everything, nothing of this ticket reaches her.
    theirs = read_sse(url, {**shared.auth("carla"), "Last-Event-ID": "0"}, "keep-alive")
    assert not [line for line in theirs if line.startswith("data: ")]


def test_event_streams_per_user_are_capped(shared: Shared) -> None:
    from backend.server import MAX_STREAMS_PER_USER

    url = f"{shared.url}{API}/events"
    live: list[Iterator[str]] = []  # kept referenced: a dropped line iterator closes its stream
    with httpx.Client(timeout=10) as client, ExitStack() as stack:
        for _ in range(MAX_STREAMS_PER_USER):
            opened = stack.enter_context(client.stream("GET", url, headers=shared.auth("carla")))
            assert opened.status_code == 200
            live.append(opened.iter_lines())
            assert next(live[-1]) == "retry: 2000"  # the stream is live on the server
        with client.stream("GET", url, headers=shared.auth("carla")) as refused:
            refused.read()
        assert refused.status_code == 429
        assert "conexões de eventos abertas" in refused.json()["error"]["message"]
        assert client.get(f"{shared.url}{API}/me", headers=shared.auth("carla")).status_code == 200


async def test_local_mode_notices_writes_of_another_process(tmp_path: Path) -> None:
    db = tmp_path / "local.db"
    prepare(db)
    maria = LocalAdapter(db, "maria", poll_seconds=0.2)
    try:
        ticket = await maria.create_ticket(SEED_EXAMPLE)
        events = maria.events()
        waiting = asyncio.ensure_future(wait_for_event(events, ticket.number, EntryKind.COMMENT))
        await asyncio.sleep(0.5)
        done = await asyncio.to_thread(cli, "tickets", "reply", ticket.number, "--text", "Visto por outro processo.",
                                       "--db", str(db), "--user", "bruno", env={})
        assert done.returncode == 0, done.stderr
        event = await waiting
        assert (event.actor, event.kind) == ("bruno", EntryKind.COMMENT)
        # Internal entries of that process (bruno's reservation) never reached the requester.
        await events.aclose()  # type: ignore[attr-defined]
    finally:
        await maria.aclose()
