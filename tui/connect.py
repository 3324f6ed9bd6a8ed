"""Pick the backend and the identity from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.adapter import Adapter
from tui.config import default_db_path, os_full_name, os_login

if TYPE_CHECKING:
    from backend.accounts import Accounts


class UsageError(Exception):
    """Options that contradict each other; the CLI reports it as bad usage (exit 2)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who acts: the login and, for the OS user, the full name to register."""

    login: str
    display_name: str | None


def resolve_identity(user: str | None) -> Identity:
    """``--user``, else ``DEMANDAS_USER``, else the operating-system user."""
    login = (user or os.environ.get("DEMANDAS_USER") or "").strip() or os_login()
    login = login.lower()
    # The GECOS name belongs to the OS account only; other logins keep their stored name.
    name = os_full_name(login) if login == os_login() else None
    return Identity(login, name)


def resolve_db(db: Path | None) -> Path:
    """``--db``, else ``DEMANDAS_DB``, else the file in the user's data directory."""
    return Path(db).expanduser() if db else default_db_path()


def resolve_server(db: Path | None, server: str | None) -> str | None:
    """The server URL to use, or None for the local store.

    Explicit options beat the environment, which beats the server saved by
    ``demandas login``: ``--db`` (or ``DEMANDAS_DB``) ignores the saved server.
    """
    if db and server:
        raise UsageError("use --db ou --server, não os dois.")
    if db:
        return None
    chosen = (server or os.environ.get("DEMANDAS_SERVER") or "").strip()
    if chosen:
        return chosen
    if os.environ.get("DEMANDAS_DB"):
        return None
    from tui.settings import saved_server

    return saved_server()


def make_adapter(db: Path | None, server: str | None, user: str | None) -> Adapter:
    """An HTTP adapter (with the saved token) for a server, else the local SQLite store as ``user``."""
    url = resolve_server(db, server)
    if url:
        if user:
            raise UsageError("--user só vale no modo local (--db); no servidor, quem age é o dono do token "
                             "(veja `demandas login`).")
        from backend.errors import Unauthenticated
        from tui.secrets import load_token

        url = server_url(url)
        token = load_token(url)
        if not token:
            raise Unauthenticated(f"Sem token de acesso para {url}. Rode `demandas login {url}` ou defina "
                                  "DEMANDAS_TOKEN.", field="token")
        return server_adapter(url, token)
    identity = resolve_identity(user)
    from tui.adapters.local import LocalAdapter

    return LocalAdapter(resolve_db(db), identity.login, display_name=identity.display_name)


def server_url(url: str) -> str:
    """A server address as clients use and store it (``host:port`` → ``http://host:port``)."""
    from tui.adapters.http import normalize_base_url

    return normalize_base_url(url)


def is_unencrypted_remote(url: str) -> bool:
    """True for ``http://`` to another machine: the token would cross the network in clear text."""
    from tui.adapters.http import _is_loopback

    return url.startswith("http://") and not _is_loopback(url)


def server_adapter(url: str, token: str) -> Adapter:
    """An HTTP adapter for ``url`` with an explicit token (``demandas login`` checks one with it)."""
    from tui.adapters.http import HttpAdapter

    return HttpAdapter(url, token)


def open_accounts(db: Path | None) -> Accounts:
    """Users and tokens of the server's database (``demandas admin``); close ``.store`` when done."""
    from backend.accounts import Accounts
    from backend.store import Store

    return Accounts(Store(resolve_db(db)))
