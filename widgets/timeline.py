"""Linha do Tempo: a ticket's history, newest first."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from backend.domain import EntryKind, TimelineEntry
from backend.text import format_datetime, format_size, printable

# What happened, for entries that are more than a comment.
KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.CREATED: "Demanda criada",
    EntryKind.NOTE: "Nota interna",
    EntryKind.STATUS: "Status alterado",
    EntryKind.CANCELED: "Demanda cancelada",
    EntryKind.RESOLVED: "Demanda resolvida",
    EntryKind.REOPENED: "Demanda reaberta",
    EntryKind.ASSIGNED: "Demanda atribuída",
    EntryKind.EVALUATION: "Avaliação do atendimento",
}
# How the entry's text is introduced, when it is not the comment itself.
TEXT_LABELS: dict[EntryKind, str] = {
    EntryKind.CANCELED: "Motivo: ",
    EntryKind.REOPENED: "Justificativa: ",
    EntryKind.RESOLVED: "Solução: ",
}


def entry_content(entry: TimelineEntry) -> Content:
    """One entry as display content; every piece of user text stays literal."""
    parts: list[Content] = [
        Content.assemble(
            ("Criado por: ", "bold"),
            (printable(entry.author_name), "bold"),
            (f" em {format_datetime(entry.created_at)}", "bold"),
        )
    ]
    label = KIND_LABELS.get(entry.kind)
    if label:
        change = ""
        if entry.status_to and entry.kind is not EntryKind.CREATED:
            change = f" ({entry.status_from} → {entry.status_to})" if entry.status_from else f" ({entry.status_to})"
        parts.append(Content.styled(label + printable(change), "italic $text-accent"))
    if entry.text:
        prefix = TEXT_LABELS.get(entry.kind, "")
        parts.append(Content(prefix) + Content(printable(entry.text)))
    for attachment in entry.attachments:
        parts.append(
            Content.assemble(
                ("Anexo: ", "dim"), printable(attachment.name), (f" ({format_size(attachment.size)})", "dim")
            )
        )
    return Content("\n").join(parts)


class TimelineEntryView(Static):
    """One event of the timeline."""

    DEFAULT_CSS = """
    TimelineEntryView {
        border-left: outer $primary;
        padding: 0 1;
        margin: 0 0 1 0;
        height: auto;
    }
    TimelineEntryView.-event {
        border-left: outer $accent;
    }
    """

    def __init__(self, entry: TimelineEntry) -> None:
        super().__init__(entry_content(entry), markup=False, classes="-event" if entry.kind in KIND_LABELS else "")
        self.entry = entry


class Timeline(Vertical):
    """Linha do Tempo: the entries of a ticket, newest first."""

    DEFAULT_CSS = """
    Timeline {
        height: auto;
    }
    Timeline > .timeline--empty {
        color: $text-muted;
    }
    """

    def __init__(self, entries: Iterable[TimelineEntry] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries = tuple(entries)

    def compose(self) -> ComposeResult:
        yield from self._views(self._entries)

    def _views(self, entries: tuple[TimelineEntry, ...]) -> list[Static]:
        if not entries:
            return [Static("Nenhum registro.", classes="timeline--empty")]
        # The service keeps the log oldest first; the portal shows newest first.
        ordered = sorted(entries, key=lambda e: (e.created_at, e.id), reverse=True)
        return [TimelineEntryView(entry) for entry in ordered]

    async def set_entries(self, entries: Iterable[TimelineEntry]) -> None:
        """Replace the entries shown."""
        self._entries = tuple(entries)
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(self._views(self._entries))
