"""Typed refusals: every one carries a pt-BR message meant for the user.

The HTTP layer maps each class to a 4xx status and a JSON body; the HTTP adapter
maps the body back to the same class, so callers see one error model.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DemandasError(Exception):
    """Base of every refusal the backend reports to a caller."""

    code: ClassVar[str] = "erro"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the server sends for this refusal."""
        return {"code": self.code, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DemandasError):
    """Input that breaks a rule: a missing field, an unknown option, too long."""

    code = "validacao"
    http_status = 422


class NotFound(DemandasError):
    """The ticket, attachment or user does not exist (or is not visible)."""

    code = "nao_encontrado"
    http_status = 404


class Forbidden(DemandasError):
    """The caller may not do this (someone else's ticket, wrong role)."""

    code = "proibido"
    http_status = 403


class Conflict(DemandasError):
    """The action does not fit the ticket's state (reopen after 7 days...)."""

    code = "conflito"
    http_status = 409


class StaleVersion(DemandasError):
    """The caller's copy of the ticket is older than the stored one (If-Match failed)."""

    code = "versao_desatualizada"
    http_status = 412


class TooManyRequests(DemandasError):
    """A per-user limit of the server (open event streams) was reached."""

    code = "limite_excedido"
    http_status = 429


class TooLarge(DemandasError):
    """A file or body over the desk's limit."""

    code = "muito_grande"
    http_status = 413


class Unauthenticated(DemandasError):
    """The request does not say (or prove) who is acting."""

    code = "nao_autenticado"
    http_status = 401


class Unavailable(DemandasError):
    """The server cannot be reached; raised by the HTTP adapter only."""

    code = "indisponivel"
    http_status = 503


ERROR_CLASSES: dict[str, type[DemandasError]] = {
    cls.code: cls
    for cls in (DemandasError, ValidationFailed, NotFound, Forbidden, Conflict, StaleVersion, TooManyRequests,
                TooLarge, Unauthenticated, Unavailable)
}


def error_from_dict(body: dict[str, Any]) -> DemandasError:
    """Rebuild a refusal from the server's JSON body."""
    cls = ERROR_CLASSES.get(str(body.get("code", "")), DemandasError)
    field = body.get("field")
    return cls(str(body.get("message") or "Erro desconhecido."), field=field if isinstance(field, str) else None)
