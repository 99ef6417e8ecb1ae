"""Settings shared by every service; each service nests these in its own settings class.

Secrets come from the environment or, with MELDESTELLE_SECRETS_DIR, from files named like
the environment variable in lower case (e.g. /run/secrets/triage_api_token).
"""

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    @property
    def topics(self) -> Topics:
        """The topic names of this deployment."""
        return Topics(self.topic_prefix)


class MongoSettings(BaseSettings):
    """Where the database server is (MONGODB_*); each service names its own database."""

    model_config = SettingsConfigDict(env_prefix="MONGODB_")

    uri: str = Field(default="mongodb://127.0.0.1:27017/", description="MongoDB connection string.")
    timeout_ms: int = Field(default=5000, ge=100, description="Server selection and socket timeout.")


class MetricsSettings(BaseSettings):
    """Where the internal metrics endpoint listens (METRICS_*); without a port there is none."""

    model_config = SettingsConfigDict(env_prefix="METRICS_")

    host: str = Field(default="127.0.0.1", description="Address of the metrics endpoint; keep it off the public network.")
    port: int | None = Field(default=None, ge=0, le=65535, description="Port of the metrics endpoint; unset serves none.")


def secrets_dir() -> Path | None:
    """The folder secret files are read from, if MELDESTELLE_SECRETS_DIR names one."""
    folder = os.environ.get("MELDESTELLE_SECRETS_DIR")
    return Path(folder) if folder else None
