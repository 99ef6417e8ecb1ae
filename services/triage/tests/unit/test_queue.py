"""Queue queries: parsing (empty form values mean "any") and the database filter built from them."""

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import QueryParams

from triage.cases.queue import build_filter, parse_case_query


def test_every_filter_maps_to_the_effective_codes():
    query = parse_case_query(
        QueryParams("status=in_review&priority=high&assignee=me&life_area=housing&ground=age&district=mitte&month=2026-03&sort=newest")
    )
    assert build_filter(query, me="staff-1") == {
        "status": "in_review",
        "priority": "high",
        "assignee_id": "staff-1",
        "effective.life_area": "housing",
        "effective.grounds": "age",
        "reporter.district": "mitte",
        "received_month": "2026-03",
    }
    assert "status" not in build_filter(query, me="staff-1", with_status=False)  # counts per status ignore the status filter


def test_empty_values_mean_no_filter_and_none_means_unassigned():
    query = parse_case_query(QueryParams("status=&priority=&assignee=none"))
    assert build_filter(query, me="x") == {"assignee_id": None} and query.sort == "priority"


@pytest.mark.parametrize("bad", ["status=open", "month=2026-13", "page=0", "page_size=500", "sort=random"])
def test_bad_values_are_refused_naming_the_field(bad):
    with pytest.raises(RequestValidationError) as refused:
        parse_case_query(QueryParams(bad))
    assert refused.value.errors()[0]["loc"] == ("query", bad.split("=")[0])
