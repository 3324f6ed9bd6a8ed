"""The scripting command line: commands, output, refusals and exit statuses."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.domain import Attachment, StatusClass, TicketSummary
from backend.errors import ValidationFailed
from backend.serialize import to_jsonable
from tui.cli import main, read_attachments, translate_argparse
from tui.connect import UsageError, make_adapter, resolve_identity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = [
    "--title", "Nova Demanda",
    "--orgao", "Secretaria da Fazenda",
    "--type", "Sistemas",
    "--category", "Dúvidas de Operação e Erros de Validação",
    "--subject", "FPE – Execução de Despesa > Retenção",
]
DESCRIPTION = ("Descrever demanda detalhadamente, informando números de documentos e processos se necessário "
               "para melhor entendimento.")
DATE_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` and what it printed."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def create(capsys: pytest.CaptureFixture[str], db: str, *extra: str, user: str = "solicitante",
           title: str = "Nova Demanda") -> str:
    args = list(EXAMPLE)
    args[1] = title
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", user, *args,
                         "--description", DESCRIPTION, *extra, "--json")
    assert code == 0, err
    number: str = json.loads(out)["number"]
    return number


def total(capsys: pytest.CaptureFixture[str], db: str, user: str = "gestor") -> int:
    code, out, err = run(capsys, "tickets", "list", "--all", "--json", "--db", db, "--user", user)
    assert code == 0, err
    count: int = json.loads(out)["total"]
    return count


# -- the seed's example, end to end ----------------------------------------------


def test_seed_example_is_creatable_verbatim(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    image = tmp_path / "image001.jpg (4).jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    number = create(capsys, db, "--attach", str(image))
    assert re.fullmatch(r"CAGE-00001-[A-Z0-9]{4}", number)

    code, out, err = run(capsys, "tickets", "show", number, "--db", db, "--user", "solicitante", "--json")
    assert code == 0, err
    ticket = json.loads(out)
    assert ticket["title"] == "Nova Demanda" and ticket["status"] == "Em Andamento"
    assert ticket["subject"] == "FPE – Execução de Despesa > Retenção"
    assert [a["name"] for a in ticket["attachments"]] == ["image001.jpg (4).jpg"]  # the base name only

    code, out, _ = run(capsys, "tickets", "comment", number, "--text", "Descrição complementar",
                       "--attach", str(image), "--db", db, "--user", "solicitante")
    assert code == 0 and number in out

    code, out, _ = run(capsys, "tickets", "show", number, "--db", db, "--user", "solicitante")
    assert code == 0
    assert "Título: Nova Demanda" in out and "Órgão: Secretaria da Fazenda" in out
    timeline = out.split("Linha do Tempo", 1)[1]
    headers = re.findall(r"Criado por: (.+) em (\d{2}/\d{2}/\d{4} \d{2}:\d{2})", timeline)
    assert len(headers) == 2  # requester entries only: creation and the comment
    # Newest first: the comment comes before the creation.
    assert timeline.index("Descrição complementar") < timeline.index("Abertura da demanda")
    assert timeline.count("image001.jpg (4).jpg") == 2


def test_list_default_all_status_and_json(capsys: pytest.CaptureFixture[str], db: str) -> None:
    first = create(capsys, db, title="Primeira")
    second = create(capsys, db, title="Segunda")
    code, out, _ = run(capsys, "tickets", "cancel", first, "--db", db, "--user", "solicitante")
    assert code == 0 and "cancelada" in out

    code, out, _ = run(capsys, "tickets", "list", "--db", db, "--user", "solicitante")
    assert code == 0
    header = out.splitlines()[0]
    for column in ("Título", "Número", "Solicitante", "Status", "Data de criação"):
        assert column in header
    assert second in out and first not in out
    assert "Fernando" not in out  # the requester is not a demo user here: named after the login
    assert out.rstrip().endswith("Mostrando 1 de 1.")
    assert re.search(r"\d{2}/\d{2}/\d{4}", out)

    code, out, _ = run(capsys, "tickets", "list", "--all", "--db", db, "--user", "solicitante")
    assert first in out and second in out and "Mostrando 2 de 2." in out

    code, out, _ = run(capsys, "tickets", "list", "--status", "cancelado", "--json", "--db", db,
                       "--user", "solicitante")
    page = json.loads(out)
    assert set(page) == {"items", "total", "offset", "limit"}
    assert page["total"] == 1 and page["items"][0]["number"] == first and page["limit"] == 50

    code, out, _ = run(capsys, "tickets", "list", "--all", "--search", "Segunda", "--limit", "1", "--json",
                       "--db", db, "--user", "solicitante")
    assert [t["number"] for t in json.loads(out)["items"]] == [second]


def test_requesters_see_only_theirs_and_staff_see_all(capsys: pytest.CaptureFixture[str], db: str) -> None:
    mine = create(capsys, db, user="solicitante")
    other = create(capsys, db, user="maria")
    code, out, _ = run(capsys, "seed", "--db", db, "--tickets", "0")  # makes atendente an agent
    assert code == 0
    code, out, _ = run(capsys, "tickets", "list", "--json", "--db", db, "--user", "maria")
    assert [t["number"] for t in json.loads(out)["items"]] == [other]
    # Global options work before and after the subcommand.
    for argv in (["--user", "atendente", "--db", db, "tickets", "list", "--json"],
                 ["tickets", "list", "--json", "--user", "atendente", "--db", db],
                 ["--db", db, "tickets", "--user", "atendente", "list", "--json"]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert {t["number"] for t in json.loads(out)["items"]} == {mine, other}


def test_environment_picks_user_and_db(capsys: pytest.CaptureFixture[str], db: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    number = create(capsys, db, user="joana")
    monkeypatch.setenv("DEMANDAS_DB", db)
    monkeypatch.setenv("DEMANDAS_USER", "joana")
    code, out, _ = run(capsys, "tickets", "list")
    assert code == 0 and number in out


def test_resolve_and_reopen(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run(capsys, "seed", "--db", db, "--tickets", "0")
    number = create(capsys, db)
    code, out, err = run(capsys, "tickets", "resolve", number, "--text", "Ajuste realizado.", "--db", db,
                         "--user", "atendente")
    assert code == 0, err
    assert "resolvida" in out
    code, out, err = run(capsys, "tickets", "reopen", number, "--reason", "Problema não resolvido.", "--db", db,
                         "--user", "solicitante")
    assert code == 0, err
    assert "Demanda reaberta com sucesso" in out


def test_catalog(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "catalog", "--db", db)
    assert code == 0
    assert "Secretaria da Fazenda" in out
    assert "  Sistemas" in out and "    Dúvidas de Operação e Erros de Validação" in out
    assert "      FPE – Execução de Despesa > Retenção" in out
    code, out, _ = run(capsys, "catalog", "--json", "--db", db)
    desk = json.loads(out)
    assert "Secretaria da Fazenda" in desk["orgaos"]
    assert [t["name"] for t in desk["types"]] == ["Serviços", "Orientação", "Sistemas"]
    code, _, err = run(capsys, "catalog", "--desk", "nenhum", "--db", db)
    assert code == 1 and err.startswith("Erro: Balcão desconhecido")


# -- refusals: exit 1, the reason in pt-BR, nothing stored --------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--description": "x" * 2001}, "A descrição tem 2001 caracteres; o limite é 2000"),
        ({"--subject": "Assunto inventado"}, "não pertence à categoria"),
        ({"--title": ""}, "Informe o título."),
        ({"--orgao": "Órgão Nenhum"}, "Órgão desconhecido"),
    ],
)
def test_create_refusals(capsys: pytest.CaptureFixture[str], db: str, change: dict[str, str], message: str) -> None:
    values = dict(zip(EXAMPLE[::2], EXAMPLE[1::2], strict=True)) | {"--description": DESCRIPTION} | change
    argv = [item for pair in values.items() for item in pair]
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", "solicitante", *argv)
    assert code == 1 and out == ""
    assert err.startswith("Erro: ") and message in err and "Traceback" not in err
    assert total(capsys, db) == 0


def test_attachment_refusals(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nao-existe.pdf"
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "solicitante", *EXAMPLE,
                       "--description", DESCRIPTION, "--attach", str(missing))
    assert code == 1
    assert f"Erro: Não foi possível ler o arquivo {missing}: arquivo não encontrado." in err
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "solicitante", *EXAMPLE,
                       "--description", DESCRIPTION, "--attach", str(tmp_path))
    assert code == 1 and "é uma pasta" in err
    assert total(capsys, db) == 0

    # Too large: refused from its size, before a byte is read.
    big = tmp_path / "grande.zip"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: cheap to make
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the file was opened"))
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "solicitante", *EXAMPLE,
                       "--description", DESCRIPTION, "--attach", str(big))
    assert code == 1 and "O arquivo grande.zip tem 11,0 MB; o limite é 10,0 MB por arquivo." in err
    monkeypatch.undo()
    assert total(capsys, db) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_attachment(tmp_path: Path) -> None:
    secret = tmp_path / "secreto.txt"
    secret.write_text("x")
    secret.chmod(0)
    with pytest.raises(Exception, match="permissão negada"):
        read_attachments([str(secret)], 1000)


def test_read_attachments_sends_the_base_name(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "planilha.xlsx"
    target.write_bytes(b"data")
    (attachment,) = read_attachments([str(target)], 1000)
    assert attachment.name == "planilha.xlsx" and attachment.data == b"data"


def test_action_refusals(capsys: pytest.CaptureFixture[str], db: str) -> None:
    number = create(capsys, db)
    code, _, err = run(capsys, "tickets", "resolve", number, "--text", "Feito.", "--db", db, "--user", "solicitante")
    assert code == 1 and "Erro: Somente atendentes e gestores resolvem demandas." in err
    run(capsys, "tickets", "cancel", number, "--db", db, "--user", "solicitante")
    code, _, err = run(capsys, "tickets", "reopen", number, "--db", db, "--user", "solicitante")
    assert code == 1 and "Erro: Informe uma justificativa para reabrir esta demanda." in err
    code, _, err = run(capsys, "tickets", "show", number, "--db", db, "--user", "maria")
    assert code == 1 and "pertence a outro solicitante" in err
    code, _, err = run(capsys, "tickets", "show", "CAGE-99999-ZZZZ", "--db", db, "--user", "solicitante")
    assert code == 1 and err == "Erro: Demanda CAGE-99999-ZZZZ não encontrada.\n"
    code, out, _ = run(capsys, "tickets", "show", number, "--json", "--db", db, "--user", "solicitante")
    assert json.loads(out)["status"] == "Cancelado"  # the refused actions changed nothing


def test_terminal_escapes_are_printed_literally(capsys: pytest.CaptureFixture[str], db: str) -> None:
    number = create(capsys, db, title="\x1b[31m[red]x\x1b[0m \x9b2J")
    code, out, _ = run(capsys, "tickets", "show", number, "--db", db, "--user", "solicitante")
    assert code == 0
    assert "\x1b" not in out and "\x9b" not in out
    assert "Título: ␛[31m[red]x␛[0m" in out
    code, out, _ = run(capsys, "tickets", "list", "--db", db, "--user", "solicitante")
    assert "\x1b" not in out and "␛[31m[red]x" in out
    code, out, _ = run(capsys, "tickets", "show", number, "--json", "--db", db, "--user", "solicitante")
    assert "\x1b" not in out and "\x9b" not in out
    assert json.loads(out)["title"] == "\x1b[31m[red]x\x1b[0m \x9b2J"  # the data is intact


def test_description_from_stdin(capsys: pytest.CaptureFixture[str], db: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Linha 1\nLinha 2\n"))
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", "solicitante", *EXAMPLE,
                         "--description", "-", "--json")
    assert code == 0, err
    assert json.loads(out)["description"] == "Linha 1\nLinha 2"


# -- usage: exit 2, pt-BR argparse --------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tickets", "list", "--limit", "501"], "o limite deve estar entre 1 e 500"),
        (["tickets", "list", "--limit", "dez"], "número inválido"),
        (["tickets", "list", "--all", "--status", "Resolvido"], "não pode ser usado junto com --all"),
        (["tickets"], "os seguintes argumentos são obrigatórios: AÇÃO"),
        (["tickets", "show"], "os seguintes argumentos são obrigatórios: NÚMERO"),
        (["tickets", "apagar", "X"], "opção inválida"),
        (["tickets", "list", "--bogus"], "argumentos não reconhecidos: --bogus"),
        (["--db", "a.db", "--server", "http://127.0.0.1:1", "tickets", "list"], "use --db ou --server"),
        (["seed", "--server", "http://127.0.0.1:1"], "--server não se aplica"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("uso: demandas") and "erro: " in err and message in err


def test_help_is_pt_br(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("uso: demandas") and "mostra esta ajuda e sai" in out
    code, out, _ = run(capsys, "tickets", "create", "--help")
    assert code == 0 and "--subject ASSUNTO" in out and "opções" in out


def test_translate_leaves_unknown_messages() -> None:
    assert translate_argparse("algo novo") == "algo novo"


def test_serve_refuses_a_host_that_is_not_an_address(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "serve", "--db", db, "--host", "servidor.exemplo")
    assert code == 1 and err.startswith("Erro: Endereço de escuta inválido") and "0.0.0.0" in err


# -- seed through the CLI -----------------------------------------------------------


def test_seed_command_and_if_empty(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "seed", "--db", db, "--tickets", "30", "--user", "maria", "--if-empty")
    assert code == 0
    assert re.fullmatch(r"Criados: 30 demandas, \d+ usuários\. Usuários de demonstração: solicitante, atendente, "
                        r"atendente2, gestor, maria\.\n", out)
    code, out, _ = run(capsys, "seed", "--db", db, "--tickets", "30", "--if-empty")
    assert code == 0 and "já tem 30 demandas; nada foi criado" in out
    assert total(capsys, db) == 30
    code, out, _ = run(capsys, "tickets", "list", "--db", db, "--user", "maria")
    assert code == 0 and "Mostrando" in out and "Mostrando 0 de 0." not in out


# -- adapters and JSON ------------------------------------------------------------


async def test_make_adapter_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.adapters.http import HttpAdapter
    from tui.adapters.local import LocalAdapter

    with pytest.raises(UsageError):
        make_adapter(tmp_path / "a.db", "http://127.0.0.1:1", None)
    monkeypatch.setenv("DEMANDAS_SERVER", "http://127.0.0.1:1")
    monkeypatch.setenv("DEMANDAS_TOKEN", "dmd_do_ambiente")
    with pytest.raises(UsageError, match="--user só vale no modo local"):  # the token says who acts
        make_adapter(None, None, "ana")
    remote = make_adapter(None, None, None)
    local = make_adapter(tmp_path / "a.db", None, "ana")  # an explicit --db beats the environment
    try:
        assert isinstance(remote, HttpAdapter) and isinstance(local, LocalAdapter)
        assert str(tmp_path / "a.db") in local.location
    finally:
        await remote.aclose()
        await local.aclose()
    monkeypatch.setenv("DEMANDAS_USER", "Beto")
    assert resolve_identity(None).login == "beto"
    assert resolve_identity("carla").login == "carla"


def test_to_jsonable() -> None:
    moment = datetime(2024, 1, 16, 12, 46, tzinfo=UTC)
    summary = TicketSummary("CAGE-02220-D4N3", "ecage", "Nova Demanda", "f", "F", "Em Andamento",
                            StatusClass.ACTIVE, moment, moment)
    data = to_jsonable({"s": summary, "files": (Attachment(1, "a.jpg", 3, "image/jpeg", moment),)})
    assert data["s"]["status_class"] == "active" and data["s"]["created_at"] == "2024-01-16T12:46:00+00:00"
    assert data["files"][0]["name"] == "a.jpg"
    json.dumps(data)
    with pytest.raises(TypeError):
        to_jsonable(object())


# -- real processes: exit statuses and stderr, no tracebacks --------------------------


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_process_refusal_exits_1(db: str) -> None:
    done = cli("tickets", "show", "CAGE-00001-AAAA", "--db", db, "--user", "solicitante")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "Erro: Demanda CAGE-00001-AAAA não encontrada.\n"


def test_process_usage_exits_2(db: str) -> None:
    done = cli("tickets", "list", "--limit", "0", "--db", db)
    assert done.returncode == 2 and "uso: demandas tickets list" in done.stderr
    assert "erro: argumento --limit" in done.stderr and "Traceback" not in done.stderr


def test_process_unusable_database_exits_1(tmp_path: Path) -> None:
    done = cli("tickets", "list", "--db", str(tmp_path))  # a folder, not a database file
    assert done.returncode == 1 and done.stderr.startswith("Erro: ") and "Traceback" not in done.stderr


def test_process_broken_pipe_is_quiet(db: str) -> None:
    cli("seed", "--db", db, "--tickets", "600")
    # ~400 KB of JSON into a pipe whose reader leaves after 100 bytes.
    shell = f"{sys.executable} -m tui.cli tickets list --all --json --limit 500 --db {db} --user gestor | head -c 100"
    done = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.startswith("{") and done.stderr == ""


def test_too_many_files_are_refused_before_reading(tmp_path: Path) -> None:
    names = [str(tmp_path / f"f{i}.txt") for i in range(3)]  # none exists: the count is checked first
    with pytest.raises(ValidationFailed, match="São 3 arquivos; o limite é 2 por envio"):
        read_attachments(names, 1000, max_files=2)
