"""Demo data for the SEI, gov.br and CITSmart desks: staff and a few tickets of each.

Unlike the bulk e-CAGE seed, these go through the service (a few dozen tickets), so
every one obeys its desk's form and transitions; a clock moved along the way gives
them a believable history (and some overdue deadlines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from backend.desks import load_desk
from backend.domain import NewAttachment, NewTicket, Role, User
from backend.service import HelpdeskService

if TYPE_CHECKING:
    from backend.seed import SeedReport

PNG = b"\x89PNG\r\n\x1a\n demo"
PDF = b"%PDF-1.4 demo"


@dataclass(frozen=True, slots=True)
class DeskSeedReport:
    """What the other desks' seed created."""

    tickets: int
    logins: tuple[str, ...]


def _staff() -> tuple[User, ...]:
    sei = load_desk("sei").info.areas
    govbr = load_desk("govbr").info.areas
    cit = load_desk("citsmart").info.areas
    return (
        User("csg.sei", "Larissa Castro Nogueira", "larissa-nogueira@sefaz.ma.gov.br", "(98) 3219-8810",
             "Comitê Setorial de Gestão do SEI – SEFAZ", Role.AGENT, (sei[0],)),
        User("tecnico.sei", "Henrique Sousa Brandão", "henrique-brandao@seati.ma.gov.br", "(98) 3235-4400",
             "Analista da Unidade Técnica do SEI", Role.AGENT, (sei[1],)),
        User("analista.govbr", "Renata Albuquerque Siqueira", "renata.siqueira@gestao.gov.br", "(61) 2020-1530",
             "Analista da CGATE/SGD", Role.AGENT, govbr),
        User("suporte.cit", "Paulo Henrique Dias Moreira", "paulo.moreira@economia.gov.br", "(61) 2020-8001",
             "Central de Serviços Compras.gov.br", Role.AGENT, cit),
    )


class _Clock:
    """A clock the seed moves: each ticket's history happens at believable moments."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment


def seed_other_desks(service: HelpdeskService, requesters: tuple[User, ...], *,
                     now: datetime | None = None) -> DeskSeedReport:
    """Staff of the new desks and a few tickets of each, spread over the last weeks, for ``requesters``."""
    now = now or service.clock()
    staff = _staff()
    for user in staff:
        service.save_user(user)
    clock = _Clock(now)
    work = HelpdeskService(service.store, clock=clock)
    created = 0
    for index, requester in enumerate(requesters):
        start = now - timedelta(days=20 - 3 * (index % 6), hours=2 * index)
        for story in (_sei_story, _govbr_story, _citsmart_story):
            clock.at(start)
            created += story(work, clock, requester, index)
            start += timedelta(hours=5)
    return DeskSeedReport(tickets=created, logins=tuple(u.login for u in staff))


def _later(clock: _Clock, **delta: float) -> None:
    clock.at(clock.now + timedelta(**delta))


_SEI_REQUESTS = (
    ("Secretaria de Estado da Fazenda (SEFAZ)",
     "Inclusão de novo usuário na unidade SEFAZ/CPLAN\nSolicito o cadastro da servidora no SEI com perfil básico, "
     "lotada na Coordenação de Planejamento."),
    ("SAMOP", "Alteração de nomenclatura da unidade SEDUC/SUPAE\nA unidade passou a se chamar Superintendência de "
              "Apoio ao Estudante; pedimos a alteração no SEI."),
    ("Secretaria de Estado da Saúde (SES)",
     "Erro ao assinar documento com certificado digital\nAo assinar o ofício aparece a mensagem \"Certificado "
     "inválido\". Segue o print da tela."),
)
_GOVBR_REQUESTS = (
    ("Instituto Nacional do Seguro Social (INSS)", "Solicitar Certidão de Tempo de Contribuição",
     "Erro no roteamento de processos", "Algumas solicitações",
     "Solicitações não chegam à fila da unidade responsável\nDesde a última publicação do fluxo, os protocolos "
     "ficam parados na etapa de triagem.", ("00001.004512/2025-31", "00001.004519/2025-02")),
    ("Ministério da Saúde", "Cadastro no Programa Farmácia Popular", "Erro em alguma API",
     "Todas as solicitações do serviço",
     "Consulta de CPF retorna erro 502 na etapa de validação\nA integração com a base cadastral falha para todos "
     "os pedidos desde ontem às 14h.", ("25000.118830/2025-44",)),
    ("Polícia Federal", "Agendamento de emissão de passaporte", "Lentidão no acesso ao serviço", "Uma solicitação",
     "Formulário demora mais de 2 minutos para carregar\nO cidadão relata lentidão constante ao abrir a etapa de "
     "agendamento.", ("08000.776102/2025-90",)),
)
_CIT_REQUESTS = (
    ("Erro/Indisponibilidade SIASG", "Alta", "Erro ao publicar aviso de licitação no SIASG\nO sistema apresenta "
     "erro ao confirmar a divulgação do pregão eletrônico."),
    ("Reativação de UASG", "Normal", "Reativação da UASG 926018\nÓrgão: Fundação Estadual de Cultura. CNPJ "
     "00.000.000/0001-00, endereço Rua da Assembleia, 10 – Rio de Janeiro/RJ, telefone (21) 2334-5000. A UASG "
     "ficou inativa por falta de uso e voltará a fazer compras em 2025."),
    ("Informações sobre melhorias no SIASG", "Baixa", "Sugestão: filtro por situação na consulta de contratos\n"
     "Seria útil filtrar contratos por situação (vigente, encerrado) na consulta do SIASG."),
)


def _sei_story(work: HelpdeskService, clock: _Clock, requester: User, index: int) -> int:
    orgao, text = _SEI_REQUESTS[index % len(_SEI_REQUESTS)]
    email = requester.email or f"{requester.login}@ma.gov.br"
    ticket = work.create_ticket(requester.login, NewTicket(
        title="", orgao=orgao, type="", category="", subject="", description=text, desk="sei",
        attachments=(NewAttachment("print-da-tela.png" if "print" in text else "oficio.pdf",
                                   PNG if "print" in text else PDF),),
        fields={"nome": requester.name, "email": email, "email_confirmacao": email},
    ))
    step = index % 3
    if step == 0:
        return 1  # still with the committee (overdue after five days)
    _later(clock, hours=20)
    work.forward("csg.sei", ticket.number, load_desk("sei").info.areas[1],
                 "Demanda da unidade técnica: alteração de cadastro no SEI.")
    _later(clock, hours=6)
    work.track("tecnico.sei", ticket.number, "Alteração registrada para o próximo lote de manutenção do SEI.")
    if step == 2:
        _later(clock, days=2)
        work.resolve("tecnico.sei", ticket.number, "Alteração feita no SEI; confira e, se preciso, reabra.")
    return 2


def _govbr_story(work: HelpdeskService, clock: _Clock, requester: User, index: int) -> int:
    orgao, service_name, problem, scope, text, protocols = _GOVBR_REQUESTS[index % len(_GOVBR_REQUESTS)]
    ticket = work.create_ticket(requester.login, NewTicket(
        title="", orgao=orgao, type="", category="", subject="", description=text, desk="govbr",
        fields={"telefone": requester.phone or "(61) 2020-8000",
                "email_institucional": requester.email or f"{requester.login}@gov.br",
                "servico": service_name, "objetivo": "Erro",
                "tipo_solicitante": "Analista do Serviço" if index % 2 == 0 else "Solicitante/Cidadão",
                "tipo_problema": problem, "alcance": scope, "protocolos": "\n".join(protocols)},
    ))
    if index % 3 == 0:
        return 1
    _later(clock, hours=30)
    work.ask("analista.govbr", ticket.number, "Informe o identificador do fluxo publicado e anexe o log da etapa.")
    if index % 3 == 2:
        _later(clock, hours=12)
        work.comment(requester.login, ticket.number, "Fluxo 2025.3, versão publicada em 02/06. Log anexo.",
                     (NewAttachment("log-etapa.txt", b"etapa=triagem status=parado"),))
    return 1


def _citsmart_story(work: HelpdeskService, clock: _Clock, requester: User, index: int) -> int:
    theme, priority, text = _CIT_REQUESTS[index % len(_CIT_REQUESTS)]
    fields = {"prioridade": priority}
    attachments: tuple[NewAttachment, ...] = ()
    if theme == "Erro/Indisponibilidade SIASG":
        fields |= {"uasg": "925001", "funcionalidade": "Divulgação de compras",
                   "mensagem_erro": "Erro 500 – serviço indisponível", "data_ocorrencia": "03/06/2025 10:15",
                   "passo_a_passo": "1. Acessei o SIASG\n2. Divulgação de compras > Incluir aviso\n"
                                    "3. Ao confirmar, a tela mostra o erro"}
        attachments = (NewAttachment("print-erro-siasg.png", PNG, field="print_tela"),)
    elif theme == "Reativação de UASG":
        fields["uasg"] = "926018"
    ticket = work.create_ticket(requester.login, NewTicket(
        title="", orgao="", type=theme, category="", subject="", description=text, desk="citsmart",
        attachments=attachments, fields=fields))
    if index % 2 == 1:
        _later(clock, hours=10)
        work.resolve("suporte.cit", ticket.number, "Situação normalizada; a divulgação foi concluída.")
    return 1


def demo_requesters(store_get: Callable[[str], User | None], logins: tuple[str, ...]) -> tuple[User, ...]:
    """The users called ``logins`` that exist and are requesters, in order."""
    found = (store_get(login) for login in logins)
    return tuple(u for u in found if u is not None and u.role is Role.REQUESTER)


def add_other_desks(service: HelpdeskService, report: SeedReport) -> SeedReport:
    """The e-CAGE seed's report plus the other desks' demo, for its requesters (and two more)."""
    from backend.seed import OTHER_REQUESTERS

    logins = (*report.logins, *(u.user.login for u in OTHER_REQUESTERS[:2]))
    extra = seed_other_desks(service, demo_requesters(service.store.get_user, logins))
    return replace(report, tickets=report.tickets + extra.tickets, users=report.users + len(extra.logins),
                   logins=(*report.logins, *extra.logins))
