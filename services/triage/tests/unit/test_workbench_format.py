"""How the workbench writes dates, times and contact data, and the queue's reply filter: plain functions."""

from datetime import UTC, date, datetime

import pytest
from starlette.datastructures import QueryParams

from triage.cases.queue import build_filter, parse_case_query
from triage.workbench.case_view import contact_fields
from triage.workbench.timefmt import format_date, format_moment, format_reported_date, iso_moment


@pytest.mark.parametrize(
    ("moment", "language", "shown"),
    [
        (datetime(2026, 12, 1, 15, 27, tzinfo=UTC), "de", "01.12.2026 16:27 MEZ"),
        (datetime(2026, 12, 1, 15, 27, tzinfo=UTC), "en", "1 Dec 2026 16:27 CET"),
        (datetime(2026, 7, 1, 10, 5, tzinfo=UTC), "de", "01.07.2026 12:05 MESZ"),
        (datetime(2026, 12, 31, 23, 30), "de", "01.01.2027 00:30 MEZ"),  # a naive moment is UTC; the office date is the next day
    ],
)
def test_moments_are_office_time_with_the_zone_named(moment, language, shown):
    assert format_moment(moment, language) == shown


def test_dates_follow_the_language():
    assert (format_date(date(2026, 3, 4), "de"), format_date(date(2026, 3, 4), "en")) == ("04.03.2026", "4 Mar 2026")
    assert (format_reported_date("2026-10", "de"), format_reported_date("2026-10-01", "de"), format_reported_date(None, "de")) == (
        "10.2026", "01.10.2026", "–",
    )  # fmt: skip
    assert iso_moment(datetime(2026, 12, 1, 15, 27, tzinfo=UTC)) == "2026-12-01T16:27:00+01:00"


def test_contact_data_becomes_labelled_fields():
    assert contact_fields('{"email": "a@example.org"}') == [("contact_email", "a@example.org")]
    assert contact_fields(None) == [] and contact_fields("not json") == [("contact", "not json")]


def test_reply_waiting_filters_on_the_flag():
    assert build_filter(parse_case_query(QueryParams("reply_waiting=true")), me=None) == {"reply_waiting": True}
    assert build_filter(parse_case_query(QueryParams("reply_waiting=false")), me=None) == {"reply_waiting": {"$ne": True}}
    assert build_filter(parse_case_query(QueryParams("reply_waiting=")), me=None) == {}
