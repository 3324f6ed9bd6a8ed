"""The embedded default: the backend service in this process.

The service is synchronous (SQLite); every call runs on one dedicated thread so
the terminal never waits on the disk and the connection stays on one thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TypeVar

from backend.domain import (
    AgentLoad,
    Attachment,
    DeskInfo,
    NewAttachment,
    NewTicket,
    Page,
    ProfileUpdate,
    QueueCounts,
    Ticket,
    TicketQuery,
    TicketSummary,
    User,
)
from backend.service import HelpdeskService
from backend.store import Store
from tui.adapter import Adapter

R = TypeVar("R")


class LocalAdapter(Adapter):
    """The service and store of a SQLite file, used in-process."""

    def __init__(self, db_path: Path, login: str, display_name: str | None = None,
                 service: HelpdeskService | None = None) -> None:
        self.location = f"local: {db_path}"
        self.login = login
        self._display_name = display_name
        self._db_path = Path(db_path)
        self._service = service
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demandas-store")
        self._ready = False
        self._closed = False

    def _svc(self) -> HelpdeskService:
        if self._service is None:
            self._service = HelpdeskService(Store(self._db_path))
        if not self._ready:
            self._service.ensure_user(self.login, self._display_name)
            self._ready = True
        return self._service

    async def _run(self, call: Callable[[HelpdeskService], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(self._svc()))

    async def whoami(self) -> User:
        return await self._run(lambda s: s.whoami(self.login))

    async def update_profile(self, update: ProfileUpdate) -> User:
        return await self._run(lambda s: s.update_profile(self.login, update))

    async def desks(self) -> list[DeskInfo]:
        return await self._run(lambda s: s.desks())

    async def desk(self, desk_id: str) -> DeskInfo:
        return await self._run(lambda s: s.desk(desk_id))

    async def list_tickets(self, query: TicketQuery) -> Page[TicketSummary]:
        return await self._run(lambda s: s.list_tickets(self.login, query))

    async def get_ticket(self, number: str) -> Ticket:
        return await self._run(lambda s: s.get_ticket(self.login, number))

    async def create_ticket(self, new: NewTicket) -> Ticket:
        return await self._run(lambda s: s.create_ticket(self.login, new))

    async def comment(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        return await self._run(lambda s: s.comment(self.login, number, text, attachments))

    async def cancel(self, number: str, reason: str = "") -> Ticket:
        return await self._run(lambda s: s.cancel(self.login, number, reason))

    async def resolve(self, number: str, text: str) -> Ticket:
        return await self._run(lambda s: s.resolve(self.login, number, text))

    async def reopen(self, number: str, reason: str) -> Ticket:
        return await self._run(lambda s: s.reopen(self.login, number, reason))

    async def reply(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        return await self._run(lambda s: s.reply(self.login, number, text, attachments))

    async def note(self, number: str, text: str, attachments: Sequence[NewAttachment] = ()) -> Ticket:
        return await self._run(lambda s: s.note(self.login, number, text, attachments))

    async def ask(self, number: str, text: str) -> Ticket:
        return await self._run(lambda s: s.ask(self.login, number, text))

    async def assign(self, number: str, to_login: str) -> Ticket:
        return await self._run(lambda s: s.assign(self.login, number, to_login))

    async def take(self, number: str) -> Ticket:
        return await self._run(lambda s: s.take(self.login, number))

    async def forward(self, number: str, area: str, reason: str) -> Ticket:
        return await self._run(lambda s: s.forward(self.login, number, area, reason))

    async def monitor(self, number: str, until: date, reason: str) -> Ticket:
        return await self._run(lambda s: s.monitor(self.login, number, until, reason))

    async def queue_counts(self) -> QueueCounts:
        return await self._run(lambda s: s.queue_counts(self.login))

    async def agents(self, area: str | None = None) -> list[AgentLoad]:
        return await self._run(lambda s: s.agents(self.login, area))

    async def download(self, number: str, attachment_id: int) -> tuple[Attachment, bytes]:
        return await self._run(lambda s: s.attachment(self.login, number, attachment_id))

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        service = self._service
        if service is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, service.store.close)
        self._executor.shutdown(wait=False)
