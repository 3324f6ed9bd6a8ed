"""Conhecimentos: the desk's knowledge articles, searched as you type, read beside the list."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from backend.domain import DeskInfo, KnowledgeArticle
from backend.text import printable
from tui.adapter import Adapter
from tui.messages import OFFLINE_TEXT, Reconnected, WorkerErrorsToApp
from widgets.footer import CompactFooter


def article_content(article: KnowledgeArticle) -> Content:
    """The article as display content (its text is data: never parsed as markup)."""
    parts = [Content.styled(printable(article.title), "bold"), Content(""), Content(printable(article.body))]
    if article.keywords:
        parts += [Content(""), Content.styled("Palavras-chave: " + printable(", ".join(article.keywords)), "dim")]
    return Content("\n").join(parts)


class KnowledgeScreen(WorkerErrorsToApp, Screen[None]):
    """Conhecimentos: type to search (accents do not matter), pick an article, read it on the right.

    | Key | Description |
    | :- | :- |
    | (digitar) | Buscar nos títulos, textos e palavras-chave. |
    | up/down | Escolher o artigo (também a partir da busca). |
    | enter | Ler o artigo escolhido (rolar com as setas). |
    | / | Voltar para a busca. |
    | escape | Voltar para a busca; na busca, fechar. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Próximo", show=False, id="knowledge.next", tooltip="Próximo artigo"),
        Binding("up", "move(-1)", "Anterior", show=False, id="knowledge.previous", tooltip="Artigo anterior"),
        Binding("enter", "read", "Ler", id="knowledge.read", tooltip="Ler o artigo escolhido"),
        Binding("slash", "search", "Buscar", id="knowledge.search", tooltip="Voltar para a busca"),
        Binding("escape", "back", "Voltar", id="knowledge.back", tooltip="Voltar para a busca ou fechar"),
    ]

    DEFAULT_CSS = """
    KnowledgeScreen #knowledge-search {
        margin: 0 1;
    }
    KnowledgeScreen #knowledge-panes {
        height: 1fr;
    }
    KnowledgeScreen #knowledge-side {
        width: 36%;
        min-width: 28;
        max-width: 60;
    }
    KnowledgeScreen #knowledge-count {
        color: $text-muted;
        padding: 0 1;
    }
    KnowledgeScreen #knowledge-list {
        height: 1fr;
        border: round $primary;
        /* Room for the scrollbar from the start: wrapped titles are measured once, at this width. */
        scrollbar-gutter: stable;
    }
    KnowledgeScreen #knowledge-article {
        width: 1fr;
        border: round $primary;
        padding: 0 1;
    }
    KnowledgeScreen #knowledge-article:focus-within, KnowledgeScreen #knowledge-list:focus {
        border: round $accent;
    }
    """

    def __init__(self, adapter: Adapter, desk: DeskInfo) -> None:
        super().__init__()
        self.adapter = adapter
        self.desk = desk
        self.title = f"Conhecimentos — {desk.name}"
        self.articles: list[KnowledgeArticle] = []
        self._query = ""

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        yield Input(placeholder="Buscar artigos (ex.: reativação UASG, print, prazo)", id="knowledge-search")
        with Horizontal(id="knowledge-panes"):
            with Vertical(id="knowledge-side"):
                yield Static("", id="knowledge-count", markup=False)
                yield OptionList(id="knowledge-list")
            with VerticalScroll(id="knowledge-article", can_focus=True):
                yield Static("", id="knowledge-text", markup=False)
        yield CompactFooter()

    def on_mount(self) -> None:
        """Every article, with the search box ready for typing."""
        self.query_one("#knowledge-search", Input).focus()
        self._search("")

    # -- searching ----------------------------------------------------------------

    @on(Input.Changed, "#knowledge-search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(exclusive=True, group="knowledge-search", exit_on_error=False)
    async def _search(self, query: str) -> None:
        # Exclusive: a newer keystroke cancels this one, so stale results never land.
        articles = await self.adapter.knowledge(self.desk.id, query)
        self._query = query.strip()
        self._show_results(articles)

    def _show_results(self, articles: list[KnowledgeArticle]) -> None:
        self.articles = articles
        shown = self.query_one("#knowledge-list", OptionList)
        shown.clear_options()
        shown.add_options(Option(Content(printable(a.title)), id=a.id) for a in articles)
        count = self.query_one("#knowledge-count", Static)
        if not articles:
            count.update("Nenhum artigo")
            self.query_one("#knowledge-text", Static).update(
                Content(f"Nenhum artigo encontrado para “{printable(self._query)}”. Tente outras palavras."))
            return
        count.update(f"{len(articles)} artigo" + ("s" if len(articles) > 1 else ""))
        shown.highlighted = 0

    @on(OptionList.OptionHighlighted, "#knowledge-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        article = self.articles[event.option_index]
        self.query_one("#knowledge-text", Static).update(article_content(article))
        self.query_one("#knowledge-article", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#knowledge-list")
    def _selected(self) -> None:
        self.action_read()

    @on(Input.Submitted, "#knowledge-search")
    def _submitted(self) -> None:
        self.action_read()

    def on_reconnected(self, message: Reconnected) -> None:
        """The server is back: search again."""
        self._search(self.query_one("#knowledge-search", Input).value)

    # -- keys -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up/down move the list only while typing; reading needs an article."""
        if action == "move":
            return self.query_one("#knowledge-search", Input).has_focus
        if action == "read":
            return bool(self.articles) and not self.query_one("#knowledge-article").has_focus
        return True

    def action_move(self, step: int) -> None:
        """Highlight the next/previous article without leaving the search box."""
        shown = self.query_one("#knowledge-list", OptionList)
        if not self.articles:
            return
        current = shown.highlighted if shown.highlighted is not None else -step
        shown.highlighted = max(0, min(len(self.articles) - 1, current + step))

    def action_read(self) -> None:
        """Move to the article text, to scroll it with the arrows."""
        if self.articles:
            self.query_one("#knowledge-article", VerticalScroll).focus()

    def action_search(self) -> None:
        """Back to the search box."""
        self.query_one("#knowledge-search", Input).focus()

    def action_back(self) -> None:
        """From the article or the list, back to the search; from the search, close."""
        search = self.query_one("#knowledge-search", Input)
        if search.has_focus:
            self.dismiss(None)
        else:
            search.focus()
