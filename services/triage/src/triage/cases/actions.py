"""What staff do with a case: view, move through the workflow, assign, classify, write, note.

Each change is one atomic write (fields, timeline entry, outbox), then an audit entry, then its event.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4


from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseClosed,
    CaseReopened,
    CaseStatusChanged,
    Event,
    OfficeMessageSent,
)
from meldestelle_shared.sealing import Keyring, SealingError, load_public_key, seal, unseal
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, Form, Ground, LifeArea
from triage.audit.log import Actor, AuditLog
from triage.cases import workflow
from triage.cases.outbox import deliver, outbox_entries
from triage.cases.repository import CaseRepository
from triage.cases.service import CaseRules, Publish, decide_priority, office_today, priority_fields
from triage.errors import Conflict, Invalid, NotFound
from triage.staff.permissions import Permission, permissions_of
from triage.staff.repository import StaffRepository

MAX_TEXT_LENGTH = 5000
_SEALED_KINDS = frozenset({"reporter_message", "office_message", "note"})


@dataclass(frozen=True)
class CaseDesk:
    """What case actions need: storage, the audit log, the publisher and the office's key."""

    cases: CaseRepository
    audit: AuditLog
    publish: Publish
    office_key: Keyring
    rules: CaseRules


async def view_case(case: dict[str, Any], *, actor: Actor, desk: CaseDesk) -> dict[str, Any]:
    """The case with its description, contact and timeline texts opened for this response; audited.

    When a staff member (not the service token) looks, a new case moves to in_review and its replies count as read.
    """
    if actor.kind == "staff":
        case = await _first_look(case, actor=actor, desk=desk)
    opened = dict(case)
    opened["description"] = unseal(desk.office_key, case["sealed_description"])
    opened["contact"] = unseal(desk.office_key, case["sealed_contact"]) if case.get("sealed_contact") else None
    opened["timeline"] = [_open_entry(entry, desk.office_key) for entry in case.get("timeline", [])]
    decision = decide_priority(case, today=office_today(), rules=desk.rules)
    opened.update(priority_fields(decision))  # "high" follows the deadline as it comes nearer
    await desk.audit.append(actor, "case.view", case_id=case["_id"])
    if actor.kind == "staff" and case.get("unread_replies"):
        await desk.cases.mark_replies_read(case["_id"], case["unread_replies"])
    return opened


async def _first_look(case: dict[str, Any], *, actor: Actor, desk: CaseDesk) -> dict[str, Any]:
    """Someone at the office has now seen the case: tell the reporter so, through the usual status change."""
    if case["status"] != CaseStatus.NEW.value:
        return case
    try:
        return await change_status(case, CaseStatus.IN_REVIEW, actor=actor, desk=desk, cause="first_view")
    except Conflict:
        # A colleague opened or moved it at the same moment; show it as it is now.
        return await desk.cases.get(UUID(case["_id"])) or case


def _open_entry(entry: dict[str, Any], office_key: Keyring) -> dict[str, Any]:
    opened = {key: value for key, value in entry.items() if key != "sealed_text"}
    if entry.get("kind") in _SEALED_KINDS:
        opened["text"] = unseal(office_key, entry["sealed_text"])
    return opened


async def change_status(
    case: dict[str, Any], target: CaseStatus, *, actor: Actor, desk: CaseDesk, cause: str | None = None
) -> dict[str, Any]:
    """Move a case one step in the workflow (not to closed: that needs a reason); `cause` notes a move nobody chose."""
    current = CaseStatus(case["status"])
    try:
        workflow.check_status_change(current, target)
    except workflow.InvalidTransition as error:
        raise Conflict(str(error)) from None
    event = CaseStatusChanged(**_ids(case), status=target, previous_status=current)
    entry = _entry("status_changed", actor, status=target.value, previous_status=current.value, **({"cause": cause} if cause else {}))
    return await _commit(case, {"status": target.value}, entry, [event], "case.status", actor=actor, desk=desk, reason=cause)


async def close_case(case: dict[str, Any], reason: ClosureReason, *, actor: Actor, desk: CaseDesk) -> dict[str, Any]:
    """Close a case with a reason from the list."""
    current = CaseStatus(case["status"])
    try:
        workflow.check_close(current)
    except workflow.InvalidTransition as error:
        raise Conflict(str(error)) from None
    event = CaseClosed(**_ids(case), previous_status=current, closure_reason=reason)
    entry = _entry("closed", actor, closure_reason=reason.value, previous_status=current.value)
    changes = {"status": "closed", "closure_reason": reason.value, "closed_at": datetime.now(UTC)}
    return await _commit(case, changes, entry, [event], "case.close", actor=actor, desk=desk)


async def reopen_case(case: dict[str, Any], *, actor: Actor, desk: CaseDesk) -> dict[str, Any]:
    """Reopen a closed case (leads only, checked at the edge)."""
    try:
        workflow.check_reopen(CaseStatus(case["status"]))
    except workflow.InvalidTransition as error:
        raise Conflict(str(error)) from None
    target = workflow.REOPENED_STATUS
    event = CaseReopened(**_ids(case), status=target)
    entry = _entry("reopened", actor, status=target.value)
    changes = {"status": target.value, "closure_reason": None, "closed_at": None, "retention_review": False}
    return await _commit(case, changes, entry, [event], "case.reopen", actor=actor, desk=desk)


async def assign_case(
    case: dict[str, Any], assignee_id: str | None, *, actor: Actor, desk: CaseDesk, staff: StaffRepository
) -> dict[str, Any]:
    """Give a case to a caseworker or lead (or to nobody)."""
    if assignee_id is not None:
        account = await staff.get(assignee_id)
        if account is None or not account["active"] or Permission.CASE_WORK not in permissions_of(account["roles"]):
            raise Invalid("assignee_id", "is not an active caseworker or lead")
    event = CaseAssigned(**_ids(case), assignee_id=assignee_id)
    entry = _entry("assigned", actor, assignee_id=assignee_id)
    expect = {"assignee_id": case.get("assignee_id")}
    return await _commit(case, {"assignee_id": assignee_id}, entry, [event], "case.assign", actor=actor, desk=desk, expect=expect)


async def classify_case(
    case: dict[str, Any], *, grounds: list[Ground], forms: list[Form], life_area: LifeArea | None, actor: Actor, desk: CaseDesk
) -> dict[str, Any]:
    """Store staff's classification beside the reporter's answers; the priority follows it."""
    classification = {
        "grounds": sorted({g.value for g in grounds}),
        "forms": sorted({f.value for f in forms}),
        "life_area": life_area.value if life_area else None,
    }
    event = CaseClassified(**_ids(case), grounds=classification["grounds"], forms=classification["forms"], life_area=life_area)
    entry = _entry("classified", actor, **classification)
    changes: dict[str, Any] = {"classification": classification, "effective": classification}
    changes.update(priority_fields(decide_priority({**case, "effective": classification}, today=office_today(), rules=desk.rules)))
    return await _commit(case, changes, entry, [event], "case.classify", actor=actor, desk=desk)


def check_message(case: dict[str, Any], text: str) -> str:
    """The message as it would be sent, or the refusal it would meet (empty, too long, no reply key)."""
    text = _checked_text(text)
    if not case.get("reporter_public_key"):
        raise Conflict("This report has no reply key: its reporter cannot receive messages.")
    return text


async def send_message(case: dict[str, Any], text: str, *, actor: Actor, desk: CaseDesk) -> str:
    """Write to the reporter: sealed to their key for intake, and to the office's key for the timeline."""
    text = check_message(case, text)
    try:
        sealed_for_reporter = seal(load_public_key(case["reporter_public_key"]), text)
    except SealingError:
        raise Conflict("The reporter's reply key is unusable: they cannot receive messages.") from None
    message_id = uuid4()
    event = OfficeMessageSent(**_ids(case), message_id=message_id, sealed_for_reporter=sealed_for_reporter)
    entry = _entry("office_message", actor, id=str(message_id), sealed_text=seal(desk.office_key.public_key, text))
    await _commit(case, {}, entry, [event], "case.message", actor=actor, desk=desk)
    return str(message_id)


async def add_note(case: dict[str, Any], text: str, *, actor: Actor, desk: CaseDesk) -> str:
    """Keep an internal note; it never leaves triage and rests sealed like the report."""
    entry = _entry("note", actor, sealed_text=seal(desk.office_key.public_key, _checked_text(text)))
    await _commit(case, {}, entry, [], "case.note", actor=actor, desk=desk)
    return entry["id"]


async def settle_duplicate(
    case: dict[str, Any], other: dict[str, Any], confirmed: bool, *, actor: Actor, desk: CaseDesk
) -> dict[str, Any]:
    """Confirm or dismiss a duplicate hint on both cases; the caller has checked access to both."""
    other_id = other["_id"]
    if other_id not in case.get("duplicates", {}):
        raise NotFound("This case has no duplicate hint for that case.")
    state = "confirmed" if confirmed else "dismissed"
    await desk.cases.update_fields(other_id, {f"duplicates.{case['_id']}.state": state})
    entry = _entry("duplicate_" + state, actor, other_case_id=other_id)
    changes = {f"duplicates.{other_id}.state": state}
    return await _commit(case, changes, entry, [], "case.duplicate", actor=actor, desk=desk)


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("text", "must not be empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise Invalid("text", f"must be at most {MAX_TEXT_LENGTH} characters")
    return text


def _ids(case: dict[str, Any]) -> dict[str, UUID]:
    report_id = UUID(case["report_id"])
    return {"correlation_id": report_id, "report_id": report_id, "case_id": UUID(case["_id"])}


def _entry(kind: str, actor: Actor, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid4()), "kind": kind, "at": datetime.now(UTC), "actor_id": actor.id, **fields}


async def _commit(
    case: dict[str, Any],
    changes: dict[str, Any],
    entry: dict[str, Any],
    events: list[Event],
    action: str,
    *,
    actor: Actor,
    desk: CaseDesk,
    expect: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    # Status is always part of the guard: a change decided on a stale view of the workflow is refused.
    guard = {"status": case["status"], **(expect or {})}
    updated = await desk.cases.apply(
        case["_id"], expect=guard, changes={**changes, "updated_at": entry["at"]}, entry=entry, outbox=outbox_entries(events)
    )
    if updated is None:
        raise Conflict("The case was changed meanwhile. Please reload it and try again.")
    await desk.audit.append(actor, action, case_id=case["_id"], reason=reason)
    await deliver(case["_id"], events, cases=desk.cases, publish=desk.publish)
    return updated
