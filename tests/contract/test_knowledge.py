"""The adapter contract: knowledge articles ("Conhecimentos") of a desk, on every adapter."""

from __future__ import annotations

import pytest

from backend.errors import NotFound, ValidationFailed
from tui.adapter import Adapter


async def test_citsmart_publishes_articles_and_says_so(requester: Adapter) -> None:
    desk = await requester.desk("citsmart")
    assert desk.has_knowledge
    assert not (await requester.desk("ecage")).has_knowledge
    articles = await requester.knowledge("citsmart")
    assert len(articles) >= 6
    assert articles[0].title == "Como abrir um chamado de Erro/Indisponibilidade no SIASG"
    assert {a.desk for a in articles} == {"citsmart"}
    assert len({a.id for a in articles}) == len(articles)
    first = articles[0]
    assert "print da tela" in first.body and "72 horas" in first.body
    assert "screenshot" in first.keywords


async def test_search_ignores_accents_and_case(requester: Adapter) -> None:
    plain = await requester.knowledge("citsmart", "REATIVACAO")
    accented = await requester.knowledge("citsmart", "reativação")
    assert [a.id for a in plain] == [a.id for a in accented] == ["reativacao-uasg"]


async def test_every_word_must_match_and_titles_rank_first(requester: Adapter) -> None:
    found = await requester.knowledge("citsmart", "uasg")
    assert found[0].id == "reativacao-uasg"  # in the title; the error article only mentions it
    assert "erro-indisponibilidade-siasg" in [a.id for a in found]
    both = await requester.knowledge("citsmart", "uasg cnpj")
    assert [a.id for a in both] == ["reativacao-uasg"]


async def test_keywords_find_what_the_text_does_not_say(requester: Adapter) -> None:
    found = await requester.knowledge("citsmart", "screenshot")
    assert [a.id for a in found] == ["erro-indisponibilidade-siasg"]


async def test_no_match_and_desks_without_articles_give_empty_lists(requester: Adapter) -> None:
    assert await requester.knowledge("citsmart", "xilofone") == []
    assert await requester.knowledge("ecage") == []
    assert await requester.knowledge("ecage", "reativação") == []


async def test_unknown_desk_and_overlong_query_are_refused(requester: Adapter) -> None:
    with pytest.raises(NotFound, match="Balcão desconhecido: 'nenhum'"):
        await requester.knowledge("nenhum")
    with pytest.raises(ValidationFailed, match="A busca tem 201 caracteres; o limite é 200") as caught:
        await requester.knowledge("citsmart", "a" * 201)
    assert caught.value.field == "query"
