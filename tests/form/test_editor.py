"""ctrl+e: the description in $EDITOR (a fake editor script), loaded back within the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.form.conftest import Backend, settle
from tests.form.test_new_ticket import description, form_app, screen_of


def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    script = tmp_path / "fake-editor.sh"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))


async def test_editor_edits_the_description(backend: Backend, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Appends to what the form had, as a person would; editors end files with a newline.
    fake_editor(tmp_path, monkeypatch, '{ cat "$1"; printf " e mais detalhes\\n"; } > "$1.new" && mv "$1.new" "$1"')
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        area = description(screen)
        area.load_text("Erro ao reter ISS")
        await pilot.press("ctrl+e")  # from the title field: edits the form's long text
        await settle(pilot)
        assert area.text == "Erro ao reter ISS e mais detalhes"
        assert pilot.app.focused is area.text_area
        await pilot.pause(0.8)
        await settle(pilot)
        draft = screen.drafts.load(screen.draft_key)
        assert draft is not None and draft.text("description") == "Erro ao reter ISS e mais detalhes"


async def test_editor_text_is_cut_at_the_limit(backend: Backend, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake_editor(tmp_path, monkeypatch, "head -c 2500 /dev/zero | tr '\\0' 'z' > \"$1\"")
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        area = description(screen_of(pilot))
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert area.text == "z" * 2000
        assert any("cortado" in n.message for n in pilot.app._notifications)


async def test_failing_editor_changes_nothing(backend: Backend, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_editor(tmp_path, monkeypatch, 'printf lixo > "$1"; exit 3')
    async with form_app(backend).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        area = description(screen_of(pilot))
        area.load_text("original")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert area.text == "original"
        assert any("código 3" in n.message for n in pilot.app._notifications)
