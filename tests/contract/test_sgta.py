"""The adapter contract for SGTA audit trails: import, listing, justification, the gestor's decisions, flags."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from backend.domain import NewAttachment
from backend.errors import Conflict, Forbidden, NotFound, StaleVersion, TooLarge, ValidationFailed
from backend.service import HelpdeskService
from backend.sgta.domain import (
    Decision,
    MemberRole,
    RecordQuery,
    SgtaAction,
    SgtaFlag,
    SgtaRequest,
    SgtaStatus,
)
from backend.sgta.service import SgtaService
from backend.store import Store
from tests.contract.conftest import Backend, MovableClock
from tui.adapter import Adapter

DAP = "DAP – Diretoria de Atos de Pessoal"
DLC = "DLC – Diretoria de Licitações e Contratações"
HEADER = "Unidade Gestora;Matrícula;Servidor;Cargos acumulados"


@dataclass
class Trail:
    """One test's own unit, analysts and records on the shared ``acumulacao`` trail."""

    backend: Backend
    tag: str
    unit: str
    gestor: Adapter
    analyst: Adapter
    analyst2: Adapter
    ids: list[int]

    def csv(self, *rows: str) -> bytes:
        return ("\n".join([HEADER, *rows]) + "\n").encode()


def _members(backend: Backend, *members: tuple[str, MemberRole, str]) -> None:
    store = Store(backend.db)
    try:
        sgta = SgtaService(HelpdeskService(store))
        for login, role, place in members:
            sgta.add_member(login, role, place)
    finally:
        store.close()


@pytest.fixture
async def trail(backend: Backend) -> Trail:
    """A fresh unit with two analysts, a gestor of DAP, and two imported records of that unit."""
    tag = uuid.uuid4().hex[:8]
    unit = f"Prefeitura {tag}"
    _members(backend, ("gestor-dap", MemberRole.GESTOR, DAP), (f"ana-{tag}", MemberRole.ANALYST, unit),
             (f"beto-{tag}", MemberRole.ANALYST, unit))
    made = Trail(backend, tag, unit, backend.adapter("gestor-dap"), backend.adapter(f"ana-{tag}"),
                 backend.adapter(f"beto-{tag}"), [])
    result = await made.gestor.sgta_import("acumulacao", made.csv(
        f"{unit};{tag}-1;João da Silva;Professor + Médico", f"{unit};{tag}-2;Maria Souza;Enfermeira + Auditora"))
    assert result.count == 2 and result.first_id is not None and result.last_id == result.first_id + 1
    made.ids = [result.first_id, result.last_id]
    return made


async def _justified(t: Trail, record: int) -> None:
    await t.analyst.sgta_justify(record, True, "Acumulação lícita: cargos de professor e médico.")


# -- trails and import ---------------------------------------------------------------


async def test_trails_are_data_with_their_own_columns(trail: Trail) -> None:
    acumulacao = await trail.gestor.sgta_trail("acumulacao")
    assert acumulacao.area == DAP and acumulacao.justification_days == 30
    assert [c.label for c in acumulacao.columns] == ["Unidade Gestora", "Matrícula", "Servidor", "Cargos acumulados"]
    with pytest.raises(NotFound, match="Trilha desconhecida"):
        await trail.gestor.sgta_trail("nenhuma")


async def test_search_permitido_keeps_the_trails_the_user_may_access(trail: Trail) -> None:
    every = await trail.analyst.sgta_trails()
    assert {t.trail.id for t in every} == {"acumulacao", "obito", "fornecedor_servidor"}
    allowed = await trail.analyst.sgta_trails("permitido")
    assert [(t.trail.id, t.permitted, t.total) for t in allowed] == [("acumulacao", True, 2)]
    gestor = await trail.gestor.sgta_trails("permitido")
    assert {t.trail.id for t in gestor} == {"acumulacao", "obito"}  # the two trails of DAP
    assert [t.trail.id for t in await trail.gestor.sgta_trails("licitações")] == ["fornecedor_servidor"]
    assert [t.trail.id for t in await trail.gestor.sgta_trails("DAP permitido óbito")] == ["obito"]


async def test_import_refuses_bad_files_naming_the_line(trail: Trail) -> None:
    gestor = trail.gestor
    with pytest.raises(ValidationFailed, match="Linha 1: falta a coluna “Cargos acumulados”"):
        await gestor.sgta_import("acumulacao", b"Unidade Gestora;Matr\xc3\xadcula;Servidor\nX;1;Y\n")
    with pytest.raises(ValidationFailed, match="Linha 1: coluna desconhecida “CPF”"):
        await gestor.sgta_import("acumulacao", (HEADER + ";CPF\n").encode())
    with pytest.raises(ValidationFailed, match="Linha 3: tem 3 valores; o cabeçalho tem 4 colunas"):
        await gestor.sgta_import("acumulacao", trail.csv("U;1;A;B", "U;2;C"))
    with pytest.raises(ValidationFailed, match="Linha 2: a coluna “Unidade Gestora” está vazia"):
        await gestor.sgta_import("acumulacao", trail.csv(";1;A;B"))
    with pytest.raises(ValidationFailed, match="Linha 2: o arquivo não está em UTF-8"):
        await gestor.sgta_import("acumulacao", "unidade;matricula;servidor;cargos\nCaçador;1;A;B\n".encode("latin-1"))
    with pytest.raises(ValidationFailed, match="nenhum registro"):
        await gestor.sgta_import("acumulacao", (HEADER + "\n").encode())
    with pytest.raises(ValidationFailed, match="O arquivo está vazio"):
        await gestor.sgta_import("acumulacao", b"")
    # Nothing of a refused file was kept (all or nothing).
    page = await gestor.sgta_records(RecordQuery("acumulacao", search=trail.tag))
    assert page.total == 2


async def test_import_accepts_commas_and_column_names_in_any_order(trail: Trail) -> None:
    other = f"Câmara {trail.tag}"
    data = f"servidor,unidade,cargos,matricula\nPedro,{other},\"Médico, Professor\",{trail.tag}-9\n".encode()
    result = await trail.gestor.sgta_import("acumulacao", data)
    record = await trail.gestor.sgta_record(result.first_id or 0)
    assert record.unit == other and record.values["cargos"] == "Médico, Professor"
    assert record.status is SgtaStatus.PENDENTE
    assert record.due_at - record.created_at == timedelta(days=30)


async def test_only_gestores_of_the_area_import(trail: Trail) -> None:
    with pytest.raises(Forbidden, match="Somente os Gestores da área DAP"):
        await trail.analyst.sgta_import("acumulacao", trail.csv(f"{trail.unit};1;A;B"))
    with pytest.raises(Forbidden, match="Somente os Gestores da área DLC"):
        await trail.gestor.sgta_import("fornecedor_servidor", b"Unidade Gestora;CNPJ;Empresa;S\xc3\xb3cio servidor\n")


# -- listing ---------------------------------------------------------------------------


async def test_analysts_see_only_their_unit_and_strangers_nothing(trail: Trail) -> None:
    stranger = trail.backend.adapter(f"zeca-{trail.tag}")
    with pytest.raises(Forbidden, match="não tem acesso à trilha Acumulação de cargos"):
        await stranger.sgta_records(RecordQuery("acumulacao"))
    with pytest.raises(Forbidden, match="você não tem acesso a ele"):
        await stranger.sgta_record(trail.ids[0])
    page = await trail.analyst.sgta_records(RecordQuery("acumulacao"))
    assert {r.unit for r in page.items} == {trail.unit} and page.total == 2
    with pytest.raises(NotFound, match="Registro 999999 não encontrado"):
        await trail.gestor.sgta_record(999999)


async def test_search_and_status_filter_records(trail: Trail) -> None:
    gestor = trail.gestor
    page = await gestor.sgta_records(RecordQuery("acumulacao", search=f"{trail.tag} maria"))
    assert [r.values["servidor"] for r in page.items] == ["Maria Souza"]
    await _justified(trail, trail.ids[0])
    justified = await gestor.sgta_records(RecordQuery("acumulacao", search=trail.tag, status=SgtaStatus.JUSTIFICADO))
    assert [r.id for r in justified.items] == [trail.ids[0]]
    by_word = await gestor.sgta_records(RecordQuery("acumulacao", search=f"{trail.tag} justificado"))
    assert [r.id for r in by_word.items] == [trail.ids[0]]
    window = await gestor.sgta_records(RecordQuery("acumulacao", search=trail.tag, limit=1, offset=1))
    assert window.total == 2 and [r.id for r in window.items] == [trail.ids[1]]
    with pytest.raises(ValidationFailed, match="entre 1 e 500"):
        await gestor.sgta_records(RecordQuery("acumulacao", limit=0))


# -- the unit's side --------------------------------------------------------------------


async def test_opening_reserves_and_a_takeover_moves_the_reservation(trail: Trail) -> None:
    record = trail.ids[0]
    opened = await trail.analyst.sgta_open(record)
    assert opened.status is SgtaStatus.EM_ANALISE_UNIDADE and opened.status_label == "em análise"
    assert opened.reserved_by == f"ana-{trail.tag}"
    assert opened.why_not(SgtaAction.OPEN) == "O registro já está reservado para você."
    with pytest.raises(Conflict, match="já está reservado para você"):
        await trail.analyst.sgta_open(record)
    taken = await trail.analyst2.sgta_open(record)
    assert taken.reserved_by == f"beto-{trail.tag}"
    assert taken.events[-1].kind == "reserva" and "Reserva transferida de" in taken.events[-1].text


async def test_justify_requires_agreement_and_text_and_releases_the_reservation(trail: Trail) -> None:
    record = trail.ids[0]
    analyst = trail.analyst
    with pytest.raises(ValidationFailed, match="Informe se concorda ou discorda"):
        await analyst.sgta_act(record, SgtaRequest(SgtaAction.JUSTIFY, text="Sem escolha"))
    with pytest.raises(ValidationFailed, match="Escreva a justificativa"):
        await analyst.sgta_justify(record, False, "   ")
    with pytest.raises(ValidationFailed, match="o limite é 4000"):
        await analyst.sgta_justify(record, False, "x" * 4001)
    await analyst.sgta_open(record)
    done = await analyst.sgta_justify(record, False, "O servidor pediu exoneração em março.",
                                      [NewAttachment("exoneracao.pdf", b"%PDF-1.4 ata")])
    assert done.status is SgtaStatus.JUSTIFICADO and done.reserved_by is None
    assert done.justification is not None and done.justification.agree is False
    assert done.justification.text == "O servidor pediu exoneração em março."
    assert done.docs == 1 and [d.name for d in done.documents] == ["exoneracao.pdf"]
    meta, data = await analyst.sgta_download(record, done.documents[0].id)
    assert (meta.name, data) == ("exoneracao.pdf", b"%PDF-1.4 ata")
    with pytest.raises(Conflict, match="Uma vez concluída a justificativa, ela não pode ser mais alterada"):
        await analyst.sgta_justify(record, True, "Mudei de ideia")


async def test_only_the_units_analysts_justify(trail: Trail) -> None:
    with pytest.raises(Forbidden, match=f"Somente o Supervisor e/ou Analista da unidade {trail.unit}"):
        await trail.gestor.sgta_justify(trail.ids[0], True, "Pelo gestor")
    with pytest.raises(Forbidden, match="Somente os Gestores da área DAP"):
        await trail.analyst.sgta_observe(trail.ids[0], "Pela unidade")


async def test_documents_types_size_and_any_status(trail: Trail) -> None:
    record = trail.ids[0]
    with pytest.raises(ValidationFailed, match="não é aceito: anexe PDF, documentos de texto ou planilhas"):
        await trail.analyst.sgta_attach(record, [NewAttachment("foto.exe", b"MZ")])
    with pytest.raises(ValidationFailed, match="Escolha ao menos um arquivo"):
        await trail.analyst.sgta_attach(record, [])
    with pytest.raises(TooLarge, match=r"grande\.pdf.*20,0 MB"):
        await trail.analyst.sgta_attach(record, [NewAttachment("grande.pdf", b"x" * (20 * 1024 * 1024 + 1))])
    await _justified(trail, record)
    await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "Justificativa suficiente.")
    after = await trail.gestor.sgta_attach(record, [NewAttachment("planilha.xlsx", b"PK..")])
    assert after.status is SgtaStatus.CONCLUIDO and after.docs == 1


# -- the gestor's side ------------------------------------------------------------------


async def test_gestor_analyses_and_archives(trail: Trail) -> None:
    record = trail.ids[0]
    with pytest.raises(Conflict, match="só registros justificados ou em análise pelo Gestor"):
        await trail.gestor.sgta_analyse(record)
    await _justified(trail, record)
    analysing = await trail.gestor.sgta_analyse(record)
    assert analysing.status is SgtaStatus.EM_ANALISE_GESTOR and analysing.reserved_by == "gestor-dap"
    with pytest.raises(ValidationFailed, match="Escolha o parecer"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.VALIDATE, text="x"))
    with pytest.raises(ValidationFailed, match="Escreva o parecer"):
        await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "")
    draft = await trail.gestor.sgta_validate(record, Decision.DRAFT, "Conferir a carga horária.")
    assert draft.status is SgtaStatus.EM_ANALISE_GESTOR and draft.reserved_by == "gestor-dap"
    assert draft.draft == "Conferir a carga horária."
    archived = await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "Carga horária compatível.")
    assert archived.status is SgtaStatus.CONCLUIDO and archived.reserved_by is None and archived.flags == ()
    with pytest.raises(Conflict, match="exceto o “concluído”"):
        await trail.gestor.sgta_observe(record, "Tarde demais")


async def test_gestor_returns_and_the_unit_justifies_again(trail: Trail) -> None:
    record = trail.ids[0]
    await _justified(trail, record)
    back = await trail.gestor.sgta_validate(record, Decision.RETURN, "Anexe a escala de trabalho.")
    assert back.status is SgtaStatus.DEVOLVIDO and back.status_label == "devolvido"
    again = await trail.analyst.sgta_justify(record, True, "Escala anexada.", [NewAttachment("escala.ods", b"x")])
    assert again.status is SgtaStatus.JUSTIFICADO
    assert [e.status_to for e in again.events if e.status_to] == [
        SgtaStatus.PENDENTE, SgtaStatus.JUSTIFICADO, SgtaStatus.DEVOLVIDO, SgtaStatus.JUSTIFICADO]


async def test_observation_shows_in_its_column(trail: Trail) -> None:
    with pytest.raises(ValidationFailed, match="Escreva a observação"):
        await trail.gestor.sgta_observe(trail.ids[0], " ")
    noted = await trail.gestor.sgta_observe(trail.ids[0], "Verificar com o RH.")
    assert noted.observation == "Verificar com o RH."
    seen = await trail.analyst.sgta_record(trail.ids[0])
    assert seen.observation == "Verificar com o RH."


async def test_monitoring_until_a_date_then_expired(trail: Trail, clock: MovableClock) -> None:
    record = trail.ids[0]
    await _justified(trail, record)
    with pytest.raises(ValidationFailed, match="Informe a data até quando"):
        await trail.gestor.sgta_validate(record, Decision.MONITOR, "Aguardar exoneração.")
    today = clock().astimezone().date()
    with pytest.raises(ValidationFailed, match="deve ser futura"):
        await trail.gestor.sgta_validate(record, Decision.MONITOR, "Aguardar.", today)
    monitored = await trail.gestor.sgta_validate(record, Decision.MONITOR, "Aguardar exoneração.",
                                                 today + timedelta(days=10))
    assert monitored.status is SgtaStatus.CONCLUIDO and monitored.flags == (SgtaFlag.MONITORING,)
    assert monitored.monitor_until is not None
    moved = await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.CHANGE_MONITORING,
                                                            until=today + timedelta(days=20)))
    assert moved.monitor_until is not None and moved.monitor_until > monitored.monitor_until
    clock.advance(days=25)
    expired = await trail.gestor.sgta_record(record)
    assert expired.flags == (SgtaFlag.MONITORING_EXPIRED,)
    assert (await trail.gestor.sgta_counts()).monitoring_expired >= 1
    ended = await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.END_MONITORING, text="Exonerado."))
    assert ended.status is SgtaStatus.CONCLUIDO and ended.monitor_until is None and ended.flags == ()
    with pytest.raises(Conflict, match="não está em monitoramento"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.END_MONITORING))


async def test_reopen_only_concluded_with_a_justification(trail: Trail) -> None:
    record = trail.ids[0]
    with pytest.raises(Conflict, match="só registros concluídos podem ser reabertos"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.REOPEN, text="x"))
    await _justified(trail, record)
    await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "Ok.")
    with pytest.raises(ValidationFailed, match="Informe uma justificativa para reabrir"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.REOPEN))
    reopened = await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.REOPEN, text="Fato novo."))
    assert reopened.status is SgtaStatus.EM_ANALISE_GESTOR and reopened.reserved_by == "gestor-dap"


# -- change requests ------------------------------------------------------------------------


async def test_change_request_blocks_the_opinion_until_decided_and_accepting_returns_it(trail: Trail) -> None:
    record = trail.ids[0]
    with pytest.raises(Conflict, match="a justificativa ainda pode ser editada"):
        await trail.analyst.sgta_request_change(record, "Quero mudar")
    await _justified(trail, record)
    with pytest.raises(ValidationFailed, match="Descreva a alteração"):
        await trail.analyst2.sgta_request_change(record, "")
    asked = await trail.analyst2.sgta_request_change(record, "Faltou citar a lei municipal.")
    assert asked.flags == (SgtaFlag.CHANGE_REQUESTED,)
    with pytest.raises(Conflict, match="Já existe um pedido de alteração"):
        await trail.analyst.sgta_request_change(record, "De novo")
    with pytest.raises(Conflict, match="decida sobre ele antes de emitir o parecer"):
        await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "Ok.")
    with pytest.raises(ValidationFailed, match="Justifique a decisão"):
        await trail.gestor.sgta_decide_change(record, True, "")
    with pytest.raises(ValidationFailed, match="Informe se aceita ou recusa"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.DECIDE_CHANGE, text="x"))
    accepted = await trail.gestor.sgta_decide_change(record, True, "Pode complementar.")
    assert accepted.status is SgtaStatus.EM_ANALISE_UNIDADE
    assert accepted.reserved_by == f"beto-{trail.tag}"  # reserved to who asked
    assert accepted.flags == (SgtaFlag.CHANGE_ACCEPTED,)
    assert accepted.change_request is not None and accepted.change_request.decision_text == "Pode complementar."
    with pytest.raises(Conflict, match="Não há pedido de alteração pendente"):
        await trail.gestor.sgta_decide_change(record, False, "x")
    redone = await trail.analyst2.sgta_justify(record, True, "Conforme a Lei 1.234/2020.")
    assert redone.status is SgtaStatus.JUSTIFICADO


async def test_refusing_a_change_request_keeps_the_status(trail: Trail) -> None:
    record = trail.ids[0]
    await _justified(trail, record)
    await trail.gestor.sgta_analyse(record)
    await trail.analyst.sgta_request_change(record, "Corrigir a data.")
    refused = await trail.gestor.sgta_decide_change(record, False, "A data está correta.")
    assert refused.status is SgtaStatus.EM_ANALISE_GESTOR and refused.flags == (SgtaFlag.CHANGE_REFUSED,)
    concluded = await trail.gestor.sgta_validate(record, Decision.ARCHIVE, "Ok.")
    assert concluded.status is SgtaStatus.CONCLUIDO
    with pytest.raises(Conflict, match="Não é possível solicitar alterações em registros com status “concluído”"):
        await trail.analyst.sgta_request_change(record, "Outra")


# -- deadline and invocation --------------------------------------------------------------------


async def test_deadline_missed_flag_and_invocation(trail: Trail, clock: MovableClock) -> None:
    late, justified = trail.ids
    with pytest.raises(Conflict, match="dentro do prazo de justificativa"):
        await trail.gestor.sgta_act(late, SgtaRequest(SgtaAction.INVOKE))
    await _justified(trail, justified)
    clock.advance(days=31)
    record = await trail.gestor.sgta_record(late)
    assert record.flags == (SgtaFlag.DEADLINE_MISSED,)
    assert (await trail.gestor.sgta_record(justified)).flags == ()  # justified in time
    with pytest.raises(Conflict, match="já foi justificado pela unidade"):
        await trail.gestor.sgta_act(justified, SgtaRequest(SgtaAction.INVOKE))
    with pytest.raises(Forbidden, match="Somente os Gestores"):
        await trail.analyst.sgta_act(late, SgtaRequest(SgtaAction.INVOKE))
    invoked = await trail.gestor.sgta_act(late, SgtaRequest(SgtaAction.INVOKE, text="Ação corretiva."))
    assert invoked.invoked_at is not None and invoked.events[-1].kind == "invocacao"
    with pytest.raises(Conflict, match="já foi invocado"):
        await trail.gestor.sgta_act(late, SgtaRequest(SgtaAction.INVOKE))
    # Justified after the deadline: the mark stays.
    after = await trail.analyst.sgta_justify(late, True, "Atrasado, mas justificado.")
    assert SgtaFlag.DEADLINE_MISSED in after.flags


async def test_stale_version_is_refused(trail: Trail) -> None:
    record = await trail.analyst.sgta_record(trail.ids[0])
    await trail.analyst2.sgta_open(record.id)
    with pytest.raises(StaleVersion, match="alterado por outra pessoa"):
        await trail.analyst.sgta_justify(record.id, True, "Com versão antiga", expected_version=record.version)


async def test_counts_for_each_side(trail: Trail) -> None:
    before = await trail.gestor.sgta_counts()
    assert (await trail.analyst.sgta_counts()).awaiting_justification == 2
    await _justified(trail, trail.ids[0])
    await trail.analyst.sgta_request_change(trail.ids[0], "Corrigir.")
    after = await trail.gestor.sgta_counts()
    assert after.awaiting_analysis == before.awaiting_analysis + 1
    assert after.change_requests == before.change_requests + 1
    assert (await trail.analyst.sgta_counts()).awaiting_justification == 1


async def test_every_action_reports_why_not(trail: Trail) -> None:
    record = await trail.analyst.sgta_record(trail.ids[0])
    assert set(record.actions) == {a.value for a in SgtaAction}
    assert record.can(SgtaAction.JUSTIFY) and record.can(SgtaAction.ATTACH)
    assert not record.can(SgtaAction.VALIDATE)
    assert record.why_not(SgtaAction.VALIDATE) == "Somente os Gestores da área DAP – Diretoria de Atos de Pessoal " \
                                                  "podem fazer isto."


# -- distribution (seed: "Distribuição das Inconsistências") ----------------------------------


async def test_gestor_distributes_to_a_gestor_of_the_area_seeing_loads(trail: Trail) -> None:
    other = f"gabi-{trail.tag}"
    _members(trail.backend, (other, MemberRole.GESTOR, DAP), (f"dlc-{trail.tag}", MemberRole.GESTOR, DLC))
    record = trail.ids[0]
    with pytest.raises(Conflict, match="só registros justificados ou em análise pelo Gestor podem ser distribuídos"):
        await trail.gestor.sgta_distribute(record, other)
    await _justified(trail, record)
    before = (await trail.gestor.sgta_counts()).awaiting_distribution
    loads = {g.login: g.records for g in await trail.gestor.sgta_gestores("acumulacao")}
    assert loads[other] == 0 and "gestor-dap" in loads and f"dlc-{trail.tag}" not in loads
    with pytest.raises(ValidationFailed, match=f"dlc-{trail.tag} não é Gestor da área DAP"):
        await trail.gestor.sgta_distribute(record, f"dlc-{trail.tag}")
    with pytest.raises(ValidationFailed, match="Escolha o Gestor"):
        await trail.gestor.sgta_distribute(record, " ")
    given = await trail.gestor.sgta_distribute(record, other)
    assert given.status is SgtaStatus.EM_ANALISE_GESTOR and given.reserved_by == other
    assert given.events[-1].kind == "distribuicao"
    assert {g.login: g.records for g in await trail.gestor.sgta_gestores("acumulacao")}[other] == 1
    assert (await trail.gestor.sgta_counts()).awaiting_distribution == before - 1
    with pytest.raises(Conflict, match="já está com"):
        await trail.gestor.sgta_distribute(record, other)
    with pytest.raises(Forbidden, match=r"Somente os Gestores da área DAP .* distribuem"):
        await trail.analyst.sgta_gestores("acumulacao")
    with pytest.raises(Forbidden, match="Somente os Gestores da área DAP"):
        await trail.analyst.sgta_distribute(record, other)


async def test_documents_are_found_only_on_their_record(trail: Trail) -> None:
    done = await trail.analyst.sgta_attach(trail.ids[0], [NewAttachment("nota.txt", b"texto")])
    doc = done.documents[0].id
    with pytest.raises(NotFound, match=f"Documento {doc} não encontrado no registro {trail.ids[1]}"):
        await trail.analyst.sgta_download(trail.ids[1], doc)
    stranger = trail.backend.adapter(f"zeca-{trail.tag}")
    with pytest.raises(Forbidden):
        await stranger.sgta_download(trail.ids[0], doc)


# -- the remaining refusals ----------------------------------------------------------------------


async def test_more_import_refusals(trail: Trail) -> None:
    gestor = trail.gestor
    with pytest.raises(ValidationFailed, match="Linha 1: a coluna “Servidor” aparece duas vezes"):
        await gestor.sgta_import("acumulacao", (HEADER + ";servidor\n").encode())
    with pytest.raises(ValidationFailed, match="Linha 2: a coluna “Servidor” tem 501 caracteres; o limite é 500"):
        await gestor.sgta_import("acumulacao", trail.csv(f"U;1;{'x' * 501};B"))
    with pytest.raises(ValidationFailed, match="Linha 2: o CSV está malformado"):
        await gestor.sgta_import("acumulacao", (HEADER + '\nU;1;"aberta\n').encode())
    with pytest.raises(NotFound, match="Trilha desconhecida: 'nenhuma'"):
        await gestor.sgta_import("nenhuma", trail.csv("U;1;A;B"))


async def test_more_document_refusals(trail: Trail) -> None:
    record = trail.ids[0]
    with pytest.raises(ValidationFailed, match=r"'vazio\.pdf' está vazio"):
        await trail.analyst.sgta_attach(record, [NewAttachment("vazio.pdf", b"")])
    with pytest.raises(ValidationFailed, match="o limite é 5 por envio"):
        await trail.analyst.sgta_attach(record, [NewAttachment(f"d{i}.pdf", b"x") for i in range(6)])
    with pytest.raises(ValidationFailed, match="não tem nome"):
        await trail.analyst.sgta_attach(record, [NewAttachment("../", b"x")])
    # A refused justification leaves no document behind (one transaction).
    with pytest.raises(ValidationFailed, match="Escreva a justificativa"):
        await trail.analyst.sgta_justify(record, True, "", [NewAttachment("ok.pdf", b"%PDF")])
    assert (await trail.analyst.sgta_record(record)).docs == 0


async def test_more_state_refusals(trail: Trail, clock: MovableClock) -> None:
    record = trail.ids[0]
    with pytest.raises(ValidationFailed, match="o limite é 1000"):
        await trail.gestor.sgta_observe(record, "x" * 1001)
    await _justified(trail, record)
    other = f"gabi-{trail.tag}"
    _members(trail.backend, (other, MemberRole.GESTOR, DAP))
    await trail.gestor.sgta_analyse(record)
    with pytest.raises(Conflict, match="já está reservado para você"):
        await trail.gestor.sgta_analyse(record)
    taken = await trail.backend.adapter(other).sgta_analyse(record)
    assert taken.reserved_by == other and "Reserva transferida de" in taken.events[-1].text
    far = clock().astimezone().date() + timedelta(days=6 * 366)
    with pytest.raises(ValidationFailed, match="nos próximos 5 anos"):
        await trail.gestor.sgta_validate(record, Decision.MONITOR, "Longe demais.", far)
    await trail.gestor.sgta_validate(record, Decision.MONITOR, "Acompanhar.",
                                     clock().astimezone().date() + timedelta(days=5))
    with pytest.raises(ValidationFailed, match="Informe a data até quando"):
        await trail.gestor.sgta_act(record, SgtaRequest(SgtaAction.CHANGE_MONITORING))
    with pytest.raises(Conflict, match="não pode mais ser justificado"):
        await trail.analyst.sgta_open(record)


async def test_unknown_action_over_http_is_a_pt_br_refusal(backend: Backend, trail: Trail) -> None:
    if backend.base_url is None:
        pytest.skip("only the HTTP API has action names in its paths")
    import httpx

    from tests.server_helper import issue_token

    store = Store(backend.db)
    try:
        token = issue_token(store, "gestor-dap")
    finally:
        store.close()
    async with httpx.AsyncClient(base_url=backend.base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        response = await http.post(f"/api/v1/sgta/records/{trail.ids[0]}/apagar", json={})
        assert response.status_code == 422
        assert "Campo inválido: action — deve ser um destes valores" in response.json()["error"]["message"]
        response = await http.post(f"/api/v1/sgta/records/{trail.ids[0]}/validar",
                                   json={"decision": "sumir", "text": "x"})
        assert response.status_code == 422 and "decision" in response.json()["error"]["message"]
        response = await http.post("/api/v1/sgta/trails/acumulacao/import", json={})
        assert response.status_code == 422
        assert response.json()["error"]["message"] == "Envie exatamente um arquivo CSV com os registros da trilha."
