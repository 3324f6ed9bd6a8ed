"""The SEI helpdesk (seed 004) as a data-defined desk, on every adapter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from backend.domain import EntryKind, Flag, NewAttachment, NewTicket, Scope, StatusClass, TicketQuery
from backend.errors import Conflict, Forbidden, ValidationFailed
from tests.contract.conftest import Backend, MovableClock
from tests.contract.desk_helpers import PDF, PNG, add_staff, desk_ticket, tag
from tui.adapter import Adapter

CSG = "SEI – Comitê Setorial de Gestão (CSG)"
TECNICA = "SEI – Unidades Técnica e de Gestão"
ORGAO = "Secretaria de Estado da Fazenda (SEFAZ)"
FIELDS = {"nome": "Joana Ribeiro Lima", "email": "joana@sefaz.ma.gov.br", "email_confirmacao": "joana@sefaz.ma.gov.br"}


def sei(description: str = "Não consigo assinar documentos no SEI\nAparece erro de certificado.",
        fields: dict[str, str] | None = None, attachments: tuple[NewAttachment, ...] = (PDF,),
        **core: str) -> NewTicket:
    """A complete SEI ticket, changed as asked."""
    new = desk_ticket("sei", description, dict(FIELDS if fields is None else fields), orgao=ORGAO, **core)
    return replace(new, attachments=attachments)


async def test_sei_form_is_the_seed(requester: Adapter) -> None:
    desk = await requester.desk("sei")
    assert desk.prefix == "SEI" and desk.types == () and desk.areas == (CSG, TECNICA)
    assert [(f.name, f.label, f.kind, f.required) for f in desk.fields] == [
        ("orgao", "Órgão Vinculado", "choice", True),
        ("nome", "Nome completo", "text", True),
        ("email", "Email", "email", True),
        ("email_confirmacao", "Repetir Email", "email_confirm", True),
        ("description", "Chamado", "longtext", True),
        ("attachments", "Anexo", "files", True),
    ]
    assert desk.find_field("email_confirmacao").confirm_of == "email"  # type: ignore[union-attr]
    assert "SAMOP" in desk.orgaos and ORGAO in desk.orgaos
    assert "vincule o chamado à SAMOP" in desk.fields[0].help
    assert [s.name for s in desk.statuses] == ["Aberto", "Aguardando Solicitante", "Encaminhado à Unidade Técnica",
                                               "Respondido", "Cancelado"]
    assert desk.action_labels["track"] == "Abrir chamado de acompanhamento"


async def test_sei_ticket_title_comes_from_the_request_and_is_due_in_5_days(requester: Adapter) -> None:
    ticket = await requester.create_ticket(sei())
    assert ticket.number.startswith("SEI-")
    assert ticket.title == "Não consigo assinar documentos no SEI"
    assert (ticket.orgao, ticket.type, ticket.category, ticket.subject) == (ORGAO, "", "", "")
    assert ticket.description.endswith("Aparece erro de certificado.")
    assert ticket.fields == {"nome": "Joana Ribeiro Lima", "email": "joana@sefaz.ma.gov.br"}
    assert (ticket.status, ticket.status_class, ticket.area) == ("Aberto", StatusClass.ACTIVE, CSG)
    assert ticket.due_at is not None and ticket.due_at - ticket.created_at == timedelta(days=5)
    assert [a.name for a in ticket.attachments] == ["oficio.pdf"]
    long = await requester.create_ticket(sei(description="\n  " + "x" * 400 + "\nsegunda linha"))
    assert long.title == "x" * 149 + "…"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"orgao": ""}, "orgao", "Selecione o órgão."),
        ({"orgao": "Prefeitura de Nenhures"}, "orgao", "Órgão desconhecido: 'Prefeitura de Nenhures'. Escolha um "
                                                       "órgão da lista."),
        ({"fields": {**FIELDS, "nome": " "}}, "nome", "Preencha o campo “Nome completo”."),
        ({"fields": {**FIELDS, "email": ""}}, "email", "Preencha o campo “Email”."),
        ({"fields": {**FIELDS, "email_confirmacao": ""}}, "email_confirmacao", "Repita o e-mail em “Repetir Email”."),
        ({"fields": {**FIELDS, "email": "joana", "email_confirmacao": "joana"}}, "email",
         "E-mail inválido em “Email”: 'joana'. Exemplo: nome@orgao.gov.br"),
        ({"fields": {**FIELDS, "email_confirmacao": "joana@sefaz.ma.gov"}}, "email_confirmacao",
         "Os e-mails não conferem: digite em “Repetir Email” o mesmo e-mail informado em “Email”."),
        ({"fields": {**FIELDS, "nome": "Joana\nLima"}}, "nome", "O campo “Nome completo” aceita uma linha só."),
        ({"fields": {**FIELDS, "nome": "J" * 151}}, "nome",
         "O campo “Nome completo” tem 151 caracteres; o limite é 150."),
        ({"fields": {**FIELDS, "cpf": "123"}}, "cpf", "Campo desconhecido no balcão SEI — Helpdesk do SEI: 'cpf'."),
        ({"description": "  "}, "description", "Descreva a demanda."),
        ({"description": "x" * 4001}, "description", "A descrição tem 4001 caracteres; o limite é 4000."),
        ({"title": "Um título"}, "title", "O balcão SEI — Helpdesk do SEI não tem o campo 'title'; deixe-o vazio."),
        ({"type": "Serviços"}, "type", "O balcão SEI — Helpdesk do SEI não tem o campo 'type'; deixe-o vazio."),
        ({"attachments": ()}, "attachments", "Anexe ao menos um arquivo em “Anexo”."),
        ({"attachments": (NewAttachment("script.exe", b"MZ"),)}, "attachments",
         "O tipo de arquivo .exe ('script.exe') não é aceito no balcão SEI — Helpdesk do SEI."),
        ({"attachments": (NewAttachment("tela.png", b"x", field="print_tela"),)}, "print_tela",
         "O arquivo 'tela.png' indica o campo 'print_tela', que não existe no balcão SEI — Helpdesk do SEI."),
    ],
)
async def test_sei_refusals(requester: Adapter, change: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await requester.create_ticket(replace(sei(), **change))  # type: ignore[arg-type]
    assert refused.value.field == field
    assert str(refused.value).startswith(message)


async def test_confirmation_ignores_letter_case(requester: Adapter) -> None:
    fields = {**FIELDS, "email_confirmacao": "JOANA@sefaz.ma.gov.br"}
    ticket = await requester.create_ticket(sei(fields=fields, attachments=(PNG,)))
    assert ticket.fields["email"] == "joana@sefaz.ma.gov.br"


async def test_committee_forwards_and_the_technical_unit_opens_a_tracking_ticket(
        backend: Backend, requester: Adapter) -> None:
    word = tag()
    csg = add_staff(backend, "csg-sefaz", "Comitê SEFAZ", (CSG,))
    tecnico = add_staff(backend, "tecnico-sei", "Técnico SEI", (TECNICA,))
    ticket = await requester.create_ticket(sei(description=f"Criar unidade {word}"))
    with pytest.raises(Forbidden, match="é da área"):
        await tecnico.get_ticket(ticket.number)
    committee_view = await csg.get_ticket(ticket.number)
    assert committee_view.can("forward") and committee_view.why_not("track") == (
        "A demanda está com status “Aberto”; só demandas encaminhadas à unidade técnica recebem chamado de "
        "acompanhamento.")
    with pytest.raises(Conflict, match="só demandas encaminhadas"):
        await csg.track(ticket.number, "Acompanhar")
    forwarded = await csg.forward(ticket.number, TECNICA, "Criação de unidade é da unidade técnica.")
    assert (forwarded.status, forwarded.area) == ("Encaminhado à Unidade Técnica", TECNICA)
    assert [e.kind for e in forwarded.timeline][-2:] == [EntryKind.FORWARDED, EntryKind.STATUS]
    seen = await tecnico.get_ticket(ticket.number)
    assert seen.can("track")
    with pytest.raises(ValidationFailed, match="Descreva o que a unidade técnica") as empty:
        await tecnico.track(ticket.number, "  ")
    assert empty.value.field == "text"
    tracking = await tecnico.track(ticket.number, "Unidade será criada no ambiente de produção.")
    assert tracking.number != ticket.number and tracking.number.startswith("SEI-")
    assert tracking.title == f"Acompanhamento de {ticket.number}: Criar unidade {word}"
    assert tracking.description == "Unidade será criada no ambiente de produção."
    assert (tracking.requester_login, tracking.area, tracking.status) == (ticket.requester_login, TECNICA, "Aberto")
    assert tracking.fields["origem"] == ticket.number and tracking.orgao == ORGAO
    assert tracking.timeline[-1].kind is EntryKind.LINKED
    assert tracking.timeline[-1].text == f"Chamado de acompanhamento da demanda {ticket.number}."
    original = await tecnico.get_ticket(ticket.number)
    assert original.fields["acompanhamento"] == tracking.number
    assert original.status == "Encaminhado à Unidade Técnica"
    assert original.why_not("track") == f"A demanda já tem chamado de acompanhamento: {tracking.number}."
    with pytest.raises(Conflict, match="já tem chamado de acompanhamento"):
        await tecnico.track(ticket.number, "De novo")
    # The requester follows both and sees the link on each.
    mine = await requester.get_ticket(ticket.number)
    assert any(e.kind is EntryKind.LINKED and tracking.number in e.text for e in mine.timeline)
    assert (await requester.get_ticket(tracking.number)).fields["origem"] == ticket.number
    listed = await requester.list_tickets(TicketQuery(scope=Scope.MINE, desk="sei", search=word))
    assert {t.number for t in listed.items} == {ticket.number, tracking.number}
    # Only staff open tracking tickets.
    with pytest.raises(Forbidden, match="Somente atendentes e gestores abrem chamados de acompanhamento"):
        await requester.track(ticket.number, "Eu mesma")


async def test_after_forwarding_the_committee_no_longer_works_the_ticket(backend: Backend, requester: Adapter,
                                                                        agent: Adapter) -> None:
    ticket = await requester.create_ticket(sei())
    committee = add_staff(backend, "csg-geral", "Comitê Geral", (CSG,))
    await committee.forward(ticket.number, TECNICA, "Para a unidade técnica.")
    with pytest.raises(Forbidden, match="é da área SEI – Unidades Técnica e de Gestão"):
        await committee.track(ticket.number, "Acompanhar")
    # Staff of every area (a small desk) may open it, as the technical unit does.
    tracking = await agent.track(ticket.number, "Acompanhar")
    assert tracking.area == TECNICA


async def test_sei_answer_ask_reopen_and_cancel(requester: Adapter, agent: Adapter, backend: Backend) -> None:
    ticket = await requester.create_ticket(sei())
    asked = await agent.ask(ticket.number, "Informe o número do processo.")
    assert asked.status == "Aguardando Solicitante"
    replied = await requester.comment(ticket.number, "Processo 2025.001")
    assert replied.status == "Aberto"
    answered = await agent.resolve(ticket.number, "Permissão concedida.")
    assert (answered.status, answered.status_class) == ("Respondido", StatusClass.RESOLVED)
    reopened = await requester.reopen(ticket.number, "Ainda não consigo.")
    assert reopened.status == "Aberto"
    canceled = await requester.cancel(ticket.number)
    assert (canceled.status, canceled.status_class) == ("Cancelado", StatusClass.CANCELED)
    with pytest.raises(Conflict, match="reabra-a"):
        await requester.comment(ticket.number, "Mais uma coisa")


async def test_sei_deadline_flags_overdue_after_5_days(requester: Adapter, agent: Adapter,
                                                       clock: MovableClock) -> None:
    ticket = await requester.create_ticket(sei())
    clock.advance(days=4, hours=23)
    assert Flag.OVERDUE not in (await agent.get_ticket(ticket.number)).flags
    clock.advance(hours=2)
    assert Flag.OVERDUE in (await agent.get_ticket(ticket.number)).flags
