"""Fixtures shared by every test: keep the developer's own data and config out."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point data, config and identity at a temporary folder; fix the time zone."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DEMANDAS_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("DEMANDAS_CONFIG_DIR", str(home / "config"))
    for name in ("DEMANDAS_DB", "DEMANDAS_SERVER", "DEMANDAS_USER", "DEMANDAS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # Never the developer's keyring: subprocesses get none (the file fallback), this process an empty
    # in-memory one (tests that need another backend set it themselves).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring

    from tests.keyrings import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    monkeypatch.setenv("TZ", "America/Sao_Paulo")
    time.tzset()
    yield home
    keyring.set_keyring(previous)
    os.environ.pop("TZ", None)
    time.tzset()
