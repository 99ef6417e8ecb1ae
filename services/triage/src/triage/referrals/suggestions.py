"""Which counselling services suit a case: those counselling on its grounds or life area, in its language first."""

from collections.abc import Sequence
from dataclasses import dataclass

from triage.referrals.directory import CounsellingService, Directory


@dataclass(frozen=True)
class Suggestion:
    """A service that suits a case, and why: the topics it shares with the case, and whether it speaks the case's language."""

    service: CounsellingService
    shared_topics: tuple[str, ...]
    speaks_language: bool


def speaks(service: CounsellingService, language: str | None) -> bool:
    """Whether the service counsels in the language (by primary subtag: de-x-ls is German, ar-SY is Arabic)."""
    if not language:
        return False
    wanted = language.split("-")[0].lower()
    return any(tag.split("-")[0].lower() == wanted for tag in service.languages)


def suggest(directory: Directory, *, grounds: Sequence[str], life_area: str | None, language: str | None) -> list[Suggestion]:
    """Services sharing a ground or the life area with the case; those speaking its language first, then by topics shared.

    "other" and "unknown" say nothing about a case, so they match nothing.
    """
    topics = {*grounds, *([life_area] if life_area else [])} - {"other", "unknown"}
    found = [
        Suggestion(service, tuple(sorted(topics.intersection(service.topics))), speaks(service, language))
        for service in directory.services
        if topics.intersection(service.topics)
    ]
    return sorted(found, key=lambda s: (not s.speaks_language, -len(s.shared_topics), s.service.example, s.service.name))
