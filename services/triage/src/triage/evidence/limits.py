"""What one conversion may use (TRIAGE_EVIDENCE_*): the caps on pixels and pages, and the child process's time and memory."""

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConversionLimits(BaseModel):
    """The caps a conversion checks itself; sent to the converting process with each file."""

    max_image_pixels: int = Field(default=40_000_000, ge=1, description="Largest image (width x height) decoded; more is a decompression bomb.")
    max_pdf_pages: int = Field(default=50, ge=1, description="Most pages a PDF may have; a longer one is not converted.")
    pdf_dpi: int = Field(default=110, ge=36, le=300, description="Resolution PDF pages are rendered at.")
    max_page_pixels: int = Field(default=8_000_000, ge=10_000, description="Largest rendered page; larger pages are rendered smaller.")
    thumbnail_pixels: int = Field(default=240, ge=32, le=1024, description="Longest side of a thumbnail.")


class EvidenceSettings(BaseSettings):
    """How safe copies are made (TRIAGE_EVIDENCE_*)."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_EVIDENCE_", env_nested_delimiter="__")

    limits: ConversionLimits = Field(default_factory=ConversionLimits)
    timeout_seconds: float = Field(default=60, gt=0, le=600, description="Wall-clock time one conversion may take before it is killed.")
    memory_mb: int = Field(default=1024, ge=64, description="Address space (RLIMIT_AS) of the converting process.")
    store_uri: SecretStr = Field(
        default=SecretStr(""), description="Connection string (with triage's read-and-delete user) of the evidence store's server; empty: triage's own."
    )
