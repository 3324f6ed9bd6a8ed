"""Shared-server commands of the CLI: ``admin`` (users and tokens, on the server's database), ``login``, ``logout``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.cli import _add_globals, _db, _opt, _Parser, _print_json

if TYPE_CHECKING:
    from backend.accounts import Accounts

ROLES = ("requester", "agent", "manager", "admin")
ROLE_LABELS = {"requester": "solicitante", "agent": "atendente", "manager": "gestor", "admin": "administrador"}


def build(commands: Any, actions: Any) -> None:
    """Add ``admin``, ``login`` and ``logout`` to the parser."""
    admin = commands.add_parser("admin", help="usuários e tokens de acesso do servidor (no banco do servidor)",
                                description="Administra usuários e tokens de acesso direto no banco do servidor "
                                            "(--db ou DEMANDAS_DB).")
    _add_globals(admin)
    areas = admin.add_subparsers(title="assuntos", metavar="ASSUNTO", dest="subject", required=True,
                                 parser_class=_Parser)
    users = areas.add_parser("users", help="cria, altera e lista usuários", description="Usuários do servidor.")
    _add_globals(users)
    user_verbs = users.add_subparsers(title="ações", metavar="AÇÃO", dest="verb", required=True,
                                      parser_class=_Parser)
    add = user_verbs.add_parser("add", help="cria (ou altera) um usuário",
                                description="Cria um usuário, ou altera o nome, o e-mail, o perfil e as áreas de um "
                                            "que já existe.")
    _add_globals(add)
    add.add_argument("login", metavar="LOGIN", help="login (minúsculas, dígitos, ponto, hífen, sublinhado)")
    add.add_argument("--name", required=True, metavar="NOME", help="nome completo *")
    add.add_argument("--email", default="", metavar="E-MAIL", help="e-mail para notificações")
    add.add_argument("--role", choices=ROLES, default="requester",
                     help="perfil: requester (solicitante), agent (atendente), manager (gestor), admin "
                          "(padrão: requester)")
    add.add_argument("--area", action="append", default=[], metavar="ÁREA",
                     help="área atendida (repita para várias; sem --area, um atendente atende todas)")
    add.set_defaults(handler=_cmd_users_add, parser=add)
    listing = user_verbs.add_parser("list", help="lista os usuários", description="Lista os usuários.")
    _add_globals(listing)
    listing.add_argument("--json", action="store_true", help="saída em JSON")
    listing.set_defaults(handler=_cmd_users_list, parser=listing)

    tokens = areas.add_parser("tokens", help="cria, revoga e lista tokens de acesso",
                              description="Tokens de acesso à API (Authorization: Bearer).")
    _add_globals(tokens)
    token_verbs = tokens.add_subparsers(title="ações", metavar="AÇÃO", dest="verb", required=True,
                                        parser_class=_Parser)
    create = token_verbs.add_parser("create", help="cria um token (mostrado uma única vez)",
                                    description="Cria um token de acesso para LOGIN. O token aparece uma única vez, "
                                                "na saída padrão; o servidor guarda só o seu hash.")
    _add_globals(create)
    create.add_argument("login", metavar="LOGIN", help="dono do token")
    create.add_argument("--label", default="", metavar="TEXTO", help="descrição (ex.: notebook da Maria)")
    create.set_defaults(handler=_cmd_tokens_create, parser=create)
    revoke = token_verbs.add_parser("revoke", help="revoga um token na hora", description="Revoga um token: a "
                                    "próxima requisição com ele é recusada.")
    _add_globals(revoke)
    revoke.add_argument("token_id", type=int, metavar="ID", help="número do token (veja admin tokens list)")
    revoke.set_defaults(handler=_cmd_tokens_revoke, parser=revoke)
    token_list = token_verbs.add_parser("list", help="lista os tokens (nunca os segredos)",
                                        description="Lista os tokens: dono, descrição, criação, último uso, revogação.")
    _add_globals(token_list)
    token_list.add_argument("--json", action="store_true", help="saída em JSON")
    token_list.set_defaults(handler=_cmd_tokens_list, parser=token_list)

    login = commands.add_parser("login", help="conecta a um servidor com um token de acesso",
                                description="Pede o token (sem eco), confere com o servidor e guarda a URL na "
                                            "configuração e o token no chaveiro do sistema (ou, sem chaveiro, num "
                                            "arquivo legível só por você).")
    login.add_argument("url", metavar="URL", help="endereço do servidor (ex.: http://127.0.0.1:8765)")
    login.add_argument("--token-stdin", action="store_true",
                       help="lê o token da entrada padrão (para scripts) em vez de perguntar")
    login.set_defaults(handler=_cmd_login, parser=login)

    logout = commands.add_parser("logout", help="esquece o servidor salvo e apaga o token guardado",
                                 description="Apaga o token guardado (chaveiro e arquivo) e deixa de usar o "
                                             "servidor salvo.")
    logout.add_argument("url", nargs="?", metavar="URL", help="servidor (padrão: o salvo por demandas login)")
    logout.set_defaults(handler=_cmd_logout, parser=logout)


# -- admin -----------------------------------------------------------------------


def _accounts(args: argparse.Namespace) -> Accounts:
    from tui.connect import UsageError, open_accounts

    if _opt(args, "server"):
        raise UsageError("os comandos admin trabalham no banco do servidor (--db); --server não se aplica.")
    if _opt(args, "user"):
        raise UsageError("os comandos admin não agem como um usuário; --user não se aplica.")
    return open_accounts(_db(args))


def _cmd_users_add(args: argparse.Namespace) -> int:
    from backend.domain import Role

    accounts = _accounts(args)
    try:
        user, created = accounts.add_user(args.login, args.name, args.email, Role(args.role), args.area)
    finally:
        accounts.store.close()
    verb = "criado" if created else "atualizado"
    where = f" (áreas: {', '.join(user.areas)})" if user.areas else ""
    print(f"Usuário {user.login} {verb}: {user.name}, {ROLE_LABELS[user.role.value]}{where}.")
    return 0


def _cmd_users_list(args: argparse.Namespace) -> int:
    from tui.cli import _cell

    accounts = _accounts(args)
    try:
        users = accounts.users()
    finally:
        accounts.store.close()
    if args.json:
        _print_json(users)
        return 0
    if not users:
        print("Nenhum usuário. Crie um com: demandas admin users add LOGIN --name NOME")
        return 0
    rows = [(u.login, _cell(u.name, 40), ROLE_LABELS[u.role.value], _cell(", ".join(u.areas) or "—", 60))
            for u in users]
    _table(("Login", "Nome", "Perfil", "Áreas"), rows)
    return 0


def _cmd_tokens_create(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    try:
        token, secret = accounts.create_token(args.login, args.label)
    finally:
        accounts.store.close()
    print(f"Token {token.id} criado para {token.login}. Guarde-o agora: ele não será mostrado de novo. "
          "Entregue-o por um canal seguro; o dono o usa com `demandas login URL`.", file=sys.stderr)
    print(secret)
    return 0


def _cmd_tokens_revoke(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    try:
        token = accounts.revoke_token(args.token_id)
    finally:
        accounts.store.close()
    if token.revoked_at is not None:
        print(f"O token {token.id} ({token.login}) já estava revogado.")
    else:
        print(f"Token {token.id} ({token.login}) revogado.")
    return 0


def _cmd_tokens_list(args: argparse.Namespace) -> int:
    from backend.text import format_datetime
    from tui.cli import _cell

    accounts = _accounts(args)
    try:
        tokens = accounts.tokens()
    finally:
        accounts.store.close()
    if args.json:
        _print_json(tokens)
        return 0
    if not tokens:
        print("Nenhum token. Crie um com: demandas admin tokens create LOGIN")
        return 0
    rows = [(str(t.id), t.login, _cell(t.label or "—", 30), format_datetime(t.created_at),
             format_datetime(t.last_used_at) if t.last_used_at else "—",
             f"revogado em {format_datetime(t.revoked_at)}" if t.revoked_at else "ativo")
            for t in tokens]
    _table(("ID", "Login", "Descrição", "Criado em", "Último uso", "Situação"), rows)
    return 0


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# -- login and logout ---------------------------------------------------------------


def _cmd_login(args: argparse.Namespace) -> int:
    import asyncio
    import getpass

    from backend.domain import User
    from backend.errors import ValidationFailed
    from tui.connect import is_unencrypted_remote, server_adapter, server_url
    from tui.secrets import save_token
    from tui.settings import save_server

    url = server_url(args.url)
    if args.token_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = getpass.getpass(f"Token de acesso para {url} (não aparece ao digitar): ").strip()
    if not token:
        raise ValidationFailed("Nenhum token informado. Peça um a quem administra o servidor "
                               "(demandas admin tokens create LOGIN).", field="token")

    async def check() -> User:
        adapter = server_adapter(url, token)
        try:
            return await adapter.whoami()
        finally:
            await adapter.aclose()

    user = asyncio.run(check())
    save_server(url)
    saved = save_token(url, token)
    print(f"Conectado a {url} como {user.name} ({user.login}). Agora `demandas` usa este servidor.")
    if saved.warning:
        print(saved.warning, file=sys.stderr)
    else:
        print("Token guardado no chaveiro do sistema.")
    if is_unencrypted_remote(url):
        print("Atenção: a conexão é HTTP sem criptografia; o token trafega em texto claro. Prefira um túnel "
              "SSH ou um endereço https://.", file=sys.stderr)
    return 0


def _cmd_logout(args: argparse.Namespace) -> int:
    import os

    from backend.errors import ValidationFailed
    from tui.connect import server_url
    from tui.secrets import ENV_TOKEN, delete_token
    from tui.settings import forget_server, saved_server

    saved = saved_server()
    chosen = args.url or saved
    if not chosen:
        raise ValidationFailed("Nenhum servidor salvo; informe a URL: demandas logout URL.", field="url")
    url = server_url(chosen)
    removed = delete_token(url)
    if saved and server_url(saved) == url:
        forget_server()
    if removed:
        print(f"Desconectado de {url}: token apagado ({', '.join(removed)}).")
    else:
        print(f"Desconectado de {url}: não havia token guardado.")
    if os.environ.get(ENV_TOKEN):
        print(f"Atenção: a variável {ENV_TOKEN} continua definida nesta sessão; apague-a com `unset {ENV_TOKEN}`.",
              file=sys.stderr)
    return 0
