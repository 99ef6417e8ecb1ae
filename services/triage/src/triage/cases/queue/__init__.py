"""The case queue: the query model (`query`), the query-string parser (`params`), the database filter (`filters`) and the open-cases read model (`view`)."""

from triage.cases.queue.filters import build_filter
from triage.cases.queue.params import parse_case_query
from triage.cases.queue.query import SORTS, CaseQuery

__all__ = ["SORTS", "CaseQuery", "build_filter", "parse_case_query"]
