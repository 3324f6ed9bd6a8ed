"""A desk's form rules applied to a new ticket: every check comes from the desk's FieldDefs.

The service calls :func:`validate_form` before anything is written and
:func:`check_form_files` on the attachments; each refusal is a ``ValidationFailed``
naming the field, with a pt-BR message that says what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from backend.desks import DeskDefinition
from backend.domain import FieldDef, NewAttachment, NewTicket, User
from backend.errors import ValidationFailed

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The NewTicket attributes that are columns of a ticket (the rest travel in ``fields``).
CORE_FIELDS = ("title", "orgao", "type", "category", "subject", "description")
# e-CAGE's wording for its core fields, kept for every desk that lists them.
_CORE_REQUIRED = {
    "title": "Informe o título.",
    "orgao": "Selecione o órgão.",
    "type": "Selecione o tipo.",
    "category": "Selecione a categoria.",
    "subject": "Selecione o assunto.",
    "description": "Descreva a demanda.",
}
MAX_ROWS = 200
# A value that is not a ``longtext`` is one line: no form field is a hidden text area.
_SINGLE_LINE_LIMIT = 500
_TYPED_LINE = frozenset({"text", "email", "phone", "email_confirm"})


def _quoted(label: str) -> str:
    return f"“{label}”"


def required_message(field: FieldDef, values: Mapping[str, str], desk: DeskDefinition) -> str:
    """What the requester must do when ``field`` is empty."""
    if field.name in _CORE_REQUIRED and field.required:
        return _CORE_REQUIRED[field.name]
    if field.kind in ("select", "choice", "catalog_type", "catalog_category", "catalog_subject"):
        text = f"Selecione uma opção em {_quoted(field.label)}."
    elif field.kind == "rows":
        text = f"Adicione ao menos um item em {_quoted(field.label)}."
    elif field.kind == "files":
        text = f"Anexe ao menos um arquivo em {_quoted(field.label)}."
    elif field.kind == "email_confirm":
        text = f"Repita o e-mail em {_quoted(field.label)}."
    else:
        text = f"Preencha o campo {_quoted(field.label)}."
    if field.required:
        return text
    # Required only because of another answer: say which one.
    for name, value in field.required_when:
        if values.get(name, "") == value:
            other = desk.info.find_field(name)
            return f"{text[:-1]}: é obrigatório quando {_quoted(other.label if other else name)} é “{value}”."
    return text


def validate_form(desk: DeskDefinition, new: NewTicket, user: User) -> tuple[dict[str, str], dict[str, str]]:
    """The ticket's column values and its desk-specific ``fields``, checked against the desk.

    Raises ``ValidationFailed(message, field=NAME)`` for the first problem, in form order.
    """
    info = desk.info
    listed = {f.name: f for f in info.fields}
    core_in = {name: str(getattr(new, name)).strip() for name in CORE_FIELDS}
    for name, value in core_in.items():
        if value and name not in listed:
            raise ValidationFailed(f"O balcão {info.name} não tem o campo {name!r}; deixe-o vazio.", field=name)
    for name in new.fields:
        if name not in listed or name in CORE_FIELDS or listed[name].kind == "files":
            raise ValidationFailed(f"Campo desconhecido no balcão {info.name}: {name!r}.", field=name)
    values: dict[str, str] = {**{k: str(v).strip() for k, v in new.fields.items()}, **core_in}
    for field in info.fields:
        if field.from_account:
            # Never typed: the account says who asks (gov.br "preenchidos com a conta").
            values[field.name] = user.name if field.from_account == "name" else user.email
        elif field.kind == "rows":
            values[field.name] = _clean_rows(values.get(field.name, ""))
    for field in info.fields:
        if field.kind == "files" or field.from_account:
            continue
        if not values.get(field.name) and field.required_for(values):
            raise ValidationFailed(required_message(field, values, desk), field=field.name)
    _check_lengths(desk, values)
    for field in info.fields:
        if values.get(field.name) and not field.from_account:
            _check_kind(desk, field, values)
    _check_catalog(desk, values)
    core = {name: values.get(name, "") for name in CORE_FIELDS}
    if "title" not in listed:
        core["title"] = desk.derive_title(values)
    extras = {f.name: values.get(f.name, "") for f in info.fields
              if f.name not in CORE_FIELDS and f.kind not in ("files", "email_confirm")}
    return core, {name: value for name, value in extras.items() if value}


def _clean_rows(raw: str) -> str:
    """One value per line, blank lines dropped and repeats kept once (the table lists each once)."""
    rows = [line.strip() for line in raw.splitlines()]
    return "\n".join(dict.fromkeys(row for row in rows if row))


def _check_lengths(desk: DeskDefinition, values: Mapping[str, str]) -> None:
    for field in desk.info.fields:
        value = values.get(field.name, "")
        if field.name == "title" and len(value) > desk.title_limit:
            raise ValidationFailed(f"O título tem {len(value)} caracteres; o limite é {desk.title_limit}.",
                                   field="title")
        if field.name == "description" and len(value) > desk.info.description_limit:
            raise ValidationFailed(
                f"A descrição tem {len(value)} caracteres; o limite é {desk.info.description_limit}. "
                "Envie o restante depois, em \"Adicionar comentário/anexo\".",
                field="description",
            )
        limit = field.max_length or (_SINGLE_LINE_LIMIT if field.kind in _TYPED_LINE else None)
        if limit is not None and len(value) > limit and field.name not in ("title", "description"):
            raise ValidationFailed(
                f"O campo {_quoted(field.label)} tem {len(value)} caracteres; o limite é {limit}.", field=field.name
            )


def _check_kind(desk: DeskDefinition, field: FieldDef, values: Mapping[str, str]) -> None:
    value = values[field.name]
    label = _quoted(field.label)
    if field.kind in _TYPED_LINE and "\n" in value:
        raise ValidationFailed(f"O campo {label} aceita uma linha só.", field=field.name)
    if field.kind == "email" and not EMAIL_PATTERN.fullmatch(value):
        raise ValidationFailed(f"E-mail inválido em {label}: {value!r}. Exemplo: nome@orgao.gov.br", field=field.name)
    if field.kind == "phone":
        digits = re.sub(r"\D", "", value)
        if not 8 <= len(digits) <= 13 or re.search(r"[^\d\s()+.-]", value):
            raise ValidationFailed(
                f"Telefone inválido em {label}: {value!r}. Use DDD e número, por exemplo (61) 2020-8000.",
                field=field.name,
            )
    if field.kind == "select" and value not in field.options:
        raise ValidationFailed(
            f"Opção inválida em {label}: {value!r}. Escolha uma destas: {'; '.join(field.options)}.", field=field.name
        )
    if field.kind == "choice" and value not in desk.info.orgaos:
        raise ValidationFailed(f"Órgão desconhecido: {value!r}. Escolha um órgão da lista.", field=field.name)
    if field.kind == "email_confirm":
        original = values.get(field.confirm_of or "", "")
        if value.casefold() != original.casefold():
            other = desk.info.find_field(field.confirm_of or "")
            raise ValidationFailed(
                f"Os e-mails não conferem: digite em {label} o mesmo e-mail informado em "
                f"{_quoted(other.label if other else '')}.",
                field=field.name,
            )
    if field.kind == "rows":
        rows = value.splitlines()
        if len(rows) > MAX_ROWS:
            raise ValidationFailed(f"{label} tem {len(rows)} itens; o limite é {MAX_ROWS}.", field=field.name)
        for row in rows:
            if len(row) > _SINGLE_LINE_LIMIT:
                raise ValidationFailed(f"Um item de {label} tem {len(row)} caracteres; o limite é "
                                       f"{_SINGLE_LINE_LIMIT}.", field=field.name)
            if field.pattern and not re.fullmatch(field.pattern, row):
                raise ValidationFailed(
                    f"{_quoted(field.column or field.label)} inválido: {row!r}. {field.pattern_message}".rstrip(),
                    field=field.name,
                )
    elif field.pattern and not re.fullmatch(field.pattern, value):
        raise ValidationFailed(f"{label} inválido: {value!r}. {field.pattern_message}".rstrip(), field=field.name)


def _check_catalog(desk: DeskDefinition, values: Mapping[str, str]) -> None:
    """The cascade type > category > subject, for the levels the desk's form has."""
    info = desk.info
    kinds = {f.kind for f in info.fields}
    if "catalog_type" not in kinds:
        return
    type_ = info.find_type(values.get("type", ""))
    if type_ is None:
        names = ", ".join(t.name for t in info.types)
        raise ValidationFailed(f"Tipo desconhecido: {values.get('type', '')!r}. Tipos: {names}.", field="type")
    if "catalog_category" not in kinds:
        return
    category = next((c for c in type_.categories if c.name == values.get("category", "")), None)
    if category is None:
        raise ValidationFailed(
            f"A categoria {values.get('category', '')!r} não existe no tipo {type_.name}.", field="category"
        )
    if "catalog_subject" in kinds and values.get("subject", "") not in category.subjects:
        raise ValidationFailed(
            f"O assunto {values.get('subject', '')!r} não pertence à categoria {category.name}.", field="subject"
        )


def check_form_files(desk: DeskDefinition, values: Mapping[str, str], attachments: tuple[NewAttachment, ...],
                     names: list[str]) -> None:
    """Each file answers a ``files`` field of the desk, of a type it accepts; required ones are present.

    ``names`` are the cleaned file names, in the order of ``attachments``.
    """
    info = desk.info
    fields = {f.name: f for f in info.fields if f.kind == "files"}
    for item, name in zip(attachments, names, strict=True):
        field = fields.get(item.field)
        if field is None:
            known = ", ".join(fields) or "nenhum"
            raise ValidationFailed(
                f"O arquivo {name!r} indica o campo {item.field!r}, que não existe no balcão {info.name}. "
                f"Campos de arquivos: {known}.",
                field=item.field,
            )
        ext = name.rpartition(".")[2].lower() if "." in name.lstrip(".") else ""
        if field.accept and ext not in field.accept:
            raise ValidationFailed(
                f"{_quoted(field.label)} aceita só arquivos {', '.join('.' + a for a in field.accept)}; "
                f"{name!r} não é aceito.",
                field=field.name,
            )
    sent = {item.field for item in attachments}
    for field in fields.values():
        if field.name not in sent and field.required_for(dict(values)):
            raise ValidationFailed(required_message(field, values, desk), field=field.name)
