"""The workbench's words in German (first) and English; taxonomy codes use the shared labels.

The words are gettext catalogs (`locale/*.po`, loaded by the shared loader) whose message ids are symbolic keys,
so templates call `t("key")`, also with keys built at run time (`t("kind_" ~ entry.kind)`).
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import Translations
from fastapi import Request

from meldestelle_shared.i18n import load_translations
from meldestelle_shared.taxonomy import LABELS
from triage.cookies import LANGUAGE, read_cookie

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("de", "en")


@cache
def translations(language: str) -> Translations:
    """A language's catalog, compiled in memory on first use."""
    return load_translations(LOCALE_DIR / f"{language}.po", language)


def choose_language(request: Request) -> str:
    """The cookie's language, else the browser's first supported one, else German."""
    chosen = read_cookie(request, LANGUAGE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "de"


def translator(language: str) -> Callable[..., str]:
    """A function giving a text (or a taxonomy label) in `language`, its %(placeholders)s filled; unknown keys show as themselves."""
    catalog = translations(language if language in LANGUAGES else "de")

    def translate(key: str, **values: object) -> str:
        # gettext answers "" with the catalog's header, and an unknown key with the key itself.
        text = catalog.gettext(key) if key else key
        if text == key:
            entry = LABELS.get(key)
            text = entry.get(language, entry["de"]) if entry else key
        return text % values if values else text

    return translate
