"""The adapter contract: users, profiles and desk data, on every adapter."""

from __future__ import annotations

import pytest

from backend.domain import ProfileUpdate, Role
from backend.errors import NotFound, ValidationFailed
from tui.adapter import Adapter


async def test_new_user_is_a_requester_without_profile(requester: Adapter) -> None:
    me = await requester.whoami()
    assert me.role is Role.REQUESTER
    assert not me.profile_complete


async def test_known_roles_come_back(agent: Adapter) -> None:
    me = await agent.whoami()
    assert (me.login, me.role, me.name) == ("atendente", Role.AGENT, "Ana Atendente")


async def test_profile_update_and_validation(requester: Adapter) -> None:
    good = ProfileUpdate(email="joao@sefaz.rs.gov.br", phone="(51) 3214-5000", cargo="Contador")
    me = await requester.update_profile(good)
    assert me.profile_complete
    assert (await requester.whoami()).email == "joao@sefaz.rs.gov.br"
    for bad, field in (
        (ProfileUpdate("", "(51) 3214-5000", "x"), "email"),
        (ProfileUpdate("sem-arroba", "(51) 3214-5000", "x"), "email"),
        (ProfileUpdate("a@b.gov.br", "abc", "x"), "phone"),
        (ProfileUpdate("a@b.gov.br", "(51) 3214-5000", " "), "cargo"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await requester.update_profile(bad)
        assert caught.value.field == field
    assert (await requester.whoami()).email == "joao@sefaz.rs.gov.br"


async def test_desk_catalog_is_the_seed(requester: Adapter) -> None:
    desks = await requester.desks()
    assert [d.id for d in desks] == ["ecage", "sei", "govbr", "citsmart"]
    desk = await requester.desk("ecage")
    assert desk.prefix == "CAGE" and desk.description_limit == 2000 and desk.reopen_days == 7
    assert [t.name for t in desk.types] == ["Serviços", "Orientação", "Sistemas"]
    sistemas = desk.find_type("Sistemas")
    assert sistemas is not None
    assert [c.name for c in sistemas.categories] == [
        "Agendamentos de Reuniões/Treinamentos",
        "Concessão de Acessos a Sistemas",
        "Sugestões de Melhorias",
        "Dúvidas de Operação e Erros de Validação",
        "Erros de Sistema",
    ]
    subjects = sistemas.categories[3].subjects
    for system in ("CAGE Gerencial", "MINA", "FPE", "FPE Mobile", "CADIN", "CFIL", "SISACF", "SICHE",
                   "Portal da Transparência", "APE", "Portal BI/DW", "FPE – Execução de Despesa > Retenção"):
        assert system in subjects
    assert "Secretaria da Fazenda" in desk.orgaos
    assert [s.name for s in desk.statuses] == ["Em Andamento", "Aguardando Solicitante", "Resolvido", "Cancelado"]
    required = [f.name for f in desk.fields if f.required]
    assert required == ["title", "orgao", "type", "category", "subject", "description"]


async def test_unknown_desk(requester: Adapter) -> None:
    with pytest.raises(NotFound, match="Balcão desconhecido"):
        await requester.desk("nenhum")
