"""The case queue: the query model (`query`), the query-string parser (`params`), the database filter (`filters`), the open-cases read model (`view`, `counting`, `archive`) and its rebuild."""

from triage.cases.queue.filters import archive_group, build_filter
from triage.cases.queue.params import parse_case_query
from triage.cases.queue.query import SORTS, CaseQuery

__all__ = ["SORTS", "CaseQuery", "archive_group", "build_filter", "parse_case_query"]
