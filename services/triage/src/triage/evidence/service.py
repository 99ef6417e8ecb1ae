"""The evidence flow on the office's side: remember a case's files, make their safe copies, open them for staff, erase them."""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from meldestelle_shared.events import Event, ReportSubmitted
from meldestelle_shared.sealing import Keyring, SealingError, seal_bytes, unseal_bytes
from triage.cases.model import Case, case_id_for
from triage.cases.repository import CaseRepository
from triage.errors import NotFound
from triage.evidence.limits import EvidenceSettings
from triage.evidence.model import EvidenceItem, SafeCopyState
from triage.evidence.sandbox import Refused, convert_in_sandbox
from triage.evidence.store import CONTENT, THUMBNAIL, OriginalStore, SafeCopyStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceDesk:
    """What the evidence flow works with: both stores, the office keyring and the conversion settings."""

    originals: OriginalStore
    copies: SafeCopyStore
    office_key: Keyring
    settings: EvidenceSettings


async def remember_evidence(events: Sequence[Event], *, desk: EvidenceDesk) -> None:
    """Record each new report's files under its case before the case is opened, so an erasure always finds them."""
    for event in events:
        if isinstance(event, ReportSubmitted) and event.evidence:
            await desk.copies.remember(case_id_for(event.report_id), [str(file.evidence_id) for file in event.evidence])


async def make_safe_copies(case_ids: Sequence[str], *, cases: CaseRepository, desk: EvidenceDesk) -> int:
    """Make the safe copy of every pending file of these cases; returns how many files were settled (safe or not)."""
    settled = 0
    for case_id in case_ids:
        if not await desk.copies.files_of(case_id):
            continue  # no files: the case itself is not even read
        case = await cases.get(UUID(case_id))
        for item in case.evidence if case else ():
            if item.state is SafeCopyState.PENDING:
                outcome = await _safe_copy_of(item, desk)
                if not await cases.set_evidence(case_id, outcome):
                    await desk.copies.delete([item.id])  # erased meanwhile: its copy must not outlive it
                    break
                settled += 1
                log.info("evidence settled", extra={"state": outcome.state.value, "reason": outcome.reason})
    return settled


async def _safe_copy_of(item: EvidenceItem, desk: EvidenceDesk) -> EvidenceItem:
    sealed = await desk.originals.read(item.id)
    if sealed is None:
        return item.refused("original_missing")
    if hashlib.sha256(sealed).hexdigest() != item.sealed_sha256:
        return item.refused("original_changed")
    try:
        data = unseal_bytes(desk.office_key, sealed)
    except SealingError:
        return item.refused("cannot_unseal")
    outcome = await convert_in_sandbox(data, item.media_type, desk.settings)
    if isinstance(outcome, Refused):
        return item.refused(outcome.reason)
    # Sealed to the office key like the original: the database never holds a file in clear.
    await desk.copies.put(item.id, CONTENT, seal_bytes(desk.office_key.public_key, outcome.content))
    if outcome.thumbnail:
        await desk.copies.put(item.id, THUMBNAIL, seal_bytes(desk.office_key.public_key, outcome.thumbnail))
    return item.made_safe(outcome.media_type, outcome.pages)


async def erase_evidence(case_ids: Sequence[str], *, desk: EvidenceDesk) -> int:
    """Delete the originals and safe copies of erased cases; returns how many files went."""
    erased = 0
    for case_id in case_ids:
        evidence_ids = await desk.copies.files_of(case_id)
        await desk.copies.delete(evidence_ids)
        for evidence_id in evidence_ids:
            await desk.originals.delete(evidence_id)
        await desk.copies.forget(case_id)  # last: a crash before it repeats the whole erasure
        erased += len(evidence_ids)
    return erased


def evidence_item(case: Case, evidence_id: str) -> EvidenceItem:
    """One file of a case; a file of another case is simply not found."""
    found = next((item for item in case.evidence if item.id == evidence_id), None)
    if found is None:
        raise NotFound("No such file on this case.")
    return found


async def open_safe_copy(item: EvidenceItem, kind: str, *, desk: EvidenceDesk) -> bytes:
    """A safe copy (or its thumbnail) in clear, for a principal already allowed to read the case."""
    if item.state is not SafeCopyState.SAFE:
        raise NotFound("This file has no safe copy.")
    sealed = await desk.copies.get(item.id, kind)
    if sealed is None:
        raise NotFound("This file has no safe copy.")
    return unseal_bytes(desk.office_key, sealed)


async def open_original(item: EvidenceItem, *, desk: EvidenceDesk) -> bytes:
    """The original file in clear, checked against the hash its report announced."""
    sealed = await desk.originals.read(item.id)
    if sealed is None or hashlib.sha256(sealed).hexdigest() != item.sealed_sha256:
        raise NotFound("The original of this file is no longer stored.")
    return unseal_bytes(desk.office_key, sealed)
