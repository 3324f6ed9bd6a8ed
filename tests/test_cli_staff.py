"""The staff verbs of the CLI: queue, distribution, reservation, answers, status work, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from backend.domain import Role, User
from backend.service import HelpdeskService
from backend.store import Store
from tests.test_cli import DESCRIPTION, EXAMPLE, run

ORIENTACAO = ["--type", "Orientação", "--category", "Contratos", "--subject", "Caso concreto"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "staff.db"
    store = Store(path)
    service = HelpdeskService(store)
    for user in (
        User("gestor", "Gabriel Gestor", "g@cage.rs.gov.br", "(51) 3214-6003", "Gestor", Role.MANAGER),
        User("bruno", "Bruno Sistemas", "b@cage.rs.gov.br", "(51) 3214-6001", "Analista", Role.AGENT,
             ("CAGE – Suporte Sistemas",)),
        User("carla", "Carla Orientação", "c@cage.rs.gov.br", "(51) 3214-6002", "Analista", Role.AGENT,
             ("CAGE – Orientação",)),
    ):
        service.save_user(user)
    store.close()
    return str(path)


def create(capsys: pytest.CaptureFixture[str], db: str, title: str, *extra: str) -> str:
    args = list(EXAMPLE)
    args[1] = title
    if extra:
        args = args[:4] + list(extra)
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", "fernando", *args,
                         "--description", DESCRIPTION, "--json")
    assert code == 0, err
    number: str = json.loads(out)["number"]
    return number


def queue(capsys: pytest.CaptureFixture[str], db: str, user: str, *filters: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "queue", "--db", db, "--user", user, "--json", *filters)
    assert code == 0, err
    items: list[dict[str, object]] = json.loads(out)["items"]
    return items


def test_manager_distributes_agent_replies_requester_never_sees_the_note(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    number = create(capsys, db, "Erro na retenção")
    assert [t["number"] for t in queue(capsys, db, "gestor", "--unassigned")] == [number]
    code, out, _ = run(capsys, "tickets", "assign", number, "--to", "bruno", "--db", db, "--user", "gestor")
    assert (code, out.strip()) == (0, f"Demanda {number} distribuída para Bruno Sistemas.")
    assert queue(capsys, db, "gestor", "--unassigned") == []
    assert [t["number"] for t in queue(capsys, db, "bruno", "--mine")] == [number]
    code, _, _ = run(capsys, "tickets", "take", number, "--db", db, "--user", "bruno")
    assert code == 0
    assert queue(capsys, db, "bruno", "--mine")[0]["reserved_by_name"] == "Bruno Sistemas"
    evidence = tmp_path / "print.png"
    evidence.write_bytes(b"\x89PNG fake")
    code, _, err = run(capsys, "tickets", "reply", number, "--text", "Ajuste feito no FPE.", "--attach",
                       str(evidence), "--db", db, "--user", "bruno")
    assert code == 0, err
    code, _, err = run(capsys, "tickets", "note", number, "--text", "Segredo interno da equipe",
                       "--db", db, "--user", "bruno")
    assert code == 0, err
    code, out, _ = run(capsys, "tickets", "show", number, "--db", db, "--user", "fernando")
    assert "Ajuste feito no FPE." in out and "print.png" in out
    assert "Segredo interno" not in out and "Observação interna" not in out
    code, out, _ = run(capsys, "tickets", "show", number, "--json", "--db", db, "--user", "fernando")
    assert "Segredo interno" not in out
    code, out, _ = run(capsys, "tickets", "show", number, "--db", db, "--user", "bruno")
    assert "Segredo interno da equipe" in out and "Observação interna" in out


def test_ask_then_requester_answers(capsys: pytest.CaptureFixture[str], db: str) -> None:
    number = create(capsys, db, "Dúvida")
    code, out, _ = run(capsys, "tickets", "ask", number, "--text", "Qual o empenho?", "--db", db, "--user", "bruno")
    assert code == 0 and "aguardando o solicitante" in out
    assert queue(capsys, db, "gestor", "--status", "Aguardando Solicitante")[0]["number"] == number
    code, _, _ = run(capsys, "tickets", "comment", number, "--text", "2024NE1", "--db", db, "--user", "fernando")
    assert code == 0
    assert queue(capsys, db, "gestor", "--status", "Em Andamento")[0]["number"] == number


def test_forward_and_monitor_and_refusals(capsys: pytest.CaptureFixture[str], db: str) -> None:
    number = create(capsys, db, "Encaminhar")
    code, _, err = run(capsys, "tickets", "forward", number, "--area", "CAGE – Orientação", "--reason",
                       "É orientação", "--db", db, "--user", "bruno")
    assert code == 0, err
    assert [t["number"] for t in queue(capsys, db, "carla")] == [number]
    assert queue(capsys, db, "bruno") == []
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    code, out, err = run(capsys, "tickets", "monitor", number, "--until", tomorrow, "--reason", "Aguardar DOE",
                         "--db", db, "--user", "carla")
    assert code == 0, err
    assert "em monitoramento até" in out
    assert queue(capsys, db, "carla", "--flag", "monitoramento")[0]["number"] == number
    code, _, err = run(capsys, "tickets", "monitor", number, "--until", "31/12/2030", "--reason", "x",
                       "--db", db, "--user", "carla")
    assert code == 2 and "AAAA-MM-DD" in err
    code, _, err = run(capsys, "tickets", "assign", number, "--to", "bruno", "--db", db, "--user", "carla")
    assert code == 1 and "Somente gestores distribuem" in err
    code, _, err = run(capsys, "tickets", "note", number, "--text", "x", "--db", db, "--user", "fernando")
    assert code == 1 and "observações internas" in err
    code, _, err = run(capsys, "tickets", "cancel", number, "--db", db, "--user", "carla")
    assert code == 1 and "motivo do cancelamento" in err
    code, _, err = run(capsys, "tickets", "cancel", number, "--reason", "Duplicada", "--db", db, "--user", "carla")
    assert code == 0, err


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_export_holds_exactly_the_filtered_rows(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, fmt: str
) -> None:
    wanted = [create(capsys, db, f"Retenção {i}") for i in range(3)]
    create(capsys, db, "Outra coisa", *ORIENTACAO)
    output = tmp_path / f"fila.{fmt}"
    code, out, err = run(capsys, "export", "--format", fmt, "--output", str(output), "--search", "retenção",
                         "--db", db, "--user", "gestor")
    assert code == 0, err
    assert out.strip() == f"Exportadas 3 linhas para {output}."
    shown = [t["number"] for t in queue(capsys, db, "gestor", "--search", "retenção")]
    assert sorted(shown) == sorted(wanted)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig")), delimiter=";"))
        start = next(i for i, r in enumerate(rows) if r[:1] == ["Número"])
        assert [r[0] for r in rows[start + 1:]] == shown
        assert ["Usuário", "Gabriel Gestor (gestor)"] in rows and ["Linhas", "3"] in rows
        assert any("busca “retenção”" in r[1] for r in rows if r[:1] == ["Filtros"])
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        values = [list(r) for r in load_workbook(output)["Demandas"].iter_rows(values_only=True)]
        start = next(i for i, r in enumerate(values) if r[:1] == ["Número"])
        assert [r[0] for r in values[start + 1:]] == shown
    else:
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() for page in PdfReader(output).pages)
        assert [n for n in shown if text.count(n) == 1] == shown
        assert "Outra coisa" not in text


def test_export_refuses_a_folder(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "export", "--format", "csv", "--output", str(tmp_path), "--db", db, "--user", "gestor")
    assert code == 1 and "é uma pasta" in err
