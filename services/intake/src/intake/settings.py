"""intake's settings (INTAKE_*): its parts nested under their own prefixes, with the shared Kafka, database, metrics and office settings."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.settings import KafkaSettings, MetricsSettings, MongoSettings, OfficeSettings
from meldestelle_shared.telemetry import TracingSettings


class SiteSettings(BaseSettings):
    """What the public site says about the deployment (INTAKE_SITE_*): imprint and statement details."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_SITE_")

    office_name: str = Field(default="Antidiskriminierungsstelle (Beispielstadt)", description="Who runs the site.")
    office_address: str = Field(default="Musterstraße 1, 00000 Beispielstadt", description="Postal address for the imprint.")
    office_email: str = Field(default="meldestelle@example.org", description="Public contact address of the office.")
    office_phone: str = Field(default="+49 000 000000", description="Public telephone number of the office.")
    accessibility_feedback_email: str = Field(
        default="barrierefreiheit@example.org", description="Where barriers on the site can be reported (BITV NRW)."
    )
    enforcement_body_url: str = Field(
        default="https://www.mags.nrw/ombudsstelle-barrierefreie-informationstechnik",
        description="The NRW enforcement body for accessibility, linked from the accessibility statement.",
    )
    statement_date: str = Field(default="2026-11-01", description="Date the accessibility statement was last reviewed.")
    statistics_publish_day: int = Field(
        default=5, ge=1, le=28, description="Day a month's statistics are published, as the page states; must match triage's TRIAGE_STATS_PUBLISH_DAY."
    )
    retention_months: int = Field(
        default=24, ge=1, description="Months a closed case is kept before deletion; must match triage's retention job."
    )


class ReceiptHashSettings(BaseSettings):
    """The one Argon2id run per receipt that yields its hash and the reporter's keys (INTAKE_RECEIPT_HASH_*)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_RECEIPT_HASH_")

    time_cost: int = Field(default=2, ge=1, description="Argon2id passes of the one run per receipt (hash and reporter key).")
    memory_kib: int = Field(default=19456, ge=8192, description="Argon2id memory of the one run per receipt (hash and key).")


class ReceiptThrottleSettings(BaseSettings):
    """How receipt guessing is slowed down (INTAKE_RECEIPT_*); see intake.followup.throttle."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_RECEIPT_")

    free_failures: int = Field(default=3, ge=1, description="Wrong receipts a client may try without waiting.")
    max_failures: int = Field(default=10, ge=1, description="Wrong receipts per client and window before it is locked out.")
    max_attempts: int = Field(
        default=60, ge=1, description="Receipt checks per client and window, right or wrong (checking, replying, erasing)."
    )
    delay_seconds: float = Field(default=2.0, gt=0, description="First wait after the free failures; doubles.")
    window_seconds: int = Field(default=3600, ge=60, description="How long attempts are remembered; the address salt rotates as often.")
    global_failures_per_minute: int = Field(
        default=120, ge=1, description="Wrong receipts per minute, all clients together, before every check is slowed."
    )
    global_max_delay_seconds: float = Field(
        default=30.0, ge=0, description="Longest delay the global brake puts before a check (it never refuses)."
    )


class ReportThrottleSettings(BaseSettings):
    """How many reports one client may submit (INTAKE_REPORT_*); see intake.reports.throttle."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_REPORT_")

    max_per_window: int = Field(default=10, ge=1, description="Reports one client may submit per window.")
    window_seconds: int = Field(default=3600, ge=60, description="Window of the report limit; the address salt rotates as often.")


class EvidenceSettings(BaseSettings):
    """Files residents attach (INTAKE_EVIDENCE_*); see docs/evidence.md."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_EVIDENCE_")

    database: str = Field(default="", description="Database of the sealed files (GridFS bucket `evidence`); empty: `<INTAKE_DATABASE>_evidence`.")
    max_files: int = Field(default=5, ge=1, le=5, description="Files one report, or one later addition, may bring.")
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest file accepted.")
    max_total_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, description="Largest sum of the files of one request.")
    pending_seconds: int = Field(
        default=7200, ge=600, description="Files not acknowledged in a report (or still in a form's draft) this long are deleted."
    )


class Settings(BaseSettings):
    """Everything intake reads from its environment; each part's settings are nested under their own prefix."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", hide_input_in_errors=True)  # a refused pepper must not reach the log

    office_public_key: str = Field(description="The office's public key (base64); reports are sealed to it.")
    notify_public_key: str = Field(description="notify's public key (base64); the reporter's e-mail is sealed to it.")
    receipt_pepper: SecretStr = Field(min_length=16, description="Server-side key of the receipt hash and form tokens.")
    receipt_retired_peppers: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated earlier peppers: receipts made under them still work (tried after the current one).",
    )
    https_only: bool = Field(
        default=True,
        description="Residents reach the site only over https (a TLS proxy in front): HSTS, and a Secure __Host- cookie. "
        "Turn off only for plain http on loopback (devstack, tests).",
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    max_reply_chars: int = Field(default=5000, ge=100, description="Longest message a reporter may send the office.")
    database: str = Field(default="intake", description="Database of the reporter read model and the published statistics.")
    consumer_group: str = Field(
        default="intake", description="Kafka consumer group of the case-event consumer; the statistics consumer adds -statistics."
    )
    receipt_hash: ReceiptHashSettings = Field(default_factory=ReceiptHashSettings)
    receipt_throttle: ReceiptThrottleSettings = Field(default_factory=ReceiptThrottleSettings)
    report_throttle: ReportThrottleSettings = Field(default_factory=ReportThrottleSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings.from_environment)
    mongodb: MongoSettings = Field(default_factory=MongoSettings.from_environment)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    log_level: str = "INFO"

    @field_validator("receipt_retired_peppers")
    @classmethod
    def _retired_peppers_are_long_enough(cls, value: SecretStr) -> SecretStr:
        if any(len(pepper) < 16 for pepper in _split(value)):
            raise ValueError("each retired pepper must be at least 16 characters")  # never the pepper itself
        return value

    @property
    def evidence_database(self) -> str:
        """The database of the sealed files."""
        return self.evidence.database or f"{self.database}_evidence"

    @property
    def max_upload_bytes(self) -> int:
        """The largest multipart body: all files at their limit plus room for the form's fields and part headers."""
        return self.evidence.max_total_bytes + self.max_body_bytes

    @property
    def retired_peppers(self) -> list[str]:
        """The retired peppers, in their given order."""
        return _split(self.receipt_retired_peppers)


def _split(peppers: SecretStr) -> list[str]:
    return [pepper.strip() for pepper in peppers.get_secret_value().split(",") if pepper.strip()]
