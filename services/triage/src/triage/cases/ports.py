"""What other features may read of cases: one port, so nothing outside `triage.cases` reads a case document."""

from collections.abc import AsyncIterator, Iterable
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from triage.cases.model import CaseFigures
from triage.cases.repository import CaseRepository


class CaseFiguresPort(Protocol):
    """What cases contribute to the statistics (`Case.figures`), read by `_id` or all at once for a rebuild."""

    async def figures_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseFigures]:
        """These cases' contributions by id; erased cases are missing."""
        ...

    def all_figures(self, batch_size: int) -> AsyncIterator[list[CaseFigures]]:
        """Every case's contribution, in batches."""
        ...


def case_figures_port(database: AsyncDatabase) -> CaseFiguresPort:
    """The port over triage's case storage in `database`."""
    return CaseRepository(database)
