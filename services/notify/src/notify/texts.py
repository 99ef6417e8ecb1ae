"""notify's e-mail texts: gettext catalogs (Babel .po files in `locale/`, compiled in memory on first use).

Message ids are English. Each text is marked by who reads it: `office_text` for the office's e-mails
(German, then English), `notice_text` for a reporter's notice (every language of the resident site),
so the catalog test knows which language must translate which text.
"""

from functools import cache
from pathlib import Path

from babel.support import Translations

from meldestelle_shared.i18n import load_translations

LOCALE_DIR = Path(__file__).parent / "locale"
OFFICE_LANGUAGES = ("de", "en")  # the office reads German first, English after
# The resident site's languages (intake's site/i18n.py); a notice links the check page in one of them.
NOTICE_LANGUAGES = ("de", "de-x-ls", "en", "tr", "ar", "bg", "ro")


@cache
def translations(tag: str) -> Translations:
    """A language's .po catalog, compiled in memory by the shared loader."""
    return load_translations(LOCALE_DIR / f"{tag}.po")


def office_text(tag: str, message: str, **values: object) -> str:
    """A text of the office's e-mails in language `tag`, its %(placeholders)s filled from `values`."""
    return translations(tag).gettext(message) % values


def notice_text(tag: str, message: str, **values: object) -> str:
    """A text of a reporter's notice in language `tag`, its %(placeholders)s filled from `values`."""
    return translations(tag).gettext(message) % values
