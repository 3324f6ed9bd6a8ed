"""The HTTP form of per-field files: ``attachment_fields`` in the payload names each file's field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.service import HelpdeskService
from backend.store import Store
from tests.server_helper import issue_token, running_server

API = "/api/v1"
BODY = {"title": "", "orgao": "", "type": "Erro/Indisponibilidade SIASG", "category": "", "subject": "",
        "description": "Erro ao publicar", "desk": "citsmart",
        "fields": {"prioridade": "Alta", "uasg": "925001", "funcionalidade": "Divulgação", "mensagem_erro": "500",
                   "data_ocorrencia": "05/03/2025 14:30", "passo_a_passo": "1. Abrir"}}
PNG = ("tela.png", b"\x89PNG\r\n\x1a\n tela")
PDF = ("oficio.pdf", b"%PDF-1.4")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    db: Path = tmp_path_factory.mktemp("desks") / "server.db"
    store = Store(db)
    token = issue_token(store, "maria", "Maria Clara")
    with running_server(db, HelpdeskService(store)) as url:
        yield url, {"Authorization": f"Bearer {token}"}
    store.close()


def post(server: tuple[str, dict[str, str]], payload: dict[str, object],
         files: list[tuple[str, bytes]]) -> httpx.Response:
    url, auth = server
    return httpx.post(f"{url}{API}/tickets", headers=auth, data={"payload": json.dumps(payload)},
                      files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def test_each_file_goes_to_the_field_named_in_order(server: tuple[str, dict[str, str]]) -> None:
    response = post(server, {**BODY, "attachment_fields": ["attachments", "print_tela"]}, [PDF, PNG])
    assert response.status_code == 201, response.text
    assert sorted(a["name"] for a in response.json()["attachments"]) == ["oficio.pdf", "tela.png"]


def test_without_fields_every_file_is_a_plain_attachment(server: tuple[str, dict[str, str]]) -> None:
    response = post(server, BODY, [PNG])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "print_tela" and error["message"].startswith(
        "Anexe ao menos um arquivo em “Print da tela com o erro”")


def test_one_field_per_file(server: tuple[str, dict[str, str]]) -> None:
    response = post(server, {**BODY, "attachment_fields": ["print_tela", "attachments"]}, [PNG])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "attachment_fields"
    assert error["message"] == ("'attachment_fields' lista 2 campos para 1 arquivos; informe um campo por arquivo, "
                                "na ordem dos arquivos.")
