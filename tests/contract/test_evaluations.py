"""The adapter contract: evaluations ("Avaliações") of the service after a resolution, on every adapter."""

from __future__ import annotations

import pytest

from backend.domain import EntryKind, NewTicket, StatusClass, Ticket
from backend.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from backend.evaluations import parse_evaluation
from tests.contract.test_tickets import SEED_EXAMPLE
from tui.adapter import Adapter

UASG = NewTicket(
    title="", orgao="", type="Reativação de UASG", category="", subject="", desk="citsmart",
    description="Solicitamos a reativação da UASG 925001.\nCNPJ 42.498.600/0001-71, Rua da Ajuda 5, Rio de Janeiro.",
    fields={"prioridade": "Normal", "uasg": "925001"},
)


async def resolved(requester: Adapter, agent: Adapter) -> Ticket:
    ticket = await requester.create_ticket(UASG)
    await agent.resolve(ticket.number, "UASG 925001 reativada.")
    return await requester.get_ticket(ticket.number)


async def test_the_requester_evaluates_a_resolved_ticket_once(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    assert ticket.status_class is StatusClass.RESOLVED
    assert ticket.can("evaluate")
    done = await requester.evaluate(ticket.number, 5, "  Resolvido no mesmo dia.  ")
    entry = done.timeline[-1]
    assert entry.kind is EntryKind.EVALUATION
    assert entry.text == "Nota 5 de 5 — Resolvido no mesmo dia."
    assert parse_evaluation(entry.text) == (5, "Resolvido no mesmo dia.")
    assert not entry.internal
    assert done.version == ticket.version + 1
    why = done.why_not("evaluate")
    assert why is not None and why.startswith("Você já avaliou este atendimento em ")
    with pytest.raises(Conflict, match="Você já avaliou este atendimento em"):
        await requester.evaluate(ticket.number, 1, "Mudei de ideia.")
    # Staff see it in the timeline too.
    seen = await agent.get_ticket(ticket.number)
    assert [e.text for e in seen.timeline if e.kind is EntryKind.EVALUATION] == [entry.text]


async def test_a_comment_is_optional(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    done = await requester.evaluate(ticket.number, 3)
    assert done.timeline[-1].text == "Nota 3 de 5"


async def test_not_before_resolution(requester: Adapter) -> None:
    ticket = await requester.create_ticket(UASG)
    assert ticket.why_not("evaluate") == ("A demanda está com status “Em Andamento”; o atendimento só pode ser "
                                          "avaliado depois de resolvido.")
    with pytest.raises(Conflict, match="só pode ser avaliado depois de resolvido"):
        await requester.evaluate(ticket.number, 4, "Cedo demais.")


async def test_not_by_someone_else(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    assert not (await agent.get_ticket(ticket.number)).can("evaluate")
    with pytest.raises(Forbidden, match="Somente o solicitante avalia o atendimento da demanda"):
        await agent.evaluate(ticket.number, 5, "Eu mesmo me avalio.")
    assert all(e.kind is not EntryKind.EVALUATION for e in (await requester.get_ticket(ticket.number)).timeline)


async def test_a_new_resolution_takes_a_new_evaluation(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    await requester.evaluate(ticket.number, 2, "Não resolveu de fato.")
    await requester.reopen(ticket.number, "A UASG continua inativa.")
    again = await requester.get_ticket(ticket.number)
    assert not again.can("evaluate")
    await agent.resolve(ticket.number, "Agora sim, reativada.")
    assert (await requester.get_ticket(ticket.number)).can("evaluate")
    done = await requester.evaluate(ticket.number, 5, "Agora funcionou.")
    scores = [parse_evaluation(e.text) for e in done.timeline if e.kind is EntryKind.EVALUATION]
    assert scores == [(2, "Não resolveu de fato."), (5, "Agora funcionou.")]


@pytest.mark.parametrize("score", [0, 6, -1])
async def test_the_score_goes_from_1_to_5(requester: Adapter, agent: Adapter, score: int) -> None:
    ticket = await resolved(requester, agent)
    with pytest.raises(ValidationFailed, match="A nota deve ser um número inteiro de 1 a 5") as caught:
        await requester.evaluate(ticket.number, score, "x")
    assert caught.value.field == "score"
    assert (await requester.get_ticket(ticket.number)).can("evaluate")


async def test_an_overlong_comment_is_refused(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    with pytest.raises(ValidationFailed, match="O comentário tem 1001 caracteres; o limite é 1000") as caught:
        await requester.evaluate(ticket.number, 4, "a" * 1001)
    assert caught.value.field == "comment"


async def test_a_stale_version_is_refused(requester: Adapter, agent: Adapter) -> None:
    ticket = await resolved(requester, agent)
    await agent.note(ticket.number, "Reativação registrada no SIASG.")
    with pytest.raises(StaleVersion):
        await requester.evaluate(ticket.number, 5, "Ótimo.", expected_version=ticket.version)


async def test_desks_without_evaluations_do_not_offer_them(requester: Adapter, agent: Adapter) -> None:
    assert (await requester.desk("citsmart")).evaluations
    assert not (await requester.desk("ecage")).evaluations
    ticket = await requester.create_ticket(SEED_EXAMPLE)
    await agent.resolve(ticket.number, "Feito.")
    current = await requester.get_ticket(ticket.number)
    assert "evaluate" not in current.actions
    with pytest.raises(Conflict, match="não recebe avaliações de atendimento"):
        await requester.evaluate(ticket.number, 5, "Ótimo.")
