"""Languages of the site: gettext catalogs (Babel .po files, compiled in memory at start) and negotiation.

The language is part of every URL (/de/..., /ar/...), so no cookie is needed to keep it;
Accept-Language is only the first guess when someone opens the bare address.
"""

from dataclasses import dataclass
from pathlib import Path

from babel.support import Translations

from meldestelle_shared import i18n

LOCALE_DIR = Path(__file__).parent / "locale"


@dataclass(frozen=True)
class Language:
    """A language the site offers."""

    tag: str  # BCP 47; also the URL segment and the catalog's file name
    name: str  # the language's own name, for the switcher
    locale: str  # the Babel locale used for dates
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    language.tag: language
    for language in (
        Language("de", "Deutsch", "de"),
        Language("en", "English", "en"),
        Language("tr", "Türkçe", "tr"),
        Language("ar", "العربية", "ar", "rtl"),
        Language("bg", "Български", "bg"),
        Language("ro", "Română", "ro"),
        # Easy German (Leichte Sprache) has no registered subtag; a private-use one keeps it valid BCP 47.
        Language("de-x-ls", "Leichte Sprache", "de"),
    )
}
DEFAULT_LANGUAGE = "de"


def load_translations(tag: str) -> Translations:
    """A language's .po catalog, compiled in memory by the shared loader."""
    return i18n.load_translations(LOCALE_DIR / f"{tag}.po", LANGUAGES[tag].locale)


def negotiate(accept_language: str | None) -> str:
    """Pick the site language from an Accept-Language header (highest weight first), else German."""
    weighted = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and weight > 0:
            weighted.append((-weight, position, tag.lower()))
    for _, _, tag in sorted(weighted):
        if tag in LANGUAGES:
            return tag
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
