"""The user's settings file, ``config_dir()/config.toml``: read, change one key, write back.

Only what the client needs to remember lives here (the server chosen by
``demandas login``); tokens never do — see ``tui.secrets``.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backend.errors import DemandasError
from tui.config import config_dir

SERVER_KEY = "server"
DESK_KEY = "desk"


class SettingsError(DemandasError):
    """The settings file exists but cannot be read (the message is pt-BR)."""

    code = "configuracao"


def settings_path() -> Path:
    """Where the settings live."""
    return config_dir() / "config.toml"


def load_settings() -> dict[str, Any]:
    """Every setting (empty when the file does not exist yet)."""
    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"Não foi possível ler {path}: {exc.strerror or exc}.") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"O arquivo de configuração {path} está inválido ({exc}). Corrija-o ou apague-o.") from exc


def saved_server() -> str | None:
    """The server URL saved by ``demandas login``, if any."""
    value = load_settings().get(SERVER_KEY)
    return value.strip() or None if isinstance(value, str) else None


def save_server(url: str) -> None:
    """Remember ``url`` as the server to use when no ``--db``/``--server`` is given."""
    settings = load_settings()
    settings[SERVER_KEY] = url
    _write(settings)


def forget_server() -> bool:
    """Stop using the saved server (``demandas logout``); True if one was saved."""
    settings = load_settings()
    if SERVER_KEY not in settings:
        return False
    del settings[SERVER_KEY]
    _write(settings)
    return True


def saved_desk() -> str | None:
    """The desk last chosen for "Nova demanda", if any."""
    value = load_settings().get(DESK_KEY)
    return value.strip() or None if isinstance(value, str) else None


def save_desk(desk_id: str) -> None:
    """Remember ``desk_id`` as the desk "Nova demanda" offers first."""
    settings = load_settings()
    if settings.get(DESK_KEY) != desk_id:
        settings[DESK_KEY] = desk_id
        _write(settings)


def _write(settings: Mapping[str, Any]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written aside and renamed: a crash never leaves half a config file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dumps(settings))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(settings: Mapping[str, Any]) -> str:
    """TOML for a settings table: scalars and lists at the top, then one-level tables."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in settings.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for name, table in tables:
        lines.append("")
        lines.append(f"[{_key(name)}]")
        lines.extend(f"{_key(key)} = {_value(value)}" for key, value in table.items())
    return "\n".join(lines).lstrip("\n") + "\n"


def _key(key: str) -> str:
    return key if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the settings file")
