"""Shared pieces of the per-desk contract tests (SEI, gov.br, CITSmart)."""

from __future__ import annotations

import uuid

from backend.domain import NewAttachment, NewTicket, ProfileUpdate, Role, User
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.conftest import Backend
from tui.adapter import Adapter

PDF = NewAttachment("oficio.pdf", b"%PDF-1.4 oficio")
PNG = NewAttachment("tela.png", b"\x89PNG\r\n\x1a\n tela")


def desk_ticket(desk: str, description: str, fields: dict[str, str], **core: str) -> NewTicket:
    """A new ticket of ``desk``: the core columns it lists plus its own fields."""
    values = {"title": "", "orgao": "", "type": "", "category": "", "subject": "", **core}
    return NewTicket(desk=desk, description=description, fields=fields, **values)


def tag() -> str:
    """A word no other test uses, so searches on the shared server stay exact."""
    return uuid.uuid4().hex[:10]


def add_staff(backend: Backend, login: str, name: str, areas: tuple[str, ...], role: Role = Role.AGENT) -> Adapter:
    """An adapter for a staff member of ``areas`` (added to the backend's user table, as an admin would)."""
    store = Store(backend.db)
    try:
        HelpdeskService(store).save_user(User(login, name, f"{login}@gov.br", "(61) 2020-8000", "Analista", role,
                                              areas))
    finally:
        store.close()
    return backend.adapter(login)


async def with_profile(requester: Adapter, name: str = "Joana Lima") -> Adapter:
    """The requester after filling "Meus Dados" (name and e-mail come from the account)."""
    await requester.update_profile(ProfileUpdate("joana@economia.gov.br", "(61) 3333-4444", "Analista", name))
    return requester
