"""gov.br Automation Platform tickets (seed 002) as a data-defined desk, on every adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from backend.domain import NewAttachment, NewTicket, StatusClass
from backend.errors import Conflict, Forbidden, ValidationFailed
from tests.contract.desk_helpers import PDF, desk_ticket, with_profile
from tui.adapter import Adapter

ORGAO = "Instituto Nacional do Seguro Social (INSS)"
FIELDS = {
    "telefone": "(61) 2020-8000",
    "email_institucional": "joana@inss.gov.br",
    "servico": "Solicitar Certidão de Tempo de Contribuição",
    "objetivo": "Erro",
    "tipo_solicitante": "Analista do Serviço",
    "tipo_problema": "Erro no roteamento de processos",
    "alcance": "Algumas solicitações",
    "protocolos": "00001.002345/2025-67\n00001.002346/2025-10",
}


def govbr(fields: dict[str, str] | None = None, **core: str) -> NewTicket:
    """A complete gov.br ticket, changed as asked."""
    description = core.pop("description", "Protocolos não chegam à caixa da unidade.\nDesde 02/03.")
    return desk_ticket("govbr", description, dict(FIELDS if fields is None else fields),
                       **{"orgao": ORGAO, **core})


async def test_govbr_form_is_the_seed(requester: Adapter) -> None:
    desk = await requester.desk("govbr")
    assert desk.prefix == "GOVBR" and desk.types == ()
    assert desk.notice.startswith("Atenção: Serão devolvidas todas as solicitações relacionadas a dificuldades "
                                  "na conta gov.br")
    assert [(f.name, f.label, f.kind, f.required) for f in desk.fields] == [
        ("nome_solicitante", "Nome do(a) Solicitante", "text", False),
        ("email_solicitante", "E-mail do(a) Solicitante", "email", False),
        ("telefone", "Telefone", "phone", True),
        ("email_institucional", "E-mail Institucional", "email", True),
        ("orgao", "Nome do Órgão", "choice", True),
        ("servico", "Nome do Serviço", "text", True),
        ("objetivo", "Objetivo da Solicitação", "select", True),
        ("tipo_solicitante", "Tipo de Solicitante", "select", True),
        ("tipo_problema", "Tipo de Problema", "select", True),
        ("alcance", "Alcance do Defeito", "select", True),
        ("description", "Detalhamento do Chamado", "longtext", True),
        ("protocolos", "Protocolos das solicitações afetadas", "rows", True),
        ("attachments", "Anexos", "files", False),
        ("observacoes", "Observações", "longtext", False),
    ]
    fields = {f.name: f for f in desk.fields}
    assert (fields["nome_solicitante"].from_account, fields["email_solicitante"].from_account) == ("name", "email")
    assert fields["objetivo"].options == ("Erro",)
    assert fields["tipo_solicitante"].options == ("Analista do Serviço", "Solicitante/Cidadão")
    assert fields["tipo_problema"].options == ("Erro em alguma integração", "Erro em alguma API",
                                               "Erro no roteamento de processos", "Lentidão no acesso ao serviço",
                                               "Outros erros")
    assert fields["protocolos"].column == "Número de protocolo" and fields["protocolos"].pattern
    assert [s.name for s in desk.statuses] == ["Em Análise", "Ajustes Solicitados", "Concluído", "Cancelado"]
    assert desk.action_labels["ask"] == "Solicitar ajustes"
    assert desk.action_labels["requester_reply"] == "Enviar para Análise"


async def test_govbr_ticket_takes_name_and_email_from_the_account(requester: Adapter) -> None:
    await with_profile(requester, "Joana Lima")
    typed = {**FIELDS, "nome_solicitante": "Outra Pessoa", "email_solicitante": "outra@x.com",
             "protocolos": " 00001.002345/2025-67 \n\n00001.002345/2025-67\n00001.002346/2025-10\n",
             "observacoes": "Urgente para o órgão."}
    ticket = await requester.create_ticket(replace(govbr(typed), attachments=(PDF,)))
    assert ticket.number.startswith("GOVBR-")
    assert ticket.title == "Protocolos não chegam à caixa da unidade."
    assert (ticket.status, ticket.area) == ("Em Análise", "CGATE/SGD – Análise de Chamados")
    assert (ticket.type, ticket.category, ticket.subject, ticket.orgao) == ("", "", "", ORGAO)
    assert ticket.fields["nome_solicitante"] == "Joana Lima"
    assert ticket.fields["email_solicitante"] == "joana@economia.gov.br"
    # One row each, blank rows dropped and a repeated protocol kept once.
    assert ticket.fields["protocolos"] == "00001.002345/2025-67\n00001.002346/2025-10"
    assert ticket.fields["observacoes"] == "Urgente para o órgão."
    assert ticket.fields["tipo_problema"] == "Erro no roteamento de processos"
    assert ticket.due_at is not None and ticket.due_at - ticket.created_at == timedelta(days=5)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"telefone": ""}, "telefone", "Preencha o campo “Telefone”."),
        ({"telefone": "123"}, "telefone", "Telefone inválido em “Telefone”: '123'. Use DDD e número"),
        ({"email_institucional": ""}, "email_institucional", "Preencha o campo “E-mail Institucional”."),
        ({"email_institucional": "joana@inss"}, "email_institucional",
         "E-mail inválido em “E-mail Institucional”: 'joana@inss'."),
        ({"servico": ""}, "servico", "Preencha o campo “Nome do Serviço”."),
        ({"objetivo": ""}, "objetivo", "Selecione uma opção em “Objetivo da Solicitação”."),
        ({"objetivo": "Dúvida"}, "objetivo",
         "Opção inválida em “Objetivo da Solicitação”: 'Dúvida'. Escolha uma destas: Erro."),
        ({"tipo_solicitante": "Gestor"}, "tipo_solicitante",
         "Opção inválida em “Tipo de Solicitante”: 'Gestor'. Escolha uma destas: Analista do Serviço; "
         "Solicitante/Cidadão."),
        ({"tipo_problema": ""}, "tipo_problema", "Selecione uma opção em “Tipo de Problema”."),
        ({"alcance": ""}, "alcance", "Selecione uma opção em “Alcance do Defeito”."),
        ({"protocolos": ""}, "protocolos", "Adicione ao menos um item em “Protocolos das solicitações afetadas”."),
        ({"protocolos": "\n \n"}, "protocolos",
         "Adicione ao menos um item em “Protocolos das solicitações afetadas”."),
        ({"protocolos": "00001.002345/2025-67\nprotocolo 12"}, "protocolos",
         "“Número de protocolo” inválido: 'protocolo 12'. Use só dígitos, com pontos, barra ou hífen se houver "
         "(ex.: 00001.002345/2025-67)."),
        ({"protocolos": "\n".join(str(100000 + n) for n in range(201))}, "protocolos",
         "“Protocolos das solicitações afetadas” tem 201 itens; o limite é 200."),
        ({"protocolos": "1" * 501}, "protocolos",
         "Um item de “Protocolos das solicitações afetadas” tem 501 caracteres; o limite é 500."),
        ({"observacoes": "x" * 2001}, "observacoes", "O campo “Observações” tem 2001 caracteres; o limite é 2000."),
    ],
)
async def test_govbr_refusals(requester: Adapter, change: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await requester.create_ticket(govbr({**FIELDS, **change}))
    assert refused.value.field == field
    assert str(refused.value).startswith(message)


async def test_govbr_core_refusals(requester: Adapter) -> None:
    with pytest.raises(ValidationFailed, match="Selecione o órgão") as no_orgao:
        await requester.create_ticket(govbr(orgao=""))
    assert no_orgao.value.field == "orgao"
    with pytest.raises(ValidationFailed, match="Descreva a demanda") as no_text:
        await requester.create_ticket(govbr(description=" "))
    assert no_text.value.field == "description"
    with pytest.raises(ValidationFailed, match="Escolha um órgão da lista") as bad:
        await requester.create_ticket(govbr(orgao="Secretaria da Fazenda"))
    assert bad.value.field == "orgao"
    with pytest.raises(ValidationFailed, match="Campos de arquivos: attachments") as wrong:
        await requester.create_ticket(replace(govbr(), attachments=(NewAttachment("a.pdf", b"x", field="print"),)))
    assert wrong.value.field == "print"


async def test_adjustments_round_trip(requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(govbr())
    assert ticket.actions.get("ask") is not None  # the requester never asks for adjustments
    with pytest.raises(Forbidden):
        await requester.ask(ticket.number, "Ajuste")
    asked = await agent.ask(ticket.number, "Informe o número de protocolo com dígito verificador.")
    assert asked.status == "Ajustes Solicitados"
    with pytest.raises(Conflict, match="só demandas em andamento podem aguardar"):
        await agent.ask(ticket.number, "De novo")
    # "Enviar para Análise": the requester's answer sends it back to the analyst.
    resent = await requester.comment(ticket.number, "Protocolo correto: 00001.002345/2025-67.")
    assert resent.status == "Em Análise"
    assert [e.status_to for e in resent.timeline if e.status_to][-2:] == ["Ajustes Solicitados", "Em Análise"]
    concluded = await agent.resolve(ticket.number, "Roteamento corrigido.")
    assert (concluded.status, concluded.status_class) == ("Concluído", StatusClass.RESOLVED)
    reopened = await requester.reopen(ticket.number, "Voltou a ocorrer.")
    assert reopened.status == "Em Análise"
    canceled = await requester.cancel(ticket.number)
    assert (canceled.status, canceled.status_class) == ("Cancelado", StatusClass.CANCELED)
    assert "forward" not in canceled.actions and "track" not in canceled.actions
