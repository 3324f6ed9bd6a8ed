"""Messages and small glue shared by the app, its screens and widgets."""

from __future__ import annotations

from datetime import datetime

from textual.events import Key
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from backend.domain import TicketEvent

#: The banner every screen shows while the server cannot be reached.
OFFLINE_TEXT = "Sem conexão com o servidor… Tentando reconectar. O que digitou foi mantido."


class Reconnected(Message):
    """The server answers again: the active screen should reload what it shows."""


class TicketsChanged(Message):
    """Tickets changed elsewhere (another user, the CLI, another process): refresh what shows them.

    The app posts it to every screen of the stack with the numbers of a short batch of
    events, so a burst of changes costs one refresh per screen.
    """

    def __init__(self, events: tuple[TicketEvent, ...], me: str) -> None:
        super().__init__()
        self.events = events
        self.numbers = frozenset(e.number for e in events)
        # The user's own changes were already shown where they were made.
        self.by_others = any(e.actor != me for e in events)

    def newest(self, number: str) -> datetime | None:
        """When ``number`` last changed in this batch (None when it did not)."""
        return max((e.at for e in self.events if e.number == number), default=None)


class WorkerErrorsToApp:
    """Mixin for screens and widgets: failed workers go to the app's one handler.

    ``Worker.StateChanged`` does not bubble, so without this each screen would
    need its own error handling; with it, ``DemandasApp.on_worker_state_changed``
    is the single place that turns failures into notices.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a failed worker to the app."""
        assert isinstance(self, MessagePump)
        if event.state is WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))


def forward_typed_ahead(node: MessagePump, event: Key) -> bool:
    """Hand a key typed right after a focus change to the field that now has the focus.

    Textual gives each key to the widget focused when the key arrives, so in "/" then
    "dci" typed quickly the letters reach the list, not the search box that "/" is
    about to focus, and would even run the list's commands ("q" quits). The app calls
    this before its bindings: a printable key that bubbled up unconsumed while a text
    field has the focus was meant for that field. Returns True when it was forwarded.
    """
    target = node.app.focused
    if target is None or not event.is_printable or not target.check_consume_key(event.key, event.character):
        return False
    event.stop()
    event.prevent_default()
    target.post_message(Key(event.key, event.character))
    return True
