"""The stored form of a case: documents to and from `Case`. Fields are only ever added, so older documents still read."""

from datetime import date
from typing import Any

from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, Priority
from triage.cases.model import Case
from triage.cases.priority import PriorityDecision
from triage.evidence.model import evidence_document, evidence_from
from triage.cases.values import (
    CaseFigures,
    Codes,
    Documentation,
    DuplicateHint,
    Intervention,
    Referral,
    ReporterAnswers,
    TimelineEntry,
    figures_of,
)

Document = dict[str, Any]
# Only what a statistics contribution needs: nothing sealed is ever read for statistics.
FIGURES_PROJECTION = {"received_month": 1, "reporter": 1, "classification": 1, "closure_reason": 1}
# The queue sorts by this: urgent first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}
# Not compared when a change is written: the timeline is appended to and the outbox is the change's own.
_NOT_DIFFED = frozenset({"_id", "timeline", "outbox"})


def case_document(case: Case) -> Document:
    """The stored form of a case."""
    doc: Document = {
        "_id": case.id,
        "report_id": case.report_id,
        "reference": case.reference,
        "status": case.status.value,
        "priority": case.priority.priority.value,
        "priority_rank": PRIORITY_RANK[case.priority.priority],
        "priority_reason": case.priority.reason,
        "agg_deadline": case.priority.agg_deadline.isoformat() if case.priority.agg_deadline else None,
        "received_at": case.received_at,
        "created_at": case.created_at,
        "received_month": case.received_month,
        # The reporter's perception, kept apart from any later staff classification.
        "reporter": _reporter_document(case.reporter),
        "sealed_description": case.sealed_description,
        "sealed_contact": case.sealed_contact,
        # Office messages are sealed to this key; only the reporter's receipt opens them.
        "reporter_public_key": case.reporter_public_key,
        # Replies and erasure requests must be signed with the matching key, which only the receipt yields.
        "reporter_verify_key": case.reporter_verify_key,
        # Stored for the queue's filters: the reporter's codes until staff classify the case.
        "effective": _codes_document(case.effective),
        "classification": _codes_document(case.classification) if case.classification else None,
        "assignee_id": case.assignee_id,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "closed_at": case.closed_at,
        "retention_review": case.retention_review,
        "timeline": [entry_document(entry) for entry in case.timeline],
        "outbox": {},
        "duplicates": {other_id: hint_document(hint) for other_id, hint in case.duplicates.items()},
    }
    # Written only once they are set, so a new case's document is what it always was.
    later = {
        "updated_at": case.updated_at, "reminded_on": case.reminded_on, "unread_replies": case.unread_replies,
        "reply_waiting": case.reply_waiting,
        "documentation": _documentation_document(case.documentation) if case.documentation else None,
        # Keyed by id, so a change to one is written to that one alone.
        "interventions": {key: _intervention_document(value) for key, value in case.interventions.items()},
        "referrals": {key: _referral_document(value) for key, value in case.referrals.items()},
        # Keyed by id, so the job making safe copies writes one file's state alone.
        "evidence": {item.id: evidence_document(item) for item in case.evidence},
    }  # fmt: skip
    doc.update({name: value for name, value in later.items() if value})
    return doc


def case_from_document(doc: Document) -> Case:
    """A stored case; a list's projection leaves the sealed texts and the timeline out."""
    deadline = doc.get("agg_deadline")
    return Case(
        id=doc["_id"],
        report_id=doc["report_id"],
        reference=doc["reference"],
        status=CaseStatus(doc["status"]),
        priority=PriorityDecision(Priority(doc["priority"]), doc["priority_reason"], date.fromisoformat(deadline) if deadline else None),
        received_at=doc["received_at"],
        received_month=doc["received_month"],
        reporter=_reporter_from(doc.get("reporter") or {}),
        created_at=doc.get("created_at"),
        updated_at=doc.get("updated_at"),
        sealed_description=doc.get("sealed_description"),
        sealed_contact=doc.get("sealed_contact"),
        reporter_public_key=doc.get("reporter_public_key"),
        reporter_verify_key=doc.get("reporter_verify_key"),
        classification=_codes_from(doc["classification"]) if doc.get("classification") else None,
        assignee_id=doc.get("assignee_id"),
        closure_reason=ClosureReason(doc["closure_reason"]) if doc.get("closure_reason") else None,
        closed_at=doc.get("closed_at"),
        retention_review=bool(doc.get("retention_review")),
        reminded_on=doc.get("reminded_on"),
        unread_replies=doc.get("unread_replies") or 0,
        reply_waiting=bool(doc.get("reply_waiting")),
        timeline=tuple(_entry_from(entry) for entry in doc.get("timeline") or ()),
        duplicates={other_id: _hint_from(hint) for other_id, hint in (doc.get("duplicates") or {}).items()},
        documentation=_documentation_from(doc["documentation"]) if doc.get("documentation") else None,
        interventions={key: _intervention_from(key, value) for key, value in (doc.get("interventions") or {}).items()},
        referrals={key: _referral_from(key, value) for key, value in (doc.get("referrals") or {}).items()},
        evidence=tuple(evidence_from(key, value) for key, value in (doc.get("evidence") or {}).items()),
    )


def figures_from_document(doc: Document) -> CaseFigures:
    """A case's statistics contribution from the few fields it needs (see `FIGURES_PROJECTION`)."""
    staff = doc.get("classification")
    reporter = _reporter_from(doc.get("reporter") or {})
    return figures_of(doc["_id"], doc["received_month"], reporter, _codes_from(staff) if staff else None, doc.get("closure_reason"))


def case_or_none(doc: Document | None) -> Case | None:
    """The case of a document that may be missing."""
    return None if doc is None else case_from_document(doc)


def differences(before: Document, after: Document, prefix: str = "") -> Document:
    """The `$set` that turns `before` into `after`: nested documents field by field, so concurrent writes to siblings survive."""
    changed: Document = {}
    for name, value in after.items():
        if not prefix and name in _NOT_DIFFED:
            continue
        old = before.get(name)
        if isinstance(value, dict) and isinstance(old, dict):
            changed.update(differences(old, value, f"{prefix}{name}."))
        elif name not in before or old != value:
            changed[f"{prefix}{name}"] = value
    return changed


def _codes_document(codes: Codes) -> Document:
    return {"grounds": list(codes.grounds), "forms": list(codes.forms), "life_area": codes.life_area}


def _codes_from(doc: Document) -> Codes:
    return Codes(tuple(doc.get("grounds") or ()), tuple(doc.get("forms") or ()), doc.get("life_area"))


def _reporter_document(reporter: ReporterAnswers) -> Document:
    return {
        **_codes_document(reporter.codes), "district": reporter.district, "reporter_role": reporter.reporter_role,
        "incident_date": reporter.incident_date, "language": reporter.language,
        "wishes": list(reporter.wishes), "referral_consent": reporter.referral_consent,
    }  # fmt: skip


def _reporter_from(doc: Document) -> ReporterAnswers:
    return ReporterAnswers(
        codes=_codes_from(doc), district=doc.get("district"), reporter_role=doc.get("reporter_role"),
        incident_date=doc.get("incident_date"), language=doc.get("language"),
        wishes=tuple(doc.get("wishes") or ()), referral_consent=bool(doc.get("referral_consent")),
    )  # fmt: skip


def entry_document(entry: TimelineEntry) -> Document:
    """The stored form of a timeline entry."""
    doc: Document = {"id": entry.id, "kind": entry.kind, "at": entry.at, "actor_id": entry.actor_id, **entry.details}
    if entry.sealed_text is not None:
        doc["sealed_text"] = entry.sealed_text
    return doc


def _entry_from(doc: Document) -> TimelineEntry:
    details = {key: value for key, value in doc.items() if key not in ("id", "kind", "at", "actor_id", "sealed_text")}
    return TimelineEntry(doc["id"], doc["kind"], doc["at"], doc.get("actor_id"), details, doc.get("sealed_text"))


def hint_document(hint: DuplicateHint) -> Document:
    """The stored form of a duplicate hint."""
    return {"case_id": hint.case_id, "reference": hint.reference, "score": hint.score, "state": hint.state}


def _hint_from(doc: Document) -> DuplicateHint:
    return DuplicateHint(doc["case_id"], doc["reference"], doc["score"], doc.get("state", "suggested"))


def _documentation_document(documentation: Documentation) -> Document:
    return {
        "level": documentation.level, "consequences": list(documentation.consequences),
        "other_side": documentation.other_side, "source": documentation.source,
    }  # fmt: skip


def _documentation_from(doc: Document) -> Documentation:
    return Documentation(doc.get("level"), tuple(doc.get("consequences") or ()), doc.get("other_side"), doc.get("source"))


def _intervention_document(intervention: Intervention) -> Document:
    # Dates as ISO text: BSON has no date without a time.
    return {
        "kind": intervention.kind, "started_on": intervention.started_on.isoformat(), "outcome": intervention.outcome,
        "due_on": intervention.due_on.isoformat() if intervention.due_on else None,
    }  # fmt: skip


def _intervention_from(intervention_id: str, doc: Document) -> Intervention:
    return Intervention(
        id=intervention_id, kind=doc["kind"], started_on=date.fromisoformat(doc["started_on"]), outcome=doc["outcome"],
        due_on=date.fromisoformat(doc["due_on"]) if doc.get("due_on") else None,
    )  # fmt: skip


def _referral_document(referral: Referral) -> Document:
    return {
        "service_id": referral.service_id, "referred_on": referral.referred_on.isoformat(),
        "passed_on": list(referral.passed_on), "taken_up": referral.taken_up,
    }  # fmt: skip


def _referral_from(referral_id: str, doc: Document) -> Referral:
    return Referral(
        id=referral_id, service_id=doc["service_id"], referred_on=date.fromisoformat(doc["referred_on"]),
        passed_on=tuple(doc.get("passed_on") or ()), taken_up=doc.get("taken_up"),
    )  # fmt: skip
