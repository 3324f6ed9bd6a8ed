"""The ``demandas`` command: the TUI by default, plus scripting subcommands.

Heavy imports (textual, fastapi, httpx, rich) happen inside the commands that
need them, so ``demandas tickets list`` starts fast. Every refusal of the
backend becomes ``Erro: ...`` on stderr and exit status 1; bad usage exits 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from backend.domain import DeskInfo, NewAttachment, Page, Ticket, TicketSummary
    from backend.notify import SmtpSettings
    from tui.adapter import Adapter

MAX_LIMIT = 500
DEFAULT_DESK = "ecage"

# -- argparse in pt-BR ---------------------------------------------------------

# argparse's own messages (Python 3.11+), translated after the fact: cheaper and
# less global than patching its gettext. Compiled on the first error, not at every start.
_ERROR_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    (r"^the following arguments are required: ", "os seguintes argumentos são obrigatórios: "),
    (r"^unrecognized arguments: ", "argumentos não reconhecidos: "),
    (r"^ambiguous option: (.*) could match (.*)$", r"opção ambígua: \1 pode ser \2"),
    (r"^argument (.*?): invalid choice: (.*) \(choose from (.*)\)$",
     r"argumento \1: opção inválida: \2 (escolha entre \3)"),
    (r"^argument (.*?): expected one argument$", r"argumento \1: falta o valor"),
    (r"^argument (.*?): expected at least one argument$", r"argumento \1: falta pelo menos um valor"),
    (r"^argument (.*?): not allowed with argument (.*)$", r"argumento \1: não pode ser usado junto com \2"),
    (r"^argument (.*?): invalid int value: (.*)$", r"argumento \1: número inválido: \2"),
    (r"^argument (.*?): invalid (.*) value: (.*)$", r"argumento \1: valor inválido: \3"),
    (r"^argument (.*?): ", r"argumento \1: "),
)


def translate_argparse(message: str) -> str:
    """argparse's English error message in pt-BR (unknown messages pass through)."""
    for pattern, replacement in _ERROR_TRANSLATIONS:
        translated, count = re.subn(pattern, replacement, message, count=1)
        if count:
            return translated
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "uso: ")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks pt-BR."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opções"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="mostra esta ajuda e sai")

    def error(self, message: str) -> NoReturn:
        """Print the usage and a pt-BR message, then exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: erro: {translate_argparse(message)}\n")


def _bounded_int(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"número inválido: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} deve estar entre {low} e {high}")
        return value

    return parse


def _add_globals(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: an option given after the subcommand must not be reset by the
    # subparser's default, so the same options work before and after it.
    group = parser.add_argument_group("conexão e identidade")
    group.add_argument("--db", metavar="ARQUIVO", default=argparse.SUPPRESS,
                       help="banco SQLite local (padrão: DEMANDAS_DB ou a pasta de dados do usuário)")
    group.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                       help="servidor do Demandas (padrão: DEMANDAS_SERVER); não use junto com --db")
    group.add_argument("--user", metavar="LOGIN", default=argparse.SUPPRESS,
                       help="usuário que age (padrão: DEMANDAS_USER ou o usuário do sistema operacional)")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="demandas",
        description="Demandas: atendimento (helpdesk) no terminal. Sem comando, abre a interface.",
    )
    _add_globals(parser)
    parser.add_argument("--demo", action="store_true",
                        help="antes de abrir, preenche um banco local vazio com usuários e demandas de demonstração")
    parser.set_defaults(handler=_cmd_tui, parser=parser)
    commands = parser.add_subparsers(title="comandos", metavar="COMANDO", parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve o backend por HTTP (JSON, com esquema OpenAPI)",
                                description="Serve o backend local por HTTP.")
    _add_globals(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="endereço de escuta (padrão: 127.0.0.1, só local; 0.0.0.0 para a rede, sem criptografia: "
                            "use um túnel SSH ou um proxy com TLS)")
    serve.add_argument("--port", type=_bounded_int(1, 65535, "a porta"), default=8765,
                       help="porta (padrão: 8765)")
    smtp = serve.add_argument_group("notificações por e-mail (usuário e senha SMTP: variáveis de ambiente "
                                    "DEMANDAS_SMTP_USER e DEMANDAS_SMTP_PASSWORD)")
    smtp.add_argument("--smtp-host", metavar="HOST",
                      help="servidor SMTP: o solicitante recebe por e-mail o número e cada mudança pública")
    smtp.add_argument("--smtp-port", type=_bounded_int(1, 65535, "a porta SMTP"), default=None, metavar="PORTA",
                      help="porta SMTP (padrão: 25; 587 com --smtp-starttls)")
    smtp.add_argument("--smtp-from", metavar="ENDEREÇO", help="remetente dos e-mails (obrigatório com --smtp-host)")
    smtp.add_argument("--smtp-starttls", action="store_true", help="usa STARTTLS (criptografa a conexão SMTP)")
    serve.set_defaults(handler=_cmd_serve, parser=serve)

    seed = commands.add_parser("seed", help="cria usuários e demandas de demonstração",
                               description="Cria usuários (solicitante, atendente, atendente2, gestor e o seu) "
                                           "e demandas de demonstração no banco local.")
    _add_globals(seed)
    seed.add_argument("--tickets", type=_bounded_int(0, 1_000_000, "o número de demandas"), default=1000,
                      metavar="N", help="quantas demandas criar (padrão: 1000)")
    seed.add_argument("--if-empty", action="store_true", help="só cria se o banco ainda não tiver demandas")
    seed.add_argument("--all-desks", action="store_true",
                      help="também cria equipes e demandas de exemplo dos balcões SEI, gov.br e CITSmart")
    seed.add_argument("--random-seed", type=int, default=2024, metavar="N",
                      help="semente dos dados gerados (padrão: 2024; a mesma semente gera os mesmos dados)")
    seed.set_defaults(handler=_cmd_seed, parser=seed)

    catalog = commands.add_parser("catalog", help="mostra órgãos e tipos > categorias > assuntos de um balcão",
                                  description="Mostra os órgãos e o catálogo (tipos > categorias > assuntos).")
    _add_globals(catalog)
    catalog.add_argument("--desk", default=DEFAULT_DESK, help=f"balcão (padrão: {DEFAULT_DESK})")
    catalog.add_argument("--json", action="store_true", help="saída em JSON")
    catalog.set_defaults(handler=_cmd_catalog, parser=catalog)

    tickets = commands.add_parser("tickets", help="lista, mostra, cria e altera demandas",
                                  description="Lista, mostra, cria e altera demandas.")
    _add_globals(tickets)
    actions = tickets.add_subparsers(title="ações", metavar="AÇÃO", dest="action", required=True,
                                     parser_class=_Parser)
    _build_tickets(actions)
    from tui import cli_auth, cli_staff  # the staff and shared-server verbs live beside, to keep this file focused

    cli_staff.build(commands, actions)
    cli_auth.build(commands, actions)
    from tui import cli_desks, cli_sgta  # SGTA audit trails: a family of verbs of its own

    cli_desks.build(actions)
    cli_sgta.build(commands)

    from tui import cli_portal  # knowledge and evaluations

    cli_portal.build(commands, actions)
    return parser


def _build_tickets(actions: Any) -> None:
    from tui import cli_desks  # every desk's own fields, beside

    listing = actions.add_parser("list", help="lista demandas (padrão: minhas demandas ativas)",
                                 description="Lista demandas. Solicitantes veem só as suas; atendentes e "
                                             "gestores, todas as das suas áreas.")
    _add_globals(listing)
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="todas as ocorrências, de qualquer status")
    which.add_argument("--status", metavar="NOME", help="só as demandas com este status (ex.: Resolvido)")
    listing.add_argument("--search", metavar="TEXTO", default="", help="busca em número, título, descrição e nome")
    listing.add_argument("--limit", type=_bounded_int(1, MAX_LIMIT, "o limite"), default=50, metavar="N",
                         help=f"quantas linhas mostrar (padrão: 50, máximo: {MAX_LIMIT})")
    listing.add_argument("--json", action="store_true", help="saída em JSON: {items, total, offset, limit}")
    cli_desks.add_list_options(listing)
    listing.set_defaults(handler=_cmd_list, parser=listing)

    show = actions.add_parser("show", help="mostra uma demanda e a sua linha do tempo",
                              description="Mostra os campos de uma demanda e a Linha do Tempo.")
    _add_globals(show)
    show.add_argument("number", metavar="NÚMERO", help="número da demanda (ex.: CAGE-02220-D4N3)")
    show.add_argument("--json", action="store_true", help="saída em JSON")
    show.set_defaults(handler=_cmd_show, parser=show)

    create = actions.add_parser("create", help="abre uma demanda",
                                description="Abre uma demanda. Todos os campos, menos os anexos, são obrigatórios; "
                                            "use 'demandas catalog' para ver órgãos, tipos, categorias e assuntos.")
    _add_globals(create)
    create.add_argument("--title", default="", metavar="TÍTULO", help="título *")
    create.add_argument("--orgao", default="", metavar="ÓRGÃO", help="órgão solicitante *")
    create.add_argument("--type", default="", metavar="TIPO", help="tipo (Serviços, Orientação, Sistemas) *")
    create.add_argument("--category", default="", metavar="CATEGORIA", help="categoria do tipo *")
    create.add_argument("--subject", default="", metavar="ASSUNTO", help="assunto da categoria *")
    create.add_argument("--description", default="", metavar="TEXTO", help="descrição *; '-' lê da entrada padrão")
    create.add_argument("--attach", action="append", default=[], metavar="ARQUIVO",
                        help="arquivo a anexar (repita para vários)")
    create.add_argument("--json", action="store_true", help="imprime a demanda criada em JSON")
    cli_desks.add_create_options(create)
    create.set_defaults(handler=_cmd_create, parser=create)

    comment = actions.add_parser("comment", help="adiciona comentário/anexo",
                                 description="Adiciona um comentário e/ou anexos a uma demanda.")
    _add_globals(comment)
    comment.add_argument("number", metavar="NÚMERO", help="número da demanda")
    comment.add_argument("--text", default="", metavar="TEXTO", help="comentário; '-' lê da entrada padrão")
    comment.add_argument("--attach", action="append", default=[], metavar="ARQUIVO",
                         help="arquivo a anexar (repita para vários)")
    comment.set_defaults(handler=_cmd_comment, parser=comment)

    cancel = actions.add_parser("cancel", help="cancela uma demanda em andamento",
                                description="Cancela uma demanda em andamento.")
    _add_globals(cancel)
    cancel.add_argument("number", metavar="NÚMERO", help="número da demanda")
    cancel.add_argument("--reason", default="", metavar="TEXTO",
                        help="motivo (obrigatório para atendentes e gestores); '-' lê da entrada padrão")
    cancel.set_defaults(handler=_cmd_cancel, parser=cancel)

    resolve = actions.add_parser("resolve", help="resolve uma demanda (atendentes e gestores)",
                                 description="Resolve uma demanda informando a solução (atendentes e gestores).")
    _add_globals(resolve)
    resolve.add_argument("number", metavar="NÚMERO", help="número da demanda")
    resolve.add_argument("--text", default="", metavar="TEXTO", help="solução dada *; '-' lê da entrada padrão")
    resolve.set_defaults(handler=_cmd_resolve, parser=resolve)

    reopen = actions.add_parser("reopen", help="reabre uma demanda resolvida ou cancelada (até 7 dias)",
                                description="Reabre uma demanda resolvida ou cancelada, com justificativa.")
    _add_globals(reopen)
    reopen.add_argument("number", metavar="NÚMERO", help="número da demanda")
    reopen.add_argument("--reason", default="", metavar="TEXTO",
                        help="justificativa *; '-' lê da entrada padrão")
    reopen.set_defaults(handler=_cmd_reopen, parser=reopen)


# -- entry point ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _interface_only(sys.argv[1:] if argv is None else argv)
    if args is None:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help (0) and usage errors (2)
            return _exit_status(exc)
    from backend.errors import DemandasError
    from tui.connect import UsageError

    command_parser: argparse.ArgumentParser | None = args.parser  # None: the interface's fast path
    try:
        status: int = args.handler(args)
        return status
    except UsageError as exc:
        try:
            (command_parser or build_parser()).error(str(exc))
        except SystemExit as stop:
            return _exit_status(stop)
    except DemandasError as exc:
        return _fail(exc.message)
    except KeyboardInterrupt:
        print("Interrompido.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()  # `demandas tickets list | head`: the reader left; not an error
        return 1
    except Exception as exc:
        import sqlite3

        if isinstance(exc, sqlite3.Error):
            return _fail(f"não foi possível usar o banco de dados ({exc}).")
        if isinstance(exc, OSError):
            where = f" {exc.filename}" if exc.filename else ""
            return _fail(f"não foi possível acessar{where}: {os_reason(exc)}.")
        if isinstance(exc, RuntimeError) and exc.args and isinstance(exc.args[0], str) and "Demandas" in exc.args[0]:
            return _fail(exc.args[0])  # e.g. a database from a newer version
        raise


class _NotInterfaceOnly(Exception):
    """The arguments need the full grammar (a command, help, or a mistake to explain)."""


class _InterfaceParser(_Parser):
    def error(self, message: str) -> NoReturn:
        raise _NotInterfaceOnly(message)


def _interface_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments when they only open the interface; None when the full grammar must decide.

    Building every command's parser costs ~30-60 ms, paid before the first row
    appears (issue #7); opening the interface needs only the global options.
    ``parser`` is None: a usage error then builds the full parser to explain itself.
    """
    if any(arg.startswith(("-h", "--h")) for arg in argv):  # --help, also abbreviated
        return None
    parser = _InterfaceParser(prog="demandas")
    _add_globals(parser)
    parser.add_argument("--demo", action="store_true")
    parser.set_defaults(handler=_cmd_tui, parser=None)
    try:
        args, rest = parser.parse_known_args(list(argv))
    except _NotInterfaceOnly:
        return None
    return None if rest else args


def _exit_status(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _fail(message: str) -> int:
    from backend.text import printable

    print(f"Erro: {printable(message)}", file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _opt(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def _db(args: argparse.Namespace) -> Path | None:
    value = _opt(args, "db")
    return Path(value) if value else None


def _with_adapter(args: argparse.Namespace, work: Callable[[Adapter], Awaitable[int]]) -> int:
    """Run ``work`` with the chosen adapter in an event loop; always close the adapter."""
    import asyncio

    from tui.connect import make_adapter

    adapter = make_adapter(_db(args), _opt(args, "server"), _opt(args, "user"))

    async def run() -> int:
        try:
            return await work(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(run())


def _text_arg(value: str) -> str:
    """The option's text, or the whole standard input for ``-``."""
    return sys.stdin.read() if value == "-" else value


# -- commands ------------------------------------------------------------------


def _cmd_tui(args: argparse.Namespace) -> int:
    import asyncio

    from tui import gc_pause
    from tui.connect import UsageError, make_adapter

    if _opt(args, "demo"):
        if _opt(args, "server"):
            raise UsageError("--demo preenche um banco local; não se aplica com --server.")
        seeded = _cmd_seed(argparse.Namespace(**vars(args), tickets=1000, if_empty=True, random_seed=2024,
                                              all_desks=True))
        if seeded:
            return seeded
    gc_pause.pause()  # until the first rows are on screen (DemandasApp.start_background_loads)
    adapter = make_adapter(_db(args), _opt(args, "server"), _opt(args, "user"))
    from tui.first_page import HOME_FIRST_PAGE

    adapter.prefetch(HOME_FIRST_PAGE)  # the store reads the first rows while Textual loads
    try:
        from tui.app import run_tui  # textual is imported only here
    except BaseException:
        asyncio.run(adapter.aclose())
        raise
    return run_tui(adapter)  # run_tui closes the adapter in its own event loop


def _cmd_serve(args: argparse.Namespace) -> int:
    from tui.connect import UsageError, resolve_db

    if _opt(args, "server"):
        raise UsageError("o comando serve usa um banco local; --server não se aplica.")
    from backend.server import serve

    smtp = smtp_settings(args)
    try:
        serve(resolve_db(_db(args)), args.host, args.port, smtp=smtp)
    except ValueError as exc:  # e.g. a host that is not an IP address
        return _fail(str(exc))
    return 0


def smtp_settings(args: argparse.Namespace) -> SmtpSettings | None:
    """The SMTP settings of ``serve`` (None: no e-mail); UsageError for an incomplete set."""
    from backend.notify import SmtpSettings
    from backend.service import EMAIL_PATTERN
    from tui.connect import UsageError

    host = (_opt(args, "smtp_host") or "").strip()
    sender = (_opt(args, "smtp_from") or "").strip()
    if not host:
        if sender or _opt(args, "smtp_port") or _opt(args, "smtp_starttls"):
            raise UsageError("as opções --smtp-* precisam de --smtp-host (o servidor SMTP).")
        return None
    if not sender:
        raise UsageError("informe o remetente dos e-mails com --smtp-from (ex.: demandas@orgao.rs.gov.br).")
    if not EMAIL_PATTERN.fullmatch(sender):
        raise UsageError(f"remetente inválido em --smtp-from: {sender!r}; exemplo: demandas@orgao.rs.gov.br.")
    starttls = bool(_opt(args, "smtp_starttls"))
    port = _opt(args, "smtp_port") or (587 if starttls else 25)
    return SmtpSettings.from_env(host, sender, port=port, starttls=starttls)


def _cmd_seed(args: argparse.Namespace) -> int:
    from tui.connect import UsageError, resolve_db, resolve_identity

    if _opt(args, "server"):
        raise UsageError("o comando seed grava direto num banco local; --server não se aplica.")
    from backend.seed import seed_demo
    from backend.service import HelpdeskService
    from backend.store import Store

    db = resolve_db(_db(args))
    identity = resolve_identity(_opt(args, "user"))
    store = Store(db)
    try:
        existing = store.ticket_count()
        if args.if_empty and existing:
            print(f"O banco {db} já tem {existing} demandas; nada foi criado (--if-empty).")
            return 0
        service = HelpdeskService(store)
        with _progress_bar(args.tickets) as advance:
            report = seed_demo(service, args.tickets, os_login=identity.login, os_name=identity.display_name,
                               random_seed=args.random_seed, progress=advance)
        if getattr(args, "all_desks", False):
            from backend.seed_desks import add_other_desks

            report = add_other_desks(service, report)
    finally:
        store.close()
    print(f"Criados: {report.tickets} demandas, {report.users} usuários. "
          f"Usuários de demonstração: {', '.join(report.logins)}.")
    return 0


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("Criando demandas"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task("seed", total=total)
        yield lambda done: progress.update(task, completed=done)


def _cmd_catalog(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        desk = await adapter.desk(args.desk)
        if args.json:
            _print_json(desk)
        else:
            _print_catalog(desk)
        return 0

    return _with_adapter(args, work)


def _cmd_list(args: argparse.Namespace) -> int:
    from backend.domain import Scope, TicketQuery

    async def work(adapter: Adapter) -> int:
        me = await adapter.whoami()
        # Staff list every ticket they may see (their areas); requesters only their own.
        scope = Scope.VISIBLE if me.role.is_staff else Scope.MINE
        query = TicketQuery(scope=scope, active_only=not args.all, status=args.status, search=args.search,
                            limit=args.limit, desk=args.desk)
        page = await adapter.list_tickets(query)
        if args.json:
            _print_json(page)
        else:
            _print_page(page)
        return 0

    return _with_adapter(args, work)


def _cmd_show(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.get_ticket(args.number)
        if args.json:
            _print_json(ticket)
        else:
            _print_ticket(ticket, await adapter.desk(ticket.desk) if ticket.fields else None)
        return 0

    return _with_adapter(args, work)


def _cmd_create(args: argparse.Namespace) -> int:

    description = _text_arg(args.description)

    async def work(adapter: Adapter) -> int:
        from tui.cli_desks import new_ticket

        ticket = await adapter.create_ticket(await new_ticket(adapter, args, description))
        if args.json:
            _print_json(ticket)
        else:
            print(f"Demanda {ticket.number} criada com sucesso.")
        return 0

    return _with_adapter(args, work)


def _cmd_comment(args: argparse.Namespace) -> int:
    text = _text_arg(args.text)

    async def work(adapter: Adapter) -> int:
        files: tuple[NewAttachment, ...] = ()
        if args.attach:
            current = await adapter.get_ticket(args.number)  # the ticket's desk sets the file limit
            desk = await adapter.desk(current.desk)
            files = read_attachments(args.attach, desk.max_attachment_bytes, desk.max_attachments)
        ticket = await adapter.comment(args.number, text, files)
        print(f"Comentário adicionado à demanda {ticket.number}.")
        return 0

    return _with_adapter(args, work)


def _cmd_cancel(args: argparse.Namespace) -> int:
    async def work(adapter: Adapter) -> int:
        ticket = await adapter.cancel(args.number, _text_arg(args.reason))
        print(f"Demanda {ticket.number} cancelada.")
        return 0

    return _with_adapter(args, work)


def _cmd_resolve(args: argparse.Namespace) -> int:
    text = _text_arg(args.text)

    async def work(adapter: Adapter) -> int:
        ticket = await adapter.resolve(args.number, text)
        print(f"Demanda {ticket.number} resolvida.")
        return 0

    return _with_adapter(args, work)


def _cmd_reopen(args: argparse.Namespace) -> int:
    reason = _text_arg(args.reason)

    async def work(adapter: Adapter) -> int:
        ticket = await adapter.reopen(args.number, reason)
        print(f"Demanda reaberta com sucesso: {ticket.number}.")
        return 0

    return _with_adapter(args, work)


# -- attachments ---------------------------------------------------------------

_OS_REASONS = {
    "ENOENT": "arquivo não encontrado",
    "ENOSPC": "disco cheio",
    "EROFS": "sistema de arquivos somente leitura",
    "EACCES": "permissão negada",
    "EPERM": "permissão negada",
    "EISDIR": "é uma pasta, não um arquivo",
    "ENOTDIR": "caminho inválido",
    "ELOOP": "link simbólico em ciclo",
}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in pt-BR for the usual cases."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or exc.strerror or str(exc)


def read_attachments(paths: Sequence[str], max_bytes: int, max_files: int | None = None) -> tuple[NewAttachment, ...]:
    """Read files to attach; refuse what cannot be read or is over ``max_bytes`` before loading it."""
    import stat

    from backend.domain import NewAttachment
    from backend.errors import TooLarge, ValidationFailed
    from backend.text import format_size, printable

    if max_files is not None and len(paths) > max_files:
        raise ValidationFailed(f"São {len(paths)} arquivos; o limite é {max_files} por envio.", field="attachments")
    files: list[NewAttachment] = []
    for raw in paths:
        path = Path(raw).expanduser()
        shown = printable(raw)

        def unreadable(reason: str, shown: str = shown) -> ValidationFailed:
            return ValidationFailed(f"Não foi possível ler o arquivo {shown}: {reason}.", field="attachments")

        try:
            info = path.stat()
        except OSError as exc:
            raise unreadable(os_reason(exc)) from None
        if stat.S_ISDIR(info.st_mode):
            raise unreadable("é uma pasta, não um arquivo")
        if not stat.S_ISREG(info.st_mode):
            raise unreadable("não é um arquivo comum")
        too_large = TooLarge(
            f"O arquivo {printable(path.name)} tem {format_size(info.st_size)}; o limite é "
            f"{format_size(max_bytes)} por arquivo.",
            field="attachments",
        )
        if info.st_size > max_bytes:
            raise too_large
        try:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)  # the file may have grown since stat()
        except OSError as exc:
            raise unreadable(os_reason(exc)) from None
        if len(data) > max_bytes:
            raise too_large
        files.append(NewAttachment(name=path.name, data=data))  # the base name only, never the path
    return tuple(files)


# -- output --------------------------------------------------------------------

_NON_PRINTABLE = re.compile(r"[^\x20-\x7e\n]")


def _print_json(value: object) -> None:
    import json

    from backend.serialize import to_jsonable

    text = json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)
    # json escapes C0 controls only; escape C1 controls and bidi overrides too,
    # so raw output cannot drive the terminal. Outside strings JSON is plain ASCII.
    print(_NON_PRINTABLE.sub(lambda m: m[0] if m[0].isprintable() else json.dumps(m[0])[1:-1], text))


def _cell(text: str, width: int) -> str:
    from backend.text import printable

    flat = " ".join(printable(text).split())  # no newlines or tabs inside a table row
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_page(page: Page[TicketSummary]) -> None:
    from backend.text import format_date

    headers = ("Título", "Número", "Solicitante", "Status", "Data de criação")
    rows = [
        (_cell(t.title, 48), t.number, _cell(t.requester_name, 32), _cell(t.status, 24), format_date(t.created_at))
        for t in page.items
    ]
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    else:
        print("Nenhuma demanda encontrada.")
    print(f"Mostrando {len(page.items)} de {page.total}.")


_ENTRY_LABELS = {
    "created": "Abertura da demanda",
    "note": "Observação interna",
    "canceled": "Demanda cancelada",
    "resolved": "Demanda resolvida",
    "reopened": "Demanda reaberta",
    "assigned": "Distribuição",
    "reserved": "Reserva",
    "forwarded": "Encaminhamento",
    "monitor": "Monitoramento",
    "evaluation": "Avaliação do atendimento",
    "linked": "Chamado de acompanhamento",
}


def _print_ticket(ticket: Ticket, desk: DeskInfo | None = None) -> None:
    from backend.domain import FLAG_LABELS, StatusClass
    from backend.text import format_datetime, format_size, printable

    fields: list[tuple[str, str | None]] = [
        ("Título", ticket.title),
        ("Número", ticket.number),
        ("Solicitante", ticket.requester_name),
        ("Órgão", ticket.orgao),
        ("Tipo", ticket.type),
        ("Categoria", ticket.category),
        ("Assunto", ticket.subject),
        ("Status", ticket.status),
        ("Data de criação", format_datetime(ticket.created_at)),
        ("Última atualização", format_datetime(ticket.updated_at)),
        ("Encerrada em", format_datetime(ticket.closed_at) if ticket.closed_at else None),
        ("Área", ticket.area or None),
        ("Responsável", ticket.assignee_name or ticket.assignee_login),
        ("Reservada por", ticket.reserved_by_name or ticket.reserved_by),
        ("Prazo", format_datetime(ticket.due_at)
         if ticket.due_at and ticket.status_class is StatusClass.ACTIVE else None),
        ("Em monitoramento até", format_datetime(ticket.monitor_until) if ticket.monitor_until else None),
        ("Sinalizações", ", ".join(FLAG_LABELS.get(f, str(f)) for f in ticket.flags) or None),
        ("Anexos", ", ".join(a.name for a in ticket.attachments) or None),
    ]
    for label, value in fields:
        if value:
            print(f"{label}: {printable(value)}")
    if desk is not None:
        from tui.cli_desks import print_ticket_fields

        print_ticket_fields(ticket, desk)
    print()
    print("Descrição:")
    print(printable(ticket.description))
    print()
    print("Linha do Tempo")
    for entry in reversed(ticket.timeline):  # newest first, as the portal shows it
        print()
        print(f"Criado por: {printable(entry.author_name)} em {format_datetime(entry.created_at)}")
        kind = str(entry.kind)
        heading = _ENTRY_LABELS.get(kind)
        if entry.internal and kind != "note":
            heading = f"{heading or 'Registro'} (interno)"  # staff-only entry, shown to staff
        if heading:
            print(heading)
        if entry.status_from and entry.status_to and entry.status_from != entry.status_to:
            print(f"Status: {printable(entry.status_from)} → {printable(entry.status_to)}")
        if entry.text:
            print(printable(entry.text))
        for attachment in entry.attachments:
            print(f"{printable(attachment.name)} ({format_size(attachment.size)})")


def _print_catalog(desk: DeskInfo) -> None:
    from backend.text import printable
    from tui.cli_desks import print_form

    print(f"{printable(desk.name)} ({desk.id})")
    print()
    print_form(desk)
    if desk.orgaos:
        print()
        print(f"Órgãos ({len(desk.orgaos)}):")
    for orgao in desk.orgaos:
        print(f"  {printable(orgao)}")
    if desk.types:
        print()
        print("Tipos > categorias > assuntos:")
    for type_ in desk.types:
        print(f"  {printable(type_.name)}")
        for category in type_.categories:
            print(f"    {printable(category.name)}")
            for subject in category.subjects:
                print(f"      {printable(subject)}")


if __name__ == "__main__":
    raise SystemExit(main())
