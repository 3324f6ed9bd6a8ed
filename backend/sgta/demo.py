"""SGTA demo data: members, records of every trail, and a few in each stage of the seed's flow."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.domain import NewAttachment
from backend.service import HelpdeskService
from backend.sgta.domain import Decision, MemberRole, SgtaAction, SgtaRequest
from backend.sgta.service import SgtaService
from backend.sgta.trails import trail

DAP = trail("acumulacao").area
DLC = trail("fornecedor_servidor").area
JOINVILLE = "Prefeitura Municipal de Joinville"
BLUMENAU = "Prefeitura Municipal de Blumenau"
CHAPECO = "Prefeitura Municipal de Chapecó"

ACUMULACAO = f"""Unidade Gestora;Matrícula;Servidor;Cargos acumulados
{JOINVILLE};104.233-1;Ademir José Bortolini;Professor + Médico + Vigia
{JOINVILLE};98.112-4;Carla Regina Stähelin;Enfermeira + Técnica em Radiologia
{JOINVILLE};77.540-9;Mauro Sérgio Pereira;Procurador + Assessor Jurídico
{BLUMENAU};55.031-2;Patrícia Hoffmann Kuhn;Professora + Professora + Diretora
{BLUMENAU};61.980-7;Roberto Carlos Schmitt;Médico + Médico Perito
{CHAPECO};12.304-0;Luiz Antônio Dalla Costa;Contador + Auditor Fiscal
"""
OBITO = f"""Unidade Gestora;CPF;Beneficiário;Data do óbito;Valor pago
{JOINVILLE};***.412.889-**;Irineu Kowalski;03/02/2024;R$ 4.812,33
{BLUMENAU};***.120.547-**;Hilda Maria Grün;17/11/2023;R$ 2.154,90
{CHAPECO};***.873.002-**;Osvaldo Zanella;29/08/2024;R$ 6.003,10
"""
FORNECEDOR = f"""Unidade Gestora;CNPJ;Empresa;Sócio servidor
{JOINVILLE};12.345.678/0001-90;Construtora Vale do Itapocu Ltda.;Mauro Sérgio Pereira
{BLUMENAU};98.765.432/0001-10;Papelaria Enxaimel ME;Roberto Carlos Schmitt
"""


def seed_sgta_demo(helpdesk: HelpdeskService, *, now: datetime, os_login: str | None) -> int:
    """Members and records for trying SGTA; does nothing if records exist. Returns how many were made."""
    sgta = SgtaService(helpdesk)
    if sgta.db.count_where("1", ()):
        return 0
    members = [("gestor", MemberRole.GESTOR, DAP), ("gestor", MemberRole.GESTOR, DLC),
               ("solicitante", MemberRole.ANALYST, JOINVILLE), ("ana.moraes", MemberRole.ANALYST, BLUMENAU),
               ("carlos.tavares", MemberRole.ANALYST, JOINVILLE)]
    if os_login:
        # Whoever runs the demo sees both sides: gestor of DAP and analyst of Joinville.
        members += [(os_login, MemberRole.GESTOR, DAP), (os_login, MemberRole.ANALYST, JOINVILLE)]
    for login, role, place in members:
        sgta.add_member(login, role, place)
    # Loaded 40 days ago: past the 30-day deadline, so the deadline flag and invocation show.
    moment = [now - timedelta(days=40)]
    past = SgtaService(helpdesk, clock=lambda: moment[0])
    loaded = past.import_csv("gestor", "acumulacao", ACUMULACAO.encode())
    made = loaded.count + past.import_csv("gestor", "obito", OBITO.encode()).count
    made += past.import_csv("gestor", "fornecedor_servidor", FORNECEDOR.encode()).count
    first = loaded.first_id or 1

    def act(login: str, record: int, request: SgtaRequest, days_ago: float) -> None:
        moment[0] = now - timedelta(days=days_ago)
        past.act(login, record, request)

    # 1: justified in time, awaiting the gestor.
    act("solicitante", first, SgtaRequest(SgtaAction.JUSTIFY, agree=False, text=(
        "O cargo de vigia foi exonerado em 10/01/2024; restam professor e médico, acumuláveis (CF, art. 37, XVI)."),
        attachments=(NewAttachment("portaria_exoneracao.pdf", b"%PDF-1.4 demo"),)), 25)
    # 2: opened by the unit, still reserved.
    act("carlos.tavares", first + 1, SgtaRequest(SgtaAction.OPEN), 20)
    # 3: justified, analysed and put in monitoring.
    act("solicitante", first + 2, SgtaRequest(SgtaAction.JUSTIFY, agree=True, text=(
        "Concordamos: o servidor optará por um dos cargos até o fim do semestre.")), 28)
    act("gestor", first + 2, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.MONITOR, text=(
        "Acompanhar a opção do servidor."), until=(now + timedelta(days=60)).astimezone().date()), 27)
    # 4: justified, returned for complements.
    act("ana.moraes", first + 3, SgtaRequest(SgtaAction.JUSTIFY, agree=False, text=(
        "As três funções têm compatibilidade de horários.")), 26)
    act("gestor", first + 3, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.RETURN, text=(
        "Anexe as escalas de trabalho que comprovem a compatibilidade.")), 22)
    # 5: justified, then a change request awaiting the gestor.
    act("ana.moraes", first + 4, SgtaRequest(SgtaAction.JUSTIFY, agree=True, text="Perícia eventual, sem jornada."),
        24)
    act("gestor", first + 4, SgtaRequest(SgtaAction.OBSERVE, text="Verificar a portaria de designação."), 23)
    act("ana.moraes", first + 4, SgtaRequest(SgtaAction.REQUEST_CHANGE, text="Faltou anexar a portaria."), 21)
    # Obito 1: concluded and archived.
    act("solicitante", first + 6, SgtaRequest(SgtaAction.JUSTIFY, agree=True, text=(
        "Valor devolvido ao erário em 20/03/2024, conforme guia anexa.")), 30)
    act("gestor", first + 6, SgtaRequest(SgtaAction.VALIDATE, decision=Decision.ARCHIVE, text="Devolução comprovada."),
        29)
    return made
