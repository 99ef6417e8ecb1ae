"""Can injected reports reveal a suppressed cell? Property tests of the exclusion and suppression rules together.

The attacker (issue 11, item 8) submits k reports with answers of their choice in the month they attack,
waits for the publication and subtracts what they added. They hold their own receipts, so the follow-up
page tells them which of their reports are still open (counted, whatever else happens) and which were
closed (the reason is not shown). See docs/statistics.md, "Injected reports".
"""

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from triage.cases.documents import figures_from_document
from triage.stats.figures import contribution_of, count_members, month_counts, suppress_month

MONTH = "2026-03"
TARGET = "sued"  # the district cell the attacker wants to read
DISTRICTS = ("mitte", "sued", "walsum")
GROUNDS = ("age", "disability", "language")

answers = st.fixed_dictionaries(
    {
        "district": st.sampled_from(DISTRICTS),
        "grounds": st.lists(st.sampled_from(GROUNDS), min_size=1, max_size=2, unique=True),
        "forms": st.just(["threat"]),
        "life_area": st.sampled_from(("housing", "work")),
        "reporter_role": st.just("affected"),
    }
)
thresholds = st.integers(min_value=3, max_value=6)


def as_cases(reports: list[dict], *, prefix: str, closure: str | None = None) -> list[dict]:
    return [
        {"_id": f"{prefix}{number}", "received_month": MONTH, "reporter": report, "closure_reason": closure}
        for number, report in enumerate(reports)
    ]


def published(cases: list[dict], threshold: int) -> tuple[int | None, dict]:
    """The month as publication makes it from these cases: the same functions as the job, without I/O."""
    contributions = [contribution_of(figures_from_document(case)) for case in cases]
    counts = count_members({c["_id"]: c["cells"] for c in contributions if c["counted"]})
    return suppress_month(month_counts(MONTH, counts), threshold=threshold)


def honest_target(honest: list[dict]) -> int:
    return sum(report["district"] == TARGET for report in honest)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    honest=st.lists(answers, max_size=14),
    injected=st.lists(answers, min_size=1, max_size=8),
    reasons=st.lists(st.sampled_from(("spam", "duplicate")), min_size=8, max_size=8),
    threshold=thresholds,
)
def test_injected_reports_closed_as_spam_or_duplicate_change_nothing_published(honest, injected, reasons, threshold):
    # What the exclusion guarantees: whatever the attacker sends, once staff close it as spam or duplicate
    # before the publication day, the month is published exactly as without it. Nothing to subtract.
    caught = [
        case | {"closure_reason": reason}
        for case, reason in zip(as_cases(injected, prefix="attacker-"), reasons, strict=False)
    ]
    assert published(as_cases(honest, prefix="resident-") + caught, threshold) == published(as_cases(honest, prefix="resident-"), threshold)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    honest=st.lists(answers, max_size=14),
    k=st.integers(min_value=1, max_value=8),
    caught=st.integers(min_value=0, max_value=8),
    threshold=thresholds,
)
def test_injected_reports_left_open_are_simply_subtracted(honest, k, caught, threshold):
    # What the exclusion does not guarantee: every injected report that staff have not excluded counts,
    # and the attacker knows how many (still open on the follow-up page). If the cell is shown at all,
    # shown minus those is the residents' true count, suppressed or not before the attack.
    caught = min(caught, k)
    attack = as_cases([{"district": TARGET, "grounds": ["age"], "forms": ["threat"], "life_area": "work",
                        "reporter_role": "affected"}] * k, prefix="attacker-")  # fmt: skip
    attack = [case | {"closure_reason": "spam"} for case in attack[:caught]] + attack[caught:]
    _, tables = published(as_cases(honest, prefix="resident-") + attack, threshold)
    shown = tables["district"][TARGET]
    assert shown is None or shown - (k - caught) == honest_target(honest)


def test_a_cell_hidden_from_the_public_is_revealed_by_reports_nobody_excluded():
    # The limit, found rather than asserted: residents' reports whose target cell is hidden, and an attack
    # of open reports that makes it shown. Suppression cannot tell injected reports from real ones.
    def revealed(world) -> bool:
        honest, k, threshold = world
        residents = as_cases(honest, prefix="resident-")
        attack = as_cases([honest[0] | {"district": TARGET}] * k, prefix="attacker-")
        before = published(residents, threshold)[1]["district"][TARGET]
        after = published(residents + attack, threshold)[1]["district"][TARGET]
        return 0 < honest_target(honest) and before is None and after is not None

    honest, k, threshold = find(st.tuples(st.lists(answers, min_size=1, max_size=14), st.integers(1, 8), thresholds), revealed)
    attack = as_cases([honest[0] | {"district": TARGET}] * k, prefix="attacker-")
    _, tables = published(as_cases(honest, prefix="resident-") + attack, threshold)
    assert tables["district"][TARGET] - k == honest_target(honest) < threshold


def test_a_small_month_hidden_whole_is_published_once_injected_reports_lift_it():
    # Two real reports: the month is hidden whole. Three open injected reports lift it to 5; the attacker
    # subtracts their own answers from every shown table and reads where the two real reports fell.
    honest = [{"district": "walsum", "grounds": ["language"], "forms": ["threat"], "life_area": "housing", "reporter_role": "affected"}] * 2
    attack = [{"district": "mitte", "grounds": ["age"], "forms": ["threat"], "life_area": "work", "reporter_role": "affected"}] * 3
    assert published(as_cases(honest, prefix="resident-"), 5)[0] is None
    total, tables = published(as_cases(honest, prefix="resident-") + as_cases(attack, prefix="attacker-"), 5)
    assert total == 5 and tables["grounds"]["language"] is None  # 2 is still below the threshold ...
    assert tables["grounds"]["age"] is None  # ... and the 3 hides with it, as secondary suppression must
    # ... but every shown zero and every cell the attacker did not touch is now public about the two reports.
    assert tables["grounds"]["disability"] == 0 and tables["district"]["sued"] == 0
    # Closed as spam in time, the injected reports leave the month hidden whole again.
    caught = as_cases(attack, prefix="attacker-", closure="spam")
    assert published(as_cases(honest, prefix="resident-") + caught, 5) == published(as_cases(honest, prefix="resident-"), 5)
