"""What other features may read of cases: one port, so nothing outside `triage.cases` reads a case document."""

from collections.abc import AsyncIterator, Iterable
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from triage.cases.casework import CaseWork
from triage.cases.model import CaseFigures
from triage.cases.repository import CaseRepository


class CaseFiguresPort(Protocol):
    """What cases contribute to the statistics (`Case.figures`) and the annual report (`casework_of`), read by `_id` or all at once for a rebuild."""

    async def figures_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseFigures]:
        """These cases' contributions by id; erased cases are missing."""
        ...

    def all_figures(self, batch_size: int) -> AsyncIterator[list[CaseFigures]]:
        """Every case's contribution, in batches."""
        ...

    async def casework_by_ids(self, case_ids: Iterable[str]) -> dict[str, CaseWork]:
        """These cases' casework for the annual report, by id; erased cases are missing."""
        ...

    def all_casework(self, batch_size: int) -> AsyncIterator[list[CaseWork]]:
        """Every case's casework, in batches (for a rebuild)."""
        ...


def case_figures_port(database: AsyncDatabase) -> CaseFiguresPort:
    """The port over triage's case storage in `database`."""
    return CaseRepository(database)
