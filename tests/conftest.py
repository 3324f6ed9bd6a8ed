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
    monkeypatch.setenv("TZ", "America/Sao_Paulo")
    time.tzset()
    yield home
    os.environ.pop("TZ", None)
    time.tzset()
