"""Ticket events: an in-process hub fed after each commit, which the server streams (SSE).

Every change of a ticket appends a timeline entry, so the timeline *is* the
event log: an event is a new entry, its id the position in the stream. The hub
reads entries newer than the last one it delivered, so writes by this process
(after each commit) and by other processes on the same database (a cheap,
rate-limited poll) are delivered once each, in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from backend.domain import User
from backend.rules import sees_ticket
from backend.store import EventRecord, Store

#: ``None`` tells a subscriber that the hub closed (the server is stopping).
Deliver = Callable[[EventRecord | None], None]
_BATCH = 500


def visible_to(user: User, record: EventRecord) -> bool:
    """The user may see the ticket, and internal entries go to staff only."""
    if record.internal and not user.role.is_staff:
        return False
    return sees_ticket(user, record.requester, record.area)


class EventHub:
    """Publishes each new timeline entry of a store to every subscriber, once, in order."""

    def __init__(self, store: Store, *, poll_interval: float = 1.0) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._subscribers: dict[int, Deliver] = {}
        self._ids = 0
        self._last_id: int | None = None
        self._last_poll = 0.0
        self._closed = False
        self.poll_interval = poll_interval
        store.after_commit.append(self.publish_new)

    def subscribe(self, deliver: Deliver) -> tuple[Callable[[], None], int]:
        """Call ``deliver`` for every entry newer than the returned id; also returns the unsubscribe function."""
        with self._lock:
            if self._closed:
                deliver(None)
                return (lambda: None), 0
            if self._last_id is None:
                self._last_id = self._store.last_entry_id()
            self._ids += 1
            key = self._ids
            self._subscribers[key] = deliver
            start = self._last_id

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(key, None)

        return unsubscribe, start

    @property
    def last_id(self) -> int:
        """The id of the newest entry delivered (or the store's newest when idle)."""
        with self._lock:
            return self._last_id if self._last_id is not None else self._store.last_entry_id()

    def publish_new(self) -> None:
        """Deliver the entries committed since the last call, by any process."""
        with self._lock:
            if not self._subscribers or self._last_id is None:
                # Nobody listens: do no work, and start from the newest entry when someone does.
                self._last_id = None
                return
            while True:
                records = self._store.events_since(self._last_id, _BATCH)
                for record in records:
                    # Inside the lock: two committing threads must not interleave their deliveries.
                    for deliver in self._subscribers.values():
                        deliver(record)
                    self._last_id = record.id
                if len(records) < _BATCH:
                    return

    def poll(self) -> None:
        """``publish_new`` at most once per ``poll_interval``: catches writes of other processes."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_poll < self.poll_interval:
                return
            self._last_poll = now
        self.publish_new()

    def close(self) -> None:
        """Tell every subscriber the stream ends (server shutdown) and stop listening to the store."""
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers.values())
            self._subscribers.clear()
        if self.publish_new in self._store.after_commit:
            self._store.after_commit.remove(self.publish_new)
        for deliver in subscribers:
            deliver(None)
