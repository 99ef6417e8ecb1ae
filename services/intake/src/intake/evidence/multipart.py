"""A multipart/form-data parser that keeps everything in bounded memory.

Starlette's `request.form()` puts each file part into a SpooledTemporaryFile that moves to disk above
1 MiB, so an uploaded file would lie in /tmp in clear. intake never writes a resident's file to disk:
this parser feeds python-multipart's push parser and collects fields and files into byte buffers.
The body is in memory already (bounded by the request limits, intake.site.security), so the files'
count, sizes and types are checked afterwards (intake.evidence.files.accept), by the route that takes them.
"""

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData


MAX_FIELD_BYTES = 64 * 1024  # the longest text field (a description of 10,000 characters in any script fits)
MAX_FIELDS = 200
_CHUNK = 64 * 1024


class MalformedForm(Exception):
    """The body is not a readable multipart form (no boundary, a broken part, too many or too long fields)."""


@dataclass
class ParsedForm:
    """The text fields of a form, and the contents of its non-empty file parts, in order."""

    fields: FormData
    files: list[bytes] = field(default_factory=list)


def parse_multipart(body: bytes, content_type: str) -> ParsedForm:
    """Parse a multipart body held in memory into its fields and its non-empty files; MalformedForm if it cannot be read."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise MalformedForm("multipart body without a boundary")
    collector = _Collector()
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        for start in range(0, len(body), _CHUNK):
            parser.write(body[start : start + _CHUNK])
        parser.finalize()
    except MalformedForm:
        raise
    except Exception as error:  # python-multipart raises its own and plain errors on broken input
        raise MalformedForm(type(error).__name__) from None
    return ParsedForm(fields=FormData(collector.fields), files=collector.files)


class _Collector:
    """python-multipart's callbacks: headers name each part, data goes into a bytearray per part."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str]] = []
        self.files: list[bytes] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._data = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._add_header_name(data[start:end]),
            "on_header_value": lambda data, start, end: self._add_header_value(data[start:end]),
            "on_header_end": self._header_end,
            "on_part_data": lambda data, start, end: self._add_data(data[start:end]),
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition, self._header_name, self._header_value = b"", b"", b""
        self._data = bytearray()

    def _add_header_name(self, chunk: bytes) -> None:
        self._header_name += chunk

    def _add_header_value(self, chunk: bytes) -> None:
        self._header_value += chunk
        if len(self._header_value) > 4096:
            raise MalformedForm("header too long")

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def _is_file(self) -> bool:
        return b"filename" in parse_options_header(self._disposition)[1]

    def _add_data(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > MAX_FIELD_BYTES and not self._is_file():
            raise MalformedForm("field too long")

    def _part_end(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if b"filename" in options:
            if self._data:  # a file input left empty sends an empty part
                self.files.append(bytes(self._data))
        else:
            if len(self.fields) >= MAX_FIELDS:
                raise MalformedForm("too many fields")
            self.fields.append((name, self._data.decode("utf-8", errors="replace")))
        self._data = bytearray()
