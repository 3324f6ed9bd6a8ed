"""Fixtures of the SGTA screen tests: a deterministic trail with records in several stages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from backend.domain import NewAttachment, User
from backend.sgta.domain import Decision, MemberRole, SgtaAction, SgtaRequest
from backend.sgta.service import SgtaService
from tests.tui.conftest import recording
from tests.tui.data import START, Desk, make_desk
from tui.app import DemandasApp

DAP = "DAP – Diretoria de Atos de Pessoal"
JOINVILLE = "Prefeitura Municipal de Joinville"
BLUMENAU = "Prefeitura Municipal de Blumenau"
GESTOR = User("gestor", "Cláudia Pacheco", "claudia@tce.sc.gov.br", "(48) 3221-3600", "Auditora")
ANALYST = User("ana", "Ana Beatriz Vieira", "ana@joinville.sc.gov.br", "(47) 3431-3000", "Analista")
ANALYST2 = User("beto", "Roberto Kuhn", "beto@joinville.sc.gov.br", "(47) 3431-3001", "Supervisor")
GESTOR2 = User("gabi", "Gabriela Souza", "gabriela@tce.sc.gov.br", "(48) 3221-3601", "Auditora")
CSV = f"""Unidade Gestora;Matrícula;Servidor;Cargos acumulados
{JOINVILLE};104.233-1;Ademir José Bortolini;Professor + Médico + Vigia
{JOINVILLE};98.112-4;Carla Regina Stähelin;Enfermeira + Técnica em Radiologia
{JOINVILLE};77.540-9;[b]Mauro[/b] Pereira;Procurador + Assessor Jurídico
{BLUMENAU};55.031-2;Patrícia Hoffmann Kuhn;Professora + Diretora
"""


@dataclass
class SgtaDesk:
    """The database, its clock and the record ids by name."""

    desk: Desk
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def service(self) -> SgtaService:
        return SgtaService(self.desk.service)


def fill_sgta(desk: Desk) -> SgtaDesk:
    """Records loaded 40 days before START: ``pendente`` (deadline missed), ``justificado``,
    ``monitorado`` (concluded, in monitoring), ``blumenau`` (another unit's, justified)."""
    sgta = SgtaService(desk.service)
    for login, role, place in (("gestor", MemberRole.GESTOR, DAP), ("gabi", MemberRole.GESTOR, DAP),
                               ("ana", MemberRole.ANALYST, JOINVILLE), ("beto", MemberRole.ANALYST, JOINVILLE)):
        sgta.add_member(login, role, place)
    desk.clock.now = START - timedelta(days=40)
    first = sgta.import_csv("gestor", "acumulacao", CSV.encode()).first_id or 1
    made = SgtaDesk(desk, {"pendente": first, "justificado": first + 1, "monitorado": first + 2,
                           "blumenau": first + 3})
    desk.clock.now = START - timedelta(days=20)
    sgta.act("ana", first + 1, SgtaRequest(SgtaAction.JUSTIFY, agree=False, text="Horários compatíveis.",
                                           attachments=(NewAttachment("escala.pdf", b"%PDF escala"),)))
    sgta.act("ana", first + 2, SgtaRequest(SgtaAction.JUSTIFY, agree=True, text="O servidor optará por um cargo."))
    sgta.act("gestor", first + 2, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.MONITOR,
                                              text="Acompanhar a opção.",
                                              until=(START + timedelta(days=30)).astimezone().date()))
    desk.clock.now = START
    return made


@pytest.fixture
def sgta_desk(tmp_path: Path) -> Iterator[SgtaDesk]:
    """The trail "Acumulação de cargos" with four records."""
    desk = make_desk(tmp_path / "demandas.db", users=(GESTOR, GESTOR2, ANALYST, ANALYST2))
    made = fill_sgta(desk)
    yield made
    desk.service.store.close()


def sgta_app(made: SgtaDesk, login: str) -> DemandasApp:
    """The app acting as ``login`` (no profile question, no animations)."""
    app = DemandasApp(recording(made.desk, login), ask_profile=False)
    app.animation_level = "none"
    return app
