"""A case's evidence as the case keeps it: the reference intake sent, and the state of its safe copy."""

from dataclasses import dataclass, replace
from enum import StrEnum

from meldestelle_shared.events import EvidenceFile


class SafeCopyState(StrEnum):
    """Where a file's safe copy stands; only a `safe` file is ever shown to staff."""

    PENDING = "pending"
    SAFE = "safe"
    COULD_NOT_BE_MADE_SAFE = "could_not_be_made_safe"


# Why a file could not be made safe: from the conversion (the first five), its process, or the stores.
REASON_CODES = (
    "too_many_pixels", "too_many_pages", "corrupt", "unsupported_type", "memory_limit", "time_limit", "crashed",
    "conversion_failed", "original_missing", "original_changed", "cannot_unseal",
)  # fmt: skip


@dataclass(frozen=True)
class EvidenceItem:
    """One attached file: its id in the evidence store, its type and size, the hash of its sealed bytes, its safe copy's state."""

    id: str
    media_type: str
    size: int
    sealed_sha256: str
    state: SafeCopyState = SafeCopyState.PENDING
    # A short code for a file that could not be made safe (`too_many_pixels`, `corrupt`, `time_limit` ...).
    reason: str | None = None
    # The safe copy's own type (images become PNG or JPEG, PDFs an image-only PDF, text UTF-8 text).
    safe_media_type: str | None = None
    pages: int | None = None

    @classmethod
    def received(cls, reference: EvidenceFile) -> "EvidenceItem":
        """A file as the report announced it, its safe copy still to be made."""
        return cls(str(reference.evidence_id), reference.media_type, reference.size, reference.sealed_sha256)

    def made_safe(self, safe_media_type: str, pages: int | None = None) -> "EvidenceItem":
        """The file once its safe copy is stored."""
        return replace(self, state=SafeCopyState.SAFE, reason=None, safe_media_type=safe_media_type, pages=pages)

    def refused(self, reason: str) -> "EvidenceItem":
        """The file once its conversion failed: it stays sealed and is never opened in a browser."""
        return replace(self, state=SafeCopyState.COULD_NOT_BE_MADE_SAFE, reason=reason)


def evidence_document(item: EvidenceItem) -> dict[str, object]:
    """The stored form of a file on its case (keyed by id on the case, so one file's state is written alone)."""
    return {
        "media_type": item.media_type, "size": item.size, "sealed_sha256": item.sealed_sha256, "state": item.state.value,
        "reason": item.reason, "safe_media_type": item.safe_media_type, "pages": item.pages,
    }  # fmt: skip


def evidence_from(evidence_id: str, doc: dict[str, object]) -> EvidenceItem:
    """A stored file of a case."""
    return EvidenceItem(
        id=evidence_id, media_type=str(doc["media_type"]), size=int(doc["size"]), sealed_sha256=str(doc["sealed_sha256"]),  # type: ignore[call-overload]
        state=SafeCopyState(doc.get("state") or SafeCopyState.PENDING), reason=doc.get("reason"),  # type: ignore[arg-type]
        safe_media_type=doc.get("safe_media_type"), pages=doc.get("pages"),  # type: ignore[arg-type]
    )  # fmt: skip
