"""Support-staff commands of the CLI: the queue, distribution, answers, status work, export."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli import (
    MAX_LIMIT,
    _add_globals,
    _bounded_int,
    _cell,
    _print_json,
    _text_arg,
    _with_adapter,
    read_attachments,
)

if TYPE_CHECKING:
    from backend.domain import NewAttachment, Page, TicketQuery, TicketSummary
    from tui.adapter import Adapter


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"data inválida: {text!r}; use AAAA-MM-DD") from None


def _add_filters(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--mine", action="store_true", help="só as minhas (distribuídas ou reservadas para mim)")
    who.add_argument("--unassigned", action="store_true", help="só as que aguardam distribuição")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="todas as ocorrências, de qualquer status")
    which.add_argument("--status", metavar="NOME", help="só as demandas com este status")
    parser.add_argument("--area", metavar="ÁREA", help="só as demandas desta área")
    parser.add_argument("--overdue", action="store_true", help="só as atrasadas (prazo do SLA vencido)")
    parser.add_argument("--flag", choices=["atrasada", "monitoramento", "monitoramento_vencido"],
                        help="só as demandas com este sinalizador")
    parser.add_argument("--search", metavar="TEXTO", default="", help="busca em número, título, descrição e nome")
    parser.add_argument("--sort", choices=["created", "updated", "title", "number", "requester", "status", "due"],
                        default="created", help="ordem (padrão: created, mais recentes primeiro)")


async def _query(adapter: Adapter, args: argparse.Namespace, limit: int) -> TicketQuery:
    from backend.domain import Flag, Scope, SortKey, TicketQuery

    me = await adapter.whoami()
    sort = SortKey(args.sort)
    return TicketQuery(
        scope=Scope.VISIBLE if me.role.is_staff else Scope.MINE,
        active_only=not args.all,
        status=args.status,
        search=args.search,
        sort=sort,
        descending=sort is not SortKey.DUE,  # the nearest deadline first; everything else newest first
        limit=limit,
        assignee="me" if args.mine else "none" if args.unassigned else None,
        area=args.area,
        overdue=args.overdue,
        flag=Flag(args.flag) if args.flag else None,
    )


def build(commands: Any, actions: Any) -> None:
    """Add ``queue``, ``export`` and the staff ``tickets`` actions to the parser."""
    queue = commands.add_parser("queue", help="fila de atendimento (atendentes e gestores)",
                                description="Fila das demandas das suas áreas, com filtros.")
    _add_globals(queue)
    _add_filters(queue)
    queue.add_argument("--limit", type=_bounded_int(1, MAX_LIMIT, "o limite"), default=50, metavar="N",
                       help=f"quantas linhas mostrar (padrão: 50, máximo: {MAX_LIMIT})")
    queue.add_argument("--json", action="store_true", help="saída em JSON: {items, total, offset, limit}")
    queue.set_defaults(handler=_cmd_queue, parser=queue)

    export = commands.add_parser("export", help="exporta a tabela filtrada para CSV, Excel ou PDF",
                                 description="Exporta exatamente as linhas da listagem filtrada.")
    _add_globals(export)
    export.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf"], help="formato do arquivo")
    export.add_argument("--output", required=True, metavar="ARQUIVO", help="arquivo a gravar")
    _add_filters(export)
    export.set_defaults(handler=_cmd_export, parser=export)

    def add(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text + ".")
        _add_globals(parser)
        parser.add_argument("number", metavar="NÚMERO", help="número da demanda")
        parser.set_defaults(handler=handler, parser=parser)
        return parser

    assign = add("assign", "distribui a demanda a um atendente (gestores)", _cmd_assign)
    assign.add_argument("--to", required=True, metavar="LOGIN", help="atendente que recebe a demanda")
    add("take", "reserva a demanda para mim (assume a de outra pessoa)", _cmd_take)
    for name, help_text in (("reply", "responde ao solicitante (resposta pública)"),
                            ("note", "registra uma observação interna (só a equipe vê)")):
        parser = add(name, help_text, _cmd_post)
        parser.add_argument("--text", default="", metavar="TEXTO", help="texto; '-' lê da entrada padrão")
        parser.add_argument("--attach", action="append", default=[], metavar="ARQUIVO",
                            help="arquivo a anexar (repita para vários)")
    ask = add("ask", "pede informações ao solicitante (fica Aguardando Solicitante)", _cmd_ask)
    ask.add_argument("--text", required=True, metavar="TEXTO", help="o que o solicitante deve complementar")
    forward = add("forward", "encaminha a demanda para outra área", _cmd_forward)
    forward.add_argument("--area", required=True, metavar="ÁREA", help="área de destino")
    forward.add_argument("--reason", required=True, metavar="TEXTO", help="motivo do encaminhamento")
    monitor = add("monitor", "coloca a demanda em monitoramento até uma data", _cmd_monitor)
    monitor.add_argument("--until", required=True, type=_iso_date, metavar="AAAA-MM-DD",
                         help="data do fim do monitoramento")
    monitor.add_argument("--reason", required=True, metavar="TEXTO", help="motivo do monitoramento")


def _cmd_queue(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        page = await adapter.list_tickets(await _query(adapter, args, args.limit))
        if args.json:
            _print_json(page)
        else:
            _print_queue(page)
        return 0

    return _with_adapter(args, work)


def _print_queue(page: Page[TicketSummary]) -> None:
    from backend.domain import FLAG_LABELS
    from backend.text import format_datetime

    headers = ("Número", "Título", "Status", "Área", "Em análise por", "Prazo", "Sinalizadores")
    rows = [
        (t.number, _cell(t.title, 40), _cell(t.status, 22), _cell(t.area, 26), _cell(t.reserved_by_name or "", 24),
         format_datetime(t.due_at) if t.due_at else "", ", ".join(FLAG_LABELS[f] for f in t.flags))
        for t in page.items
    ]
    if not rows:
        print("Nenhuma demanda na fila com esses filtros.")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(f"Mostrando {len(page.items)} de {page.total}.")


def _cmd_export(args: argparse.Namespace) -> int:
    from backend.export import QUEUE_COLUMNS, ExportFormat
    from tui.export_job import export_listing

    output = Path(args.output).expanduser()
    if output.is_dir():
        from backend.errors import ValidationFailed

        raise ValidationFailed(f"{output} é uma pasta; informe o nome do arquivo a gravar.", field="output")

    async def work(adapter: Adapter) -> int:
        query = await _query(adapter, args, 500)
        me = await adapter.whoami()
        with _export_progress() as progress:
            count = await export_listing(adapter, query, ExportFormat(args.format), output, me, QUEUE_COLUMNS,
                                         progress)
        print(f"Exportadas {count} linhas para {output}.")
        return 0

    return _with_adapter(args, work)


@contextmanager
def _export_progress() -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr while pages arrive (hidden when not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(TextColumn("Exportando"), BarColumn(), MofNCompleteColumn(), console=console,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task("export", total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


async def _files(adapter: Adapter, number: str, paths: list[str]) -> tuple[NewAttachment, ...]:
    """Read the files to attach, within the limits of the ticket's desk."""
    if not paths:
        return ()
    desk = await adapter.desk((await adapter.get_ticket(number)).desk)
    return read_attachments(paths, desk.max_attachment_bytes, desk.max_attachments)


def _cmd_assign(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.assign(args.number, args.to)
        print(f"Demanda {ticket.number} distribuída para {ticket.assignee_name}.")
        return 0

    return _with_adapter(args, work)


def _cmd_take(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.take(args.number)
        print(f"Demanda {ticket.number} reservada para {ticket.reserved_by_name}.")
        return 0

    return _with_adapter(args, work)


def _cmd_post(args: argparse.Namespace) -> int:
    text = _text_arg(args.text)

    async def work(adapter: Adapter) -> int:
        files = await _files(adapter, args.number, args.attach)
        if args.action == "note":
            ticket = await adapter.note(args.number, text, files)
            print(f"Observação interna registrada na demanda {ticket.number}.")
        else:
            ticket = await adapter.reply(args.number, text, files)
            print(f"Resposta enviada na demanda {ticket.number}.")
        return 0

    return _with_adapter(args, work)


def _cmd_ask(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.ask(args.number, _text_arg(args.text))
        print(f"Demanda {ticket.number} aguardando o solicitante.")
        return 0

    return _with_adapter(args, work)


def _cmd_forward(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.forward(args.number, args.area, args.reason)
        print(f"Demanda {ticket.number} encaminhada para {ticket.area}.")
        return 0

    return _with_adapter(args, work)


def _cmd_monitor(args: argparse.Namespace) -> int:
    from backend.text import format_date

    async def work(adapter: Adapter) -> int:
        ticket = await adapter.monitor(args.number, args.until, args.reason)
        until = format_date(ticket.monitor_until) if ticket.monitor_until else ""
        print(f"Demanda {ticket.number} em monitoramento até {until}.")
        return 0

    return _with_adapter(args, work)
