"""Settings of the deadline engine (TRIAGE_DEADLINE_*)."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from triage.cases.deadlines.rules import DeadlinePeriods


class DeadlineSettings(BaseSettings):
    """The statutory periods (under political discussion, hence configurable) and when reminders go out."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_DEADLINE_")

    agg_15_4_months: int = Field(default=2, ge=1, le=36, description="AGG §15(4): months to assert a claim in employment.")
    agg_21_5_months: int = Field(default=2, ge=1, le=36, description="AGG §21(5): months to assert a claim in civil law.")
    arbgg_61b_months: int = Field(default=3, ge=1, le=36, description="ArbGG §61b: months to sue after a written claim.")
    near_days: int = Field(default=21, ge=0, description="Days before the AGG deadline a case turns high.")
    reminder_working_days: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(10, 3), description="Comma-separated lead times, in NRW working days before a deadline, at which reminders go out."
    )

    @field_validator("reminder_working_days", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value

    @field_validator("reminder_working_days")
    @classmethod
    def _check_leads(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(lead < 0 or lead > 60 for lead in value):
            raise ValueError("each lead time must be 0 to 60 working days")
        return tuple(sorted(set(value), reverse=True))

    def periods(self) -> DeadlinePeriods:
        """The periods the rules count with."""
        return DeadlinePeriods(self.agg_15_4_months, self.agg_21_5_months, self.arbgg_61b_months)
