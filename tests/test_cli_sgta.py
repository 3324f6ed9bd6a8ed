"""``demandas sgta``: members, import, listing with "permitido", justify, the gestor's verbs, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_cli import run

DAP = "DAP – Diretoria de Atos de Pessoal"
UNIT = "Prefeitura Municipal de Joinville"
CSV = (f"Unidade Gestora;Matrícula;Servidor;Cargos acumulados\n{UNIT};104.233-1;Ademir Bortolini;Professor + Médico\n"
       f"{UNIT};98.112-4;Carla Stähelin;Enfermeira + Técnica\nPrefeitura de Blumenau;5;Pedro;Vigia + Guarda\n")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A database with a gestor of DAP, an analyst of Joinville and the three records of ``CSV``."""
    path = str(tmp_path / "sgta.db")
    for args in (("--add", "gestor", "--gestor", DAP), ("--add", "ana", "--unidade", UNIT)):
        code, _, err = run(capsys, "sgta", "members", "--db", path, *args)
        assert code == 0, err
    source = tmp_path / "registros.csv"
    source.write_text(CSV, encoding="utf-8")
    code, out, err = run(capsys, "sgta", "import", "acumulacao", str(source), "--db", path, "--user", "gestor")
    assert code == 0, err
    assert out.strip() == "Importados 3 registros na trilha acumulacao (Nº 1 a 3)."
    return path


def sgta(capsys: pytest.CaptureFixture[str], db: str, user: str, *args: str) -> tuple[int, str, str]:
    return run(capsys, "sgta", *args, "--db", db, "--user", user)


def test_members_list_and_refusals(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "sgta", "members", "--db", db)
    assert code == 0 and "gestor" in out and "Analista  Prefeitura Municipal de Joinville" in out
    code, _, err = run(capsys, "sgta", "members", "--db", db, "--add", "x", "--gestor", "Área nenhuma")
    assert code == 1 and "Área desconhecida: 'Área nenhuma'" in err
    code, _, err = run(capsys, "sgta", "members", "--db", db, "--add", "x")
    assert code == 2 and "informe --gestor ÁREA ou --unidade UNIDADE" in err


def test_import_errors_name_the_line(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    bad = tmp_path / "ruim.csv"
    bad.write_text("Unidade Gestora;Matrícula;Servidor;Cargos acumulados\nX;1;A\n", encoding="utf-8")
    code, _, err = sgta(capsys, db, "gestor", "import", "acumulacao", str(bad))
    assert code == 1 and "Linha 2: tem 3 valores; o cabeçalho tem 4 colunas." in err
    code, _, err = sgta(capsys, db, "ana", "import", "acumulacao", str(bad))
    assert code == 1 and "Somente os Gestores da área DAP" in err
    code, _, err = sgta(capsys, db, "gestor", "import", "acumulacao", str(tmp_path / "falta.csv"))
    assert code == 1 and "Não foi possível ler o arquivo" in err


def test_list_trails_with_permitido_and_records_with_search(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = sgta(capsys, db, "ana", "list", "--search", "permitido")
    assert code == 0 and "acumulacao" in out and "obito" not in out
    code, out, _ = sgta(capsys, db, "ana", "list", "acumulacao")
    assert "Ademir Bortolini" in out and "Pedro" not in out and "Mostrando 2 de 2." in out
    assert "Observação TCE  TCE  Status" in out
    code, out, _ = sgta(capsys, db, "gestor", "list", "acumulacao", "--search", "blumenau", "--json")
    assert [r["values"]["servidor"] for r in json.loads(out)["items"]] == ["Pedro"]


def test_justify_then_gestor_validates_and_monitors(capsys: pytest.CaptureFixture[str], db: str,
                                                    tmp_path: Path) -> None:
    doc = tmp_path / "escala.pdf"
    doc.write_bytes(b"%PDF-1.4 escala")
    code, out, err = sgta(capsys, db, "ana", "justify", "1", "--discordo", "--text", "Horários compatíveis.",
                          "--file", str(doc))
    assert code == 0, err
    assert out.strip() == "Registro 1: justificado."
    code, _, err = sgta(capsys, db, "ana", "justify", "1", "--concordo", "--text", "De novo")
    assert code == 1 and "Uma vez concluída a justificativa" in err
    code, out, _ = sgta(capsys, db, "gestor", "analyse", "1")
    assert "em análise (em análise por gestor)" in out
    past = (date.today() - timedelta(days=1)).isoformat()
    code, _, err = sgta(capsys, db, "gestor", "validate", "1", "--monitorar", past, "--text", "Acompanhar")
    assert code == 1 and "A data do monitoramento deve ser futura" in err
    future = (date.today() + timedelta(days=30)).isoformat()
    code, out, err = sgta(capsys, db, "gestor", "validate", "1", "--monitorar", future, "--text", "Acompanhar")
    assert code == 0 and out.strip() == "Registro 1: concluído.", err
    code, out, _ = sgta(capsys, db, "ana", "show", "1")
    assert "Flag Em monitoramento: Indica que o registro já teve a análise concluída pelo Gestor" in out
    assert "Documento 1: escala.pdf" in out and "discorda): Horários compatíveis." in out
    code, out, _ = sgta(capsys, db, "gestor", "end-monitoring", "1", "--text", "Resolvido")
    assert code == 0 and "concluído" in out


def test_change_request_and_decision(capsys: pytest.CaptureFixture[str], db: str) -> None:
    sgta(capsys, db, "ana", "justify", "2", "--concordo", "--text", "Ok")
    code, _, err = sgta(capsys, db, "ana", "request-change", "2")
    assert code == 2 and "--text" in err
    code, out, err = sgta(capsys, db, "ana", "request-change", "2", "--text", "Faltou a portaria")
    assert code == 0, err
    code, _, err = sgta(capsys, db, "gestor", "validate", "2", "--arquivar", "--text", "Ok")
    assert code == 1 and "decida sobre ele antes" in err
    code, out, err = sgta(capsys, db, "gestor", "decide-change", "2", "--aceitar", "--text", "Pode alterar")
    assert code == 0 and "em análise (em análise por ana)" in out, err


def test_export_writes_exactly_the_filtered_table(capsys: pytest.CaptureFixture[str], db: str,
                                                  tmp_path: Path) -> None:
    sgta(capsys, db, "gestor", "observe", "3", "--text", "Verificar escala")
    output = tmp_path / "trilha.csv"
    code, out, err = sgta(capsys, db, "gestor", "export", "acumulacao", "--format", "csv", "--output", str(output),
                          "--search", "verificar")
    assert code == 0 and "Exportadas 1 linhas" in out, err
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig")), delimiter=";"))
    heading = rows.index(["Nº", "Unidade Gestora", "Matrícula", "Servidor", "Cargos acumulados", "Observação TCE",
                          "TCE", "Status", "Flags", "Docs"])
    assert rows[heading + 1:] == [["3", "Prefeitura de Blumenau", "5", "Pedro", "Vigia + Guarda", "Verificar escala",
                                   "", "pendente", "", "0"]]
    assert ["Filtros", "trilha Acumulação de cargos (DAP – Diretoria de Atos de Pessoal); busca “verificar”"] in rows


def test_invoke_refused_within_the_deadline_and_bad_ids(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = sgta(capsys, db, "gestor", "invoke", "3")
    assert code == 1 and "dentro do prazo de justificativa" in err
    code, _, err = sgta(capsys, db, "gestor", "show", "abc")
    assert code == 2 and "número de registro inválido" in err
    code, _, err = sgta(capsys, db, "gestor", "show", "99")
    assert code == 1 and "Registro 99 não encontrado." in err


def test_distribute_with_loads_and_download(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "sgta", "members", "--db", db, "--add", "gabi", "--gestor", DAP)
    assert code == 0, err
    doc = tmp_path / "escala.pdf"
    doc.write_bytes(b"%PDF-1.4 escala")
    sgta(capsys, db, "ana", "justify", "1", "--concordo", "--text", "Ok", "--file", str(doc))
    code, out, _ = sgta(capsys, db, "gestor", "gestores", "acumulacao")
    assert code == 0 and "gabi" in out and "Em análise" in out
    code, out, err = sgta(capsys, db, "gestor", "distribute", "1", "--to", "gabi")
    assert code == 0 and out.strip() == "Registro 1: em análise (em análise por gabi).", err
    code, _, err = sgta(capsys, db, "gestor", "distribute", "1", "--to", "ana")
    assert code == 1 and "ana não é Gestor da área DAP" in err
    target = tmp_path / "baixado.pdf"
    code, out, err = sgta(capsys, db, "ana", "download", "1", "1", "--output", str(target))
    assert code == 0 and target.read_bytes() == b"%PDF-1.4 escala", err


def test_export_to_excel_and_pdf(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    xlsx, pdf = tmp_path / "t.xlsx", tmp_path / "t.pdf"
    for fmt, path in (("xlsx", xlsx), ("pdf", pdf)):
        code, _, err = sgta(capsys, db, "ana", "export", "acumulacao", "--format", fmt, "--output", str(path))
        assert code == 0, err
    rows = [list(row) for row in load_workbook(xlsx).active.iter_rows(values_only=True)]
    data = [r for r in rows if r and r[0] in ("1", "2", "3")]
    assert [r[3] for r in data] == ["Ademir Bortolini", "Carla Stähelin"]  # the analyst sees only her unit
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Ademir Bortolini" in text and "Pedro" not in text
