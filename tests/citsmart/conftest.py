"""Fixtures of the CITSmart UI tests: a requester with a resolved UASG ticket, at a fixed time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.contract.test_evaluations import UASG
from tests.tui.conftest import RecordingAdapter, recording
from tests.tui.data import AGENT, REQUESTER, START, Desk, make_desk
from tui.app import DemandasApp


@pytest.fixture
def cit_desk(tmp_path: Path) -> Iterator[Desk]:
    """``resolvida``: a UASG reactivation of fernando's, resolved the day before START."""
    desk = make_desk(tmp_path / "citsmart.db")
    svc = desk.service
    desk.clock.now = START - timedelta(days=2)
    desk.numbers["resolvida"] = svc.create_ticket(REQUESTER.login, UASG).number
    desk.clock.now = START - timedelta(days=1)
    svc.resolve(AGENT.login, desk.numbers["resolvida"], "UASG 925001 reativada no SIASG.")
    desk.clock.now = START
    yield desk
    desk.service.store.close()


@pytest.fixture
def cit_adapter(cit_desk: Desk) -> Iterator[RecordingAdapter]:
    """The requester's adapter over the CITSmart desk."""
    made = recording(cit_desk)
    yield made
    made._executor.shutdown(wait=True)


@pytest.fixture
def cit_app(cit_adapter: RecordingAdapter) -> DemandasApp:
    """The app as the requester, on the CITSmart desk."""
    return DemandasApp(cit_adapter, "citsmart", ask_profile=False)
