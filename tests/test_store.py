"""The SQLite store: migrations keep data, pragmas are set, newer schemas are refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from backend.migrations import MIGRATIONS, SCHEMA_VERSION
from backend.store import Store, fts_query


def test_new_store_is_at_the_latest_version_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "novo.db")
    assert store.schema_version() == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError), store.write() as conn:
        conn.execute(
            "INSERT INTO timeline (ticket_id, kind, author, created_at) VALUES (999, 'comment', 'x', 'now')"
        )


def test_migrating_from_version_1_keeps_tickets(tmp_path: Path) -> None:
    path = tmp_path / "antigo.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO users (login, name, created_at) VALUES ('ana', 'Ana', '2024-01-01T00:00:00+00:00')")
        conn.execute(
            "INSERT INTO tickets (number, desk, title, requester, orgao, type, category, subject, description,"
            " status, status_class, created_at, updated_at) VALUES ('CAGE-00001-AAAA', 'ecage', 'Antiga', 'ana',"
            " 'Secretaria da Fazenda', 'Sistemas', 'c', 's', 'd', 'Em Andamento', 'active',"
            " '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')"
        )
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    row = store.get_ticket("CAGE-00001-AAAA")
    assert row is not None and row.title == "Antiga" and row.area == "" and row.due_at is None


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "futuro.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="versão mais nova"):
        Store(path)


def test_attachments_are_stored_by_digest_never_by_name(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    digest = store.put_file(b"conteudo")
    stored = list(store.files_dir.rglob("*"))
    assert [p.name for p in stored if p.is_file()] == [digest]
    assert store.read_file(digest) == b"conteudo"
    with pytest.raises(ValueError):
        store.read_file("../../etc/passwd")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", None), ("  ", None), ("[*]", None), ("retenção iss", '"retenção"* AND "iss"*'),
     ('ab"cd', '"ab"* AND "cd"*'), ("CAGE-0001", '"CAGE"* AND "0001"*'),
     ("e", None), ("erro a", '"erro"*'), ("a b", None)],
)
def test_search_text_becomes_a_safe_prefix_query(typed: str, expected: str | None) -> None:
    assert fts_query(typed) == expected


def _store_with_requester(path: Path) -> Store:
    store = Store(path)
    with store.write() as conn:
        conn.execute("INSERT INTO users (login, name, created_at) VALUES ('ana', 'Ana', '2024-01-01T00:00:00+00:00')")
    return store


def _add_ticket(conn: sqlite3.Connection, seq: int) -> None:
    stamp = f"2024-01-01T00:00:{seq:02d}.000000+00:00"
    conn.execute(
        "INSERT INTO tickets (number, desk, title, requester, orgao, type, category, subject, description,"
        " status, status_class, created_at, updated_at) VALUES (?, 'ecage', 'T', 'ana', 'o', 't', 'c', 's', 'd',"
        " 'Em Andamento', 'active', ?, ?)",
        (f"CAGE-{seq:05d}-AAAA", stamp, stamp),
    )


def test_listing_totals_follow_writes_from_this_and_other_connections(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from backend.domain import TicketQuery

    path = tmp_path / "contagem.db"
    store = _store_with_requester(path)
    query = TicketQuery(desk="ecage", limit=1)
    now = datetime(2024, 2, 1, tzinfo=UTC)

    def total() -> int:
        return store.list_tickets(query, "ana", None, now)[1]

    assert total() == 0
    with store.write() as conn:  # this connection
        _add_ticket(conn, 1)
    assert total() == 1
    other = Store(path)  # another connection, as another process would be
    with other.write() as conn:
        _add_ticket(conn, 2)
        _add_ticket(conn, 3)
    assert total() == 3
    with other.write() as conn:  # a change that makes a ticket stop matching
        conn.execute("UPDATE tickets SET status_class = 'closed' WHERE number = 'CAGE-00002-AAAA'")
    assert total() == 2
    assert store.count(query, "ana", None, now) == 2
    other.close()
    store.close()


def test_a_requesters_active_tickets_are_counted_on_an_index(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from backend.domain import TicketQuery

    store = _store_with_requester(tmp_path / "plano.db")
    where, params = store._where(TicketQuery(desk="ecage"), "ana", None, datetime(2024, 2, 1, tzinfo=UTC))
    plan = store.conn.execute(f"EXPLAIN QUERY PLAN SELECT count(*) FROM tickets t WHERE {where}", params).fetchall()
    assert "tickets_requester_class_desk_created" in " ".join(str(step[-1]) for step in plan)
    store.close()


def test_search_pages_are_slices_of_one_ordered_match_list_that_follows_writes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from backend.domain import TicketQuery

    path = tmp_path / "busca.db"
    store = _store_with_requester(path)
    with store.write() as conn:
        for seq in range(1, 8):
            _add_ticket(conn, seq)
        conn.execute("UPDATE tickets SET title = 'Erro no registro' WHERE number != 'CAGE-00004-AAAA'")
    now = datetime(2024, 2, 1, tzinfo=UTC)

    def numbers(offset: int, limit: int, search: str = "erro reg") -> tuple[list[str], int]:
        query = TicketQuery(desk="ecage", search=search, offset=offset, limit=limit)
        items, total = store.list_tickets(query, "ana", None, now)
        return [item.number[5:10] for item in items], total

    assert numbers(0, 4) == (["00007", "00006", "00005", "00003"], 6)  # newest first, 00004 does not match
    assert numbers(4, 4) == (["00002", "00001"], 6)
    assert numbers(6, 4) == ([], 6)
    other = Store(path)
    with other.write() as conn:
        _add_ticket(conn, 8)
        conn.execute("UPDATE tickets SET title = 'Erro de registro' WHERE number = 'CAGE-00008-AAAA'")
    assert numbers(0, 2) == (["00008", "00007"], 7)
    assert numbers(0, 9, search="erro r") == numbers(0, 9, search="erro")  # one letter: not a filter
    other.close()
    store.close()


def test_background_checkpoints_take_the_wal_off_the_writing_threads(tmp_path: Path) -> None:
    """The server's commits only append to the WAL; a thread of the store checkpoints after them."""
    store = _store_with_requester(tmp_path / "wal.db")
    existing = store.conn
    store.checkpoint_in_background(delay=0)
    checkpointer = store._checkpointer
    assert checkpointer is not None
    with store.write() as conn:
        _add_ticket(conn, 1)
    with checkpointer.done:
        assert checkpointer.done.wait_for(lambda: checkpointer.runs >= 1, timeout=30)
    # No connection of the store checkpoints in its own COMMIT any more, old or new.
    assert existing.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    opened: list[int] = []
    thread = threading.Thread(target=lambda: opened.append(store.conn.execute("PRAGMA wal_autocheckpoint")
                                                           .fetchone()[0]))
    thread.start()
    thread.join()
    assert opened == [0]
    other = Store(tmp_path / "wal.db")  # another process (the CLI) keeps SQLite's default
    assert other.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    other.close()
    store.close()
    assert not checkpointer._thread.is_alive()


def test_writers_of_one_store_take_turns(tmp_path: Path) -> None:
    """Concurrent writes of the server's threads all commit (they queue on the store's lock)."""
    store = _store_with_requester(tmp_path / "turns.db")

    def write(first: int) -> None:
        for seq in range(first, first + 10):
            with store.write() as conn:
                _add_ticket(conn, seq)

    threads = [threading.Thread(target=write, args=(first,)) for first in (0, 10, 20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.ticket_count() == 40
    store.close()
