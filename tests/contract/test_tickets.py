"""The adapter contract: tickets, their rules and refusals, on every adapter."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from backend.domain import EntryKind, NewAttachment, NewTicket, Scope, SortKey, StatusClass, TicketQuery
from backend.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationFailed
from tests.contract.conftest import Backend
from tui.adapter import Adapter

SEED_EXAMPLE = NewTicket(
    title="Nova Demanda",
    orgao="Secretaria da Fazenda",
    type="Sistemas",
    category="Dúvidas de Operação e Erros de Validação",
    subject="FPE – Execução de Despesa > Retenção",
    description="Descrever demanda detalhadamente, informando números de documentos e processos.",
)
NUMBER = re.compile(r"^CAGE-\d{5,}-[A-Z0-9]{4}$")


def example(**changes: object) -> NewTicket:
    """The seed's example ticket with some fields changed."""
    return replace(SEED_EXAMPLE, **changes)  # type: ignore[arg-type]


async def test_create_seed_example_verbatim(requester: Adapter) -> None:
    ticket = await requester.create_ticket(
        example(attachments=(NewAttachment("image001.jpg (4).jpg", b"\xff\xd8jpeg"),))
    )
    assert NUMBER.match(ticket.number)
    assert (ticket.title, ticket.orgao, ticket.type) == ("Nova Demanda", "Secretaria da Fazenda", "Sistemas")
    assert ticket.category == "Dúvidas de Operação e Erros de Validação"
    assert ticket.subject == "FPE – Execução de Despesa > Retenção"
    assert ticket.status == "Em Andamento"
    assert ticket.status_class is StatusClass.ACTIVE
    assert [e.kind for e in ticket.timeline] == [EntryKind.CREATED]
    assert [a.name for a in ticket.timeline[0].attachments] == ["image001.jpg (4).jpg"]
    assert ticket.attachments[0].content_type == "image/jpeg"
    again = await requester.get_ticket(ticket.number.lower())
    assert again.number == ticket.number
    assert again.timeline == ticket.timeline


async def test_numbers_are_unique_and_sequential(requester: Adapter) -> None:
    first = await requester.create_ticket(example())
    second = await requester.create_ticket(example())
    seq = [int(t.number.split("-")[1]) for t in (first, second)]
    assert seq[1] > seq[0]
    assert first.number != second.number


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Informe o título."),
        ({"orgao": ""}, "orgao", "Selecione o órgão."),
        ({"type": ""}, "type", "Selecione o tipo."),
        ({"category": ""}, "category", "Selecione a categoria."),
        ({"subject": ""}, "subject", "Selecione o assunto."),
        ({"description": "\n "}, "description", "Descreva a demanda."),
        ({"orgao": "Secretaria Inexistente"}, "orgao", "Órgão desconhecido"),
        ({"type": "Reclamação"}, "type", "Tipo desconhecido"),
        ({"category": "Licitações"}, "category", "não existe no tipo Sistemas"),
        ({"subject": "Conciliação bancária"}, "subject", "não pertence à categoria"),
        ({"description": "x" * 2001}, "description", "o limite é 2000"),
        ({"title": "t" * 151}, "title", "o limite é 150"),
    ],
)
async def test_create_refusals_store_nothing(
    backend: Backend, requester: Adapter, changes: dict[str, str], field: str, message: str
) -> None:
    before = backend.rows("tickets")
    with pytest.raises(ValidationFailed) as caught:
        await requester.create_ticket(example(**changes))
    assert caught.value.field == field
    assert message in caught.value.message
    assert backend.rows("tickets") == before


async def test_description_at_the_limit_is_accepted(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(description="é" * 2000))
    assert len(ticket.description) == 2000


async def test_oversize_and_empty_attachments_are_refused(backend: Backend, requester: Adapter) -> None:
    desk = await requester.desk("ecage")
    before = backend.rows("attachments")
    big = NewAttachment("grande.pdf", b"0" * (desk.max_attachment_bytes + 1))
    with pytest.raises(TooLarge) as caught:
        await requester.create_ticket(example(attachments=(big,)))
    assert "grande.pdf" in caught.value.message and "limite" in caught.value.message
    with pytest.raises(ValidationFailed, match="vazio"):
        await requester.create_ticket(example(attachments=(NewAttachment("vazio.txt", b""),)))
    too_many = tuple(NewAttachment(f"a{i}.txt", b"x") for i in range(desk.max_attachments + 1))
    with pytest.raises(ValidationFailed, match="limite"):
        await requester.create_ticket(example(attachments=too_many))
    assert backend.rows("attachments") == before


async def test_attachment_names_never_become_paths(requester: Adapter) -> None:
    ticket = await requester.create_ticket(
        example(attachments=(NewAttachment("../../etc/passwd", b"root"), NewAttachment("C:\\x\\nota.txt", b"n")))
    )
    names = [a.name for a in ticket.attachments]
    assert names == ["passwd", "nota.txt"]
    meta, data = await requester.download(ticket.number, ticket.attachments[0].id)
    assert (meta.name, data) == ("passwd", b"root")


async def test_download_unknown_attachment(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    with pytest.raises(NotFound):
        await requester.download(ticket.number, 999_999)


async def test_unknown_and_foreign_tickets(backend: Backend, requester: Adapter) -> None:
    with pytest.raises(NotFound, match="não encontrada"):
        await requester.get_ticket("CAGE-99999-ZZZZ")
    other = backend.adapter("maria")
    theirs = await other.create_ticket(example(title="Da Maria"))
    with pytest.raises(Forbidden, match="outro solicitante"):
        await requester.get_ticket(theirs.number)
    with pytest.raises(Forbidden):
        await requester.comment(theirs.number, "intrometido")
    with pytest.raises(Forbidden):
        await requester.cancel(theirs.number)
    with pytest.raises(Forbidden):
        await requester.download(theirs.number, 1)
    assert (await other.get_ticket(theirs.number)).status == "Em Andamento"


async def test_listing_pages_in_stable_order_with_total(requester: Adapter) -> None:
    created = [await requester.create_ticket(example(title=f"Pedido {i:02d}")) for i in range(7)]
    seen: list[str] = []
    offset = 0
    while True:
        page = await requester.list_tickets(TicketQuery(limit=3, offset=offset))
        assert page.total == 7
        seen.extend(t.number for t in page.items)
        if not page.has_more:
            break
        offset += 3
    assert seen == [t.number for t in reversed(created)]
    by_title = await requester.list_tickets(TicketQuery(sort=SortKey.TITLE, descending=False, limit=50))
    assert [t.title for t in by_title.items] == [f"Pedido {i:02d}" for i in range(7)]


async def test_listing_filters_active_all_and_status(requester: Adapter, agent: Adapter) -> None:
    open_ = await requester.create_ticket(example(title="Aberta"))
    canceled = await requester.create_ticket(example(title="Cancelada"))
    resolved = await requester.create_ticket(example(title="Resolvida"))
    await requester.cancel(canceled.number)
    await agent.resolve(resolved.number, "Feito.")
    active = await requester.list_tickets(TicketQuery())
    assert [t.number for t in active.items] == [open_.number]
    everything = await requester.list_tickets(TicketQuery(active_only=False))
    assert everything.total == 3
    only = await requester.list_tickets(TicketQuery(status="cancelado", active_only=False))
    assert [(t.number, t.status) for t in only.items] == [(canceled.number, "Cancelado")]
    with pytest.raises(ValidationFailed, match="Status desconhecido"):
        await requester.list_tickets(TicketQuery(status="Arquivado"))
    with pytest.raises(ValidationFailed):
        await requester.list_tickets(TicketQuery(limit=501))
    with pytest.raises(ValidationFailed):
        await requester.list_tickets(TicketQuery(offset=-1))


async def test_requesters_list_only_their_own(backend: Backend, requester: Adapter, agent: Adapter) -> None:
    mine = await requester.create_ticket(example(title="Minha"))
    other = backend.adapter("maria")
    await other.create_ticket(example(title="Alheia"))
    page = await requester.list_tickets(TicketQuery(scope=Scope.VISIBLE, active_only=False))
    assert {t.requester_login for t in page.items} == {mine.requester_login}
    staff = await agent.list_tickets(TicketQuery(scope=Scope.VISIBLE, search=mine.number))
    assert [t.number for t in staff.items] == [mine.number]


async def test_search_matches_words_prefixes_accents_and_numbers(requester: Adapter) -> None:
    target = await requester.create_ticket(
        example(title="Retenção de ISS na liquidação", description="Empenho 2024NE000123 sem retenção.")
    )
    await requester.create_ticket(example(title="Outro assunto", description="Nada a ver."))
    for text in ("retencao", "Liquida", "2024NE0001", target.number, target.number[:10], "iss liquid"):
        page = await requester.list_tickets(TicketQuery(search=text))
        assert [t.number for t in page.items] == [target.number], text
    assert (await requester.list_tickets(TicketQuery(search="inexistentezz"))).total == 0
    assert (await requester.list_tickets(TicketQuery(search="[*\"'"))).total == 2


async def test_comment_with_attachment_appends_to_timeline(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    updated = await requester.comment(
        ticket.number, "Descrição complementar", [NewAttachment("image001.jpg (5).jpg", b"jpg")]
    )
    entry = updated.timeline[-1]
    assert entry.kind is EntryKind.COMMENT
    assert entry.text == "Descrição complementar"
    assert [a.name for a in entry.attachments] == ["image001.jpg (5).jpg"]
    assert entry.author_login == requester_login(requester)
    assert updated.version > ticket.version
    meta, data = await requester.download(ticket.number, entry.attachments[0].id)
    assert data == b"jpg" and meta.size == 3
    with pytest.raises(ValidationFailed, match="comentário ou anexe"):
        await requester.comment(ticket.number, "   ")
    only_file = await requester.comment(ticket.number, "", [NewAttachment("b.txt", b"b")])
    assert only_file.timeline[-1].attachments[0].name == "b.txt"


def requester_login(adapter: Adapter) -> str:
    """The login an adapter acts as (both adapters keep it as ``login``)."""
    return str(adapter.login)  # type: ignore[attr-defined]


async def test_cancel_then_refusals(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    assert ticket.can("cancel")
    canceled = await requester.cancel(ticket.number)
    assert (canceled.status, canceled.status_class) == ("Cancelado", StatusClass.CANCELED)
    assert canceled.closed_at is not None
    last = canceled.timeline[-1]
    assert (last.kind, last.status_from, last.status_to) == (EntryKind.CANCELED, "Em Andamento", "Cancelado")
    assert not canceled.can("cancel")
    with pytest.raises(Conflict, match="Cancelado"):
        await requester.cancel(ticket.number)
    with pytest.raises(Conflict, match="reabra"):
        await requester.comment(ticket.number, "ainda aí?")


async def test_resolve_is_for_agents(requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    assert not ticket.can("resolve")
    assert "atendentes" in (ticket.why_not("resolve") or "")
    with pytest.raises(Forbidden, match="atendentes"):
        await requester.resolve(ticket.number, "Resolvi eu mesmo")
    with pytest.raises(ValidationFailed, match="solução"):
        await agent.resolve(ticket.number, " ")
    resolved = await agent.resolve(ticket.number, "Retenção ajustada no FPE.")
    assert resolved.status == "Resolvido"
    assert resolved.timeline[-1].kind is EntryKind.RESOLVED
    assert resolved.timeline[-1].text == "Retenção ajustada no FPE."
    assert resolved.timeline[-1].author_login == "atendente"
    with pytest.raises(Conflict):
        await agent.resolve(ticket.number, "de novo")


async def test_reopen_within_seven_days(backend: Backend, requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    await agent.resolve(ticket.number, "Feito.")
    backend.age_closure(ticket.number, 6.9)
    resolved = await requester.get_ticket(ticket.number)
    assert resolved.can("reopen")
    with pytest.raises(ValidationFailed, match=r"Informe uma justificativa para reabrir esta demanda\."):
        await requester.reopen(ticket.number, "  ")
    reopened = await requester.reopen(ticket.number, "Problema não resolvido.")
    assert (reopened.status, reopened.status_class, reopened.closed_at) == ("Em Andamento", StatusClass.ACTIVE, None)
    last = reopened.timeline[-1]
    assert (last.kind, last.text, last.status_from) == (EntryKind.REOPENED, "Problema não resolvido.", "Resolvido")
    assert not reopened.can("reopen")


async def test_reopen_canceled_ticket(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    await requester.cancel(ticket.number)
    reopened = await requester.reopen(ticket.number, "Cancelei por engano.")
    assert reopened.status == "Em Andamento"


async def test_reopen_after_seven_days_is_refused(backend: Backend, requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    await agent.resolve(ticket.number, "Feito.")
    backend.age_closure(ticket.number, 7.1)
    late = await requester.get_ticket(ticket.number)
    assert not late.can("reopen")
    assert "7 dias" in (late.why_not("reopen") or "")
    with pytest.raises(Conflict, match="7 dias"):
        await requester.reopen(ticket.number, "Problema não resolvido.")
    assert (await requester.get_ticket(ticket.number)).status == "Resolvido"


async def test_reopen_active_ticket_is_refused(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    with pytest.raises(Conflict, match="resolvidas ou canceladas"):
        await requester.reopen(ticket.number, "Quero reabrir")


async def test_timeline_records_every_change_in_order(requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    await requester.comment(ticket.number, "mais dados")
    await agent.comment(ticket.number, "recebido")
    await agent.resolve(ticket.number, "ok")
    await requester.reopen(ticket.number, "voltou a falhar")
    final = await requester.cancel(ticket.number)
    kinds = [e.kind for e in final.timeline]
    assert kinds == [
        EntryKind.CREATED,
        EntryKind.COMMENT,
        EntryKind.COMMENT,
        EntryKind.RESOLVED,
        EntryKind.REOPENED,
        EntryKind.CANCELED,
    ]
    assert [e.author_login for e in final.timeline][2:4] == ["atendente", "atendente"]
    times = [e.created_at for e in final.timeline]
    assert times == sorted(times)
