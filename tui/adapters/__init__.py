"""Implementations of the adapter contract (:mod:`tui.adapter`)."""

import sys

# httpx loads its command-line client (click, pygments, rich.syntax) whenever those are
# installed, and rich is ours: ~35 ms of every start in server mode, for a CLI we never run.
# A None entry makes that optional import fail, which httpx allows for (httpx/__init__.py).
# Here, not in the HTTP adapter, so that it comes before that module's `import httpx`.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
