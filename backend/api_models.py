"""Pydantic models of the HTTP API where the domain dataclasses do not fit as-is.

Responses reuse the domain dataclasses (FastAPI serialises them directly); the
request bodies are pydantic models because attachments travel as base64 text
and because validation errors must name the field in pt-BR.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from backend.domain import NewAttachment, NewTicket, ProfileUpdate, TicketSummary
from backend.text import format_size


def _decode_base64(value: Any) -> bytes:
    """Strict base64: a stray character is an error, never silently dropped."""
    if not isinstance(value, str):
        raise ValueError("deve ser um texto em base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("não é um conteúdo base64 válido") from exc


Base64Content = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    # The wire format is text; without this the schema would claim raw binary.
    WithJsonSchema({"type": "string", "contentEncoding": "base64", "description": "Conteúdo do arquivo em base64."}),
]


class AttachmentIn(BaseModel):
    """A file sent inside a JSON body."""

    name: str = Field(description="Nome do arquivo (só o nome, nunca um caminho).")
    content_base64: Base64Content

    def to_domain(self) -> NewAttachment:
        """The domain object the service expects."""
        return NewAttachment(name=self.name, data=self.content_base64)


class NewTicketIn(BaseModel):
    """Body of ``POST /tickets``."""

    title: str
    orgao: str
    type: str
    category: str
    subject: str
    description: str
    desk: str = "ecage"
    attachments: list[AttachmentIn] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict)

    def to_domain(self) -> NewTicket:
        """The domain object the service expects."""
        return NewTicket(
            title=self.title,
            orgao=self.orgao,
            type=self.type,
            category=self.category,
            subject=self.subject,
            description=self.description,
            desk=self.desk,
            attachments=tuple(a.to_domain() for a in self.attachments),
            fields=dict(self.fields),
        )


class ProfileIn(BaseModel):
    """Body of ``PUT /me``."""

    email: str
    phone: str
    cargo: str
    name: str | None = None

    def to_domain(self) -> ProfileUpdate:
        """The domain object the service expects."""
        return ProfileUpdate(email=self.email, phone=self.phone, cargo=self.cargo, name=self.name)


class CommentIn(BaseModel):
    """Body of ``comments``, ``reply`` and ``note``: a text and/or files."""

    text: str = ""
    attachments: list[AttachmentIn] = Field(default_factory=list)

    def files(self) -> tuple[NewAttachment, ...]:
        """The attachments as domain objects."""
        return tuple(a.to_domain() for a in self.attachments)


class ReasonIn(BaseModel):
    """Body of ``cancel`` (reason optional) and ``reopen`` (justification required)."""

    reason: str = ""


class TextIn(BaseModel):
    """Body of ``resolve`` (the answer) and ``ask`` (what the requester must add)."""

    # Defaulted so that an empty text gets the service's own pt-BR refusal.
    text: str = ""


class AssignIn(BaseModel):
    """Body of ``POST /tickets/{number}/assign``: the agent's login."""

    to: str


class ForwardIn(BaseModel):
    """Body of ``POST /tickets/{number}/forward``."""

    area: str
    reason: str = ""


class MonitorIn(BaseModel):
    """Body of ``POST /tickets/{number}/monitor``: monitoring lasts through ``until``."""

    until: date
    reason: str = ""


class TicketPage(BaseModel):
    """A window of a ticket listing plus the total count of matches."""

    items: list[TicketSummary]
    total: int
    offset: int
    limit: int


class Health(BaseModel):
    """Answer of ``GET /health``."""

    status: Literal["ok"] = "ok"


class ErrorDetail(BaseModel):
    """A refusal: machine code, pt-BR message, and the field at fault if any."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorDetail


# Bigger bodies are refused before parsing: the JSON and the decoded files are
# held in memory at once. base64 inflates files by a third, so this admits about
# 30 MB of files per request.
# Room for a desk's largest send (5 files of 10 MB) once base64-encoded (+33%).
MAX_BODY_BYTES = 80 * 1024 * 1024


def body_too_large_message(size: int | None, limit: int) -> str:
    """The pt-BR refusal for a request body over ``limit`` bytes."""
    has = f"A requisição tem {format_size(size)}" if size is not None else "A requisição passa do limite"
    return (
        f"{has}; o servidor aceita até {format_size(limit)} por envio. "
        "Envie os arquivos em partes, um comentário por vez."
    )
