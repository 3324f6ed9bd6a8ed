"""Who may do what to a ticket, and why not: pure functions over the desk data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.desks import DeskDefinition
from backend.domain import Role, StatusClass, User
from backend.errors import Conflict, DemandasError, Forbidden
from backend.store import TicketRow
from backend.text import format_datetime

# Actions reported in Ticket.actions, in the order the screens offer them.
ACTIONS = ("comment", "cancel", "resolve", "reopen", "reply", "note", "ask", "assign", "take", "forward", "monitor",
           "track")
# Ticket.fields keys that link an original ticket and its tracking ticket (SEI).
TRACKING_FIELD = "acompanhamento"
ORIGIN_FIELD = "origem"

_ROLE_REFUSALS = {
    "resolve": "Somente atendentes e gestores resolvem demandas.",
    "ask": "Somente atendentes e gestores pedem informações ao solicitante.",
    "reply": "Somente atendentes e gestores respondem demandas.",
    "note": "Somente atendentes e gestores registram observações internas.",
    "assign": "Somente gestores distribuem demandas.",
    "take": "Somente atendentes e gestores reservam demandas.",
    "forward": "Somente atendentes e gestores encaminham demandas.",
    "monitor": "Somente atendentes e gestores colocam demandas em monitoramento.",
    "track": "Somente atendentes e gestores abrem chamados de acompanhamento.",
}
_STATE_REFUSALS = {
    "cancel": "só demandas em andamento podem ser canceladas.",
    "resolve": "só demandas em andamento podem ser resolvidas.",
    "reopen": "só demandas resolvidas ou canceladas podem ser reabertas.",
    "ask": "só demandas em andamento podem aguardar o solicitante.",
    "track": "só demandas encaminhadas à unidade técnica recebem chamado de acompanhamento.",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an action is not possible now; ``forbidden`` when it is about who asks."""

    message: str
    forbidden: bool = False

    def error(self) -> DemandasError:
        """The typed error to raise for this refusal."""
        return Forbidden(self.message) if self.forbidden else Conflict(self.message)


def staff_areas(user: User) -> Sequence[str] | None:
    """The areas a staff member works in; None means every area."""
    if user.role is Role.ADMIN or not user.areas:
        return None
    return user.areas


def sees_ticket(user: User, requester: str, area: str) -> bool:
    """Requesters see their own tickets; staff the tickets of their areas (and their own)."""
    if requester == user.login:
        return True
    if not user.role.is_staff:
        return False
    areas = staff_areas(user)
    return areas is None or area in areas


def can_see(user: User, row: TicketRow) -> Refusal | None:
    """None when ``user`` may see ``row``; else why not."""
    if sees_ticket(user, row.requester_login, row.area):
        return None
    if not user.role.is_staff:
        return Refusal(f"A demanda {row.number} pertence a outro solicitante.", forbidden=True)
    areas = staff_areas(user) or ()
    return Refusal(f"A demanda {row.number} é da área {row.area}; você atende: {', '.join(areas)}.", forbidden=True)


def why_not_comment(user: User, row: TicketRow, desk: DeskDefinition) -> Refusal | None:
    """Comments by the requester (or staff) on a ticket they can see."""
    seen = can_see(user, row)
    if seen:
        return seen
    if row.status_class is not StatusClass.ACTIVE and not desk.comment_when_closed:
        verb = "reabra-a para" if "reopen" in desk.transitions else "não é possível"
        return Refusal(f"A demanda está com status “{row.status}”; {verb} adicionar comentários ou anexos.")
    return None


def why_not(action: str, user: User, row: TicketRow, desk: DeskDefinition, now: datetime) -> Refusal | None:
    """None when ``user`` may do ``action`` on ``row`` now; else the reason."""
    if action == "comment":
        return why_not_comment(user, row, desk)
    transition = desk.transitions.get(action)
    if transition is None:
        return Refusal(f"Ação indisponível no balcão {desk.info.name}.")
    if user.role not in transition.roles:
        return Refusal(_ROLE_REFUSALS.get(action, "Seu perfil não permite esta ação."), forbidden=True)
    seen = can_see(user, row)
    if seen:
        return seen
    if row.status not in transition.sources:
        tail = _STATE_REFUSALS.get(action, "esta ação não se aplica.")
        return Refusal(f"A demanda está com status “{row.status}”; {tail}")
    if action == "reopen":
        closed = row.closed_at or row.updated_at
        deadline = closed + timedelta(days=desk.info.reopen_days)
        if now > deadline:
            return Refusal(
                f"O prazo para reabrir terminou em {format_datetime(deadline)}: demandas resolvidas ou "
                f"canceladas podem ser reabertas em até {desk.info.reopen_days} dias."
            )
    if transition.areas and row.area not in transition.areas:
        return Refusal(f"Esta ação cabe à área {', '.join(sorted(transition.areas))}; a demanda está na área "
                       f"{row.area}.")
    if action == "track" and row.fields.get(TRACKING_FIELD):
        return Refusal(f"A demanda já tem chamado de acompanhamento: {row.fields[TRACKING_FIELD]}.")
    if action == "take" and row.reserved_by == user.login:
        return Refusal("A demanda já está reservada para você.")
    return None


def actions_for(user: User, row: TicketRow, desk: DeskDefinition, now: datetime) -> dict[str, str | None]:
    """Every action of the desk with None (allowed) or the reason it is not."""
    result: dict[str, str | None] = {}
    for action in ACTIONS:
        if action != "comment" and action not in desk.transitions:
            continue
        refusal = why_not(action, user, row, desk, now)
        result[action] = refusal.message if refusal else None
    return result
