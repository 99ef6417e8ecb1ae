"""Response bodies of the staff statistics API."""

from pydantic import BaseModel, Field


class MonthList(BaseModel):
    """Months with figures."""

    months: list[str] = Field(description="YYYY-MM, oldest first.")


class MonthFiguresRead(BaseModel):
    """One month's unsuppressed figures, for the office only."""

    month: str = Field(description="YYYY-MM, month of receipt (Europe/Berlin).")
    total: int = Field(description="Counted reports received in the month.")
    tables: dict[str, dict[str, int]] = Field(description="Dimension -> code -> count; grounds and forms are multi-valued.")
