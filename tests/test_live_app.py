"""The running app against a real ``demandas serve`` on 127.0.0.1: live updates and a server restart.

Issue #5 asks for both against a real server: a reply made through the CLI appears in
a running app without a manual refresh, and the app keeps working (draft intact)
after the server goes away and comes back.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

from textual.widgets import Static

from backend.domain import TicketQuery
from backend.service import HelpdeskService
from backend.store import Store
from screens.new_ticket import NewTicketScreen
from screens.ticket_detail import TicketDetailScreen
from tests.form.conftest import settle
from tests.form.test_in_app import open_new_ticket
from tests.form.test_new_ticket import SEED, fill_directly
from tests.server_helper import running_server
from tests.test_shared_server import Shared, cli, prepare, shared  # noqa: F401 (the fixture)
from tests.tui.test_live import messages, wait_until
from tui.adapters.http import HttpAdapter
from tui.app import DemandasApp
from widgets.timeline import TimelineEntryView

FAST = (0.05, 0.1, 0.2)


async def test_a_reply_made_with_the_cli_appears_in_the_running_app(shared: Shared) -> None:  # noqa: F811
    number = shared.new_ticket()
    adapter = HttpAdapter(shared.url, shared.tokens["maria"], event_delays=(0.1, 0.2))
    app = DemandasApp(adapter, ask_profile=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_ticket(number)
            await settle(pilot)
            assert isinstance(app.screen, TicketDetailScreen)
            await pilot.pause(0.3)  # the event stream is connected
            for verb, text in (("note", "Só para a equipe."), ("reply", "Corrigido no FPE, pode testar.")):
                done = await asyncio.to_thread(cli, "tickets", verb, number, "--text", text, "--server", shared.url,
                                               env={"DEMANDAS_TOKEN": shared.tokens["bruno"]})
                assert done.returncode == 0, done.stderr

            def timeline() -> list[str]:
                return [str(view.content) for view in app.screen.query(TimelineEntryView)]

            await wait_until(pilot, lambda: any("Corrigido no FPE" in e for e in timeline()), "the reply shown")
            await wait_until(pilot, lambda: f"Nova resposta em {number}" in messages(app), "the notice")
            # The internal note never reaches the requester: not in the timeline, not in a notice.
            assert not any("Só para a equipe" in e for e in timeline())
            assert not any("observação" in m for m in messages(app))
    finally:
        await adapter.aclose()


async def test_the_app_survives_a_server_restart_with_the_draft_intact(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    tokens = prepare(db)
    adapter = HttpAdapter("http://127.0.0.1:1", tokens["maria"], retry_delays=FAST, event_delays=(0.1, 0.2))
    app = DemandasApp(adapter, ask_profile=False)
    with ExitStack() as stack:
        url = stack.enter_context(running_server(db))
        adapter.base_url, adapter.location = url, f"servidor: {url}"
        port = int(url.rsplit(":", 1)[1])
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await open_new_ticket(pilot)
            screen = app.screen
            assert isinstance(screen, NewTicketScreen)
            await fill_directly(pilot, "Escrito antes da queda do servidor.")
            await asyncio.to_thread(stack.close)  # the server stops
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.offline, "the banner")
            await settle(pilot)
            # Nothing typed is lost: on screen and in the draft on disk.
            assert app.screen is screen
            values = screen.values()
            assert {k: values[k] for k in SEED} == SEED
            assert values["description"] == "Escrito antes da queda do servidor."
            draft = screen.drafts.load(screen.draft_key)
            assert draft is not None and draft.values["description"] == "Escrito antes da queda do servidor."
            assert "O que digitou foi mantido" in str(screen.query_one("#form-error", Static).content)
            # The server comes back on the same port: the banner goes by itself, sending works once.
            await asyncio.to_thread(stack.enter_context, running_server(db, port=port))
            await wait_until(pilot, lambda: not app.offline, "the banner cleared")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), "the ticket sent")
            await settle(pilot)
            assert screen.drafts.load(screen.draft_key) is None
        store = Store(db)
        try:
            page = HelpdeskService(store).list_tickets("maria", TicketQuery(active_only=False))
        finally:
            store.close()
        assert [t.title for t in page.items] == [SEED["title"]]
    await adapter.aclose()

