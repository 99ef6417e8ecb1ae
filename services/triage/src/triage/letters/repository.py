"""Storage of templates and letters. Every read is by `_id`: a template's head, one version, one letter."""

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from triage.letters.templates import LetterKind, LetterTemplate, template_id


class TemplateRepository:
    """Template versions (`letter_templates`, never changed once written) and each template's current version (`letter_template_heads`)."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._versions = database["letter_templates"]
        self._heads = database["letter_template_heads"]

    async def current_version(self, kind: LetterKind, language: str) -> int | None:
        """The current version number of a template, or None if there is no such template."""
        head = await self._heads.find_one({"_id": _head_id(kind, language)})
        return head["version"] if head else None

    async def get(self, kind: LetterKind, language: str, version: int | None = None) -> LetterTemplate | None:
        """One version of a template; the current one without `version`."""
        version = version or await self.current_version(kind, language)
        if version is None:
            return None
        doc = await self._versions.find_one({"_id": template_id(kind, language, version)})
        return _template(doc) if doc else None

    async def heads(self) -> list[tuple[LetterKind, str, int]]:
        """Every template (kind, language) with its current version; a handful of documents."""
        return [(LetterKind(doc["kind"]), doc["language"], doc["version"]) async for doc in self._heads.find({}, sort=[("_id", ASCENDING)])]

    async def add_version(self, template: LetterTemplate) -> bool:
        """Write a new version and make it current, unless that version exists (someone else's edit won): False then."""
        try:
            await self._versions.insert_one({"_id": template.id, **asdict(template), "kind": template.kind.value})
        except DuplicateKeyError:
            # Also heals a head left behind by a crash between the two writes, so the next edit finds the free number.
            await self._advance(template.kind, template.language, template.version)
            return False
        await self._advance(template.kind, template.language, template.version)
        return True

    async def _advance(self, kind: LetterKind, language: str, version: int) -> None:
        # Moves forward only: a slower writer of an older version never sets the head back.
        head = {"_id": _head_id(kind, language)}
        fields = {"version": version, "kind": kind.value, "language": language}
        try:
            await self._heads.update_one({**head, "version": {"$lt": version}}, {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            pass  # the head is already at this version or beyond


class LetterRepository:
    """Letters (`letters`), keyed by letter id, each naming its case; text and PDF are sealed to the office key."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._letters = database["letters"]

    async def ensure_indexes(self) -> None:
        """The case index erasure uses."""
        await self._letters.create_index([("case_id", ASCENDING)], name="by_case")

    async def add(self, document: dict[str, Any]) -> None:
        """Store a letter."""
        await self._letters.insert_one(document)

    async def get(self, letter_id: str) -> dict[str, Any] | None:
        """One letter by id."""
        return await self._letters.find_one({"_id": letter_id})

    async def remove(self, letter_id: str) -> None:
        """Forget a letter whose case refused it."""
        await self._letters.delete_one({"_id": letter_id})

    async def erase_cases(self, case_ids: Iterable[str]) -> int:
        """Delete the letters of erased cases; returns how many there were."""
        ids = list(case_ids)
        return (await self._letters.delete_many({"case_id": {"$in": ids}})).deleted_count if ids else 0


def _head_id(kind: LetterKind, language: str) -> str:
    return f"{kind.value}:{language}"


def _template(doc: dict[str, Any]) -> LetterTemplate:
    created_at: datetime = doc["created_at"]
    return LetterTemplate(
        kind=LetterKind(doc["kind"]), language=doc["language"], version=doc["version"], subject=doc["subject"], body=doc["body"],
        created_at=created_at, created_by=doc["created_by"],
    )  # fmt: skip
