"""Accounts and tokens on the server (``demandas admin``), and the client side: login, logout, secrets, settings."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from backend.accounts import Accounts
from backend.errors import Unauthenticated
from backend.store import Store
from tests.keyrings import MemoryKeyring
from tests.server_helper import issue_token, running_server
from tests.test_cli import run
from tui import secrets, settings
from tui.connect import UsageError, make_adapter, resolve_server

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:8765"


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """An in-memory keyring (what a desktop session has)."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring() -> None:
    """No keyring at all: every call raises NoKeyringError, as on a headless server over SSH."""
    keyring.set_keyring(FailKeyring())  # type: ignore[no-untyped-call]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A real server with maria and her token."""
    db = tmp_path / "server.db"
    store = Store(db)
    token = issue_token(store, "maria", "Maria Clara")
    store.close()
    with running_server(db) as url:
        yield url, token, db


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- secrets ------------------------------------------------------------------------------


def test_token_goes_to_the_keyring_when_there_is_one(memory_keyring: MemoryKeyring) -> None:
    saved = secrets.save_token(URL, "dmd_abc")
    assert saved.in_keyring and saved.warning is None
    assert memory_keyring.items == {("demandas", URL): "dmd_abc"}
    assert not secrets.token_file(URL).exists()
    assert secrets.load_token(URL) == "dmd_abc"
    assert secrets.delete_token(URL) == ["chaveiro do sistema"]
    assert secrets.load_token(URL) is None


def test_the_environment_comes_first(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.save_token(URL, "dmd_do_chaveiro")
    monkeypatch.setenv("DEMANDAS_TOKEN", "dmd_do_ambiente")
    assert secrets.load_token(URL) == "dmd_do_ambiente"


def test_without_a_keyring_the_token_goes_to_a_0600_file(no_keyring: None) -> None:
    old_umask = os.umask(0)  # even a careless umask must not open the file to others
    try:
        saved = secrets.save_token(URL, "dmd_arquivo")
    finally:
        os.umask(old_umask)
    assert not saved.in_keyring
    path = secrets.token_file(URL)
    assert saved.path == path and path.name == "token-127.0.0.1-8765"
    assert mode_of(path) == 0o600
    assert saved.warning is not None and "não há chaveiro do sistema" in saved.warning and str(path) in saved.warning
    assert secrets.load_token(URL) == "dmd_arquivo"
    # Saving again replaces it, still 0600, and leaves no temporary file behind.
    secrets.save_token(URL, "dmd_novo")
    assert secrets.load_token(URL) == "dmd_novo" and mode_of(path) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_with_a_token_file_the_keyring_is_not_even_looked_for(no_keyring: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Finding out that a headless server has no keyring costs ~150 ms at every start (issue #7).
    secrets.save_token(URL, "dmd_arquivo")

    def no_keyring_lookup(url: str) -> None:
        raise AssertionError("the keyring was consulted")

    monkeypatch.setattr(secrets, "_keyring_get", no_keyring_lookup)
    assert secrets.load_token(URL) == "dmd_arquivo"


def test_a_login_saved_to_the_file_wins_over_an_older_keyring_token(memory_keyring: MemoryKeyring) -> None:
    secrets.save_token(URL, "dmd_velho")  # a desktop session, keyring available
    keyring.set_keyring(FailKeyring())  # type: ignore[no-untyped-call]  # a later login without one
    secrets.save_token(URL, "dmd_novo")
    keyring.set_keyring(memory_keyring)  # the keyring is back, still with the old token
    assert secrets.load_token(URL) == "dmd_novo"
    secrets.save_token(URL, "dmd_de_novo_no_chaveiro")  # a login that reaches the keyring removes the file
    assert not secrets.token_file(URL).exists()
    assert secrets.load_token(URL) == "dmd_de_novo_no_chaveiro"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_token_file_others_can_read_is_refused(no_keyring: None, mode: int) -> None:
    secrets.save_token(URL, "dmd_exposto")
    path = secrets.token_file(URL)
    path.chmod(mode)
    with pytest.raises(secrets.InsecureTokenFile) as caught:
        secrets.load_token(URL)
    assert f"pode ser lido por outros usuários (permissões {mode:04o})" in caught.value.message
    assert f"chmod 600 {path}" in caught.value.message


def test_a_symlink_is_never_followed(no_keyring: None, tmp_path: Path) -> None:
    victim = tmp_path / "outro-arquivo"
    victim.write_text("não mexa")
    path = secrets.token_file(URL)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(victim)
    with pytest.raises(secrets.InsecureTokenFile, match="link simbólico"):
        secrets.load_token(URL)
    secrets.save_token(URL, "dmd_seguro")
    assert victim.read_text() == "não mexa"  # the link was replaced, not written through
    assert not path.is_symlink() and mode_of(path) == 0o600


def test_token_file_names(tmp_path: Path) -> None:
    assert secrets.token_file("https://demandas.orgao.rs.gov.br").name == "token-demandas.orgao.rs.gov.br"
    assert secrets.token_file("http://[::1]:9000").name == "token-__1-9000"
    assert secrets.token_file("http://a/../../x").name == "token-a"


# -- settings -----------------------------------------------------------------------------


def test_settings_keep_other_keys_and_survive_round_trips() -> None:
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "nord"\n[teclas]\nsair = "q"\n', encoding="utf-8")
    settings.save_server('http://servidor:8765/"x"')
    assert settings.saved_server() == 'http://servidor:8765/"x"'
    assert settings.load_settings() == {"theme": "nord", "teclas": {"sair": "q"}, "server": 'http://servidor:8765/"x"'}
    assert settings.forget_server() and settings.saved_server() is None
    assert not settings.forget_server()
    path.write_text("server = ", encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=r"O arquivo de configuração .* está inválido"):
        settings.saved_server()


def test_the_saved_server_is_used_when_nothing_else_is_chosen(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    assert resolve_server(None, None) is None
    settings.save_server(URL)
    assert resolve_server(None, None) == URL
    assert resolve_server(tmp_path / "a.db", None) is None  # --db beats it
    assert resolve_server(None, "http://outro:1") == "http://outro:1"
    monkeypatch.setenv("DEMANDAS_DB", str(tmp_path / "b.db"))
    assert resolve_server(None, None) is None


async def test_make_adapter_needs_a_token_for_a_server(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(Unauthenticated, match=r"Sem token de acesso para http://127\.0\.0\.1:8765\. Rode "
                                               r"`demandas login http://127\.0\.0\.1:8765`"):
        make_adapter(None, "127.0.0.1:8765", None)
    secrets.save_token(URL, "dmd_salvo")
    adapter = make_adapter(None, "127.0.0.1:8765/", None)
    try:
        assert adapter.location == f"servidor: {URL}"
    finally:
        await adapter.aclose()
    with pytest.raises(UsageError, match="--user só vale no modo local"):
        make_adapter(None, URL, "gestor")


# -- login and logout -----------------------------------------------------------------------


def test_login_checks_the_token_and_saves_url_and_token(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        memory_keyring: MemoryKeyring,
                                                        server: tuple[str, str, Path]) -> None:
    url, token, _ = server
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return token

    monkeypatch.setattr("getpass.getpass", ask)
    code, out, err = run(capsys, "login", url)
    assert code == 0, err
    assert prompts == [f"Token de acesso para {url} (não aparece ao digitar): "]
    assert f"Conectado a {url} como Maria Clara (maria)." in out and "chaveiro do sistema" in out
    assert token not in out + err
    assert settings.saved_server() == url
    assert memory_keyring.items == {("demandas", url): token}
    # Now plain `demandas` commands use that server and that identity.
    code, out, err = run(capsys, "tickets", "list", "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 0
    code, out, _ = run(capsys, "logout")
    assert code == 0 and f"Desconectado de {url}: token apagado (chaveiro do sistema)." in out
    assert settings.saved_server() is None and memory_keyring.items == {}


def test_login_with_a_bad_token_saves_nothing(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                              memory_keyring: MemoryKeyring, server: tuple[str, str, Path]) -> None:
    url, _, _ = server
    monkeypatch.setattr("getpass.getpass", lambda prompt: "dmd_inventado")
    code, out, err = run(capsys, "login", url)
    assert code == 1 and out == ""
    assert err.startswith("Erro: Token de acesso inválido ou revogado.")
    assert settings.saved_server() is None and memory_keyring.items == {}


def test_login_without_a_keyring_warns_and_uses_the_file(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, no_keyring: None,
                                                         server: tuple[str, str, Path]) -> None:
    url, token, _ = server
    monkeypatch.setattr("getpass.getpass", lambda prompt: token)
    code, out, err = run(capsys, "login", url)
    assert code == 0, err
    path = secrets.token_file(url)
    assert "Atenção: não há chaveiro do sistema" in err and str(path) in err
    assert mode_of(path) == 0o600 and path.read_text().strip() == token
    code, out, err = run(capsys, "tickets", "list")
    assert code == 0, err
    path.chmod(0o644)
    code, out, err = run(capsys, "tickets", "list")
    assert code == 1 and "pode ser lido por outros usuários" in err
    code, out, _ = run(capsys, "logout")
    assert code == 0 and str(path) in out and not path.exists()


def test_login_in_a_real_process_over_ssh(server: tuple[str, str, Path], tmp_path: Path) -> None:
    """A headless session: no keyring (PYTHON_KEYRING_BACKEND=fail), token given on stdin."""
    url, token, _ = server
    env = {**os.environ}
    done = subprocess.run([sys.executable, "-m", "tui.cli", "login", url, "--token-stdin"], input=token + "\n",
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    path = secrets.token_file(url)
    assert mode_of(path) == 0o600
    done = subprocess.run([sys.executable, "-m", "tui.cli", "tickets", "list"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0 and "Nenhuma demanda encontrada." in done.stdout


# -- admin --------------------------------------------------------------------------------


def test_admin_users_and_tokens(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "admin.db")
    code, out, err = run(capsys, "admin", "users", "add", "Bruno", "--name", "Bruno Sistemas", "--email",
                         "bruno@cage.rs.gov.br", "--role", "agent", "--area", "CAGE – Suporte Sistemas", "--db", db)
    assert (code, out) == (0, "Usuário bruno criado: Bruno Sistemas, atendente (áreas: CAGE – Suporte Sistemas).\n")
    code, out, _ = run(capsys, "admin", "users", "add", "bruno", "--name", "Bruno S.", "--role", "manager",
                       "--db", db)
    assert out == "Usuário bruno atualizado: Bruno S., gestor.\n"
    code, out, _ = run(capsys, "admin", "users", "list", "--json", "--db", db)
    assert [(u["login"], u["role"], u["email"]) for u in json.loads(out)] == [
        ("bruno", "manager", "bruno@cage.rs.gov.br")]

    code, out, err = run(capsys, "admin", "tokens", "create", "bruno", "--label", "notebook", "--db", db)
    assert code == 0 and "não será mostrado de novo" in err
    secret = out.strip()
    assert secret.startswith("dmd_") and len(secret) > 40
    store = Store(Path(db))
    try:
        assert Accounts(store).authenticate(secret).login == "bruno"
        stored = store.conn.execute("SELECT token_hash FROM tokens").fetchone()[0]
        assert secret not in stored  # only the hash is kept
    finally:
        store.close()
    code, out, _ = run(capsys, "admin", "tokens", "list", "--db", db)
    assert "notebook" in out and "ativo" in out and secret not in out
    code, out, _ = run(capsys, "admin", "tokens", "revoke", "1", "--db", db)
    assert out == "Token 1 (bruno) revogado.\n"
    code, out, _ = run(capsys, "admin", "tokens", "list", "--json", "--db", db)
    assert json.loads(out)[0]["revoked_at"] is not None
    store = Store(Path(db))
    try:
        with pytest.raises(Unauthenticated):
            Accounts(store).authenticate(secret)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["admin", "users", "add", "x", "--name", "X", "--area", "Inexistente", "--role", "agent"], 1,
         "Erro: Área desconhecida: 'Inexistente'."),
        (["admin", "users", "add", "x", "--name", "X", "--area", "CAGE – Orientação"], 1,
         "Erro: Só atendentes, gestores e administradores têm áreas."),
        (["admin", "users", "add", "João", "--name", "X"], 1, "Erro: Login inválido: 'joão'."),
        (["admin", "users", "add", "x", "--name", "X", "--role", "chefe"], 2, "opção inválida: 'chefe'"),
        (["admin", "tokens", "create", "ninguem"], 1, "Erro: Usuário 'ninguem' não existe."),
        (["admin", "tokens", "revoke", "99"], 1, "Erro: Token 99 não encontrado."),
        (["admin", "tokens", "list", "--server", URL], 2, "--server não se aplica"),
        (["admin", "users", "list", "--user", "gestor"], 2, "--user não se aplica"),
        (["logout"], 1, "Erro: Nenhum servidor salvo; informe a URL"),
    ],
)
def test_admin_refusals(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], code: int,
                        message: str) -> None:
    got, _, err = run(capsys, *argv, *(["--db", str(tmp_path / "a.db")] if argv[0] == "admin" else []))
    assert got == code and message in err, err
