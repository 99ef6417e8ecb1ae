from datetime import date

import pytest

from meldestelle_shared.validation import check_incident_date, check_language_tag

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("value", ["2026-11-25", "2026-11", "2020-02-29", "1999-01"])
def test_incident_dates_accepted(value):
    assert check_incident_date(value, today=TODAY) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-11-26", "future"),
        ("2026-12", "future"),
        ("2026-02-30", "calendar"),
        ("2026-13", "calendar"),
        ("25.11.2026", "YYYY"),
        ("1850-01", "past"),
    ],
)
def test_incident_dates_refused(value, reason):
    with pytest.raises(ValueError, match=reason):
        check_incident_date(value, today=TODAY)


@pytest.mark.parametrize("tag", ["de", "ar", "de-DE", "de-x-simple", "tr"])
def test_language_tags_accepted(tag):
    assert check_language_tag(tag) == tag


@pytest.mark.parametrize("tag", ["", "d", "deutsch-", "de_DE", "<script>"])
def test_language_tags_refused(tag):
    with pytest.raises(ValueError):
        check_language_tag(tag)
