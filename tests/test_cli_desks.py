"""The CLI for every desk's form: --desk, --field, --file, catalog of fields, listing by desk, track."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.domain import Role, User
from backend.service import HelpdeskService
from backend.store import Store
from tests.test_cli import cli, run

SEI_TECNICA = "SEI – Unidades Técnica e de Gestão"
SEI = ["--desk", "sei", "--orgao", "SAMOP", "--field", "nome=Joana Lima", "--field", "email=joana@ma.gov.br",
       "--field", "email_confirmacao=joana@ma.gov.br"]
GOVBR = ["--desk", "govbr", "--orgao", "Polícia Federal", "--field", "telefone=(61) 2020-8000",
         "--field", "email_institucional=joana@pf.gov.br", "--field", "servico=Emissão de passaporte",
         "--field", "objetivo=Erro", "--field", "tipo_solicitante=Solicitante/Cidadão",
         "--field", "tipo_problema=Erro em alguma API", "--field", "alcance=Uma solicitação"]
CIT_ERRO = ["--desk", "citsmart", "--type", "Erro/Indisponibilidade SIASG", "--field", "prioridade=Alta",
            "--field", "uasg=925001", "--field", "funcionalidade=Divulgação de compras",
            "--field", "mensagem_erro=Erro 500", "--field", "data_ocorrencia=05/03/2025 14:30",
            "--field", "passo_a_passo=1. Abrir\n2. Incluir"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "desks.db"
    store = Store(path)
    try:
        HelpdeskService(store).save_user(User("tecnico", "Tânia Técnica", "t@seati.ma.gov.br", "(98) 3000-0000",
                                              "Analista", Role.AGENT, (SEI_TECNICA,)))
        HelpdeskService(store).save_user(User("csg", "Caio Comitê", "c@sefaz.ma.gov.br", "(98) 3000-0001",
                                              "Comitê", Role.AGENT, ("SEI – Comitê Setorial de Gestão (CSG)",)))
    finally:
        store.close()
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "oficio.pdf").write_bytes(b"%PDF-1.4 oficio")
    (tmp_path / "tela.png").write_bytes(b"\x89PNG\r\n\x1a\n tela")
    return {"pdf": str(tmp_path / "oficio.pdf"), "png": str(tmp_path / "tela.png")}


def create(capsys: pytest.CaptureFixture[str], db: str, *args: str, user: str = "joana") -> dict[str, object]:
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", user, *args, "--json")
    assert code == 0, err
    ticket: dict[str, object] = json.loads(out)
    return ticket


@pytest.mark.parametrize("desk", ["ecage", "sei", "govbr", "citsmart"])
def test_catalog_json_lists_the_form(capsys: pytest.CaptureFixture[str], db: str, desk: str) -> None:
    code, out, err = run(capsys, "catalog", "--desk", desk, "--json", "--db", db, "--user", "joana")
    assert code == 0, err
    data = json.loads(out)
    assert data["id"] == desk
    for field in data["fields"]:
        assert {"name", "label", "kind", "required", "required_when", "options"} <= set(field)
    names = [f["name"] for f in data["fields"]]
    assert "description" in names


def test_catalog_json_has_options_and_conditions(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(capsys, "catalog", "--desk", "citsmart", "--json", "--db", db, "--user", "joana")
    assert code == 0, err
    fields = {f["name"]: f for f in json.loads(out)["fields"]}
    assert fields["prioridade"]["options"] == ["Baixa", "Normal", "Alta", "Urgente"]
    assert fields["print_tela"]["required_when"] == [["type", "Erro/Indisponibilidade SIASG"]]
    assert fields["print_tela"]["accept"] == ["png", "jpg", "jpeg", "gif", "bmp"]


def test_catalog_text_shows_each_field(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(capsys, "catalog", "--desk", "govbr", "--db", db, "--user", "joana")
    assert code == 0, err
    assert out.startswith("gov.br — Plataforma de Automação (govbr)\n")
    assert "Atenção: Serão devolvidas todas as solicitações" in out
    assert ("  Tipo de Solicitante * [tipo_solicitante, opção] — opções: Analista do Serviço; Solicitante/Cidadão"
            in out.splitlines())
    assert any(line.startswith("  Protocolos das solicitações afetadas * [protocolos, tabela]")
               and "repita --field para cada linha" in line for line in out.splitlines())
    assert "Nome do(a) Solicitante [nome_solicitante, texto] — preenchido com a conta" in out
    assert "Tipos > categorias > assuntos" not in out  # no catalog on this desk


def test_sei_ticket_from_the_command_line(capsys: pytest.CaptureFixture[str], db: str,
                                          files: dict[str, str]) -> None:
    ticket = create(capsys, db, *SEI, "--description", "Criar usuário no SEI\nPara a unidade X.",
                    "--attach", files["pdf"])
    assert str(ticket["number"]).startswith("SEI-")
    assert ticket["title"] == "Criar usuário no SEI" and ticket["status"] == "Aberto"
    assert ticket["fields"] == {"nome": "Joana Lima", "email": "joana@ma.gov.br"}
    code, out, err = run(capsys, "tickets", "show", str(ticket["number"]), "--db", db, "--user", "joana")
    assert code == 0, err
    assert "Nome completo: Joana Lima\nEmail: joana@ma.gov.br\n" in out
    # The required attachment is the service's rule: refused with its message, exit 1.
    code, out, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *SEI,
                         "--description", "Sem anexo")
    assert code == 1 and err == "Erro: Anexe ao menos um arquivo em “Anexo”.\n"


def test_govbr_rows_by_repeating_the_field(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ticket = create(capsys, db, *GOVBR, "--description", "API fora do ar", "--field", "protocolos=111111",
                    "--field", "protocolos=222222")
    fields = ticket["fields"]
    assert isinstance(fields, dict) and fields["protocolos"] == "111111\n222222"
    assert fields["nome_solicitante"] == "joana"  # from the account, never typed
    code, out, err = run(capsys, "tickets", "show", str(ticket["number"]), "--db", db, "--user", "joana")
    assert code == 0, err
    assert "Protocolos das solicitações afetadas:\n  111111\n  222222\n" in out
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *GOVBR,
                       "--description", "x", "--field", "protocolos=abc")
    assert code == 1 and err.startswith("Erro: “Número de protocolo” inválido: 'abc'.")


def test_citsmart_screenshot_goes_to_its_own_field(capsys: pytest.CaptureFixture[str], db: str,
                                                   files: dict[str, str]) -> None:
    ticket = create(capsys, db, *CIT_ERRO, "--description", "Erro ao publicar aviso",
                    "--file", f"print_tela={files['png']}", "--attach", files["pdf"])
    attachments = ticket["attachments"]
    assert isinstance(attachments, list) and sorted(a["name"] for a in attachments) == ["oficio.pdf", "tela.png"]
    due = ticket["due_at"]
    assert isinstance(due, str)
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *CIT_ERRO,
                       "--description", "Sem print", "--attach", files["png"])
    assert code == 1 and err.startswith("Erro: Anexe ao menos um arquivo em “Print da tela com o erro”")
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *CIT_ERRO,
                       "--description", "Print em PDF", "--file", f"print_tela={files['pdf']}")
    assert code == 1 and "aceita só arquivos .png, .jpg, .jpeg, .gif, .bmp" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--field", "prioridade"], "--field espera NOME=VALOR"),
        (["--file", "tela.png"], "--file espera CAMPO=ARQUIVO"),
        (["--field", "print_tela=tela.png"], "'print_tela' é um campo de arquivos: use --file print_tela=ARQUIVO"),
        (["--field", "uasg=111111"], "o campo 'uasg' foi informado 2 vezes"),
        (["--file", "anexo=tela.png"], "o balcão citsmart não tem o campo de arquivos 'anexo' (campos de arquivos: "
                                       "print_tela, attachments)"),
        (["--field", "description=outra"], "o campo 'description' foi informado duas vezes"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], db: str, extra: list[str], message: str) -> None:
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *CIT_ERRO,
                       "--description", "x", *extra)
    assert code == 2 and message in err


def test_unknown_desk_and_field_are_refused(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", "--desk", "nenhum")
    assert code == 1 and "Balcão desconhecido: 'nenhum'" in err
    code, _, err = run(capsys, "tickets", "create", "--db", db, "--user", "joana", *SEI, "--description", "x",
                       "--field", "cpf=1")
    assert code == 1 and err == "Erro: Campo desconhecido no balcão SEI — Helpdesk do SEI: 'cpf'.\n"


def test_list_by_desk(capsys: pytest.CaptureFixture[str], db: str, files: dict[str, str]) -> None:
    sei = create(capsys, db, *SEI, "--description", "Pedido SEI", "--attach", files["pdf"])
    govbr = create(capsys, db, *GOVBR, "--description", "Pedido gov.br", "--field", "protocolos=123456")
    for desk, number in (("sei", sei["number"]), ("govbr", govbr["number"])):
        code, out, err = run(capsys, "tickets", "list", "--desk", desk, "--json", "--db", db, "--user", "joana")
        assert code == 0, err
        assert [t["number"] for t in json.loads(out)["items"]] == [number]
    code, out, err = run(capsys, "tickets", "list", "--json", "--db", db, "--user", "joana")
    assert code == 0, err
    assert json.loads(out)["total"] == 2


def test_track_opens_the_linked_ticket(capsys: pytest.CaptureFixture[str], db: str, files: dict[str, str]) -> None:
    ticket = create(capsys, db, *SEI, "--description", "Alterar nomenclatura do órgão", "--attach", files["pdf"])
    number = str(ticket["number"])
    code, _, err = run(capsys, "tickets", "track", number, "--text", "Acompanhar", "--db", db, "--user", "csg")
    assert code == 1 and "só demandas encaminhadas à unidade técnica" in err
    code, _, err = run(capsys, "tickets", "forward", number, "--area", SEI_TECNICA, "--reason", "Unidade técnica",
                       "--db", db, "--user", "csg")
    assert code == 0, err
    code, out, err = run(capsys, "tickets", "track", number, "--text", "Nomenclatura será alterada.",
                         "--db", db, "--user", "tecnico")
    assert code == 0, err
    tracking = out.split()[3]
    assert out == f"Chamado de acompanhamento {tracking} aberto para a demanda {number}.\n"
    code, out, err = run(capsys, "tickets", "show", number, "--db", db, "--user", "joana")
    assert code == 0, err
    assert f"Chamado de acompanhamento: {tracking}\n" in out
    assert f"Chamado de acompanhamento\nChamado de acompanhamento aberto pela unidade técnica: {tracking}." in out
    code, out, err = run(capsys, "tickets", "show", tracking, "--db", db, "--user", "joana")
    assert code == 0, err
    assert f"Demanda de origem: {number}\n" in out


def test_process_create_with_fields(db: str, files: dict[str, str]) -> None:
    """The installed entry point, end to end, in its own process."""
    result = cli("tickets", "create", "--db", db, "--user", "joana", *SEI, "--description", "Pelo processo",
                 "--attach", files["pdf"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Demanda SEI-00001-")
