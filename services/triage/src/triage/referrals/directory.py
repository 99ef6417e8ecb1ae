"""The referral directory: counselling services kept by admins as data in a JSON file, checked when triage starts.

A file that does not hold up stops triage with a message naming the entry and the field, so a typo is found
at deployment rather than when a caseworker tries to refer a case.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from meldestelle_shared.taxonomy import Ground, LifeArea
from meldestelle_shared.validation import LanguageTag

# A service's topics are grounds and life areas: what the suggestions compare with a case.
TOPICS = frozenset(code.value for code in (*Ground, *LifeArea))


class DirectoryError(ValueError):
    """The referral directory file is missing, not JSON, or an entry is invalid."""


class ServiceContact(BaseModel):
    """How people and staff reach a service; public details of the service, never of a person."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    web: str | None = Field(default=None, max_length=300, pattern=r"^https://\S+$")
    address: str | None = Field(default=None, max_length=300)


class CounsellingService(BaseModel):
    """One counselling service of the directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="Stable id; referrals name the service by it.")
    name: str = Field(min_length=1, max_length=200)
    topics: tuple[str, ...] = Field(min_length=1, description="Ground and life area codes the service counsels on.")
    languages: tuple[LanguageTag, ...] = Field(min_length=1, description="BCP 47 tags of the languages it counsels in.")
    contact: ServiceContact
    accessibility: tuple[str, ...] = Field(default=(), description="Short notes: step-free access, sign language, ...")
    example: bool = Field(default=False, description="A shipped sample entry, shown as an example, not a real service.")

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(topics) - TOPICS)
        if unknown:
            raise ValueError(f"unknown ground or life area code(s): {', '.join(unknown)}")
        return topics

    @field_validator("accessibility")
    @classmethod
    def _short_notes(cls, notes: tuple[str, ...]) -> tuple[str, ...]:
        if any(not note.strip() or len(note) > 200 for note in notes):
            raise ValueError("each note must be 1 to 200 characters")
        return notes


@dataclass(frozen=True)
class Directory:
    """The counselling services, in the file's order."""

    services: tuple[CounsellingService, ...] = ()

    def get(self, service_id: str) -> CounsellingService | None:
        """The service with this id, if the directory has it."""
        return next((service for service in self.services if service.id == service_id), None)


def load_directory(path: Path) -> Directory:
    """Read and check the directory file; raise DirectoryError naming the entry and the field that is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DirectoryError(f"referral directory {path}: cannot be read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise DirectoryError(f"referral directory {path}: not JSON (line {error.lineno}: {error.msg})") from None
    entries = data.get("services") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError(f'referral directory {path}: must be an object with a list "services"')
    return Directory(_checked(path, entries))


def _service(path: Path, index: int, entry: object) -> CounsellingService:
    try:
        return CounsellingService.model_validate(entry)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "entry"
        name = entry.get("id") if isinstance(entry, dict) else None
        raise DirectoryError(f"referral directory {path}: entry {index + 1}{f' ({name})' if name else ''}, field {where}: {first['msg']}") from None


def _checked(path: Path, entries: list[object]) -> tuple[CounsellingService, ...]:
    services = tuple(_service(path, index, entry) for index, entry in enumerate(entries))
    seen: set[str] = set()
    for index, service in enumerate(services):
        if service.id in seen:
            raise DirectoryError(f"referral directory {path}: entry {index + 1} ({service.id}), field id: used twice")
        seen.add(service.id)
    return services
