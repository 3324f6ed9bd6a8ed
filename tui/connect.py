"""Pick the backend and the identity from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.adapter import Adapter
from tui.config import default_db_path, os_full_name, os_login


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

    Explicit options beat the environment: ``--db`` ignores ``DEMANDAS_SERVER``.
    """
    if db and server:
        raise UsageError("use --db ou --server, não os dois.")
    if db:
        return None
    chosen = (server or os.environ.get("DEMANDAS_SERVER") or "").strip()
    return chosen or None


def make_adapter(db: Path | None, server: str | None, user: str | None) -> Adapter:
    """An HTTP adapter for ``--server``/``DEMANDAS_SERVER``, else the local SQLite store."""
    url = resolve_server(db, server)
    identity = resolve_identity(user)
    if url:
        from tui.adapters.http import HttpAdapter  # httpx only when a server is used

        return HttpAdapter(url, identity.login, display_name=identity.display_name)
    from tui.adapters.local import LocalAdapter

    return LocalAdapter(resolve_db(db), identity.login, display_name=identity.display_name)
