"""Settings of the statistics feature (TRIAGE_STATS_*)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from triage.stats.suppression import DEFAULT_THRESHOLD, MINIMUM_THRESHOLD


class StatisticsSettings(BaseSettings):
    """When and how triage publishes the monthly statistics."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_STATS_")

    threshold: int = Field(
        default=DEFAULT_THRESHOLD, ge=MINIMUM_THRESHOLD, description="Published counts below this are suppressed."
    )
    publish_day: int = Field(
        default=5, ge=1, le=28, description="Day of the following month (office time) on which a month is published."
    )
    check_interval_seconds: float = Field(
        default=3600, ge=0, description="Pause between checks for a month that is due; 0 turns the job off."
    )
