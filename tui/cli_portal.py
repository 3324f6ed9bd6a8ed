"""Service-portal commands of the CLI: ``knowledge`` (Conhecimentos) and ``tickets evaluate`` (Avaliações)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.cli import _add_globals, _bounded_int, _print_json, _text_arg, _with_adapter

if TYPE_CHECKING:
    from backend.domain import KnowledgeArticle
    from tui.adapter import Adapter


def build(commands: Any, actions: Any) -> None:
    """Add ``knowledge`` and ``tickets evaluate`` to the parser."""
    knowledge = commands.add_parser(
        "knowledge", help="artigos de conhecimento de um balcão (busca sem diferença de acentos)",
        description="Busca os artigos de conhecimento (Conhecimentos) de um balcão. Sem busca, lista todos; "
                    "com um único resultado (ou o identificador do artigo), mostra o texto inteiro.")
    _add_globals(knowledge)
    knowledge.add_argument("query", nargs="*", metavar="BUSCA", help="palavras a buscar, ou o identificador do artigo")
    knowledge.add_argument("--desk", metavar="BALCÃO",
                           help="balcão (padrão: o primeiro que publica artigos, hoje citsmart)")
    knowledge.add_argument("--json", action="store_true", help="saída em JSON: a lista de artigos, com o texto")
    knowledge.set_defaults(handler=_cmd_knowledge, parser=knowledge)

    evaluate = actions.add_parser("evaluate", help="avalia o atendimento de uma demanda resolvida (nota de 1 a 5)",
                                  description="Avalia o atendimento de uma demanda resolvida: uma nota de 1 (muito "
                                              "insatisfeito) a 5 (muito satisfeito) e um comentário opcional. "
                                              "Só o solicitante avalia, uma vez por resolução.")
    _add_globals(evaluate)
    evaluate.add_argument("number", metavar="NÚMERO", help="número da demanda")
    evaluate.add_argument("--score", required=True, type=_bounded_int(1, 5, "a nota"), metavar="N",
                          help="nota de 1 a 5 *")
    evaluate.add_argument("--comment", default="", metavar="TEXTO", help="comentário; '-' lê da entrada padrão")
    evaluate.add_argument("--json", action="store_true", help="imprime a demanda avaliada em JSON")
    evaluate.set_defaults(handler=_cmd_evaluate, parser=evaluate)


async def _desk_with_articles(adapter: Adapter, chosen: str | None) -> str:
    from backend.errors import NotFound

    if chosen:
        return chosen
    found = next((d.id for d in await adapter.desks() if d.has_knowledge), None)
    if found is None:
        raise NotFound("Nenhum balcão deste servidor publica artigos de conhecimento.")
    return found


def _cmd_knowledge(args: argparse.Namespace) -> int:
    query = " ".join(args.query).strip()

    async def work(adapter: Adapter) -> int:
        desk_id = await _desk_with_articles(adapter, args.desk)
        articles = await adapter.knowledge(desk_id, query)
        exact = [a for a in await adapter.knowledge(desk_id) if a.id == query] if query else []
        if exact:
            articles = exact
        if args.json:
            _print_json(articles)
        elif not articles:
            desk = await adapter.desk(desk_id)
            if not desk.has_knowledge:
                print(f"O balcão {desk.name} não publica artigos de conhecimento.")
            else:
                print(f"Nenhum artigo encontrado para “{query}”. Tente outras palavras.")
        elif len(articles) == 1:
            _print_article(articles[0])
        else:
            _print_titles(articles)
        return 0

    return _with_adapter(args, work)


def _print_titles(articles: list[KnowledgeArticle]) -> None:
    from backend.text import printable

    print(f"{len(articles)} artigos:")
    width = max(len(a.id) for a in articles)
    for article in articles:
        print(f"  {article.id:<{width}}  {printable(article.title)}")
    print()
    print("Para ler um artigo: demandas knowledge IDENTIFICADOR")


def _print_article(article: KnowledgeArticle) -> None:
    from backend.text import printable

    title = printable(article.title)
    print(title)
    print("=" * len(title))
    print()
    print(printable(article.body))
    if article.keywords:
        print()
        print("Palavras-chave: " + printable(", ".join(article.keywords)))


def _cmd_evaluate(args: argparse.Namespace) -> int:
    comment = _text_arg(args.comment)

    async def work(adapter: Adapter) -> int:
        ticket = await adapter.evaluate(args.number, args.score, comment)
        if args.json:
            _print_json(ticket)
        else:
            print(f"Avaliação registrada na demanda {ticket.number}: nota {args.score} de 5. Obrigado!")
        return 0

    return _with_adapter(args, work)
