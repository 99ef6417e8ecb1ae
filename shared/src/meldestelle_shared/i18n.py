"""Gettext catalogs for every service: Babel .po files, compiled in memory when loaded, so no build step is needed."""

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def load_translations(catalog: Path, locale: str | None = None) -> Translations:
    """Read a .po catalog and compile it in memory; `locale` (a Babel locale) gives the plural rules where they matter."""
    with catalog.open("rb") as source:
        messages = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled)
