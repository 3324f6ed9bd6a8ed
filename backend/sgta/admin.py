"""SGTA memberships on a database file, for ``demandas sgta members`` (like ``demandas admin``)."""

from __future__ import annotations

from pathlib import Path

from backend.domain import User
from backend.service import HelpdeskService
from backend.sgta.domain import MemberRole
from backend.sgta.service import SgtaService
from backend.store import Store


class SgtaMembers:
    """Who is gestor of which area and analyst of which unit; call :meth:`close` when done."""

    def __init__(self, db: Path) -> None:
        self._store = Store(db)
        self._sgta = SgtaService(HelpdeskService(self._store))

    def add(self, login: str, role: MemberRole, place: str) -> User:
        """Make ``login`` gestor of an area or supervisor/analyst of a unit."""
        return self._sgta.add_member(login, role, place)

    def list(self) -> list[tuple[str, str, MemberRole, str]]:
        """Every membership: (login, name, role, area or unit)."""
        return self._sgta.members()

    def close(self) -> None:
        """Release the database."""
        self._store.close()
