"""The key bar at the bottom of full screens, compact, and cheap to rebuild."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class CompactFooter(Footer):
    """``Footer(compact=True)`` whose keys are born compact.

    Textual's FooterKey starts without the ``-compact`` class and adds it when it
    mounts, which restyles each key once more. The footer is rebuilt on every focus
    change, so that was ~16 extra style passes per rebuild and the single largest
    cost before the first rows of the home screen appeared (issue #7: start-up
    1.7x → see BENCHMARKS.md). Giving each key the class before it mounts makes
    that ``add_class`` a no-op; the result on screen is the same.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, compact=True)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(True, "-compact", update=False)
            yield widget
