"""intake's settings (INTAKE_*), with the shared Kafka settings nested."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from meldestelle_shared.settings import KafkaSettings


class Settings(BaseSettings):
    """Everything intake reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_")

    office_public_key: str = Field(description="The office's public key (base64); reports are sealed to it.")
    receipt_pepper: SecretStr = Field(min_length=16, description="Server-side key of the receipt hash.")
    receipt_hash_time_cost: int = Field(default=2, ge=1, description="Argon2id passes for the receipt hash.")
    receipt_hash_memory_kib: int = Field(default=19456, ge=8192, description="Argon2id memory for the receipt hash.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    log_level: str = "INFO"
