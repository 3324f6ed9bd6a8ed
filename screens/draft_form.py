"""DraftForm: what Nova demanda and the comment dialog share, a draft kept while typing and one send.

What is typed is saved (debounced, see :mod:`tui.drafts`) and offered back when the form
opens again. The send runs in one worker: a refusal or an unreachable server leaves the
form as it was; the Ticket coming back deletes the draft.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button

from backend.domain import Ticket
from backend.errors import DemandasError, Unavailable
from screens.draft_recovery import DraftRecoveryScreen
from tui.drafts import Draft, DraftStore, DraftValue, new_form_id
from tui.messages import WorkerErrorsToApp

#: Seconds of quiet typing before the draft is written.
DRAFT_DELAY = 0.5
#: Longest time typed text may stay unsaved while the user keeps typing.
DRAFT_MAX_WAIT = 2.0

# A plain mixin at run time: Textual follows a screen's first DOMNode base for DEFAULT_CSS,
# so a Screen subclass listed first would cut ModalScreen's CSS out of the comment dialog.
if TYPE_CHECKING:
    _FormScreen = Screen[Ticket | None]
else:
    _FormScreen = object


class DraftForm(WorkerErrorsToApp, _FormScreen):
    """Mixin for a form that keeps a draft and dismisses with the Ticket the server returned, or None.

    Listed before the Screen or ModalScreen base. A subclass gives ``values``,
    ``apply_draft``, ``ready_to_send``, ``submit``, ``show_refusal``, ``show_send_error``
    and ``notify_sent``.
    """

    #: The id of the button that reads "Enviando…" while the form is sent.
    SEND_BUTTON = "send"
    #: Said after an unreachable server's message.
    KEPT = "O que digitou foi mantido."

    def __init__(self, location: str, draft_key: str) -> None:
        super().__init__()
        self.drafts = DraftStore(location)
        self.draft_key = draft_key
        self._draft_ready = False  # no autosave until a pending draft offer is answered
        self._draft_timer: Timer | None = None
        self._dirty_since: float | None = None
        self._draft_lock = asyncio.Lock()
        self._sending = False
        self.form_id = new_form_id()

    # -- what the subclass knows -----------------------------------------------

    def values(self) -> dict[str, DraftValue]:
        """What the form holds, for the draft."""
        raise NotImplementedError

    def apply_draft(self, draft: Draft) -> None:
        """Put a recovered draft back into the form."""
        raise NotImplementedError

    def ready_to_send(self) -> bool:
        """Check the form, showing what is wrong; True when it may be sent."""
        raise NotImplementedError

    async def submit(self) -> Ticket | None:
        """Send the form; None when it stopped with its own message shown (a file that cannot be read)."""
        raise NotImplementedError

    def show_refusal(self, exc: DemandasError) -> None:
        """Show why the server refused the form, keeping every value."""
        raise NotImplementedError

    def show_send_error(self, message: str) -> None:
        """Show that the send failed (unreachable server, or a bug)."""
        raise NotImplementedError

    def notify_sent(self, ticket: Ticket) -> None:
        """Tell the user the server accepted the form."""
        raise NotImplementedError

    # -- drafts ----------------------------------------------------------------

    def offer_draft(self, detail: str = "") -> None:
        """Ask whether to restore a saved draft; autosave starts once answered (at once if there is none)."""
        draft = self.drafts.load(self.draft_key)
        if draft is None:
            self._draft_ready = True
        else:
            self.app.push_screen(DraftRecoveryScreen(draft.saved_at, detail), partial(self._recovery_answered, draft))

    def _recovery_answered(self, draft: Draft, restore: bool | None) -> None:
        if restore:
            self.form_id = draft.form_id or self.form_id  # a re-send of a sent form replays, not duplicates
            self.apply_draft(draft)
        else:
            self.drafts.delete(self.draft_key)
        self._draft_ready = True

    def _schedule_draft(self) -> None:
        if not self._draft_ready:
            return
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        if self._draft_timer is not None:
            self._draft_timer.stop()
        # Debounced, but someone typing without pause is still saved every DRAFT_MAX_WAIT.
        delay = min(DRAFT_DELAY, self._dirty_since + DRAFT_MAX_WAIT - now)
        if delay <= 0:  # (a Timer of 0 s divides by zero in Textual 8)
            self._draft_timer = None
            self._write_draft()
        else:
            self._draft_timer = self.set_timer(delay, self._write_draft)

    @work(group="draft", exit_on_error=False)
    async def _write_draft(self) -> None:
        if not self._draft_ready:
            return
        # Values are read inside the lock, so the last write always holds the latest form.
        async with self._draft_lock:
            self._dirty_since = None
            values = self.values()
            try:
                await asyncio.to_thread(self.drafts.save, self.draft_key, values, self.form_id)
            except OSError as exc:
                self.notify(f"Não foi possível salvar o rascunho: {exc}", severity="warning", markup=False)

    def flush_draft(self) -> bool:
        """Write the draft now (leaving the form); True when something was kept."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if not self._draft_ready:
            return False
        try:
            return self.drafts.save(self.draft_key, self.values(), self.form_id)
        except OSError:
            return False

    def on_unmount(self) -> None:
        self.flush_draft()

    def leave(self, kept: str) -> None:
        """Close without sending; say ``kept`` when the draft holds something."""
        if self.flush_draft():
            self.notify(kept, markup=False)
        self._draft_ready = False
        self.dismiss(None)

    # -- sending ---------------------------------------------------------------

    def action_send(self) -> None:
        """Check, then send in a worker."""
        if self._sending or not self.ready_to_send():
            return
        self._send()

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        button = self.query_one(f"#{self.SEND_BUTTON}", Button)
        button.disabled = sending
        button.label = "Enviando…" if sending else "Enviar"
        self.refresh_bindings()

    @work(group="send", exclusive=True, exit_on_error=False)
    async def _send(self) -> None:
        self._set_sending(True)
        try:
            ticket = await self.submit()
        except DemandasError as exc:
            if not isinstance(exc, Unavailable):
                self.show_refusal(exc)
                return
            self.show_send_error(f"Não foi possível enviar: {exc.message} {self.KEPT}")
            raise  # WorkerErrorsToApp: the app's one handler owns the connection banner
        except Exception as exc:  # a bug: keep the form, say so here, let the app report it
            self.show_send_error(f"Não foi possível enviar: {exc}")
            raise
        finally:
            with contextlib.suppress(Exception):
                self._set_sending(False)
        if ticket is None:
            return
        self._draft_ready = False
        with contextlib.suppress(OSError):
            self.drafts.delete(self.draft_key)
        self.notify_sent(ticket)
        self.dismiss(ticket)
