"""The CLI for every desk's own form: ``--desk``, ``--field NAME=VALUE``, ``--file FIELD=PATH``, ``track``.

The desk's FieldDefs decide what a value means (a ``rows`` field takes the option
repeated, one row each); the service does the checking, so the CLI refuses only
what it cannot even build (bad ``NAME=VALUE`` syntax, a files field given as text).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backend.desks import DEFAULT_DESK, DESK_IDS
from tui.cli import _add_globals, _print_json, _text_arg, _with_adapter, read_attachments

if TYPE_CHECKING:
    from backend.domain import DeskInfo, FieldDef, NewTicket, Ticket
    from tui.adapter import Adapter

# The NewTicket attributes a --field may also fill (each has its own option too).
CORE_OPTIONS = ("title", "orgao", "type", "category", "subject", "description")


def add_create_options(create: argparse.ArgumentParser) -> None:
    """``tickets create``: the desk and its own fields."""
    create.add_argument("--desk", default=DEFAULT_DESK, metavar="BALCÃO",
                        help=f"balcão: {', '.join(DESK_IDS)} (padrão: {DEFAULT_DESK}); "
                             "'demandas catalog --desk BALCÃO' mostra os campos")
    create.add_argument("--field", action="append", default=[], metavar="NOME=VALOR",
                        help="campo do formulário do balcão; repita para vários (campos de tabela: um por linha)")
    create.add_argument("--file", action="append", default=[], metavar="CAMPO=ARQUIVO",
                        help="arquivo para um campo de arquivos do balcão (ex.: print_tela=tela.png)")


def add_list_options(listing: argparse.ArgumentParser) -> None:
    """``tickets list --desk``."""
    listing.add_argument("--desk", metavar="BALCÃO", help=f"só as demandas deste balcão ({', '.join(DESK_IDS)})")


def build(actions: Any) -> None:
    """Add ``tickets track``."""
    from tui.cli import _Parser

    track: _Parser = actions.add_parser(
        "track", help="abre o chamado de acompanhamento de uma demanda encaminhada (SEI, unidade técnica)",
        description="Abre o chamado de acompanhamento vinculado a uma demanda encaminhada à unidade técnica; "
                    "as duas demandas registram o vínculo.")
    _add_globals(track)
    track.add_argument("number", metavar="NÚMERO", help="número da demanda encaminhada")
    track.add_argument("--text", required=True, metavar="TEXTO",
                       help="o que a unidade técnica vai acompanhar; '-' lê da entrada padrão")
    track.add_argument("--json", action="store_true", help="imprime o chamado de acompanhamento em JSON")
    track.set_defaults(handler=_cmd_track, parser=track)


def _pair(item: str, option: str, what: str) -> tuple[str, str]:
    from tui.connect import UsageError

    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"{option} espera {what}, por exemplo {option} "
                         f"{'telefone=(61) 2020-8000' if option == '--field' else 'print_tela=tela.png'}; "
                         f"recebido: {item!r}")
    return name.strip(), value


async def new_ticket(adapter: Adapter, args: argparse.Namespace, description: str) -> NewTicket:
    """The NewTicket the options describe, for the desk they name."""
    from backend.domain import NewTicket
    from tui.connect import UsageError

    desk = await adapter.desk(args.desk)
    kinds = {f.name: f.kind for f in desk.fields}
    core = {"title": args.title, "orgao": args.orgao, "type": args.type, "category": args.category,
            "subject": args.subject, "description": description}
    given: dict[str, list[str]] = {}
    for item in args.field:
        name, value = _pair(item, "--field", "NOME=VALOR")
        given.setdefault(name, []).append(value)
    fields: dict[str, str] = {}
    for name, values in given.items():
        if kinds.get(name) == "files":
            raise UsageError(f"{name!r} é um campo de arquivos: use --file {name}=ARQUIVO")
        if len(values) > 1 and kinds.get(name) != "rows":
            raise UsageError(f"o campo {name!r} foi informado {len(values)} vezes; só campos de tabela aceitam "
                             "repetição")
        if name in CORE_OPTIONS:
            if core[name]:
                raise UsageError(f"o campo {name!r} foi informado duas vezes (--{name} e --field)")
            core[name] = _text_arg(values[0]) if name == "description" else values[0]
        else:
            fields[name] = "\n".join(values)
    named = [("attachments", path) for path in args.attach]
    named += [_pair(item, "--file", "CAMPO=ARQUIVO") for item in args.file]
    for name, _ in named:
        if name != "attachments" and kinds.get(name) != "files":
            files_fields = ", ".join(f.name for f in desk.fields if f.kind == "files") or "nenhum"
            raise UsageError(f"o balcão {desk.id} não tem o campo de arquivos {name!r} (campos de arquivos: "
                             f"{files_fields})")
    read = read_attachments([path for _, path in named], desk.max_attachment_bytes, desk.max_attachments)
    attachments = tuple(replace(item, field=name) for item, (name, _) in zip(read, named, strict=True))
    return NewTicket(desk=desk.id, attachments=attachments, fields=fields, **core)


def _cmd_track(args: argparse.Namespace) -> int:
    text = _text_arg(args.text)

    async def work(adapter: Adapter) -> int:
        tracking = await adapter.track(args.number, text)
        if args.json:
            _print_json(tracking)
        else:
            print(f"Chamado de acompanhamento {tracking.number} aberto para a demanda {args.number.strip().upper()}.")
        return 0

    return _with_adapter(args, work)


# -- output --------------------------------------------------------------------

_KIND_NAMES = {
    "text": "texto", "longtext": "texto longo", "email": "e-mail", "phone": "telefone", "choice": "órgão da lista",
    "select": "opção", "email_confirm": "confirmação de e-mail", "rows": "tabela", "files": "arquivos",
    "catalog_type": "tipo do catálogo", "catalog_category": "categoria do catálogo",
    "catalog_subject": "assunto do catálogo",
}
_LINK_LABELS = {"origem": "Demanda de origem", "acompanhamento": "Chamado de acompanhamento"}


def field_line(field: FieldDef, desk: DeskInfo) -> str:
    """One line about a form field: label, name, kind, whether (and when) it is required, its options."""
    from backend.text import printable

    mark = " *" if field.required else ""
    parts = [f"{printable(field.label)}{mark} [{field.name}, {_KIND_NAMES.get(field.kind, field.kind)}]"]
    if field.required_when:
        whens = []
        for name, value in field.required_when:
            other = desk.find_field(name)
            whens.append(f"{printable(other.label if other else name)} = {printable(value)}")
        parts.append(f"obrigatório quando {' ou '.join(whens)}")
    if field.options:
        parts.append(f"opções: {'; '.join(printable(o) for o in field.options)}")
    if field.accept:
        parts.append(f"aceita: {', '.join(field.accept)}")
    if field.confirm_of:
        parts.append(f"repete {field.confirm_of}")
    if field.from_account:
        parts.append("preenchido com a conta")
    if field.kind == "rows":
        parts.append("repita --field para cada linha")
    return " — ".join(parts)


def print_form(desk: DeskInfo) -> None:
    """The desk's form, field by field (``*``: required)."""
    from backend.text import printable

    if desk.notice:
        print(printable(desk.notice))
        print()
    print("Campos do formulário (* obrigatório):")
    for field in desk.fields:
        print(f"  {field_line(field, desk)}")


def print_ticket_fields(ticket: Ticket, desk: DeskInfo) -> None:
    """The desk-specific values of a ticket, with their labels (a table's rows one per line)."""
    from backend.text import printable

    labels = {f.name: f.label for f in desk.fields}
    for name, value in ticket.fields.items():
        label = labels.get(name) or _LINK_LABELS.get(name, name)
        lines = value.splitlines() or [""]
        if len(lines) == 1:
            print(f"{printable(label)}: {printable(lines[0])}")
        else:
            print(f"{printable(label)}:")
            for line in lines:
                print(f"  {printable(line)}")
