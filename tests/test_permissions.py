"""Who may do what on a shared server: every role × every endpoint, against a real server.

Two tables: each action names its request and, per role, the status the server must
answer. Tickets: each case gets a fresh ticket of ``dono`` (a requester) in the Sistemas
area. SGTA (audit trails): the same users with SGTA memberships, each case a fresh record
of the unit ``UNIT`` on the ``acumulacao`` trail (area DAP), in the state the action needs.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from backend.accounts import Accounts
from backend.domain import NewAttachment, NewTicket, Role
from backend.service import HelpdeskService
from backend.sgta.domain import Decision, MemberRole, RecordQuery, SgtaAction, SgtaRequest
from backend.sgta.service import SgtaService
from backend.store import Store
from tests.contract.conftest import ORIENTACAO, SISTEMAS
from tests.contract.test_tickets import SEED_EXAMPLE
from tests.server_helper import running_server

API = "/api/v1"
ROLES = ("owner", "other", "agent_area", "agent_other", "manager", "admin", "no_token", "revoked")
LOGINS = {"owner": "dono", "other": "outro", "agent_area": "bruno", "agent_other": "carla", "manager": "gestor",
          "admin": "chefe"}

# SGTA's sides are memberships, not helpdesk roles: the same users, seen from SGTA.
SGTA_ROLES = ("analyst", "analyst_other", "gestor", "gestor_other", "admin", "outsider", "no_token", "revoked")
# SGTA role -> the ticket role whose user (and token) plays it.
SGTA_AS = {"analyst": "owner", "analyst_other": "other", "gestor": "agent_area", "gestor_other": "agent_other",
           "admin": "admin", "outsider": "manager", "no_token": "no_token", "revoked": "revoked"}
DAP = "DAP – Diretoria de Atos de Pessoal"
DLC = "DLC – Diretoria de Licitações e Contratações"
UNIT = "Prefeitura de Joinville"
OTHER_UNIT = "Prefeitura de Blumenau"
# The helpdesk manager ("gestor") and the admin have no membership: a helpdesk role gives nothing in SGTA,
# except that administrators act as gestores of every area.
SGTA_MEMBERS = (("dono", MemberRole.ANALYST, UNIT), ("outro", MemberRole.ANALYST, OTHER_UNIT),
                ("bruno", MemberRole.GESTOR, DAP), ("carla", MemberRole.GESTOR, DLC))
_tags = itertools.count(1)


def sgta_csv(unit: str, tag: str) -> bytes:
    """One record of ``unit`` for the ``acumulacao`` trail; ``tag`` (its matrícula) finds it again."""
    rows = ("Unidade Gestora;Matrícula;Servidor;Cargos acumulados", f"{unit};{tag};Servidor {tag};Professor + Médico")
    return ("\n".join(rows) + "\n").encode()


@dataclasses.dataclass
class World:
    """The server, its service and a token per role."""

    url: str
    service: HelpdeskService
    headers: dict[str, dict[str, str]]
    sgta: SgtaService

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
        elif setup == "citsmart_resolved":
            from tests.contract.test_evaluations import UASG

            ticket = self.service.create_ticket("dono", UASG)
            self.service.resolve("chefe", ticket.number, "UASG reativada.")
            return ticket.number, 0, None
        return ticket.number, ticket.attachments[0].id, internal

    def record(self, setup: str) -> tuple[int, int | None]:
        """A fresh record of ``UNIT`` on ``acumulacao`` in the state ``setup`` names, and (``doc``) a document id."""
        sgta = self.sgta
        if setup == "overdue":
            # Loaded 40 days ago: past the 30-day justification deadline, so it may be invoked.
            sgta = SgtaService(self.service, clock=lambda: self.service.clock() - timedelta(days=40))
        record = sgta.import_csv("bruno", "acumulacao", sgta_csv(UNIT, f"r{next(_tags)}")).first_id
        assert record is not None
        doc = None
        if setup == "doc":
            attached = self.sgta.act("dono", record, SgtaRequest(
                SgtaAction.ATTACH, attachments=(NewAttachment("escala.pdf", b"%PDF-1.4 escala"),)))
            doc = attached.documents[-1].id
        if setup in ("justified", "change", "monitoring"):
            self.sgta.act("dono", record, SgtaRequest(SgtaAction.JUSTIFY, agree=False, text="Horários compatíveis."))
        if setup == "change":
            self.sgta.act("dono", record, SgtaRequest(SgtaAction.REQUEST_CHANGE, text="Faltou a escala."))
        if setup == "monitoring":
            self.sgta.act("bruno", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.MONITOR,
                                                       text="Acompanhar.", until=date.fromisoformat(FUTURE)))
        return record, doc


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
    sgta = SgtaService(service)
    for login, member_role, place in SGTA_MEMBERS:
        sgta.add_member(login, member_role, place)
    # The other unit's analyst has a record of their own on the same trail.
    sgta.import_csv("bruno", "acumulacao", sgta_csv(OTHER_UNIT, "outra-unidade"))
    with running_server(db, service) as url:
        yield World(url, service, headers, sgta)
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
    upload: str = ""  # SGTA: "csv" (a fresh trail file) or "pdf" (a document), sent as multipart


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
    "knowledge": Action("GET", "/desks/ecage/knowledge?q=acesso", ALL),
    # Only the requester evaluates; the UASG ticket is outside every area but the admin's.
    "evaluate": Action("POST", "/tickets/{n}/evaluate", (200, 403, 403, 403, 403, 403, 401, 401), {"score": 5},
                       "citsmart_resolved"),
    # Only the admin works SEI's technical unit here; the e-CAGE staff never see the ticket.
    "track": Action("POST", "/tickets/{n}/track", (403, 403, 403, 403, 403, 200, 401, 401),
                    {"text": "Acompanhar."}, "sei_forwarded"),
}


def operation(path: str) -> str:
    """The schema's path of a table entry's request path."""
    path = path.split("?")[0]
    for short, name in (("{n}", "{number}"), ("{a}", "{attachment_id}"), ("{i}", "{attachment_id}"),
                        ("{r}", "{record_id}"), ("{d}", "{doc_id}"), ("/desks/ecage", "/desks/{desk_id}"),
                        ("/sgta/trails/acumulacao", "/sgta/trails/{trail_id}")):
        path = path.replace(short, name)
    return API + re.sub(r"^(/sgta/records/\{record_id\})/[a-z_]+$", r"\1/{action}", path)


def test_the_table_covers_every_endpoint(world: World) -> None:
    schema = httpx.get(f"{world.url}/openapi.json").json()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item
                  if path.startswith(API)}
    covered = {(a.method, operation(a.path)) for a in (*TABLE.values(), *SGTA_TABLE.values())}
    assert operations == covered


def test_the_sgta_table_covers_every_record_action() -> None:
    # One schema operation does every action on a record; each action has its own rules, so its own row.
    acted = {a.path.rsplit("/", 1)[1] for a in SGTA_TABLE.values() if operation(a.path).endswith("{action}")}
    assert acted == {action.value for action in SgtaAction}


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
                                                                            "sei_forwarded": 3,
                                                                            "citsmart_resolved": 3}[action.setup]
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


# -- SGTA: audit trails ----------------------------------------------------------------------------------------

# In SGTA_ROLES order: analyst, analyst_other, gestor, gestor_other, admin, outsider, no_token, revoked.
SGTA_ALL = (200, 200, 200, 200, 200, 200, 401, 401)
SEES_RECORD = (200, 403, 200, 403, 200, 403, 401, 401)
UNIT_SIDE = (200, 403, 403, 403, 403, 403, 401, 401)
GESTOR_SIDE = (403, 403, 200, 403, 200, 403, 401, 401)
# Who sees the record of ``UNIT``: the rest must not learn even whose it is.
SEERS = {"analyst", "gestor", "admin"}

SGTA_TABLE: dict[str, Action] = {
    "sgta_trails": Action("GET", "/sgta/trails", SGTA_ALL),
    "sgta_trail": Action("GET", "/sgta/trails/acumulacao", SGTA_ALL),
    "sgta_gestores": Action("GET", "/sgta/trails/acumulacao/gestores", GESTOR_SIDE),
    "sgta_import": Action("POST", "/sgta/trails/acumulacao/import", (403, 403, 201, 403, 201, 403, 401, 401),
                          upload="csv"),
    # The other unit's analyst lists the trail too, but only their unit's records.
    "sgta_records": Action("GET", "/sgta/records?trail=acumulacao&limit=500", (200, 200, 200, 403, 200, 403, 401, 401)),
    "sgta_record": Action("GET", "/sgta/records/{r}", SEES_RECORD),
    "sgta_download": Action("GET", "/sgta/records/{r}/docs/{d}", SEES_RECORD, setup="doc"),
    "sgta_counts": Action("GET", "/sgta/counts", SGTA_ALL),
    # Each action in a state that allows it, so the answer is about who asks.
    "sgta_open": Action("POST", "/sgta/records/{r}/abrir", UNIT_SIDE, {}, "pending"),
    "sgta_justify": Action("POST", "/sgta/records/{r}/justificar", UNIT_SIDE,
                           {"agree": True, "text": "Cargos acumuláveis."}, "pending"),
    "sgta_request_change": Action("POST", "/sgta/records/{r}/pedir_alteracao", UNIT_SIDE,
                                  {"text": "Faltou anexar a portaria."}, "justified"),
    "sgta_attach": Action("POST", "/sgta/records/{r}/anexar", SEES_RECORD, {}, "pending", upload="pdf"),
    "sgta_observe": Action("POST", "/sgta/records/{r}/observar", GESTOR_SIDE, {"text": "Ver a portaria."}, "pending"),
    "sgta_analyse": Action("POST", "/sgta/records/{r}/analisar", GESTOR_SIDE, {}, "justified"),
    "sgta_validate": Action("POST", "/sgta/records/{r}/validar", GESTOR_SIDE,
                            {"decision": "arquivar", "text": "Justificativa aceita."}, "justified"),
    "sgta_decide_change": Action("POST", "/sgta/records/{r}/decidir_alteracao", GESTOR_SIDE,
                                 {"accept": False, "text": "A portaria já consta."}, "change"),
    "sgta_change_monitoring": Action("POST", "/sgta/records/{r}/alterar_monitoramento", GESTOR_SIDE,
                                     {"until": (date.today() + timedelta(days=20)).isoformat(), "text": "Prorrogar."},
                                     "monitoring"),
    "sgta_end_monitoring": Action("POST", "/sgta/records/{r}/encerrar_monitoramento", GESTOR_SIDE, {}, "monitoring"),
    "sgta_reopen": Action("POST", "/sgta/records/{r}/reabrir", GESTOR_SIDE, {"text": "Fato novo."}, "monitoring"),
    "sgta_invoke": Action("POST", "/sgta/records/{r}/invocar", GESTOR_SIDE, {}, "overdue"),
    "sgta_distribute": Action("POST", "/sgta/records/{r}/distribuir", GESTOR_SIDE, {"to": "bruno"}, "justified"),
}


def sgta_call(world: World, action: Action, role: str, record: int, doc: int | None) -> tuple[httpx.Response, str]:
    """Send the action's request about ``record`` as ``role``; the response and the tag of the CSV it may send."""
    url = f"{world.url}{API}{action.path.format(r=record, d=doc)}"
    headers = world.headers[SGTA_AS[role]]
    tag = f"imp{next(_tags)}"
    if not action.upload:
        return httpx.request(action.method, url, headers=headers, json=action.body, timeout=10), tag
    upload = sgta_csv(UNIT, tag) if action.upload == "csv" else b"%PDF-1.4 comprovante"
    name = "registros.csv" if action.upload == "csv" else "comprovante.pdf"
    response = httpx.request(action.method, url, headers=headers, timeout=10,
                             data={"payload": json.dumps(action.body or {})},
                             files=[("files", (name, upload, "application/octet-stream"))])
    return response, tag


def sgta_trace(world: World, record: int) -> tuple[int, int]:
    """The record's version and number of events, as an administrator sees them."""
    found = world.sgta.record("chefe", record)
    return found.version, len(found.events)


@pytest.mark.parametrize("role", SGTA_ROLES)
@pytest.mark.parametrize("name", list(SGTA_TABLE))
def test_sgta_permission_matrix(world: World, name: str, role: str) -> None:
    action = SGTA_TABLE[name]
    expected = action.expected[SGTA_ROLES.index(role)]
    record, doc = world.record(action.setup)
    before = sgta_trace(world, record)
    response, tag = sgta_call(world, action, role, record, doc)
    assert response.status_code == expected, (name, role, response.text[:300])
    imported = world.sgta.records("chefe", RecordQuery("acumulacao", search=tag)).total
    assert imported == (1 if name == "sgta_import" and expected == 201 else 0)
    if expected >= 400:
        body = response.json()["error"]
        assert body["code"] in {"nao_autenticado", "proibido", "nao_encontrado"}
        assert body["message"] and "Forbidden" not in body["message"]
        # A refused action leaves the record as it was.
        assert sgta_trace(world, record) == before
        if role not in SEERS:
            # Not even whose the record is, or what it holds, reaches those who may not see it.
            assert UNIT not in response.text and "Servidor r" not in response.text
    elif action.method == "POST" and name != "sgta_import":
        assert response.json()["id"] == record and sgta_trace(world, record)[0] > before[0]
    if name == "sgta_records" and expected == 200:
        items = response.json()["items"]
        assert (record in {r["id"] for r in items}) == (role in SEERS)
        seen_units = {r["unit"] for r in items}
        assert seen_units == {"analyst": {UNIT}, "analyst_other": {OTHER_UNIT}}.get(role, {UNIT, OTHER_UNIT})
    if name == "sgta_download" and expected == 200:
        assert response.content == b"%PDF-1.4 escala"


# What each SGTA role may access in the trail selection table ("permitido").
PERMITTED = {"analyst": {"acumulacao"}, "analyst_other": {"acumulacao"}, "gestor": {"acumulacao", "obito"},
             "gestor_other": {"fornecedor_servidor"}, "admin": {"acumulacao", "obito", "fornecedor_servidor"},
             "outsider": set()}


@pytest.mark.parametrize("role", list(PERMITTED))
def test_sgta_trails_count_only_what_the_user_may_access(world: World, role: str) -> None:
    world.record("pending")
    response = httpx.get(f"{world.url}{API}/sgta/trails", headers=world.headers[SGTA_AS[role]], timeout=10)
    rows = response.json()
    assert {r["trail"]["id"] for r in rows if r["permitted"]} == PERMITTED[role]
    # The trails one may not access show no numbers: how many records other units have is not theirs to know.
    assert all(r["total"] == 0 for r in rows if not r["permitted"])
    counts = httpx.get(f"{world.url}{API}/sgta/counts", headers=world.headers[SGTA_AS[role]], timeout=10).json()
    if role in ("outsider", "gestor_other"):
        assert not any(counts.values())


def test_the_gestor_draft_never_reaches_the_unit(world: World) -> None:
    record, _ = world.record("justified")
    world.sgta.act("bruno", record, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.DRAFT,
                                                text="Rascunho sigiloso do parecer."))
    analyst = httpx.get(f"{world.url}{API}/sgta/records/{record}", headers=world.headers[SGTA_AS["analyst"]])
    assert analyst.status_code == 200 and "sigiloso" not in analyst.text
    gestor = httpx.get(f"{world.url}{API}/sgta/records/{record}", headers=world.headers[SGTA_AS["gestor"]])
    assert gestor.json()["draft"] == "Rascunho sigiloso do parecer."


def test_a_document_is_reached_only_through_its_own_record(world: World) -> None:
    own, _ = world.record("pending")
    other = world.sgta.import_csv("bruno", "acumulacao", sgta_csv(OTHER_UNIT, f"d{next(_tags)}")).first_id
    assert other is not None
    attached = world.sgta.act("outro", other, SgtaRequest(
        SgtaAction.ATTACH, attachments=(NewAttachment("sigilo.pdf", b"%PDF-1.4 sigilo"),)))
    # The analyst of UNIT names their own record and the other unit's document.
    response = httpx.get(f"{world.url}{API}/sgta/records/{own}/docs/{attached.documents[-1].id}",
                         headers=world.headers[SGTA_AS["analyst"]], timeout=10)
    assert response.status_code == 404 and b"sigilo" not in response.content
