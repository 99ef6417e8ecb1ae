"""What a resident may attach: at most so many files of so many bytes, of a type recognised from the content alone."""

from dataclasses import dataclass

from meldestelle_shared.events import EvidenceMediaType

ALLOWED_TYPES: tuple[EvidenceMediaType, ...] = ("image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain")
_ALLOWED_NAMES = "JPEG, PNG, WebP, PDF, plain text (UTF-8)"


class EvidenceRefused(Exception):
    """A file or set of files intake does not take; `status` is the HTTP answer (413, 415 or 422)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


@dataclass(frozen=True)
class EvidenceLimits:
    """How many files, and how large, one report (or one later addition) may bring."""

    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    def check_count(self, count: int) -> None:
        """Refuse more files than allowed (422), before any is read further."""
        if count > self.max_files:
            raise EvidenceRefused(422, "too_many_files", f"At most {self.max_files} files may be attached; {count} were sent.")

    def check_sizes(self, sizes: list[int]) -> None:
        """Refuse an oversized file or set of files (413), naming the limit."""
        if any(size > self.max_file_bytes for size in sizes):
            raise EvidenceRefused(413, "file_too_large", f"Each file may be at most {_mib(self.max_file_bytes)}.")
        if sum(sizes) > self.max_total_bytes:
            raise EvidenceRefused(413, "files_too_large", f"All files together may be at most {_mib(self.max_total_bytes)}.")


@dataclass(frozen=True)
class Upload:
    """One attached file, in memory, with the type its content shows."""

    data: bytes
    media_type: EvidenceMediaType


def recognise(data: bytes) -> EvidenceMediaType:
    """The file's type by its first bytes (text: valid UTF-8 without NUL); anything else is a 415 naming the allowed types."""
    if not data:
        raise EvidenceRefused(422, "empty_file", "A file is empty.")
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            pass
    raise EvidenceRefused(
        415, "unsupported_file_type", f"This type of file is not accepted (recognised by its content). Allowed: {_ALLOWED_NAMES}."
    )


def accept(files: list[bytes], limits: EvidenceLimits) -> list[Upload]:
    """Check count, sizes and types of the attached files, in that order; each becomes an Upload."""
    limits.check_count(len(files))
    limits.check_sizes([len(data) for data in files])
    return [Upload(data=data, media_type=recognise(data)) for data in files]


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"
