"""CITSmart / Compras.gov.br (seed 003) as a data-defined desk, on every adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from backend.domain import Flag, NewAttachment, NewTicket, StatusClass
from backend.errors import ValidationFailed
from tests.contract.conftest import MovableClock
from tests.contract.desk_helpers import PDF, PNG, desk_ticket
from tui.adapter import Adapter

ERRO = "Erro/Indisponibilidade SIASG"
UASG = "Reativação de UASG"
MELHORIAS = "Informações sobre melhorias no SIASG"
QUESTIONARIO = {
    "prioridade": "Normal",
    "uasg": "925001",
    "funcionalidade": "Divulgação de compras",
    "mensagem_erro": "Erro 500 - serviço indisponível",
    "data_ocorrencia": "05/03/2025 14:30",
    "passo_a_passo": "1. Acessei o SIASG\n2. Abri Divulgação de compras\n3. Cliquei em Incluir",
}


def cit(type_: str = ERRO, fields: dict[str, str] | None = None,
        attachments: tuple[NewAttachment, ...] = (replace(PNG, field="print_tela"),), **core: str) -> NewTicket:
    """A complete CITSmart ticket (an error, with questionnaire and screenshot), changed as asked."""
    description = core.pop("description", "Erro ao incluir aviso de licitação.")
    new = desk_ticket("citsmart", description, dict(QUESTIONARIO if fields is None else fields), type=type_, **core)
    return replace(new, attachments=attachments)


async def test_citsmart_catalog_is_the_seed(requester: Adapter) -> None:
    desk = await requester.desk("citsmart")
    assert desk.prefix == "CIT" and desk.orgaos == ()
    assert [t.name for t in desk.types] == [ERRO, UASG, MELHORIAS]
    assert all(t.categories == () for t in desk.types)
    assert "print da tela que apresentou erro e o preenchimento do questionário são obrigatórios" in desk.types[0].hint
    fields = {f.name: f for f in desk.fields}
    assert fields["type"].label == "Tema de serviço" and fields["type"].required
    assert fields["prioridade"].options == ("Baixa", "Normal", "Alta", "Urgente")
    for name in ("funcionalidade", "mensagem_erro", "data_ocorrencia", "passo_a_passo", "print_tela"):
        assert fields[name].required_when == (("type", ERRO),), name
        assert not fields[name].required
    assert fields["uasg"].required_when == (("type", ERRO), ("type", UASG))
    assert fields["print_tela"].kind == "files" and fields["print_tela"].accept == ("png", "jpg", "jpeg", "gif", "bmp")
    assert [s.name for s in desk.statuses] == ["Em Andamento", "Suspensa", "Resolvida", "Cancelada"]


async def test_error_ticket_with_questionnaire_and_screenshot(requester: Adapter) -> None:
    ticket = await requester.create_ticket(cit(attachments=(replace(PNG, field="print_tela"), PDF)))
    assert ticket.number.startswith("CIT-")
    assert (ticket.title, ticket.type, ticket.category, ticket.subject, ticket.orgao) == (
        "Erro ao incluir aviso de licitação.", ERRO, "", "", "")
    assert ticket.fields == QUESTIONARIO
    assert (ticket.status, ticket.area) == ("Em Andamento", "Central de Serviços – Suporte SIASG")
    assert sorted(a.name for a in ticket.attachments) == ["oficio.pdf", "tela.png"]
    assert ticket.due_at is not None and ticket.due_at - ticket.created_at == timedelta(hours=72)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("uasg", "Preencha o campo “Código da UASG”: é obrigatório quando “Tema de serviço” é "
                 "“Erro/Indisponibilidade SIASG”."),
        ("funcionalidade", "Preencha o campo “Funcionalidade/transação do SIASG com erro”: é obrigatório quando"),
        ("mensagem_erro", "Preencha o campo “Mensagem de erro apresentada”: é obrigatório quando"),
        ("data_ocorrencia", "Preencha o campo “Data e hora da ocorrência”: é obrigatório quando"),
        ("passo_a_passo", "Preencha o campo “Passo a passo até o erro”: é obrigatório quando"),
        ("prioridade", "Selecione uma opção em “Prioridade”."),
    ],
)
async def test_error_questionnaire_is_mandatory(requester: Adapter, missing: str, message: str) -> None:
    fields = {k: v for k, v in QUESTIONARIO.items() if k != missing}
    with pytest.raises(ValidationFailed) as refused:
        await requester.create_ticket(cit(fields=fields))
    assert refused.value.field == missing
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"attachments": ()}, "print_tela", "Anexe ao menos um arquivo em “Print da tela com o erro”: é "
                                            "obrigatório quando “Tema de serviço” é “Erro/Indisponibilidade SIASG”."),
        ({"attachments": (PNG,)}, "print_tela", "Anexe ao menos um arquivo em “Print da tela com o erro”"),
        ({"attachments": (replace(PDF, field="print_tela"),)}, "print_tela",
         "“Print da tela com o erro” aceita só arquivos .png, .jpg, .jpeg, .gif, .bmp; 'oficio.pdf' não é aceito."),
        ({"type": ""}, "type", "Selecione o tipo."),
        ({"type": "Suporte"}, "type", f"Tipo desconhecido: 'Suporte'. Tipos: {ERRO}, {UASG}, {MELHORIAS}."),
        ({"category": "Outros"}, "category", "O balcão CITSmart — Compras.gov.br não tem o campo 'category'"),
        ({"orgao": "Casa Civil"}, "orgao", "O balcão CITSmart — Compras.gov.br não tem o campo 'orgao'"),
        ({"description": ""}, "description", "Descreva a demanda."),
        ({"fields": {**QUESTIONARIO, "uasg": "92500"}}, "uasg",
         "“Código da UASG” inválido: '92500'. O código da UASG tem 6 dígitos (ex.: 925001)."),
        ({"fields": {**QUESTIONARIO, "data_ocorrencia": "ontem"}}, "data_ocorrencia",
         "“Data e hora da ocorrência” inválido: 'ontem'. Use dd/mm/aaaa hh:mm (ex.: 05/03/2025 14:30)."),
        ({"fields": {**QUESTIONARIO, "prioridade": "Máxima"}}, "prioridade",
         "Opção inválida em “Prioridade”: 'Máxima'. Escolha uma destas: Baixa; Normal; Alta; Urgente."),
    ],
)
async def test_citsmart_refusals(requester: Adapter, change: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await requester.create_ticket(replace(cit(), **change))  # type: ignore[arg-type]
    assert refused.value.field == field
    assert str(refused.value).startswith(message)


async def test_other_themes_need_no_questionnaire(requester: Adapter) -> None:
    melhoria = await requester.create_ticket(
        cit(MELHORIAS, {"prioridade": "Baixa"}, (), description="Sugestão: filtro por UASG na consulta."))
    assert (melhoria.type, melhoria.area) == (MELHORIAS, "Serpro – Melhorias SIASG")
    assert melhoria.fields == {"prioridade": "Baixa"}
    with pytest.raises(ValidationFailed, match="“Código da UASG”: é obrigatório quando “Tema de serviço” é "
                                               "“Reativação de UASG”") as refused:
        await requester.create_ticket(cit(UASG, {"prioridade": "Normal"}, ()))
    assert refused.value.field == "uasg"
    reativar = await requester.create_ticket(
        cit(UASG, {"prioridade": "Normal", "uasg": "160123"}, (), description="Reativar UASG 160123\nCNPJ ..."))
    assert (reativar.area, reativar.fields["uasg"]) == ("Central de Serviços – Cadastro de UASG", "160123")


@pytest.mark.parametrize(("priority", "hours"), [("Baixa", 120), ("Normal", 72), ("Alta", 24), ("Urgente", 8)])
async def test_priority_sets_the_deadline(requester: Adapter, agent: Adapter, clock: MovableClock,
                                          priority: str, hours: int) -> None:
    ticket = await requester.create_ticket(cit(fields={**QUESTIONARIO, "prioridade": priority}))
    assert ticket.due_at is not None and ticket.due_at - ticket.created_at == timedelta(hours=hours)
    clock.advance(hours=hours - 0.5)
    assert Flag.OVERDUE not in (await agent.get_ticket(ticket.number)).flags
    clock.advance(hours=1)
    assert Flag.OVERDUE in (await agent.get_ticket(ticket.number)).flags
    # Reopening starts a new deadline of the same priority.
    await agent.resolve(ticket.number, "Corrigido.")
    reopened = await requester.reopen(ticket.number, "Voltou.")
    assert reopened.due_at is not None and reopened.updated_at is not None
    assert reopened.due_at - reopened.updated_at == timedelta(hours=hours)


async def test_citsmart_statuses(requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(cit())
    suspended = await agent.ask(ticket.number, "Envie o print com a mensagem completa.")
    assert suspended.status == "Suspensa"
    back = await requester.comment(ticket.number, "Segue print.", [PNG])
    assert back.status == "Em Andamento"
    resolved = await agent.resolve(ticket.number, "Serviço restabelecido.")
    assert (resolved.status, resolved.status_class) == ("Resolvida", StatusClass.RESOLVED)
    other = await requester.create_ticket(cit())
    closed = await agent.cancel(other.number, "Questionário incompleto: encerrado sem tratamento.")
    assert (closed.status, closed.status_class) == ("Cancelada", StatusClass.CANCELED)
