"""The SQLite store: schema, migrations, queries and the attachment files.

Only the service talks to this module. One connection per thread (the server
answers from a thread pool); writes run inside ``BEGIN IMMEDIATE`` so that
concurrent writers queue instead of failing half-way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.domain import (
    AccessToken,
    AgentLoad,
    Attachment,
    EntryKind,
    Flag,
    Role,
    SortKey,
    StatusClass,
    TicketEvent,
    TicketQuery,
    TicketSummary,
    TimelineEntry,
    User,
)
from backend.migrations import MIGRATIONS, SCHEMA_VERSION

_SORT_COLUMNS: dict[SortKey, str] = {
    SortKey.CREATED: "t.created_at",
    SortKey.UPDATED: "t.updated_at",
    SortKey.TITLE: "t.title COLLATE NOCASE",
    SortKey.NUMBER: "t.number",
    SortKey.REQUESTER: "u.name COLLATE NOCASE",
    SortKey.STATUS: "t.status",
    SortKey.DUE: "coalesce(t.due_at, '9999')",
}

_SUMMARY_COLUMNS = (
    "t.number, t.desk, t.title, t.requester, u.name, t.status, t.status_class, "
    "t.created_at, t.updated_at, t.assignee, a.name, t.area, t.reserved_by, r.name, t.reserved_at, "
    "t.due_at, t.monitor_until"
)
_SUMMARY_FROM = (
    "tickets t JOIN users u ON u.login = t.requester"
    " LEFT JOIN users a ON a.login = t.assignee LEFT JOIN users r ON r.login = t.reserved_by"
)

#: Listing counts and search ids remembered per connection (see Store._remembered).
_REMEMBERED_SIZE = 16
_REMEMBERED_IDS_MAX = 20_000

_TOKEN = re.compile(r"\w+", re.UNICODE)
_log = logging.getLogger(__name__)


def to_db_time(moment: datetime) -> str:
    """UTC ISO text with a fixed width, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    """Parse a timestamp written by :func:`to_db_time`."""
    return datetime.fromisoformat(text)


def _opt_time(text: str | None) -> datetime | None:
    return from_db_time(text) if text else None


def fts_query(text: str) -> str | None:
    """Turn what the user typed into an FTS5 prefix query (None: no filter).

    One-character words are left out: the index keeps prefixes of 2 and 3
    characters, so ``"e"*`` reads every term starting with e (300 ms at 100,000
    tickets, while ``"er"*`` takes 2 ms) and filters almost nothing (``erro a``
    matches as many tickets as ``erro``). Search starts at the second letter.
    """
    tokens = [token for token in _TOKEN.findall(text) if len(token) > 1]
    if not tokens:
        return None
    return " AND ".join(f'"{token}"*' for token in tokens)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket as stored, before timeline and permissions are added."""

    id: int
    number: str
    desk: str
    title: str
    requester_login: str
    requester_name: str
    orgao: str
    type: str
    category: str
    subject: str
    description: str
    status: str
    status_class: StatusClass
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    assignee_login: str | None
    fields: dict[str, str]
    version: int
    assignee_name: str | None = None
    area: str = ""
    reserved_by: str | None = None
    reserved_by_name: str | None = None
    reserved_at: datetime | None = None
    due_at: datetime | None = None
    monitor_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A timeline entry as an event, with what decides who may receive it."""

    id: int
    event: TicketEvent
    internal: bool
    requester: str
    area: str


class Store:
    """A helpdesk database file plus the folder that holds attachment bytes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.path.with_name(self.path.name + ".files")
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Writers of this process queue here, not in SQLite's busy handler: that one sleeps
        # 1, 2, 5, 10, 15, 20, 25… ms between tries, so with 4 concurrent writers one could wait
        # tens of ms past the lock's release (the server's create p99). Other processes still
        # meet at BEGIN IMMEDIATE. Reentrant: a nested write still fails in SQLite, as before.
        self._write_lock = threading.RLock()
        self._checkpointer: _Checkpointer | None = None
        #: Called (on the writing thread) after every committed write: the event hub listens here.
        self.after_commit: list[Callable[[], None]] = []
        self._migrate()

    # -- connections -------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA busy_timeout = 30000")
        if self._checkpointer is not None:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this store opened (and stop background checkpoints)."""
        if self._checkpointer is not None:
            if self._checkpointer.poke in self.after_commit:
                self.after_commit.remove(self._checkpointer.poke)
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def checkpoint_in_background(self, delay: float = 0.5) -> None:
        """Move WAL checkpoints off the writing threads, to a thread of their own (the server).

        SQLite checkpoints in the COMMIT that takes the WAL past 1,000 pages: it copies
        them into the database and syncs it, 100–160 ms on the benchmark machine, inside
        one unlucky request (create p99, BENCHMARKS.md). Here commits only append to the
        WAL, and a thread runs a PASSIVE checkpoint (it never blocks readers or writers)
        ``delay`` seconds after writes. Durability is unchanged: ``synchronous`` is as
        before, and a committed transaction is in the WAL either way.
        """
        if self._checkpointer is not None:
            return
        self._checkpointer = _Checkpointer(self._open, delay)
        with self._lock:
            for conn in self._all:
                conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.after_commit.append(self._checkpointer.poke)
        self._checkpointer.start()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one state of the database (e.g. a listing's count, its window and their details)."""
        conn = self.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            # Nothing was written: ending it either way only releases the snapshot.
            conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any error."""
        conn = self.conn
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        for hook in list(self.after_commit):
            try:
                hook()
            except Exception:
                # The write is committed: a failing listener must not make it look failed (and retried).
                _log.exception("after-commit hook failed")

    def _migrate(self) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"O banco {self.path} é de uma versão mais nova do Demandas "
                f"(esquema {version}; esta versão conhece até {SCHEMA_VERSION})."
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # executescript commits first, so each step runs in its own transaction.
            conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[target - 1]}; PRAGMA user_version = {target}; COMMIT;")

    def schema_version(self) -> int:
        """The schema version of the open database."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- users -------------------------------------------------------------

    def get_user(self, login: str) -> User | None:
        """The user called ``login``, if known."""
        row = self.conn.execute(
            "SELECT login, name, email, phone, cargo, role, areas FROM users WHERE login = ?", (login,)
        ).fetchone()
        return _user(row) if row else None

    def save_user(self, conn: sqlite3.Connection, user: User, now: datetime) -> None:
        """Insert or replace ``user`` inside a write transaction."""
        conn.execute(
            "INSERT INTO users (login, name, email, phone, cargo, role, areas, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(login) DO UPDATE SET name = excluded.name, email = excluded.email,"
            " phone = excluded.phone, cargo = excluded.cargo, role = excluded.role, areas = excluded.areas",
            (
                user.login,
                user.name,
                user.email,
                user.phone,
                user.cargo,
                user.role.value,
                json.dumps(list(user.areas)),
                to_db_time(now),
            ),
        )

    def list_users(self) -> list[User]:
        """Every user, by login."""
        rows = self.conn.execute(
            "SELECT login, name, email, phone, cargo, role, areas FROM users ORDER BY login"
        ).fetchall()
        return [_user(r) for r in rows]

    # -- access tokens and idempotency keys ----------------------------------

    def insert_token(self, conn: sqlite3.Connection, login: str, token_hash: str, label: str,
                     now: datetime) -> int:
        """Record a new token's hash; returns its id."""
        cur = conn.execute(
            "INSERT INTO tokens (login, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
            (login, token_hash, label, to_db_time(now)),
        )
        return int(cur.lastrowid or 0)

    def token_owner(self, token_hash: str) -> tuple[int, User, datetime | None] | None:
        """The live (not revoked) token with this hash: its id, user and last use."""
        row = self.conn.execute(
            "SELECT t.id, t.last_used_at, u.login, u.name, u.email, u.phone, u.cargo, u.role, u.areas"
            " FROM tokens t JOIN users u ON u.login = t.login WHERE t.token_hash = ? AND t.revoked_at IS NULL",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        return int(row[0]), _user(row[2:]), _opt_time(row[1])

    def touch_token(self, conn: sqlite3.Connection, token_id: int, now: datetime) -> None:
        """Note when a token was last used."""
        conn.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (to_db_time(now), token_id))

    def revoke_token(self, conn: sqlite3.Connection, token_id: int, now: datetime) -> AccessToken | None:
        """Revoke a token; returns it as it was (None if unknown)."""
        found = self.get_token(token_id)
        if found is not None and found.revoked_at is None:
            conn.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (to_db_time(now), token_id))
        return found

    def get_token(self, token_id: int) -> AccessToken | None:
        """One token's public data."""
        row = self.conn.execute(
            "SELECT id, login, label, created_at, last_used_at, revoked_at FROM tokens WHERE id = ?", (token_id,)
        ).fetchone()
        return _token(row) if row else None

    def list_tokens(self) -> list[AccessToken]:
        """Every token ever created, oldest first (never the hashes)."""
        rows = self.conn.execute(
            "SELECT id, login, label, created_at, last_used_at, revoked_at FROM tokens ORDER BY id"
        ).fetchall()
        return [_token(r) for r in rows]

    def idempotent_result(self, conn: sqlite3.Connection, login: str, key: str) -> tuple[str, str] | None:
        """The fingerprint and ticket number remembered for ``login``'s ``key``, if any."""
        row = conn.execute(
            "SELECT fingerprint, ticket_number FROM idempotency_keys WHERE login = ? AND key = ?", (login, key)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def remember_key(self, conn: sqlite3.Connection, login: str, key: str, fingerprint: str, number: str,
                     now: datetime, keep_until: datetime) -> None:
        """Remember what ``key`` did; keys older than ``keep_until`` are forgotten on the way."""
        conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (to_db_time(keep_until),))
        conn.execute(
            "INSERT INTO idempotency_keys (login, key, fingerprint, ticket_number, created_at) VALUES (?, ?, ?, ?, ?)",
            (login, key, fingerprint, number, to_db_time(now)),
        )

    # -- events --------------------------------------------------------------

    def last_entry_id(self) -> int:
        """The newest timeline entry id (0 when empty): where an event feed starts."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM timeline").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's counter of commits made by other connections (cheap change detection)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def events_since(self, after_id: int, limit: int = 500) -> list[EventRecord]:
        """Timeline entries newer than ``after_id``, oldest first, as events."""
        rows = self.conn.execute(
            "SELECT e.id, t.number, e.kind, e.created_at, e.author, e.internal, t.requester, t.area"
            " FROM timeline e JOIN tickets t ON t.id = e.ticket_id WHERE e.id > ? ORDER BY e.id LIMIT ?",
            (after_id, limit),
        ).fetchall()
        return [
            EventRecord(id=r[0], event=TicketEvent(r[1], EntryKind(r[2]), from_db_time(r[3]), r[4]),
                        internal=bool(r[5]), requester=r[6], area=r[7])
            for r in rows
        ]

    # -- tickets -----------------------------------------------------------

    def next_sequence(self, conn: sqlite3.Connection, desk: str) -> int:
        """The next ticket sequence number of ``desk`` (inside a write)."""
        row = conn.execute(
            "INSERT INTO desk_sequences (desk, last) VALUES (?, 1)"
            " ON CONFLICT(desk) DO UPDATE SET last = last + 1 RETURNING last",
            (desk,),
        ).fetchone()
        return int(row[0])

    def number_exists(self, conn: sqlite3.Connection, number: str) -> bool:
        """True when ``number`` is already taken."""
        return conn.execute("SELECT 1 FROM tickets WHERE number = ?", (number,)).fetchone() is not None

    def insert_ticket(self, conn: sqlite3.Connection, values: dict[str, Any]) -> int:
        """Insert a ticket row; ``values`` uses the column names."""
        values = dict(values)
        values["fields"] = json.dumps(values.get("fields", {}), ensure_ascii=False)
        for key in ("created_at", "updated_at"):
            values[key] = to_db_time(values[key])
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = conn.execute(f"INSERT INTO tickets ({columns}) VALUES ({marks})", tuple(values.values()))
        return int(cur.lastrowid or 0)

    def update_status(
        self,
        conn: sqlite3.Connection,
        ticket_id: int,
        status: str,
        status_class: StatusClass,
        now: datetime,
        closed_at: datetime | None,
    ) -> None:
        """Move a ticket to ``status`` and bump its version."""
        conn.execute(
            "UPDATE tickets SET status = ?, status_class = ?, updated_at = ?, closed_at = ?,"
            " version = version + 1 WHERE id = ?",
            (status, status_class.value, to_db_time(now), to_db_time(closed_at) if closed_at else None, ticket_id),
        )

    def set_fields(self, conn: sqlite3.Connection, ticket_id: int, fields: dict[str, str], now: datetime) -> None:
        """Replace a ticket's desk-specific fields (a link to another ticket) and bump the version."""
        conn.execute(
            "UPDATE tickets SET fields = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            (json.dumps(fields, ensure_ascii=False), to_db_time(now), ticket_id),
        )

    def touch(self, conn: sqlite3.Connection, ticket_id: int, now: datetime) -> None:
        """Record that a ticket changed without a status change."""
        conn.execute(
            "UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ?",
            (to_db_time(now), ticket_id),
        )

    def get_ticket(self, number: str) -> TicketRow | None:
        """The stored ticket with ``number`` (case-insensitive), if any."""
        row = self.conn.execute(
            "SELECT t.id, t.number, t.desk, t.title, t.requester, u.name, t.orgao, t.type, t.category,"
            " t.subject, t.description, t.status, t.status_class, t.created_at, t.updated_at,"
            " t.closed_at, t.assignee, t.fields, t.version, a.name, t.area, t.reserved_by, r.name,"
            " t.reserved_at, t.due_at, t.monitor_until"
            f" FROM {_SUMMARY_FROM} WHERE t.number = ?",
            (number.strip().upper(),),
        ).fetchone()
        if row is None:
            return None
        return TicketRow(
            id=row[0],
            number=row[1],
            desk=row[2],
            title=row[3],
            requester_login=row[4],
            requester_name=row[5],
            orgao=row[6],
            type=row[7],
            category=row[8],
            subject=row[9],
            description=row[10],
            status=row[11],
            status_class=StatusClass(row[12]),
            created_at=from_db_time(row[13]),
            updated_at=from_db_time(row[14]),
            closed_at=from_db_time(row[15]) if row[15] else None,
            assignee_login=row[16],
            fields=json.loads(row[17]),
            version=row[18],
            assignee_name=row[19],
            area=row[20],
            reserved_by=row[21],
            reserved_by_name=row[22],
            reserved_at=_opt_time(row[23]),
            due_at=_opt_time(row[24]),
            monitor_until=_opt_time(row[25]),
        )

    def list_tickets(
        self, query: TicketQuery, requester: str | None, areas: Sequence[str] | None, now: datetime
    ) -> tuple[list[TicketSummary], int]:
        """One page of summaries matching ``query`` and the total match count.

        ``requester`` limits to one requester's tickets; ``areas`` to the areas of
        a staff member (None: every area).
        """
        where, params = self._where(query, requester, areas, now)
        order_col = _SORT_COLUMNS[query.sort]
        direction = "DESC" if query.descending else "ASC"
        order = f"ORDER BY {order_col} {direction}, t.id {direction}"
        # Pick the page's ids first (indexes only), then join the names for those rows:
        # joining before the sort made a staff listing read every match (240 ms at 100k).
        inner_from = "tickets t"
        if query.sort is SortKey.REQUESTER:
            inner_from += " JOIN users u ON u.login = t.requester"
        if fts_query(query.search):
            # A full-text match is the expensive part, and the page and the count each ran it:
            # run it once for the ordered ids of every match (count = their number, pages =
            # slices), remembered while the database is unchanged so the next pages are free.
            ids = self._remembered(
                ("ids", where, order, tuple(params)),
                lambda: [r[0] for r in self.conn.execute(f"SELECT t.id FROM {inner_from} WHERE {where} {order}",
                                                         params)],
            )
            page_ids = ids[query.offset:query.offset + query.limit]
            rows = self.conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM}"
                f" WHERE t.id IN ({', '.join('?' for _ in page_ids)}) {order}",
                page_ids,
            ).fetchall() if page_ids else []
            return [_summary(r, now) for r in rows], len(ids)
        rows = self.conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM}"
            f" WHERE t.id IN (SELECT t.id FROM {inner_from} WHERE {where} {order} LIMIT ? OFFSET ?) {order}",
            (*params, query.limit, query.offset),
        ).fetchall()
        total: int = self._remembered(
            ("count", where, tuple(params)),
            lambda: int(self.conn.execute(f"SELECT count(*) FROM tickets t WHERE {where}", params).fetchone()[0]),
        )
        return [_summary(r, now) for r in rows], total

    def _remembered(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered for ``key`` until the database changes.

        For a listing's count and a search's matching ids: the count is most of a
        listing's cost (the server profile: 3× the page itself), and every page of a
        listing, and every client polling the home screen, asks the same one. Per
        connection: ``PRAGMA data_version`` moves when another connection commits,
        ``total_changes`` when this one writes, so a hit is never stale.
        """
        conn = self.conn
        stamp = (int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
        cache: dict[tuple[Any, ...], Any] | None = getattr(self._local, "remembered", None)
        if cache is None or getattr(self._local, "remembered_stamp", None) != stamp:
            cache = {}
            self._local.remembered = cache
            self._local.remembered_stamp = stamp
        if key in cache:
            return cache[key]
        value = compute()
        if isinstance(value, list) and len(value) > _REMEMBERED_IDS_MAX:
            return value  # a search matching most of a big store: not worth the memory
        if len(cache) >= _REMEMBERED_SIZE:
            cache.clear()
        cache[key] = value
        return value

    def count(self, query: TicketQuery, requester: str | None, areas: Sequence[str] | None, now: datetime) -> int:
        """How many tickets match ``query`` (no rows fetched)."""
        where, params = self._where(query, requester, areas, now)
        return int(self.conn.execute(f"SELECT count(*) FROM tickets t WHERE {where}", params).fetchone()[0])

    @staticmethod
    def _where(
        query: TicketQuery, requester: str | None, areas: Sequence[str] | None, now: datetime
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if query.desk:
            clauses.append("t.desk = ?")
            params.append(query.desk)
        if requester is not None:
            clauses.append("t.requester = ?")
            params.append(requester)
        if areas is not None:
            clauses.append(f"t.area IN ({', '.join('?' for _ in areas)})" if areas else "0 = 1")
            params.extend(areas)
        if query.area:
            clauses.append("t.area = ?")
            params.append(query.area)
        if query.assignee == "none":
            clauses.append("t.assignee IS NULL")
        elif query.assignee:
            # Mine: distributed to me, or not distributed and reserved by me.
            clauses.append("(t.assignee = ? OR (t.assignee IS NULL AND t.reserved_by = ?))")
            params.extend((query.assignee, query.assignee))
        if query.status:
            clauses.append("t.status = ?")
            params.append(query.status)
        elif query.active_only or query.overdue or query.flag:
            clauses.append("t.status_class = 'active'")
        stamp = to_db_time(now)
        if query.overdue or query.flag is Flag.OVERDUE:
            clauses.append("t.due_at < ?")
            params.append(stamp)
        if query.flag is Flag.MONITORING:
            clauses.append("t.monitor_until >= ?")
            params.append(stamp)
        elif query.flag is Flag.MONITORING_EXPIRED:
            clauses.append("t.monitor_until < ?")
            params.append(stamp)
        match = fts_query(query.search)
        if match:
            clauses.append("t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)")
            params.append(match)
        return " AND ".join(clauses), params

    def set_columns(self, conn: sqlite3.Connection, ticket_id: int, now: datetime, **values: Any) -> None:
        """Change staff columns (assignee, area, reservation, due, monitor) and bump the version."""
        allowed = {"assignee", "area", "reserved_by", "reserved_at", "due_at", "monitor_until"}
        if not values or set(values) - allowed:
            raise ValueError(f"unknown columns: {set(values) - allowed}")
        converted = {k: to_db_time(v) if isinstance(v, datetime) else v for k, v in values.items()}
        assignments = ", ".join(f"{k} = ?" for k in converted)
        conn.execute(
            f"UPDATE tickets SET {assignments}, updated_at = ?, version = version + 1 WHERE id = ?",
            (*converted.values(), to_db_time(now), ticket_id),
        )

    def agent_loads(self, area: str | None) -> list[AgentLoad]:
        """Staff of ``area`` (or all staff) with their open ticket counts."""
        rows = self.conn.execute(
            "SELECT u.login, u.name, u.role, u.areas,"
            " (SELECT count(*) FROM tickets t WHERE t.assignee = u.login AND t.status_class = 'active')"
            " FROM users u WHERE u.role != 'requester' ORDER BY u.name COLLATE NOCASE"
        ).fetchall()
        loads = []
        for login, name, role, areas_json, count in rows:
            areas = json.loads(areas_json)
            if area is None or not areas or area in areas:
                loads.append(AgentLoad(login, name, Role(role), int(count)))
        return loads

    # -- timeline and attachments -----------------------------------------

    def insert_entry(
        self,
        conn: sqlite3.Connection,
        ticket_id: int,
        kind: EntryKind,
        author: str,
        now: datetime,
        text: str = "",
        status_from: str | None = None,
        status_to: str | None = None,
        internal: bool = False,
    ) -> int:
        """Append a timeline entry and return its id."""
        cur = conn.execute(
            "INSERT INTO timeline (ticket_id, kind, author, created_at, text, status_from, status_to, internal)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, kind.value, author, to_db_time(now), text, status_from, status_to, int(internal)),
        )
        return int(cur.lastrowid or 0)

    def timeline(self, ticket_id: int, include_internal: bool) -> list[TimelineEntry]:
        """The ticket's timeline, oldest first, with each entry's files."""
        files: dict[int, list[Attachment]] = {}
        for row in self.conn.execute(
            "SELECT a.entry_id, a.id, a.name, a.size, a.content_type, a.created_at FROM attachments a"
            " JOIN timeline e ON e.id = a.entry_id WHERE a.ticket_id = ? AND (e.internal = 0 OR ?) ORDER BY a.id",
            (ticket_id, include_internal),
        ):
            files.setdefault(row[0], []).append(Attachment(row[1], row[2], row[3], row[4], from_db_time(row[5])))
        rows = self.conn.execute(
            "SELECT e.id, e.kind, e.author, u.name, e.created_at, e.text, e.status_from, e.status_to, e.internal"
            " FROM timeline e JOIN users u ON u.login = e.author"
            " WHERE e.ticket_id = ? AND (e.internal = 0 OR ?) ORDER BY e.id",
            (ticket_id, include_internal),
        ).fetchall()
        return [
            TimelineEntry(
                id=r[0],
                kind=EntryKind(r[1]),
                author_login=r[2],
                author_name=r[3],
                created_at=from_db_time(r[4]),
                text=r[5],
                attachments=tuple(files.get(r[0], ())),
                status_from=r[6],
                status_to=r[7],
                internal=bool(r[8]),
            )
            for r in rows
        ]

    def put_file(self, data: bytes) -> str:
        """Store bytes under their SHA-256 (never a caller's name) and return it."""
        digest = hashlib.sha256(data).hexdigest()
        folder = self.files_dir / digest[:2]
        target = folder / digest
        if target.exists():
            return digest
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def insert_attachment(
        self,
        conn: sqlite3.Connection,
        ticket_id: int,
        entry_id: int,
        name: str,
        size: int,
        content_type: str,
        digest: str,
        now: datetime,
    ) -> None:
        """Record a stored file as attached to a timeline entry."""
        conn.execute(
            "INSERT INTO attachments (ticket_id, entry_id, name, size, content_type, sha256, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, entry_id, name, size, content_type, digest, to_db_time(now)),
        )

    def attachment(
        self, ticket_id: int, attachment_id: int, include_internal: bool
    ) -> tuple[Attachment, str] | None:
        """An attachment of the ticket and its content digest."""
        row = self.conn.execute(
            "SELECT a.id, a.name, a.size, a.content_type, a.created_at, a.sha256 FROM attachments a"
            " JOIN timeline e ON e.id = a.entry_id"
            " WHERE a.ticket_id = ? AND a.id = ? AND (e.internal = 0 OR ?)",
            (ticket_id, attachment_id, include_internal),
        ).fetchone()
        if row is None:
            return None
        return Attachment(row[0], row[1], row[2], row[3], from_db_time(row[4])), row[5]

    def read_file(self, digest: str) -> bytes:
        """The bytes stored under ``digest``."""
        return self.file_path(digest).read_bytes()

    def file_path(self, digest: str) -> Path:
        """Where the bytes stored under ``digest`` live (the server streams them from there)."""
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError("invalid digest")
        return self.files_dir / digest[:2] / digest

    def ticket_count(self) -> int:
        """How many tickets the store holds."""
        return int(self.conn.execute("SELECT count(*) FROM tickets").fetchone()[0])

    def executemany(self, conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Bulk insert used by the demo seeder."""
        conn.executemany(sql, rows)


class _Checkpointer:
    """A thread that runs a PASSIVE WAL checkpoint shortly after commits (Store.checkpoint_in_background)."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], delay: float) -> None:
        self._connect = connect
        self._delay = delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demandas-checkpoint", daemon=True)
        #: Checkpoints run so far, under ``done`` (tests wait on it).
        self.runs = 0
        self.done = threading.Condition()

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        """A commit happened (after-commit hook): checkpoint soon."""
        self._wake.set()

    def stop(self) -> None:
        """End the thread (closing the last connection checkpoints anyway)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                # Let a burst of writes pass: one checkpoint (one sync) for all of them.
                if self._stop.wait(self._delay):
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    _log.exception("WAL checkpoint failed")
                with self.done:
                    self.runs += 1
                    self.done.notify_all()
        finally:
            conn.close()


def _user(row: Sequence[Any]) -> User:
    return User(
        login=row[0],
        name=row[1],
        email=row[2],
        phone=row[3],
        cargo=row[4],
        role=Role(row[5]),
        areas=tuple(json.loads(row[6])),
    )


def _token(row: Sequence[Any]) -> AccessToken:
    return AccessToken(id=row[0], login=row[1], label=row[2], created_at=from_db_time(row[3]),
                       last_used_at=_opt_time(row[4]), revoked_at=_opt_time(row[5]))


def flags_of(status_class: StatusClass, due_at: datetime | None, monitor_until: datetime | None,
             now: datetime) -> tuple[Flag, ...]:
    """The flags a ticket carries at ``now``."""
    flags: list[Flag] = []
    if status_class is StatusClass.ACTIVE and due_at is not None and due_at < now:
        flags.append(Flag.OVERDUE)
    if monitor_until is not None and status_class is StatusClass.ACTIVE:
        flags.append(Flag.MONITORING if monitor_until >= now else Flag.MONITORING_EXPIRED)
    return tuple(flags)


_STATUS_CLASSES = {member.value: member for member in StatusClass}
_parse_time = datetime.fromisoformat  # what from_db_time does, without a call per column per row


def _summary(row: Sequence[Any], now: datetime) -> TicketSummary:
    # Runs for every row of every page: lookups instead of Enum() and wrapper calls (the
    # server profile had this at a third of the listing's time).
    status_class = _STATUS_CLASSES[row[6]]
    due_at = _parse_time(row[15]) if row[15] else None
    monitor_until = _parse_time(row[16]) if row[16] else None
    return TicketSummary(
        number=row[0],
        desk=row[1],
        title=row[2],
        requester_login=row[3],
        requester_name=row[4],
        status=row[5],
        status_class=status_class,
        created_at=_parse_time(row[7]),
        updated_at=_parse_time(row[8]),
        assignee_login=row[9],
        assignee_name=row[10],
        area=row[11],
        reserved_by=row[12],
        reserved_by_name=row[13],
        reserved_at=_parse_time(row[14]) if row[14] else None,
        due_at=due_at,
        monitor_until=monitor_until,
        flags=flags_of(status_class, due_at, monitor_until, now) if due_at or monitor_until else (),
    )
