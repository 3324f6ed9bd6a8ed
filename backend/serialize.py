"""Domain objects to JSON-ready values (the CLI's ``--json``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Turn dataclasses, enums, datetimes, tuples and dicts into plain JSON values."""
    # Order matters: a StrEnum is also a str, a datetime is also a date.
    if isinstance(obj, Enum):
        return to_jsonable(obj.value)
    if obj is None or isinstance(obj, str | bool | int | float):
        return obj
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # Only the declared fields: properties and methods are not data.
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(to_jsonable(key)): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = [to_jsonable(item) for item in obj]
        # Sets have no order; sort them so the output is stable.
        return sorted(items, key=repr) if isinstance(obj, set | frozenset) else items
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, bytes):
        raise TypeError("bytes are not JSON data; send attachments separately")
    raise TypeError(f"cannot turn {type(obj).__name__} into JSON")
