"""Drafts: saved while typing, offered back after a crash, never half-written."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from backend.domain import Ticket
from screens.draft_recovery import DraftRecoveryScreen
from screens.new_ticket import NewTicketScreen
from tests.form.conftest import Backend, settle
from tests.form.test_new_ticket import (
    SEED,
    attachments,
    description,
    fill_directly,
    form_app,
    picker,
    screen_of,
    stored,
)
from tui.config import data_dir
from tui.drafts import DraftStore, location_folder

ROOT = Path(__file__).resolve().parents[2]
SAVED = datetime(2024, 1, 16, 15, 49, tzinfo=UTC)


# -- the store -----------------------------------------------------------------


def test_save_load_roundtrip_private_and_atomic() -> None:
    store = DraftStore("local: /srv/demandas.db", clock=lambda: SAVED)
    assert store.save("ecage-new", {"title": "Nova Demanda", "attachments": ["/tmp/a.jpg"]})
    path = store.path("ecage-new")
    assert path.parent.parent == data_dir() / "drafts"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    draft = store.load("ecage-new")
    assert draft is not None
    assert draft.saved_at == SAVED
    assert draft.text("title") == "Nova Demanda" and draft.paths("attachments") == ["/tmp/a.jpg"]
    assert [p.name for p in path.parent.iterdir()] == ["ecage-new.json"]  # no temporary file left


def test_local_and_remote_drafts_do_not_mix() -> None:
    local = DraftStore("local: /home/ana/.local/share/demandas/demandas.db")
    remote = DraftStore("servidor: https://demandas.sefaz.rs.gov.br")
    local.save("ecage-new", {"title": "local"})
    remote.save("ecage-new", {"title": "remoto"})
    assert local.path("ecage-new") != remote.path("ecage-new")
    assert location_folder(remote.location).startswith("servidor-")
    local_draft, remote_draft = local.load("ecage-new"), remote.load("ecage-new")
    assert local_draft is not None and local_draft.text("title") == "local"
    assert remote_draft is not None and remote_draft.text("title") == "remoto"


def test_blank_form_removes_the_draft_and_bad_files_are_ignored() -> None:
    store = DraftStore("local: x")
    store.save("ecage-new", {"title": "algo"})
    assert not store.save("ecage-new", {"title": "  ", "attachments": []})
    assert not store.path("ecage-new").exists()
    store.path("ecage-new").write_text("{ pela metade", encoding="utf-8")
    assert store.load("ecage-new") is None
    store.path("ecage-new").write_text(json.dumps({"location": "outro", "saved_at": SAVED.isoformat(),
                                                   "values": {"title": "x"}}), encoding="utf-8")
    assert store.load("ecage-new") is None
    with pytest.raises(ValueError):
        store.path("../fora")


def test_a_failed_write_keeps_the_previous_draft(monkeypatch: pytest.MonkeyPatch) -> None:
    store = DraftStore("local: x")
    store.save("ecage-new", {"title": "versão boa"})

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(os, "fsync", broken_fsync)
        store.save("ecage-new", {"title": "versão nova"})
    draft = store.load("ecage-new")
    assert draft is not None and draft.text("title") == "versão boa"
    assert [p.name for p in store.folder.iterdir()] == ["ecage-new.json"]


# -- the form ------------------------------------------------------------------


async def test_draft_survives_a_dead_terminal(backend: Backend, files: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app = form_app(backend)
    with monkeypatch.context() as patch:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await fill_directly(pilot, "Texto que não pode se perder.")
            attachments(screen).add_path("docs/planilha.csv")
            await pilot.press(*" Mais")  # typing into the title: saved after the debounce
            await pilot.pause(0.8)
            await settle(pilot)
            saved = json.loads(screen.drafts.path(screen.draft_key).read_text(encoding="utf-8"))
            assert saved["values"]["title"] == "Nova Demanda Mais"
            assert saved["values"]["subject"] == SEED["subject"]
            assert saved["values"]["attachments"] == [str(files / "planilha.csv")]
            # The terminal dies: no escape, and the teardown may not write anything more.
            patch.setattr(NewTicketScreen, "flush_draft", lambda self: False)

    again = form_app(backend)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, DraftRecoveryScreen)
        await pilot.press("s")
        await settle(pilot)
        screen = screen_of(pilot)
        title = screen.box("title").control
        assert isinstance(title, Input) and title.value == "Nova Demanda Mais"
        for name in ("orgao", "type", "category", "subject"):
            assert picker(screen, name).value == SEED[name]
        assert description(screen).text == "Texto que não pode se perder."
        assert [f.name for f in attachments(screen).files] == ["planilha.csv"]
        assert len(picker(screen, "subject").options) > 10  # the cascade reloaded, not just the text


async def test_discarding_the_draft_starts_empty(backend: Backend) -> None:
    store = DraftStore(backend.adapter().location, clock=lambda: SAVED)
    store.save("ecage-new", {"title": "antigo"})
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        recovery = pilot.app.screen
        assert isinstance(recovery, DraftRecoveryScreen)
        question = recovery.query_one("#recovery-question")
        assert str(question.content) == "Recuperar rascunho de 16/01/2024 12:49?"
        await pilot.press("d")
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.values()["title"] == ""
        assert store.load("ecage-new") is None


async def test_sending_deletes_the_draft(backend: Backend) -> None:
    app = form_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fill_directly(pilot)
        await pilot.pause(0.8)
        await settle(pilot)
        assert screen.drafts.load(screen.draft_key) is not None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.results[0], Ticket)
    assert screen.drafts.load(screen.draft_key) is None


KILLED_FORM = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.form.conftest import Backend, FormApp, settle
    from screens.new_ticket import NewTicketScreen

    async def main():
        backend = Backend(Path({db!r}))
        app = FormApp(backend.adapter(), lambda a: NewTicketScreen(a, backend.desk))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.box("description").control.text_area.focus()
            n = 0
            while True:  # keeps typing until killed
                await pilot.press(*f"linha {{n}} ")
                n += 1

    asyncio.run(main())
""")


def test_kill_9_while_typing_leaves_a_whole_draft(backend: Backend, tmp_path: Path) -> None:
    script = tmp_path / "killed_form.py"
    script.write_text(KILLED_FORM.format(root=str(ROOT), db=str(backend.path)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    store = DraftStore(backend.adapter().location)
    path = store.path("ecage-new")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and "linha 3" in path.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.3)  # mid-typing, maybe mid-write
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    draft = store.load("ecage-new")
    assert draft is not None
    assert draft.text("description").startswith("linha 0 linha 1 linha 2 linha 3")


async def test_resending_a_recovered_draft_does_not_duplicate(backend: Backend,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The server created the ticket, then the terminal died before the draft was removed."""
    first = form_app(backend)
    with monkeypatch.context() as patch:
        async with first.run_test(size=(80, 24)) as pilot:
            await fill_directly(pilot)
            await pilot.pause(0.8)
            await settle(pilot)
            patch.setattr(DraftStore, "delete", lambda self, key: None)
            await pilot.press("ctrl+s")
            await settle(pilot)
            [created] = first.results
            assert isinstance(created, Ticket)

    again = form_app(backend)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, DraftRecoveryScreen)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [replayed] = again.results
    assert isinstance(replayed, Ticket) and replayed.number == created.number
    assert len(stored(backend)) == 1
