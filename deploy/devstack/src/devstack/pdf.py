"""Reading a PDF back in tests: its structure checked, its text extracted (enough for ReportLab's output, no parser needed)."""

import base64
import re
import zlib

_STREAM = re.compile(rb"<<([^<>]*)>>\s*stream\r?\n(.*?)\s*endstream", re.S)
# A shown string, or an operator that ends a line of text.
_SHOWN = re.compile(rb"\((.*?)(?<!\\)\)\s*Tj|(?<![A-Za-z])(T\*|ET)(?![A-Za-z])")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def check_structure(data: bytes) -> None:
    """Raise AssertionError unless `data` has a PDF header, an end marker and a startxref that points at the xref table."""
    assert data.startswith(b"%PDF-1."), "no PDF header"
    assert data.rstrip().endswith(b"%%EOF"), "no %%EOF marker"
    offset = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    assert data[offset : offset + 4] == b"xref", "startxref does not point at the xref table"


def pdf_text(data: bytes) -> str:
    """The text the PDF's content streams show, a line of text a line (WinAnsi decoded)."""
    shown = ""
    for head, body in _STREAM.findall(data):
        if b"/ASCII85Decode" in head:
            body = base64.a85decode(body.strip().removeprefix(b"<~").removesuffix(b"~>"))
        if b"/FlateDecode" in head:
            body = zlib.decompress(body)
        for text, line_end in _SHOWN.findall(body):
            shown += "\n" if line_end else _unescape(text).decode("cp1252")
    return re.sub(r"\n+", "\n", shown).strip()


def _unescape(text: bytes) -> bytes:
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: _ESCAPES.get(m[1]) or bytes([int(m[1], 8)]), text)
