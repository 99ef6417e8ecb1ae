"""Settings shared by every service; each service nests these in its own settings class.

Secrets come from the environment or, with MELDESTELLE_SECRETS_DIR, from files named like
the environment variable in lower case (e.g. /run/secrets/triage_office_private_key).
"""

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.days import office_date
from meldestelle_shared.topics import Topics


class KafkaSettings(BaseSettings):
    """Where Kafka is and how patiently to talk to it (KAFKA_*)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_")

    bootstrap_servers: str = Field(default="127.0.0.1:9092", description="Comma-separated host:port list.")
    topic_prefix: str = Field(default="meldestelle", description="Prefix of every topic name.")
    request_timeout_ms: int = Field(default=5000, ge=1000, description="Timeout of one request to Kafka.")
    publish_timeout_ms: int = Field(
        default=5000, ge=500, description="How long intake waits for Kafka to confirm a report before answering 503."
    )
    linger_ms: int = Field(default=0, ge=0, le=1000, description="How long the producer waits to batch records (measured: bench.intake).")
    username: str = Field(default="", description="SASL/SCRAM-SHA-256 principal of this service (e.g. intake).")
    password: SecretStr = Field(default=SecretStr(""), description="Its password; secret file kafka_password.")
    use_tls: bool = Field(default=False, description="SASL_SSL instead of SASL_PLAINTEXT (brokers beyond a private network).")
    sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-256", description="SCRAM variant the brokers check; Strimzi's KafkaUser knows SCRAM-SHA-512 only."
    )

    @classmethod
    def from_environment(cls) -> Self:
        """Read KAFKA_* from the environment and the password from the secrets folder."""
        return cls(_secrets_dir=secrets_dir())

    @property
    def topics(self) -> Topics:
        """The topic names of this deployment."""
        return Topics(self.topic_prefix)

    def client_options(self) -> dict[str, Any]:
        """Authentication options for aiokafka's producer, consumer and admin client."""
        if not self.username or not self.password.get_secret_value():
            raise ValueError("KAFKA_USERNAME and KAFKA_PASSWORD are required: Kafka accepts authenticated clients only")
        return {
            "security_protocol": "SASL_SSL" if self.use_tls else "SASL_PLAINTEXT",
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password.get_secret_value(),
        }


class MongoSettings(BaseSettings):
    """Where the database server is (MONGODB_*); each service names its own database."""

    model_config = SettingsConfigDict(env_prefix="MONGODB_")

    uri: str = Field(default="mongodb://127.0.0.1:27017/", description="MongoDB connection string (this service's server).")
    timeout_ms: int = Field(default=5000, ge=100, description="Server selection and socket timeout.")
    username: str = Field(default="", description="This service's database user; empty: the URI's own, if any.")
    password: SecretStr = Field(default=SecretStr(""), description="Its password; secret file mongodb_password.")
    auth_source: str = Field(default="admin", description="Database the user is defined in.")

    @classmethod
    def from_environment(cls) -> Self:
        """Read MONGODB_* from the environment and the password from the secrets folder."""
        return cls(_secrets_dir=secrets_dir())


class MetricsSettings(BaseSettings):
    """Where the internal metrics endpoint listens (METRICS_*); without a port there is none."""

    model_config = SettingsConfigDict(env_prefix="METRICS_")

    host: str = Field(default="127.0.0.1", description="Address of the metrics endpoint; keep it off the public network.")
    port: int | None = Field(default=None, ge=0, le=65535, description="Port of the metrics endpoint; unset serves none.")


class OfficeSettings(BaseSettings):
    """Facts about the office every service shares (OFFICE_*)."""

    model_config = SettingsConfigDict(env_prefix="OFFICE_")

    timezone: ZoneInfo = Field(
        default=ZoneInfo("Europe/Berlin"), description="IANA time zone of the office: its days, months and years of receipt."
    )

    @field_validator("timezone")
    @classmethod
    def _not_behind_utc(cls, zone: ZoneInfo) -> ZoneInfo:
        # A resident's day is stored as midnight UTC of the office's date (meldestelle_shared.days); read back in a
        # zone behind UTC it would fall on the day before.
        year = datetime.now(UTC).year
        if any(datetime(year, month, 1, tzinfo=zone).utcoffset() < timedelta(0) for month in (1, 7)):
            raise ValueError("the office's time zone must not be behind UTC")
        return zone

    def date_of(self, moment: datetime) -> date:
        """The office's calendar day at a moment (a moment without a time zone is UTC, as the database gives it)."""
        return office_date(moment, self.timezone)


def office_today(office: OfficeSettings | None = None) -> date:
    """Today's date at the office."""
    return office_date(zone=(office or OfficeSettings()).timezone)


def secrets_dir() -> Path | None:
    """The folder secret files are read from, if MELDESTELLE_SECRETS_DIR names one."""
    folder = os.environ.get("MELDESTELLE_SECRETS_DIR")
    return Path(folder) if folder else None
