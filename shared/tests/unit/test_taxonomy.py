"""Every taxonomy code has a German and an English label, and a code shared by two lists shares it on purpose."""

from collections import Counter
from enum import StrEnum

import pytest

from meldestelle_shared import taxonomy
from meldestelle_shared.taxonomy import LABELS, label

CODE_LISTS = [value for value in vars(taxonomy).values() if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum]
# LABELS is keyed by code alone, so these codes carry one label in every list they appear in; each was checked to read right in all.
SHARED_CODES = {"other", "unknown", "online", "institutional", "withdrawn", "in_person", "phone", "email"}


def test_the_counselling_lists_are_there():
    names = {code_list.__name__ for code_list in CODE_LISTS}
    assert {"Wish", "Level", "Consequence", "OtherSide", "CaseSource", "ConsultationChannel", "InterventionKind", "InterventionOutcome"} <= names


@pytest.mark.parametrize("code_list", CODE_LISTS, ids=lambda code_list: code_list.__name__)
def test_every_code_has_a_german_and_an_english_label(code_list):
    for code in code_list:
        assert code.value == code.value.lower() and " " not in code.value
        assert LABELS[code.value]["de"].strip() and LABELS[code.value]["en"].strip(), code.value


def test_no_label_is_left_without_a_code():
    codes = {code.value for code_list in CODE_LISTS for code in code_list}
    assert set(LABELS) - codes == set()


def test_codes_in_several_lists_are_exactly_the_known_ones():
    counts = Counter(code.value for code_list in CODE_LISTS for code in code_list)
    assert {code for code, count in counts.items() if count > 1} == SHARED_CODES


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("record_only", "de", "Nur erfassen, für die Statistik"),
        ("structural", "en", "Structural discrimination"),
        ("followup_portal", "tr", "Über „Meine Meldung ansehen“ (mit Quittung)"),  # German when the language has no label
    ],
)
def test_label_gives_the_language_or_german(code, language, expected):
    assert label(code, language) == expected
