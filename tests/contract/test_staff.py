"""The adapter contract for support staff: queue, distribution, reservation, answers, SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.domain import EntryKind, Flag, NewAttachment, Scope, SortKey, TicketQuery
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.contract.conftest import ORIENTACAO, SISTEMAS, Backend, MovableClock
from tests.contract.test_tickets import example
from tui.adapter import Adapter

Staff = Adapter


def unique(title: str) -> str:
    """A title no other test uses, so listings on the shared server stay exact."""
    import uuid

    return f"{title} {uuid.uuid4().hex[:8]}"


async def test_new_tickets_get_area_and_due_date_from_the_desk(requester: Adapter) -> None:
    sistemas = await requester.create_ticket(example())
    orientacao = await requester.create_ticket(
        example(type="Orientação", category="Contratos", subject="Caso concreto")
    )
    assert sistemas.area == SISTEMAS and orientacao.area == ORIENTACAO
    assert sistemas.due_at is not None and orientacao.due_at is not None
    assert sistemas.due_at - sistemas.created_at == timedelta(hours=72)
    assert orientacao.due_at - orientacao.created_at == timedelta(hours=120)
    assert sistemas.flags == ()


async def test_manager_distributes_to_an_agent_of_the_area(backend: Backend, requester: Adapter) -> None:
    gestor: Staff = backend.adapter("gestor")
    ticket = await requester.create_ticket(example(title=unique("Distribuir")))
    loads = await gestor.agents(SISTEMAS)
    logins = [a.login for a in loads]
    assert "bruno" in logins and "carla" not in logins and "atendente" in logins
    before = {a.login: a.open_tickets for a in loads}
    assigned = await gestor.assign(ticket.number, "bruno")
    assert (assigned.assignee_login, assigned.assignee_name) == ("bruno", "Bruno Sistemas")
    assert assigned.timeline[-1].kind is EntryKind.ASSIGNED
    after = {a.login: a.open_tickets for a in await gestor.agents(SISTEMAS)}
    assert after["bruno"] == before["bruno"] + 1
    with pytest.raises(ValidationFailed, match="não atende a área"):
        await gestor.assign(ticket.number, "carla")
    with pytest.raises(ValidationFailed, match="não é atendente"):
        await gestor.assign(ticket.number, "fernando")
    with pytest.raises(Conflict, match="já está atribuída"):
        await gestor.assign(ticket.number, "bruno")
    bruno: Staff = backend.adapter("bruno")
    with pytest.raises(Forbidden, match="gestores distribuem"):
        await bruno.assign(ticket.number, "atendente")
    mine = await bruno.list_tickets(TicketQuery(scope=Scope.VISIBLE, assignee="me", search=ticket.title))
    assert [t.number for t in mine.items] == [ticket.number]
    # The requester never sees the distribution entry.
    seen = await requester.get_ticket(ticket.number)
    assert [e.kind for e in seen.timeline] == [EntryKind.CREATED]


async def test_agents_see_only_their_areas(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Área")))
    carla: Staff = backend.adapter("carla")
    with pytest.raises(Forbidden, match="é da área"):
        await carla.get_ticket(ticket.number)
    page = await carla.list_tickets(TicketQuery(scope=Scope.VISIBLE, search=ticket.title))
    assert page.total == 0
    bruno: Staff = backend.adapter("bruno")
    page = await bruno.list_tickets(TicketQuery(scope=Scope.VISIBLE, search=ticket.title))
    assert [t.number for t in page.items] == [ticket.number]


async def test_reservation_moves_on_takeover_with_a_record(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Reserva")))
    ana: Staff = backend.adapter("atendente")
    bruno: Staff = backend.adapter("bruno")
    taken = await ana.take(ticket.number)
    assert (taken.reserved_by, taken.reserved_by_name) == ("atendente", "Ana Atendente")
    assert taken.reserved_at is not None
    assert not taken.can("take")
    with pytest.raises(Conflict, match="já está reservada para você"):
        await ana.take(ticket.number)
    moved = await bruno.take(ticket.number)
    assert moved.reserved_by == "bruno"
    assert moved.timeline[-1].kind is EntryKind.RESERVED
    assert "transferida de Ana Atendente para Bruno Sistemas" in moved.timeline[-1].text
    row = (await bruno.list_tickets(TicketQuery(scope=Scope.VISIBLE, search=ticket.title))).items[0]
    assert row.reserved_by_name == "Bruno Sistemas"
    # Answering a ticket someone else holds moves the reservation too — never silently.
    answered = await ana.reply(ticket.number, "Estou verificando.")
    assert answered.reserved_by == "atendente"
    assert [e.kind for e in answered.timeline[-2:]] == [EntryKind.RESERVED, EntryKind.COMMENT]


async def test_internal_notes_never_reach_the_requester(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Nota")))
    ana: Staff = backend.adapter("atendente")
    await ana.reply(ticket.number, "Resposta pública", [NewAttachment("resposta.pdf", b"%PDF pub")])
    noted = await ana.note(ticket.number, "Observação interna: conferir com a DCCE",
                           [NewAttachment("interno.txt", b"segredo")])
    note = noted.timeline[-1]
    assert note.kind is EntryKind.NOTE and note.internal
    seen = await requester.get_ticket(ticket.number)
    texts = [e.text for e in seen.timeline]
    assert "Resposta pública" in texts
    assert not any("interna" in t for t in texts)
    assert all(not e.internal for e in seen.timeline)
    assert [a.name for a in seen.attachments] == ["resposta.pdf"]
    with pytest.raises(NotFound):
        await requester.download(ticket.number, note.attachments[0].id)
    _, data = await ana.download(ticket.number, note.attachments[0].id)
    assert data == b"segredo"
    with pytest.raises(Forbidden, match="observações internas"):
        await requester.note(ticket.number, "eu também")


async def test_ask_for_information_round_trip(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Pergunta")))
    ana: Staff = backend.adapter("atendente")
    with pytest.raises(ValidationFailed, match="precisa complementar"):
        await ana.ask(ticket.number, " ")
    waiting = await ana.ask(ticket.number, "Informe o número do empenho.")
    assert waiting.status == "Aguardando Solicitante"
    seen = await requester.get_ticket(ticket.number)
    assert seen.timeline[-1].text == "Informe o número do empenho."
    assert seen.timeline[-1].status_to == "Aguardando Solicitante"
    with pytest.raises(Conflict):
        await ana.ask(ticket.number, "de novo")
    answered = await requester.comment(ticket.number, "Empenho 2024NE000123.")
    assert answered.status == "Em Andamento"
    assert [e.kind for e in answered.timeline[-2:]] == [EntryKind.COMMENT, EntryKind.STATUS]


async def test_forward_to_another_area(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Encaminhar")))
    bruno: Staff = backend.adapter("bruno")
    await bruno.take(ticket.number)
    with pytest.raises(ValidationFailed, match="motivo"):
        await bruno.forward(ticket.number, ORIENTACAO, "")
    with pytest.raises(ValidationFailed, match="Área desconhecida"):
        await bruno.forward(ticket.number, "Nenhuma", "x")
    with pytest.raises(ValidationFailed, match="já está na área"):
        await bruno.forward(ticket.number, SISTEMAS, "x")
    moved = await bruno.forward(ticket.number, ORIENTACAO, "É dúvida de contratos.")
    assert moved.area == ORIENTACAO
    assert moved.reserved_by is None and moved.assignee_login is None
    assert moved.timeline[-1].kind is EntryKind.FORWARDED
    with pytest.raises(Forbidden):
        await bruno.get_ticket(ticket.number)
    carla: Staff = backend.adapter("carla")
    assert (await carla.get_ticket(ticket.number)).area == ORIENTACAO


async def test_sla_overdue_flag_and_queue_filter(backend: Backend, requester: Adapter, clock: MovableClock) -> None:
    ticket = await requester.create_ticket(example(title=unique("Prazo")))
    gestor: Staff = backend.adapter("gestor")
    query = TicketQuery(scope=Scope.VISIBLE, overdue=True, search=ticket.title)
    assert (await gestor.list_tickets(query)).total == 0
    clock.advance(hours=73)
    late = await gestor.get_ticket(ticket.number)
    assert Flag.OVERDUE in late.flags
    page = await gestor.list_tickets(query)
    assert [(t.number, t.flags) for t in page.items] == [(ticket.number, (Flag.OVERDUE,))]
    by_flag = await gestor.list_tickets(TicketQuery(scope=Scope.VISIBLE, flag=Flag.OVERDUE, search=ticket.title))
    assert by_flag.total == 1
    counts = await gestor.queue_counts()
    assert counts.overdue >= 1 and counts.awaiting_distribution >= 1
    await gestor.resolve(ticket.number, "Feito.")
    assert Flag.OVERDUE not in (await gestor.get_ticket(ticket.number)).flags


async def test_monitoring_until_a_date_then_expired(backend: Backend, requester: Adapter,
                                                    clock: MovableClock) -> None:
    ticket = await requester.create_ticket(example(title=unique("Monitorar")))
    ana: Staff = backend.adapter("atendente")
    today = clock().astimezone().date()
    with pytest.raises(ValidationFailed, match="futura"):
        await ana.monitor(ticket.number, today, "x")
    with pytest.raises(ValidationFailed, match="motivo"):
        await ana.monitor(ticket.number, today + timedelta(days=3), " ")
    watched = await ana.monitor(ticket.number, today + timedelta(days=3), "Aguardando publicação no DOE.")
    assert watched.flags == (Flag.MONITORING,)
    assert watched.monitor_until is not None
    assert "Em monitoramento até" in watched.timeline[-1].text
    clock.advance(days=4)
    expired = await ana.get_ticket(ticket.number)
    assert Flag.MONITORING_EXPIRED in expired.flags
    mine = await ana.list_tickets(
        TicketQuery(scope=Scope.VISIBLE, flag=Flag.MONITORING_EXPIRED, search=ticket.title)
    )
    assert [t.number for t in mine.items] == [ticket.number]
    assert (await ana.queue_counts()).monitoring_expired >= 1
    await ana.resolve(ticket.number, "Publicado.")
    assert (await ana.get_ticket(ticket.number)).flags == ()


async def test_queue_filters_unassigned_area_status_and_due_sort(backend: Backend, requester: Adapter) -> None:
    tag = unique("Fila")
    first = await requester.create_ticket(example(title=f"{tag} a"))
    second = await requester.create_ticket(
        example(title=f"{tag} b", type="Orientação", category="Contratos", subject="Caso concreto")
    )
    gestor: Staff = backend.adapter("gestor")
    await gestor.assign(first.number, "bruno")
    base = TicketQuery(scope=Scope.VISIBLE, search=tag)
    unassigned = await gestor.list_tickets(_with(base, assignee="none"))
    assert [t.number for t in unassigned.items] == [second.number]
    by_area = await gestor.list_tickets(_with(base, area=ORIENTACAO))
    assert [t.number for t in by_area.items] == [second.number]
    by_due = await gestor.list_tickets(_with(base, sort=SortKey.DUE, descending=False))
    assert [t.number for t in by_due.items] == [first.number, second.number]
    with pytest.raises(ValidationFailed, match="Área desconhecida"):
        await gestor.list_tickets(_with(base, area="Nada"))


def _with(query: TicketQuery, **changes: object) -> TicketQuery:
    from dataclasses import replace

    return replace(query, **changes)  # type: ignore[arg-type]


async def test_staff_cancel_needs_a_reason(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example(title=unique("Cancelar")))
    ana: Staff = backend.adapter("atendente")
    with pytest.raises(ValidationFailed, match="motivo do cancelamento"):
        await ana.cancel(ticket.number)
    canceled = await ana.cancel(ticket.number, "Duplicada da CAGE-00001.")
    assert canceled.status == "Cancelado"
    assert canceled.timeline[-1].text == "Duplicada da CAGE-00001."


async def test_requester_sees_staff_actions_refused_with_reasons(requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    for action in ("reply", "note", "ask", "assign", "take", "forward", "monitor", "resolve"):
        assert not ticket.can(action)
        assert ticket.why_not(action)
    assert (await requester.queue_counts()).awaiting_me == 0
