"""Demo data: users with full profiles and realistic e-CAGE tickets, inserted in bulk.

``demandas seed --tickets 100000`` must take seconds, so tickets and timeline
entries go into SQLite in bulk (staging tables, ``executemany``, ``INSERT ...
SELECT``) inside a few large transactions; the FTS triggers still fire, so search
works. Everything is drawn from one seeded ``random.Random``: the same seed and
``now`` give the same data.
"""

from __future__ import annotations

import bisect
import random
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from backend.desks import DeskDefinition, load_desk
from backend.domain import EntryKind, Role, User
from backend.errors import ValidationFailed
from backend.service import LOGIN_PATTERN, HelpdeskService
from backend.store import Store

DESK_ID = "ecage"
HISTORY_DAYS = 548  # about 18 months
TRANSACTION_SIZE = 10_000  # tickets per transaction (and progress step): few commits, bounded WAL
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # number suffixes

# Status names of the e-CAGE desk (checked against the desk file at run time).
IN_PROGRESS = "Em Andamento"
WAITING = "Aguardando Solicitante"
RESOLVED = "Resolvido"
CANCELED = "Cancelado"

# The seed manual's example ticket, given to ``solicitante`` as their newest one.
EXAMPLE_TICKET = (
    "Nova Demanda",
    "Secretaria da Fazenda",
    "Sistemas",
    "Dúvidas de Operação e Erros de Validação",
    "FPE – Execução de Despesa > Retenção",
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo account: the user plus the órgão its tickets come from."""

    user: User
    orgao: str


def _u(login: str, name: str, email: str, phone: str, cargo: str, orgao: str,
       role: Role = Role.REQUESTER, areas: tuple[str, ...] = ()) -> DemoUser:
    return DemoUser(User(login, name, email, phone, cargo, role, areas), orgao)


STAFF: tuple[DemoUser, ...] = (
    _u("atendente", "Mariana Lopes Ferreira", "mariana-ferreira@sefaz.rs.gov.br", "(51) 3214-5310",
       "Auditora do Estado – Suporte Sistemas", "Contadoria e Auditoria-Geral do Estado", Role.AGENT, ("Sistemas",)),
    _u("atendente2", "Rafael Augusto Menezes da Silva", "rafael-silva@sefaz.rs.gov.br", "(51) 3214-5324",
       "Técnico de Controle Interno", "Contadoria e Auditoria-Geral do Estado", Role.AGENT,
       ("Serviços", "Orientação")),
    _u("gestor", "Cláudia Regina Antunes Pacheco", "claudia-pacheco@sefaz.rs.gov.br", "(51) 3214-5300",
       "Coordenadora do Atendimento CAGE Virtual", "Contadoria e Auditoria-Geral do Estado", Role.MANAGER,
       ("Sistemas", "Serviços", "Orientação")),
)
SOLICITANTE = _u("solicitante", "Fernando Sidarta Bastos dos Santos", "fernando-santos@sefaz.rs.gov.br",
                 "(51) 3214-5148", "Técnico Tributário da Receita Estadual", "Secretaria da Fazenda")
# A few more requesters so agents see a realistic mix of people and órgãos.
OTHER_REQUESTERS: tuple[DemoUser, ...] = (
    _u("ana.moraes", "Ana Beatriz Moraes Vieira", "ana-moraes@seduc.rs.gov.br", "(51) 3288-4712",
       "Agente Administrativa", "Secretaria da Educação"),
    _u("carlos.tavares", "Carlos Eduardo Tavares Nunes", "carlos-tavares@daer.rs.gov.br", "(51) 3210-5563",
       "Analista Contábil", "Departamento Autônomo de Estradas de Rodagem (DAER)"),
    _u("juliana.kessler", "Juliana Kessler Zanella", "juliana-zanella@saude.rs.gov.br", "(51) 3288-5921",
       "Especialista em Saúde – Gestão Financeira", "Secretaria da Saúde"),
    _u("marcos.oliveira", "Marcos Vinícius de Oliveira", "marcos-oliveira@bm.rs.gov.br", "(51) 3288-2931",
       "Oficial de Finanças", "Brigada Militar"),
    _u("patricia.rocha", "Patrícia Gonçalves Rocha", "patricia-rocha@ipe.rs.gov.br", "(51) 3210-3140",
       "Analista Previdenciária", "Instituto de Previdência do Estado do RS (IPE Prev)"),
    _u("roberto.schneider", "Roberto Luís Schneider", "roberto-schneider@agricultura.rs.gov.br", "(51) 3288-6274",
       "Assistente Administrativo – Convênios",
       "Secretaria da Agricultura, Pecuária, Produção Sustentável e Irrigação"),
    _u("luciana.campos", "Luciana Farias de Campos", "luciana-campos@sop.rs.gov.br", "(51) 3288-5087",
       "Engenheira – Fiscal de Contratos", "Secretaria de Obras Públicas"),
    _u("thiago.bittencourt", "Thiago Henrique Ramos Bittencourt", "thiago-bittencourt@detran.rs.gov.br",
       "(51) 3288-1655", "Analista de Controle Interno", "Departamento Estadual de Trânsito (DETRAN/RS)"),
    _u("debora.machado", "Débora Cristina Machado Lima", "debora-lima@planejamento.rs.gov.br", "(51) 3288-1403",
       "Analista de Planejamento e Orçamento", "Secretaria de Planejamento, Governança e Gestão"),
    _u("joao.kruger", "João Pedro Pereira Krüger", "joao-kruger@pc.rs.gov.br", "(51) 3288-2210",
       "Escrivão – Setor Administrativo", "Polícia Civil"),
)
DEMO_LOGINS: tuple[str, ...] = (SOLICITANTE.user.login, *(s.user.login for s in STAFF))

# -- text material --------------------------------------------------------------

# Module (the last part of an FPE/CADIN subject) or system -> what the user was doing.
_OPERATIONS: dict[str, str] = {
    "Empenho": "emitir a nota de empenho",
    "Liquidação": "registrar a liquidação da despesa",
    "Pagamento": "gerar a ordem de pagamento",
    "Retenção": "registrar a retenção de tributos na liquidação",
    "Requisição": "cadastrar a requisição de compra",
    "Estorno de Pagamento": "estornar o pagamento",
    "Ingresso": "registrar o ingresso de receita",
    "Estorno de Receita": "estornar a transação de receita",
    "Critérios de Arrecadação": "cadastrar o critério de arrecadação",
    "Lançamentos": "incluir o lançamento contábil",
    "Conciliação": "executar a conciliação contábil",
    "Encerramento do Exercício": "executar as rotinas de encerramento do exercício",
    "Credor": "atualizar o cadastro do credor",
    "Ordenador": "cadastrar o ordenador de despesa",
    "Conta Corrente": "cadastrar a conta corrente",
    "Recursos": "consultar o saldo do recurso",
    "Notas Financeiras": "liberar a nota financeira",
    "Transferência de Numerário": "solicitar a transferência de numerário",
    "Contratos": "vincular o contrato ao empenho",
    "Convênios": "registrar a prestação de contas do convênio",
    "Adiantamento de Numerário": "conceder o adiantamento de numerário",
    "Diárias": "registrar a concessão de diárias",
    "Controle de Acessos": "atribuir o perfil de acesso ao servidor",
    "Relatórios e Consultas": "emitir o relatório de execução orçamentária",
    "Consulta": "consultar a situação do credor",
    "Inclusão e Baixa de Registros": "baixar o registro do devedor",
    "CAGE Gerencial": "gerar o painel de acompanhamento da despesa",
    "MINA": "consultar as informações do órgão",
    "FPE": "acessar o sistema",
    "FPE Mobile": "aprovar documentos pelo aplicativo",
    "CADIN": "consultar a situação do credor",
    "CFIL": "consultar fornecedores impedidos de licitar",
    "SISACF": "registrar o acompanhamento do contrato de financiamento",
    "SICHE": "emitir o relatório do sistema",
    "Portal da Transparência": "conferir os dados de despesa publicados",
    "APE": "registrar a prestação de contas",
    "Portal BI/DW": "atualizar o painel de indicadores",
}
_VALIDATION_MESSAGES = (
    "Documento com data de competência inválida.",
    "Saldo insuficiente no recurso para a operação.",
    "Credor com pendência no CADIN.",
    "Conta contábil não permitida para o evento informado.",
    "Campo obrigatório não informado: Natureza da Despesa.",
    "Período contábil encerrado para a Unidade Orçamentária.",
    "Valor da retenção superior ao valor bruto do documento.",
    "Código de arrecadação não vinculado ao recurso.",
    "Usuário sem permissão para a transação solicitada.",
)
_SYSTEM_ERRORS = (
    "java.lang.NullPointerException",
    "500 Internal Server Error",
    "Session expired. Please log in again.",
    "ORA-01403: no data found",
    "Connection reset by peer",
    "Request timed out after 30000 ms",
    "Unexpected error occurred. Contact your system administrator.",
    "ArrayIndexOutOfBoundsException: Index 0 out of bounds for length 0",
)
_IMPROVEMENTS = (
    ("exportar o resultado em planilha", "copiar os dados manualmente para uma planilha"),
    ("filtrar por período e por Unidade Orçamentária", "consultar mês a mês"),
    ("salvar os filtros mais usados", "preencher os mesmos filtros a cada acesso"),
    ("anexar documentos em lote", "anexar um documento por vez"),
    ("exibir o histórico de alterações do registro", "abrir um chamado para saber quem alterou o dado"),
)
_BROWSERS = ("Google Chrome", "Mozilla Firefox", "Microsoft Edge")
_WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira")
_PEOPLE = (
    "Luana Prestes Dornelles", "Gustavo Henrique Weber", "Camila Fagundes Souto", "Eduardo Brum Falcão",
    "Renata Oliveira Cardoso", "Vinícius Lemos Teixeira", "Sabrina Duarte Pinheiro", "André Luiz Kunz",
)
_SERVICE_DETAILS = (
    "Os documentos comprobatórios foram juntados ao processo.",
    "O valor envolvido é de R$ {value}.",
    "Referência: empenho nº {year}NE{doc:06d}, liquidação nº {year}LQ{doc2:06d}.",
    "O prazo legal de pagamento vence em {due}.",
    "A Seccional da CAGE no órgão já foi consultada e orientou a abertura desta demanda.",
)
_CLOSINGS = (
    "Ficamos à disposição para esclarecimentos.",
    "Agradecemos a atenção.",
    "Em caso de dúvida, contatar o setor financeiro pelo ramal {ramal}.",
)
_ORIENTATION_TOPICS: dict[str, tuple[str, ...]] = {
    "Adiantamento de numerário": ("Prazo de aplicação do adiantamento de numerário",
                                  "Despesas permitidas no regime de adiantamento",
                                  "Prestação de contas de adiantamento com saldo a devolver"),
    "Bens Públicos": ("Baixa de bens móveis inservíveis", "Doação de bens móveis a município"),
    "Cadastro Credor FPE": ("Documentos para cadastro de credor estrangeiro",
                            "Alteração de domicílio bancário do credor"),
    "Cadastro Ordenador FPE": ("Substituição do ordenador de despesa durante as férias",
                               "Delegação de competência para ordenar despesa"),
    "Contabilidade": ("Registro contábil de precatórios", "Reconhecimento de passivo sem empenho prévio"),
    "Contas Ordinárias": ("Prazo de envio das contas ordinárias ao TCE",
                          "Documentos exigidos na prestação de contas ordinária"),
    "Contratações Diretas": ("Inexigibilidade para contratação de palestrante",
                             "Dispensa de licitação por valor na Lei 14.133/2021"),
    "Contratos": ("Prorrogação de contrato de serviço contínuo", "Reajuste contratual por índice de preços",
                  "Aplicação de multa por atraso na entrega"),
    "Controle e Auditoria": ("Atendimento a apontamento de auditoria",
                             "Prazo para resposta a diligência da CAGE"),
    "Convênios, Parcerias e Instrumentos congêneres": ("Requisitos necessários para aditivar um convênio",
                                                       "Prazo de prestação de contas de parceria (MROSC)",
                                                       "Devolução de saldo de convênio encerrado"),
    "Custos/RS": ("Apropriação de custos por centro de custo", "Atualização do relatório de Custos/RS"),
    "Demonstrativos Fiscais": ("Cálculo da despesa com pessoal no Relatório de Gestão Fiscal",
                               "Inscrição de restos a pagar no encerramento"),
    "Ementário da Natureza de Despesa": ("Natureza de despesa para serviços de computação em nuvem",
                                         "Classificação de despesa com locação de equipamentos"),
    "Governança, Controles Internos e Riscos": ("Mapeamento de riscos do processo de pagamento",
                                                "Implantação de controles internos na área financeira"),
    "Licitações": ("Pesquisa de preços para licitação", "Adesão a ata de registro de preços de outro órgão"),
    "Obras e serviços de engenharia": ("Medição de obra com termo aditivo pendente",
                                       "Reequilíbrio econômico-financeiro em contrato de obra"),
    "Pessoal": ("Pagamento de diferenças salariais de exercícios anteriores",
                "Indenização de férias não gozadas"),
    "Retenção de Tributos": ("Retenção de ISS em serviços de limpeza",
                             "Retenção de INSS na cessão de mão de obra",
                             "Retenção de Imposto de Renda de pessoa jurídica"),
}
_FOLLOWUPS = (
    "Descrição complementar: o problema também ocorre com outros documentos do mesmo credor.",
    "Segue o número do processo PROA para referência: {proa}.",
    "Informo que o prazo de pagamento vence em {due}; solicitamos prioridade.",
    "Tentei novamente hoje e a situação persiste.",
    "Complementando: a situação foi confirmada por outro servidor do setor.",
)
_AGENT_REPLIES = (
    "Prezado(a), a demanda está em análise pela equipe responsável. Retornaremos em breve.",
    "Encaminhado à divisão responsável para verificação.",
    "Recebido. Estamos verificando os registros informados.",
)
_ASKS = (
    "Para prosseguir, favor informar o número do documento e anexar a tela com a mensagem apresentada.",
    "Solicitamos o envio da cópia do processo PROA para análise.",
    "Favor confirmar o ID funcional do servidor e o perfil de acesso desejado.",
    "Favor informar a data e o horário aproximado em que a situação ocorreu.",
)
_ANSWERS = (
    "Seguem as informações solicitadas: documento {doc}, conforme tela anexada ao processo.",
    "Informação enviada. O processo PROA é o {proa}.",
    "Confirmo os dados: ID funcional {idf}.",
)
_RESOLUTIONS = (
    "Ajuste realizado. Favor verificar e, persistindo a situação, reabrir a demanda.",
    "Orientação prestada conforme a legislação vigente. Demanda atendida.",
    "Acesso concedido. O perfil estará disponível no próximo login.",
    "Procedimento executado pela equipe da CAGE. Demanda atendida.",
    "Correção publicada no sistema. Favor refazer a operação.",
)
_CANCEL_REASONS = (
    "Demanda aberta em duplicidade.",
    "Situação resolvida internamente pelo setor.",
    "Aberta com o tipo errado; nova demanda será registrada.",
    "",
)
_NOTES = (
    "Verificar com a equipe de desenvolvimento se houve atualização do sistema na data informada.",
    "Caso semelhante atendido no mês passado; aplicar o mesmo procedimento.",
    "Consultar a Seccional antes de responder ao órgão.",
)
_MONITOR_REASONS = (
    "aguardando a publicação da correção no sistema",
    "aguardando o fechamento do mês para conferir os saldos",
    "aguardando a resposta da equipe de desenvolvimento",
)
_REOPEN_REASONS = (
    "Problema não resolvido.",
    "A situação voltou a ocorrer após o ajuste.",
    "A orientação não contemplou o caso concreto informado.",
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seeding run created."""

    tickets: int
    users: int
    logins: tuple[str, ...]
    first_number: str | None
    last_number: str | None


def seed_demo(
    service: HelpdeskService,
    tickets: int,
    *,
    os_login: str | None,
    os_name: str | None,
    random_seed: int = 2024,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Create the demo users and ``tickets`` e-CAGE tickets; ``progress`` gets the running count."""
    if tickets < 0:
        raise ValidationFailed("O número de demandas não pode ser negativo.", field="tickets")
    desk = load_desk(DESK_ID)
    _check_desk(desk)
    moment = (now or service.clock()).astimezone(UTC)
    rng = random.Random(random_seed)
    store = service.store

    os_user = _os_user(os_login, os_name)
    demo = [SOLICITANTE, *STAFF, *OTHER_REQUESTERS]
    with store.write() as conn:
        for item in demo:
            # Demo accounts are the seed's own: reset them to their demo profile and role.
            user = item.user
            if user.areas:  # staff areas are written as ticket types; the desk names the areas
                user = replace(user, areas=tuple(dict.fromkeys(desk.area_for(t) for t in user.areas)))
            store.save_user(conn, user, moment)
        if os_user is not None and store.get_user(os_user.user.login) is None:
            # A real person: create if missing, never overwrite their profile or role.
            store.save_user(conn, os_user.user, moment)

    primary = [SOLICITANTE, *([os_user] if os_user else [])]
    requesters = [*primary, *OTHER_REQUESTERS]
    now_s = int(moment.timestamp())
    plans = _plan(rng, tickets, now_s, requesters, primary)
    writer = _Writer(desk, now_s)
    first_seq = writer.reserve(store, tickets) if tickets else 0
    done = 0
    first: str | None = None
    last: str | None = None
    # Rows are built before each transaction, so the write lock is held only while
    # SQLite works (other users of a shared database wait less).
    with _fts_bulk_load(store, enabled=tickets >= 1000):
        for ticket_rows, entry_rows in writer.chunks(rng, plans, first_seq):
            with store.write() as conn:
                _insert_chunk(conn, ticket_rows, entry_rows)
            done += len(ticket_rows)
            first, last = first or ticket_rows[0][1], ticket_rows[-1][1]
            if progress is not None:
                progress(done)
    logins = (*DEMO_LOGINS, *([os_user.user.login] if os_user else []))
    # SGTA: audit-trail records beside the tickets (only into a database without them).
    from backend.sgta.demo import seed_sgta_demo

    seed_sgta_demo(service, now=moment, os_login=os_user.user.login if os_user else None)
    return SeedReport(tickets=done, users=len(demo) + (1 if os_user else 0), logins=logins,
                      first_number=first, last_number=last)


def _insert_chunk(conn: sqlite3.Connection, ticket_rows: list[tuple[Any, ...]],
                  entry_rows: list[tuple[Any, ...]]) -> None:
    """Write one chunk through staging tables; ticket ids are chunk-local until here."""
    # One INSERT ... SELECT into tickets is ~3x faster than row-by-row inserts: the
    # FTS trigger then works inside one statement.
    base = int(conn.execute("SELECT coalesce(max(id), 0) FROM main.tickets").fetchone()[0])
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE_TICKETS} ({_TICKET_COLUMNS})")
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE_ENTRIES} ({_ENTRY_COLUMNS})")
    conn.executemany(f"INSERT INTO {_STAGE_TICKETS} VALUES ({', '.join('?' * len(ticket_rows[0]))})",
                     ticket_rows)
    conn.executemany(f"INSERT INTO {_STAGE_ENTRIES} VALUES ({', '.join('?' * len(entry_rows[0]))})", entry_rows)
    conn.execute(f"INSERT INTO main.tickets ({_TICKET_COLUMNS}) SELECT id + ?, {_TICKET_COLUMNS.split(', ', 1)[1]}"
                 f" FROM {_STAGE_TICKETS} ORDER BY id", (base,))
    conn.execute(f"INSERT INTO main.timeline ({_ENTRY_COLUMNS}) SELECT ticket_id + ?,"
                 f" {_ENTRY_COLUMNS.split(', ', 1)[1]} FROM {_STAGE_ENTRIES} ORDER BY rowid", (base,))
    conn.execute(f"DROP TABLE {_STAGE_TICKETS}")
    conn.execute(f"DROP TABLE {_STAGE_ENTRIES}")


@contextmanager
def _fts_bulk_load(store: Store, *, enabled: bool) -> Iterator[None]:
    """Pause FTS5 automatic merging during the load, then merge the index once.

    Merging segments after every chunk roughly doubles the time of a 100,000
    ticket seed. The setting is persistent, so it is restored even on errors.
    """
    conn = store.conn
    if not enabled or conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tickets_fts_config'").fetchone() is None:
        yield
        return
    row = conn.execute("SELECT v FROM tickets_fts_config WHERE k = 'automerge'").fetchone()
    previous = int(row[0]) if row else 4  # FTS5's default
    with store.write() as conn:
        conn.execute("INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('automerge', 0)")
    try:
        yield
    finally:
        with store.write() as conn:
            conn.execute("INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('automerge', ?)", (previous,))
    with store.write() as conn:
        conn.execute("INSERT INTO tickets_fts(tickets_fts) VALUES ('optimize')")


def _check_desk(desk: DeskDefinition) -> None:
    for name in (IN_PROGRESS, WAITING, RESOLVED, CANCELED):
        if desk.info.status(name) is None:
            raise RuntimeError(f"desk {desk.id} has no status {name!r}; the demo seed needs it")
    known = set(desk.info.orgaos)
    for item in (SOLICITANTE, *STAFF, *OTHER_REQUESTERS):
        if item.orgao not in known:
            raise RuntimeError(f"demo user {item.user.login}: unknown órgão {item.orgao!r}")


def _os_user(login: str | None, name: str | None) -> DemoUser | None:
    if not login:
        return None
    login = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(login):
        raise ValidationFailed(f"Usuário inválido: {login!r}.", field="user")
    if login in DEMO_LOGINS or any(o.user.login == login for o in OTHER_REQUESTERS):
        return None  # already a demo account
    # No invented e-mail or phone: the person fills "Meus Dados" on first use.
    return DemoUser(User(login, (name or login).strip() or login), SOLICITANTE.orgao)


# -- time, as integer seconds since the epoch (UTC) --------------------------------
# datetime arithmetic and isoformat() cost more than the SQL for 100,000 tickets.

_DAY = 86_400
_HOUR = 3_600
_BRT_OFFSET = -3 * _HOUR  # Brazil has had no daylight saving since 2019
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Times:
    """Epoch seconds to the store's timestamp text and to pt-BR dates, cached by day."""

    def __init__(self) -> None:
        self.clock = [f"{h:02d}:{m:02d}:{s:02d}.000000+00:00" for h in range(24) for m in range(60)
                      for s in range(60)]
        self.days: dict[int, str] = {}
        self.local_days: dict[int, tuple[str, int]] = {}

    def db(self, sec: int) -> str:
        """The same text as ``store.to_db_time`` for this moment."""
        day, rest = divmod(sec, _DAY)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
        return prefix + self.clock[rest]

    def local(self, sec: int) -> tuple[str, int]:
        """``dd/mm/aaaa`` and the year, in Brazil."""
        day = (sec + _BRT_OFFSET) // _DAY
        found = self.local_days.get(day)
        if found is None:
            moment = _EPOCH + timedelta(days=day)
            found = self.local_days[day] = (moment.strftime("%d/%m/%Y"), moment.year)
        return found


def _below(rng: random.Random, n: int) -> int:
    """A random int in ``[0, n)``: cheaper than ``randrange`` and just as deterministic."""
    return int(rng.random() * n)


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[int(rng.random() * len(items))]


# -- planning ---------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """Decisions made before the text is drawn: who, when, which outcome."""

    created: int
    requester: DemoUser
    status: str | None = None  # forced outcome (showcase), else drawn later
    recent_close: bool = False
    example: bool = False


def _plan(rng: random.Random, count: int, now: int, requesters: list[DemoUser],
          primary: list[DemoUser]) -> list[_Plan]:
    """Creation moments (oldest first, office hours in Brazil) and requesters."""
    latest = now - 600
    today = (now + _BRT_OFFSET) // _DAY
    moments: list[int] = []
    for _ in range(count):
        day = today - _below(rng, HISTORY_DAYS)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        if weekday >= 5 and rng.random() < 0.9:
            day -= weekday - 4  # few tickets on weekends: move them to Friday
        moment = day * _DAY - _BRT_OFFSET + 8 * _HOUR + _below(rng, 630 * 60)  # 08:00-18:30 local
        if moment > latest:
            moment = latest - _below(rng, _DAY)
        moments.append(moment)
    moments.sort()
    # The requesters the demo is run as get a bigger share, so "Minhas demandas" is full.
    cumulative: list[float] = []
    total = 0.0
    for person in requesters:
        total += 3.0 if person in primary else 1.0
        cumulative.append(total)
    plans = [_Plan(m, requesters[bisect.bisect_right(cumulative, rng.random() * total)]) for m in moments]
    # Showcase: each primary requester's newest tickets cover every action of the detail screen.
    showcase = ((IN_PROGRESS, False), (RESOLVED, True), (CANCELED, True), (WAITING, False))
    for person in primary:
        own = [p for p in plans if p.requester is person]
        for plan, (status, recent) in zip(reversed(own), showcase, strict=False):
            plan.status, plan.recent_close = status, recent
        if len(own) > len(showcase) and own[0].created < now - 10 * _DAY:
            own[0].status = RESOLVED  # an old resolution: reopen refused, the window is over
        if own and person is SOLICITANTE:
            own[-1].example = True
    return plans


class _Catalog:
    """The desk's (type, category, subject) choices, weighted by type."""

    _TYPE_WEIGHTS: ClassVar[dict[str, float]] = {"Sistemas": 0.5, "Serviços": 0.35, "Orientação": 0.15}

    def __init__(self, desk: DeskDefinition) -> None:
        self.types = [(t.name, [(c.name, c.subjects) for c in t.categories]) for t in desk.info.types]
        self.cumulative: list[float] = []
        running = 0.0
        for t in desk.info.types:
            running += self._TYPE_WEIGHTS.get(t.name, 0.1)
            self.cumulative.append(running)
        self.total = running
        self.orgaos = desk.info.orgaos

    def pick(self, rng: random.Random) -> tuple[str, str, str]:
        """A random type, one of its categories and one of its subjects."""
        name, categories = self.types[bisect.bisect_right(self.cumulative, rng.random() * self.total)]
        category, subjects = categories[_below(rng, len(categories))]
        return name, category, _pick(rng, subjects)


# -- rows -------------------------------------------------------------------------

_TICKET_COLUMNS = (
    "id, number, desk, title, requester, orgao, type, category, subject, description, status, status_class,"
    " created_at, updated_at, closed_at, assignee, fields, version, area, reserved_by, reserved_at, due_at,"
    " monitor_until"
)
_ENTRY_COLUMNS = "ticket_id, kind, author, created_at, text, status_from, status_to, internal"
_STAGE_TICKETS = "temp.demandas_seed_tickets"
_STAGE_ENTRIES = "temp.demandas_seed_timeline"


@dataclass(slots=True)
class _Event:
    """A timeline entry before its moment is drawn."""

    kind: str
    author: str
    text: str = ""
    status_from: str | None = None
    status_to: str | None = None
    internal: bool = False


# EntryKind values as plain strings (enum attribute access is slow in a hot loop).
_CREATED, _COMMENT, _NOTE, _STATUS = (EntryKind.CREATED.value, EntryKind.COMMENT.value, EntryKind.NOTE.value,
                                      EntryKind.STATUS.value)
_CANCELED, _RESOLVED, _REOPENED = EntryKind.CANCELED.value, EntryKind.RESOLVED.value, EntryKind.REOPENED.value
_ASSIGNED, _RESERVED, _MONITOR = EntryKind.ASSIGNED.value, EntryKind.RESERVED.value, EntryKind.MONITOR.value


class _Writer:
    """Turns plans into ticket and timeline rows, the way the service would have written them."""

    def __init__(self, desk: DeskDefinition, now: int) -> None:
        self.desk = desk
        self.now = now
        self.times = _Times()
        self.catalog = _Catalog(desk)
        self.classes = {s.name: s.status_class.value for s in desk.info.statuses}
        self.names = {s.user.login: s.user.name for s in STAFF}
        # The agent who works each area (staff areas are given as ticket types).
        self.agent_of_area = {desk.area_for(t): s.user.login for s in STAFF if s.user.role is Role.AGENT
                              for t in s.user.areas}
        self.area_of_type = {t.name: desk.area_for(t.name) for t in desk.info.types}
        self.sla_of_type = {t.name: desk.sla_for(t.name) * _HOUR for t in desk.info.types}

    def reserve(self, store: Store, count: int) -> int:
        """Take ``count`` numbers from the desk sequence (so later creates continue after them); the first."""
        with store.write() as conn:
            last = int(conn.execute(
                "INSERT INTO desk_sequences (desk, last) VALUES (?, ?)"
                " ON CONFLICT(desk) DO UPDATE SET last = last + excluded.last RETURNING last",
                (self.desk.id, count),
            ).fetchone()[0])
        return last - count + 1

    def chunks(self, rng: random.Random, plans: list[_Plan],
               first_seq: int) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Ticket and timeline rows, ``TRANSACTION_SIZE`` tickets at a time, ids local to each chunk."""
        prefix = self.desk.info.prefix
        for start in range(0, len(plans), TRANSACTION_SIZE):
            ticket_rows: list[tuple[Any, ...]] = []
            entry_rows: list[tuple[Any, ...]] = []
            for local_id, plan in enumerate(plans[start:start + TRANSACTION_SIZE], start=1):
                # The sequence part is reserved and unique, so the random suffix cannot collide.
                number = f"{prefix}-{first_seq + start + local_id - 1:05d}-{''.join(rng.choices(_ALPHABET, k=4))}"
                self.build(rng, plan, local_id, number, ticket_rows, entry_rows)
            yield ticket_rows, entry_rows

    def build(self, rng: random.Random, plan: _Plan, ticket_id: int, number: str,
              tickets: list[tuple[Any, ...]], entries: list[tuple[Any, ...]]) -> None:
        """Append the rows of one ticket: its outcome, its text and its timeline."""
        times = self.times
        created = plan.created
        refs = _Refs(rng, times, created)
        requester = plan.requester.user.login
        if plan.example:
            title, orgao, type_, category, subject = EXAMPLE_TICKET
            _, description = _content(rng, refs, type_, category, subject)
        else:
            type_, category, subject = self.catalog.pick(rng)
            orgao = plan.requester.orgao if rng.random() < 0.9 else _pick(rng, self.catalog.orgaos)
            title, description = _content(rng, refs, type_, category, subject)
        status = plan.status or _draw_status(rng)
        area = self.area_of_type[type_]
        agent = self.agent_of_area.get(area, "gestor")
        closing = status in (RESOLVED, CANCELED)
        # A quarter of the open tickets still await distribution by the gestor.
        assigned = status in (WAITING, RESOLVED) or rng.random() < (0.75 if status == IN_PROGRESS else 0.5)
        end = _close_time(rng, created, self.now, plan.recent_close) if closing else min(
            self.now, created + 20 * _DAY)

        events: list[_Event] = []
        reserved = False

        def claim() -> None:
            # Staff who act on a ticket reserve it first (as the service's _claim does).
            nonlocal reserved
            if not reserved:
                events.append(_Event(_RESERVED, agent, f"Em análise por {self.names[agent]}.", internal=True))
                reserved = True

        if assigned:
            events.append(_Event(_ASSIGNED, "gestor", f"Atribuída a {self.names[agent]}.", internal=True))
        if plan.example or rng.random() < 0.25:
            text = "Descrição complementar" if plan.example else _pick(rng, _FOLLOWUPS).format_map(refs)
            events.append(_Event(_COMMENT, requester, text))
        reopened_at = -1  # index of the reopen event: the due date restarts there
        monitored_at = -1
        if status == IN_PROGRESS:
            if assigned and not plan.example:
                if rng.random() < 0.06:  # resolved once, then reopened by the requester
                    claim()
                    events.append(_Event(_RESOLVED, agent, _pick(rng, _RESOLUTIONS), IN_PROGRESS, RESOLVED))
                    reserved = False  # closing clears the reservation
                    events.append(_Event(_REOPENED, requester, _pick(rng, _REOPEN_REASONS), RESOLVED, IN_PROGRESS))
                    reopened_at = len(events) - 1
                if rng.random() < 0.5:
                    claim()
                    if rng.random() < 0.7:
                        events.append(_Event(_COMMENT, agent, _pick(rng, _AGENT_REPLIES)))
                    else:
                        events.append(_Event(_NOTE, agent, _pick(rng, _NOTES), internal=True))
                if rng.random() < 0.05:
                    claim()
                    events.append(_Event(_MONITOR, agent, _pick(rng, _MONITOR_REASONS), internal=True))
                    monitored_at = len(events) - 1
        elif status == WAITING:
            claim()
            events.append(_Event(_STATUS, agent, _pick(rng, _ASKS), IN_PROGRESS, WAITING))
        elif status == RESOLVED:
            claim()
            if rng.random() < 0.3:  # asked for more, answered, then resolved
                events.append(_Event(_STATUS, agent, _pick(rng, _ASKS), IN_PROGRESS, WAITING))
                events.append(_Event(_COMMENT, requester, _pick(rng, _ANSWERS).format_map(refs)))
                events.append(_Event(_STATUS, requester, "", WAITING, IN_PROGRESS))
            if rng.random() < 0.15:
                events.append(_Event(_NOTE, agent, _pick(rng, _NOTES), internal=True))
            events.append(_Event(_RESOLVED, agent, _pick(rng, _RESOLUTIONS), IN_PROGRESS, RESOLVED))
            reserved = False
        else:
            author = requester if rng.random() < 0.8 or not assigned else agent
            events.append(_Event(_CANCELED, author, _pick(rng, _CANCEL_REASONS), IN_PROGRESS, CANCELED))
            reserved = False

        moments = _spread(rng, created, end, len(events), last_at_end=closing)
        for index in range(len(events) - 2, -1, -1):
            if events[index].kind == _RESERVED:
                moments[index] = moments[index + 1]  # the reservation comes with the action that made it
        monitor: str | None = None
        if monitored_at >= 0:
            # Monitoring lasts through the chosen day (Brazil); some have expired by now.
            day = (moments[monitored_at] + _BRT_OFFSET) // _DAY + 5 + _below(rng, 55)
            until = day * _DAY - _BRT_OFFSET + _DAY - 1
            monitor = times.db(until)
            event = events[monitored_at]
            event.text = f"Em monitoramento até {times.local(until)[0]}: {event.text}"
        db = times.db
        entries.append((ticket_id, _CREATED, requester, db(created), "", None, IN_PROGRESS, 0))
        reserved_at = 0
        for event, moment in zip(events, moments, strict=True):
            entries.append((ticket_id, event.kind, event.author, db(moment), event.text, event.status_from,
                            event.status_to, 1 if event.internal else 0))
            if event.kind == _RESERVED:
                reserved_at = moment
        due = (moments[reopened_at] if reopened_at >= 0 else created) + self.sla_of_type[type_]
        updated = moments[-1] if moments else created
        tickets.append((
            ticket_id, number, self.desk.id, title, requester, orgao, type_, category, subject, description,
            status, self.classes[status], db(created), db(updated), db(updated) if closing else None,
            agent if assigned else None, "{}", 1 + len(events), area,
            agent if reserved else None, db(reserved_at) if reserved else None, db(due), monitor,
        ))


def _draw_status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return IN_PROGRESS
    if roll < 0.67:
        return WAITING
    if roll < 0.90:
        return RESOLVED
    return CANCELED


def _close_time(rng: random.Random, created: int, now: int, recent: bool) -> int:
    """When a ticket was resolved or canceled: days after creation, never in the future."""
    latest = now - 300
    if recent:
        # Inside the reopen window (7 days), so "Reabrir demanda" is possible.
        earliest = max(created + 1800, now - 6 * _DAY)
        if earliest < latest:
            return earliest + _below(rng, latest - earliest)
        return created + (now - created) // 2
    closed = created + 2 * _HOUR + int(min(rng.expovariate(1 / 72), 40 * 24) * _HOUR)
    if closed > latest:
        closed = created + int((latest - created) * (0.5 + rng.random() / 2))
    return closed


def _spread(rng: random.Random, start: int, end: int, count: int, *, last_at_end: bool) -> list[int]:
    """``count`` non-decreasing moments after ``start``; the last one is ``end`` when asked."""
    if count == 0:
        return []
    span = max(end - start, count)
    step = span / (count + (0 if last_at_end else 1))
    moments = [start + 1 + int(step * (i + 0.2 + 0.6 * rng.random())) for i in range(count)]
    if last_at_end:
        moments[-1] = max(end, moments[-2]) if count > 1 else end
    return moments


class _Refs(dict[str, Any]):
    """Placeholder values for the text pools, drawn only when a template uses them."""

    def __init__(self, rng: random.Random, times: _Times, created: int) -> None:
        super().__init__()
        self.rng = rng
        self.times = times
        self.created = created

    def __missing__(self, key: str) -> Any:
        rng = self.rng
        value: Any
        if key == "year":
            value = self.times.local(self.created)[1]
        elif key == "proa":
            value = _proa(rng, self["year"])
        elif key == "due":
            value = self.times.local(self.created + (3 + _below(rng, 27)) * _DAY)[0]
        elif key == "since":
            value = self.times.local(self.created - _below(rng, 4) * _DAY)[0]
        elif key == "value":
            value = f"{1_000 + _below(rng, 899_000):,}".replace(",", ".") + f",{_below(rng, 100):02d}"
        elif key in ("doc", "doc2"):
            value = 1 + _below(rng, 999_998)
        elif key == "ramal":
            value = 4000 + _below(rng, 6000)
        elif key == "idf":
            value = 1_000_000 + _below(rng, 4_000_000)
        else:
            raise KeyError(key)
        self[key] = value
        return value


def _proa(rng: random.Random, year: int) -> str:
    """A PROA process number: ``24/1400-0001234-5``."""
    return f"{year % 100:02d}/{1000 + _below(rng, 2000)}-{1 + _below(rng, 9_999_998):07d}-{_below(rng, 10)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _content(rng: random.Random, refs: _Refs, type_: str, category: str, subject: str) -> tuple[str, str]:
    """A title and a description that make sense for the catalog choice."""
    if type_ == "Sistemas":
        return _systems_text(rng, refs, category, subject)
    if type_ == "Orientação":
        topic = _pick(rng, _ORIENTATION_TOPICS.get(category, (f"Orientação sobre {category}",)))
        if subject == "Caso concreto":
            title = f"{topic} – caso concreto"
            description = (
                f"No processo PROA nº {refs['proa']}, surgiu a seguinte dúvida: {_lower_first(topic)}. "
                f"{_pick(rng, _SERVICE_DETAILS).format_map(refs)} Solicitamos orientação sobre o procedimento "
                "correto antes do encaminhamento do processo."
            )
        else:
            title = topic
            description = (
                f"Solicitamos orientação da CAGE sobre o tema: {_lower_first(topic)}. Gostaríamos de saber quais "
                "são os requisitos, a documentação necessária e a legislação aplicável. "
                + _pick(rng, _CLOSINGS).format_map(refs)
            )
        return title[:150], description
    # Serviços: the subject is the service asked of the CAGE.
    if subject.startswith("Outras solicitações"):
        title = _pick(rng, (f"Solicitação – {category}", f"{category}: pedido de providência"))
        what = f"a seguinte providência na área de {category}"
    else:
        title = _pick(rng, (subject, f"{subject} – PROA {refs['proa']}", f"Pedido: {subject}"))
        what = f"o atendimento do serviço “{subject}”"
    description = (
        f"Solicitamos à CAGE {what}, referente ao processo PROA nº {refs['proa']}. "
        f"{_pick(rng, _SERVICE_DETAILS).format_map(refs)} {_pick(rng, _CLOSINGS).format_map(refs)}"
    )
    return (title if len(title) <= 150 else subject)[:150], description


def _systems_text(rng: random.Random, refs: _Refs, category: str, subject: str) -> tuple[str, str]:
    system, _, module = subject.partition(" – ")
    leaf = module.rsplit(" > ", 1)[-1] if module else ""
    topic = f"{leaf} no {system}" if leaf else system
    operation = _OPERATIONS.get(leaf or system, f"utilizar o {system}")
    where = f"{system} (módulo {module})" if module else system
    if category.startswith("Agendamentos"):
        title = _pick(rng, (f"Treinamento – {topic}", f"Agendar reunião sobre {topic}",
                            f"Capacitação de novos servidores – {topic}"))
        description = (
            f"Solicitamos o agendamento de {_pick(rng, ('treinamento', 'reunião'))} sobre {where} para "
            f"{2 + _below(rng, 13)} servidores do setor financeiro. Sugerimos {_pick(rng, _WEEKDAYS)}, no turno "
            f"da {_pick(rng, ('manhã', 'tarde'))}, ou outra data conforme a disponibilidade da equipe da CAGE. "
            + _pick(rng, _CLOSINGS).format_map(refs)
        )
    elif category.startswith("Concessão"):
        title = _pick(rng, (f"Acesso ao {system} para servidor recém-lotado", f"Liberação de perfil – {topic}",
                            f"Solicitação de acesso: {topic}"))
        description = (
            f"Solicitamos a concessão de acesso ao {where} para o(a) servidor(a) {_pick(rng, _PEOPLE)}, "
            f"ID funcional {refs['idf']}, lotado(a) no setor financeiro. O acesso é necessário para {operation}, "
            "e o perfil não está disponível no módulo de controle de acessos do FPE."
        )
    elif category.startswith("Sugestões"):
        improvement, pain = _IMPROVEMENTS[_below(rng, len(_IMPROVEMENTS))]
        title = _pick(rng, (f"Sugestão de melhoria – {topic}", f"Permitir {improvement} – {system}"))
        description = (
            f"Sugerimos que a tela usada para {operation} no {where} permita {improvement}. Hoje é preciso "
            f"{pain}, o que consome tempo da equipe e aumenta o risco de erro."
        )
    elif category.startswith("Dúvidas"):
        message = _pick(rng, _VALIDATION_MESSAGES)
        title = _pick(rng, (f"Erro de validação ao {operation}", f"Dúvida sobre {topic}",
                            f"Mensagem “{message.rstrip('.')}”"))
        description = (
            f"Ao tentar {operation} no {where}, o sistema apresenta a mensagem “{message}” Documento "
            f"{refs['year']}NE{refs['doc']:06d}, processo PROA nº {refs['proa']}. Gostaríamos de saber como "
            "proceder para concluir a operação."
        )
    else:
        error = _pick(rng, _SYSTEM_ERRORS)
        title = _pick(rng, (f"Erro ao {operation}", f"{system} apresenta erro inesperado", f"Falha em {topic}"))
        description = (
            f"Ao {operation} no {where}, a tela exibe a mensagem “{error}” e a operação não é concluída. "
            f"O erro ocorre desde {refs['since']}, no navegador {_pick(rng, _BROWSERS)}, com mais de um usuário "
            "do setor."
        )
    return title[:150], description
