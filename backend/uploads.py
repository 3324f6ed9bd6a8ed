"""Streaming ``multipart/form-data`` uploads for the HTTP server.

Files are counted while they arrive and spooled to disk past 1 MB, so a file over
the desk's limit is refused as soon as its limit is passed, without holding the
request in memory. Field parts (the JSON ``payload``) are small and kept in memory.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from backend.domain import NewAttachment
from backend.errors import TooLarge, ValidationFailed
from backend.text import format_size

SPOOL_BYTES = 1024 * 1024
MAX_FIELD_BYTES = 256 * 1024
MAX_FIELDS = 8


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """How many files and how large each may be, for the desk the upload goes to."""

    max_file_bytes: int
    max_files: int
    desk_name: str


@dataclass(slots=True)
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    file: IO[bytes] | None = None
    size: int = 0


@dataclass(slots=True)
class UploadedForm:
    """The parsed form: text fields by name and the files in arrival order."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, IO[bytes]]] = field(default_factory=list)

    def attachments(self) -> tuple[NewAttachment, ...]:
        """The files as domain attachments (their bytes read back from the spool)."""
        result = []
        for name, handle in self.files:
            handle.seek(0)
            result.append(NewAttachment(name=name, data=handle.read()))
        return tuple(result)

    def close(self) -> None:
        """Delete the spooled files."""
        for _, handle in self.files:
            handle.close()
        self.files.clear()


class _Reader:
    """python-multipart callbacks that enforce the limits part by part."""

    def __init__(self, limits: Callable[[Mapping[str, str]], UploadLimits], charset: str) -> None:
        self.limits = limits
        self.charset = charset
        self.form = UploadedForm()
        self.part = _Part()
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.pending: list[tuple[IO[bytes], bytes]] = []
        self.current_limits: UploadLimits | None = None

    def _decode(self, raw: bytes) -> str:
        return raw.decode(self.charset, errors="replace")

    def on_part_begin(self) -> None:
        self.part = _Part()
        self.disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = b""
        self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name")
        if name is None:
            raise ValidationFailed("Cada parte do formulário precisa de um nome (Content-Disposition: form-data; "
                                   "name=...).", field="files")
        self.part.name = self._decode(name)
        filename = options.get(b"filename")
        if filename is None:
            if len(self.form.fields) >= MAX_FIELDS:
                raise ValidationFailed(f"O formulário tem mais de {MAX_FIELDS} campos.", field=self.part.name)
            return
        self.part.filename = self._decode(filename)
        self.current_limits = self.limits(self.form.fields)
        if len(self.form.files) >= self.current_limits.max_files:
            raise ValidationFailed(
                f"São mais de {self.current_limits.max_files} arquivos; o limite é "
                f"{self.current_limits.max_files} por envio.", field="attachments")
        self.part.file = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by UploadedForm

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        self.part.size += len(chunk)
        if self.part.file is None:
            if self.part.size > MAX_FIELD_BYTES:
                raise TooLarge(f"O campo {self.part.name!r} passa de {format_size(MAX_FIELD_BYTES)}.",
                               field=self.part.name)
            self.part.data.extend(chunk)
            return
        assert self.current_limits is not None
        if self.part.size > self.current_limits.max_file_bytes:
            raise TooLarge(
                f"O arquivo {self.part.filename!r} passa de {format_size(self.current_limits.max_file_bytes)}, "
                f"o limite por arquivo do balcão {self.current_limits.desk_name}.",
                field="attachments",
            )
        self.pending.append((self.part.file, chunk))

    def on_part_end(self) -> None:
        if self.part.file is not None:
            self.form.files.append((self.part.filename or "", self.part.file))
        elif self.part.name in self.form.fields:
            raise ValidationFailed(f"O campo {self.part.name!r} foi enviado mais de uma vez.", field=self.part.name)
        else:
            self.form.fields[self.part.name] = self._decode(bytes(self.part.data))

    def flush(self) -> list[tuple[IO[bytes], bytes]]:
        pending, self.pending = self.pending, []
        return pending


def _write_all(pending: list[tuple[IO[bytes], bytes]]) -> None:
    for handle, chunk in pending:
        handle.write(chunk)


async def read_multipart(content_type: str, stream: AsyncIterator[bytes],
                         limits: Callable[[Mapping[str, str]], UploadLimits]) -> UploadedForm:
    """Parse a multipart body from ``stream``; ``limits`` gets the fields read so far when a file starts."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ValidationFailed("Corpo multipart/form-data sem o parâmetro boundary no Content-Type.", field=None)
    raw_charset = params.get(b"charset", b"utf-8")
    try:
        charset = codecs.lookup(raw_charset.decode("latin-1")).name
    except LookupError:
        charset = "utf-8"
    reader = _Reader(limits, charset)
    callbacks = {name: getattr(reader, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            parser.write(chunk)
            pending = reader.flush()
            if pending:
                # Past the spool size these are disk writes: keep them off the event loop.
                await run_in_threadpool(_write_all, pending)
        parser.finalize()
    except FormParserError as exc:
        _discard(reader)
        raise ValidationFailed("O corpo multipart/form-data está malformado.", field=None) from exc
    except BaseException:
        # On a refusal the answer goes out at once; uvicorn discards the rest of the body.
        _discard(reader)
        raise
    if reader.part.file is not None and all(reader.part.file is not f for _, f in reader.form.files):
        reader.part.file.close()  # a file part the body ended in the middle of
    for _, handle in reader.form.files:
        handle.seek(0)
    return reader.form



def _discard(reader: _Reader) -> None:
    reader.form.close()
    if reader.part.file is not None:
        reader.part.file.close()
