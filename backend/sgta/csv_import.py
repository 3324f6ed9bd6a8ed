"""Reading a trail's records from a CSV file, with pt-BR errors naming the line."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from backend.errors import ValidationFailed
from backend.sgta.domain import Trail

MAX_ROWS = 50_000
MAX_VALUE = 500
_Reader = Any  # csv's reader type is private; line_num and iteration are all we use


def _fold(text: str) -> str:
    """Headings compare without case, accents or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else a clear refusal."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            f"Linha {line}: o arquivo não está em UTF-8. Salve a planilha como “CSV UTF-8” e importe de novo.",
            field="file",
        ) from None


def parse(trail: Trail, text: str) -> list[dict[str, str]]:
    """The rows of ``text`` as {column name: value}; the header must name exactly the trail's columns."""
    if not text.strip():
        raise ValidationFailed("O arquivo está vazio: a linha 1 deve ter o cabeçalho com as colunas da trilha.",
                               field="file")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return _rows(trail, reader)
    except csv.Error as exc:
        raise ValidationFailed(f"Linha {reader.line_num}: o CSV está malformado ({exc}). Confira as aspas.",
                               field="file") from None


def _rows(trail: Trail, reader: _Reader) -> list[dict[str, str]]:
    expected = ", ".join(c.label for c in trail.columns)
    header = next(reader)
    by_heading = {}
    for column in trail.columns:
        by_heading[_fold(column.label)] = column.name
        by_heading[_fold(column.name)] = column.name
    names: list[str] = []
    for heading in header:
        name = by_heading.get(_fold(heading))
        if name is None:
            raise ValidationFailed(
                f"Linha 1: coluna desconhecida “{heading.strip()}” na trilha {trail.name}. Colunas: {expected}.",
                field="file")
        if name in names:
            raise ValidationFailed(f"Linha 1: a coluna “{trail.label_of(name)}” aparece duas vezes.", field="file")
        names.append(name)
    missing = [c.label for c in trail.columns if c.name not in names]
    if missing:
        raise ValidationFailed(
            f"Linha 1: falta a coluna “{missing[0]}” no cabeçalho. Colunas da trilha {trail.name}: {expected}.",
            field="file")
    rows: list[dict[str, str]] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines (a trailing one, above all) are not records
        if len(values) != len(names):
            raise ValidationFailed(
                f"Linha {line}: tem {len(values)} valores; o cabeçalho tem {len(names)} colunas.", field="file")
        row = {name: value.strip() for name, value in zip(names, values, strict=True)}
        for name, value in row.items():
            if len(value) > MAX_VALUE:
                raise ValidationFailed(f"Linha {line}: a coluna “{trail.label_of(name)}” tem {len(value)} "
                                       f"caracteres; o limite é {MAX_VALUE}.", field="file")
        if not row[trail.unit_column]:
            raise ValidationFailed(
                f"Linha {line}: a coluna “{trail.label_of(trail.unit_column)}” está vazia; informe a unidade que "
                "deve justificar o registro.", field="file")
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationFailed(f"O arquivo passa de {MAX_ROWS} registros; divida-o em partes.", field="file")
    if not rows:
        raise ValidationFailed("O arquivo só tem o cabeçalho: nenhum registro para importar.", field="file")
    return rows
