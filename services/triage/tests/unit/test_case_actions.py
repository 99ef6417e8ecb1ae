"""Case actions with in-memory storage (unit tier): each change is written once, audited, then published."""

from base64 import b64encode
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from nacl.public import PrivateKey

from meldestelle_shared.events import CaseStatusChanged, OfficeMessageSent, ReportSubmitted
from meldestelle_shared.sealing import seal, unseal
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason
from triage.audit.log import SYSTEM, Actor
from triage.cases import actions
from triage.cases.model import Case, CaseRules, DuplicateHint, reporter_reply
from triage.errors import Conflict, Invalid

STAFF = Actor("staff", "s1")
OFFICE_KEY = PrivateKey.generate()


class MemoryCases:
    """Applies a change unless its guarded fields moved meanwhile, like the real repository's guarded write."""

    def __init__(self, *cases: Case):
        self.cases = {case.id: case for case in cases}
        self.cleared, self.settled, self.marked = [], [], []

    async def apply(self, change):
        current = self.cases.get(change.before.id)
        if current is None or any(getattr(current, name) != getattr(change.before, name) for name in change.guard):
            return None
        self.cases[current.id] = change.after
        return change.after

    async def get(self, case_id):
        return self.cases.get(str(case_id))

    async def clear_outbox(self, case_id, event_ids):
        self.cleared.append((case_id, list(event_ids)))

    async def settle_duplicate_hint(self, case_id, other_id, state):
        self.settled.append((case_id, other_id, state))

    async def mark_replies_read(self, case_id, seen):
        self.marked.append((case_id, seen))


class MemoryAudit:
    def __init__(self):
        self.entries = []

    async def append(self, actor, action, *, case_id=None, outcome="ok", reason=None):
        self.entries.append((actor.kind, action, case_id, reason))


def a_case(**fields) -> Case:
    report_id = uuid4()
    event = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, receipt_hash="00", occurred_at=datetime.now(UTC),
        sealed_description=seal(OFFICE_KEY.public_key, "Die Wohnung wurde mir verweigert."),
    )  # fmt: skip
    return replace(Case.open(event, reference="DU-2026-000001", rules=CaseRules(), created_at=event.occurred_at), **fields)


def desk_for(*cases: Case):
    published = []

    async def publish(events):
        published.extend(events)

    desk = actions.CaseDesk(cases=MemoryCases(*cases), audit=MemoryAudit(), publish=publish, office_key=OFFICE_KEY, rules=CaseRules())
    return desk, published


async def test_a_change_is_stored_audited_published_and_cleared_from_the_outbox():
    case = a_case()
    desk, published = desk_for(case)
    updated = await actions.change_status(case, CaseStatus.IN_REVIEW, actor=STAFF, desk=desk)
    [event] = published
    assert updated.status is CaseStatus.IN_REVIEW and desk.cases.cases[case.id] == updated
    assert isinstance(event, CaseStatusChanged) and event.case_id == UUID(case.id)
    assert desk.audit.entries == [("staff", "case.status", case.id, None)]
    assert desk.cases.cleared == [(case.id, [str(event.event_id)])]


async def test_a_change_decided_on_a_stale_case_is_refused_and_nothing_is_sent():
    case = a_case()
    desk, published = desk_for(case)
    await actions.close_case(case, ClosureReason.SPAM, actor=STAFF, desk=desk)
    with pytest.raises(Conflict, match="changed meanwhile"):
        await actions.assign_case(case, None, assigns_anyone=True, actor=STAFF, desk=desk, staff=None)
    assert len(published) == 1 and [entry[1] for entry in desk.audit.entries] == ["case.close"]


async def test_a_staff_members_first_look_moves_a_new_case_to_in_review_and_reads_the_replies():
    reply = reporter_reply(uuid4(), at=datetime.now(UTC), sealed_text=seal(OFFICE_KEY.public_key, "Noch etwas."))
    case = a_case(timeline=(reply,), unread_replies=1)
    desk, published = desk_for(case)
    opened = await actions.view_case(case, actor=STAFF, desk=desk)
    assert opened.case.status is CaseStatus.IN_REVIEW and opened.description == "Die Wohnung wurde mir verweigert."
    assert [entry.text for entry in opened.timeline if entry.entry.kind == "reporter_message"] == ["Noch etwas."]
    assert [type(e) for e in published] == [CaseStatusChanged] and desk.cases.marked == [(case.id, 1)]
    assert ("staff", "case.status", case.id, "first_view") in desk.audit.entries


async def test_the_service_token_looks_without_moving_the_case():
    case = a_case()
    desk, published = desk_for(case)
    opened = await actions.view_case(case, actor=Actor("service", "token"), desk=desk)
    assert opened.case.status is CaseStatus.NEW and published == [] and desk.audit.entries == [("service", "case.view", case.id, None)]


async def test_a_message_is_sealed_for_the_reporter_and_for_the_office():
    reporter = PrivateKey.generate()
    case = a_case(reporter_public_key=b64encode(bytes(reporter.public_key)).decode())
    desk, published = desk_for(case)
    message_id = await actions.send_message(case, "  Wir melden uns.  ", actor=STAFF, desk=desk)
    [event] = published
    assert isinstance(event, OfficeMessageSent) and str(event.message_id) == message_id
    assert unseal(reporter, event.sealed_for_reporter) == "Wir melden uns."
    entry = desk.cases.cases[case.id].timeline[-1]
    assert unseal(OFFICE_KEY, entry.sealed_text) == "Wir melden uns." and "Wir melden" not in str(entry)


@pytest.mark.parametrize(("text", "field"), [("   ", "text"), ("x" * 5001, "text")])
async def test_empty_or_long_texts_are_refused_naming_the_field(text, field):
    case = a_case()
    desk, _ = desk_for(case)
    with pytest.raises(Invalid) as refused:
        await actions.add_note(case, text, actor=STAFF, desk=desk)
    assert refused.value.fields[0].field == field and desk.audit.entries == []


async def test_settling_a_duplicate_marks_both_cases():
    other = a_case()
    case = a_case(duplicates={other.id: DuplicateHint(other.id, other.reference, 0.9)})
    desk, published = desk_for(case, other)
    updated = await actions.settle_duplicate(case, other, False, actor=SYSTEM, desk=desk)
    assert updated.duplicates[other.id].state == "dismissed" and desk.cases.settled == [(other.id, case.id, "dismissed")]
    assert published == []
