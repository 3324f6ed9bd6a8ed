"""E-mail notifications: the requester hears of their ticket's number and of every public change.

``demandas serve --smtp-host ...`` starts a :class:`Notifier`. It listens to the
service's event hub (one event per committed timeline entry) and mails the
requester, in pt-BR, from a background thread: a slow or unreachable SMTP server
never delays or fails a request. Failed sends are retried a few times with
backoff, then dropped with a log line. Internal entries (notes, distribution,
reservation) are never mailed.

The standard library's ``email`` and ``smtplib`` are enough here: one plain-text
message to one relay, with STARTTLS and AUTH built in; no extra dependency.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import queue
import smtplib
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid

from backend.desks import load_desk
from backend.domain import EntryKind, TimelineEntry
from backend.errors import NotFound
from backend.events import EventHub
from backend.store import EventRecord, Store, TicketRow
from backend.text import format_datetime

_log = logging.getLogger("demandas.notify")

ENV_USER = "DEMANDAS_SMTP_USER"
ENV_PASSWORD = "DEMANDAS_SMTP_PASSWORD"
#: Waits between tries of one message: 4 tries over about a minute, then it is dropped.
RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0, 45.0)
#: Messages waiting to be sent; past this (SMTP down for long under load) new ones are dropped.
QUEUE_SIZE = 1000

#: Subject line (after the ticket number) of each public entry kind the requester is told about.
SUBJECTS: dict[EntryKind, str] = {
    EntryKind.CREATED: "Demanda registrada",
    EntryKind.COMMENT: "Nova resposta",
    EntryKind.STATUS: "Status alterado",
    EntryKind.RESOLVED: "Demanda resolvida",
    EntryKind.CANCELED: "Demanda cancelada",
    EntryKind.REOPENED: "Demanda reaberta",
}
_WHAT: dict[EntryKind, str] = {
    EntryKind.COMMENT: "{author} respondeu à sua demanda.",
    EntryKind.STATUS: "{author} alterou o status da demanda.",
    EntryKind.RESOLVED: "{author} resolveu a sua demanda.",
    EntryKind.CANCELED: "{author} cancelou a sua demanda.",
    EntryKind.REOPENED: "{author} reabriu a sua demanda.",
}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send mail. The password never comes from the command line (it would show in ``ps``)."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 15.0

    @classmethod
    def from_env(cls, host: str, sender: str, port: int = 25, starttls: bool = False,
                 environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Settings from the options given, with user and password from DEMANDAS_SMTP_USER/_PASSWORD."""
        env = os.environ if environ is None else environ
        return cls(host=host, sender=sender, port=port, starttls=starttls,
                   user=env.get(ENV_USER) or None, password=env.get(ENV_PASSWORD) or None)


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver one message to the relay; raises OSError/smtplib errors on failure."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


def should_notify(record: EventRecord) -> bool:
    """Creation always; afterwards, public changes made by someone other than the requester.

    The requester's own comments and cancellations need no e-mail: they just did it.
    """
    if record.internal or record.event.kind not in SUBJECTS:
        return False
    return record.event.kind is EntryKind.CREATED or record.event.actor != record.requester


def build_message(store: Store, record: EventRecord, sender: str) -> EmailMessage | None:
    """The pt-BR message for ``record``, or None when there is nobody to tell (no e-mail on file)."""
    row = store.get_ticket(record.event.number)
    if row is None:
        return None
    requester = store.get_user(row.requester_login)
    if requester is None or not requester.email:
        return None
    entry = next((e for e in store.timeline(row.id, include_internal=False) if e.id == record.id), None)
    if entry is None:  # internal after all, or gone: never mail what the requester may not see
        return None
    message = EmailMessage()
    message["From"] = sender
    message["To"] = requester.email
    subject = SUBJECTS[entry.kind]
    if entry.kind is EntryKind.STATUS and entry.status_to:
        subject = f"{subject}: {entry.status_to}"
    message["Subject"] = f"[{row.number}] {subject}"
    message["Date"] = rfc2822_date(entry.created_at)
    # The sender's domain, not the host name: getfqdn() may wait on DNS, and names the machine.
    message["Message-ID"] = make_msgid("demandas", domain=sender.rpartition("@")[2] or "demandas.invalid")
    message.set_content(message_body(row, requester.name, entry))
    return message


def message_body(row: TicketRow, requester_name: str, entry: TimelineEntry) -> str:
    """The text of the e-mail: what changed, the public text, who and when."""
    try:
        desk = load_desk(row.desk).info.name
    except NotFound:
        desk = row.desk
    when = format_datetime(entry.created_at)
    lines = [f"Olá, {requester_name}.", ""]
    if entry.kind is EntryKind.CREATED:
        lines += [
            f"Sua demanda foi registrada no {desk} com o número {row.number}.",
            "Guarde este número para acompanhar o atendimento.",
            "",
            f"Título: {row.title}",
            # Desks without categories (CITSmart: only a theme) leave the empty levels out.
            "Assunto: " + " > ".join(part for part in (row.type, row.category, row.subject) if part),
            f"Registrada por: {entry.author_name} em {when}",
            f"Status: {entry.status_to or row.status}",
            "",
            "Descrição:",
            row.description,
        ]
    else:
        lines += [
            _WHAT[entry.kind].format(author=entry.author_name),
            "",
            f"Demanda: {row.number} — {row.title}",
            f"Por: {entry.author_name} em {when}",
            f"Status: {entry.status_to or row.status}",
        ]
        if entry.text:
            lines += ["", entry.text]
        if entry.attachments:
            lines += ["", "Arquivos anexados: " + ", ".join(a.name for a in entry.attachments)]
    lines += ["", "—", f"Mensagem automática do {desk}. Para responder, use o Demandas "
              f"(demanda {row.number}); respostas a este e-mail não são lidas."]
    return "\n".join(lines) + "\n"


class Notifier:
    """Mails the requester of each ticket event, from its own thread, never blocking the writer."""

    def __init__(self, store: Store, hub: EventHub, settings: SmtpSettings, *,
                 retry_delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.settings = settings
        self._store = store
        self._hub = hub
        self._retry_delays = tuple(retry_delays)
        self._queue: queue.Queue[EventRecord | None] = queue.Queue(maxsize=QUEUE_SIZE)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] = lambda: None

    def start(self) -> Notifier:
        """Listen to the hub and start the sending thread."""
        self._unsubscribe, _ = self._hub.subscribe(self._deliver)
        self._thread = threading.Thread(target=self._run, name="demandas-notify", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening; send what is queued unless it takes over ``timeout`` seconds."""
        self._unsubscribe()
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        self._stopping.set()  # a send still retrying gives up now
        if self._thread is not None:
            self._thread.join(timeout)

    def _deliver(self, record: EventRecord | None) -> None:
        # On the committing thread, inside the hub's lock: only a cheap, non-blocking hand-over.
        if record is not None and not should_notify(record):
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            if record is not None:
                _log.warning("fila de e-mails cheia: notificação de %s (%s) descartada",
                             record.event.number, record.event.kind.value)

    def _run(self) -> None:
        while True:
            try:
                record = self._queue.get(timeout=self._hub.poll_interval)
            except queue.Empty:
                # Idle: pick up writes of other processes on the same database (a CLI with --db).
                self._safely(self._hub.poll)
                continue
            if record is None:
                return
            self._safely(functools.partial(self._notify, record))

    @staticmethod
    def _safely(work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # the thread must outlive any one bad message or database hiccup
            _log.exception("falha ao preparar notificação por e-mail")

    def _notify(self, record: EventRecord) -> None:
        message = build_message(self._store, record, self.settings.sender)
        if message is None:
            return
        delays = iter(self._retry_delays)
        attempt = 1
        while True:
            try:
                send_message(self.settings, message)
                return
            except (OSError, smtplib.SMTPException) as exc:
                delay = next(delays, None)
                if delay is None or self._stopping.is_set():
                    _log.error("e-mail de %s para %s descartado após %d tentativa(s): %s",
                               record.event.number, message["To"], attempt, exc)
                    return
                _log.warning("envio de e-mail de %s falhou (tentativa %d): %s; nova tentativa em %g s",
                             record.event.number, attempt, exc, delay)
                attempt += 1
                if self._stopping.wait(delay):
                    _log.error("e-mail de %s para %s descartado: o servidor está parando",
                               record.event.number, message["To"])
                    return


def start_notifier(store: Store, hub: EventHub, settings: SmtpSettings | None) -> Notifier | None:
    """A running notifier when SMTP is configured; None (no mail, no error) otherwise."""
    if settings is None:
        return None
    return Notifier(store, hub, settings).start()
