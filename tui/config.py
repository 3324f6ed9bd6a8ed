"""Where things live and who the user is; small functions, nothing at import time."""

from __future__ import annotations

import getpass
import os
import pwd
from pathlib import Path

APP_NAME = "demandas"


def data_dir() -> Path:
    """The user's data directory (``DEMANDAS_DATA_DIR`` overrides, for tests)."""
    override = os.environ.get("DEMANDAS_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The user's config directory (``DEMANDAS_CONFIG_DIR`` overrides, for tests)."""
    override = os.environ.get("DEMANDAS_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    """The embedded store: ``DEMANDAS_DB`` or ``<data dir>/demandas.db``."""
    override = os.environ.get("DEMANDAS_DB")
    return Path(override) if override else data_dir() / "demandas.db"


def os_login() -> str:
    """The operating-system user, the local identity by default."""
    try:
        return getpass.getuser().lower()
    except (KeyError, OSError):
        return "usuario"


def os_full_name(login: str) -> str | None:
    """The user's full name from the password database (GECOS), if set."""
    try:
        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (KeyError, OSError):
        return None
    return gecos or None
