"""Fixtures of the UI tests: a LocalAdapter over a temporary, deterministic database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerFailed

from backend.domain import Attachment, NewAttachment, Page, Ticket, TicketQuery, TicketSummary
from backend.errors import Unavailable
from tests.tui.data import Desk, fill_desk, make_desk, many_tickets
from tui.adapters.local import LocalAdapter
from tui.app import DemandasApp

BIG = 100_000


class RecordingAdapter(LocalAdapter):
    """A LocalAdapter that remembers every listing asked for and can pretend the server is gone."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.queries: list[TicketQuery] = []
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise Unavailable("Não foi possível conectar ao servidor.")

    async def list_tickets(self, query: TicketQuery) -> Page[TicketSummary]:
        self._check()
        self.queries.append(query)
        return await super().list_tickets(query)

    async def get_ticket(self, number: str) -> Ticket:
        self._check()
        return await super().get_ticket(number)

    async def reopen(self, number: str, reason: str, **options: Any) -> Ticket:
        self._check()
        return await super().reopen(number, reason, **options)

    async def cancel(self, number: str, reason: str = "", **options: Any) -> Ticket:
        self._check()
        return await super().cancel(number, reason, **options)

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (),
                      **options: Any) -> Ticket:
        self._check()
        return await super().comment(number, text, attachments, **options)

    async def download(self, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        self._check()
        return await super().download(number, attachment_id)

    async def whoami(self):  # type: ignore[no-untyped-def]
        self._check()
        return await super().whoami()


def recording(desk: Desk, login: str = "fernando", **options: Any) -> RecordingAdapter:
    """A recording adapter over ``desk`` acting as ``login`` (``poll_seconds`` paces its live events)."""
    adapter = RecordingAdapter(desk.path, login, service=desk.service, **options)
    adapter.location = "local: demandas.db"
    return adapter


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """The seed manual's tickets, created through the service at fixed times."""
    built = fill_desk(make_desk(tmp_path / "demandas.db"))
    yield built
    built.service.store.close()


@pytest.fixture
def empty_desk(tmp_path: Path) -> Iterator[Desk]:
    """Users only, no tickets."""
    built = make_desk(tmp_path / "vazio.db")
    yield built
    built.service.store.close()


@pytest.fixture(scope="session")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 tickets of one requester, built once per session with bulk SQL."""
    path = tmp_path_factory.mktemp("big") / "grande.db"
    built = many_tickets(path, BIG)
    built.service.store.close()
    return path


@pytest.fixture
def adapter(desk: Desk) -> Iterator[RecordingAdapter]:
    """The requester's adapter over ``desk``."""
    made = recording(desk)
    yield made
    made._executor.shutdown(wait=True)


@pytest.fixture
def app(adapter: RecordingAdapter) -> DemandasApp:
    """The app as the requester, over the seeded desk."""
    return DemandasApp(adapter)


async def settle(pilot: Pilot[object], rounds: int = 4) -> None:
    """Let workers (and the workers they start) finish, then freeze blinking cursors.

    The app's live-update worker follows the event stream for as long as the app runs,
    so it is the one worker never waited for.
    """
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [worker for worker in app.workers if worker.group != "events"]
        if not busy:
            continue  # wait_for_complete([]) would wait for every worker, the endless one included
        with contextlib.suppress(WorkerFailed):  # failures are the app's to report; tests check the notice
            await app.workers.wait_for_complete(busy)
    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()

