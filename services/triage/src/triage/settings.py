"""triage's settings (TRIAGE_*), with each part's settings and the shared Kafka, database and office settings nested."""

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.settings import KafkaSettings, MetricsSettings, MongoSettings, OfficeSettings
from meldestelle_shared.telemetry import TracingSettings
from triage.cases.deadlines.settings import DeadlineSettings
from triage.evidence.limits import EvidenceSettings
from triage.letters.settings import LetterSettings
from triage.stats.settings import StatisticsSettings


class LoginSettings(BaseSettings):
    """How failed logins slow down an account and a client (TRIAGE_LOGIN_*)."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_LOGIN_")

    max_failures: int = Field(default=5, ge=1, description="Failed logins in a row before an account is slowed down.")
    account_delay_max_seconds: int = Field(
        default=30, ge=1, le=900, description="Longest wait (growing from 1 s) an account's repeated failed logins impose on its next login."
    )
    free_failures: int = Field(default=3, ge=1, description="Failed logins per client before it must wait.")
    client_delay_max_seconds: int = Field(
        default=300, ge=1, description="Longest wait (growing from 1 s) a client's repeated failed logins impose on its next try."
    )


class SessionSettings(BaseSettings):
    """How long a staff session lasts (TRIAGE_SESSION_*)."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_SESSION_")

    idle_minutes: int = Field(default=30, ge=1, le=720, description="A staff session ends after this long unused.")
    max_hours: int = Field(default=10, ge=1, le=24, description="A staff session ends this long after login, used or not.")


class DatabaseSettings(BaseSettings):
    """Where triage's data lives (TRIAGE_*DATABASE, MONGODB_*): also all the rebuild commands need, no secrets."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    database: str = Field(default="triage", description="Database name on the MongoDB server: cases, staff, audit.")
    # A database per read model: FerretDB on SQLite keeps a file per database and lets one writer in at a time,
    # so the case writer and each read model's consumer do not wait on each other.
    statistics_database: str = Field(default="", description="Database of the statistics read model; empty: `<database>_statistics`.")
    duplicates_database: str = Field(default="", description="Database of the duplicate groups; empty: `<database>_duplicates`.")
    queue_database: str = Field(default="", description="Database of the queue read model; empty: `<database>_queue`.")
    evidence_database: str = Field(
        default="intake_evidence", description="The evidence store intake writes (GridFS bucket `evidence`): triage reads it, and deletes on erasure."
    )
    evidence_safe_database: str = Field(default="", description="Database of the sealed safe copies; empty: `<database>_evidence`.")
    mongodb: MongoSettings = Field(default_factory=MongoSettings.from_environment)

    @model_validator(mode="after")
    def _derive_read_model_databases(self) -> "DatabaseSettings":
        self.statistics_database = self.statistics_database or f"{self.database}_statistics"
        self.duplicates_database = self.duplicates_database or f"{self.database}_duplicates"
        self.queue_database = self.queue_database or f"{self.database}_queue"
        self.evidence_safe_database = self.evidence_safe_database or f"{self.database}_evidence"
        return self


class Settings(DatabaseSettings):
    """Everything triage reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    office_private_key: SecretStr = Field(description="The office's private key (base64); opens sealed reports.")
    office_retired_private_keys: SecretStr = Field(
        default=SecretStr(""), description="Comma-separated earlier office keys: values sealed to them still open until re-sealed."
    )
    totp_private_key: SecretStr = Field(description="Key (base64) that seals staff TOTP secrets; the office key cannot open them.")
    totp_retired_private_keys: SecretStr = Field(default=SecretStr(""), description="Comma-separated earlier TOTP keys.")
    api_tokens_enabled: bool = Field(
        default=False, description="Accept API tokens (created with `python -m triage.staff.cli create-token`) on the JSON API."
    )
    consumer_group: str = Field(default="triage", description="Kafka consumer group.")
    reference_prefix: str = Field(default="DU", pattern=r"^[A-Z]{1,5}$", description="Prefix of case references.")
    batch_size: int = Field(default=500, ge=1, le=5000, description="Most report events handled in one batch.")
    https_only: bool = Field(
        default=True,
        description="Staff reach the workbench only over https (a TLS proxy in front): HSTS, and Secure __Host- cookies. "
        "Turn off only for plain http on loopback (devstack, tests).",
    )
    first_response_working_days: int = Field(
        default=3, ge=1, description="Working days (NRW) a case may stay new before the leads are reminded."
    )
    retention_months: int = Field(default=24, ge=1, description="Months after closure a case is deleted.")
    duplicate_similarity: float = Field(
        default=0.6, gt=0, le=1, description="Text similarity (0..1) from which cases of the same area, district and month are linked."
    )
    job_interval_seconds: int = Field(
        default=300, ge=0, description="Pause between rounds of the scheduled jobs (outbox, priorities, reminders; retention runs once a day); 0 turns them off."
    )
    referral_directory: Path | None = Field(
        default=None,
        description="JSON file of the counselling services cases are referred to (deploy/referrals/services.json); checked at start-up.",
    )
    event_catalogue_dir: Path | None = Field(
        default=None, description="Folder of the services' AsyncAPI documents (docs/asyncapi), shown at /events; none: not shown."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    login: LoginSettings = Field(default_factory=LoginSettings)
    session: SessionSettings = Field(default_factory=SessionSettings)
    statistics: StatisticsSettings = Field(default_factory=StatisticsSettings)
    deadline: DeadlineSettings = Field(default_factory=DeadlineSettings)
    letter: LetterSettings = Field(default_factory=LetterSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings.from_environment)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    log_level: str = "INFO"
