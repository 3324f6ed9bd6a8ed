"""Who may do what on a shared server: every role × every endpoint, against a real server.

One table: each action names its request and, per role, the status the server must
answer. Each case gets a fresh ticket of ``dono`` (a requester) in the Sistemas area.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from backend.accounts import Accounts
from backend.domain import NewAttachment, NewTicket, Role
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.conftest import ORIENTACAO, SISTEMAS
from tests.contract.test_tickets import SEED_EXAMPLE
from tests.server_helper import running_server

API = "/api/v1"
ROLES = ("owner", "other", "agent_area", "agent_other", "manager", "admin", "no_token", "revoked")
LOGINS = {"owner": "dono", "other": "outro", "agent_area": "bruno", "agent_other": "carla", "manager": "gestor",
          "admin": "chefe"}


@dataclasses.dataclass
class World:
    """The server, its service and a token per role."""

    url: str
    service: HelpdeskService
    headers: dict[str, dict[str, str]]

    def ticket(self, setup: str) -> tuple[str, int, int | None]:
        """A fresh ticket of ``dono``: its number, a public attachment id and (``note``) an internal one."""
        new = dataclasses.replace(SEED_EXAMPLE, attachments=(NewAttachment("print.png", b"\x89PNG publico"),))
        if setup == "sei_forwarded":
            # SEI's tracking ticket: a ticket the committee forwarded to the technical unit.
            new = NewTicket(title="", orgao="SAMOP", type="", category="", subject="", description="Pedido SEI",
                            desk="sei", attachments=new.attachments,
                            fields={"nome": "Dono", "email": "d@ma.gov.br", "email_confirmacao": "d@ma.gov.br"})
        ticket = self.service.create_ticket("dono", new)
        if setup == "sei_forwarded":
            self.service.forward("chefe", ticket.number, "SEI – Unidades Técnica e de Gestão", "Unidade técnica")
        internal = None
        if setup == "note":
            noted = self.service.note("chefe", ticket.number, "Só a equipe vê.",
                                      [NewAttachment("interno.txt", b"segredo")])
            internal = noted.attachments[-1].id
        elif setup == "resolved":
            self.service.resolve("chefe", ticket.number, "Feito.")
        return ticket.number, ticket.attachments[0].id, internal


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = tmp_path_factory.mktemp("perm") / "perm.db"
    store = Store(db)
    service = HelpdeskService(store)
    accounts = Accounts(store)
    for role, login, areas in (
        (Role.REQUESTER, "dono", ()), (Role.REQUESTER, "outro", ()), (Role.AGENT, "bruno", (SISTEMAS,)),
        (Role.AGENT, "carla", (ORIENTACAO,)), (Role.MANAGER, "gestor", (SISTEMAS, ORIENTACAO)),
        (Role.ADMIN, "chefe", ()),
    ):
        accounts.add_user(login, login.title(), f"{login}@cage.rs.gov.br", role, areas)
    headers = {role: {"Authorization": f"Bearer {accounts.create_token(login)[1]}"} for role, login in LOGINS.items()}
    revoked, secret = accounts.create_token("dono", "perdido")
    accounts.revoke_token(revoked.id)
    headers["revoked"] = {"Authorization": f"Bearer {secret}"}
    headers["no_token"] = {}
    with running_server(db, service) as url:
        yield World(url, service, headers)
    store.close()


NEW_TICKET = {"title": "Pedido", "orgao": SEED_EXAMPLE.orgao, "type": SEED_EXAMPLE.type,
              "category": SEED_EXAMPLE.category, "subject": SEED_EXAMPLE.subject, "description": "Texto."}
FUTURE = (date.today() + timedelta(days=10)).isoformat()


@dataclasses.dataclass(frozen=True)
class Action:
    """One endpoint call and what each role must get from it."""

    method: str
    path: str
    expected: tuple[int, ...]  # in ROLES order
    body: dict[str, Any] | None = None
    setup: str = "plain"


ALL = (200, 200, 200, 200, 200, 200, 401, 401)
OWNER_AND_AREA = (200, 403, 200, 403, 200, 200, 401, 401)
STAFF_OF_AREA = (403, 403, 200, 403, 200, 200, 401, 401)
MANAGERS = (403, 403, 403, 403, 200, 200, 401, 401)
STAFF = (403, 403, 200, 200, 200, 200, 401, 401)

TABLE: dict[str, Action] = {
    "me": Action("GET", "/me", ALL),
    "update_me": Action("PUT", "/me", ALL, {"email": "x@cage.rs.gov.br", "phone": "(51) 3214-5000",
                                            "cargo": "Analista"}),
    "desks": Action("GET", "/desks", ALL),
    "desk": Action("GET", "/desks/ecage", ALL),
    "list": Action("GET", "/tickets?scope=visible&active_only=false&limit=500", ALL),
    "queue_counts": Action("GET", "/queue/counts", ALL),
    "agents": Action("GET", "/agents", STAFF),
    "create": Action("POST", "/tickets", (201, 201, 201, 201, 201, 201, 401, 401), NEW_TICKET),
    "events": Action("GET", "/events", ALL),
    "get": Action("GET", "/tickets/{n}", OWNER_AND_AREA),
    "download": Action("GET", "/tickets/{n}/attachments/{a}", OWNER_AND_AREA),
    # The requester is told the internal file does not exist; outsiders, that the ticket is not theirs.
    "download_internal": Action("GET", "/tickets/{n}/attachments/{i}", (404, 403, 200, 403, 200, 200, 401, 401),
                                setup="note"),
    "comment": Action("POST", "/tickets/{n}/comments", OWNER_AND_AREA, {"text": "Mais detalhes."}),
    "cancel": Action("POST", "/tickets/{n}/cancel", OWNER_AND_AREA, {"reason": "Não é mais preciso."}),
    "resolve": Action("POST", "/tickets/{n}/resolve", STAFF_OF_AREA, {"text": "Resolvido."}),
    "reopen": Action("POST", "/tickets/{n}/reopen", OWNER_AND_AREA, {"reason": "Voltou a falhar."}, "resolved"),
    "reply": Action("POST", "/tickets/{n}/reply", STAFF_OF_AREA, {"text": "Resposta."}),
    "note": Action("POST", "/tickets/{n}/note", STAFF_OF_AREA, {"text": "Nota interna."}),
    "ask": Action("POST", "/tickets/{n}/ask", STAFF_OF_AREA, {"text": "Envie o print."}),
    "assign": Action("POST", "/tickets/{n}/assign", MANAGERS, {"to": "bruno"}),
    "take": Action("POST", "/tickets/{n}/take", STAFF_OF_AREA),
    "forward": Action("POST", "/tickets/{n}/forward", STAFF_OF_AREA, {"area": ORIENTACAO, "reason": "É orientação."}),
    "monitor": Action("POST", "/tickets/{n}/monitor", STAFF_OF_AREA, {"until": FUTURE, "reason": "Aguardar."}),
    # Only the admin works SEI's technical unit here; the e-CAGE staff never see the ticket.
    "track": Action("POST", "/tickets/{n}/track", (403, 403, 403, 403, 403, 200, 401, 401),
                    {"text": "Acompanhar."}, "sei_forwarded"),
}


def test_the_table_covers_every_endpoint(world: World) -> None:
    schema = httpx.get(f"{world.url}/openapi.json").json()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item
                  if path.startswith(API)}
    covered = {(a.method, API + a.path.split("?")[0].replace("{n}", "{number}").replace("{a}", "{attachment_id}")
                .replace("{i}", "{attachment_id}").replace("/desks/ecage", "/desks/{desk_id}"))
               for a in TABLE.values()}
    assert operations == covered


def call(world: World, action: Action, role: str) -> tuple[httpx.Response, str]:
    number, public, internal = world.ticket(action.setup)
    path = action.path.format(n=number, a=public, i=internal)
    url = f"{world.url}{API}{path}"
    if path == "/events":
        with httpx.stream("GET", url, headers=world.headers[role], timeout=10) as response:
            if response.status_code != 200:
                response.read()
            return response, number
    return httpx.request(action.method, url, headers=world.headers[role], json=action.body, timeout=10), number


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TABLE))
def test_permission_matrix(world: World, name: str, role: str) -> None:
    action = TABLE[name]
    expected = action.expected[ROLES.index(role)]
    response, number = call(world, action, role)
    assert response.status_code == expected, (name, role, response.text[:300])
    if expected >= 400:
        body = response.json()["error"]
        assert body["code"] in {"nao_autenticado", "proibido", "nao_encontrado"}
        assert body["message"] and "Forbidden" not in body["message"]
        # A refused change leaves the ticket as it was.
        assert len(world.service.get_ticket("chefe", number).timeline) == {"plain": 1, "note": 3, "resolved": 3,
                                                                            "sei_forwarded": 3}[action.setup]
    if name == "list" and expected == 200:
        numbers = {t["number"] for t in response.json()["items"]}
        assert (number in numbers) == (role in {"owner", "agent_area", "manager", "admin"})
    if name == "get" and role == "owner":
        assert not any(entry["internal"] for entry in response.json()["timeline"])


@pytest.mark.parametrize("role", ["owner", "other"])
def test_internal_notes_never_reach_requesters(world: World, role: str) -> None:
    number, _, internal = world.ticket("note")
    headers = world.headers[role]
    ticket = httpx.get(f"{world.url}{API}/tickets/{number}", headers=headers)
    if role == "owner":
        body = ticket.json()
        assert [e["kind"] for e in body["timeline"]] == ["created"]
        assert "interno.txt" not in ticket.text and "Só a equipe vê" not in ticket.text
        assert all(a["id"] != internal for a in body["attachments"])
        actions: dict[str, str | None] = body["actions"]
        assert actions["note"] is not None and actions["resolve"] is not None
    else:
        assert ticket.status_code == 403 and "Só a equipe" not in ticket.text
    listing = httpx.get(f"{world.url}{API}/tickets", params={"scope": "visible", "search": "equipe"}, headers=headers)
    assert number not in listing.text


def test_a_requester_listing_is_theirs_even_when_asking_for_everything(world: World) -> None:
    world.ticket("plain")
    response = httpx.get(f"{world.url}{API}/tickets", headers=world.headers["other"],
                         params={"scope": "visible", "active_only": "false", "limit": 500, "assignee": "none"})
    assert response.status_code == 200
    assert {t["requester_login"] for t in response.json()["items"]} <= {"outro"}


def test_agents_of_another_area_see_nothing_of_it(world: World) -> None:
    number, _, _ = world.ticket("plain")
    response = httpx.get(f"{world.url}{API}/tickets", headers=world.headers["agent_other"],
                         params={"scope": "visible", "active_only": "false", "limit": 500, "area": SISTEMAS})
    assert response.status_code == 200 and number not in response.text


def test_revoked_and_unknown_tokens_cannot_open_the_event_stream(world: World) -> None:
    for role in ("revoked", "no_token"):
        with httpx.stream("GET", f"{world.url}{API}/events", headers=world.headers[role], timeout=5) as response:
            response.read()
        assert response.status_code == 401
