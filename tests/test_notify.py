"""E-mail notifications against a real SMTP server (aiosmtpd) and a real ``demandas serve`` on 127.0.0.1.

"No mail" is proven without sleeping: the notifier sends in order, so when the next
message to arrive is the one of a later change, the earlier change sent nothing.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backend.accounts import Accounts
from backend.domain import Role
from backend.notify import ENV_PASSWORD, ENV_USER, Notifier, SmtpSettings, start_notifier
from backend.service import HelpdeskService
from backend.store import Store
from tests.contract.conftest import SISTEMAS
from tests.contract.test_tickets import SEED_EXAMPLE
from tests.server_helper import running_server
from tui.cli import build_parser, main, smtp_settings

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
MAIL_WAIT = 15.0
SENDER = "demandas@cage.rs.gov.br"


def free_port() -> int:
    """A loopback port nobody listens on now (aiosmtpd needs a fixed port to check it started)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message received; ``hold`` makes it answer DATA only when released."""

    def __init__(self) -> None:
        self.messages: queue.Queue[tuple[list[str], EmailMessage]] = queue.Queue()
        self.hold = threading.Event()
        self.hold.set()
        self.waiting = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        if not self.hold.is_set():
            self.waiting.set()
            # Longer than a request may take (10 s): a sender that waited on SMTP would fail the request.
            await asyncio.to_thread(self.hold.wait, 60)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.put((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def next(self) -> tuple[list[str], EmailMessage]:
        """The next message received (fails after MAIL_WAIT seconds without one)."""
        try:
            return self.messages.get(timeout=MAIL_WAIT)
        except queue.Empty:
            raise AssertionError(f"no e-mail arrived within {MAIL_WAIT:g} s") from None


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 and its port."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.hold.set()
        controller.stop()


@dataclass
class Mailing:
    url: str
    tokens: dict[str, str]
    inbox: Inbox

    def post(self, login: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.url}{API}{path}", json=body, timeout=10,
                          headers={"Authorization": f"Bearer {self.tokens[login]}"})

    def create(self, login: str) -> str:
        body = {k: getattr(SEED_EXAMPLE, k) for k in ("title", "orgao", "type", "category", "subject",
                                                         "description")}
        response = self.post(login, "/tickets", body)
        assert response.status_code == 201, response.text
        return str(response.json()["number"])


def _prepare(db: Path) -> dict[str, str]:
    store = Store(db)
    accounts = Accounts(store)
    accounts.add_user("maria", "Maria Clara Souza", "maria@sefaz.rs.gov.br")
    accounts.add_user("semmail", "Sem Email")
    accounts.add_user("bruno", "Bruno Sistemas", "bruno@cage.rs.gov.br", role=Role.AGENT, areas=(SISTEMAS,))
    tokens = {login: accounts.create_token(login)[1] for login in ("maria", "semmail", "bruno")}
    store.close()
    return tokens


@pytest.fixture
def mailing(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Mailing]:
    """A server whose notifier sends to the inbox."""
    handler, port = inbox
    db = tmp_path / "mail.db"
    tokens = _prepare(db)
    store = Store(db)
    service = HelpdeskService(store)
    notifier = Notifier(store, service.events, SmtpSettings("127.0.0.1", SENDER, port=port),
                        retry_delays=(0.05,)).start()
    try:
        with running_server(db, service) as url:
            yield Mailing(url, tokens, handler)
    finally:
        notifier.close()
        store.close()


def test_creation_mails_the_number_to_the_requester(mailing: Mailing) -> None:
    number = mailing.create("maria")
    to, message = mailing.inbox.next()
    assert to == ["maria@sefaz.rs.gov.br"]
    assert message["To"] == "maria@sefaz.rs.gov.br"
    assert message["From"] == SENDER
    assert message["Message-ID"].endswith("@cage.rs.gov.br>")
    assert message["Subject"] == f"[{number}] Demanda registrada"
    body = message.get_content()
    assert f"Sua demanda foi registrada no e-CAGE — Atendimento CAGE Virtual com o número {number}." in body
    assert "Olá, Maria Clara Souza." in body
    assert SEED_EXAMPLE.description in body
    assert re.search(r"Registrada por: Maria Clara Souza em \d{2}/\d{2}/\d{4} \d{2}:\d{2}", body)


def test_a_desk_without_categories_mails_only_the_theme(mailing: Mailing) -> None:
    from tests.contract.test_evaluations import UASG

    body = {"title": "", "orgao": "", "type": UASG.type, "category": "", "subject": "", "desk": "citsmart",
            "description": UASG.description, "fields": UASG.fields}
    response = mailing.post("maria", "/tickets", body)
    assert response.status_code == 201, response.text
    _, message = mailing.inbox.next()
    assert message["Subject"] == f"[{response.json()['number']}] Demanda registrada"
    content = message.get_content()
    assert "Sua demanda foi registrada no CITSmart — Compras.gov.br com o número CIT-00001-" in content
    assert "Assunto: Reativação de UASG" in content.splitlines()


def test_public_reply_mails_and_internal_note_does_not(mailing: Mailing) -> None:
    number = mailing.create("maria")
    mailing.inbox.next()
    note = mailing.post("bruno", f"/tickets/{number}/note", {"text": "Segredo interno da equipe."})
    assert note.status_code == 200, note.text
    reply = mailing.post("bruno", f"/tickets/{number}/reply", {"text": "Ajuste feito na retenção."})
    assert reply.status_code == 200, reply.text
    to, message = mailing.inbox.next()
    # The next mail is the reply's: the note (and the reservation it made) sent nothing.
    assert to == ["maria@sefaz.rs.gov.br"]
    assert message["Subject"] == f"[{number}] Nova resposta"
    body = message.get_content()
    assert "Bruno Sistemas respondeu à sua demanda." in body
    assert "Ajuste feito na retenção." in body
    assert "Segredo" not in body
    assert re.search(r"Por: Bruno Sistemas em \d{2}/\d{2}/\d{4} \d{2}:\d{2}", body)


def test_status_changes_by_staff_are_mailed_but_the_requesters_own_comment_is_not(mailing: Mailing) -> None:
    number = mailing.create("maria")
    mailing.inbox.next()
    asked = mailing.post("bruno", f"/tickets/{number}/ask", {"text": "Envie o print da tela."})
    assert asked.status_code == 200, asked.text
    _, message = mailing.inbox.next()
    assert message["Subject"] == f"[{number}] Status alterado: Aguardando Solicitante"
    assert "Envie o print da tela." in message.get_content()
    # Her answer moves the ticket back (a status change of her own): no mail for either entry.
    assert mailing.post("maria", f"/tickets/{number}/comments", {"text": "Mais detalhes."}).status_code == 200
    resolved = mailing.post("bruno", f"/tickets/{number}/resolve", {"text": "Retenção corrigida."})
    assert resolved.status_code == 200, resolved.text
    _, message = mailing.inbox.next()
    assert message["Subject"] == f"[{number}] Demanda resolvida"
    assert "Retenção corrigida." in message.get_content()
    assert "Status: Resolvido" in message.get_content()


def test_a_requester_without_email_gets_nothing_and_nothing_fails(mailing: Mailing) -> None:
    mine = mailing.create("semmail")
    theirs = mailing.create("maria")
    to, message = mailing.inbox.next()
    assert to == ["maria@sefaz.rs.gov.br"]
    assert message["Subject"] == f"[{theirs}] Demanda registrada"
    assert mine != theirs


def test_a_slow_smtp_server_does_not_hold_the_request(mailing: Mailing) -> None:
    mailing.inbox.hold.clear()
    number = mailing.create("maria")  # answered while the SMTP server still sits on the message
    assert mailing.inbox.waiting.wait(MAIL_WAIT)
    assert mailing.inbox.messages.empty()
    mailing.inbox.hold.set()
    _, message = mailing.inbox.next()
    assert message["Subject"] == f"[{number}] Demanda registrada"


def test_smtp_down_the_request_succeeds_and_the_mail_is_dropped_with_a_log(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "down.db"
    tokens = _prepare(db)
    store = Store(db)
    service = HelpdeskService(store)
    port = free_port()  # nothing listens there
    notifier = Notifier(store, service.events, SmtpSettings("127.0.0.1", SENDER, port=port, timeout=2),
                        retry_delays=(0.01, 0.02)).start()
    caplog.set_level(logging.WARNING, logger="demandas.notify")
    try:
        with running_server(db, service) as url:
            handler = Inbox()
            mailing = Mailing(url, tokens, handler)
            number = mailing.create("maria")
            deadline = time.monotonic() + MAIL_WAIT
            while not any("descartado" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
                time.sleep(0.02)
            dropped = [r.getMessage() for r in caplog.records if "descartado" in r.getMessage()]
            assert len(dropped) == 1
            assert dropped[0].startswith(f"e-mail de {number} para maria@sefaz.rs.gov.br descartado após 3 "
                                         "tentativa(s): ")
            assert sum("falhou" in r.getMessage() for r in caplog.records) == 2
            # The sender survived: once SMTP is back, the next change is mailed.
            controller = Controller(handler, hostname="127.0.0.1", port=port)
            controller.start()
            try:
                reply = mailing.post("bruno", f"/tickets/{number}/reply", {"text": "Voltamos."})
                assert reply.status_code == 200
                _, message = handler.next()
                assert message["Subject"] == f"[{number}] Nova resposta"
            finally:
                controller.stop()
    finally:
        notifier.close()
        store.close()


def test_without_smtp_settings_there_is_no_notifier(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    try:
        assert start_notifier(store, HelpdeskService(store).events, None) is None
    finally:
        store.close()
    args = build_parser().parse_args(["serve"])
    assert smtp_settings(args) is None


def test_serve_options_and_environment_make_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_USER, "relay")
    monkeypatch.setenv(ENV_PASSWORD, "s3nh@")
    args = build_parser().parse_args(["serve", "--smtp-host", "smtp.rs.gov.br", "--smtp-from", SENDER,
                                      "--smtp-starttls"])
    settings = smtp_settings(args)
    assert settings == SmtpSettings("smtp.rs.gov.br", SENDER, port=587, starttls=True, user="relay",
                                    password="s3nh@")
    assert "s3nh@" not in repr(settings)


@pytest.mark.parametrize(("argv", "message"), [
    (["--smtp-host", "smtp.rs.gov.br"], "informe o remetente dos e-mails com --smtp-from"),
    (["--smtp-host", "smtp.rs.gov.br", "--smtp-from", "ninguem"], "remetente inválido em --smtp-from: 'ninguem'"),
    (["--smtp-from", SENDER], "as opções --smtp-* precisam de --smtp-host"),
])
def test_serve_refuses_incomplete_smtp_options(argv: list[str], message: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_demandas_serve_sends_mail_with_the_login_from_the_environment(
        tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    """The real command: options, DEMANDAS_SMTP_USER/PASSWORD, AUTH against the SMTP server."""
    handler, _ = inbox
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.login == b"relay" and data.password == b"s3nh@")

    port = free_port()
    auth_smtp = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                           auth_require_tls=False)
    auth_smtp.start()
    db = tmp_path / "served.db"
    tokens = _prepare(db)
    env = {**os.environ, ENV_USER: "relay", ENV_PASSWORD: "s3nh@"}
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--db", str(db), "--port", str(free_port()),
                             "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-from", SENDER],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(30, proc.kill)
    try:
        assert proc.stderr is not None
        watchdog.start()  # a server that never announces itself is killed, and readline() returns ""
        lines = [proc.stderr.readline().strip(), proc.stderr.readline().strip()]
        assert lines[1].startswith("Servidor Demandas em"), lines
        assert lines[0] == f"Notificações por e-mail via 127.0.0.1:{port} (remetente: {SENDER})."
        found = re.search(r"em (http://\S+) ", lines[-1])
        assert found
        number = Mailing(found[1], tokens, handler).create("maria")
        to, message = handler.next()
        assert to == ["maria@sefaz.rs.gov.br"]
        assert message["Subject"] == f"[{number}] Demanda registrada"
        assert logins == [(b"relay", b"s3nh@")]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        auth_smtp.stop()
