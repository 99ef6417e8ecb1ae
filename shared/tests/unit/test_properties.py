"""Property tests: every valid event survives a round trip, and validation accepts exactly the valid dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meldestelle_shared.events import ReportSubmitted, UndecodableEvent, decode_event, encode_event
from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea, ReporterRole
from meldestelle_shared.validation import check_incident_date

TODAY = date(2026, 11, 25)

reports = st.builds(
    lambda report_id, **fields: ReportSubmitted(correlation_id=report_id, report_id=report_id, **fields),
    report_id=st.uuids(),
    grounds=st.lists(st.sampled_from(Ground), unique=True),
    forms=st.lists(st.sampled_from(Form), unique=True),
    life_area=st.none() | st.sampled_from(LifeArea),
    district=st.none() | st.sampled_from(District),
    reporter_role=st.none() | st.sampled_from(ReporterRole),
    incident_date=st.none() | st.dates(date(1990, 1, 1), TODAY - timedelta(days=400)).map(date.isoformat),
    sealed_description=st.text(min_size=1),
    sealed_contact=st.none() | st.text(),
)


@given(reports)
def test_every_valid_report_event_round_trips(event):
    assert decode_event(encode_event(event)) == event


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_decode_to_anything_but_an_event_or_a_clear_error(data):
    try:
        decode_event(data)
    except UndecodableEvent as error:
        assert str(error)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_full_dates_are_accepted_exactly_when_not_in_the_future(day):
    if day <= TODAY:
        assert check_incident_date(day.isoformat(), today=TODAY) == day.isoformat()
    else:
        with pytest.raises(ValueError, match="future"):
            check_incident_date(day.isoformat(), today=TODAY)


@given(st.text(max_size=12))
def test_incident_date_never_raises_anything_but_a_value_error(text):
    try:
        check_incident_date(text, today=TODAY)
    except ValueError:
        pass


