"""No garbage collection while the interface starts (issue #7).

Start-up allocates hundreds of thousands of long-lived objects (modules, classes,
widgets, styles) and almost no garbage, yet the collector runs again and again
over them: 25-45 ms before the first rows, one full pass included. The command
that opens the interface pauses it; collection resumes once the first rows are on
screen (the app then freezes what start-up built, so later full passes skip it).
Tests that run the app in-process never pause it.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop automatic collection until ``resume()``."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collect again (only if ``pause()`` stopped it)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
