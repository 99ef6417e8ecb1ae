"""Kafka topic names and partition counts, created explicitly (auto-creation is off)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    """The topics of one deployment; tests use their own prefix."""

    prefix: str = "meldestelle"

    @property
    def reports(self) -> str:
        """Events from residents: ReportSubmitted and what follows from the public site."""
        return f"{self.prefix}.reports"

    @property
    def cases(self) -> str:
        """Events from triage about cases: CaseCreated and its successors."""
        return f"{self.prefix}.cases"

    @property
    def statistics(self) -> str:
        """Published monthly statistics, from triage to intake and notify."""
        return f"{self.prefix}.statistics"

    @property
    def dead_letters(self) -> str:
        """Messages a consumer could not process, with the error and original headers."""
        return f"{self.prefix}.dead-letters"

    def partitions(self) -> dict[str, int]:
        """Every topic with its partition count."""
        return {self.reports: 6, self.cases: 6, self.statistics: 1, self.dead_letters: 1}
