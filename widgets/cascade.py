"""A picker whose option list narrows as you type, and that can cascade from a parent picker.

``FilterPicker`` is an Input (the filter, and the chosen value when closed) over a
drop-down OptionList. A picker built with ``depends_on=<parent>`` watches the
parent's value: when it changes, the child is cleared and its options are
reloaded by ``loader(path)`` in an exclusive worker of group
``cascade-<level>``, so a slow (remote) catalog never shows stale options.
Clearing a child clears its own children in turn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

#: Loads the options of a level given its ancestors' values, root first.
OptionsLoader = Callable[[tuple[str, ...]], Awaitable[Sequence[str]]]


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for matching ("Órgão" ~ "orgao")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(option: str, query: str) -> bool:
    """True when every word of ``query`` occurs in ``option`` (accent/case-insensitive)."""
    folded = fold(option)
    return all(word in folded for word in fold(query).split())


def highlighted(option: str, query: str) -> Text:
    """The option as plain Text (never markup) with the matched words underlined."""
    text = Text(option)
    if not query.strip():
        return text
    # NFKD folding keeps one folded char per original char for Latin text; fall back if not.
    folded = fold(option)
    if len(folded) != len(option):
        return text
    for word in fold(query).split():
        start = folded.find(word)
        if start >= 0:
            text.stylize("bold underline", start, start + len(word))
    return text


class PickerInput(Input):
    """The filter box of a FilterPicker."""


class PickerDropdown(OptionList, can_focus=False):
    """The options under the filter box; focus stays in the filter so typing keeps filtering."""


class FilterPicker(Vertical):
    """Choose one option from a list that narrows as you type.

    The value is a string from the options, or None when nothing is chosen.

    | Key | Description |
    | :- | :- |
    | (type) | Filter the options (every word, ignoring case and accents) and open the list. |
    | down / up | Open the list / move the highlight. |
    | pagedown / pageup | Move the highlight a page. |
    | enter | Choose the highlighted option (opens the list when closed). |
    | escape | Close the list and keep the previous choice (when closed, the screen gets it). |
    """

    DEFAULT_CSS = """
    FilterPicker {
        height: auto;
        & > PickerDropdown {
            display: none;
            height: auto;
            max-height: 10;
            border: tall $border-blurred;
            background: $surface;
            padding: 0;
        }
        &.-expanded > PickerDropdown { display: block; }
        & > .picker-status { display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Próxima opção", show=False),
        Binding("up", "cursor_up", "Opção anterior", show=False),
        Binding("pagedown", "page_down", "Página seguinte", show=False),
        Binding("pageup", "page_up", "Página anterior", show=False),
        Binding("escape", "close", "Fechar lista", show=False),
    ]

    value: reactive[str | None] = reactive(None, init=False)
    """The chosen option, or None."""
    expanded: reactive[bool] = reactive(False, init=False)
    """True while the drop-down list is open."""

    class Changed(Message):
        """The chosen value changed (by the user, a restore or a cascade)."""

        def __init__(self, picker: FilterPicker, value: str | None) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> FilterPicker:
            """The picker whose value changed."""
            return self.picker

    def __init__(
        self,
        options: Sequence[str] = (),
        *,
        placeholder: str = "Digite para filtrar…",
        depends_on: FilterPicker | None = None,
        waiting_placeholder: str = "",
        loader: OptionsLoader | None = None,
        level: str = "",
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self._options: list[str] = list(options)
        self._shown: list[str] = []
        self._placeholder = placeholder
        self._waiting_placeholder = waiting_placeholder or placeholder
        self.depends_on = depends_on
        self._loader = loader
        self.level = level or (id or "picker")
        self._wanted: str | None = None
        self._loading = False
        self._ready = False  # children composed (is_mounted is still False inside on_mount)

    # -- composition -------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield PickerInput(placeholder=self._placeholder, select_on_focus=True)
        yield PickerDropdown()

    def on_mount(self) -> None:
        self._ready = True
        self._show_value()
        if self.depends_on is not None:
            self.watch(self.depends_on, "value", self._parent_changed, init=False)
            self._parent_changed(self.depends_on.value)
        elif self._loader is not None:
            self.reload()
        else:
            self._refresh_state()

    @property
    def filter_input(self) -> Input:
        """The filter box (focus target of the picker)."""
        return self.query_one(PickerInput)

    @property
    def dropdown(self) -> OptionList:
        """The drop-down list."""
        return self.query_one(PickerDropdown)

    @property
    def options(self) -> tuple[str, ...]:
        """Every option of the picker now."""
        return tuple(self._options)

    @property
    def shown(self) -> tuple[str, ...]:
        """The options the current filter lets through."""
        return tuple(self._shown)

    @property
    def is_loading(self) -> bool:
        """True while the options are being (re)loaded."""
        return self._loading

    def focus(self, scroll_visible: bool = True) -> FilterPicker:
        """Focus the filter box."""
        self.filter_input.focus(scroll_visible)
        return self

    # -- options and value ---------------------------------------------------

    def set_options(self, options: Sequence[str]) -> None:
        """Replace the options; the value survives only if it is still an option."""
        self._options = list(options)
        self._loading = False
        if self._wanted is not None and self._wanted in self._options:
            wanted, self._wanted = self._wanted, None
            self.value = wanted
        elif self.value is not None and self.value not in self._options:
            self.value = None
        self._refresh_state()

    def restore(self, value: str | None) -> None:
        """Choose ``value`` now if it is an option, or as soon as options containing it load."""
        if value is None or value in self._options:
            self._wanted = None
            self.value = value
        else:
            self._wanted = value

    def clear(self) -> None:
        """Forget the choice."""
        self._wanted = None
        self.value = None

    def validate_value(self, value: str | None) -> str | None:
        return value if value is None or value in self._options else None

    def watch_value(self, value: str | None) -> None:
        self._show_value()
        self.set_class(value is not None, "-has-value")
        self.post_message(self.Changed(self, value))

    def watch_expanded(self, expanded: bool) -> None:
        self.set_class(expanded, "-expanded")
        self.refresh_bindings()
        if expanded:
            self.call_after_refresh(self.scroll_visible, animate=False)

    def path(self) -> tuple[str, ...] | None:
        """The ancestors' values, root first; None while one of them is empty."""
        chain: list[str] = []
        node = self.depends_on
        while node is not None:
            if node.value is None:
                return None
            chain.append(node.value)
            node = node.depends_on
        return tuple(reversed(chain))

    def reload(self) -> None:
        """Load the options for the current ancestors in this level's exclusive worker."""
        if self._loader is None:
            return
        path = self.path()
        if path is None:
            self._options = []
            self._loading = False
            self.value = None
            self._refresh_state()
            return
        self._loading = True
        self._refresh_state()
        self.run_worker(self._load(path), group=f"cascade-{self.level}", exclusive=True,
                        exit_on_error=False, description=f"opções de {self.level}")

    async def _load(self, path: tuple[str, ...]) -> None:
        assert self._loader is not None
        try:
            options = await self._loader(path)
        except Exception as exc:  # a remote catalog may fail: say so, keep the form usable
            if path == self.path():
                self._loading = False
                self._options = []
                self._refresh_state()
                self.notify(f"Não foi possível carregar as opções: {exc}", severity="error", markup=False)
            return
        if path != self.path():
            return  # a newer parent value has already asked for other options
        self.set_options(options)

    def _parent_changed(self, _value: str | None) -> None:
        self.value = None
        self.expanded = False
        self.reload()

    # -- display -------------------------------------------------------------

    def _refresh_state(self) -> None:
        if not self._ready:
            return
        waiting = self.depends_on is not None and self.path() is None
        field = self.filter_input
        if self._loading:
            field.placeholder = "Carregando opções…"
        elif waiting:
            field.placeholder = self._waiting_placeholder
        else:
            field.placeholder = self._placeholder
        # Still enabled while loading: what is typed meanwhile must not be dropped.
        field.disabled = waiting or (not self._loading and not self._options)
        typed = field.has_focus and field.value != (self.value or "")
        if typed and self._options and not self.expanded:
            self.expanded = True  # text typed before the options arrived filters them now
        self._apply_filter(field.value if self.expanded else "")

    def _show_value(self) -> None:
        if not self._ready:
            return
        field = self.filter_input
        field.value = self.value or ""
        # Long names: show their beginning, not their end, when not editing.
        field.cursor_position = 0 if not field.has_focus else len(field.value)

    def _apply_filter(self, query: str) -> None:
        self._shown = [o for o in self._options if matches(o, query)] if query.strip() else list(self._options)
        dropdown = self.dropdown
        dropdown.clear_options()
        if self._shown:
            dropdown.add_options(Option(highlighted(o, query)) for o in self._shown)
            index = self._shown.index(self.value) if self.value in self._shown and not query.strip() else 0
            dropdown.highlighted = index
        else:
            message = "Carregando opções…" if self._loading else "Nenhuma opção corresponde ao filtro."
            dropdown.add_option(Option(Text(message, style="italic"), disabled=True))

    def _choose(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._shown):
            self.app.bell()
            return
        self._wanted = None
        self.expanded = False
        choice = self._shown[index]
        if choice == self.value:
            self._show_value()
        self.value = choice

    # -- events and actions --------------------------------------------------

    @on(PickerInput.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not event.input.has_focus:
            return  # programmatic (a choice being displayed)
        if not self.expanded and event.value == (self.value or ""):
            return
        self.expanded = True
        self._apply_filter(event.value)

    @on(PickerInput.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.expanded:
            self._choose(self.dropdown.highlighted)
        else:
            self._open()

    @on(PickerInput.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        event.stop()
        if not self.expanded and event.value == (self.value or ""):
            return
        self.expanded = False
        typed = event.value.strip()
        exact = next((o for o in self._options if fold(o) == fold(typed)), None)
        if exact is not None:
            self._wanted = None
            self.value = exact
            self._show_value()
        elif not typed:
            self.clear()
            self._show_value()
        else:
            self._show_value()  # an unfinished filter is not a choice: show the choice again

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)
        self.filter_input.focus()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def _open(self) -> None:
        if not self._options:
            return
        self._apply_filter("")
        self.expanded = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Closed, escape and page keys belong to the screen (and show in its footer).
        if action in ("close", "page_down", "page_up"):
            return self.expanded
        return True

    def action_cursor_down(self) -> None:
        """Open the list, or move the highlight down."""
        if not self.expanded:
            self._open()
        else:
            self.dropdown.action_cursor_down()

    def action_cursor_up(self) -> None:
        """Open the list, or move the highlight up."""
        if not self.expanded:
            self._open()
        else:
            self.dropdown.action_cursor_up()

    def action_page_down(self) -> None:
        """Move the highlight a page down."""
        if not self.expanded:
            raise SkipAction()
        self.dropdown.action_page_down()  # type: ignore[no-untyped-call]

    def action_page_up(self) -> None:
        """Move the highlight a page up."""
        if not self.expanded:
            raise SkipAction()
        self.dropdown.action_page_up()  # type: ignore[no-untyped-call]

    def action_close(self) -> None:
        """Close the list and show the chosen value again; when closed, let escape through."""
        if not self.expanded:
            raise SkipAction()
        self.expanded = False
        self._show_value()
