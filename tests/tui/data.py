"""Deterministic helpdesk data for the UI tests (also handy for trying the app by hand)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend.domain import NewAttachment, NewTicket, Role, Ticket, User
from backend.service import HelpdeskService
from backend.store import Store
from tui.adapters.local import LocalAdapter

REQUESTER = User(
    "fernando", "Fernando Sidarta Bastos dos Santos", "fernando@sefaz.rs.gov.br", "(51) 3214-5000", "Analista"
)
AGENT = User("atendente", "Ana Atendente", "ana@cage.rs.gov.br", "(51) 3214-6000", "Atendente", Role.AGENT)
NEWCOMER = User("novato", "Nina Novata")  # no e-mail, phone or cargo yet

#: 16/01/2024 12:46 in São Paulo, the seed manual's screenshot time.
START = datetime(2024, 1, 16, 15, 46, tzinfo=UTC)

MARKUP_TITLE = "[/bold] oops [red]x"
ESCAPE_TITLE = "\x1b[31mvermelho\x1b[0m e [b]negrito[/b]"


class Clock:
    """A fixed clock the tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward by ``timedelta(**delta)``."""
        self.now += timedelta(**delta)


@dataclass
class Desk:
    """A database plus the service that writes it, at a controlled time."""

    path: Path
    clock: Clock
    service: HelpdeskService
    numbers: dict[str, str] = field(default_factory=dict)

    def adapter(self, login: str = REQUESTER.login) -> LocalAdapter:
        """An adapter acting as ``login`` over this database and clock."""
        adapter = LocalAdapter(self.path, login, service=self.service)
        adapter.location = "local: demandas.db"  # snapshots must not show a temporary path
        return adapter


def new_ticket(title: str, description: str = "Descrição da demanda.", **extra: object) -> NewTicket:
    """An e-CAGE Sistemas ticket like the seed manual's example."""
    values: dict[str, object] = {
        "title": title,
        "orgao": "Secretaria da Fazenda",
        "type": "Sistemas",
        "category": "Dúvidas de Operação e Erros de Validação",
        "subject": "FPE – Execução de Despesa > Retenção",
        "description": description,
    }
    values.update(extra)
    return NewTicket(**values)  # type: ignore[arg-type]


def make_desk(path: Path, *, users: tuple[User, ...] = (REQUESTER, AGENT, NEWCOMER)) -> Desk:
    """An empty database with the test users."""
    clock = Clock()
    service = HelpdeskService(Store(path), clock=clock, rng=random.Random(7))
    for user in users:
        service.save_user(user)
    return Desk(path, clock, service)


def fill_desk(desk: Desk, start: datetime = START) -> Desk:
    """The seed manual's tickets plus the hostile titles, spread over a few days.

    ``numbers`` names them: ``nova`` (active, files and a comment), ``dci``
    (active), ``cancelada``, ``resolvida`` (resolved now: reopen allowed),
    ``markup`` and ``escape`` (hostile titles).
    """
    svc, clock, me = desk.service, desk.clock, REQUESTER.login
    clock.now = start - timedelta(days=40)
    desk.numbers["cancelada"] = svc.create_ticket(me, new_ticket("Teste", "Teste de abertura.")).number
    svc.cancel(me, desk.numbers["cancelada"], "Aberta por engano.")
    clock.advance(days=6)
    resolved = svc.create_ticket(me, new_ticket("Erro ao liquidar empenho", "O FPE recusa a liquidação."))
    desk.numbers["resolvida"] = resolved.number
    clock.advance(days=20)
    desk.numbers["dci"] = svc.create_ticket(me, new_ticket("Teste DCI", "Validação do DCI.")).number
    clock.advance(days=5)
    hostile = new_ticket(MARKUP_TITLE, "Descrição com [link=x]markup[/link].")
    desk.numbers["markup"] = svc.create_ticket(me, hostile).number
    desk.numbers["escape"] = svc.create_ticket(me, new_ticket(ESCAPE_TITLE, "Texto com \x1b[2J escape.")).number
    clock.now = start - timedelta(days=1)
    svc.resolve(AGENT.login, desk.numbers["resolvida"], "Liquidação liberada no FPE.")
    clock.now = start
    first = svc.create_ticket(
        me,
        new_ticket(
            "Nova Demanda",
            "Descrever demanda detalhadamente, informando números de documentos e processos.",
            attachments=(NewAttachment("image001.jpg (4).jpg", b"\xff\xd8\xff fake jpeg 4"),),
        ),
    )
    desk.numbers["nova"] = first.number
    clock.advance(minutes=3)
    svc.comment(me, first.number, "Descrição complementar",
                (NewAttachment("image001.jpg (5).jpg", b"\xff\xd8\xff fake jpeg 5"),))
    clock.advance(minutes=10)
    return desk


def ticket(desk: Desk, key: str) -> Ticket:
    """A named ticket as the requester sees it now."""
    return desk.service.get_ticket(REQUESTER.login, desk.numbers[key])


def many_tickets(path: Path, count: int) -> Desk:
    """``count`` tickets of the requester, written in bulk SQL (seconds for 100,000)."""
    desk = make_desk(path)
    store = desk.service.store
    rows = []
    for index in range(count):
        created = START - timedelta(minutes=count - index)
        stamp = created.isoformat(timespec="microseconds")
        rows.append((
            f"CAGE-{index + 1:05d}-T{index % 1000:03d}", "ecage", f"Demanda de carga {index + 1}", REQUESTER.login,
            "Secretaria da Fazenda", "Sistemas", "Erros de Sistema", "FPE", "Carga de teste.",
            "Em Andamento", "active", stamp, stamp,
        ))
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO tickets (number, desk, title, requester, orgao, type, category, subject, description,"
            " status, status_class, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("INSERT INTO desk_sequences (desk, last) VALUES ('ecage', ?)", (count,))
    return desk
