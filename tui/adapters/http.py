"""The remote adapter: a ``demandas serve`` reached over HTTP with httpx.

Responses are decoded into the same domain dataclasses the local adapter
returns, and error bodies back into the same exception classes, so screens
cannot tell the two apart.
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any, TypeVar, cast
from urllib.parse import quote, unquote

import httpx
from pydantic import TypeAdapter, ValidationError

from backend.api_models import MAX_BODY_BYTES, TicketPage, body_too_large_message
from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Ticket,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.errors import DemandasError, TooLarge, Unavailable, ValidationFailed, error_from_dict
from tui.adapter import Adapter

API_PREFIX = "/api/v1"
USER_HEADER = "X-Demandas-User"
USER_NAME_HEADER = "X-Demandas-User-Name"
ATTACHMENT_HEADER = "X-Demandas-Attachment"

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


def _files(attachments: Sequence[NewAttachment]) -> list[dict[str, str]]:
    return [{"name": a.name, "content_base64": base64.b64encode(a.data).decode("ascii")} for a in attachments]


def _ticket_path(number: str, *rest: str) -> str:
    if not number.strip():
        # "" would address the collection, not a ticket: refuse as the service does.
        raise ValidationFailed("Informe o número da demanda.", field="number")
    return "/".join(("/tickets", quote(number, safe=""), *rest))


class HttpAdapter(Adapter):
    """The helpdesk of a ``demandas serve`` at ``base_url``, acting as ``login``."""

    def __init__(self, base_url: str, login: str, display_name: str | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 30) -> None:
        self.base_url = normalize_base_url(base_url)
        self.location = f"servidor: {self.base_url}"
        self.login = login
        self._display_name = display_name
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            try:
                url = httpx.URL(self.base_url)
            except httpx.InvalidURL:
                url = None
            if url is None or url.scheme not in ("http", "https") or not url.host:
                # On first use, like every other adapter error, so the screens report it where they call.
                raise self._bad_address()
            # Percent-encoded: header values are ASCII; the server decodes both.
            headers = {USER_HEADER: quote(self.login, safe="")}
            if self._display_name:
                headers[USER_NAME_HEADER] = quote(self._display_name, safe="")
            # Office networks set HTTP_PROXY without NO_PROXY=localhost; a local server must not go through it.
            self._client = httpx.AsyncClient(base_url=self.base_url + API_PREFIX, headers=headers,
                                             transport=self._transport, timeout=self._timeout,
                                             trust_env=not _is_loopback(self.base_url))
        return self._client

    async def _request(self, method: str, path: str, *, params: Mapping[str, str | int] | None = None,
                       payload: Mapping[str, Any] | None = None) -> httpx.Response:
        headers: dict[str, str] = {}
        content: bytes | None = None
        if payload is not None:
            content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            # Checked here too: uploading 50 MB over a slow link only to be refused helps nobody.
            if len(content) > MAX_BODY_BYTES:
                raise TooLarge(body_too_large_message(len(content), MAX_BODY_BYTES), field="attachments")
            headers["Content-Type"] = "application/json"
        client = self._http()
        try:
            response = await client.request(method, path.lstrip("/"), params=params, content=content,
                                            headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise self._bad_address() from exc
        except httpx.TimeoutException as exc:
            hint = "" if method == "GET" else " Confira se a ação foi registrada antes de repetir."
            raise Unavailable(f"O servidor {self.base_url} não respondeu em {self._timeout:g} s.{hint}") from exc
        except httpx.TransportError as exc:
            raise Unavailable(
                f"Sem conexão com o servidor {self.base_url}. Verifique se `demandas serve` está rodando."
            ) from exc
        if response.is_success:
            return response
        raise self._refusal(response)

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
        if status in (502, 503, 504):  # a proxy in front of a stopped server
            return Unavailable(f"O servidor {self.base_url} está indisponível (HTTP {status}). Tente de novo em "
                               "instantes.")
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

    async def _ticket(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> Ticket:
        return self._decode(Ticket, await self._request(method, path, payload=payload))

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
        response = await self._request("GET", "/tickets", params=query_params(query))
        try:
            page = TicketPage.model_validate_json(response.content)
        except ValidationError as exc:
            raise self._unexpected(response) from exc
        return Page(items=tuple(page.items), total=page.total, offset=page.offset, limit=page.limit)

    async def get_ticket(self, number: str) -> Ticket:
        """A ticket with its timeline and the actions the user may take."""
        return await self._ticket("GET", _ticket_path(number))

    async def create_ticket(self, new: NewTicket) -> Ticket:
        """Open a ticket."""
        payload = {spec.name: getattr(new, spec.name) for spec in dataclasses.fields(new)}
        payload["attachments"] = _files(new.attachments)
        return await self._ticket("POST", "/tickets", payload)

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        """Add a comment and/or attachments."""
        return await self._ticket("POST", _ticket_path(number, "comments"),
                                  {"text": text, "attachments": _files(attachments)})

    async def cancel(self, number: str, reason: str = "") -> Ticket:
        """Cancel an active ticket."""
        return await self._ticket("POST", _ticket_path(number, "cancel"), {"reason": reason})

    async def resolve(self, number: str, text: str) -> Ticket:
        """Resolve a ticket (agents and managers)."""
        return await self._ticket("POST", _ticket_path(number, "resolve"), {"text": text})

    async def reopen(self, number: str, reason: str) -> Ticket:
        """Reopen a resolved or canceled ticket with a justification."""
        return await self._ticket("POST", _ticket_path(number, "reopen"), {"reason": reason})

    # -- support staff -------------------------------------------------------

    async def reply(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        """A public answer from staff."""
        return await self._ticket("POST", _ticket_path(number, "reply"),
                                  {"text": text, "attachments": _files(attachments)})

    async def note(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        """An internal note, never shown to the requester."""
        return await self._ticket("POST", _ticket_path(number, "note"),
                                  {"text": text, "attachments": _files(attachments)})

    async def ask(self, number: str, text: str) -> Ticket:
        """Ask the requester for more information."""
        return await self._ticket("POST", _ticket_path(number, "ask"), {"text": text})

    async def assign(self, number: str, to_login: str) -> Ticket:
        """Distribute the ticket to an agent (managers)."""
        return await self._ticket("POST", _ticket_path(number, "assign"), {"to": to_login})

    async def take(self, number: str) -> Ticket:
        """Reserve the ticket, taking it over if someone held it."""
        return await self._ticket("POST", _ticket_path(number, "take"))

    async def forward(self, number: str, area: str, reason: str) -> Ticket:
        """Send the ticket to another area."""
        return await self._ticket("POST", _ticket_path(number, "forward"), {"area": area, "reason": reason})

    async def monitor(self, number: str, until: date, reason: str) -> Ticket:
        """Keep the ticket in monitoring through ``until``."""
        return await self._ticket("POST", _ticket_path(number, "monitor"),
                                  {"until": until.isoformat(), "reason": reason})

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

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
