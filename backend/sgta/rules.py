"""Who may do what to an SGTA record, and why not; the flags a record carries now.

Pure functions: the service reads the rows and the memberships, these decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain import Role, User
from backend.rules import Refusal
from backend.sgta.domain import STATUS_LABELS, ChangeMark, ChangeRequest, SgtaAction, SgtaFlag, SgtaStatus, Trail
from backend.text import format_date, format_datetime

UNIT_SIDE = (SgtaStatus.PENDENTE, SgtaStatus.EM_ANALISE_UNIDADE, SgtaStatus.DEVOLVIDO)
GESTOR_SIDE = (SgtaStatus.JUSTIFICADO, SgtaStatus.EM_ANALISE_GESTOR)
_UNIT_ACTIONS = (SgtaAction.OPEN, SgtaAction.JUSTIFY, SgtaAction.REQUEST_CHANGE)


@dataclass(frozen=True, slots=True)
class Membership:
    """The areas a user is gestor of and the units they justify for."""

    areas: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the rules need to know about a record."""

    id: int
    trail: Trail
    unit: str
    status: SgtaStatus
    reserved_by: str | None
    due_at: datetime
    monitor_until: datetime | None
    justified_at: datetime | None
    invoked_at: datetime | None
    pending_change: ChangeRequest | None
    last_change: ChangeRequest | None


def is_gestor(user: User, member: Membership, trail: Trail) -> bool:
    """Gestores of the trail's area (and administrators) analyse its records."""
    return user.role is Role.ADMIN or trail.area in member.areas


def is_analyst(member: Membership, unit: str) -> bool:
    """The unit's supervisors/analysts justify its records."""
    return unit in member.units


def can_see(user: User, member: Membership, state: RecordState) -> Refusal | None:
    """None when the user may see the record; else why not."""
    if is_gestor(user, member, state.trail) or is_analyst(member, state.unit):
        return None
    # Whose the record is stays unsaid: asking by id must not tell outsiders which units have records where.
    return Refusal(f"O registro {state.id} não é de uma unidade sua nem de uma área em que você é Gestor; você não "
                   "tem acesso a ele.", forbidden=True)


def flags_of(state: RecordState, now: datetime) -> tuple[SgtaFlag, ...]:
    """The flags of the record at ``now``, in the seed's order."""
    if state.pending_change is not None:
        change: ChangeMark = "pending"
    elif state.last_change is not None:
        change = "accepted" if state.last_change.accepted else "refused"
    else:
        change = ""
    return flags_at(state.status, state.monitor_until, state.due_at, state.justified_at, change, now)


def flags_at(status: SgtaStatus, monitor_until: datetime | None, due_at: datetime, justified_at: datetime | None,
             change: ChangeMark, now: datetime) -> tuple[SgtaFlag, ...]:
    """:func:`flags_of` from the few fields it depends on (the listing's search works them out for many records).

    ``change``: what became of the record's latest change request ("" when it has none).
    """
    flags: list[SgtaFlag] = []
    if status is SgtaStatus.CONCLUIDO and monitor_until is not None:
        flags.append(SgtaFlag.MONITORING if now <= monitor_until else SgtaFlag.MONITORING_EXPIRED)
    if change == "pending":
        flags.append(SgtaFlag.CHANGE_REQUESTED)
    elif change:
        flags.append(SgtaFlag.CHANGE_ACCEPTED if change == "accepted" else SgtaFlag.CHANGE_REFUSED)
    justified_late = justified_at is not None and justified_at > due_at
    never_justified = justified_at is None and now > due_at
    if justified_late or never_justified:
        flags.append(SgtaFlag.DEADLINE_MISSED)
    return tuple(flags)


def why_not(action: SgtaAction, user: User, member: Membership, state: RecordState, now: datetime) -> Refusal | None:
    """None when the user may do ``action`` now; else the reason, in pt-BR."""
    seen = can_see(user, member, state)
    if seen:
        return seen
    status = state.status
    if action is SgtaAction.ATTACH:
        return None  # any status, even after conclusion (seed: "A qualquer momento...")
    if action in _UNIT_ACTIONS:
        if not is_analyst(member, state.unit):
            return Refusal(f"Somente o Supervisor e/ou Analista da unidade {state.unit} pode fazer isto.",
                           forbidden=True)
        return _unit_refusal(action, user, state)
    if not is_gestor(user, member, state.trail):
        return Refusal(f"Somente os Gestores da área {state.trail.area} podem fazer isto.", forbidden=True)
    if action is SgtaAction.OBSERVE:
        if status is SgtaStatus.CONCLUIDO:
            return Refusal("Observações podem ser incluídas em qualquer status, exceto o “concluído”.")
        return None
    if action is SgtaAction.DISTRIBUTE:
        if status not in GESTOR_SIDE:
            return Refusal(f"O registro está com status “{_label(status)}”; só registros justificados ou em "
                           "análise pelo Gestor podem ser distribuídos.")
        return None
    if action in (SgtaAction.ANALYSE, SgtaAction.VALIDATE):
        if status not in GESTOR_SIDE:
            return Refusal(f"O registro está com status “{_label(status)}”; só registros justificados ou em "
                           "análise pelo Gestor podem ser analisados.")
        if action is SgtaAction.ANALYSE and state.reserved_by == user.login:
            return Refusal("O registro já está reservado para você.")
        if action is SgtaAction.VALIDATE and state.pending_change is not None:
            return Refusal("Há um pedido de alteração pendente: decida sobre ele antes de emitir o parecer.")
        return None
    if action is SgtaAction.DECIDE_CHANGE:
        if state.pending_change is None:
            return Refusal("Não há pedido de alteração pendente neste registro.")
        return None
    if action in (SgtaAction.CHANGE_MONITORING, SgtaAction.END_MONITORING):
        if status is not SgtaStatus.CONCLUIDO or state.monitor_until is None:
            return Refusal("O registro não está em monitoramento.")
        return None
    if action is SgtaAction.REOPEN:
        if status is not SgtaStatus.CONCLUIDO:
            return Refusal(f"O registro está com status “{_label(status)}”; só registros concluídos podem ser "
                           "reabertos.")
        return None
    return _invoke_refusal(state, now)


def _unit_refusal(action: SgtaAction, user: User, state: RecordState) -> Refusal | None:
    status = state.status
    if action is SgtaAction.REQUEST_CHANGE:
        if status is SgtaStatus.CONCLUIDO:
            return Refusal("Não é possível solicitar alterações em registros com status “concluído”.")
        if status not in GESTOR_SIDE:
            return Refusal(f"O registro está com status “{_label(status)}”; a justificativa ainda pode ser "
                           "editada: justifique-o.")
        if state.pending_change is not None:
            return Refusal("Já existe um pedido de alteração aguardando a decisão do Gestor.")
        return None
    if status not in UNIT_SIDE:
        if status in GESTOR_SIDE:
            return Refusal("Uma vez concluída a justificativa, ela não pode ser mais alterada: envie um pedido "
                           "de alteração ao Gestor.")
        return Refusal(f"O registro está com status “{_label(status)}” e não pode mais ser justificado.")
    if action is SgtaAction.OPEN and status is SgtaStatus.EM_ANALISE_UNIDADE and state.reserved_by == user.login:
        return Refusal("O registro já está reservado para você.")
    return None


def _invoke_refusal(state: RecordState, now: datetime) -> Refusal | None:
    if state.invoked_at is not None:
        return Refusal(f"O registro já foi invocado em {format_datetime(state.invoked_at)}.")
    if state.status not in UNIT_SIDE:
        return Refusal("O registro já foi justificado pela unidade; só registros não justificados podem ser "
                       "invocados.")
    if now <= state.due_at:
        return Refusal(f"O registro está dentro do prazo de justificativa (até {format_date(state.due_at)}); "
                       "só pode ser invocado depois dele.")
    return None


def _label(status: SgtaStatus) -> str:
    return STATUS_LABELS[status]


def actions_for(user: User, member: Membership, state: RecordState, now: datetime) -> dict[str, str | None]:
    """Every action with None (allowed) or the reason it is not."""
    result: dict[str, str | None] = {}
    for action in SgtaAction:
        refusal = why_not(action, user, member, state, now)
        result[action.value] = refusal.message if refusal else None
    return result
