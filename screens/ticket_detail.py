"""Detalhes: a ticket's fields and its Linha do Tempo, with the requester's actions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Header, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from backend.domain import Attachment, DeskInfo, Ticket
from backend.errors import Conflict, Forbidden, NotFound, StaleVersion
from backend.text import format_datetime, format_size, printable
from screens.evaluate import EvaluateScreen, Evaluation
from tui.adapter import Adapter
from tui.messages import OFFLINE_TEXT, Reconnected, TicketsChanged, WorkerErrorsToApp
from widgets.footer import CompactFooter
from widgets.timeline import Timeline

# Key -> action name in Ticket.actions, for the bindings the ticket's rules govern.
RULED_ACTIONS = {"comment": "comment", "cancel_ticket": "cancel", "reopen": "reopen"}
# Staff keys -> action name; hidden for requesters, dimmed (with the reason on press) when refused.
STAFF_ACTIONS = {"reply": "reply", "note": "note", "take": "take", "ask": "ask", "resolve": "resolve",
                 "forward": "forward", "monitor": "monitor", "track": "track"}
RULED_ACTIONS.update(STAFF_ACTIONS)


# Ticket.fields keys that link two tickets (SEI tracking), not fields of a desk's form.
LINK_LABELS = {"origem": "Demanda de origem", "acompanhamento": "Chamado de acompanhamento"}


def field_rows(ticket: Ticket, desk: DeskInfo | None = None) -> list[tuple[str, str]]:
    """The header fields in the portal's order, then the desk's own fields (by their form labels)."""
    rows = [
        ("Título", ticket.title),
        ("Número", ticket.number),
        ("Solicitante", ticket.requester_name),
        ("Órgão", ticket.orgao),
        ("Tipo", ticket.type),
        ("Categoria", ticket.category),
        ("Assunto", ticket.subject),
        ("Status", ticket.status),
        ("Data de criação", format_datetime(ticket.created_at)),
    ]
    if not ticket.fields:
        return rows
    # Desks without órgão or catalog leave those columns empty: no empty rows for them.
    rows = [(label, value) for label, value in rows if value]
    labels = {f.name: f.label for f in desk.fields} if desk else {}
    rows += [(labels.get(name) or LINK_LABELS.get(name, name), value) for name, value in ticket.fields.items()]
    return rows


class TicketDetailScreen(WorkerErrorsToApp, Screen[Ticket | None]):
    """Exibir detalhes: fields, description, files and the timeline, newest first.

    Dismisses with the updated Ticket when something changed here, else None.
    Keys the ticket's rules forbid stay in the footer, dimmed; pressing one
    says why.

    | Key | Description |
    | :- | :- |
    | c | Adicionar comentário/anexo. |
    | x | Cancelar demanda (pede confirmação). |
    | r | Reabrir demanda (com justificativa; até 7 dias após resolvida/cancelada). |
    | d | Salvar o anexo destacado no disco. |
    | a | Avaliar o atendimento (demanda resolvida, balcões com avaliação). |
    | escape | Voltar para a lista. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "comment", "Comentar", id="detail.comment", tooltip="Adicionar comentário/anexo"),
        Binding("x", "cancel_ticket", "Cancelar", id="detail.cancel", tooltip="Cancelar esta demanda"),
        Binding("r", "reopen", "Reabrir", id="detail.reopen", tooltip="Reabrir demanda com uma justificativa"),
        Binding("d", "download", "Salvar anexo", id="detail.download", tooltip="Salvar um anexo no disco"),
        Binding("escape", "back", "Voltar", id="detail.back", tooltip="Voltar para Minhas demandas"),
        Binding("R", "reply", "Responder", id="detail.reply", tooltip="Resposta pública ao solicitante"),
        Binding("O", "note", "Observação", id="detail.note", tooltip="Observação interna (só a equipe vê)"),
        Binding("T", "take", "Assumir", id="detail.take", tooltip="Reservar a demanda para você"),
        Binding("P", "ask", "Pedir info", id="detail.ask", tooltip="Pedir informações ao solicitante"),
        Binding("S", "resolve", "Resolver", id="detail.resolve", tooltip="Resolver a demanda"),
        Binding("E", "forward", "Encaminhar", id="detail.forward", tooltip="Encaminhar para outra área"),
        Binding("M", "monitor", "Monitorar", id="detail.monitor", tooltip="Monitorar até uma data"),
        Binding("a", "evaluate", "Avaliar", id="detail.evaluate", tooltip="Avaliar o atendimento (nota de 1 a 5)"),
        Binding("A", "track", "Acompanhamento", id="detail.track",
                tooltip="Abrir chamado de acompanhamento vinculado (unidade técnica do SEI)"),
    ]

    def __init__(self, adapter: Adapter, number: str, ticket: Ticket | None = None) -> None:
        super().__init__()
        self.adapter = adapter
        self.number = number
        self.ticket = ticket
        self.title = f"Demanda {number}"
        self._changed: Ticket | None = None
        self._reopen_draft = ""
        self._evaluation_draft: Evaluation | None = None
        self._desks: dict[str, DeskInfo] = {}  # labels of the desk's own fields

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(OFFLINE_TEXT, classes="offline-banner", markup=False)
        with VerticalScroll(id="detail-body"):
            yield LoadingIndicator(id="detail-loading")
            yield Grid(id="detail-fields")
            yield Static("", id="detail-reservation", markup=False)
            yield Static("Descrição", classes="detail-section")
            yield Static("", id="detail-description", markup=False)
            yield Static("Anexos", classes="detail-section", id="detail-files-title")
            yield OptionList(id="detail-files")
            yield Static("Linha do Tempo", classes="detail-section")
            yield Timeline(id="detail-timeline")
        yield CompactFooter()

    async def on_mount(self) -> None:
        """Show what was handed over at once; fetch the rest."""
        if self.ticket is not None:
            await self._show(self.ticket)
        else:
            self._set_loading(True)
            self._load()
        self.query_one("#detail-body").focus()

    def _set_loading(self, loading: bool) -> None:
        self.query_one("#detail-loading").display = loading
        for widget in self.query_one("#detail-body").children:
            if widget.id != "detail-loading":
                widget.display = not loading

    @work(exclusive=True, group="load-ticket", exit_on_error=False)
    async def _load(self) -> None:
        try:
            ticket = await self.adapter.get_ticket(self.number)
        except NotFound as error:
            self.notify(error.message, severity="error", markup=False)
            self.dismiss(None)
            return
        await self._show(ticket)

    async def _show(self, ticket: Ticket) -> None:
        """Render ``ticket`` and refresh which keys are available."""
        self.ticket = ticket
        self.number = ticket.number
        self.title = f"Demanda {ticket.number}"
        self._set_loading(False)
        grid = self.query_one("#detail-fields", Grid)
        cells: list[Static] = []
        desk = await self._desk(ticket.desk) if ticket.fields else None
        for label, value in field_rows(ticket, desk):
            cells.append(Static(f"{label}:", classes="detail-label", markup=False))
            style = "bold" if label in ("Título", "Status") else ""
            cells.append(Static(Content.styled(printable(value), style), classes="detail-value"))
        with self.app.batch_update():
            await grid.remove_children()
            await grid.mount_all(cells)
        self.query_one("#detail-description", Static).update(Content(printable(ticket.description)))
        self._show_reservation(ticket)
        self._show_files(ticket.attachments)
        await self.query_one(Timeline).set_entries(ticket.timeline)
        self.refresh_bindings()

    def _show_files(self, attachments: tuple[Attachment, ...]) -> None:
        files = self.query_one("#detail-files", OptionList)
        files.clear_options()
        files.add_options(
            Option(
                Content.assemble(
                    printable(a.name), (f"  {format_size(a.size)} · {format_datetime(a.created_at)}", "dim")
                ),
                id=str(a.id),
            )
            for a in attachments
        )
        has_files = bool(attachments)
        files.display = has_files
        self.query_one("#detail-files-title", Static).display = has_files
        self.query_one("#detail-files-title", Static).update(f"Anexos ({len(attachments)})")

    def on_reconnected(self, message: Reconnected) -> None:
        """The server is back: show the latest state."""
        self._load()

    def on_tickets_changed(self, message: TicketsChanged) -> None:
        """This ticket changed elsewhere (an answer, a status): show it, unless already shown."""
        changed_at = message.newest(self.number)
        if changed_at is None or (self.ticket is not None and self.ticket.updated_at >= changed_at):
            return
        self._load()

    # -- rules: what the footer offers ----------------------------------------

    def refusal(self, action: str) -> str | None:
        """Why ``action`` cannot run now, or None when it can."""
        ticket = self.ticket
        if action in RULED_ACTIONS:
            if ticket is None:
                return "Aguarde: a demanda ainda está carregando."
            return ticket.why_not(RULED_ACTIONS[action])
        if action == "download" and (ticket is None or not ticket.attachments):
            return "Esta demanda não tem anexos."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Ruled actions show dimmed (None) when refused; saving shows only with files."""
        if action == "evaluate":
            # Only where the desk takes evaluations and the requester may give one now.
            return self.ticket is not None and self.ticket.can("evaluate")
        if action in STAFF_ACTIONS and not self._is_staff():
            return False
        if action == "track" and (self.ticket is None or "track" not in self.ticket.actions):
            return False  # only desks with tracking tickets (SEI) offer the key
        if action in RULED_ACTIONS:
            return self.refusal(action) is None or None
        if action == "download":
            return self.refusal(action) is None
        return True

    def on_key(self, event: Key) -> None:
        """A key whose action is refused says why instead of doing nothing."""
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            reason = self.refusal(binding.action)
            if reason:
                event.stop()
                event.prevent_default()
                self.notify(reason, title="Ação indisponível", severity="warning", markup=False)
                return

    # -- actions ----------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the list, telling it what changed."""
        self.dismiss(self._changed)

    async def _changed_to(self, ticket: Ticket) -> None:
        self._changed = ticket
        await self._show(ticket)

    def _version(self) -> int | None:
        # The version shown: the server refuses the change if someone changed the ticket since.
        return self.ticket.version if self.ticket else None

    async def _guarded(self, change: Awaitable[Ticket]) -> Ticket:
        """Run a change; when the server refuses it, show the ticket as it is now (the app says why)."""
        try:
            return await change
        except (Conflict, Forbidden, StaleVersion):
            self._load()
            raise

    def action_comment(self) -> None:
        """Adicionar comentário/anexo."""
        if self.ticket is None:
            return
        try:
            from screens.comment import CommentScreen
        except ImportError:
            self.notify("A tela de comentário ainda não está disponível nesta versão.", severity="warning")
            return
        self.app.push_screen(CommentScreen(self.adapter, self.ticket), callback=self._after_comment)

    async def _after_comment(self, ticket: Ticket | None) -> None:
        if ticket is not None:
            await self._changed_to(ticket)

    def action_cancel_ticket(self) -> None:
        """Cancelar demanda, after a confirmation."""
        from screens.confirm import ConfirmScreen

        user = getattr(self.app, "user", None)
        if self._is_staff() and self.ticket is not None and user is not None \
                and self.ticket.requester_login != user.login:
            self._staff_dialog("cancel")  # staff cancel someone's ticket only with a reason
            return
        question = ConfirmScreen("Cancelar demanda", f"Deseja cancelar a demanda {self.number}?")
        self.app.push_screen(question, callback=self._after_confirm)

    def _after_confirm(self, yes: bool | None) -> None:
        if yes:
            self._cancel()

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _cancel(self) -> None:
        ticket = await self._guarded(self.adapter.cancel(self.number, expected_version=self._version()))
        await self._changed_to(ticket)
        self.notify("Demanda cancelada.", markup=False)

    def action_reopen(self) -> None:
        """Reabrir demanda: ask the justification (a failed attempt's text comes back)."""
        from screens.reopen import ReopenScreen

        self.app.push_screen(ReopenScreen(self.number, self._reopen_draft), callback=self._after_justification)

    def _after_justification(self, reason: str | None) -> None:
        if reason:
            self._reopen_draft = reason  # kept until the server accepts it
            self._reopen(reason)

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _reopen(self, reason: str) -> None:
        ticket = await self._guarded(self.adapter.reopen(self.number, reason, expected_version=self._version()))
        self._reopen_draft = ""
        await self._changed_to(ticket)
        self.notify("Demanda reaberta com sucesso.", markup=False)

    def action_evaluate(self) -> None:
        """Avaliar atendimento: score and comment (a failed attempt's choice comes back)."""
        self.app.push_screen(EvaluateScreen(self.number, self._evaluation_draft), callback=self._after_evaluation)

    def _after_evaluation(self, evaluation: Evaluation | None) -> None:
        if evaluation is not None:
            self._evaluation_draft = evaluation  # kept until the server accepts it
            self._evaluate(evaluation)

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _evaluate(self, evaluation: Evaluation) -> None:
        ticket = await self._guarded(self.adapter.evaluate(self.number, evaluation.score, evaluation.comment,
                                                           expected_version=self._version()))
        self._evaluation_draft = None
        await self._changed_to(ticket)
        self.notify("Avaliação registrada. Obrigado!", markup=False)

    def action_download(self) -> None:
        """Save the highlighted file (or the only one) to disk."""
        ticket = self.ticket
        if ticket is None or not ticket.attachments:
            return
        files = self.query_one("#detail-files", OptionList)
        attachment: Attachment | None = None
        if len(ticket.attachments) == 1:
            attachment = ticket.attachments[0]
        elif files.has_focus and files.highlighted is not None:
            attachment = ticket.attachments[files.highlighted]
        if attachment is None:
            files.focus()
            if files.highlighted is None:
                files.highlighted = 0
            files.scroll_visible()
            self.notify("Escolha o anexo com as setas e pressione d (ou enter).", markup=False)
            return
        self._ask_folder(attachment)

    @on(OptionList.OptionSelected, "#detail-files")
    def _file_chosen(self, event: OptionList.OptionSelected) -> None:
        if self.ticket is not None:
            self._ask_folder(self.ticket.attachments[event.option_index])

    def _ask_folder(self, attachment: Attachment) -> None:
        from screens.save_attachment import SaveAttachmentScreen

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self._save(attachment, folder)

        self.app.push_screen(SaveAttachmentScreen(attachment.name, attachment.size), callback=chosen)

    @work(group="download", exit_on_error=False)
    async def _save(self, attachment: Attachment, folder: Path) -> None:
        from screens.save_attachment import write_new_file

        meta, data = await self.adapter.download(self.number, attachment.id)
        try:
            path = await asyncio.to_thread(write_new_file, folder, meta.name, data)
        except OSError as error:
            self.notify(f"Não foi possível salvar em {folder}: {error.strerror or error}", severity="error",
                        markup=False)
            return
        self.notify(f"Anexo salvo em {path}", title="Anexo salvo", markup=False)

    # -- staff ----------------------------------------------------------------

    def _is_staff(self) -> bool:
        user = getattr(self.app, "user", None)
        return user is not None and user.role.is_staff

    def _show_reservation(self, ticket: Ticket) -> None:
        """"em análise por NOME desde hh:mm" (staff only), with the way to take it over."""
        line = self.query_one("#detail-reservation", Static)
        user = getattr(self.app, "user", None)
        line.display = self._is_staff()
        if not ticket.reserved_by:
            line.update("Livre: ninguém está analisando esta demanda.")
            return
        since = ticket.reserved_at.astimezone().strftime("%H:%M") if ticket.reserved_at else ""
        who = printable(ticket.reserved_by_name or ticket.reserved_by)
        text = f"Em análise por {who}" + (f" desde {since}" if since else "")
        if user is not None and ticket.reserved_by != user.login:
            text += " — pressione T para assumir."
        line.update(text)

    def action_take(self) -> None:
        """Assumir: reserve the ticket to me, taking it over (the footer says who holds it)."""
        self._take()

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _take(self) -> None:
        ticket = await self._guarded(self.adapter.take(self.number, expected_version=self._version()))
        await self._changed_to(ticket)
        self.notify("Demanda reservada para você.", markup=False)

    def action_reply(self) -> None:
        """Resposta pública."""
        self._open_answer(internal=False)

    def action_note(self) -> None:
        """Observação interna."""
        self._open_answer(internal=True)

    def _open_answer(self, *, internal: bool) -> None:
        from screens.answer import AnswerScreen

        if self.ticket is None:
            return
        screen = AnswerScreen(self.ticket, self.adapter.location, internal=internal)
        self.app.push_screen(screen, callback=self._answered)

    def _answered(self, answer: object) -> None:
        from screens.answer import Answer

        if isinstance(answer, Answer):
            self._send_answer(answer)

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _send_answer(self, answer: object) -> None:
        import contextlib
        import hashlib

        from screens.answer import Answer, answer_key
        from tui.drafts import DraftStore, idempotency_key
        from widgets.attachment_field import read_attachments

        assert isinstance(answer, Answer) and self.ticket is not None
        files = await read_attachments(answer.files)
        parts: list[str | bytes] = [self.number, "note" if answer.internal else "reply", answer.text]
        for item in files:
            parts += [item.name, hashlib.sha256(item.data).digest()]
        send = self.adapter.note if answer.internal else self.adapter.reply
        ticket = await self._guarded(send(self.number, answer.text, files,
                                          idempotency_key=idempotency_key(answer.form_id, parts),
                                          expected_version=self._version()))
        with contextlib.suppress(OSError):
            DraftStore(self.adapter.location).delete(answer_key(ticket.desk, ticket.number, answer.internal))
        await self._changed_to(ticket)
        self.notify("Observação interna registrada." if answer.internal else "Resposta enviada ao solicitante.",
                    markup=False)

    def action_ask(self) -> None:
        """Pedir informações ao solicitante."""
        self._staff_dialog("ask")

    def action_resolve(self) -> None:
        """Resolver."""
        self._staff_dialog("resolve")

    def action_forward(self) -> None:
        """Encaminhar para outra área."""
        self._staff_dialog("forward")

    def action_monitor(self) -> None:
        """Monitorar até uma data."""
        self._staff_dialog("monitor")

    def action_track(self) -> None:
        """Abrir chamado de acompanhamento (SEI)."""
        self._staff_dialog("track")

    @work(exclusive=True, group="staff-dialog", exit_on_error=False)
    async def _staff_dialog(self, action: str) -> None:
        from screens.staff_actions import StaffActionScreen, StaffRequest

        if self.ticket is None:
            return
        desk = await self._desk(self.ticket.desk)
        areas = desk.areas if action == "forward" else ()

        def chosen(request: StaffRequest | None) -> None:
            if request is not None:
                self._perform(request)

        # A callback, not push_screen_wait: no worker stays blocked while the dialog is open.
        # The desk's own name for the action (gov.br "Solicitar ajustes") titles the dialog.
        self.app.push_screen(StaffActionScreen(action, self.ticket, areas=areas,
                                               label=desk.action_labels.get(action, "")), callback=chosen)

    async def _desk(self, desk_id: str) -> DeskInfo:
        if desk_id not in self._desks:
            self._desks[desk_id] = await self.adapter.desk(desk_id)
        return self._desks[desk_id]

    @work(exclusive=True, group="change", exit_on_error=False)
    async def _perform(self, request: object) -> None:
        from screens.staff_actions import StaffRequest

        assert isinstance(request, StaffRequest)
        version = self._version()
        if request.action == "ask":
            ticket = await self._guarded(self.adapter.ask(self.number, request.text, expected_version=version))
            done = "Pedido de informações enviado ao solicitante."
        elif request.action == "resolve":
            ticket = await self._guarded(self.adapter.resolve(self.number, request.text, expected_version=version))
            done = "Demanda resolvida."
        elif request.action == "cancel":
            ticket = await self._guarded(self.adapter.cancel(self.number, request.text, expected_version=version))
            done = "Demanda cancelada."
        elif request.action == "forward":
            assert request.area is not None
            ticket = await self._guarded(self.adapter.forward(self.number, request.area, request.text,
                                                              expected_version=version))
            done = f"Demanda encaminhada para {request.area}."
        elif request.action == "track":
            tracking = await self._guarded(self.adapter.track(self.number, request.text, expected_version=version))
            ticket = await self.adapter.get_ticket(self.number)  # this screen keeps showing the original
            done = f"Chamado de acompanhamento {tracking.number} aberto."
        else:
            assert request.until is not None
            ticket = await self._guarded(self.adapter.monitor(self.number, request.until, request.text,
                                                              expected_version=version))
            done = f"Demanda em monitoramento até {request.until:%d/%m/%Y}."
        await self._changed_to(ticket)
        self.notify(done, markup=False)
