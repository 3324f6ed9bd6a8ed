"""Fixtures of the staff tests: the seeded desk plus a manager and two agents of Suporte Sistemas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.domain import Role, User
from tests.tui.conftest import RecordingAdapter, recording
from tests.tui.data import REQUESTER, Desk, fill_desk, make_desk
from tui.app import DemandasApp

AREA = "CAGE – Suporte Sistemas"
AGENT = User("atendente", "Ana Atendente", "ana@cage.rs.gov.br", "(51) 3214-6000", "Atendente", Role.AGENT,
             (AREA,))
AGENT2 = User("bruno", "Bruno Barros", "bruno@cage.rs.gov.br", "(51) 3214-6001", "Atendente", Role.AGENT, (AREA,))
MANAGER = User("gestor", "Gabriela Gestora", "gabi@cage.rs.gov.br", "(51) 3214-6002", "Gestora", Role.MANAGER,
               (AREA,))


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts and exports go to the test's folders, never the developer's."""
    monkeypatch.setenv("DEMANDAS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEMANDAS_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """The seed manual's tickets, with staff."""
    built = fill_desk(make_desk(tmp_path / "demandas.db", users=(REQUESTER, AGENT, AGENT2, MANAGER)))
    yield built
    built.service.store.close()


def staff_app(desk: Desk, login: str) -> DemandasApp:
    """The app acting as ``login`` (no profile question, no animations)."""
    adapter: RecordingAdapter = recording(desk, login)
    app = DemandasApp(adapter, ask_profile=False)
    app.animation_level = "none"
    return app


@pytest.fixture
def manager_app(desk: Desk) -> DemandasApp:
    """The app as the manager."""
    return staff_app(desk, MANAGER.login)


@pytest.fixture
def agent_app(desk: Desk) -> DemandasApp:
    """The app as an agent."""
    return staff_app(desk, AGENT.login)
