"""Reading a queue query from a query string (the workbench's filter form sends empty values for "any")."""

from pydantic import ValidationError
from starlette.datastructures import QueryParams

from fastapi.exceptions import RequestValidationError
from triage.cases.queue.query import CaseQuery


def parse_case_query(params: QueryParams) -> CaseQuery:
    """Read the query string; empty values (an "any" choice in a form) mean no filter."""
    values = {key: value for key, value in params.items() if value != ""}
    try:
        return CaseQuery.model_validate(values)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]) from None
