"""The open-data schema of the statistics API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Dimension = Literal["grounds", "forms", "life_area", "district", "reporter_role"]


class MonthlyStatistics(BaseModel):
    """One published month. `null` means suppressed (shown as "." on the page and in the CSV)."""

    month: str = Field(description="YYYY-MM: month the reports were received (Europe/Berlin).", examples=["2026-03"])
    total: int | None = Field(description="Reports received in the month; null when suppressed.")
    threshold: int = Field(description="Counts below this are suppressed, and so is any count that would reveal one.")
    tables: dict[Dimension, dict[str, int | None]] = Field(
        description=(
            "One-way table per dimension: taxonomy code -> count or null. grounds and forms may have several codes "
            "per report, so they can add up to more than the total; life_area, district and reporter_role add up "
            "to the total. 'not_stated' counts reports without an answer."
        )
    )
    classification: str = Field(description="Which classification the figures use, and what is not counted.")
    generated_at: datetime = Field(description="When triage computed the figures (UTC).")


class MonthlyStatisticsList(BaseModel):
    """Published months, newest first."""

    items: list[MonthlyStatistics] = Field(description="Newest first.")
