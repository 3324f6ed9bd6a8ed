"""The remote adapter: a ``demandas serve`` reached over HTTP with httpx.

Responses are decoded into the same domain dataclasses the local adapter
returns, and error bodies back into the same exception classes, so screens
cannot tell the two apart. Every request carries ``Authorization: Bearer``;
safe requests (GETs, and POSTs with an ``Idempotency-Key``) are retried with
exponential backoff when the server is briefly gone (restart, proxy 502/503/504).
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import ssl
import threading
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import Future
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote, unquote

import httpx  # the package's __init__ keeps httpx's command-line client from loading
from pydantic import TypeAdapter, ValidationError

from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    KnowledgeArticle,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Ticket,
    TicketEvent,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.errors import DemandasError, TooLarge, Unauthenticated, Unavailable, ValidationFailed, error_from_dict
from backend.limits import MAX_BODY_BYTES, body_too_large_message, max_upload_bytes
from tui.adapter import Adapter

if TYPE_CHECKING:  # SGTA loads on first use, as in the local adapter (start-up time, issue #7)
    from backend.sgta.domain import (
        GestorLoad,
        ImportResult,
        RecordQuery,
        SgtaCounts,
        SgtaDoc,
        SgtaRecord,
        SgtaRequest,
        Trail,
        TrailSummary,
    )

API_PREFIX = "/api/v1"
ATTACHMENT_HEADER = "X-Demandas-Attachment"
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOGIN_HEADER = "X-Demandas-Login"
EVENT_POSITION_HEADER = "X-Demandas-Event-Id"
#: Waits between tries of a safe request: 5 tries over about 3 s, then Unavailable.
RETRY_DELAYS: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6)
#: Waits between reconnections of the event stream (the last one repeats).
EVENT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
# Over the server's keep-alive period (15 s): silence this long means the link is dead.
EVENT_READ_TIMEOUT = 60.0
PING_TIMEOUT = 5.0
_RETRY_STATUSES = frozenset({502, 503, 504})

R = TypeVar("R")

# TypeAdapters are costly to build: one per type, made on first use.
_decoders: dict[Any, TypeAdapter[Any]] = {}


def _decoder(kind: Any) -> TypeAdapter[Any]:
    found = _decoders.get(kind)
    if found is None:
        found = _decoders[kind] = TypeAdapter(kind)
    return found


def normalize_base_url(url: str) -> str:
    """``localhost:8765`` → ``http://localhost:8765``; no trailing slash."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def _is_loopback(url: str) -> bool:
    host = (httpx.URL(url).host or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def query_params(query: TicketQuery) -> dict[str, str | int]:
    """Every set field of ``query`` as a URL parameter (new fields travel without code here)."""
    params: dict[str, str | int] = {}
    for spec in dataclasses.fields(query):
        value = getattr(query, spec.name)
        if value is None:
            continue
        if isinstance(value, bool):
            params[spec.name] = "true" if value else "false"
        elif isinstance(value, Enum):
            params[spec.name] = str(value.value)
        else:
            params[spec.name] = value
    return params


def _multipart(attachments: Sequence[NewAttachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    # The server decides the type from the name and the desk's rules; it never trusts ours.
    return [("files", (a.name, a.data, "application/octet-stream")) for a in attachments]


def _if_match(expected_version: int | None) -> dict[str, str]:
    return {"If-Match": f'"{expected_version}"'} if expected_version is not None else {}


def parse_event(data: str) -> TicketEvent | None:
    """A ticket event from an SSE ``data`` field (None when it is not one)."""
    try:
        return cast(TicketEvent, _decoder(TicketEvent).validate_json(data))
    except ValidationError:
        return None


async def sse_blocks(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str | None, str, str]]:
    """(id, event name, data) of each server-sent event block; comments and ``retry`` are skipped."""
    event_id: str | None = None
    name = ""
    data: list[str] = []
    async for line in lines:
        if line == "":
            if event_id is not None or data:
                yield event_id, name or "message", "\n".join(data)
            event_id, name, data = None, "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "id":
            event_id = value
        elif field == "event":
            name = value
        elif field == "data":
            data.append(value)


def _ticket_path(number: str, *rest: str) -> str:
    if not number.strip():
        # "" would address the collection, not a ticket: refuse as the service does.
        raise ValidationFailed("Informe o número da demanda.", field="number")
    return "/".join(("/tickets", quote(number, safe=""), *rest))


class HttpAdapter(Adapter):
    """The helpdesk of a ``demandas serve`` at ``base_url``, acting as the owner of ``token``."""

    def __init__(self, base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 30, retry_delays: Sequence[float] = RETRY_DELAYS,
                 event_delays: Sequence[float] = EVENT_DELAYS, event_read_timeout: float = EVENT_READ_TIMEOUT) -> None:
        self.base_url = normalize_base_url(base_url)
        self.location = f"servidor: {self.base_url}"
        #: Who the token belongs to, as the server says on every answer ("" before the first one).
        self.login = ""
        self._token = token
        self._transport = transport
        self._timeout = timeout
        self._retry_delays = tuple(retry_delays)
        self._event_delays = tuple(event_delays) or (1.0,)
        self._event_read_timeout = event_read_timeout
        self._client: httpx.AsyncClient | None = None
        self._tls: ssl.SSLContext | None = None
        self._tls_lock = threading.Lock()
        # Where the event stream starts: the position the server gave with the first listing,
        # unless we wrote since (that is not news to us). See events().
        self._events_from: tuple[str, int] | None = None
        self._events_opened = False

    def _tls_context(self) -> ssl.SSLContext:
        """One TLS context for every client of this adapter: loading the CA bundle costs ~70 ms of CPU."""
        with self._tls_lock:  # the prefetch's thread and the event loop may both ask first
            if self._tls is None:
                if httpx.URL(self.base_url).scheme == "http" and _is_loopback(self.base_url):
                    # Plain HTTP to this machine and no proxy (trust_env is off for loopback): no TLS
                    # handshake ever happens. A context without any CA fails closed if one did.
                    self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                else:
                    self._tls = httpx.create_ssl_context(trust_env=True)
            return self._tls

    def _checked_url(self) -> str:
        """The API's base URL; on a bad address or token, the error every request reports."""
        try:
            url = httpx.URL(self.base_url)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise self._bad_address()
        if not self._token.isascii() or not self._token.isprintable():
            raise Unauthenticated("O token de acesso salvo é inválido. Rode `demandas login URL` de novo.",
                                  field="token")
        return self.base_url + API_PREFIX

    def _client_options(self) -> dict[str, Any]:
        # Office networks set HTTP_PROXY without NO_PROXY=localhost; a local server must not go through it.
        return {"base_url": self._checked_url(), "headers": {"Authorization": f"Bearer {self._token}"},
                "timeout": self._timeout, "trust_env": not _is_loopback(self.base_url),
                "verify": self._tls_context()}

    def _read_ahead(self, query: TicketQuery) -> Future[Page[TicketSummary]] | None:
        # The first page's round trip overlaps Textual's loading: a plain httpx.Client on a
        # thread of its own (there is no event loop yet), one try.
        if self._transport is not None:
            return None  # an in-process transport (tests) is async-only
        future: Future[Page[TicketSummary]] = Future()

        def read() -> None:
            try:
                with httpx.Client(**self._client_options()) as client:
                    response = client.get("tickets", params=query_params(query))
                if not response.is_success:
                    raise self._refusal(response)
                self.login = response.headers.get(LOGIN_HEADER, self.login)
                future.set_result(self._page(response))
            except Exception as exc:  # list_tickets() reads again, with its retries and messages
                future.set_exception(exc)

        threading.Thread(target=read, name="demandas-prefetch", daemon=True).start()
        return future

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # Checked on first use, like every other adapter error, so the screens report it where they call.
            self._client = httpx.AsyncClient(transport=self._transport, **self._client_options())
        return self._client

    async def _request(self, method: str, path: str, *, params: Mapping[str, str | int] | None = None,
                       payload: Mapping[str, Any] | None = None,
                       attachments: Sequence[NewAttachment] = (), headers: Mapping[str, str] | None = None,
                       idempotent: bool = False) -> httpx.Response:
        """Send a request; retry it when that is safe (GET, or a POST with an idempotency key)."""
        sent_headers = dict(headers or {})
        content: bytes | None = None
        data: dict[str, str] | None = None
        files = _multipart(attachments) if attachments else None
        if payload is not None:
            text = json.dumps(payload, ensure_ascii=False)
            if files:
                data = {"payload": text}
                size = len(text.encode("utf-8")) + sum(len(a.data) for a in attachments)
                # Checked here too: uploading 50 MB over a slow link only to be refused helps nobody.
                if size > max_upload_bytes():
                    raise TooLarge(body_too_large_message(size, max_upload_bytes(), upload=True), field="attachments")
            else:
                content = text.encode("utf-8")
                if len(content) > MAX_BODY_BYTES:
                    raise TooLarge(body_too_large_message(len(content), MAX_BODY_BYTES), field="text")
                sent_headers["Content-Type"] = "application/json"
        safe = method == "GET" or idempotent
        if method != "GET":
            self._writes += 1
        client = self._http()
        delays = iter(self._retry_delays)
        while True:
            try:
                response = await client.request(method, path.lstrip("/"), params=params, content=content,
                                                data=data, files=files, headers=sent_headers)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise self._bad_address() from exc
            except httpx.TransportError as exc:
                # A refused connection never reached the server: any request may try again.
                retry = safe or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                delay = next(delays, None) if retry else None
                if delay is None:
                    raise self._lost(method, exc, idempotent) from exc
                await asyncio.sleep(delay)
                continue
            if response.is_success:
                self.login = response.headers.get(LOGIN_HEADER, self.login)
                return response
            if safe and response.status_code in _RETRY_STATUSES:
                delay = next(delays, None)
                if delay is not None:
                    await asyncio.sleep(delay)
                    continue
            raise self._refusal(response)

    def _lost(self, method: str, exc: httpx.TransportError, idempotent: bool) -> Unavailable:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            hint = "" if method == "GET" or idempotent else " Confira se a ação foi registrada antes de repetir."
            return Unavailable(f"O servidor {self.base_url} não respondeu em {self._timeout:g} s.{hint}")
        return Unavailable(
            f"Sem conexão com o servidor {self.base_url}. Verifique se `demandas serve` está rodando."
        )

    def _bad_address(self) -> ValidationFailed:
        return ValidationFailed(f"Endereço de servidor inválido: {self.base_url!r}. Exemplo: http://127.0.0.1:8765",
                                field="server")

    def _refusal(self, response: httpx.Response) -> DemandasError:
        """The exception an error answer stands for."""
        try:
            detail = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            detail = None
        if isinstance(detail, dict) and "message" in detail:
            return error_from_dict(detail)
        status = response.status_code
        if status in _RETRY_STATUSES:  # a proxy in front of a stopped server
            return Unavailable(f"O servidor {self.base_url} está indisponível (HTTP {status}). Tente de novo em "
                               "instantes.")
        if status == 401:
            return Unauthenticated("O servidor recusou o token de acesso. Rode `demandas login URL` de novo.")
        return DemandasError(f"O servidor {self.base_url} respondeu com um erro inesperado (HTTP {status}).")

    def _unexpected(self, response: httpx.Response) -> DemandasError:
        return DemandasError(
            f"Resposta inesperada do servidor {self.base_url} (HTTP {response.status_code}): "
            "ele não parece ser um servidor Demandas desta versão."
        )

    def _decode(self, kind: type[R], response: httpx.Response) -> R:
        try:
            return cast(R, _decoder(kind).validate_json(response.content))
        except ValidationError as exc:
            raise self._unexpected(response) from exc

    async def _ticket(self, path: str, payload: Mapping[str, Any] | None = None, *,
                      expected_version: int | None = None) -> Ticket:
        """A POST that changes a ticket (not retried: without a key a retry could apply it twice)."""
        response = await self._request("POST", path, payload=payload, headers=_if_match(expected_version))
        return self._decode(Ticket, response)

    async def _send(self, path: str, payload: Mapping[str, Any], attachments: Sequence[NewAttachment],
                    key: str | None, expected_version: int | None = None) -> Ticket:
        """A POST that adds to a ticket, with a key reused on every retry of this one call."""
        headers = {IDEMPOTENCY_HEADER: key or str(uuid.uuid4()), **_if_match(expected_version)}
        response = await self._request("POST", path, payload=payload, attachments=attachments, headers=headers,
                                       idempotent=True)
        return self._decode(Ticket, response)

    # -- the contract ------------------------------------------------------

    async def whoami(self) -> User:
        """The acting user's profile."""
        return self._decode(User, await self._request("GET", "/me"))

    async def update_profile(self, update: ProfileUpdate) -> User:
        """Change the acting user's e-mail, phone and cargo ("Meus Dados")."""
        return self._decode(User, await self._request("PUT", "/me", payload=dataclasses.asdict(update)))

    async def desks(self) -> list[DeskInfo]:
        """Every desk the server serves."""
        return self._decode(list[DeskInfo], await self._request("GET", "/desks"))

    async def desk(self, desk_id: str) -> DeskInfo:
        """One desk's form, catalog and rules."""
        return self._decode(DeskInfo, await self._request("GET", f"/desks/{quote(desk_id, safe='')}"))

    async def list_tickets(self, query: TicketQuery) -> Page[TicketSummary]:
        """One page of tickets, with the total count."""
        page = await self._prefetched_page(query)
        if page is not None:
            return page
        return self._page(await self._request("GET", "/tickets", params=query_params(query)))

    def _page(self, response: httpx.Response) -> Page[TicketSummary]:
        page = self._decode(Page[TicketSummary], response)
        position = response.headers.get(EVENT_POSITION_HEADER, "")
        if self._events_from is None and not self._events_opened and position.isdigit():
            self._events_from = (position, self._writes)
        return page

    async def get_ticket(self, number: str) -> Ticket:
        """A ticket with its timeline and the actions the user may take."""
        return self._decode(Ticket, await self._request("GET", _ticket_path(number)))

    async def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None) -> Ticket:
        """Open a ticket (files as multipart parts)."""
        payload = {spec.name: getattr(new, spec.name) for spec in dataclasses.fields(new) if spec.name != "attachments"}
        if any(item.field != "attachments" for item in new.attachments):
            # Which desk files field each part answers (CITSmart's screenshot); files keep their order.
            payload["attachment_fields"] = [item.field for item in new.attachments]
        return await self._send("/tickets", payload, new.attachments, idempotency_key)

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                      idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """Add a comment and/or attachments."""
        return await self._send(_ticket_path(number, "comments"), {"text": text}, attachments, idempotency_key,
                                expected_version)

    async def cancel(self, number: str, reason: str = "", *, expected_version: int | None = None) -> Ticket:
        """Cancel an active ticket."""
        return await self._ticket(_ticket_path(number, "cancel"), {"reason": reason},
                                  expected_version=expected_version)

    async def resolve(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Resolve a ticket (agents and managers)."""
        return await self._ticket(_ticket_path(number, "resolve"), {"text": text}, expected_version=expected_version)

    async def reopen(self, number: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        """Reopen a resolved or canceled ticket with a justification."""
        return await self._ticket(_ticket_path(number, "reopen"), {"reason": reason},
                                  expected_version=expected_version)

    # -- support staff -------------------------------------------------------

    async def reply(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                    idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """A public answer from staff."""
        return await self._send(_ticket_path(number, "reply"), {"text": text}, attachments, idempotency_key,
                                expected_version)

    async def note(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                   idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        """An internal note, never shown to the requester."""
        return await self._send(_ticket_path(number, "note"), {"text": text}, attachments, idempotency_key,
                                expected_version)

    async def ask(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Ask the requester for more information."""
        return await self._ticket(_ticket_path(number, "ask"), {"text": text}, expected_version=expected_version)

    async def assign(self, number: str, to_login: str, *, expected_version: int | None = None) -> Ticket:
        """Distribute the ticket to an agent (managers)."""
        return await self._ticket(_ticket_path(number, "assign"), {"to": to_login}, expected_version=expected_version)

    async def take(self, number: str, *, expected_version: int | None = None) -> Ticket:
        """Reserve the ticket, taking it over if someone held it."""
        return await self._ticket(_ticket_path(number, "take"), expected_version=expected_version)

    async def forward(self, number: str, area: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        """Send the ticket to another area."""
        return await self._ticket(_ticket_path(number, "forward"), {"area": area, "reason": reason},
                                  expected_version=expected_version)

    async def track(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        """Open the linked tracking ticket (the answer is the new ticket)."""
        return await self._ticket(_ticket_path(number, "track"), {"text": text}, expected_version=expected_version)

    async def monitor(self, number: str, until: date, reason: str, *,
                      expected_version: int | None = None) -> Ticket:
        """Keep the ticket in monitoring through ``until``."""
        return await self._ticket(_ticket_path(number, "monitor"), {"until": until.isoformat(), "reason": reason},
                                  expected_version=expected_version)

    async def queue_counts(self) -> QueueCounts:
        """What awaits the user (home screen alerts)."""
        return self._decode(QueueCounts, await self._request("GET", "/queue/counts"))

    async def agents(self, area: str | None = None) -> list[AgentLoad]:
        """Staff (of ``area``) with their current load."""
        params = {"area": area} if area is not None else None
        return self._decode(list[AgentLoad], await self._request("GET", "/agents", params=params))

    async def download(self, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        """An attachment's metadata and bytes."""
        response = await self._request("GET", _ticket_path(number, "attachments", str(attachment_id)))
        header = response.headers.get(ATTACHMENT_HEADER)
        if header is None:
            raise self._unexpected(response)
        try:
            meta = cast(Attachment, _decoder(Attachment).validate_json(unquote(header)))
        except ValidationError as exc:
            raise self._unexpected(response) from exc
        return meta, response.content

    # -- SGTA ------------------------------------------------------------------------

    async def sgta_trails(self, search: str = "") -> list[TrailSummary]:
        """The trail selection table."""
        from backend.sgta.domain import TrailSummary

        params = {"search": search} if search else None
        return self._decode(list[TrailSummary], await self._request("GET", "/sgta/trails", params=params))

    async def sgta_trail(self, trail_id: str) -> Trail:
        """One trail's definition."""
        from backend.sgta.domain import Trail

        return self._decode(Trail, await self._request("GET", f"/sgta/trails/{quote(trail_id, safe='')}"))

    async def sgta_import(self, trail_id: str, data: bytes, name: str = "registros.csv") -> ImportResult:
        """Upload a trail's CSV (not retried: a retry could import twice)."""
        from backend.sgta.domain import ImportResult

        response = await self._request("POST", f"/sgta/trails/{quote(trail_id, safe='')}/import", payload={},
                                       attachments=(NewAttachment(name, data),))
        return self._decode(ImportResult, response)

    async def sgta_records(self, query: RecordQuery) -> Page[SgtaRecord]:
        """A page of a trail's records."""
        params = {k: v for k, v in query_params(query).items() if v != ""}  # type: ignore[arg-type]
        response = await self._request("GET", "/sgta/records", params=params)
        from backend.sgta.domain import SgtaRecord

        return self._decode(Page[SgtaRecord], response)

    async def sgta_record(self, record_id: int) -> SgtaRecord:
        """A record with its detail."""
        from backend.sgta.domain import SgtaRecord

        return self._decode(SgtaRecord, await self._request("GET", f"/sgta/records/{int(record_id)}"))

    async def sgta_act(self, record_id: int, request: SgtaRequest) -> SgtaRecord:
        """One action on a record (documents as multipart parts)."""
        from backend.sgta.domain import SgtaRecord

        payload: dict[str, Any] = {"text": request.text, "agree": request.agree, "accept": request.accept,
                                   "decision": request.decision.value if request.decision else None,
                                   "until": request.until.isoformat() if request.until else None,
                                   "to": request.to}
        response = await self._request("POST", f"/sgta/records/{int(record_id)}/{request.action.value}",
                                       payload=payload, attachments=request.attachments,
                                       headers=_if_match(request.expected_version))
        return self._decode(SgtaRecord, response)

    async def sgta_download(self, record_id: int, doc_id: int) -> tuple[SgtaDoc, bytes]:
        """A document's metadata and bytes."""
        from backend.sgta.domain import SgtaDoc

        response = await self._request("GET", f"/sgta/records/{int(record_id)}/docs/{int(doc_id)}")
        header = response.headers.get(ATTACHMENT_HEADER)
        if header is None:
            raise self._unexpected(response)
        try:
            meta = cast(SgtaDoc, _decoder(SgtaDoc).validate_json(unquote(header)))
        except ValidationError as exc:
            raise self._unexpected(response) from exc
        return meta, response.content

    async def sgta_counts(self) -> SgtaCounts:
        """SGTA alerts of the home screen."""
        from backend.sgta.domain import SgtaCounts

        return self._decode(SgtaCounts, await self._request("GET", "/sgta/counts"))

    async def sgta_gestores(self, trail_id: str) -> list[GestorLoad]:
        """The gestores of the trail's area with their loads."""
        from backend.sgta.domain import GestorLoad

        path = f"/sgta/trails/{quote(trail_id, safe='')}/gestores"
        return self._decode(list[GestorLoad], await self._request("GET", path))

    # -- connection and live updates ---------------------------------------------

    async def ping(self) -> bool:
        """True when ``/health`` answers now (one quick try, never raises)."""
        try:
            client = self._http()
            response = await client.get(self.base_url + "/health", timeout=min(self._timeout, PING_TIMEOUT))
        except (httpx.HTTPError, DemandasError):
            return False
        return response.status_code == 200

    async def events(self) -> AsyncIterator[TicketEvent]:
        """Server-sent events of ``/events``, reconnecting with backoff and resuming from the last id.

        The first connection resumes from where the server stood before the first listing
        (at start-up, read while Textual loaded), so a change made meanwhile is not missed.
        """
        early, self._events_from, self._events_opened = self._events_from, None, True
        last_id: str | None = early[0] if early is not None and early[1] == self._writes else None
        failures = 0
        timeout = httpx.Timeout(self._timeout, read=self._event_read_timeout)
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id
            try:
                async with self._http().stream("GET", "events", headers=headers, timeout=timeout) as response:
                    if response.status_code != 200:
                        await response.aread()
                        error = self._refusal(response)
                        if not isinstance(error, Unavailable):
                            raise error
                    else:
                        failures = 0
                        async for event_id, name, data in sse_blocks(response.aiter_lines()):
                            if event_id:
                                last_id = event_id
                            event = parse_event(data) if name == "ticket" else None
                            if event is not None:
                                yield event
            except httpx.TransportError:
                pass  # server gone or link dead: reconnect below
            await asyncio.sleep(self._event_delays[min(failures, len(self._event_delays) - 1)])
            failures += 1

    async def evaluate(self, number: str, score: int, comment: str = "", *,
                       expected_version: int | None = None) -> Ticket:
        """Score the service of a resolved ticket."""
        return await self._ticket(_ticket_path(number, "evaluate"), {"score": score, "comment": comment},
                                  expected_version=expected_version)

    async def knowledge(self, desk_id: str, query: str = "") -> list[KnowledgeArticle]:
        """The desk's knowledge articles matching ``query``."""
        params = {"q": query} if query else None
        path = f"/desks/{quote(desk_id, safe='')}/knowledge"
        return self._decode(list[KnowledgeArticle], await self._request("GET", path, params=params))

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
