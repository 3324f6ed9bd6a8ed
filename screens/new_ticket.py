"""Nova demanda: a desk's form, built from ``DeskInfo.fields`` (no per-desk code).

Field kinds: ``text``, ``email``, ``phone`` and ``email_confirm`` (Inputs, checked
as typed / on leaving), ``choice`` (the desk's órgãos) and ``select`` (the field's
options), both filterable, ``catalog_type`` → ``catalog_category`` →
``catalog_subject`` (cascading filterable pickers), ``longtext`` (counted text
area), ``rows`` (a table of values added one by one), ``files`` (attachments; a
desk may have several such fields). ``required_when`` makes the ``*`` and the
required check follow another field's value live. What is typed is saved as a
draft while typing; see :mod:`screens.draft_form`. When the backend serves several desks,
ctrl+t switches the form to another desk (each desk keeps its own draft).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, TextArea

from backend.domain import DeskInfo, FieldDef, NewAttachment, NewTicket, Ticket
from backend.errors import DemandasError
from screens.desk_choice import DeskChoiceScreen
from screens.draft_form import DraftForm
from screens.file_browser import attach_from_browser
from tui.adapter import Adapter
from tui.drafts import Draft, DraftValue, idempotency_key, new_form_id, new_ticket_key
from tui.settings import save_desk
from widgets.attachment_field import AttachmentField, read_attachments
from widgets.cascade import FilterPicker
from widgets.counted_text import CountedTextArea, LimitedInput
from widgets.footer import CompactFooter
from widgets.rows_field import RowsField

PICKER_KINDS = ("choice", "select", "catalog_type", "catalog_category", "catalog_subject")
#: One-line fields typed in an Input.
INPUT_KINDS = ("text", "email", "phone", "email_confirm")
#: The service's limit for a one-line value without its own ``max_length`` (backend/validation.py):
#: typing stops there instead of being refused at send.
SINGLE_LINE_LIMIT = 500
CATALOG_LEVELS = {"catalog_type": "type", "catalog_category": "category", "catalog_subject": "subject"}

# The service's own messages (backend/service.py _validate_new), so the form and a
# server refusal say the same thing.
REQUIRED_MESSAGES = {
    "title": "Informe o título.",
    "orgao": "Selecione o órgão.",
    "type": "Selecione o tipo.",
    "category": "Selecione a categoria.",
    "subject": "Selecione o assunto.",
    "description": "Descreva a demanda.",
}


# Deliberately loose: the server has the last word; this catches the typo, not the RFC.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A phone is digits and the usual separators; the service refuses anything else.
PHONE_JUNK = re.compile(r"[^\d\s()+.-]")


def required_message(field: FieldDef, labels: Mapping[str, str] | None = None,
                     values: Mapping[str, str] | None = None) -> str:
    """What to say when a required field is empty (the service's wording, backend/validation.py).

    A field required only because of another answer says which answer (``labels``: field
    name -> label, ``values``: the form's text values)."""
    if field.name in REQUIRED_MESSAGES and field.required:
        return REQUIRED_MESSAGES[field.name]
    if field.kind in PICKER_KINDS:
        text = f"Selecione uma opção em “{field.label}”."
    elif field.kind == "files":
        text = f"Anexe ao menos um arquivo em “{field.label}”."
    elif field.kind == "rows":
        text = f"Adicione ao menos um item em “{field.label}”."
    elif field.kind == "email_confirm":
        text = f"Repita o e-mail em “{field.label}”."
    else:
        text = f"Preencha o campo “{field.label}”."
    if field.required or values is None:
        return text
    for name, value in field.required_when:
        if values.get(name, "") == value:
            other = (labels or {}).get(name, name)
            return f"{text[:-1]}: é obrigatório quando “{other}” é “{value}”."
    return text


def as_text(value: DraftValue) -> str:
    """A field value as the text sent (rows one per line)."""
    return value if isinstance(value, str) else "\n".join(value)


def digits(text: str) -> str:
    """Only the digits of ``text``."""
    return "".join(c for c in text if c.isdigit())


def format_problem(field: FieldDef, text: str, values: Mapping[str, DraftValue]) -> str | None:
    """What is wrong with a filled value's form (e-mail, phone, pattern, confirmation), or None."""
    if field.kind == "email" and not EMAIL.fullmatch(text):
        return "E-mail inválido: use o formato nome@orgao.gov.br."
    if field.kind == "phone" and (not 8 <= len(digits(text)) <= 13 or PHONE_JUNK.search(text)):
        return "Telefone inválido: use DDD e número, por exemplo (61) 2020-8000."
    if field.kind == "email_confirm" and field.confirm_of:
        original = as_text(values.get(field.confirm_of, "")).strip()
        if text.casefold() != original.casefold():
            return "Os e-mails não conferem: digite o mesmo e-mail nos dois campos."
    if field.pattern and field.kind in INPUT_KINDS and re.fullmatch(field.pattern, text) is None:
        return field.pattern_message or f"Valor inválido em “{field.label}”."
    return None


def check_value(field: FieldDef, value: DraftValue, values: Mapping[str, DraftValue] | None = None,
                labels: Mapping[str, str] | None = None) -> str | None:
    """The pt-BR problem with ``value`` for ``field`` (``values``: the whole form), or None."""
    if field.from_account:
        return None  # never typed: the service fills it from the account
    values = values if values is not None else {field.name: value}
    empty = not (value.strip() if isinstance(value, str) else value)
    if empty:
        texts = {name: as_text(v) for name, v in values.items()}
        return required_message(field, labels, texts) if field.required_for(texts) else None
    if isinstance(value, str) and field.max_length and len(value.strip()) > field.max_length:
        return f"O campo “{field.label}” tem {len(value.strip())} caracteres; o limite é {field.max_length}."
    if isinstance(value, str):
        return format_problem(field, value.strip(), values)
    return None


def widget_id(name: str) -> str:
    """A DOM-safe id fragment for a field name from desk data."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"


class FieldBox(Vertical):
    """One form field: label (with `` *`` when required), control, help line, error line."""

    DEFAULT_CSS = """
    FieldBox {
        height: auto;
        & > .field-label { padding: 0 1; }
        &:focus-within > .field-label { text-style: bold reverse; }
        & > .field-help { color: $text-muted; padding: 0 1; }
        & > .field-help.-empty { display: none; }
        & > .field-error { color: $text-error; text-style: bold; padding: 0 1; display: none; }
        &.-invalid > .field-error { display: block; }
    }
    """

    def __init__(self, field: FieldDef, control: Widget, help: str = "") -> None:
        super().__init__(id=f"field-{widget_id(field.name)}")
        self.field = field
        self.control = control
        self._help = help
        self._error = ""
        self._required = field.required

    def _label(self) -> Text:
        label = Text(self.field.label)
        if self._required:
            label.append(" *")
        return label

    def compose(self) -> ComposeResult:
        yield Label(self._label(), classes="field-label")
        yield self.control
        yield Static(Text(self._help), classes="field-help" + ("" if self._help else " -empty"))
        yield Static("", classes="field-error", markup=False)

    @property
    def error(self) -> str | None:
        """The message shown under the field, if any."""
        return self._error if self.has_class("-invalid") else None

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the field, or clear it."""
        self._error = message or ""
        self.query_one(".field-error", Static).update(Text(self._error))
        self.set_class(bool(message), "-invalid")

    @property
    def required(self) -> bool:
        """Whether the ``*`` shows now."""
        return self._required

    def set_required(self, required: bool) -> None:
        """Show or hide the ``*`` (a field required only when another field has some value)."""
        if required != self._required:
            self._required = required
            self.query_one(".field-label", Label).update(self._label())

    def set_help(self, text: str) -> None:
        """Replace the help line (empty hides it)."""
        help_line = self.query_one(".field-help", Static)
        help_line.update(Text(text))
        help_line.set_class(not text, "-empty")


class NewTicketScreen(DraftForm, Screen[Ticket | None]):
    """Nova demanda: fill the desk's form and send it; dismisses with the new Ticket, or None.

    | Key | Description |
    | :- | :- |
    | ctrl+s | Enviar. |
    | ctrl+e | Edit the description in $VISUAL/$EDITOR. |
    | ctrl+o | Choose a file to attach in the file browser. |
    | ctrl+t | Trocar de balcão (when the backend serves several desks). |
    | escape | Voltar (the draft stays saved). |
    """

    DEFAULT_CSS = """
    NewTicketScreen {
        & > #form-title { dock: top; height: 1; padding: 0 1; background: $panel; text-style: bold; }
        & > #form { height: 1fr; padding: 0 1; }
        #form > * { max-width: 120; }
        #requester { padding: 0 1; margin-bottom: 1; }
        #desk-notice { padding: 0 1; margin-bottom: 1; color: $text-warning; }
        .from-account { padding: 0 1; color: $text-muted; }
        #required-note { color: $text-muted; padding: 0 1; margin-top: 1; }
        #form-error { color: $text-error; text-style: bold; padding: 0 1; display: none; }
        #form-error.-shown { display: block; }
        #form-buttons { height: auto; margin: 1 0; padding: 0 1; }
        #form-buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not priority: a priority key runs before keys typed just ahead of it reach the field,
        # so the send would validate stale text.
        Binding("ctrl+s", "send", "Enviar", id="new_ticket.send"),
        Binding("ctrl+e", "editor", "Editor externo", id="new_ticket.editor", priority=True),
        # Short labels: with f1 and the palette, every key must fit in 80 columns.
        Binding("ctrl+o", "browse", "Anexar", id="new_ticket.browse", tooltip="Escolher um arquivo para anexar"),
        Binding("ctrl+t", "switch_desk", "Balcão", id="new_ticket.switch_desk",
                tooltip="Abrir a demanda em outro balcão (o rascunho deste fica guardado)"),
        Binding("escape", "back", "Voltar", id="new_ticket.back"),
        # The app's one-letter keys (q: sair, p: Meus Dados) would fire from a focused button;
        # in a form a stray letter must never leave it. (Modal screens need no such guard:
        # Textual stops the binding chain at a modal.)
        Binding("q,p", "stay", show=False),
    ]

    def __init__(self, adapter: Adapter, desk: DeskInfo) -> None:
        super().__init__(adapter.location, new_ticket_key(desk.id))
        self.adapter = adapter
        self.desk = desk
        self.title = "Nova demanda"
        self._boxes: dict[str, FieldBox] = {}
        self._desks: list[DeskInfo] = []  # every desk the backend serves, once known

    # -- building the form ---------------------------------------------------

    def compose(self) -> ComposeResult:
        title = Text("Nova demanda — ")
        title.append(self.desk.name)
        yield Static(title, id="form-title")
        with VerticalScroll(id="form"):
            yield Static("Solicitante: …", id="requester", markup=False)
            if self.desk.notice:
                yield Static(Text(self.desk.notice), id="desk-notice")
            pickers: dict[str, FilterPicker] = {}
            for field in self.desk.fields:
                box = FieldBox(field, self._control_for(field, pickers), self._help_for(field))
                self._boxes[field.name] = box
                yield box
            if any(f.required or f.required_when for f in self.desk.fields):
                yield Static("* campos obrigatórios", id="required-note", markup=False)
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Enviar", id="send", variant="primary")
                yield Button("Voltar", id="back")
        yield CompactFooter()

    def _help_for(self, field: FieldDef) -> str:
        if field.kind == "longtext":
            return ""  # shown as the placeholder, where the portal shows it
        return field.help

    def _control_for(self, field: FieldDef, pickers: dict[str, FilterPicker]) -> Widget:
        control_id = f"input-{widget_id(field.name)}"
        kind = field.kind
        if field.from_account:
            # Shown, never typed: the service fills it from the requester's account.
            return Static("…", id=control_id, classes="from-account", markup=False)
        one_line = field.max_length or SINGLE_LINE_LIMIT
        if kind == "text":
            return LimitedInput(max_length=one_line, id=control_id)
        if kind in ("email", "email_confirm"):
            placeholder = "Digite o e-mail de novo" if kind == "email_confirm" else "nome@orgao.gov.br"
            return LimitedInput(max_length=one_line, placeholder=placeholder, id=control_id)
        if kind == "phone":
            return LimitedInput(max_length=one_line, placeholder="(DDD) número", id=control_id)
        if kind == "choice":
            return FilterPicker(self.desk.orgaos, placeholder="Digite para filtrar ou ↓ para ver a lista",
                                level=field.name, id=control_id)
        if kind == "select":
            return FilterPicker(field.options, placeholder="Digite para filtrar ou ↓ para ver a lista",
                                level=field.name, id=control_id)
        if kind == "rows":
            return RowsField(column=field.column or field.label, pattern=field.pattern,
                             pattern_message=field.pattern_message, max_length=one_line, id=control_id)
        if kind in CATALOG_LEVELS:
            level = CATALOG_LEVELS[kind]
            parent_kind = {"catalog_category": "catalog_type", "catalog_subject": "catalog_category"}.get(kind)
            parent = pickers.get(parent_kind) if parent_kind else None
            parent_field = next((f for f in self.desk.fields if f.kind == parent_kind), None)
            picker = FilterPicker(
                placeholder="Digite para filtrar ou ↓ para ver a lista",
                depends_on=parent,
                waiting_placeholder=f"Selecione antes: {parent_field.label}" if parent_field else "",
                loader=partial(self._catalog_options, kind),
                level=level,
                id=control_id,
            )
            pickers[kind] = picker
            return picker
        if kind == "longtext":
            return CountedTextArea(limit=field.max_length or self.desk.description_limit,
                                   placeholder=field.help, id=control_id)
        if kind == "files":
            return AttachmentField(max_bytes=self.desk.max_attachment_bytes,
                                   max_files=self.desk.max_attachments, accept=field.accept, id=control_id)
        return LimitedInput(max_length=one_line, id=control_id)

    async def _catalog_options(self, kind: str, path: tuple[str, ...]) -> Sequence[str]:
        """Options of one catalog level. Local data today; the caller already runs this
        in an exclusive worker, so an adapter call here would need no other change."""
        types = self.desk.types
        if kind == "catalog_type":
            return [t.name for t in types]
        type_ = self.desk.find_type(path[0]) if path else None
        if type_ is None:
            return []
        if kind == "catalog_category":
            return [c.name for c in type_.categories]
        category = next((c for c in type_.categories if len(path) > 1 and c.name == path[1]), None)
        return list(category.subjects) if category else []

    def on_mount(self) -> None:
        self._load_requester()
        self._load_desks()
        self._offer_draft()

    def _offer_draft(self) -> None:
        self.offer_draft()
        first = next((f.name for f in self.desk.fields if not f.from_account), None)
        self._focus_field(first)

    @work(group="requester", exclusive=True, exit_on_error=False)
    async def _load_requester(self) -> None:
        try:
            user = await self.adapter.whoami()
        except DemandasError:
            self.query_one("#requester", Static).display = False
            return
        line = Text("Solicitante: ")
        line.append(user.name, style="bold")
        self.query_one("#requester", Static).update(line)
        for box in self._boxes.values():
            if box.field.from_account and isinstance(box.control, Static):
                value = user.name if box.field.from_account == "name" else user.email
                box.control.update(Text(value or "(não informado em Meus Dados)"))

    @work(group="desks", exclusive=True, exit_on_error=False)
    async def _load_desks(self) -> None:
        try:
            self._desks = await self.adapter.desks()
        except DemandasError:
            return  # the switch stays hidden; the form itself needs nothing more
        self.refresh_bindings()

    # -- reading and writing the fields -------------------------------------

    def box(self, name: str) -> FieldBox:
        """The box of field ``name``."""
        return self._boxes[name]

    def values(self) -> dict[str, DraftValue]:
        """Every field's current value, by field name."""
        return {name: self._value_of(box) for name, box in self._boxes.items()}

    def _value_of(self, box: FieldBox) -> DraftValue:
        control = box.control
        if isinstance(control, Input):
            return control.value
        if isinstance(control, FilterPicker):
            return control.value or ""
        if isinstance(control, CountedTextArea):
            return control.text
        if isinstance(control, AttachmentField):
            return control.paths
        if isinstance(control, RowsField):
            return control.rows
        return ""

    def _texts(self) -> dict[str, str]:
        """Every field's value as text (rows one per line), for ``required_when``."""
        return {name: as_text(value) for name, value in self.values().items()}

    def apply_draft(self, draft: Draft) -> None:
        problems: list[str] = []
        for name, box in self._boxes.items():
            control = box.control
            if isinstance(control, Input):
                control.value = draft.text(name)
            elif isinstance(control, FilterPicker):
                control.restore(draft.text(name) or None)
            elif isinstance(control, CountedTextArea):
                control.load_text(draft.text(name))
            elif isinstance(control, AttachmentField):
                lost = control.restore(draft.paths(name))
                if lost:
                    box.set_error(" ".join(lost))
                    problems.extend(lost)
            elif isinstance(control, RowsField):
                control.restore(draft.lines(name))
        self._update_required()
        self.notify("Rascunho recuperado." if not problems else
                    "Rascunho recuperado; alguns arquivos não estão mais disponíveis.", markup=False)

    def _focus_field(self, name: str | None) -> None:
        if name is None or name not in self._boxes:
            return
        box = self._boxes[name]
        target = box.control
        if isinstance(target, CountedTextArea):
            target.text_area.focus()
        else:
            target.focus()
        self.call_after_refresh(box.scroll_visible, animate=False)

    def _field_of(self, widget: Widget | None) -> FieldBox | None:
        node = widget
        while node is not None and node is not self:
            if isinstance(node, FieldBox):
                return node
            node = node.parent if isinstance(node.parent, Widget) else None
        return None

    # -- validation ----------------------------------------------------------

    def _problem(self, box: FieldBox, values: Mapping[str, DraftValue]) -> str | None:
        labels = {f.name: f.label for f in self.desk.fields}
        return check_value(box.field, values[box.field.name], values, labels)

    def validate(self) -> dict[str, str]:
        """Check every field, show the messages, return them by field name."""
        errors = {}
        values = self.values()
        for name, box in self._boxes.items():
            problem = self._problem(box, values)
            control = box.control
            if isinstance(control, RowsField) and control.pending:
                # Typed but never added: sending without it would silently drop it.
                problem = "Tecle enter para adicionar o valor digitado à tabela, ou apague-o."
            box.set_error(problem)
            if problem:
                errors[name] = problem
        return errors

    def _recheck(self, box: FieldBox) -> None:
        """Clear a shown message as soon as the field is fixed."""
        values = self.values()
        if box.error is not None and self._problem(box, values) is None:
            box.set_error(None)

    def _update_required(self) -> None:
        """Make each ``*`` follow the values its field's ``required_when`` looks at."""
        texts: dict[str, str] | None = None
        for box in self._boxes.values():
            if box.field.required_when:
                texts = texts if texts is not None else self._texts()
                required = box.field.required_for(texts)
                box.set_required(required)
                if not required and not texts.get(box.field.name):
                    self._recheck(box)  # "required" shown before no longer applies

    def _live_check(self, box: FieldBox, *, leaving: bool = False) -> None:
        """Say at once what is wrong with a filled value: a confirmation while typing, any format on leaving.

        An empty field is never nagged about before sending."""
        values = self.values()
        text = as_text(values[box.field.name]).strip()
        if not text:
            if box.error is not None:
                self._recheck(box)
            return
        problem = self._problem(box, values)
        if box.field.kind == "email_confirm" and not leaving and problem is not None:
            original = as_text(values.get(box.field.confirm_of or "", "")).strip()
            if original.casefold().startswith(text.casefold()):
                problem = None  # still typing the same address
        if problem is not None and (leaving or box.field.kind == "email_confirm"):
            box.set_error(problem)
        elif problem is None:
            box.set_error(None)

    def _confirmations_of(self, name: str) -> list[FieldBox]:
        return [b for b in self._boxes.values() if b.field.kind == "email_confirm" and b.field.confirm_of == name]

    def _field_changed(self, box: FieldBox | None, *, now: bool = False) -> None:
        if box is not None:
            self._recheck(box)
            for confirm in self._confirmations_of(box.field.name):
                if confirm.error is not None or self._value_of(confirm):
                    self._live_check(confirm, leaving=True)
            if box.field.kind == "email_confirm":
                self._live_check(box)
        self._update_required()
        self._show_form_error(None)
        if now:
            self._write_draft()
        else:
            self._schedule_draft()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._field_changed(self._field_of(event.control))

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        box = self._field_of(event.control)
        if box is not None and box.control is event.control and box.field.kind in INPUT_KINDS:
            self._live_check(box, leaving=True)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter in a one-line field moves on, as in most forms (ctrl+s sends).

        Pickers and the path box handle (and stop) their own Enter."""
        event.stop()
        self.focus_next()

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        self._field_changed(self._field_of(event.control))

    @on(FilterPicker.Changed)
    def _picker_changed(self, event: FilterPicker.Changed) -> None:
        box = self._field_of(event.control)
        self._field_changed(box, now=True)
        if box is not None and box.field.kind in ("catalog_type", "catalog_category"):
            box.set_help(self._catalog_hint(box.field.kind, event.picker))

    def _catalog_hint(self, kind: str, picker: FilterPicker) -> str:
        if picker.value is None:
            return ""
        if kind == "catalog_type":
            type_ = self.desk.find_type(picker.value)
            return type_.hint if type_ else ""
        path = picker.path() or ()
        type_ = self.desk.find_type(path[0]) if path else None
        category = next((c for c in type_.categories if c.name == picker.value), None) if type_ else None
        return category.hint if category else ""

    @on(AttachmentField.Changed)
    def _files_changed(self, event: AttachmentField.Changed) -> None:
        box = self._field_of(event.control)
        if box is not None:
            box.set_error(None)
        self._field_changed(box, now=True)

    @on(AttachmentField.Rejected)
    def _file_rejected(self, event: AttachmentField.Rejected) -> None:
        box = self._field_of(event.control)
        if box is not None:
            box.set_error(event.reason)

    @on(RowsField.Changed)
    def _rows_changed(self, event: RowsField.Changed) -> None:
        box = self._field_of(event.control)
        if box is not None:
            box.set_error(None)
        self._field_changed(box, now=True)

    @on(RowsField.Rejected)
    def _row_rejected(self, event: RowsField.Rejected) -> None:
        box = self._field_of(event.control)
        if box is not None:
            box.set_error(event.reason)

    @on(AttachmentField.BrowseRequested)
    def _browse_requested(self, event: AttachmentField.BrowseRequested) -> None:
        attach_from_browser(event.field, event.start)

    def _show_form_error(self, message: str | None) -> None:
        line = self.query_one("#form-error", Static)
        line.update(Text(message or ""))
        line.set_class(bool(message), "-shown")

    # -- actions -------------------------------------------------------------

    def action_stay(self) -> None:
        """Swallow the app's one-letter keys while the form is open."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send" and self._sending:
            return None
        if action == "editor" and not any(f.kind == "longtext" for f in self.desk.fields):
            return False
        if action == "switch_desk":
            return len(self._desks) > 1 and not self._sending
        return action != "browse" or any(f.kind == "files" for f in self.desk.fields)

    def action_back(self) -> None:
        """Leave the form; the draft stays saved."""
        self.leave("Rascunho guardado: abra “Nova demanda” de novo para continuar.")

    async def action_editor(self) -> None:
        """Edit the focused (or first) long text in the external editor."""
        box = self._field_of(self.focused)
        if box is None or not isinstance(box.control, CountedTextArea):
            box = next((b for b in self._boxes.values() if isinstance(b.control, CountedTextArea)), None)
        if box is not None and isinstance(box.control, CountedTextArea):
            await box.control.edit_in_editor()

    def action_browse(self) -> None:
        """Open the file browser for the focused attachments field, else the first one."""
        box = self._field_of(self.focused)
        if box is None or not isinstance(box.control, AttachmentField):
            box = next((b for b in self._boxes.values() if isinstance(b.control, AttachmentField)), None)
        if box is not None and isinstance(box.control, AttachmentField):
            box.control.action_browse()

    @work(group="switch-desk", exclusive=True, exit_on_error=False)
    async def action_switch_desk(self) -> None:
        """Choose another desk; the form is rebuilt for it (this desk's draft stays saved)."""
        if len(self._desks) < 2:
            return
        chosen = await self.app.push_screen_wait(DeskChoiceScreen(self._desks, self.desk.id))
        desk = next((d for d in self._desks if d.id == chosen), None)
        if desk is None:
            return
        with contextlib.suppress(OSError, DemandasError):  # only the next preselection would be lost
            save_desk(desk.id)
        if desk.id != self.desk.id:
            await self.show_desk(desk)

    async def show_desk(self, desk: DeskInfo) -> None:
        """Rebuild the form for ``desk``, keeping what was typed here in this desk's draft."""
        if self.flush_draft():
            self.notify("Rascunho guardado neste balcão.", markup=False)
        self._draft_ready = False
        self.desk = desk
        self.draft_key = new_ticket_key(desk.id)
        self.form_id = new_form_id()
        self._boxes = {}
        await self.recompose()
        self._load_requester()
        self._offer_draft()
        self.refresh_bindings()

    @on(Button.Pressed, "#send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    def ready_to_send(self) -> bool:
        errors = self.validate()
        if errors:
            self._show_form_error(f"Corrija {'o campo indicado' if len(errors) == 1 else 'os campos indicados'} "
                                  "antes de enviar.")
            self._focus_field(next(iter(errors)))
            return False
        self._show_form_error(None)
        return True

    def build_ticket(self, values: dict[str, DraftValue]) -> NewTicket:
        """The NewTicket for ``values`` (attachments are added at send time)."""
        known = {f.name for f in dataclasses.fields(NewTicket)} - {"desk", "attachments", "fields"}
        core: dict[str, str] = {}
        extra: dict[str, str] = {}
        for field in self.desk.fields:
            value = values.get(field.name, "")
            if field.kind == "files" or field.from_account:
                continue
            (core if field.name in known else extra)[field.name] = as_text(value).strip()
        return NewTicket(
            title=core.get("title", ""),
            orgao=core.get("orgao", ""),
            type=core.get("type", ""),
            category=core.get("category", ""),
            subject=core.get("subject", ""),
            description=core.get("description", ""),
            desk=self.desk.id,
            fields=extra,
        )

    async def submit(self) -> Ticket | None:
        new = self.build_ticket(self.values())
        attachments: list[NewAttachment] = []
        for files_box in self._boxes.values():
            if not isinstance(files_box.control, AttachmentField):
                continue
            try:
                attachments += await read_attachments(files_box.control.files, files_box.field.name)
            except OSError as exc:
                files_box.set_error(str(exc))
                self._focus_field(files_box.field.name)
                return None
        new = dataclasses.replace(new, attachments=tuple(attachments))
        key = idempotency_key(self.form_id, self._request_parts(new))
        return await self.adapter.create_ticket(new, idempotency_key=key)

    def notify_sent(self, ticket: Ticket) -> None:
        self.app.notify(f"Demanda {ticket.number} criada.", title="Nova demanda", markup=False)

    @staticmethod
    def _request_parts(new: NewTicket) -> list[str | bytes]:
        """What identifies this request's content, for its idempotency key."""
        parts: list[str | bytes] = [new.desk, new.title, new.orgao, new.type, new.category, new.subject,
                                    new.description, json.dumps(new.fields, sort_keys=True)]
        for item in new.attachments:
            parts += [item.name, hashlib.sha256(item.data).digest()]
            if item.field != "attachments":  # e-CAGE keys stay as they were
                parts.append(item.field)
        return parts

    def show_send_error(self, message: str) -> None:
        self._show_form_error(message)

    def show_refusal(self, exc: DemandasError) -> None:
        """Put a server refusal under its field (or above the buttons); keep every value."""
        box = self._boxes.get(exc.field or "")
        if box is not None:
            box.set_error(exc.message)
            self._show_form_error("O servidor recusou o envio: corrija o campo indicado.")
            self._focus_field(box.field.name)
        else:
            self._show_form_error(exc.message)
        self.notify(exc.message, severity="error", markup=False)
