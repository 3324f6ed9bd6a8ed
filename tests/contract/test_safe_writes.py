"""The adapter contract for safe writes and live updates, on every adapter.

Idempotency keys (a retried create/comment never writes twice), versions (a stale
edit is refused instead of overwriting), ``ping`` and ``events``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from backend.domain import EntryKind, NewAttachment, TicketEvent
from backend.errors import StaleVersion, ValidationFailed
from tests.contract.conftest import Backend
from tests.contract.test_tickets import example
from tui.adapter import Adapter

EVENT_WAIT = 10.0


async def test_same_key_twice_opens_one_ticket(backend: Backend, requester: Adapter) -> None:
    key = str(uuid.uuid4())
    before = backend.rows("tickets")
    new = example(attachments=(NewAttachment("print.png", b"\x89PNG"),))
    first = await requester.create_ticket(new, idempotency_key=key)
    again = await requester.create_ticket(new, idempotency_key=key)
    assert again.number == first.number
    assert backend.rows("tickets") == before + 1
    assert backend.rows("attachments") >= 1
    # Without a key (or with another one) it is a new ticket, as before.
    other = await requester.create_ticket(new, idempotency_key=str(uuid.uuid4()))
    assert other.number != first.number


async def test_same_key_with_another_request_is_refused(backend: Backend, requester: Adapter) -> None:
    key = str(uuid.uuid4())
    await requester.create_ticket(example(title="Primeiro"), idempotency_key=key)
    before = backend.rows("tickets")
    with pytest.raises(ValidationFailed) as caught:
        await requester.create_ticket(example(title="Outro pedido"), idempotency_key=key)
    assert caught.value.field == "idempotency_key"
    assert "já foi usada para um pedido diferente" in caught.value.message
    assert backend.rows("tickets") == before


async def test_a_repeated_comment_is_stored_once(backend: Backend, requester: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    key = str(uuid.uuid4())
    first = await requester.comment(ticket.number, "Segue o print.", [NewAttachment("print.png", b"png")],
                                    idempotency_key=key, expected_version=ticket.version)
    # The retry carries the same version it was sent with: it must replay, not be called stale.
    again = await requester.comment(ticket.number, "Segue o print.", [NewAttachment("print.png", b"png")],
                                    idempotency_key=key, expected_version=ticket.version)
    assert again.version == first.version
    comments = [e for e in again.timeline if e.kind is EntryKind.COMMENT]
    assert len(comments) == 1


async def test_reply_and_note_keys_are_honoured(backend: Backend, requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    for send in (agent.reply, agent.note):
        key = str(uuid.uuid4())
        await send(ticket.number, "Uma vez só.", idempotency_key=key)
        await send(ticket.number, "Uma vez só.", idempotency_key=key)
    timeline = (await agent.get_ticket(ticket.number)).timeline
    assert [e.kind for e in timeline if e.text == "Uma vez só."] == [EntryKind.COMMENT, EntryKind.NOTE]


async def test_a_stale_edit_is_refused_and_changes_nothing(requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    seen = ticket.version
    await agent.reply(ticket.number, "Pode enviar o print?")  # someone else changes it meanwhile
    with pytest.raises(StaleVersion) as caught:
        await requester.cancel(ticket.number, "Não preciso mais.", expected_version=seen)
    assert caught.value.message.startswith("A demanda foi alterada por outra pessoa desde que você a abriu.")
    current = await requester.get_ticket(ticket.number)
    assert current.status == "Em Andamento"
    with pytest.raises(StaleVersion):
        await requester.comment(ticket.number, "Atrasado", expected_version=seen)
    done = await requester.cancel(ticket.number, "Não preciso mais.", expected_version=current.version)
    assert done.status == "Cancelado" and done.version > current.version


@pytest.mark.parametrize("action", ["resolve", "ask", "take", "assign", "forward", "monitor", "note", "reply"])
async def test_every_staff_edit_checks_the_version(backend: Backend, requester: Adapter, action: str) -> None:
    from datetime import date, timedelta

    from tests.contract.conftest import ORIENTACAO

    gestor = backend.adapter("gestor")
    ticket = await requester.create_ticket(example())
    await requester.comment(ticket.number, "Mudei algo.")
    calls = {
        "resolve": lambda v: gestor.resolve(ticket.number, "Feito.", expected_version=v),
        "ask": lambda v: gestor.ask(ticket.number, "Envie o print.", expected_version=v),
        "take": lambda v: gestor.take(ticket.number, expected_version=v),
        "assign": lambda v: gestor.assign(ticket.number, "bruno", expected_version=v),
        "forward": lambda v: gestor.forward(ticket.number, ORIENTACAO, "Orientação.", expected_version=v),
        "note": lambda v: gestor.note(ticket.number, "Nota.", expected_version=v),
        "reply": lambda v: gestor.reply(ticket.number, "Resposta.", expected_version=v),
        "monitor": lambda v: gestor.monitor(ticket.number, date.today() + timedelta(days=3), "x", expected_version=v),
    }
    with pytest.raises(StaleVersion):
        await calls[action](ticket.version)
    fresh = await gestor.get_ticket(ticket.number)
    assert (await calls[action](fresh.version)).version > fresh.version


async def test_ping(requester: Adapter) -> None:
    assert await requester.ping() is True


async def next_event(events: AsyncIterator[TicketEvent], number: str) -> TicketEvent:
    """The next event of ticket ``number`` (others, from other tests on the same server, are skipped)."""
    while True:
        event = await events.__anext__()
        if event.number == number:
            return event


async def test_events_bring_what_the_user_may_see(backend: Backend, requester: Adapter, agent: Adapter) -> None:
    ticket = await requester.create_ticket(example())
    events = requester.events()
    watching = asyncio.ensure_future(next_event(events, ticket.number))
    await asyncio.sleep(0.3)  # the stream is open before the changes happen
    await agent.note(ticket.number, "Só a equipe vê.")  # internal: never reaches the requester
    await agent.reply(ticket.number, "Resposta pública.")
    try:
        event = await asyncio.wait_for(watching, EVENT_WAIT)
    finally:
        await events.aclose()  # type: ignore[attr-defined]
    assert (event.number, event.kind, event.actor) == (ticket.number, EntryKind.COMMENT, "atendente")
