"""SGTA domain: audit trails, their inconsistency records and what is done to them (seed 001).

Records are not tickets: a trail has its own columns, the unit's analyst justifies
and the area's gestor analyses. Plain frozen dataclasses, like ``backend.domain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from backend.domain import NewAttachment

#: Documents: PDF, text documents and spreadsheets of up to 20 MB, at most 5 per send.
MAX_DOC_BYTES = 20 * 1024 * 1024
MAX_DOCS = 5


class SgtaStatus(StrEnum):
    """The six statuses of a record; "em análise" appears twice (unit, then gestor)."""

    PENDENTE = "pendente"
    EM_ANALISE_UNIDADE = "em_analise_unidade"
    JUSTIFICADO = "justificado"
    EM_ANALISE_GESTOR = "em_analise_gestor"
    CONCLUIDO = "concluido"
    DEVOLVIDO = "devolvido"


STATUS_LABELS: dict[SgtaStatus, str] = {
    SgtaStatus.PENDENTE: "pendente",
    SgtaStatus.EM_ANALISE_UNIDADE: "em análise",
    SgtaStatus.JUSTIFICADO: "justificado",
    SgtaStatus.EM_ANALISE_GESTOR: "em análise",
    SgtaStatus.CONCLUIDO: "concluído",
    SgtaStatus.DEVOLVIDO: "devolvido",
}

# The seed's own descriptions (table "Status").
STATUS_HELP: dict[SgtaStatus, str] = {
    SgtaStatus.PENDENTE: "Indica que o registro ainda não foi analisado.",
    SgtaStatus.EM_ANALISE_UNIDADE: (
        "Indica que alguém está atuando com o registro, a reserva é feita automaticamente e após a conclusão "
        "da análise a reserva também é retirada automaticamente. Nota: é possível analisar um registro que já "
        "esteja reservado por outra pessoa, entretanto a reserva será transferida automaticamente."
    ),
    SgtaStatus.JUSTIFICADO: (
        "Indica que o Supervisor e/ou Analista emitiu o seu parecer, concordando ou não com a inconsistência. "
        "Neste status o Gestor não iniciou sua análise."
    ),
    SgtaStatus.EM_ANALISE_GESTOR: (
        "Indica que algum Gestor iniciou o trabalho de análise sobre o que foi justificado pelo Supervisor "
        "e/ou Analista."
    ),
    SgtaStatus.CONCLUIDO: (
        "Indica que o Gestor considerou conclusas as informações prestadas pelo Supervisor e/ou Analista do "
        "Órgão/Unidade Administrativa. Ações posteriores poderão ter sido desencadeadas, ver em Flags."
    ),
    SgtaStatus.DEVOLVIDO: (
        "Indica que o Gestor não considerou conclusas as informações prestadas pelo Supervisor e/ou Analista "
        "e devolveu o registro para novas justificativas."
    ),
}


class SgtaFlag(StrEnum):
    """Marks that call attention to a record (the seed's "Flags")."""

    MONITORING = "monitoramento"
    MONITORING_EXPIRED = "monitoramento_vencido"
    CHANGE_REQUESTED = "alteracao_solicitada"
    CHANGE_ACCEPTED = "alteracao_aceita"
    CHANGE_REFUSED = "alteracao_recusada"
    DEADLINE_MISSED = "prazo_descumprido"


FLAG_LABELS: dict[SgtaFlag, str] = {
    SgtaFlag.MONITORING: "Em monitoramento",
    SgtaFlag.MONITORING_EXPIRED: "Monitoramento vencido",
    SgtaFlag.CHANGE_REQUESTED: "Alteração solicitada",
    SgtaFlag.CHANGE_ACCEPTED: "Alteração aceita",
    SgtaFlag.CHANGE_REFUSED: "Alteração recusada",
    SgtaFlag.DEADLINE_MISSED: "Prazo de justificativa descumprido",
}

# Short marks for the table's Flags column (the seed shows icons).
FLAG_MARKS: dict[SgtaFlag, str] = {
    SgtaFlag.MONITORING: "M",
    SgtaFlag.MONITORING_EXPIRED: "M!",
    SgtaFlag.CHANGE_REQUESTED: "A?",
    SgtaFlag.CHANGE_ACCEPTED: "A+",
    SgtaFlag.CHANGE_REFUSED: "A-",
    SgtaFlag.DEADLINE_MISSED: "P!",
}

# The seed's explanations, word for word where they fit a terminal.
FLAG_HELP: dict[SgtaFlag, str] = {
    SgtaFlag.MONITORING: (
        "Indica que o registro já teve a análise concluída pelo Gestor e este colocou o registro em "
        "monitoramento para uma reavaliação em uma data futura. Muito comum quando na justificativa da "
        "inconsistência foi informada alguma atitude corretiva que demandará prazo para ser implementada."
    ),
    SgtaFlag.MONITORING_EXPIRED: (
        "Indica que o prazo do monitoramento esgotou e o registro está aguardando uma ação do Gestor. Um alerta "
        "é emitido na tela inicial para o Gestor responsável."
    ),
    SgtaFlag.CHANGE_REQUESTED: (
        "Indica que o Supervisor e/ou Analista solicitou a alteração das informações por ele prestadas. Uma vez "
        "concluída a justificativa, ela não pode ser mais alterada. O pedido chegará ao Gestor que não poderá "
        "concluir sua análise até que decida sobre o pedido. Nota: Não é possível solicitar alterações em "
        "registros com status “concluído”."
    ),
    SgtaFlag.CHANGE_ACCEPTED: (
        "Indica que o pedido de alteração foi aceito. Nesse caso, o registro retorna para o status "
        "“em análise”, reservado para o Supervisor e/ou Analista que pediu a alteração."
    ),
    SgtaFlag.CHANGE_REFUSED: "Indica que o pedido de alteração não foi aceito.",
    SgtaFlag.DEADLINE_MISSED: (
        "Indica o descumprimento do prazo de justificativa determinado na Instrução Normativa n. TC-25/2019. "
        "O registro pode ser invocado pelo TCE para ações corretivas."
    ),
}


class SgtaAction(StrEnum):
    """What can be done to a record; each is allowed or refused with a reason (``SgtaRecord.actions``)."""

    OPEN = "abrir"
    JUSTIFY = "justificar"
    REQUEST_CHANGE = "pedir_alteracao"
    ATTACH = "anexar"
    OBSERVE = "observar"
    ANALYSE = "analisar"
    VALIDATE = "validar"
    DECIDE_CHANGE = "decidir_alteracao"
    CHANGE_MONITORING = "alterar_monitoramento"
    END_MONITORING = "encerrar_monitoramento"
    REOPEN = "reabrir"
    INVOKE = "invocar"
    DISTRIBUTE = "distribuir"


ACTION_LABELS: dict[SgtaAction, str] = {
    SgtaAction.OPEN: "Abrir para justificar",
    SgtaAction.JUSTIFY: "Justificar",
    SgtaAction.REQUEST_CHANGE: "Pedir alteração da justificativa",
    SgtaAction.ATTACH: "Anexar um arquivo",
    SgtaAction.OBSERVE: "Incluir uma observação no registro",
    SgtaAction.ANALYSE: "Analisar (reservar para mim)",
    SgtaAction.VALIDATE: "Validar justificativa",
    SgtaAction.DECIDE_CHANGE: "Analisar pedido de alteração",
    SgtaAction.CHANGE_MONITORING: "Alterar o prazo do monitoramento",
    SgtaAction.END_MONITORING: "Encerrar o monitoramento e arquivar",
    SgtaAction.REOPEN: "Reabrir o registro",
    SgtaAction.INVOKE: "Invocar registro não justificado no prazo",
    SgtaAction.DISTRIBUTE: "Distribuir a um Gestor da área",
}


class Decision(StrEnum):
    """The gestor's verdict on a justification ("Validar Justificativa")."""

    ARCHIVE = "arquivar"
    MONITOR = "monitorar"
    RETURN = "devolver"
    DRAFT = "rascunho"


DECISION_LABELS: dict[Decision, str] = {
    Decision.ARCHIVE: "Arquivar (concluir)",
    Decision.MONITOR: "Colocar em monitoramento até uma data",
    Decision.RETURN: "Devolver à unidade para complementações",
    Decision.DRAFT: "Salvar rascunho (continua reservado)",
}


class MemberRole(StrEnum):
    """SGTA's two sides: the area's gestor (TCE) and the unit's supervisor/analyst."""

    GESTOR = "gestor"
    ANALYST = "analista"


@dataclass(frozen=True, slots=True)
class TrailColumn:
    """A column of a trail's own table."""

    name: str
    label: str


@dataclass(frozen=True, slots=True)
class Trail:
    """An audit trail: its area, its own columns and the justification deadline."""

    id: str
    name: str
    area: str
    justification_days: int
    unit_column: str
    columns: tuple[TrailColumn, ...]
    description: str = ""

    def label_of(self, name: str) -> str:
        """The heading of the column called ``name``."""
        return next((c.label for c in self.columns if c.name == name), name)


@dataclass(frozen=True, slots=True)
class TrailSummary:
    """A row of the trail selection table."""

    trail: Trail
    permitted: bool
    total: int = 0
    awaiting_justification: int = 0
    awaiting_analysis: int = 0
    concluded: int = 0


@dataclass(frozen=True, slots=True)
class SgtaDoc:
    """A document attached to a record."""

    id: int
    name: str
    size: int
    content_type: str
    created_at: datetime
    author_login: str
    author_name: str


@dataclass(frozen=True, slots=True)
class SgtaEvent:
    """One append-only event of a record ("Consultar Justificativas/Pareceres/Eventos")."""

    id: int
    kind: str
    author_login: str
    author_name: str
    created_at: datetime
    text: str = ""
    status_from: SgtaStatus | None = None
    status_to: SgtaStatus | None = None


@dataclass(frozen=True, slots=True)
class Justification:
    """What the unit's analyst said: agrees with the inconsistency or not, and why."""

    agree: bool
    text: str
    author_login: str
    author_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """A request to change a finished justification, and the gestor's decision."""

    id: int
    text: str
    author_login: str
    author_name: str
    created_at: datetime
    accepted: bool | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_text: str = ""


#: What became of a record's latest change request; "" when it has none (the flags depend on it).
ChangeMark = Literal["", "pending", "accepted", "refused"]


@dataclass(frozen=True, slots=True)
class SgtaRecord:
    """An inconsistency record with the six common columns; detail fields are empty in listings."""

    id: int
    trail: str
    unit: str
    values: dict[str, str]
    status: SgtaStatus
    observation: str
    reserved_by: str | None
    reserved_by_name: str | None
    docs: int
    flags: tuple[SgtaFlag, ...]
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    version: int
    monitor_until: datetime | None = None
    invoked_at: datetime | None = None
    # action -> None when allowed for the caller now, else the pt-BR reason.
    actions: dict[str, str | None] = field(default_factory=dict)
    justification: Justification | None = None
    change_request: ChangeRequest | None = None
    draft: str = ""
    events: tuple[SgtaEvent, ...] = ()
    documents: tuple[SgtaDoc, ...] = ()

    @property
    def status_label(self) -> str:
        """The seed's word for the status."""
        return STATUS_LABELS[self.status]

    def can(self, action: SgtaAction) -> bool:
        """True when the caller may do ``action`` now."""
        return self.actions.get(action.value, "") is None

    def why_not(self, action: SgtaAction) -> str | None:
        """The reason ``action`` is refused, or None when allowed."""
        if action.value not in self.actions:
            return "Ação indisponível neste registro."
        return self.actions[action.value]


@dataclass(frozen=True, slots=True)
class SgtaRequest:
    """One action on a record with everything it may carry."""

    action: SgtaAction
    text: str = ""
    agree: bool | None = None
    decision: Decision | None = None
    until: date | None = None
    accept: bool | None = None
    attachments: tuple[NewAttachment, ...] = ()
    expected_version: int | None = None
    # DISTRIBUTE: the gestor who will analyse the record.
    to: str | None = None


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """A page of a trail's records: search words, one status, window."""

    trail: str
    search: str = ""
    status: SgtaStatus | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import added."""

    trail: str
    count: int
    first_id: int | None = None
    last_id: int | None = None


@dataclass(frozen=True, slots=True)
class GestorLoad:
    """A gestor of a trail's area and how many records they are analysing now (distribution dialog)."""

    login: str
    name: str
    records: int


@dataclass(frozen=True, slots=True)
class SgtaCounts:
    """The home screen's SGTA alerts."""

    awaiting_analysis: int = 0
    change_requests: int = 0
    monitoring_expired: int = 0
    awaiting_justification: int = 0
    # Justified and not yet taken by any gestor (seed: "aguardando distribuição").
    awaiting_distribution: int = 0
