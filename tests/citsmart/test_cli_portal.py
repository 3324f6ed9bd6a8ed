"""``demandas knowledge`` and ``demandas tickets evaluate``: output, refusals and exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.domain import EntryKind, Role, User
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.test_evaluations import UASG
from tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def resolved_ticket(db: Path) -> str:
    """A UASG ticket of maria's, resolved by an agent, straight in the service."""
    store = Store(db)
    try:
        service = HelpdeskService(store)
        service.save_user(User("ana", "Ana Atendente", role=Role.AGENT))
        number = service.create_ticket("maria", UASG).number
        service.resolve("ana", number, "UASG reativada.")
        return number
    finally:
        store.close()


def test_knowledge_lists_every_article_of_the_desk_that_has_them(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "knowledge", "--db", str(tmp_path / "k.db"), "--user", "maria")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "8 artigos:"
    assert lines[1].split() == ["erro-indisponibilidade-siasg", "Como", "abrir", "um", "chamado", "de",
                                "Erro/Indisponibilidade", "no", "SIASG"]
    assert lines[-1] == "Para ler um artigo: demandas knowledge IDENTIFICADOR"


def test_knowledge_with_one_match_prints_the_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "knowledge", "REATIVACAO", "--desk", "citsmart", "--db", str(tmp_path / "k.db"),
                         "--user", "maria")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == ["Reativação de UASG: quando e como pedir", "=" * 39]
    assert "CNPJ, endereço e telefone" in out
    assert lines[-1].startswith("Palavras-chave: UASG, reativar")


def test_knowledge_by_id_and_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "k.db")
    code, out, _ = run(capsys, "knowledge", "central-0800", "--db", db, "--user", "maria")
    assert code == 0
    assert out.startswith("Central de Serviços 0800 978 9001")
    code, out, _ = run(capsys, "knowledge", "print", "erro", "--json", "--db", db, "--user", "maria")
    assert code == 0
    found = json.loads(out)
    assert [a["id"] for a in found] == ["erro-indisponibilidade-siasg", "melhorias-siasg"]
    assert set(found[0]) == {"id", "desk", "title", "body", "keywords"}


def test_knowledge_says_when_nothing_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "k.db")
    assert run(capsys, "knowledge", "xilofone", "--db", db, "--user", "maria")[1] == (
        "Nenhum artigo encontrado para “xilofone”. Tente outras palavras.\n")
    assert run(capsys, "knowledge", "--desk", "ecage", "--db", db, "--user", "maria")[1] == (
        "O balcão e-CAGE — Atendimento CAGE Virtual não publica artigos de conhecimento.\n")
    code, _, err = run(capsys, "knowledge", "--desk", "nenhum", "--db", db, "--user", "maria")
    assert code == 1
    assert err.startswith("Erro: Balcão desconhecido: 'nenhum'.")


def test_evaluate_records_the_score_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    number = resolved_ticket(db)
    code, out, err = run(capsys, "tickets", "evaluate", number, "--score", "4", "--comment", "Rápido e claro.",
                         "--db", str(db), "--user", "maria")
    assert code == 0, err
    assert out == f"Avaliação registrada na demanda {number}: nota 4 de 5. Obrigado!\n"
    code, out, _ = run(capsys, "tickets", "show", number, "--db", str(db), "--user", "maria")
    assert "Avaliação do atendimento" in out and "Nota 4 de 5 — Rápido e claro." in out
    code, _, err = run(capsys, "tickets", "evaluate", number, "--score", "5", "--db", str(db), "--user", "maria")
    assert code == 1
    assert err.startswith("Erro: Você já avaliou este atendimento em ")
    store = Store(db)
    try:
        timeline = HelpdeskService(store).get_ticket("maria", number).timeline
    finally:
        store.close()
    assert [e.text for e in timeline if e.kind is EntryKind.EVALUATION] == ["Nota 4 de 5 — Rápido e claro."]


def test_evaluate_refuses_others_and_bad_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    number = resolved_ticket(db)
    code, _, err = run(capsys, "tickets", "evaluate", number, "--score", "5", "--db", str(db), "--user", "ana")
    assert (code, err) == (1, "Erro: Somente o solicitante avalia o atendimento da demanda.\n")
    code, _, err = run(capsys, "tickets", "evaluate", number, "--score", "9", "--db", str(db), "--user", "maria")
    assert code == 2
    assert "argumento --score: a nota deve estar entre 1 e 5" in err
