"""The key bar at the bottom of full screens, compact, and cheap to rebuild."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

#: What the footer shows of a binding: key, label, action, enabled, tooltip.
Shown = tuple[tuple[str, str, str, bool, str], ...]


def shown_bindings(screen: Screen[object]) -> Shown:
    """The bindings a footer on ``screen`` displays, as comparable values."""
    return tuple(
        (binding.key, binding.description, binding.action, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class CompactFooter(Footer):
    """``Footer(compact=True)`` whose keys are born compact.

    Textual's FooterKey starts without the ``-compact`` class and adds it when it
    mounts, which restyles each key once more. The footer is rebuilt on every focus
    change, so that was ~16 extra style passes per rebuild and the single largest
    cost before the first rows of the home screen appeared (issue #7: start-up
    1.7x → see BENCHMARKS.md). Giving each key the class before it mounts makes
    that ``add_class`` a no-op; the result on screen is the same.

    A home screen can also have its keys built after its first rows (``keys_later``):
    the bar's line is there from the start, so the table keeps its size. Mounting the
    whole footer late made the table shrink by a line, and the first key after that
    repainted the table and the footer: 3.7 KB for a cursor move instead of ~300 B.
    """

    def __init__(self, *, keys_later: bool = False, id: str | None = None, classes: str | None = None) -> None:
        """``keys_later``: an empty bar until ``show_keys()`` (its line is taken from the start)."""
        super().__init__(id=id, classes=classes, compact=True)
        self._shown: Shown | None = None
        self._keys_wanted = not keys_later

    def show_keys(self) -> None:
        """Build the keys of a ``keys_later`` footer now."""
        if not self._keys_wanted:
            self._keys_wanted = True
            # From the footer's own message loop: the rebuild binds each key to this footer,
            # which Textual only allows while the footer is the active message pump.
            self.call_next(self._rebuild_keys)

    def _rebuild_keys(self) -> None:
        if self.is_attached:
            super().bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild only when what the footer shows changed.

        Textual rebuilds the footer on every bindings refresh (a focus move, a hidden
        binding whose check changed); each rebuild mounts every key again and lays the
        screen out.
        """
        if not self._keys_wanted:
            self._bindings_ready = True  # what Footer.bindings_changed records; the keys wait
            return
        if self._shown is not None and self.is_attached and screen is self.screen \
                and shown_bindings(screen) == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if not self._keys_wanted:
            return
        if self._bindings_ready:
            self._shown = shown_bindings(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(True, "-compact", update=False)
            yield widget
