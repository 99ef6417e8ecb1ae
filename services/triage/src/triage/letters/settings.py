"""The office's letterhead (TRIAGE_LETTER_*): what every letter's head and signature show."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LetterSettings(BaseSettings):
    """The office data letters carry (TRIAGE_LETTER_*)."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_LETTER_")

    office_name: str = Field(
        default="Antidiskriminierungsstelle der Stadt", max_length=200, description="The office's name, on the letterhead and under the letter."
    )
    office_address: str = Field(
        default="Musterstraße 1; 40213 Düsseldorf", max_length=500, description="The office's postal address; lines separated by ';'."
    )
    office_phone: str = Field(default="", max_length=100, description="Telephone number on the letterhead (optional).")
    office_email: str = Field(default="", max_length=200, description="E-mail address on the letterhead (optional).")
    office_city: str = Field(default="Düsseldorf", max_length=100, description="The place before the date line: 'Düsseldorf, 1. Dezember 2026'.")

    def address_lines(self) -> list[str]:
        """The postal address, one line each."""
        return [line.strip() for line in self.office_address.split(";") if line.strip()]
