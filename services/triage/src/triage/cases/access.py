"""Fetching a case for a principal (refusals audited) and presenting it as the API's CaseSummary and CaseRead."""

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import Depends

from meldestelle_shared.taxonomy import CaseStatus
from triage.auth import CurrentPrincipal, Principal
from triage.bootstrap import Context, TriageContext
from triage.cases.actions import OpenedCase
from triage.cases.deadlines import DeadlinePeriods
from triage.cases.jobs import first_response_due
from triage.cases.model import Case, Codes
from triage.cases.schemas import CaseRead, CaseSummary
from triage.errors import Forbidden, NotFound
from triage.referrals.directory import Directory
from triage.staff.permissions import may_open_case


async def load_case(case_id: str, principal: Principal, context: TriageContext) -> Case:
    """The case if it exists and the principal may open it; a malformed or unknown id is simply not found."""
    try:
        parsed = UUID(case_id)
    except ValueError:
        await context.audit.append(principal.actor, "case.access", outcome="refused", reason="malformed_case_id")
        raise NotFound("No case with this id.") from None
    case = await context.cases.get(parsed)
    if case is None:
        await context.audit.append(principal.actor, "case.access", case_id=str(parsed), outcome="refused", reason="unknown_case")
        raise NotFound("No case with this id.")
    if not may_open_case(principal.permissions, principal.id, case.assignee_id):
        await context.audit.append(principal.actor, "case.access", case_id=case.id, outcome="refused", reason="not_permitted")
        raise Forbidden("This case is assigned to someone else, or your role does not open cases.")
    return case


async def _current_case(case_id: str, principal: CurrentPrincipal, context: Context) -> Case:
    return await load_case(case_id, principal, context)


CurrentCase = Annotated[Case, Depends(_current_case)]


def case_summary(case: Case) -> CaseSummary:
    """The API view of a case in a list: nothing sealed."""
    return CaseSummary.model_validate(_summary_fields(case))


def case_read(opened: OpenedCase, *, working_days: int, periods: DeadlinePeriods, directory: Directory | None = None) -> CaseRead:
    """The API view of an opened case; `directory` names the services of its referrals."""
    case = opened.case
    directory = directory or Directory()
    return CaseRead.model_validate(
        {
            **_summary_fields(case),
            "description": opened.description,
            "contact": opened.contact,
            "closure_reason": case.closure_reason,
            "can_receive_messages": case.can_receive_messages,
            "next_statuses": case.next_statuses(),
            "timeline": [
                {"id": e.entry.id, "kind": e.entry.kind, "at": e.entry.at, "actor_id": e.entry.actor_id, **e.entry.details}
                | ({"text": e.text} if e.text is not None else {})
                for e in opened.timeline
            ],
            "duplicates": [asdict(hint) for hint in sorted(case.duplicates.values(), key=lambda hint: -hint.score)],
            "deadlines": {
                "agg_deadline": case.priority.agg_deadline,
                "first_response_due": first_response_due(case.received_at, working_days) if case.status is CaseStatus.NEW else None,
                "items": [asdict(d) | {"estimated": d.estimated} for d in case.deadlines(periods)],
            },
            "documentation": asdict(case.documentation) if case.documentation else None,
            "interventions": [asdict(i) for i in sorted(case.interventions.values(), key=lambda i: (i.started_on, i.id))],
            "referrals": [
                asdict(r) | {"service_name": service.name if (service := directory.get(r.service_id)) else None}
                for r in sorted(case.referrals.values(), key=lambda r: (r.referred_on, r.id))
            ],
            "evidence": [asdict(item) for item in case.evidence],
        }
    )


def _summary_fields(case: Case) -> dict[str, object]:
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority.priority,
        "priority_reason": case.priority.reason,
        "agg_deadline": case.priority.agg_deadline,
        "received_at": case.received_at,
        "reporter": {
            **_codes(case.reporter.codes), "district": case.reporter.district, "reporter_role": case.reporter.reporter_role,
            "incident_date": case.reporter.incident_date, "language": case.reporter.language,
            "wishes": list(case.reporter.wishes), "referral_consent": case.reporter.referral_consent,
        },
        "classification": _codes(case.classification) if case.classification else None,
        "assignee_id": case.assignee_id,
        "retention_review": case.retention_review,
        "unread_replies": case.unread_replies,
    }  # fmt: skip


def _codes(codes: Codes) -> dict[str, object]:
    return {"grounds": list(codes.grounds), "forms": list(codes.forms), "life_area": codes.life_area}
