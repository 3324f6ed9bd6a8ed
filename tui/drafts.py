"""Form drafts on disk, so nothing typed is lost when the terminal or SSH dies.

One JSON file per form (``<desk>-new.json``, ``<desk>-comment-<number>.json``)
under ``data_dir()/drafts/<location>/``: drafts of a local store and of a remote
server never mix. Files are written to a temporary file, fsynced and renamed
over the old one, so a process killed mid-write leaves the previous draft whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.config import data_dir

#: A draft field: text, or a list (file paths, or the values of a table of rows).
DraftValue = str | list[str]

FORMAT_VERSION = 1
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")


def local_now() -> datetime:
    """The current time, aware, in the local time zone."""
    return datetime.now().astimezone()


def new_ticket_key(desk_id: str) -> str:
    """The draft key of a desk's "Nova demanda" form."""
    return f"{desk_id}-new"


def comment_key(desk_id: str, number: str) -> str:
    """The draft key of the comment dialog of one ticket."""
    return f"{desk_id}-comment-{number}"


def new_form_id() -> str:
    """A fresh id for one filling of a form; it lives in the draft and survives a crash."""
    return uuid.uuid4().hex


def idempotency_key(form_id: str, parts: Iterable[str | bytes]) -> str:
    """The key that makes re-sending the same form content safe (no second ticket).

    Same form and same content give the same key, so a re-send after a crash that
    hid the first answer replays it; edited content gets a new key, as the server
    refuses a key reused for a different request.
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f"{form_id}-{digest.hexdigest()[:32]}"


def location_folder(location: str) -> str:
    """A file-system-safe folder name for a server location (``local: /x.db``)."""
    kind = re.sub(r"[^a-z0-9]+", "-", location.split(":", 1)[0].lower()).strip("-") or "loc"
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    return f"{kind[:20]}-{digest}"


def is_blank(values: Mapping[str, DraftValue]) -> bool:
    """True when no field holds anything worth keeping."""
    return all(not (v.strip() if isinstance(v, str) else v) for v in values.values())


@dataclass(frozen=True, slots=True)
class Draft:
    """What a form held when it was last saved."""

    key: str
    saved_at: datetime
    values: dict[str, DraftValue]
    form_id: str = ""

    def text(self, name: str) -> str:
        """A text field's value ("" when absent or not text)."""
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ""

    def paths(self, name: str) -> list[str]:
        """A files field's paths ([] when absent or not a list)."""
        value = self.values.get(name, [])
        return list(value) if isinstance(value, list) else []

    def lines(self, name: str) -> list[str]:
        """A rows field's values (a list; text saved one value per line is split)."""
        value = self.values.get(name, [])
        return list(value) if isinstance(value, list) else [line for line in value.split("\n") if line.strip()]


class DraftStore:
    """The drafts of one server location."""

    def __init__(self, location: str, root: Path | None = None,
                 clock: Callable[[], datetime] = local_now) -> None:
        self.location = location
        self._root = root
        self._clock = clock

    @property
    def folder(self) -> Path:
        """Where this location's drafts live (resolved on use: the data dir may change in tests)."""
        base = self._root if self._root is not None else data_dir() / "drafts"
        return base / location_folder(self.location)

    def path(self, key: str) -> Path:
        """The file of draft ``key``."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"invalid draft key: {key!r}")
        return self.folder / f"{key}.json"

    def save(self, key: str, values: Mapping[str, DraftValue], form_id: str = "") -> bool:
        """Write the draft atomically; a blank form deletes it instead. True if written."""
        clean = _clean(values)
        if is_blank(clean):
            self.delete(key)
            return False
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {
            "version": FORMAT_VERSION,
            "location": self.location,
            "key": key,
            "saved_at": self._clock().isoformat(),
            "form_id": form_id,
            "values": clean,
        }
        # mkstemp creates the file 0600: drafts may hold personal data.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        return True

    def load(self, key: str) -> Draft | None:
        """The saved draft ``key``, or None when absent, unreadable or not ours."""
        self._sweep(key)
        try:
            raw = self.path(key).read_text(encoding="utf-8")
            body = json.loads(raw)
        except (OSError, ValueError):
            return None
        if not isinstance(body, dict) or body.get("location") != self.location:
            return None
        try:
            saved_at = datetime.fromisoformat(str(body["saved_at"]))
        except (KeyError, ValueError):
            return None
        values = _clean(body.get("values"))
        if is_blank(values):
            return None
        form_id = body.get("form_id")
        return Draft(key=key, saved_at=saved_at, values=values,
                     form_id=form_id if isinstance(form_id, str) and form_id.isalnum() else "")

    def _sweep(self, key: str) -> None:
        """Remove temporary files a killed process left behind (the draft itself is whole)."""
        folder = self.path(key).parent
        with contextlib.suppress(OSError):
            for leftover in folder.glob(f".{key}.*.tmp"):
                # Only old ones: a second terminal may be writing its own right now.
                if time.time() - leftover.stat().st_mtime > 60:
                    leftover.unlink()

    def delete(self, key: str) -> None:
        """Forget draft ``key`` (no error when absent)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()


def _clean(values: Any) -> dict[str, DraftValue]:
    """Keep only str and list-of-str values: a hand-edited file must not crash the form."""
    out: dict[str, DraftValue] = {}
    if not isinstance(values, Mapping):
        return out
    for name, value in values.items():
        if not isinstance(name, str):
            continue
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, list | tuple):
            out[name] = [item for item in value if isinstance(item, str)]
    return out


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
