"""Knowledge articles ("Conhecimentos") of a desk: data files, searched without regard to accents or case."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources

from backend.desks import load_desk
from backend.domain import KnowledgeArticle
from backend.errors import ValidationFailed

MAX_QUERY = 200
# A term found in the title says more than one in the keywords, which says more than the body.
_WEIGHTS = (("title", 3), ("keywords", 2), ("body", 1))


def fold(text: str) -> str:
    """``Reativação`` → ``reativacao``: what people type without accents still matches."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def load_articles(desk_id: str) -> tuple[KnowledgeArticle, ...]:
    """The articles of ``desk_id`` (none when the desk publishes none); NotFound for an unknown desk."""
    desk = load_desk(desk_id)
    if not desk.info.has_knowledge:
        return ()
    package = resources.files("backend.desks")
    name = tomllib.loads(package.joinpath(f"{desk_id}.toml").read_text(encoding="utf-8"))["knowledge"]
    data = tomllib.loads(package.joinpath(name).read_text(encoding="utf-8"))
    articles = tuple(
        KnowledgeArticle(id=a["id"], desk=desk_id, title=a["title"], body=a["body"].strip(),
                         keywords=tuple(a.get("keywords", ())))
        for a in data["articles"]
    )
    if len({a.id for a in articles}) != len(articles):
        raise ValueError(f"desk {desk_id}: knowledge article ids must be unique")
    return articles


@cache
def _folded(article: KnowledgeArticle) -> dict[str, str]:
    return {"title": fold(article.title), "keywords": fold(" ".join(article.keywords)), "body": fold(article.body)}


def search(articles: tuple[KnowledgeArticle, ...], query: str) -> list[KnowledgeArticle]:
    """Articles holding every word of ``query`` (any accents, any case), best matches first.

    An empty query lists every article in the desk's own order.
    """
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise ValidationFailed(f"A busca tem {len(query)} caracteres; o limite é {MAX_QUERY}.", field="query")
    terms = fold(query).split()
    if not terms:
        return list(articles)
    scored: list[tuple[int, int, KnowledgeArticle]] = []
    for position, article in enumerate(articles):
        parts = _folded(article)
        score = 0
        for term in terms:
            found = sum(weight for name, weight in _WEIGHTS if term in parts[name])
            if not found:
                break
            score += found
        else:
            scored.append((-score, position, article))
    return [article for _, _, article in sorted(scored, key=lambda item: item[:2])]
