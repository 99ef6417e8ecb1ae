"""What staff do with a case: view, move through the workflow, assign, classify, write, note.

The case decides what a change means (`triage.cases.model`); here each change is written in one
atomic write (fields, timeline entry, outbox), then audited, then its events are published.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID


from meldestelle_shared.sealing import Keyring, SealingError, load_public_key, seal, unseal
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import (
    CaseStatus,
    ClosureReason,
    ConsultationChannel,
    Form,
    Ground,
    InterventionKind,
    InterventionOutcome,
    LifeArea,
    ReferralContent,
)
from triage.audit.log import Actor, AuditLog
from triage.cases.model import Case, Change, Codes, TimelineEntry
from triage.cases.outbox import deliver
from triage.cases.repository import CaseRepository
from triage.cases.service import CaseRules, Publish
from triage.cases.values import Documentation
from triage.referrals.directory import Directory
from triage.errors import Conflict, Forbidden, Invalid
from triage.staff.permissions import Permission, permissions_of
from triage.staff.repository import StaffRepository

MAX_TEXT_LENGTH = 5000


@dataclass(frozen=True)
class CaseDesk:
    """What case actions need: storage, the audit log, the publisher and the office's key."""

    cases: CaseRepository
    audit: AuditLog
    publish: Publish
    office_key: Keyring
    rules: CaseRules


@dataclass(frozen=True)
class OpenedTimelineEntry:
    """A timeline entry for one response: a message's or note's text opened."""

    entry: TimelineEntry
    text: str | None


@dataclass(frozen=True)
class OpenedCase:
    """A case with its description, contact and timeline texts opened for one response, never stored."""

    case: Case
    description: str
    contact: str | None
    timeline: list[OpenedTimelineEntry]


async def view_case(case: Case, *, actor: Actor, desk: CaseDesk) -> OpenedCase:
    """The case with its description, contact and timeline texts opened for this response; audited.

    When a staff member (not the service token) looks, a new case moves to in_review and its replies count as read.
    """
    if actor.kind == "staff":
        case = await _first_look(case, actor=actor, desk=desk)
    opened = OpenedCase(
        # "high" follows the deadline as it comes nearer
        case=case.reprioritised(office_today(), desk.rules),
        description=unseal(desk.office_key, case.sealed_description or ""),
        contact=unseal(desk.office_key, case.sealed_contact) if case.sealed_contact else None,
        timeline=[OpenedTimelineEntry(entry, _open_text(entry, desk.office_key)) for entry in case.timeline],
    )
    await desk.audit.append(actor, "case.view", case_id=case.id)
    if actor.kind == "staff" and case.unread_replies:
        await desk.cases.mark_replies_read(case.id, case.unread_replies)
    return opened


async def _first_look(case: Case, *, actor: Actor, desk: CaseDesk) -> Case:
    """Someone at the office has now seen the case: tell the reporter so, through the usual status change."""
    if case.status is not CaseStatus.NEW:
        return case
    try:
        return await change_status(case, CaseStatus.IN_REVIEW, actor=actor, desk=desk, cause="first_view")
    except Conflict:
        # A colleague opened or moved it at the same moment; show it as it is now.
        return await desk.cases.get(UUID(case.id)) or case


def _open_text(entry: TimelineEntry, office_key: Keyring) -> str | None:
    return unseal(office_key, entry.sealed_text) if entry.sealed_text is not None else None


async def change_status(case: Case, target: CaseStatus, *, actor: Actor, desk: CaseDesk, cause: str | None = None) -> Case:
    """Move a case one step in the workflow (not to closed: that needs a reason); `cause` notes a move nobody chose."""
    return await _commit(case.move_to(target, actor_id=actor.id, cause=cause), "case.status", actor=actor, desk=desk, reason=cause)


async def close_case(case: Case, reason: ClosureReason, *, actor: Actor, desk: CaseDesk) -> Case:
    """Close a case with a reason from the list."""
    return await _commit(case.close(reason, actor_id=actor.id), "case.close", actor=actor, desk=desk)


async def reopen_case(case: Case, *, actor: Actor, desk: CaseDesk) -> Case:
    """Reopen a closed case (leads only, checked at the edge)."""
    return await _commit(case.reopen(actor_id=actor.id), "case.reopen", actor=actor, desk=desk)


async def assign_case(
    case: Case, assignee_id: str | None, *, assigns_anyone: bool, actor: Actor, desk: CaseDesk, staff: StaffRepository
) -> Case:
    """Give a case to a caseworker or lead (or to nobody); without `assigns_anyone` (leads) only a free case to oneself."""
    if not assigns_anyone and not (assignee_id == actor.id and case.assignee_id is None):
        await desk.audit.append(actor, "case.assign", case_id=case.id, outcome="refused", reason="role_lacks_permission")
        raise Forbidden("Only a lead assigns cases; you may take a free case for yourself.")
    if assignee_id is not None:
        account = await staff.get(assignee_id)
        if account is None or not account["active"] or Permission.CASE_WORK not in permissions_of(account["roles"]):
            raise Invalid("assignee_id", "is not an active caseworker or lead")
    return await _commit(case.assign(assignee_id, actor_id=actor.id), "case.assign", actor=actor, desk=desk)


async def classify_case(
    case: Case, *, grounds: list[Ground], forms: list[Form], life_area: LifeArea | None, actor: Actor, desk: CaseDesk
) -> Case:
    """Store staff's classification beside the reporter's answers; the priority follows it."""
    codes = Codes(tuple(g.value for g in grounds), tuple(f.value for f in forms), life_area.value if life_area else None)
    change = case.classify(codes, today=office_today(), rules=desk.rules, actor_id=actor.id)
    return await _commit(change, "case.classify", actor=actor, desk=desk)


async def document_case(case: Case, documentation: Documentation, *, actor: Actor, desk: CaseDesk) -> Case:
    """Store the documentation of the minimum standards (level, consequences, other side, source)."""
    return await _commit(case.document(documentation, actor_id=actor.id), "case.document", actor=actor, desk=desk)


async def log_consultation(
    case: Case, *, held_on: date, channel: ConsultationChannel, minutes: int, note: str | None, actor: Actor, desk: CaseDesk
) -> str:
    """Record a contact with the person; the note is sealed to the office before it is stored and never leaves triage."""
    sealed_note = seal(desk.office_key.public_key, _checked_text(note, "note")) if note is not None and note.strip() else None
    change = case.log_consultation(
        held_on=held_on, channel=channel, minutes=minutes, sealed_note=sealed_note, today=office_today(), actor_id=actor.id
    )
    await _commit(change, "case.consultation", actor=actor, desk=desk)
    return change.entry.id if change.entry else ""


async def record_intervention(
    case: Case, kind: InterventionKind, *, started_on: date, outcome: InterventionOutcome, due_on: date | None, actor: Actor, desk: CaseDesk
) -> tuple[Case, str]:
    """Record an intervention; its due date (a statement request's reply date) joins the case's deadlines."""
    change = case.record_intervention(kind, started_on=started_on, outcome=outcome, due_on=due_on, actor_id=actor.id)
    updated = await _commit(change, "case.intervention", actor=actor, desk=desk)
    return updated, next(iter(set(change.after.interventions) - set(case.interventions)))


async def update_intervention(
    case: Case, intervention_id: str, *, outcome: InterventionOutcome | None, due_on: date | None, clear_due: bool, actor: Actor, desk: CaseDesk
) -> Case:
    """Record an intervention's outcome or move its due date."""
    change = case.update_intervention(intervention_id, outcome=outcome, due_on=due_on, clear_due=clear_due, actor_id=actor.id)
    return await _commit(change, "case.intervention_update", actor=actor, desk=desk)


async def refer_case(
    case: Case, service_id: str, *, referred_on: date, passed_on: list[ReferralContent], contact_requested: bool,
    directory: Directory, actor: Actor, desk: CaseDesk,
) -> tuple[Case, str]:
    """Refer a case to a service of the directory; refused (and audited) when the person did not consent."""
    if directory.get(service_id) is None:
        raise Invalid("service_id", "is not a service of the referral directory")
    if not case.reporter.referral_consent:
        await desk.audit.append(actor, "case.refer", case_id=case.id, outcome="refused", reason="no_referral_consent")
    change = case.refer(
        service_id, referred_on=referred_on, passed_on=tuple(passed_on), contact_requested=contact_requested,
        today=office_today(), actor_id=actor.id,
    )  # fmt: skip
    updated = await _commit(change, "case.refer", actor=actor, desk=desk)
    return updated, next(iter(set(change.after.referrals) - set(case.referrals)))


async def record_referral_uptake(case: Case, referral_id: str, *, taken_up: bool, actor: Actor, desk: CaseDesk) -> Case:
    """Record whether the service took the referral up."""
    return await _commit(case.record_uptake(referral_id, taken_up=taken_up, actor_id=actor.id), "case.referral_uptake", actor=actor, desk=desk)


def check_message(case: Case, text: str) -> str:
    """The message as it would be sent, or the refusal it would meet (empty, too long, no reply key)."""
    text = _checked_text(text)
    case.check_message()
    return text


async def send_message(case: Case, text: str, *, actor: Actor, desk: CaseDesk) -> str:
    """Write to the reporter: sealed to their key for intake, and to the office's key for the timeline."""
    text = check_message(case, text)
    try:
        sealed_for_reporter = seal(load_public_key(case.reporter_public_key or ""), text)
    except SealingError:
        raise Conflict("The reporter's reply key is unusable: they cannot receive messages.") from None
    change = case.send_message(sealed_for_reporter=sealed_for_reporter, sealed_for_office=seal(desk.office_key.public_key, text), actor_id=actor.id)
    await _commit(change, "case.message", actor=actor, desk=desk)
    return change.entry.id if change.entry else ""


async def add_note(case: Case, text: str, *, actor: Actor, desk: CaseDesk) -> str:
    """Keep an internal note; it never leaves triage and rests sealed like the report."""
    change = case.add_note(sealed_text=seal(desk.office_key.public_key, _checked_text(text)), actor_id=actor.id)
    await _commit(change, "case.note", actor=actor, desk=desk)
    return change.entry.id if change.entry else ""


async def settle_duplicate(case: Case, other: Case, confirmed: bool, *, actor: Actor, desk: CaseDesk) -> Case:
    """Confirm or dismiss a duplicate hint on both cases; the caller has checked access to both."""
    change = case.settle_duplicate(other.id, confirmed=confirmed, actor_id=actor.id)
    await desk.cases.settle_duplicate_hint(other.id, case.id, change.after.duplicates[other.id].state)
    return await _commit(change, "case.duplicate", actor=actor, desk=desk)


def _checked_text(text: str, field: str = "text") -> str:
    text = text.strip()
    if not text:
        raise Invalid(field, "must not be empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise Invalid(field, f"must be at most {MAX_TEXT_LENGTH} characters")
    return text


async def _commit(change: Change, action: str, *, actor: Actor, desk: CaseDesk, reason: str | None = None) -> Case:
    # The change's guard (always the status) refuses a change decided on a stale view of the case.
    updated = await desk.cases.apply(change)
    if updated is None:
        raise Conflict("The case was changed meanwhile. Please reload it and try again.")
    await desk.audit.append(actor, action, case_id=change.before.id, reason=reason)
    await deliver(change.before.id, change.events, cases=desk.cases, publish=desk.publish)
    return updated
