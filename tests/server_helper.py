"""A real ``demandas serve`` for tests: uvicorn on a loopback port, in a thread; and tokens to call it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from backend.accounts import Accounts
from backend.api_models import MAX_BODY_BYTES
from backend.domain import Role
from backend.server import DemandasServer, create_app
from backend.service import HelpdeskService
from backend.store import Store

START_TIMEOUT = 10.0


@contextmanager
def running_server(db_path: Path, service: HelpdeskService | None = None, *,
                   max_body_bytes: int = MAX_BODY_BYTES, port: int = 0, **app_options: Any) -> Iterator[str]:
    """Serve ``db_path`` (or ``service``) on 127.0.0.1 until the block ends; yields the base URL.

    ``port`` 0 picks a free one; a test that restarts the server passes the port it had.
    """
    store: Store | None = None
    if service is None:
        store = Store(db_path)
        service = HelpdeskService(store)
    app = create_app(service, max_body_bytes=max_body_bytes, **app_options)
    # Bind first and hand the socket over: no window in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, as serve()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart reuses the port at once
    sock.bind(("127.0.0.1", port))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = DemandasServer(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2), service.events)
    # Off the main thread uvicorn installs no signal handlers, so Ctrl+C still stops pytest.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="demandas-test-server",
                              daemon=True)
    thread.start()
    try:
        _wait_until_healthy(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        if store is not None:
            store.close()
        if thread.is_alive():
            raise RuntimeError("the test server did not stop within 10 s")


def issue_token(store: Store, login: str, name: str | None = None, role: Role = Role.REQUESTER,
                areas: tuple[str, ...] = ()) -> str:
    """A fresh token for ``login``, created (with ``role``) if the store does not know it yet."""
    accounts = Accounts(store)
    if store.get_user(login) is None:
        accounts.add_user(login, name or login, role=role, areas=areas)
    return accounts.create_token(login, "testes")[1]


def _wait_until_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server thread died while starting")
        try:
            if httpx.get(f"{base_url}/health", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"the test server at {base_url} did not answer /health within {START_TIMEOUT:g} s")
