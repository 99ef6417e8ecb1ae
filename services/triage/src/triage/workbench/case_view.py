"""What the case page needs besides the case: what the viewer may do, where each action's notice goes, and the contact data as fields."""

import json
from dataclasses import dataclass

from meldestelle_shared.taxonomy import CaseStatus
from triage.auth import Principal
from triage.cases.model import Case
from triage.staff.permissions import Permission

# After an action the page returns to the section that changed (its id) and says there what happened.
NOTICE_SECTIONS = {
    "status_changed": "workflow",
    "closed": "workflow",
    "reopened": "workflow",
    "assigned": "workflow",
    "classified": "classification",
    "message_sent": "message",
    "note_added": "note",
    "duplicate_confirmed": "duplicates",
    "duplicate_dismissed": "duplicates",
    "documented": "documentation",
    "consultation_logged": "consultations",
    "intervention_recorded": "interventions",
    "intervention_updated": "interventions",
    "referred": "referrals",
    "referral_uptake": "referrals",
    "letter_created": "letters",
}


def contact_fields(contact: str | None) -> list[tuple[str, str]]:
    """The reporter's contact data (sealed as JSON) as (label key, value) pairs; anything unexpected shown as it is."""
    if not contact:
        return []
    try:
        data = json.loads(contact)
    except ValueError:
        return [("contact", contact)]
    if not isinstance(data, dict):
        return [("contact", contact)]
    return [(f"contact_{key}", str(value)) for key, value in data.items() if value not in (None, "")]


@dataclass(frozen=True)
class CaseActions:
    """Which of the case page's forms the viewer gets: the rules stay in Python, the template only reads the flags."""

    work: bool
    classify: bool
    close: bool
    reopen: bool
    assign: bool
    take: bool
    settle_duplicates: bool


def case_actions(principal: Principal, case: Case) -> CaseActions:
    """The forms the case page offers this principal for this case (the routes check again)."""
    works, is_open = principal.can(Permission.CASE_WORK), case.status is not CaseStatus.CLOSED
    assigns = principal.can(Permission.CASE_ASSIGN)
    return CaseActions(
        work=works,
        classify=works and is_open,
        close=is_open,
        reopen=not is_open and principal.can(Permission.CASE_REOPEN),
        assign=assigns,
        take=not assigns and case.assignee_id is None and is_open,
        settle_duplicates=works,
    )
