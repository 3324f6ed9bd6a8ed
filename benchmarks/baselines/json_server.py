"""The server baseline: the same ASGI stack (FastAPI on uvicorn) with two trivial JSON endpoints.

``GET /items`` returns a small constant page; ``POST /items`` validates a body
with pydantic and echoes it with 201. Like the real server's list endpoint,
both are plain ``def`` (run in the thread pool). Run it as
``python -m benchmarks.baselines.json_server --port P``.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel


class Item(BaseModel):
    """A body shaped like a new ticket."""

    title: str
    description: str = ""


def create_app() -> FastAPI:
    """The minimal app."""
    app = FastAPI()
    page = {"items": [{"id": 1, "title": "ok"}], "total": 1, "offset": 0, "limit": 50}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/items")
    def items() -> dict[str, Any]:
        return page

    @app.post("/items", status_code=201)
    def create(item: Item) -> Item:
        return item

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
