"""The office's one time zone: its days start at the office's midnight, not UTC's."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from meldestelle_shared.settings import OfficeSettings


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 3, 1, 22, 59, tzinfo=UTC), "2026-03-01"),
        (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), "2026-03-02"),  # midnight in Berlin (CET)
        (datetime(2026, 7, 1, 22, 0, tzinfo=UTC), "2026-07-02"),  # midnight in Berlin (CEST)
        (datetime(2026, 7, 1, 21, 59), "2026-07-01"),  # naive: UTC, as the database gives it
    ],
)
def test_the_office_day_is_berlins_by_default(moment, day, monkeypatch):
    monkeypatch.delenv("OFFICE_TIMEZONE", raising=False)
    assert OfficeSettings().date_of(moment).isoformat() == day


def test_the_time_zone_comes_from_the_environment_and_is_checked(monkeypatch):
    monkeypatch.setenv("OFFICE_TIMEZONE", "UTC")
    assert OfficeSettings().date_of(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)).isoformat() == "2026-03-01"
    monkeypatch.setenv("OFFICE_TIMEZONE", "Europe/Nowhere")
    with pytest.raises(ValidationError, match="timezone"):
        OfficeSettings()


def test_a_time_zone_behind_utc_is_refused(monkeypatch):
    # The resident's day is midnight UTC of the office's date; read back west of UTC it would be the day before.
    monkeypatch.setenv("OFFICE_TIMEZONE", "America/New_York")
    with pytest.raises(ValidationError, match="behind UTC"):
        OfficeSettings()


def test_the_shared_day_helpers_follow_the_setting(monkeypatch):
    from meldestelle_shared.days import office_date

    monkeypatch.setenv("OFFICE_TIMEZONE", "Asia/Tokyo")
    zone = OfficeSettings().timezone
    assert office_date(datetime(2026, 3, 1, 15, 0, tzinfo=UTC), zone).isoformat() == "2026-03-02"
