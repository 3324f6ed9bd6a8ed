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

from backend.domain import NewAttachment, NewTicket, ProfileUpdate, TicketSummary
from backend.errors import ValidationFailed

# Re-exported for the server, which imports them from here.
from backend.limits import MAX_BODY_BYTES as MAX_BODY_BYTES
from backend.limits import body_too_large_message as body_too_large_message
from backend.limits import max_upload_bytes
from backend.sgta.domain import Decision, SgtaRecord


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


class EvaluationIn(BaseModel):
    """Body of ``POST /tickets/{number}/evaluate``: the score (1 to 5) and an optional comment."""

    # Strict: "5" or 4.5 is refused, not coerced; the range is the service's (same message on every adapter).
    score: int = Field(strict=True)
    comment: str = ""


class TicketPage(BaseModel):
    """A window of a ticket listing plus the total count of matches."""

    items: list[TicketSummary]
    total: int
    offset: int
    limit: int


class SgtaActionIn(BaseModel):
    """Body of ``POST /sgta/records/{id}/{action}`` (files, if any, go as multipart parts)."""

    # Defaulted so that a missing value gets the service's own pt-BR refusal.
    text: str = ""
    agree: bool | None = None
    decision: Decision | None = None
    until: date | None = None
    accept: bool | None = None
    to: str | None = Field(default=None, max_length=100)


class SgtaImportIn(BaseModel):
    """The ``payload`` of ``POST /sgta/trails/{trail}/import``: nothing yet; the CSV is the file part."""


class SgtaRecordPage(BaseModel):
    """A window of a trail's records plus the total count of matches."""

    items: list[SgtaRecord]
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


# The server reads every desk definition at start anyway; the client asks max_upload_bytes() when it uploads.
MAX_UPLOAD_BYTES = max_upload_bytes()
