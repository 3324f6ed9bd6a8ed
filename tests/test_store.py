"""The SQLite store: migrations keep data, pragmas are set, newer schemas are refused."""

from __future__ import annotations

import sqlite3
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
     ('a"b', '"a"* AND "b"*'), ("CAGE-0001", '"CAGE"* AND "0001"*')],
)
def test_search_text_becomes_a_safe_prefix_query(typed: str, expected: str | None) -> None:
    assert fts_query(typed) == expected
