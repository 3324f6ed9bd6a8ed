"""The HTTP server: the helpdesk service as a JSON API described by OpenAPI.

``demandas serve`` runs it. Every call but ``/health`` and the schema carries
``Authorization: Bearer <token>``; the server derives the user from the token
(``demandas admin tokens create``). It may listen beyond loopback; on a loopback
bind it still answers only requests addressed to a loopback name (a web page
that rebinds its DNS name to 127.0.0.1 must not even reach the API).
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints'
# annotations at runtime, and they name aliases local to create_app().
import asyncio
import functools
import ipaddress
import json
import re
import socket
import sqlite3
import sys
import threading
import time
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import quote

import uvicorn
from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.accounts import Accounts
from backend.api_models import (
    MAX_BODY_BYTES,
    MAX_UPLOAD_BYTES,
    AssignIn,
    CommentIn,
    ErrorBody,
    EvaluationIn,
    ForwardIn,
    Health,
    MonitorIn,
    NewTicketIn,
    ProfileIn,
    ReasonIn,
    SgtaActionIn,
    SgtaImportIn,
    SgtaRecordPage,
    TextIn,
    TicketPage,
    body_too_large_message,
)
from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    Flag,
    KnowledgeArticle,
    NewAttachment,
    Page,
    QueueCounts,
    SortKey,
    Ticket,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.domain import Scope as TicketScope
from backend.errors import (
    DemandasError,
    NotFound,
    TooLarge,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from backend.events import EventHub, visible_to
from backend.notify import Notifier, SmtpSettings, start_notifier
from backend.service import MAX_PAGE, HelpdeskService
from backend.sgta import domain as sgta_domain
from backend.sgta import service as sgta_service
from backend.sgta.domain import (
    GestorLoad,
    ImportResult,
    RecordQuery,
    SgtaAction,
    SgtaCounts,
    SgtaRecord,
    SgtaRequest,
    SgtaStatus,
)
from backend.sgta.domain import Trail as SgtaTrail
from backend.sgta.domain import TrailSummary as SgtaTrailSummary
from backend.store import EventRecord, Store
from backend.uploads import UploadLimits, read_multipart

API_PREFIX = "/api/v1"
ATTACHMENT_HEADER = "X-Demandas-Attachment"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 200
LOGIN_HEADER = "X-Demandas-Login"
#: On a listing: the event stream's position before the page was read. A client that opens the
#: stream later (Last-Event-ID) misses nothing that changed after its first page.
EVENT_POSITION_HEADER = "X-Demandas-Event-Id"
INSECURE_WARNING = (
    "Atenção: o servidor escuta em {host}, fora do loopback, SEM criptografia (HTTP puro): tokens e demandas "
    "trafegam em texto claro pela rede. Use um túnel SSH (ssh -L {port}:127.0.0.1:{port} SERVIDOR) ou ponha "
    "um proxy reverso com TLS (nginx, Caddy) na frente."
)
INTERNAL_ERROR = "Erro interno do servidor. Tente de novo; se persistir, avise quem administra o servidor."
SQLITE_MAX_INT = 2**63 - 1
_TICKET_PAGE = TypeAdapter(TicketPage)
_TICKET = TypeAdapter(Ticket)
# Past this, an oversized body is not read to the end: the connection is dropped.
_DRAIN_FACTOR = 4
#: Event streams: the server's per-connection buffer, the open streams a user may hold,
#: and how many missed events a reconnecting client (Last-Event-ID) gets back.
EVENT_QUEUE_SIZE = 256
MAX_STREAMS_PER_USER = 8
EVENT_REPLAY_LIMIT = 1000
KEEPALIVE_SECONDS = 15.0
# Only these routes take multipart bodies, and only they get the larger upload limit.
_UPLOAD_PATH = re.compile(rf"^{API_PREFIX}/tickets(/[^/]+/(comments|reply|note))?$")
_SGTA_UPLOAD_PATH = re.compile(rf"^{API_PREFIX}/sgta/(trails/[^/]+/import|records/[^/]+/[a-z_]+)$")
T = TypeVar("T", bound=BaseModel)


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1).

    Remembered: the guard asks it of every request's Host header, and parsing the
    address was two thirds of the guard's time in the server profile (BENCHMARKS.md).
    """
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
        # Our own validators raise ValueError with pt-BR text.
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
        return ("O corpo da requisição deve ser um objeto JSON (Content-Type: application/json) "
                "ou, com arquivos, multipart/form-data.", None)
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
    headers = {"WWW-Authenticate": 'Bearer realm="demandas"'} if isinstance(exc, Unauthenticated) else None
    return _error(exc.http_status, body["code"], body["message"], body["field"], headers=headers)


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
    if exc.status_code == 401:
        return _error(401, Unauthenticated.code, _NO_TOKEN, "token",
                      headers={"WWW-Authenticate": 'Bearer realm="demandas"'})
    if exc.status_code == 400:
        # FastAPI's only 400: a body json.loads could not even decode (not UTF-8/16/32).
        return _error(422, ValidationFailed.code, "O corpo da requisição não é um JSON válido em UTF-8.")
    if exc.status_code == 404:
        return _error(404, NotFound.code, f"Endereço não encontrado: {where}.", headers=headers)
    if exc.status_code == 405:
        return _error(405, "metodo_nao_permitido", f"Método não permitido: {where}.", headers=headers)
    if exc.status_code == 413:
        return _error(413, TooLarge.code, body_too_large_message(None, MAX_BODY_BYTES), headers=headers)
    if exc.status_code == 415:
        return _error(415, ValidationFailed.code, "Tipo de conteúdo não suportado.", headers=headers)
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
    """Refuses non-loopback Host headers (loopback binds) and bodies over the limit, before any parsing."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int, loopback_only: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
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
                              f"Endereço {host!r} recusado: este servidor escuta só em loopback e atende "
                              "apenas por 127.0.0.1, ::1 ou localhost.")
            await response(scope, receive, send)
            return
        path = scope.get("path", "")
        upload = (scope.get("method") == "POST"
                  and (_UPLOAD_PATH.match(path) is not None or _SGTA_UPLOAD_PATH.match(path) is not None)
                  and headers.get("content-type", "").lower().startswith("multipart/form-data"))
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        declared = _content_length(headers)
        if declared is not None and declared > limit:
            # Reading the rest lets the client see the answer instead of a broken pipe.
            if declared <= limit * _DRAIN_FACTOR:
                await self._drain(receive, limit)
            await _error(413, TooLarge.code, body_too_large_message(declared, limit, upload=upload))(
                scope, receive, send)
            return
        total = 0

        async def limited_receive() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    if message.get("more_body", False):
                        await self._drain(receive, limit)
                    raise _BodyTooLarge(body_too_large_message(None, limit, upload=upload))
            return message

        await self.app(scope, limited_receive, send)

    async def _drain(self, receive: Receive, limit: int) -> None:
        drained = 0
        while drained <= limit * _DRAIN_FACTOR:
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

_NO_TOKEN = ("Informe o token de acesso no cabeçalho Authorization: Bearer <token>. "
             "Peça um token a quem administra o servidor e rode `demandas login URL`.")

_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "Token ausente, inválido ou revogado (Authorization: Bearer <token>)."),
        (403, "Ação não permitida para este usuário."),
        (404, "Demanda, anexo ou balcão não encontrado."),
        (409, "A ação não cabe no estado atual da demanda."),
        (412, "A demanda mudou desde a versão informada em If-Match."),
        (413, "Arquivo ou requisição acima do limite."),
        (422, "Campo ausente ou inválido."),
        (429, "Limite de uso do servidor atingido."),
        (500, "Erro interno do servidor."),
    )
}

_bearer = HTTPBearer(
    scheme_name="token",
    description="Token de acesso criado com `demandas admin tokens create LOGIN`.",
    auto_error=False,
)

IdempotencyKey = Annotated[str | None, Header(
    alias=IDEMPOTENCY_HEADER, max_length=MAX_IDEMPOTENCY_KEY,
    description="Identifica o envio (um UUID por envio lógico, repetido nas novas tentativas): a mesma chave "
                "devolve o resultado da primeira vez em vez de registrar de novo.")]
IfMatch = Annotated[str | None, Header(
    alias="If-Match", max_length=40,
    description='A ETag da demanda lida antes (ex.: "3"): se ela mudou desde então, a ação é recusada (412).')]
LastEventId = Annotated[str | None, Header(
    alias="Last-Event-ID", max_length=40,
    description="Id do último evento recebido: ao reconectar, os eventos perdidos são reenviados.")]


class TicketListParams(BaseModel):
    """The query parameters of ``GET /tickets``, validated in one pass.

    One model rather than 13 parameters: FastAPI handles each parameter on its own, and
    that was an eighth of the server's time per listing (BENCHMARKS.md). The OpenAPI
    document lists the same parameters either way.
    """

    scope: TicketScope = TicketScope.MINE
    active_only: bool = True
    status: Annotated[str | None, Field(max_length=200)] = None
    search: Annotated[str, Field(max_length=200)] = ""
    sort: SortKey = SortKey.CREATED
    descending: bool = True
    # The service checks the window (same message as the local adapter); the bound
    # only keeps absurd numbers from overflowing SQLite's 64-bit integers.
    offset: Annotated[int, Field(le=SQLITE_MAX_INT)] = 0
    limit: Annotated[int, Field(le=SQLITE_MAX_INT, description=f"Entre 1 e {MAX_PAGE}.")] = 50
    desk: Annotated[str | None, Field(max_length=100)] = None
    assignee: Annotated[str | None, Field(max_length=100)] = None
    area: Annotated[str | None, Field(max_length=200)] = None
    overdue: bool = False
    flag: Flag | None = None

    def to_query(self) -> TicketQuery:
        """The service's query."""
        return TicketQuery(scope=self.scope, active_only=self.active_only, status=self.status, search=self.search,
                           sort=self.sort, descending=self.descending, offset=self.offset, limit=self.limit,
                           desk=self.desk, assignee=self.assignee, area=self.area, overdue=self.overdue,
                           flag=self.flag)


class DirectRoute(APIRoute):
    """A route that answers its usual request itself and leaves every other one to FastAPI.

    ``direct(request)`` returns the response, or None for FastAPI's own handler (its
    dependencies, validation and error answers) to take the request. The endpoint's
    signature still describes the route in the OpenAPI document. For the hot endpoints
    only: FastAPI's generic per-request work (solving dependencies one parameter at a time,
    checking the returned model again) was about half of the server's CPU per listing
    (BENCHMARKS.md, third round).
    ``tests/test_server_http.py`` compares both ways answer for answer.
    """

    #: Off in tests, to get FastAPI's own answers to compare with.
    enabled: ClassVar[bool] = True

    @staticmethod
    async def direct(request: Request) -> Response | None:
        """The response, or None to leave the request to FastAPI (see :func:`direct_route`)."""
        return None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The direct handler in front of FastAPI's."""
        standard = super().get_route_handler()
        direct = self.direct

        async def handler(request: Request) -> Response:
            response = await direct(request) if DirectRoute.enabled else None
            return response if response is not None else await standard(request)

        return handler


def direct_route(direct: Callable[[Request], Awaitable[Response | None]]) -> type[APIRoute]:
    """A :class:`DirectRoute` class answering with ``direct``."""
    return type("DirectRoute", (DirectRoute,), {"direct": staticmethod(direct)})


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header as FastAPI's ``HTTPBearer`` reads it; None if absent."""
    authorization = request.headers.get("authorization")
    scheme, token = get_authorization_scheme_param(authorization)  # HTTPBearer's own parsing
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


def _operation_id(route: APIRoute) -> str:
    """Operation ids are the endpoint function names: stable and readable in clients."""
    return route.name


def _app_version() -> str:
    try:
        return version("demandas")
    except PackageNotFoundError:
        return "0.0.0"


def expected_version(if_match: str | None) -> int | None:
    """The ticket version an ``If-Match`` header names (None: no check)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ValidationFailed(f'Cabeçalho If-Match inválido: {if_match!r}. Use a ETag recebida, por exemplo "3".',
                               field="If-Match")
    return int(value)


def _etag(response: Response, ticket: Ticket) -> Ticket:
    response.headers["ETag"] = f'"{ticket.version}"'
    return ticket


def _upload_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that takes JSON, or multipart with files."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "payload": schema,
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                              "description": "Arquivos anexados (nome, tamanho e tipo conforme o balcão)."},
                },
            },
            "encoding": {"payload": {"contentType": "application/json"}},
        },
    }}}


def _invalid_body(exc: ValidationError) -> RequestValidationError:
    """A pydantic error of a body parsed by hand, located like FastAPI's own."""
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])


def _parse_json(model: type[T], raw: str | bytes) -> T:
    if not raw:
        raise RequestValidationError([{"loc": ("body",), "type": "missing", "msg": ""}])
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "model_type" for e in exc.errors()) and not exc.errors()[0]["loc"]:
            raise RequestValidationError([{"loc": ("body",), "type": "model_type", "msg": ""}]) from None
        raise _invalid_body(exc) from None


async def read_body(request: Request, model: type[T],
                    limits: Callable[[Mapping[str, str]], UploadLimits]) -> tuple[T, tuple[NewAttachment, ...]]:
    """The JSON body (``application/json``) or the ``payload`` part and files (``multipart/form-data``)."""
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await read_multipart(request.headers["content-type"], request.stream(), limits)
        try:
            unknown = set(form.fields) - {"payload"}
            if unknown:
                raise ValidationFailed(f"Campo desconhecido no formulário: {sorted(unknown)[0]!r}. Envie o JSON "
                                       "em 'payload' e os arquivos em 'files'.", field=sorted(unknown)[0])
            payload = form.fields.get("payload", "{}")
            body = _parse_json(model, payload or "{}")
            return body, await run_in_threadpool(form.attachments)
        finally:
            form.close()
    if kind not in ("application/json", ""):
        raise RequestValidationError([{"loc": ("body",), "type": "model_type", "msg": ""}])
    return _parse_json(model, await request.body()), ()


def create_app(service: HelpdeskService, *, accounts: Accounts | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               loopback_only: bool = True, keepalive_seconds: float = KEEPALIVE_SECONDS) -> FastAPI:
    """The FastAPI application over ``service`` (``loopback_only``: refuse other Host headers)."""
    accounts = accounts or Accounts(service.store, service.clock)
    hub: EventHub = service.events
    streams: dict[str, int] = {}
    streams_lock = threading.Lock()
    app = FastAPI(
        title="Demandas",
        version=_app_version(),
        description="API do Demandas: abrir, acompanhar e atender demandas (chamados). Toda chamada, menos "
                    "/health e o esquema, leva Authorization: Bearer <token>.",
        redirect_slashes=False,  # a 307 to another path would reach clients as an unexpected answer
        generate_unique_id_function=_operation_id,
    )
    app.state.events = hub
    app.add_middleware(_Guard, max_body_bytes=max_body_bytes, max_upload_bytes=max_upload_bytes,
                       loopback_only=loopback_only)
    app.add_exception_handler(DemandasError, _demandas_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sqlite3.OperationalError, _database_error)
    app.add_exception_handler(Exception, _internal_error)

    async def token_user(token: str) -> User:
        """The user a token belongs to (Unauthenticated if none)."""
        # On the loop: one indexed read (tens of microseconds; in WAL mode a reader never waits
        # for a writer), where a trip through the thread pool cost more than the lookup itself
        # (BENCHMARKS.md). The write that refreshes the token's last use (every few minutes)
        # still goes to the pool.
        user, stale = accounts.identify(token)
        if stale is not None:
            await run_in_threadpool(accounts.touch, stale)
        return user

    async def current_user(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                           response: Response) -> User:
        """The user the bearer token belongs to (named back in a header, so clients know who they are)."""
        if credentials is None:
            raise Unauthenticated(_NO_TOKEN, field="token")
        user = await token_user(credentials.credentials)
        response.headers[LOGIN_HEADER] = user.login
        return user

    async def actor(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                    response: Response) -> str:
        """The acting user's login (``current_user`` called, not depended on: one level less to solve)."""
        return (await current_user(credentials, response)).login

    Actor = Annotated[str, Depends(actor)]
    CurrentUser = Annotated[User, Depends(current_user)]
    api = APIRouter(prefix=API_PREFIX, responses=_ERROR_RESPONSES)

    def ticket_limits(login: str, number: str) -> Callable[[Mapping[str, str]], UploadLimits]:
        """Upload limits of the ticket's desk (looked up once, when the first file starts)."""
        found: list[UploadLimits] = []

        def limits(fields: Mapping[str, str]) -> UploadLimits:
            if not found:
                desk = service.upload_desk(login, number=number)
                found.append(UploadLimits(desk.max_attachment_bytes, desk.max_attachments, desk.name))
            return found[0]

        return limits

    def create_limits(fields: Mapping[str, str]) -> UploadLimits:
        """Upload limits of the desk named in the payload (when it came before the files)."""
        desk_id = None
        try:
            parsed = json.loads(fields.get("payload", "{}"))
            if isinstance(parsed, dict) and isinstance(parsed.get("desk"), str):
                desk_id = parsed["desk"]
        except ValueError:
            pass
        desk = service.upload_desk("", desk_id=desk_id)
        return UploadLimits(desk.max_attachment_bytes, desk.max_attachments, desk.name)

    @app.get("/health", tags=["servidor"])
    def health() -> Health:
        """The server is up (no token needed)."""
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

    @api.get("/desks/{desk_id}/knowledge", tags=["balcões"])
    def knowledge(login: Actor, desk_id: str, q: Annotated[str, Query(
            description="Palavras a buscar em título, texto e palavras-chave (sem diferença de acentos)")] = "",
                  ) -> list[KnowledgeArticle]:
        """The desk's knowledge articles ("Conhecimentos"), best matches first; all when ``q`` is empty."""
        return service.knowledge(login, desk_id, q)

    async def list_page(login: str, params: TicketListParams) -> tuple[TicketPage, dict[str, str]]:
        """The page and its EVENT_POSITION_HEADER."""
        def read() -> tuple[int, Page[TicketSummary]]:
            return hub.last_id, service.list_tickets(login, params.to_query())  # the position first

        # An explicit trip to the thread pool: a search over every desk takes tens to
        # hundreds of milliseconds, and the loop must go on serving the other clients.
        position, page = await run_in_threadpool(read)
        return (TicketPage(items=list(page.items), total=page.total, offset=page.offset, limit=page.limit),
                {EVENT_POSITION_HEADER: str(position)})

    async def list_tickets_direct(request: Request) -> Response | None:
        """The usual listing: valid parameters and a bearer token (anything else: FastAPI's way)."""
        token = bearer_token(request)
        if token is None:
            return None
        try:
            # dict(): the last of repeated parameters, as FastAPI takes them.
            params = TicketListParams.model_validate(dict(request.query_params))
        except ValidationError:
            return None
        user = await token_user(token)
        page, headers = await list_page(user.login, params)
        response = Response(_TICKET_PAGE.dump_json(page), media_type="application/json")
        response.headers[LOGIN_HEADER] = user.login
        response.headers.update(headers)  # in FastAPI's order
        return response

    async def list_tickets(login: Actor, params: Annotated[TicketListParams, Query()],
                           response: Response) -> TicketPage:
        """One page of the tickets the user may see, with the total count."""
        page, headers = await list_page(login, params)
        response.headers.update(headers)
        return page

    api.add_api_route("/tickets", list_tickets, methods=["GET"], tags=["demandas"],
                      route_class_override=direct_route(list_tickets_direct), responses={200: {
                          "headers": {EVENT_POSITION_HEADER: {
                              "description": "Posição do fluxo de eventos antes da leitura: use-a como "
                                             "Last-Event-ID ao abrir /events para não perder mudanças.",
                              "schema": {"type": "string"}}}}})

    @api.get("/tickets/{number}", tags=["demandas"], responses={200: {
        "headers": {"ETag": {"description": 'A versão da demanda (ex.: "3"), para If-Match.',
                             "schema": {"type": "string"}}}}})
    def get_ticket(login: Actor, number: str, response: Response) -> Ticket:
        """A ticket with its timeline and the actions the user may take; the ETag is its version."""
        return _etag(response, service.get_ticket(login, number))

    # Files travel as multipart parts beside a JSON ``payload`` in the same request, not
    # through a separate upload endpoint: one request stays one atomic, idempotent write
    # (the key covers text and files), retries just resend it, and no orphan uploads pile up.
    async def open_ticket(request: Request, login: str, idempotency_key: str | None) -> Ticket:
        body, files = await read_body(request, NewTicketIn, create_limits)
        return await run_in_threadpool(service.create_ticket, login, body.to_domain(files), idempotency_key)

    async def create_ticket_direct(request: Request) -> Response | None:
        """The usual creation: a bearer token and an acceptable Idempotency-Key (anything else: FastAPI's way).

        Decided before the body is read: FastAPI's handler must still find it unread.
        """
        token = bearer_token(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if token is None or (key is not None and len(key) > MAX_IDEMPOTENCY_KEY):
            return None
        user = await token_user(token)
        ticket = await open_ticket(request, user.login, key)
        response = Response(_TICKET.dump_json(ticket), status_code=201, media_type="application/json")
        response.headers[LOGIN_HEADER] = user.login
        _etag(response, ticket)
        return response

    async def create_ticket(request: Request, response: Response, login: Actor,
                            idempotency_key: IdempotencyKey = None) -> Ticket:
        """Open a ticket (JSON, or multipart/form-data with files)."""
        return _etag(response, await open_ticket(request, login, idempotency_key))

    api.add_api_route("/tickets", create_ticket, methods=["POST"], status_code=201, tags=["demandas"],
                      openapi_extra=_upload_body(NewTicketIn), route_class_override=direct_route(create_ticket_direct))

    async def _post(request: Request, response: Response, login: str, number: str, action: str,
                    key: str | None, if_match: str | None) -> Ticket:
        version = expected_version(if_match)
        body, files = await read_body(request, CommentIn, ticket_limits(login, number))
        method = {"comment": service.comment, "reply": service.reply, "note": service.note}[action]
        ticket = await run_in_threadpool(lambda: method(login, number, body.text, files, idempotency_key=key,
                                                        expected_version=version))
        return _etag(response, ticket)

    @api.post("/tickets/{number}/comments", tags=["demandas"], openapi_extra=_upload_body(CommentIn))
    async def comment(request: Request, response: Response, login: Actor, number: str,
                      idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> Ticket:
        """Add a comment and/or attachments."""
        return await _post(request, response, login, number, "comment", idempotency_key, if_match)

    @api.post("/tickets/{number}/cancel", tags=["demandas"])
    def cancel(login: Actor, number: str, response: Response, body: Annotated[ReasonIn | None, Body()] = None,
               if_match: IfMatch = None) -> Ticket:
        """Cancel an active ticket (the reason is optional)."""
        return _etag(response, service.cancel(login, number, body.reason if body else "",
                                              expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/resolve", tags=["demandas"])
    def resolve(login: Actor, number: str, body: TextIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Resolve a ticket with the answer given (agents and managers)."""
        return _etag(response, service.resolve(login, number, body.text, expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/reopen", tags=["demandas"])
    def reopen(login: Actor, number: str, body: ReasonIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Reopen a resolved or canceled ticket with a justification."""
        return _etag(response, service.reopen(login, number, body.reason,
                                              expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/evaluate", tags=["demandas"])
    def evaluate(login: Actor, number: str, body: EvaluationIn, response: Response,
                 if_match: IfMatch = None) -> Ticket:
        """The requester scores the service of a resolved ticket (1 to 5), once per resolution."""
        return _etag(response, service.evaluate(login, number, body.score, body.comment,
                                                expected_version=expected_version(if_match)))

    @api.get("/queue/counts", tags=["atendimento"])
    def queue_counts(login: Actor) -> QueueCounts:
        """What awaits the user: distribution, own queue, overdue, monitoring over (zero for requesters)."""
        return service.queue_counts(login)

    @api.get("/agents", tags=["atendimento"])
    def agents(login: Actor, area: Annotated[str | None, Query(max_length=200)] = None) -> list[AgentLoad]:
        """Staff (of ``area``) with how many open tickets each holds now."""
        return service.agents(login, area)

    @api.post("/tickets/{number}/reply", tags=["atendimento"], openapi_extra=_upload_body(CommentIn))
    async def reply(request: Request, response: Response, login: Actor, number: str,
                    idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> Ticket:
        """A public answer from staff, with optional files."""
        return await _post(request, response, login, number, "reply", idempotency_key, if_match)

    @api.post("/tickets/{number}/note", tags=["atendimento"], openapi_extra=_upload_body(CommentIn))
    async def note(request: Request, response: Response, login: Actor, number: str,
                   idempotency_key: IdempotencyKey = None, if_match: IfMatch = None) -> Ticket:
        """An internal note: staff only, never shown to the requester."""
        return await _post(request, response, login, number, "note", idempotency_key, if_match)

    @api.post("/tickets/{number}/ask", tags=["atendimento"])
    def ask(login: Actor, number: str, body: TextIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Ask the requester for more information; the ticket waits for them."""
        return _etag(response, service.ask(login, number, body.text, expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/assign", tags=["atendimento"])
    def assign(login: Actor, number: str, body: AssignIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Distribute the ticket to an agent of its area (managers)."""
        return _etag(response, service.assign(login, number, body.to, expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/take", tags=["atendimento"])
    def take(login: Actor, number: str, response: Response, if_match: IfMatch = None) -> Ticket:
        """Reserve the ticket for the user, taking it over from whoever held it."""
        return _etag(response, service.take(login, number, expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/forward", tags=["atendimento"])
    def forward(login: Actor, number: str, body: ForwardIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Send the ticket to another area of its desk, with the reason."""
        return _etag(response, service.forward(login, number, body.area, body.reason,
                                               expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/track", tags=["atendimento"])
    def track(login: Actor, number: str, body: TextIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Open the linked tracking ticket of a forwarded ticket (SEI); answers with the new ticket."""
        return _etag(response, service.track(login, number, body.text, expected_version=expected_version(if_match)))

    @api.post("/tickets/{number}/monitor", tags=["atendimento"])
    def monitor(login: Actor, number: str, body: MonitorIn, response: Response, if_match: IfMatch = None) -> Ticket:
        """Keep the ticket in monitoring through a future date."""
        return _etag(response, service.monitor(login, number, body.until, body.reason,
                                               expected_version=expected_version(if_match)))

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
        """An attachment's bytes, streamed from the store, with its type and original name."""
        meta, path = service.attachment_file(login, number, attachment_id)
        return FileResponse(path, stat_result=path.stat(), headers={
            # Set by hand: media_type= would append "; charset=utf-8" to text types.
            "Content-Type": meta.content_type,
            "Content-Disposition": content_disposition(meta.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            ATTACHMENT_HEADER: attachment_header(meta),
        })

    # -- SGTA: audit trails (seed 001) --------------------------------------------

    sgta = sgta_service.SgtaService(service)

    def sgta_limits(fields: Mapping[str, str]) -> UploadLimits:
        return UploadLimits(sgta_domain.MAX_DOC_BYTES, sgta_domain.MAX_DOCS, "SGTA")

    def csv_limits(fields: Mapping[str, str]) -> UploadLimits:
        return UploadLimits(sgta_domain.MAX_DOC_BYTES, 1, "SGTA")

    @api.get("/sgta/trails", tags=["sgta"])
    def sgta_trails(login: Actor, search: Annotated[str, Query(max_length=200)] = "") -> list[SgtaTrailSummary]:
        """The trail selection table; the word "permitido" keeps the trails the user may access."""
        return sgta.trails(login, search)

    @api.get("/sgta/trails/{trail_id}", tags=["sgta"])
    def sgta_trail(login: Actor, trail_id: str) -> SgtaTrail:
        """One trail: area, own columns, justification deadline."""
        return sgta.trail(login, trail_id)

    @api.get("/sgta/trails/{trail_id}/gestores", tags=["sgta"])
    def sgta_gestores(login: Actor, trail_id: str) -> list[GestorLoad]:
        """The gestores of the trail's area with how many records each analyses now (distribution)."""
        return sgta.gestores(login, trail_id)

    @api.post("/sgta/trails/{trail_id}/import", status_code=201, tags=["sgta"],
              openapi_extra=_upload_body(SgtaImportIn))
    async def sgta_import(request: Request, login: Actor, trail_id: str) -> ImportResult:
        """Load the trail's records from one CSV file (multipart part ``files``); gestores of the area."""
        _, files = await read_body(request, SgtaImportIn, csv_limits)
        if len(files) != 1:
            raise ValidationFailed("Envie exatamente um arquivo CSV com os registros da trilha.", field="files")
        return await run_in_threadpool(sgta.import_csv, login, trail_id, files[0].data)

    @api.get("/sgta/records", tags=["sgta"])
    def sgta_records(
        login: Actor,
        trail: Annotated[str, Query(max_length=100)],
        search: Annotated[str, Query(max_length=200)] = "",
        status: SgtaStatus | None = None,
        offset: Annotated[int, Query(le=SQLITE_MAX_INT)] = 0,
        limit: Annotated[int, Query(le=SQLITE_MAX_INT, description=f"Entre 1 e {MAX_PAGE}.")] = 50,
    ) -> SgtaRecordPage:
        """One page of a trail's records the user may see, with the total count."""
        page = sgta.records(login, RecordQuery(trail=trail, search=search, status=status, offset=offset,
                                               limit=limit))
        return SgtaRecordPage(items=list(page.items), total=page.total, offset=page.offset, limit=page.limit)

    @api.get("/sgta/records/{record_id}", tags=["sgta"])
    def sgta_record(login: Actor, record_id: Annotated[int, PathParam(le=SQLITE_MAX_INT)]) -> SgtaRecord:
        """A record with its justification, change request, documents and events."""
        return sgta.record(login, record_id)

    @api.post("/sgta/records/{record_id}/{action}", tags=["sgta"], openapi_extra=_upload_body(SgtaActionIn))
    async def sgta_act(request: Request, login: Actor, record_id: Annotated[int, PathParam(le=SQLITE_MAX_INT)],
                       action: SgtaAction, if_match: IfMatch = None) -> SgtaRecord:
        """One action on a record (JSON, or multipart/form-data with documents)."""
        version = expected_version(if_match)
        body, files = await read_body(request, SgtaActionIn, sgta_limits)
        wanted = SgtaRequest(action=action, text=body.text, agree=body.agree, decision=body.decision,
                             until=body.until, accept=body.accept, attachments=files, expected_version=version,
                             to=body.to)
        return await run_in_threadpool(sgta.act, login, record_id, wanted)

    @api.get("/sgta/records/{record_id}/docs/{doc_id}", tags=["sgta"], response_class=Response, responses={200: {
        "description": "O conteúdo do documento, com o tipo guardado.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }})
    def sgta_download(login: Actor, record_id: Annotated[int, PathParam(le=SQLITE_MAX_INT)],
                      doc_id: Annotated[int, PathParam(le=SQLITE_MAX_INT)]) -> Response:
        """A document's bytes, with its metadata in a header."""
        doc, data = sgta.download(login, record_id, doc_id)
        meta = {"id": doc.id, "name": doc.name, "size": doc.size, "content_type": doc.content_type,
                "created_at": doc.created_at.isoformat(), "author_login": doc.author_login,
                "author_name": doc.author_name}
        return Response(data, headers={
            "Content-Type": doc.content_type,
            "Content-Disposition": content_disposition(doc.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            ATTACHMENT_HEADER: quote(json.dumps(meta, ensure_ascii=False), safe=""),
        })

    @api.get("/sgta/counts", tags=["sgta"])
    def sgta_counts(login: Actor) -> SgtaCounts:
        """What awaits the user in SGTA (home screen alerts)."""
        return sgta.counts(login)

    @api.get(
        "/events",
        tags=["eventos"],
        response_class=StreamingResponse,
        responses={200: {
            "description": "Eventos enviados pelo servidor (SSE): `id:` é a posição na linha do tempo, "
                           "`data:` um JSON {number, kind, at, actor}; comentários `:` mantêm a conexão viva.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }},
    )
    async def events(request: Request, user: CurrentUser, last_event_id: LastEventId = None) -> StreamingResponse:
        """A live stream of ticket events the user may see (internal ones: staff only)."""
        after = _event_id(last_event_id)
        with streams_lock:
            if streams.get(user.login, 0) >= MAX_STREAMS_PER_USER:
                raise TooManyRequests(f"Você já tem {MAX_STREAMS_PER_USER} conexões de eventos abertas; feche "
                                      "alguma janela do Demandas e tente de novo.")
        queue: asyncio.Queue[EventRecord | None] = asyncio.Queue(maxsize=EVENT_QUEUE_SIZE)
        loop = asyncio.get_running_loop()
        overflow = threading.Event()

        def put(record: EventRecord | None) -> None:
            try:
                queue.put_nowait(record)
            except asyncio.QueueFull:
                overflow.set()

        def deliver(record: EventRecord | None) -> None:  # runs on the committing thread
            if record is None or visible_to(user, record):
                loop.call_soon_threadsafe(put, record)

        async def stream() -> AsyncIterator[bytes]:
            # Everything that must be undone happens in here: a response whose body never
            # starts (the client left at once) then holds nothing.
            with streams_lock:
                streams[user.login] = streams.get(user.login, 0) + 1
            unsubscribe: Callable[[], None] = lambda: None  # noqa: E731 - replaced once subscribed
            try:
                # Off the event loop: subscribing reads the store and may wait for a committing thread.
                unsubscribe, start = await run_in_threadpool(hub.subscribe, deliver)
                history = await run_in_threadpool(service.store.events_since, after, EVENT_REPLAY_LIMIT) \
                    if after is not None and after < start else []
                # A client ahead of the store (a restored backup) starts over from the live position.
                sent = min(after, start) if after is not None else 0
                quiet_since = time.monotonic()
                yield b"retry: 2000\n\n"
                for old in history:
                    if old.id > start:
                        break  # live from here: the queue has it
                    if visible_to(user, old):
                        yield _sse(old)
                    sent = max(sent, old.id)
                if sent < start:
                    # Where the live part begins: a reconnecting client resumes from here.
                    sent = start
                    yield f"id: {start}\n\n".encode()
                while True:
                    try:
                        record = await asyncio.wait_for(queue.get(), timeout=min(hub.poll_interval,
                                                                                 keepalive_seconds))
                    except TimeoutError:
                        # Writes of other processes on the same database (a CLI with --db) show up here.
                        await run_in_threadpool(hub.poll)
                        if time.monotonic() - quiet_since >= keepalive_seconds:
                            quiet_since = time.monotonic()
                            yield b": keep-alive\n\n"
                        continue
                    if record is None or overflow.is_set():
                        # Closing (shutdown) or too slow a reader: the client reconnects with
                        # Last-Event-ID and gets what it missed from the store.
                        return
                    if record.id > sent:
                        sent = record.id
                        quiet_since = time.monotonic()
                        yield _sse(record)
            finally:
                unsubscribe()
                _release(streams, streams_lock, user.login)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={
            "Cache-Control": "no-store",
            # A reverse proxy (nginx) must pass events on at once, not buffer them.
            "X-Accel-Buffering": "no",
        })

    app.include_router(api)
    return app


def _release(streams: dict[str, int], lock: threading.Lock, login: str) -> None:
    with lock:
        streams[login] = streams.get(login, 1) - 1
        if streams[login] <= 0:
            del streams[login]


def _event_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isascii() or not value.strip().isdigit() or len(value.strip()) > 18:
        raise ValidationFailed(f"Cabeçalho Last-Event-ID inválido: {value!r}.", field="Last-Event-ID")
    return int(value.strip())


def _sse(record: EventRecord) -> bytes:
    event = record.event
    data = json.dumps({"number": event.number, "kind": event.kind.value, "at": event.at.isoformat(),
                       "actor": event.actor}, ensure_ascii=False)
    return f"id: {record.id}\nevent: ticket\ndata: {data}\n\n".encode()


# -- running it ---------------------------------------------------------------


class DemandasServer(uvicorn.Server):
    """uvicorn that ends the open event streams first, so stopping does not wait on them."""

    def __init__(self, config: uvicorn.Config, hub: EventHub) -> None:
        super().__init__(config)
        self.hub = hub

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Close the event streams, then shut down as usual."""
        self.hub.close()
        await super().shutdown(sockets)


def _address(host: str) -> str:
    """The IP address to bind for ``host``; ValueError (pt-BR) for anything but an IP or localhost."""
    name = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if name == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        raise ValueError(f"Endereço de escuta inválido: {host!r}. Use um IP (127.0.0.1, ::1, ou 0.0.0.0 para "
                         "todas as interfaces) ou localhost.") from None


# uvicorn's own default backlog.
LISTEN_BACKLOG = 2048


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port``; OSError with a pt-BR message if the port is taken.

    It listens at once, so a client that connects as soon as the start-up line is printed waits in
    the backlog until uvicorn accepts, instead of being refused.
    """
    address = _address(host)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so,
    # and without it every response waits ~40 ms for a delayed ACK (benchmarks found it).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(LISTEN_BACKLOG)
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


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8765, smtp: SmtpSettings | None = None) -> None:
    """Run the API on ``host:port``; beyond loopback, warn that HTTP is not encrypted. Returns after Ctrl+C.

    With ``smtp``, requesters get e-mails of their tickets (backend.notify).
    """
    sock = bind_socket(host, port)
    loopback = is_loopback_host(host)
    store = Store(db_path)
    notifier: Notifier | None = None
    try:
        # Checkpoints (a sync of the database file) happen in a thread of their own, not in a request.
        store.checkpoint_in_background()
        service = HelpdeskService(store)
        app = create_app(service, loopback_only=loopback)
        notifier = start_notifier(store, service.events, smtp)
        if smtp is not None:
            print(f"Notificações por e-mail via {smtp.host}:{smtp.port} (remetente: {smtp.sender}).",
                  file=sys.stderr)
        print(f"Servidor Demandas em {server_url(sock, host)} (banco: {db_path})", file=sys.stderr)
        if not loopback:
            print(INSECURE_WARNING.format(host=host, port=sock.getsockname()[1]), file=sys.stderr)
        if not any(t.revoked_at is None for t in Accounts(store).tokens()):
            print("Nenhum token de acesso ativo: crie usuários e tokens com `demandas admin users add` e "
                  "`demandas admin tokens create`.", file=sys.stderr)
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
        DemandasServer(config, service.events).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully, then re-raises the Ctrl+C it captured: stopping is not an error.
        pass
    finally:
        if notifier is not None:
            notifier.close()
        store.close()
        sock.close()
