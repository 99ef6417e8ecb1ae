"""notify's settings (NOTIFY_*), with its SMTP part and the shared Kafka, database, metrics and office settings nested."""

from typing import Self

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.settings import KafkaSettings, MetricsSettings, MongoSettings, OfficeSettings, secrets_dir
from meldestelle_shared.telemetry import TracingSettings


class SmtpSettings(BaseSettings):
    """How notify reaches its mail relay (NOTIFY_SMTP_*)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_SMTP_")

    host: str = Field(default="127.0.0.1", description="SMTP server host.")
    port: int = Field(default=1025, description="SMTP server port.")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS; turn off only for a local sink without TLS.")
    verify_certificate: bool = Field(
        default=True, description="Check the SMTP server's certificate; turn off only for a sink with a self-signed one."
    )
    username: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    password: SecretStr | None = Field(default=None, description="SMTP password (a secret: also read from MELDESTELLE_SECRETS_DIR).")
    timeout: float = Field(default=10.0, gt=0, description="Seconds before an SMTP call counts as failed.")

    @classmethod
    def from_environment(cls) -> Self:
        """Read NOTIFY_SMTP_* from the environment and the password from the secrets folder."""
        return cls(_secrets_dir=secrets_dir())


class Settings(BaseSettings):
    """Everything notify reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_")

    private_key: SecretStr | None = Field(
        default=None, description="notify's private key (base64): opens reporters' e-mail addresses, nothing else."
    )
    retired_private_keys: SecretStr = Field(
        default=SecretStr(""), description="Comma-separated earlier keys: addresses sealed to them still open after a rotation."
    )
    sender: str = Field(default="meldestelle@localhost", description="From address of every e-mail.")
    office_address: str = Field(default="antidiskriminierung@localhost", description="Where case notices and assigned cases' deadline reminders go.")
    leads_address: str = Field(default="leitung@localhost", description="Where first-response reminders and unassigned cases' deadline reminders go.")
    workbench_url: str = Field(default="http://127.0.0.1:8001", description="Base URL of the staff workbench.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL of the resident site.")
    notice_window_seconds: float = Field(
        default=900, gt=0, description="A reporter gets at most one notice per case in this window; news inside it waits for its end."
    )
    office_digest_threshold: int = Field(
        default=10, ge=0, description="New cases per digest window the office gets one e-mail each for; the rest come in one digest. 0: no digest."
    )
    office_digest_window_seconds: float = Field(default=900, gt=0, description="Length of a digest window (fixed windows in UTC).")
    schedule_interval_seconds: float = Field(default=5, gt=0, description="How often waiting notices and digests are checked.")
    database: str = Field(default="notify", description="Database name of the delivery log and contacts.")
    consumer_group: str = Field(default="notify", description="Kafka consumer group.")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings.from_environment)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings.from_environment)
    mongodb: MongoSettings = Field(default_factory=MongoSettings.from_environment)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    log_level: str = "INFO"
