"""The HTTP server: the helpdesk service as a JSON API described by OpenAPI.

``demandas serve`` runs it. Until accounts exist the server trusts the user
named in the ``X-Demandas-User`` header, so it listens on loopback only and
answers only requests addressed to a loopback name (a web page that rebinds its
DNS name to 127.0.0.1 must not read the tickets).
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints'
# annotations at runtime, and they name aliases local to create_app().
import ipaddress
import json
import socket
import sqlite3
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

import uvicorn
from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api_models import (
    MAX_BODY_BYTES,
    AssignIn,
    CommentIn,
    ErrorBody,
    ForwardIn,
    Health,
    MonitorIn,
    NewTicketIn,
    ProfileIn,
    ReasonIn,
    TextIn,
    TicketPage,
    body_too_large_message,
)
from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    Flag,
    QueueCounts,
    SortKey,
    Ticket,
    TicketQuery,
    User,
)
from backend.domain import Scope as TicketScope
from backend.errors import DemandasError, NotFound, TooLarge, Unauthenticated, Unavailable, ValidationFailed
from backend.service import MAX_PAGE, HelpdeskService
from backend.store import Store

API_PREFIX = "/api/v1"
USER_HEADER = "X-Demandas-User"
USER_NAME_HEADER = "X-Demandas-User-Name"
ATTACHMENT_HEADER = "X-Demandas-Attachment"
LOOPBACK_REFUSAL = "Recusado: sem contas de acesso, o servidor só escuta em 127.0.0.1/::1/localhost."
INTERNAL_ERROR = "Erro interno do servidor. Tente de novo; se persistir, avise quem administra o servidor."
SQLITE_MAX_INT = 2**63 - 1
# Past this, an oversized body is not read to the end: the connection is dropped.
_DRAIN_FACTOR = 4


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in ascii_name).strip() or "anexo"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_header(meta: Attachment) -> str:
    """The attachment's metadata as percent-encoded JSON (header values must be ASCII)."""
    data = {
        "id": meta.id,
        "name": meta.name,
        "size": meta.size,
        "content_type": meta.content_type,
        "created_at": meta.created_at.isoformat(),
    }
    return quote(json.dumps(data, ensure_ascii=False), safe="")


# -- validation messages ----------------------------------------------------

_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})
_OBJECT_TYPES = frozenset({"dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type"})


def _reason(kind: str, ctx: Mapping[str, Any]) -> str:
    """The pt-BR reason for one pydantic error type."""
    if kind in {"int_parsing", "int_type", "int_from_float", "int_parsing_size"}:
        return "deve ser um número inteiro"
    if kind in {"bool_parsing", "bool_type"}:
        return "deve ser verdadeiro ou falso (true/false)"
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace(" or ", " ou ")
        return f"deve ser um destes valores: {expected}"
    if kind == "string_type":
        return "deve ser um texto"
    if kind in _OBJECT_TYPES:
        return "deve ser um objeto JSON"
    if kind in {"list_type", "tuple_type"}:
        return "deve ser uma lista"
    bounds = {
        "greater_than_equal": ("maior ou igual a", "ge"),
        "greater_than": ("maior que", "gt"),
        "less_than_equal": ("menor ou igual a", "le"),
        "less_than": ("menor que", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"deve ser {words} {ctx.get(key)}"
    if kind.startswith("date_"):
        return "deve ser uma data no formato AAAA-MM-DD"
    if kind == "string_too_long":
        return f"deve ter no máximo {ctx.get('max_length')} caracteres"
    if kind == "value_error" and ctx.get("error"):
        # Our own validators (base64) raise ValueError with pt-BR text.
        return str(ctx["error"])
    return "valor inválido"


def describe_validation_error(error: Mapping[str, Any]) -> tuple[str, str | None]:
    """A pt-BR message naming the field, and the top-level field name, for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    parts = loc[1:] if loc and loc[0] in _SOURCES else loc
    if kind == "json_invalid":
        where = f" (posição {parts[0]})" if parts else ""
        return f"O corpo da requisição não é um JSON válido{where}.", None
    if loc[:1] == ("body",) and not parts:
        if kind == "missing":
            return "Envie o corpo da requisição: um objeto JSON.", None
        return "O corpo da requisição deve ser um objeto JSON (Content-Type: application/json).", None
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") or "?"
    field = str(parts[0]) if parts else None
    if kind == "missing":
        return f"Campo obrigatório ausente: {path}.", field
    return f"Campo inválido: {path} — {_reason(kind, ctx)}.", field


# -- error responses ----------------------------------------------------------


def _error(status: int, code: str, message: str, field: str | None = None,
           headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}},
                        status_code=status, headers=headers)


async def _demandas_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DemandasError)
    body = exc.to_dict()
    return _error(exc.http_status, body["code"], body["message"], body["field"])


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Mapping[str, Any]] = exc.errors()
    # One message is enough for a form: the first error, like the service does.
    message, field = describe_validation_error(errors[0]) if errors else ("Requisição inválida.", None)
    return _error(422, ValidationFailed.code, message, field)


class _BodyTooLarge(StarletteHTTPException):
    """Raised from the guarded ``receive``: FastAPI re-raises HTTP exceptions unchanged."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    where = f"{request.method} {request.url.path}"
    headers = exc.headers
    if isinstance(exc, _BodyTooLarge):
        return _error(413, TooLarge.code, str(exc.detail))
    if exc.status_code == 400:
        # FastAPI's only 400: a body json.loads could not even decode (not UTF-8/16/32).
        return _error(422, ValidationFailed.code, "O corpo da requisição não é um JSON válido em UTF-8.")
    if exc.status_code == 404:
        return _error(404, NotFound.code, f"Endereço não encontrado: {where}.", headers=headers)
    if exc.status_code == 405:
        return _error(405, "metodo_nao_permitido", f"Método não permitido: {where}.", headers=headers)
    if exc.status_code == 413:
        return _error(413, TooLarge.code, body_too_large_message(None, MAX_BODY_BYTES), headers=headers)
    return _error(exc.status_code, DemandasError.code,
                  f"Requisição recusada pelo servidor (HTTP {exc.status_code}).", headers=headers)


async def _database_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, sqlite3.OperationalError)
    if "locked" in str(exc) or "busy" in str(exc):
        return _error(503, Unavailable.code, "O banco de dados está ocupado; tente de novo em instantes.")
    raise exc  # any other database failure is a bug: the 500 handler answers it


async def _internal_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after this, so the server log still gets the traceback.
    return _error(500, "interno", INTERNAL_ERROR)


# -- ASGI guard: Host header and body size ------------------------------------


class _Guard:
    """Refuses non-loopback Host headers and bodies over the limit, before any parsing."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, loopback_only: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = _host_name(headers.get("host", ""))
        # HTTP/1.0 clients may omit Host; browsers never do, so rebinding still fails.
        if self.loopback_only and host and not is_loopback_host(host):
            response = _error(400, DemandasError.code,
                              f"Endereço {host!r} recusado: sem contas de acesso, o servidor só atende "
                              "por 127.0.0.1, ::1 ou localhost.")
            await response(scope, receive, send)
            return
        declared = _content_length(headers)
        if declared is not None and declared > self.max_body_bytes:
            # Reading the rest lets the client see the answer instead of a broken pipe.
            if declared <= self.max_body_bytes * _DRAIN_FACTOR:
                await self._drain(receive)
            await _error(413, TooLarge.code, body_too_large_message(declared, self.max_body_bytes))(
                scope, receive, send)
            return
        total = 0

        async def limited_receive() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_body_bytes:
                    if message.get("more_body", False):
                        await self._drain(receive)
                    raise _BodyTooLarge(body_too_large_message(None, self.max_body_bytes))
            return message

        await self.app(scope, limited_receive, send)

    async def _drain(self, receive: Receive) -> None:
        drained = 0
        while drained <= self.max_body_bytes * _DRAIN_FACTOR:
            message = await receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def _host_name(host: str) -> str:
    """The name part of a Host header (``[::1]:8765`` → ``[::1]``)."""
    host = host.strip()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


# -- the application ----------------------------------------------------------

_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "Usuário não informado no cabeçalho X-Demandas-User."),
        (403, "Ação não permitida para este usuário."),
        (404, "Demanda, anexo ou balcão não encontrado."),
        (409, "A ação não cabe no estado atual da demanda."),
        (413, "Arquivo ou requisição acima do limite."),
        (422, "Campo ausente ou inválido."),
        (500, "Erro interno do servidor."),
    )
}

_user_header = APIKeyHeader(
    name=USER_HEADER,
    scheme_name="usuario",
    description="Login de quem age (codificado em URL se tiver caracteres fora do ASCII). "
    "Sem contas de acesso ainda: o servidor confia neste cabeçalho e só escuta em loopback.",
    auto_error=False,
)


def _operation_id(route: APIRoute) -> str:
    """Operation ids are the endpoint function names: stable and readable in clients."""
    return route.name


def _app_version() -> str:
    try:
        return version("demandas")
    except PackageNotFoundError:
        return "0.0.0"


def create_app(service: HelpdeskService, *, max_body_bytes: int = MAX_BODY_BYTES,
               loopback_only: bool = True) -> FastAPI:
    """The FastAPI application over ``service`` (``loopback_only``: refuse other Host headers)."""
    app = FastAPI(
        title="Demandas",
        version=_app_version(),
        description="API do Demandas: abrir, acompanhar e atender demandas (chamados).",
        redirect_slashes=False,  # a 307 to another path would reach clients as an unexpected answer
        generate_unique_id_function=_operation_id,
    )
    app.add_middleware(_Guard, max_body_bytes=max_body_bytes, loopback_only=loopback_only)
    app.add_exception_handler(DemandasError, _demandas_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sqlite3.OperationalError, _database_error)
    app.add_exception_handler(Exception, _internal_error)

    def actor(
        login: Annotated[str | None, Depends(_user_header)],
        name: Annotated[str | None, Header(alias=USER_NAME_HEADER,
                                           description="Nome de exibição (codificado em URL), usado "
                                                       "quando o usuário aparece pela primeira vez.")] = None,
    ) -> str:
        """The acting user's login, created on first sight."""
        if login is None:
            raise Unauthenticated(f"Informe o usuário no cabeçalho {USER_HEADER}.", field="user")
        user = service.ensure_user(unquote(login), unquote(name) if name else None)
        return user.login

    Actor = Annotated[str, Depends(actor)]
    api = APIRouter(prefix=API_PREFIX, responses=_ERROR_RESPONSES)

    @app.get("/health", tags=["servidor"])
    def health() -> Health:
        """The server is up (no user needed)."""
        return Health()

    @api.get("/me", tags=["usuário"])
    def whoami(login: Actor) -> User:
        """The acting user's profile."""
        return service.whoami(login)

    @api.put("/me", tags=["usuário"])
    def update_profile(login: Actor, body: ProfileIn) -> User:
        """Change the acting user's e-mail, phone, cargo and name ("Meus Dados")."""
        return service.update_profile(login, body.to_domain())

    @api.get("/desks", tags=["balcões"])
    def list_desks(login: Actor) -> list[DeskInfo]:
        """Every desk this server serves."""
        return service.desks()

    @api.get("/desks/{desk_id}", tags=["balcões"])
    def get_desk(login: Actor, desk_id: str) -> DeskInfo:
        """One desk's form, catalog and rules."""
        return service.desk(desk_id)

    @api.get("/tickets", tags=["demandas"])
    def list_tickets(
        login: Actor,
        scope: TicketScope = TicketScope.MINE,
        active_only: bool = True,
        status: str | None = None,
        search: str = "",
        sort: SortKey = SortKey.CREATED,
        descending: bool = True,
        # The service checks the window (same message as the local adapter); the bound
        # only keeps absurd numbers from overflowing SQLite's 64-bit integers.
        offset: Annotated[int, Query(le=SQLITE_MAX_INT)] = 0,
        limit: Annotated[int, Query(le=SQLITE_MAX_INT, description=f"Entre 1 e {MAX_PAGE}.")] = 50,
        desk: str | None = None,
        assignee: str | None = None,
        area: str | None = None,
        overdue: bool = False,
        flag: Flag | None = None,
    ) -> TicketPage:
        """One page of the tickets the user may see, with the total count."""
        query = TicketQuery(scope=scope, active_only=active_only, status=status, search=search, sort=sort,
                            descending=descending, offset=offset, limit=limit, desk=desk, assignee=assignee,
                            area=area, overdue=overdue, flag=flag)
        page = service.list_tickets(login, query)
        return TicketPage(items=list(page.items), total=page.total, offset=page.offset, limit=page.limit)

    @api.get("/tickets/{number}", tags=["demandas"])
    def get_ticket(login: Actor, number: str) -> Ticket:
        """A ticket with its timeline and the actions the user may take."""
        return service.get_ticket(login, number)

    @api.post("/tickets", status_code=201, tags=["demandas"])
    def create_ticket(login: Actor, body: NewTicketIn) -> Ticket:
        """Open a ticket."""
        return service.create_ticket(login, body.to_domain())

    @api.post("/tickets/{number}/comments", tags=["demandas"])
    def comment(login: Actor, number: str, body: CommentIn) -> Ticket:
        """Add a comment and/or attachments."""
        return service.comment(login, number, body.text, body.files())

    @api.post("/tickets/{number}/cancel", tags=["demandas"])
    def cancel(login: Actor, number: str, body: Annotated[ReasonIn | None, Body()] = None) -> Ticket:
        """Cancel an active ticket (the reason is optional)."""
        return service.cancel(login, number, body.reason if body else "")

    @api.post("/tickets/{number}/resolve", tags=["demandas"])
    def resolve(login: Actor, number: str, body: TextIn) -> Ticket:
        """Resolve a ticket with the answer given (agents and managers)."""
        return service.resolve(login, number, body.text)

    @api.post("/tickets/{number}/reopen", tags=["demandas"])
    def reopen(login: Actor, number: str, body: ReasonIn) -> Ticket:
        """Reopen a resolved or canceled ticket with a justification."""
        return service.reopen(login, number, body.reason)

    @api.get("/queue/counts", tags=["atendimento"])
    def queue_counts(login: Actor) -> QueueCounts:
        """What awaits the user: distribution, own queue, overdue, monitoring over (zero for requesters)."""
        return service.queue_counts(login)

    @api.get("/agents", tags=["atendimento"])
    def agents(login: Actor, area: str | None = None) -> list[AgentLoad]:
        """Staff (of ``area``) with how many open tickets each holds now."""
        return service.agents(login, area)

    @api.post("/tickets/{number}/reply", tags=["atendimento"])
    def reply(login: Actor, number: str, body: CommentIn) -> Ticket:
        """A public answer from staff, with optional files."""
        return service.reply(login, number, body.text, body.files())

    @api.post("/tickets/{number}/note", tags=["atendimento"])
    def note(login: Actor, number: str, body: CommentIn) -> Ticket:
        """An internal note: staff only, never shown to the requester."""
        return service.note(login, number, body.text, body.files())

    @api.post("/tickets/{number}/ask", tags=["atendimento"])
    def ask(login: Actor, number: str, body: TextIn) -> Ticket:
        """Ask the requester for more information; the ticket waits for them."""
        return service.ask(login, number, body.text)

    @api.post("/tickets/{number}/assign", tags=["atendimento"])
    def assign(login: Actor, number: str, body: AssignIn) -> Ticket:
        """Distribute the ticket to an agent of its area (managers)."""
        return service.assign(login, number, body.to)

    @api.post("/tickets/{number}/take", tags=["atendimento"])
    def take(login: Actor, number: str) -> Ticket:
        """Reserve the ticket for the user, taking it over from whoever held it."""
        return service.take(login, number)

    @api.post("/tickets/{number}/forward", tags=["atendimento"])
    def forward(login: Actor, number: str, body: ForwardIn) -> Ticket:
        """Send the ticket to another area of its desk, with the reason."""
        return service.forward(login, number, body.area, body.reason)

    @api.post("/tickets/{number}/monitor", tags=["atendimento"])
    def monitor(login: Actor, number: str, body: MonitorIn) -> Ticket:
        """Keep the ticket in monitoring through a future date."""
        return service.monitor(login, number, body.until, body.reason)

    @api.get(
        "/tickets/{number}/attachments/{attachment_id}",
        tags=["demandas"],
        response_class=Response,
        responses={200: {
            "description": "O conteúdo do arquivo, com o tipo guardado.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "Content-Disposition": {"description": "attachment; filename=...; filename*=UTF-8''...",
                                        "schema": {"type": "string"}},
                ATTACHMENT_HEADER: {"description": "Metadados do anexo (id, name, size, content_type, "
                                                   "created_at) em JSON codificado em URL.",
                                    "schema": {"type": "string"}},
            },
        }},
    )
    def download(login: Actor, number: str, attachment_id: Annotated[int, PathParam(le=SQLITE_MAX_INT)]) -> Response:
        """An attachment's bytes."""
        meta, data = service.attachment(login, number, attachment_id)
        return Response(content=data, headers={
            # Set by hand: media_type= would append "; charset=utf-8" to text types.
            "Content-Type": meta.content_type,
            "Content-Disposition": content_disposition(meta.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            ATTACHMENT_HEADER: attachment_header(meta),
        })

    app.include_router(api)
    return app


# -- running it ---------------------------------------------------------------


def check_loopback(host: str) -> None:
    """Raise ValueError (pt-BR) unless ``host`` is a loopback address or ``localhost``."""
    if not is_loopback_host(host):
        raise ValueError(f"{LOOPBACK_REFUSAL} Endereço pedido: {host!r}.")


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; OSError with a pt-BR message if the port is taken."""
    check_loopback(host)
    name = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    address = "127.0.0.1" if name == "localhost" else name
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"Não foi possível escutar em {address}:{port}: {exc.strerror or exc}. "
                      "A porta já está em uso? Escolha outra.") from exc
    return sock


def server_url(sock: socket.socket, host: str) -> str:
    """The base URL clients use for a bound socket."""
    port = sock.getsockname()[1]
    name = host.strip().removeprefix("[").removesuffix("]")
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the API on ``host:port`` (loopback only); returns after Ctrl+C."""
    sock = bind_socket(host, port)
    store = Store(db_path)
    try:
        app = create_app(HelpdeskService(store))
        print(f"Servidor Demandas em {server_url(sock, host)} (banco: {db_path})", file=sys.stderr)
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully, then re-raises the Ctrl+C it captured: stopping is not an error.
        pass
    finally:
        store.close()
        sock.close()
