"""SQL of the SGTA tables, over the helpdesk's :class:`backend.store.Store` connection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.sgta.domain import ChangeMark, ChangeRequest, Justification, MemberRole, SgtaDoc, SgtaEvent, SgtaStatus
from backend.store import Store, from_db_time, to_db_time

_RECORD_COLUMNS = ("r.id, r.trail, r.unit, r.vals, r.status, r.observation, r.reserved_by, u.name, r.created_at,"
                   " r.updated_at, r.due_at, r.monitor_until, r.justified_at, r.invoked_at, r.draft, r.version,"
                   " (SELECT count(*) FROM sgta_docs d WHERE d.record_id = r.id)")


def _opt(text: str | None) -> datetime | None:
    return from_db_time(text) if text else None


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A stored record, as read."""

    id: int
    trail: str
    unit: str
    values: dict[str, str]
    status: SgtaStatus
    observation: str
    reserved_by: str | None
    reserved_by_name: str | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    monitor_until: datetime | None
    justified_at: datetime | None
    invoked_at: datetime | None
    draft: str
    version: int
    docs: int


def _row(r: Sequence[Any]) -> RecordRow:
    return RecordRow(r[0], r[1], r[2], json.loads(r[3]), SgtaStatus(r[4]), r[5], r[6], r[7], from_db_time(r[8]),
                     from_db_time(r[9]), from_db_time(r[10]), _opt(r[11]), _opt(r[12]), _opt(r[13]), r[14], r[15],
                     r[16])


class SgtaStore:
    """Reads and writes of the SGTA tables; writes take the caller's transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self.store.conn

    # -- members -------------------------------------------------------------

    def memberships(self, login: str) -> list[tuple[MemberRole, str]]:
        """(role, area or unit) of ``login``."""
        rows = self.conn.execute("SELECT role, place FROM sgta_members WHERE login = ? ORDER BY role, place",
                                 (login,)).fetchall()
        return [(MemberRole(r[0]), r[1]) for r in rows]

    def add_member(self, conn: sqlite3.Connection, login: str, role: MemberRole, place: str) -> None:
        """Make ``login`` gestor of an area or analyst of a unit."""
        conn.execute("INSERT OR IGNORE INTO sgta_members (login, role, place) VALUES (?, ?, ?)",
                     (login, role.value, place))

    def gestor_loads(self, area: str, trails: Sequence[str]) -> list[tuple[str, str, int]]:
        """(login, name, records they analyse now) of the gestores of ``area``, by name."""
        marks = ", ".join("?" for _ in trails) or "''"
        rows = self.conn.execute(
            "SELECT m.login, u.name, (SELECT count(*) FROM sgta_records r WHERE r.reserved_by = m.login"
            f" AND r.status = 'em_analise_gestor' AND r.trail IN ({marks}))"
            " FROM sgta_members m JOIN users u ON u.login = m.login WHERE m.role = 'gestor' AND m.place = ?"
            " ORDER BY u.name, m.login", (*trails, area)).fetchall()
        return [(r[0], r[1], int(r[2])) for r in rows]

    def members(self) -> list[tuple[str, str, MemberRole, str]]:
        """(login, name, role, place) of every membership."""
        rows = self.conn.execute("SELECT m.login, u.name, m.role, m.place FROM sgta_members m"
                                 " JOIN users u ON u.login = m.login ORDER BY m.role, m.place, m.login").fetchall()
        return [(r[0], r[1], MemberRole(r[2]), r[3]) for r in rows]

    # -- records -------------------------------------------------------------

    def insert_record(self, conn: sqlite3.Connection, trail: str, unit: str, values: dict[str, str],
                      now: datetime, due: datetime, search_text: str) -> int:
        """A new pending record; returns its id."""
        cursor = conn.execute(
            "INSERT INTO sgta_records (trail, unit, vals, status, created_at, updated_at, due_at, search_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (trail, unit, json.dumps(values, ensure_ascii=False), SgtaStatus.PENDENTE.value, to_db_time(now),
             to_db_time(now), to_db_time(due), search_text))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def get(self, record_id: int) -> RecordRow | None:
        """The record ``record_id``, if any."""
        row = self.conn.execute(f"SELECT {_RECORD_COLUMNS} FROM sgta_records r"
                                " LEFT JOIN users u ON u.login = r.reserved_by WHERE r.id = ?",
                                (record_id,)).fetchone()
        return _row(row) if row else None

    @staticmethod
    def _trail_where(trail: str, units: Sequence[str] | None, status: SgtaStatus | None) -> tuple[str, list[Any]]:
        where = "r.trail = ?"
        params: list[Any] = [trail]
        if units is not None:
            where += f" AND r.unit IN ({', '.join('?' for _ in units)})"
            params.extend(units)
        if status is not None:
            where += " AND r.status = ?"
            params.append(status.value)
        return where, params

    def count_records(self, trail: str, units: Sequence[str] | None, status: SgtaStatus | None) -> int:
        """How many records of ``trail`` (of ``units`` only, unless None; of ``status`` only, unless None)."""
        where, params = self._trail_where(trail, units, status)
        return int(self.conn.execute(f"SELECT count(*) FROM sgta_records r WHERE {where}", params).fetchone()[0])

    def record_page(self, trail: str, units: Sequence[str] | None, status: SgtaStatus | None, offset: int,
                    limit: int) -> list[RecordRow]:
        """One window of those records, oldest first."""
        where, params = self._trail_where(trail, units, status)
        # The window's ids from the (trail, id) index first; the user names and document counts for those only.
        rows = self.conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM sgta_records r LEFT JOIN users u ON u.login = r.reserved_by"
            f" WHERE r.id IN (SELECT r.id FROM sgta_records r WHERE {where} ORDER BY r.id LIMIT ? OFFSET ?)"
            " ORDER BY r.id", (*params, limit, offset)).fetchall()
        return [_row(r) for r in rows]

    def record_keys(self, trail: str, units: Sequence[str] | None, status: SgtaStatus | None,
                    words: Sequence[tuple[str, Sequence[SgtaStatus]]] = ()) -> list[tuple[
                        int, str, str, str | None, str, str | None, str | None, str]]:
        """What searching needs of the records, oldest first, undecoded: (id, status, observation, reserved_by's
        name, due_at, monitor_until, justified_at, search text).

        ``words``, a pre-filter: for each (word, statuses), only the records whose search text or id (for a
        number) holds the word, or whose status is one of ``statuses``, or that have an observation or a
        reserver (whose folded texts only the caller can match). The caller still matches every record returned.
        """
        where, params = self._trail_where(trail, units, status)
        for word, statuses in words:
            where += " AND (instr(r.search_text, ?) > 0 OR r.observation != '' OR r.reserved_by IS NOT NULL"
            params.append(word)
            if word.isascii() and word.isdigit():
                where += " OR instr(CAST(r.id AS TEXT), ?) > 0"
                params.append(word)
            if statuses:
                where += f" OR r.status IN ({', '.join('?' for _ in statuses)})"
                params.extend(s.value for s in statuses)
            where += ")"
        return self.conn.execute(
            "SELECT r.id, r.status, r.observation, u.name, r.due_at, r.monitor_until, r.justified_at, r.search_text"
            f" FROM sgta_records r LEFT JOIN users u ON u.login = r.reserved_by WHERE {where} ORDER BY r.id",
            params).fetchall()

    def records_by_id(self, record_ids: Sequence[int]) -> list[RecordRow]:
        """The records ``record_ids`` (those that exist), by id."""
        result: list[RecordRow] = []
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            rows = self.conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM sgta_records r LEFT JOIN users u ON u.login = r.reserved_by"
                f" WHERE r.id IN ({', '.join('?' for _ in chunk)}) ORDER BY r.id", chunk).fetchall()
            result.extend(_row(r) for r in rows)
        result.sort(key=lambda row: row.id)
        return result

    def change_marks(self, trail: str) -> dict[int, ChangeMark]:
        """record id -> what became of its latest change request, for ``trail``'s records that have one.

        The same latest request as :meth:`change_requests` (its join with the author included), without
        reading its texts: searching needs only this to work out the flags.
        """
        rows = self.conn.execute(
            "SELECT c.record_id, c.accepted FROM sgta_change_requests c JOIN users u ON u.login = c.author"
            " JOIN sgta_records r ON r.id = c.record_id WHERE r.trail = ? ORDER BY c.id", (trail,))
        return {record_id: "pending" if accepted is None else "accepted" if accepted else "refused"
                for record_id, accepted in rows}

    def trail_counts(self, units: Sequence[str] | None) -> dict[str, dict[SgtaStatus, int]]:
        """trail -> status -> count (of ``units`` only, unless None)."""
        sql = "SELECT trail, status, count(*) FROM sgta_records"
        params: list[Any] = []
        if units is not None:
            sql += f" WHERE unit IN ({', '.join('?' for _ in units)})"
            params.extend(units)
        result: dict[str, dict[SgtaStatus, int]] = {}
        for trail, status, count in self.conn.execute(sql + " GROUP BY trail, status", params):
            result.setdefault(trail, {})[SgtaStatus(status)] = count
        return result

    def update(self, conn: sqlite3.Connection, record_id: int, now: datetime, **values: Any) -> None:
        """Set columns of a record, bump its version and time."""
        sets = ["updated_at = ?", "version = version + 1"]
        params: list[Any] = [to_db_time(now)]
        for key, value in values.items():
            assert key in {"status", "observation", "reserved_by", "reserved_at", "monitor_until", "justified_at",
                           "invoked_at", "draft"}, key
            sets.append(f"{key} = ?")
            if isinstance(value, datetime):
                value = to_db_time(value)
            elif isinstance(value, SgtaStatus):
                value = value.value
            params.append(value)
        conn.execute(f"UPDATE sgta_records SET {', '.join(sets)} WHERE id = ?", (*params, record_id))

    def version(self, conn: sqlite3.Connection, record_id: int) -> int:
        """The stored version, read inside the write."""
        row = conn.execute("SELECT version FROM sgta_records WHERE id = ?", (record_id,)).fetchone()
        return int(row[0]) if row else 0

    # -- history ---------------------------------------------------------------

    def add_event(self, conn: sqlite3.Connection, record_id: int, kind: str, author: str, now: datetime,
                  text: str = "", status_from: SgtaStatus | None = None, status_to: SgtaStatus | None = None) -> None:
        """Append an event."""
        conn.execute("INSERT INTO sgta_events (record_id, kind, author, created_at, text, status_from, status_to)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (record_id, kind, author, to_db_time(now), text, status_from.value if status_from else None,
                      status_to.value if status_to else None))

    def events(self, record_id: int) -> list[SgtaEvent]:
        """A record's events, oldest first."""
        rows = self.conn.execute(
            "SELECT e.id, e.kind, e.author, u.name, e.created_at, e.text, e.status_from, e.status_to"
            " FROM sgta_events e JOIN users u ON u.login = e.author WHERE e.record_id = ? ORDER BY e.id",
            (record_id,)).fetchall()
        return [SgtaEvent(r[0], r[1], r[2], r[3], from_db_time(r[4]), r[5], SgtaStatus(r[6]) if r[6] else None,
                          SgtaStatus(r[7]) if r[7] else None) for r in rows]

    def add_justification(self, conn: sqlite3.Connection, record_id: int, agree: bool, text: str, author: str,
                          now: datetime) -> None:
        """Keep a justification (every one is kept; the last one counts)."""
        conn.execute("INSERT INTO sgta_justifications (record_id, agree, text, author, created_at)"
                     " VALUES (?, ?, ?, ?, ?)", (record_id, int(agree), text, author, to_db_time(now)))

    def justification(self, record_id: int) -> Justification | None:
        """The latest justification."""
        r = self.conn.execute(
            "SELECT j.agree, j.text, j.author, u.name, j.created_at FROM sgta_justifications j"
            " JOIN users u ON u.login = j.author WHERE j.record_id = ? ORDER BY j.id DESC LIMIT 1",
            (record_id,)).fetchone()
        return Justification(bool(r[0]), r[1], r[2], r[3], from_db_time(r[4])) if r else None

    def add_change_request(self, conn: sqlite3.Connection, record_id: int, text: str, author: str,
                           now: datetime) -> None:
        """A new pending change request."""
        conn.execute("INSERT INTO sgta_change_requests (record_id, text, author, created_at) VALUES (?, ?, ?, ?)",
                     (record_id, text, author, to_db_time(now)))

    def decide_change(self, conn: sqlite3.Connection, request_id: int, accepted: bool, by: str, text: str,
                      now: datetime) -> None:
        """Record the gestor's decision on a change request."""
        conn.execute("UPDATE sgta_change_requests SET accepted = ?, decided_by = ?, decided_at = ?,"
                     " decision_text = ? WHERE id = ?", (int(accepted), by, to_db_time(now), text, request_id))

    def change_requests(self, record_ids: Sequence[int]) -> dict[int, ChangeRequest]:
        """The latest change request of each record that has one."""
        if not record_ids:
            return {}
        result: dict[int, ChangeRequest] = {}
        # Chunked: SQLite limits the number of parameters of one statement.
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            rows = self.conn.execute(
                "SELECT c.record_id, c.id, c.text, c.author, u.name, c.created_at, c.accepted, c.decided_by,"
                " c.decided_at, c.decision_text FROM sgta_change_requests c JOIN users u ON u.login = c.author"
                f" WHERE c.record_id IN ({', '.join('?' for _ in chunk)}) ORDER BY c.id", chunk).fetchall()
            for r in rows:
                result[r[0]] = ChangeRequest(r[1], r[2], r[3], r[4], from_db_time(r[5]),
                                             None if r[6] is None else bool(r[6]), r[7], _opt(r[8]), r[9])
        return result

    def add_doc(self, conn: sqlite3.Connection, record_id: int, name: str, size: int, content_type: str,
                digest: str, author: str, now: datetime) -> None:
        """Attach a stored file to a record."""
        conn.execute("INSERT INTO sgta_docs (record_id, name, size, content_type, sha256, author, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (record_id, name, size, content_type, digest, author, to_db_time(now)))

    def docs(self, record_id: int) -> list[tuple[SgtaDoc, str]]:
        """A record's documents with their content digests."""
        rows = self.conn.execute(
            "SELECT d.id, d.name, d.size, d.content_type, d.created_at, d.author, u.name, d.sha256"
            " FROM sgta_docs d JOIN users u ON u.login = d.author WHERE d.record_id = ? ORDER BY d.id",
            (record_id,)).fetchall()
        return [(SgtaDoc(r[0], r[1], r[2], r[3], from_db_time(r[4]), r[5], r[6]), r[7]) for r in rows]

    def count_where(self, sql: str, params: Sequence[Any]) -> int:
        """``SELECT count(*) FROM sgta_records r WHERE`` + ``sql``."""
        return int(self.conn.execute(f"SELECT count(*) FROM sgta_records r WHERE {sql}", params).fetchone()[0])
