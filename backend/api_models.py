"""Pydantic models of the HTTP API where the domain dataclasses do not fit as-is.

Responses reuse the domain dataclasses (FastAPI serialises them directly); the
request bodies are pydantic models because validation errors must name the field
in pt-BR. Files never travel inside JSON: they are ``multipart/form-data`` parts
next to a ``payload`` part holding the JSON body (see ``backend.uploads``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from backend.desks import DESK_IDS, load_desk
from backend.domain import NewAttachment, NewTicket, ProfileUpdate, TicketSummary
from backend.errors import ValidationFailed
from backend.text import format_size


class NewTicketIn(BaseModel):
    """Body of ``POST /tickets``."""

    title: str
    orgao: str
    type: str
    category: str
    subject: str
    description: str
    desk: str = "ecage"
    fields: dict[str, str] = Field(default_factory=dict)
    # The desk ``files`` field each multipart file answers, in the order of the files; empty: all "attachments".
    attachment_fields: list[str] = Field(default_factory=list)

    def to_domain(self, attachments: tuple[NewAttachment, ...] = ()) -> NewTicket:
        """The domain object the service expects, with the files of the multipart parts."""
        if self.attachment_fields:
            if len(self.attachment_fields) != len(attachments):
                raise ValidationFailed(
                    f"'attachment_fields' lista {len(self.attachment_fields)} campos para {len(attachments)} "
                    "arquivos; informe um campo por arquivo, na ordem dos arquivos.",
                    field="attachment_fields",
                )
            attachments = tuple(replace(item, field=name)
                                for item, name in zip(attachments, self.attachment_fields, strict=True))
        return NewTicket(
            title=self.title,
            orgao=self.orgao,
            type=self.type,
            category=self.category,
            subject=self.subject,
            description=self.description,
            desk=self.desk,
            attachments=attachments,
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
    """Body of ``comments``, ``reply`` and ``note``: a text (files go as multipart parts)."""

    text: str = ""


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


# JSON bodies carry text only (files go as multipart parts): 1 MB is far above any form.
MAX_BODY_BYTES = 1024 * 1024
# Room for the fullest send any desk allows (e-CAGE: 5 files of 10 MB) plus the form around it.
MAX_UPLOAD_BYTES = max(load_desk(d).info.max_attachments * load_desk(d).info.max_attachment_bytes
                       for d in DESK_IDS) + 1024 * 1024


def body_too_large_message(size: int | None, limit: int, *, upload: bool = False) -> str:
    """The pt-BR refusal for a request body over ``limit`` bytes."""
    has = f"A requisição tem {format_size(size)}" if size is not None else "A requisição passa do limite"
    if upload:
        return (f"{has}; o servidor aceita até {format_size(limit)} por envio. "
                "Envie os arquivos em partes, um comentário por vez.")
    return f"{has}; o servidor aceita até {format_size(limit)} por requisição JSON (os arquivos vão em multipart)."
