"""Request size limits of the HTTP API and their pt-BR refusal, shared by the server and the client.

Kept apart from ``backend.api_models`` so that the client (``tui.adapters.http``) does not
build the server's pydantic models nor read every desk definition at start-up (issue #7).
"""

from __future__ import annotations

from functools import cache

from backend.text import format_size

# JSON bodies carry text only (files go as multipart parts): 1 MB is far above any form.
MAX_BODY_BYTES = 1024 * 1024


@cache
def max_upload_bytes() -> int:
    """Room for the fullest send any desk allows (e-CAGE: 5 files of 10 MB) plus the form around it."""
    from backend.desks import DESK_IDS, load_desk

    return max(load_desk(d).info.max_attachments * load_desk(d).info.max_attachment_bytes
               for d in DESK_IDS) + 1024 * 1024


def body_too_large_message(size: int | None, limit: int, *, upload: bool = False) -> str:
    """The pt-BR refusal for a request body over ``limit`` bytes."""
    has = f"A requisição tem {format_size(size)}" if size is not None else "A requisição passa do limite"
    if upload:
        return (f"{has}; o servidor aceita até {format_size(limit)} por envio. "
                "Envie os arquivos em partes, um comentário por vez.")
    return f"{has}; o servidor aceita até {format_size(limit)} por requisição JSON (os arquivos vão em multipart)."
