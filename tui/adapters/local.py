"""The embedded default: the backend service in this process.

The service is synchronous (SQLite); every call runs on one dedicated thread so
the terminal never waits on the disk and the connection stays on one thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    KnowledgeArticle,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Ticket,
    TicketEvent,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.events import visible_to
from backend.service import HelpdeskService
from backend.store import EventRecord, Store
from tui.adapter import Adapter

if TYPE_CHECKING:  # SGTA loads on first use: most sessions never open it (start-up time, issue #7)
    from backend.sgta.domain import (
        GestorLoad,
        ImportResult,
        RecordQuery,
        SgtaCounts,
        SgtaDoc,
        SgtaRecord,
        SgtaRequest,
        Trail,
        TrailSummary,
    )
    from backend.sgta.service import SgtaService

R = TypeVar("R")

#: How often ``events()`` looks for changes made by other processes.
POLL_SECONDS = 1.0
EVENT_BATCH = 500


class LocalAdapter(Adapter):
    """The service and store of a SQLite file, used in-process."""

    def __init__(self, db_path: Path, login: str, display_name: str | None = None,
                 service: HelpdeskService | None = None, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.location = f"local: {db_path}"
        self.login = login
        self._display_name = display_name
        self._db_path = Path(db_path)
        self._service = service
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demandas-store")
        self._ready = False
        self._closed = False
        self._poll_seconds = poll_seconds
        # self._writes (Adapter) also tells events() of our own writes: they do not change
        # PRAGMA data_version on our own connection.
        self._sgta_service: SgtaService | None = None
        self._events_from: tuple[int, int] | None = None  # (last entry id, data_version) before the first read

    def _svc(self) -> HelpdeskService:
        if self._service is None:
            self._service = HelpdeskService(Store(self._db_path))
        if not self._ready:
            store = self._service.store
            # Where the event stream starts: before the first read (at start-up, the prefetched
            # page), so a change another process commits meanwhile is not missed.
            self._events_from = (store.last_entry_id(), store.data_version())
            self._service.ensure_user(self.login, self._display_name)
            self._ready = True
        return self._service

    async def _run(self, call: Callable[[HelpdeskService], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(self._svc()))

    async def _write(self, call: Callable[[HelpdeskService], R]) -> R:
        try:
            return await self._run(call)
        finally:
            self._writes += 1

    async def whoami(self) -> User:
        return await self._run(lambda s: s.whoami(self.login))

    async def update_profile(self, update: ProfileUpdate) -> User:
        return await self._run(lambda s: s.update_profile(self.login, update))

    async def desks(self) -> list[DeskInfo]:
        return await self._run(lambda s: s.desks())

    async def desk(self, desk_id: str) -> DeskInfo:
        return await self._run(lambda s: s.desk(desk_id))

    def _read_ahead(self, query: TicketQuery) -> Future[Page[TicketSummary]]:
        # The store thread opens the database and reads the page while the caller goes on
        # (at start-up: while Textual's modules load).
        return self._executor.submit(lambda: self._svc().list_tickets(self.login, query))

    async def list_tickets(self, query: TicketQuery) -> Page[TicketSummary]:
        page = await self._prefetched_page(query)
        if page is not None:
            return page
        return await self._run(lambda s: s.list_tickets(self.login, query))

    async def get_ticket(self, number: str) -> Ticket:
        return await self._run(lambda s: s.get_ticket(self.login, number))

    async def create_ticket(self, new: NewTicket, *, idempotency_key: str | None = None) -> Ticket:
        return await self._write(lambda s: s.create_ticket(self.login, new, idempotency_key))

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                      idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.comment(self.login, number, text, attachments,
                                                     idempotency_key=idempotency_key,
                                                     expected_version=expected_version))

    async def cancel(self, number: str, reason: str = "", *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.cancel(self.login, number, reason, expected_version=expected_version))

    async def resolve(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.resolve(self.login, number, text, expected_version=expected_version))

    async def reopen(self, number: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.reopen(self.login, number, reason, expected_version=expected_version))

    async def reply(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                    idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.reply(self.login, number, text, attachments,
                                                   idempotency_key=idempotency_key,
                                                   expected_version=expected_version))

    async def note(self, number: str, text: str, attachments: Sequence[NewAttachment] = (), *,
                   idempotency_key: str | None = None, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.note(self.login, number, text, attachments,
                                                  idempotency_key=idempotency_key,
                                                  expected_version=expected_version))

    async def ask(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.ask(self.login, number, text, expected_version=expected_version))

    async def assign(self, number: str, to_login: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.assign(self.login, number, to_login, expected_version=expected_version))

    async def take(self, number: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.take(self.login, number, expected_version=expected_version))

    async def forward(self, number: str, area: str, reason: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.forward(self.login, number, area, reason,
                                                     expected_version=expected_version))

    async def track(self, number: str, text: str, *, expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.track(self.login, number, text, expected_version=expected_version))

    async def monitor(self, number: str, until: date, reason: str, *,
                      expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.monitor(self.login, number, until, reason,
                                                     expected_version=expected_version))

    async def queue_counts(self) -> QueueCounts:
        return await self._run(lambda s: s.queue_counts(self.login))

    async def agents(self, area: str | None = None) -> list[AgentLoad]:
        return await self._run(lambda s: s.agents(self.login, area))

    async def download(self, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        return await self._run(lambda s: s.attachment(self.login, number, attachment_id))

    # -- SGTA ------------------------------------------------------------------

    async def _sgta(self, call: Callable[[SgtaService], R]) -> R:
        def run(service: HelpdeskService) -> R:
            from backend.sgta.service import SgtaService

            if self._sgta_service is None or self._sgta_service.helpdesk is not service:
                self._sgta_service = SgtaService(service)
            return call(self._sgta_service)

        return await self._run(run)

    async def sgta_trails(self, search: str = "") -> list[TrailSummary]:
        return await self._sgta(lambda s: s.trails(self.login, search))

    async def sgta_trail(self, trail_id: str) -> Trail:
        return await self._sgta(lambda s: s.trail(self.login, trail_id))

    async def sgta_import(self, trail_id: str, data: bytes, name: str = "registros.csv") -> ImportResult:
        try:
            return await self._sgta(lambda s: s.import_csv(self.login, trail_id, data))
        finally:
            self._writes += 1

    async def sgta_records(self, query: RecordQuery) -> Page[SgtaRecord]:
        return await self._sgta(lambda s: s.records(self.login, query))

    async def sgta_record(self, record_id: int) -> SgtaRecord:
        return await self._sgta(lambda s: s.record(self.login, record_id))

    async def sgta_act(self, record_id: int, request: SgtaRequest) -> SgtaRecord:
        try:
            return await self._sgta(lambda s: s.act(self.login, record_id, request))
        finally:
            self._writes += 1

    async def sgta_download(self, record_id: int, doc_id: int) -> tuple[SgtaDoc, bytes]:
        return await self._sgta(lambda s: s.download(self.login, record_id, doc_id))

    async def sgta_counts(self) -> SgtaCounts:
        return await self._sgta(lambda s: s.counts(self.login))

    async def sgta_gestores(self, trail_id: str) -> list[GestorLoad]:
        return await self._sgta(lambda s: s.gestores(self.login, trail_id))

    async def ping(self) -> bool:
        """True when the database file can be read."""
        try:
            await self._run(lambda s: s.store.conn.execute("SELECT 1").fetchone())
        except Exception:  # sqlite3/OS errors, a closed adapter, an invalid login: "never raises" is the contract
            return False
        return True

    async def events(self) -> AsyncIterator[TicketEvent]:
        """New timeline entries the user may see, by this or any other process, polled about once a second.

        ``PRAGMA data_version`` (one integer read) tells whether another connection
        committed since the last look; only then are the new entries read.
        """
        # From the first read while nothing of ours was written since (what we wrote before the
        # stream opened is not news to us); else, and for a second stream, from now.
        early = self._events_from if self._writes == 0 else None
        self._events_from = None
        last_id, version = await self._run(lambda s: early or (s.store.last_entry_id(), s.store.data_version()))
        writes = self._writes
        more = False  # the last read hit its batch size: read on even without a new commit
        while not self._closed:
            await asyncio.sleep(self._poll_seconds)
            if self._closed:
                return
            now_writes = self._writes
            changed = now_writes != writes or more
            writes = now_writes

            def poll(s: HelpdeskService, after: int = last_id, known: int = version,
                     mine: bool = changed) -> tuple[int, list[EventRecord], User | None]:
                current = s.store.data_version()
                if current == known and not mine:
                    return current, [], None
                return current, s.store.events_since(after, EVENT_BATCH), s.store.get_user(self.login)

            try:
                version, records, user = await self._run(poll)
            except RuntimeError:  # the executor shut down: the adapter was closed
                return
            more = len(records) >= EVENT_BATCH
            for record in records:
                last_id = record.id
                if user is not None and visible_to(user, record):
                    yield record.event

    async def evaluate(self, number: str, score: int, comment: str = "", *,
                       expected_version: int | None = None) -> Ticket:
        return await self._write(lambda s: s.evaluate(self.login, number, score, comment,
                                                      expected_version=expected_version))

    async def knowledge(self, desk_id: str, query: str = "") -> list[KnowledgeArticle]:
        return await self._run(lambda s: s.knowledge(self.login, desk_id, query))

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        service = self._service
        if service is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, service.store.close)
        self._executor.shutdown(wait=False)
