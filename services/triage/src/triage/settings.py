"""triage's settings (TRIAGE_*), with the shared Kafka and database settings nested."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.settings import KafkaSettings, MongoSettings


class Settings(BaseSettings):
    """Everything triage reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    office_private_key: SecretStr = Field(description="The office's private key (base64); opens sealed reports.")
    api_token: SecretStr = Field(min_length=32, description="Bearer token of the staff API.")
    database: str = Field(default="triage", description="Database name on the MongoDB server.")
    consumer_group: str = Field(default="triage", description="Kafka consumer group.")
    reference_prefix: str = Field(default="DU", pattern=r"^[A-Z]{1,5}$", description="Prefix of case references.")
    agg_deadline_months: int = Field(default=2, ge=1, description="AGG period for asserting claims, in months.")
    deadline_near_days: int = Field(default=21, ge=0, description="Days before the AGG deadline a case turns high.")
    batch_size: int = Field(default=500, ge=1, le=5000, description="Most report events handled in one batch.")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongodb: MongoSettings = Field(default_factory=MongoSettings)
    log_level: str = "INFO"
