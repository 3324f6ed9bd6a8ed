"""Evaluations ("Avaliações"): after a resolution the requester scores the service, once.

An evaluation is a public timeline entry (kind ``evaluation``) whose text carries the
score in a fixed, readable first part — "Nota 4 de 5 — comentário" — so it shows as
is in every timeline and needs no column of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from backend.domain import EntryKind, TimelineEntry

MIN_SCORE = 1
MAX_SCORE = 5
MAX_COMMENT = 1000
SCORE_LABELS = {1: "Muito insatisfeito", 2: "Insatisfeito", 3: "Regular", 4: "Satisfeito", 5: "Muito satisfeito"}
_TEXT = re.compile(rf"Nota ([{MIN_SCORE}-{MAX_SCORE}]) de {MAX_SCORE}(?: — (.*))?", re.DOTALL)


def evaluation_text(score: int, comment: str) -> str:
    """The timeline text of an evaluation."""
    head = f"Nota {score} de {MAX_SCORE}"
    return f"{head} — {comment}" if comment else head


def parse_evaluation(text: str) -> tuple[int, str] | None:
    """(score, comment) of an evaluation's text; None when it is not one."""
    found = _TEXT.fullmatch(text)
    return (int(found[1]), found[2] or "") if found else None


def current_evaluation(timeline: Iterable[TimelineEntry]) -> TimelineEntry | None:
    """The evaluation of the latest resolution, if the requester gave it (a reopen starts over)."""
    found: TimelineEntry | None = None
    for entry in timeline:  # oldest first
        if entry.kind is EntryKind.RESOLVED:
            found = None
        elif entry.kind is EntryKind.EVALUATION:
            found = entry
    return found
