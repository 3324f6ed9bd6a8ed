"""Measuring a Textual app from inside its own event loop (headless ``run_test``).

Used by the worker processes of ``scale`` (event-loop stalls) and ``search``
(keystroke to rows): each worker runs one app in a fresh interpreter and prints
its figures as one JSON line, so one measurement cannot warm up the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from textual.app import App


class LagMonitor:
    """A task that wakes up every ``interval`` seconds and records how late it woke.

    While the loop runs a callback it cannot wake up: the gaps between wake-ups
    are the times the interface could not react to a key.
    """

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (woke at, seconds since the previous wake-up)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin ticking on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.samples.append((now, now - last))
            last = now

    def _inside(self, start: float, end: float) -> list[tuple[float, float]]:
        """(gap start, part of the gap inside the window) for gaps that overlap it."""
        parts = []
        for at, gap in self.samples:
            inside = min(at, end) - max(at - gap, start)
            if inside > 0:
                parts.append((max(at - gap, start), inside))
        return parts

    def max_gap(self, start: float, end: float) -> float:
        """The longest time (seconds) between ``start`` and ``end`` in which the loop did not wake up."""
        return max((inside for _, inside in self._inside(start, end)), default=0.0)

    def worst(self, start: float, end: float, count: int = 3) -> list[tuple[float, float]]:
        """The ``count`` longest gaps in the window, as (seconds after start, gap ms)."""
        gaps = sorted(self._inside(start, end), key=lambda part: part[1], reverse=True)[:count]
        return [(round(began - start, 3), round(inside * 1000, 1)) for began, inside in gaps]


class FrameRecorder:
    """Notes when the app produces a frame (headless apps still compose every frame).

    Textual's screen calls ``app._display`` with each compositor update; in
    headless mode the bytes are not written, but the frame is fully computed.
    """

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[float] = []
        self.probes: list[Callable[[float], None]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            now = time.perf_counter()
            self.frames.append(now)
            for probe in list(self.probes):
                probe(now)

        app._display = display  # type: ignore[method-assign]

    def first_after(self, moment: float) -> float | None:
        """The first frame after ``moment``."""
        return next((f for f in self.frames if f > moment), None)


_KEY_NAMES = {" ": "space", "/": "slash", "-": "minus", ".": "full_stop"}


def send_key(app: App[Any], key: str) -> float:
    """Send one key the way ``Pilot.press`` does (through the driver); returns when it was sent.

    ``Pilot.press`` then waits until the process looks idle by comparing CPU and
    wall time, which the ticker of :class:`LagMonitor` defeats (each press would
    wait its full second); the benchmarks wait for what they measure instead.
    """
    from textual import events

    name = _KEY_NAMES.get(key, key)
    char = key if len(key) == 1 else None
    event = events.Key(name, char)
    event.set_sender(app)
    sent = time.perf_counter()
    assert app._driver is not None
    app._driver.send_message(event)
    return sent


async def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.001) -> float:
    """Poll ``predicate`` on the loop; returns when it first held (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(step)
    return time.perf_counter()


async def settle(app: App[Any], seconds: float) -> None:
    """Let workers finish and the screen catch up (the app's endless live-update worker aside)."""
    busy = [w for w in app.workers if w.group != "events"]
    if busy:
        await app.workers.wait_for_complete(busy)
    await asyncio.sleep(seconds)


def emit(data: dict[str, Any]) -> None:
    """Print the worker's figures as the last line of its output."""
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()
