"""``demandas sgta``: audit trails (seed 001) — import, list, justify, the gestor's decisions, export."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli import _add_globals, _bounded_int, _cell, _print_json, _text_arg, _with_adapter, read_attachments

if TYPE_CHECKING:
    from backend.sgta.domain import SgtaRecord, SgtaRequest
    from tui.adapter import Adapter

STATUSES = ("pendente", "em_analise_unidade", "justificado", "em_analise_gestor", "concluido", "devolvido")


def _iso_date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"data inválida: {text!r}; use AAAA-MM-DD") from None


def _record_id(text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 18:
        raise argparse.ArgumentTypeError(f"número de registro inválido: {text!r}; use o Nº da tabela, ex.: 12")
    return int(text)


def build(commands: Any) -> None:
    """Add ``sgta`` and its verbs to the parser."""
    from tui.cli import _Parser

    sgta = commands.add_parser("sgta", help="trilhas de auditoria (SGTA): importa, lista, justifica e analisa",
                               description="SGTA — trilhas de auditoria: registros de inconsistências justificados "
                                           "pelas unidades e analisados pelos Gestores.")
    _add_globals(sgta)
    verbs = sgta.add_subparsers(title="ações", metavar="AÇÃO", dest="verb", required=True, parser_class=_Parser)

    def verb(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = verbs.add_parser(name, help=help_text, description=help_text[:1].upper()
                                                           + help_text[1:] + ".")
        _add_globals(parser)
        parser.set_defaults(handler=handler, parser=parser)
        return parser

    listing = verb("list", "lista as trilhas ou, com TRILHA, os registros dela", _cmd_list)
    listing.add_argument("trail", nargs="?", metavar="TRILHA", help="id da trilha (ex.: acumulacao)")
    listing.add_argument("--search", default="", metavar="TEXTO",
                         help="busca (trilhas: área, trilha, status ou “permitido”; registros: qualquer coluna)")
    listing.add_argument("--status", choices=STATUSES, help="só os registros com este status")
    listing.add_argument("--limit", type=_bounded_int(1, 500, "o limite"), default=50, help="quantos (padrão: 50)")
    listing.add_argument("--json", action="store_true", help="saída em JSON")

    show = verb("show", "mostra um registro: justificativa, pareceres, documentos e eventos", _cmd_show)
    show.add_argument("record", type=_record_id, metavar="ID")
    show.add_argument("--json", action="store_true", help="saída em JSON")

    imp = verb("import", "importa os registros de uma trilha de um arquivo CSV (Gestores da área)", _cmd_import)
    imp.add_argument("trail", metavar="TRILHA", help="id da trilha (ex.: acumulacao)")
    imp.add_argument("file", metavar="ARQUIVO", help="CSV em UTF-8; a linha 1 traz as colunas da trilha")

    def with_text(parser: argparse.ArgumentParser, required: bool, what: str) -> None:
        parser.add_argument("record", type=_record_id, metavar="ID")
        parser.add_argument("--text", required=required, default="", metavar="TEXTO",
                            help=f"{what}{' *' if required else ''} (use - para ler da entrada padrão)")

    verb("open", "abre o registro para justificar (reserva-o para você)", _simple("abrir")).add_argument(
        "record", type=_record_id, metavar="ID")
    justify = verb("justify", "justifica o registro (Supervisor e/ou Analista da unidade)", _cmd_justify)
    with_text(justify, True, "a justificativa")
    side = justify.add_mutually_exclusive_group(required=True)
    side.add_argument("--concordo", action="store_true", help="concorda com a inconsistência")
    side.add_argument("--discordo", action="store_true", help="discorda da inconsistência")
    justify.add_argument("--file", action="append", default=[], metavar="ARQUIVO", help="documento (repita)")
    with_text(verb("request-change", "pede ao Gestor a alteração de uma justificativa concluída",
                   _simple("pedir_alteracao")), True, "a alteração desejada")
    attach = verb("attach", "anexa documentos (PDF, textos, planilhas; até 20 MB cada)", _cmd_attach)
    attach.add_argument("record", type=_record_id, metavar="ID")
    attach.add_argument("files", nargs="+", metavar="ARQUIVO")
    with_text(verb("observe", "grava a Observação TCE do registro (Gestores)", _simple("observar")), True,
              "a observação")
    verb("analyse", "abre o registro justificado para análise (reserva-o para você)", _simple("analisar")
         ).add_argument("record", type=_record_id, metavar="ID")
    validate = verb("validate", "emite o parecer sobre a justificativa (Gestores)", _cmd_validate)
    with_text(validate, True, "o parecer")
    decision = validate.add_mutually_exclusive_group(required=True)
    decision.add_argument("--arquivar", action="store_true", help="arquiva (conclui) o registro")
    decision.add_argument("--monitorar", type=_iso_date, metavar="AAAA-MM-DD", help="conclui e monitora até a data")
    decision.add_argument("--devolver", action="store_true", help="devolve à unidade para complementações")
    decision.add_argument("--rascunho", action="store_true", help="salva sem concluir (continua reservado)")
    decide = verb("decide-change", "aceita ou recusa um pedido de alteração, com justificativa", _cmd_decide)
    with_text(decide, True, "a justificativa da decisão")
    answer = decide.add_mutually_exclusive_group(required=True)
    answer.add_argument("--aceitar", action="store_true", help="aceita: o registro volta a quem pediu")
    answer.add_argument("--recusar", action="store_true", help="recusa o pedido")
    monitoring = verb("monitoring", "altera o prazo do monitoramento", _cmd_monitoring)
    with_text(monitoring, False, "o motivo")
    monitoring.add_argument("--until", type=_iso_date, required=True, metavar="AAAA-MM-DD", help="nova data *")
    with_text(verb("end-monitoring", "encerra o monitoramento e arquiva o registro",
                   _simple("encerrar_monitoramento")), False, "o motivo")
    with_text(verb("reopen", "reabre um registro concluído", _simple("reabrir")), True, "a justificativa")
    with_text(verb("invoke", "invoca um registro não justificado no prazo legal", _simple("invocar")), False,
              "o motivo")

    distribute = verb("distribute", "distribui um registro justificado a um Gestor da área", _cmd_distribute)
    distribute.add_argument("record", type=_record_id, metavar="ID")
    distribute.add_argument("--to", required=True, metavar="LOGIN", help="o Gestor que vai analisar *")
    gestores = verb("gestores", "lista os Gestores da área de uma trilha e quantos registros cada um analisa",
                    _cmd_gestores)
    gestores.add_argument("trail", metavar="TRILHA")
    download = verb("download", "salva um documento de um registro", _cmd_download)
    download.add_argument("record", type=_record_id, metavar="ID")
    download.add_argument("doc", type=_record_id, metavar="DOC", help="Nº do documento (veja sgta show)")
    download.add_argument("--output", metavar="ARQUIVO", help="onde salvar (padrão: o nome do documento, aqui)")

    export = verb("export", "exporta a tabela filtrada de uma trilha para CSV, Excel ou PDF", _cmd_export)
    export.add_argument("trail", metavar="TRILHA")
    export.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf"], help="formato do arquivo")
    export.add_argument("--output", required=True, metavar="ARQUIVO", help="arquivo a gravar")
    export.add_argument("--search", default="", metavar="TEXTO", help="a mesma busca da tabela")
    export.add_argument("--status", choices=STATUSES, help="só os registros com este status")

    members = verb("members", "Gestores das áreas e Analistas das unidades (no banco local)", _cmd_members)
    members.add_argument("--add", metavar="LOGIN", help="inclui LOGIN como Gestor (--gestor) ou Analista (--unidade)")
    where = members.add_mutually_exclusive_group()
    where.add_argument("--gestor", metavar="ÁREA", help="área da qual LOGIN é Gestor")
    where.add_argument("--unidade", metavar="UNIDADE", help="unidade da qual LOGIN é Supervisor/Analista")


# -- handlers --------------------------------------------------------------------


def _act(args: argparse.Namespace, request: SgtaRequest) -> int:
    async def work(adapter: Adapter) -> int:
        record = await adapter.sgta_act(args.record, request)
        print(f"Registro {record.id}: {record.status_label}" + (f" (em análise por {record.reserved_by_name})"
                                                                 if record.reserved_by_name else "") + ".")
        return 0

    return _with_adapter(args, work)


def _simple(action: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from backend.sgta.domain import SgtaAction, SgtaRequest

        return _act(args, SgtaRequest(SgtaAction(action), text=_text_arg(getattr(args, "text", ""))))

    return handler


def _cmd_justify(args: argparse.Namespace) -> int:
    from backend.sgta.domain import MAX_DOC_BYTES, MAX_DOCS, SgtaAction, SgtaRequest

    files = read_attachments(args.file, MAX_DOC_BYTES, MAX_DOCS)
    return _act(args, SgtaRequest(SgtaAction.JUSTIFY, text=_text_arg(args.text), agree=bool(args.concordo),
                                  attachments=files))


def _cmd_attach(args: argparse.Namespace) -> int:
    from backend.sgta.domain import MAX_DOC_BYTES, MAX_DOCS, SgtaAction, SgtaRequest

    return _act(args, SgtaRequest(SgtaAction.ATTACH, attachments=read_attachments(args.files, MAX_DOC_BYTES,
                                                                                    MAX_DOCS)))


def _cmd_validate(args: argparse.Namespace) -> int:
    from backend.sgta.domain import Decision, SgtaAction, SgtaRequest

    decision = (Decision.ARCHIVE if args.arquivar else Decision.MONITOR if args.monitorar
                else Decision.RETURN if args.devolver else Decision.DRAFT)
    return _act(args, SgtaRequest(SgtaAction.VALIDATE, text=_text_arg(args.text), decision=decision,
                                  until=args.monitorar))


def _cmd_decide(args: argparse.Namespace) -> int:
    from backend.sgta.domain import SgtaAction, SgtaRequest

    return _act(args, SgtaRequest(SgtaAction.DECIDE_CHANGE, text=_text_arg(args.text), accept=bool(args.aceitar)))


def _cmd_monitoring(args: argparse.Namespace) -> int:
    from backend.sgta.domain import SgtaAction, SgtaRequest

    return _act(args, SgtaRequest(SgtaAction.CHANGE_MONITORING, text=_text_arg(args.text), until=args.until))


def _cmd_distribute(args: argparse.Namespace) -> int:
    from backend.sgta.domain import SgtaAction, SgtaRequest

    return _act(args, SgtaRequest(SgtaAction.DISTRIBUTE, to=args.to))


def _cmd_gestores(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        rows = [(g.login, _cell(g.name, 40), str(g.records)) for g in await adapter.sgta_gestores(args.trail)]
        _table(("Login", "Nome", "Em análise"), rows, "Nenhum Gestor cadastrado na área da trilha.")
        return 0

    return _with_adapter(args, work)


def _cmd_download(args: argparse.Namespace) -> int:
    from backend.export import write

    async def work(adapter: Adapter) -> int:
        meta, data = await adapter.sgta_download(args.record, args.doc)
        output = Path(args.output).expanduser() if args.output else Path(meta.name)
        if output.is_dir():
            output = output / meta.name
        write(output, data)
        print(f"Documento {meta.name} salvo em {output}.")
        return 0

    return _with_adapter(args, work)


def _cmd_import(args: argparse.Namespace) -> int:
    from backend.sgta.domain import MAX_DOC_BYTES

    (csv_file,) = read_attachments([args.file], MAX_DOC_BYTES)

    async def work(adapter: Adapter) -> int:
        result = await adapter.sgta_import(args.trail, csv_file.data, csv_file.name)
        print(f"Importados {result.count} registros na trilha {result.trail} (Nº {result.first_id} a "
              f"{result.last_id}).")
        return 0

    return _with_adapter(args, work)


def _cmd_list(args: argparse.Namespace) -> int:
    from backend.sgta.domain import RecordQuery, SgtaStatus
    from backend.sgta.table import cells, headings

    async def work(adapter: Adapter) -> int:
        if args.trail is None:
            trails = await adapter.sgta_trails(args.search)
            if args.json:
                _print_json(trails)
                return 0
            rows = [(t.trail.id, _cell(t.trail.name, 32), _cell(t.trail.area, 44), "sim" if t.permitted else "não",
                     str(t.total), str(t.awaiting_analysis)) for t in trails]
            _table(("Trilha", "Nome", "Área", "Acesso", "Registros", "Aguardando análise"), rows,
                   "Nenhuma trilha encontrada.")
            return 0
        query = RecordQuery(args.trail, search=args.search, status=SgtaStatus(args.status) if args.status else None,
                            limit=args.limit)
        page = await adapter.sgta_records(query)
        if args.json:
            _print_json(page)
            return 0
        trail = await adapter.sgta_trail(args.trail)
        _table(headings(trail, with_actions=False),
               [[_cell(c, 28) for c in cells(trail, r, with_actions=False)] for r in page.items],
               "Nenhum registro encontrado.")
        print(f"Mostrando {len(page.items)} de {page.total}.")
        return 0

    return _with_adapter(args, work)


def _table(headers: Any, rows: Any, empty: str) -> None:
    if not rows:
        print(empty)
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cmd_show(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        record = await adapter.sgta_record(args.record)
        if args.json:
            _print_json(record)
            return 0
        trail = await adapter.sgta_trail(record.trail)
        _print_record(trail.name, [(c.label, record.values.get(c.name, "")) for c in trail.columns], record)
        return 0

    return _with_adapter(args, work)


def _print_record(trail_name: str, values: list[tuple[str, str]], record: SgtaRecord) -> None:
    from backend.sgta.domain import ACTION_LABELS, FLAG_HELP, FLAG_LABELS, SgtaAction
    from backend.text import format_date, format_datetime, printable

    print(f"Registro {record.id} — {trail_name}")
    for label, value in [*values, ("Status", record.status_label), ("Observação TCE", record.observation),
                         ("TCE (em análise por)", record.reserved_by_name or ""),
                         ("Prazo de justificativa", format_date(record.due_at)),
                         ("Monitoramento até", format_date(record.monitor_until) if record.monitor_until else "")]:
        if value:
            print(f"{label}: {printable(value)}")
    for flag in record.flags:
        print(f"Flag {FLAG_LABELS[flag]}: {FLAG_HELP[flag]}")
    if record.justification:
        j = record.justification
        side = "concorda" if j.agree else "discorda"
        print(f"Justificativa ({j.author_name}, {format_datetime(j.created_at)}, {side}): {printable(j.text)}")
    for doc in record.documents:
        print(f"Documento {doc.id}: {printable(doc.name)} ({doc.author_name}, {format_datetime(doc.created_at)})")
    print("Eventos:")
    for event in record.events:
        print(f"  {format_datetime(event.created_at)} {printable(event.author_name)}: {printable(event.text)}")
    allowed = [ACTION_LABELS[a] for a in SgtaAction if record.can(a)]
    print("Ações possíveis: " + (", ".join(allowed) if allowed else "nenhuma"))


def _cmd_export(args: argparse.Namespace) -> int:
    from backend.errors import ValidationFailed
    from backend.export import ExportFormat
    from backend.sgta.domain import RecordQuery, SgtaStatus
    from tui.sgta_export import export_records

    output = Path(args.output).expanduser()
    if output.is_dir():
        raise ValidationFailed(f"{output} é uma pasta; informe o nome do arquivo a gravar.", field="output")

    async def work(adapter: Adapter) -> int:
        query = RecordQuery(args.trail, search=args.search, status=SgtaStatus(args.status) if args.status else None)
        count = await export_records(adapter, query, ExportFormat(args.format), output, await adapter.whoami())
        print(f"Exportadas {count} linhas para {output}.")
        return 0

    return _with_adapter(args, work)


def _cmd_members(args: argparse.Namespace) -> int:
    from backend.sgta.admin import SgtaMembers
    from backend.sgta.domain import MemberRole
    from tui.cli import _db, _opt
    from tui.connect import UsageError, resolve_db

    if _opt(args, "server"):
        raise UsageError("sgta members grava direto no banco (--db ou DEMANDAS_DB); --server não se aplica.")
    if args.add and not (args.gestor or args.unidade):
        raise UsageError("com --add, informe --gestor ÁREA ou --unidade UNIDADE.")
    if (args.gestor or args.unidade) and not args.add:
        raise UsageError("--gestor e --unidade pedem --add LOGIN.")
    members = SgtaMembers(resolve_db(_db(args)))
    try:
        if args.add:
            role = MemberRole.GESTOR if args.gestor else MemberRole.ANALYST
            place = args.gestor or args.unidade
            user = members.add(args.add, role, place)
            what = "Gestor da área" if role is MemberRole.GESTOR else "Supervisor/Analista da unidade"
            print(f"{user.login} agora é {what} {place.strip()}.")
            return 0
        rows = [(login, _cell(name, 32), "Gestor" if role is MemberRole.GESTOR else "Analista", _cell(place, 48))
                for login, name, role, place in members.list()]
        _table(("Login", "Nome", "Papel", "Área / unidade"), rows, "Ninguém cadastrado no SGTA.")
        return 0
    finally:
        members.close()
