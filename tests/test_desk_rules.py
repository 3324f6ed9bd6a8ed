"""Desk files and their rules, below the service: the loader's checks and data-only rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from backend.desks import DESK_IDS, _check_fields, _field, load_desk
from backend.domain import FieldDef, Role, StatusClass, User
from backend.rules import why_not
from backend.store import TicketRow

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
TECNICA = "SEI – Unidades Técnica e de Gestão"
CSG = "SEI – Comitê Setorial de Gestão (CSG)"


def sei_row(**changes: object) -> TicketRow:
    row = TicketRow(1, "SEI-00001-AAAA", "sei", "Pedido", "joana", "Joana", "SAMOP", "", "", "", "Pedido",
                    "Encaminhado à Unidade Técnica", StatusClass.ACTIVE, NOW, NOW, None, None, {}, 1, area=TECNICA)
    return replace(row, **changes)  # type: ignore[arg-type]


def test_every_desk_loads_with_one_initial_status() -> None:
    assert DESK_IDS == ("ecage", "sei", "govbr", "citsmart")
    for desk_id in DESK_IDS:
        desk = load_desk(desk_id)
        assert desk.initial_status().status_class is StatusClass.ACTIVE
        assert desk.info.areas and all(desk.area_for(t.name) in desk.info.areas for t in desk.info.types)


def test_field_attributes_are_read_from_the_file() -> None:
    field = _field({"name": "uasg", "label": "UASG", "kind": "text", "pattern": "[0-9]{6}",
                    "required_when": [["type", "Erro"], ["type", "Outro"]], "accept": [".PNG"]}, {})
    assert field.required_when == (("type", "Erro"), ("type", "Outro"))
    assert field.accept == ("png",) and field.pattern == "[0-9]{6}" and not field.required
    assert field.required_for({"type": "Outro"}) and not field.required_for({"type": "Nenhum"})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (FieldDef("x", "X", "dropdown"), "unknown kind"),
        (FieldDef("x", "X", "select"), "needs options"),
        (FieldDef("x", "X", "email_confirm", confirm_of="nada"), "confirms an unknown field"),
        (FieldDef("x", "X", "text", required_when=(("nada", "1"),)), "depends on unknown field"),
        (FieldDef("x", "X", "text", from_account="cpf"), "unknown account data"),
        (FieldDef("x", "X", "files", accept=("exe",)), "accepts extensions the desk refuses"),
    ],
)
def test_mistakes_in_a_desk_file_fail_at_load(bad: FieldDef, message: str) -> None:
    desk = load_desk("sei")
    info = replace(desk.info, fields=(*desk.info.fields, bad))
    with pytest.raises(ValueError, match=message):
        _check_fields("sei", info, desk.transitions, desk.title_from)


def test_a_desk_without_title_needs_title_from() -> None:
    desk = load_desk("sei")
    with pytest.raises(ValueError, match="needs title_from"):
        _check_fields("sei", desk.info, desk.transitions, None)


def test_tracking_belongs_to_the_technical_unit_area() -> None:
    desk = load_desk("sei")
    agent = User("a", "A", role=Role.AGENT)  # every area
    assert why_not("track", agent, sei_row(), desk, NOW) is None
    refused = why_not("track", agent, sei_row(area=CSG), desk, NOW)
    assert refused is not None and refused.message == (
        f"Esta ação cabe à área {TECNICA}; a demanda está na área {CSG}.")
    linked = why_not("track", agent, sei_row(fields={"acompanhamento": "SEI-00002-BBBB"}), desk, NOW)
    assert linked is not None and linked.message == "A demanda já tem chamado de acompanhamento: SEI-00002-BBBB."


def test_derived_titles_and_deadlines() -> None:
    cit = load_desk("citsmart")
    assert cit.deadline_hours({"prioridade": "Urgente"}) == 8
    assert cit.deadline_hours({}) == 72  # "aproximadamente em até 72 horas"
    assert load_desk("ecage").deadline_hours({"type": "Sistemas"}) == 72
    assert load_desk("sei").deadline_hours({}) == 120
    assert cit.derive_title({"description": "\n\n  Primeira linha  \nSegunda"}) == "Primeira linha"
