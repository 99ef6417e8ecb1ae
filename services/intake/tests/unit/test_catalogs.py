"""Every language has every string: the catalogs are compared with what the code and templates use now."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader

from intake.site.i18n import LANGUAGES, LOCALE_DIR, negotiate

SERVICE = Path(__file__).resolve().parents[2]
TEMPLATES = SERVICE / "src" / "intake" / "site" / "templates"


def used_message_ids() -> set[str]:
    method_map = [("src/intake/**.py", "python"), ("src/intake/site/templates/**.html", "jinja2"), ("src/intake/site/templates/**.txt", "jinja2")]
    return {message[2] for message in extract_from_dir(str(SERVICE), method_map) if isinstance(message[2], str)}


def test_templates_compile():
    # A template with a syntax error would silently drop out of the extraction below.
    environment = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    names = {template.name for template in TEMPLATES.iterdir()}
    assert {"base.html", "report.html", "check.html", "receipt.html", "inbox.html", "statistics.html"} <= names
    for name in names:
        environment.get_template(name)


def test_extraction_finds_the_site_strings():
    used = used_message_ids()
    assert {"Report discrimination", "Step %(number)s of %(total)s", "I don't know", "Waiting for you"} <= used


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_catalog_translates_every_string(tag):
    with (LOCALE_DIR / f"{tag}.po").open("rb") as source:
        catalog = read_po(source)
    missing = sorted(i for i in used_message_ids() if not (catalog.get(i) and catalog.get(i).string))
    assert missing == [], f"{tag}.po lacks {len(missing)} strings, e.g. {missing[:3]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert problems == [], problems  # e.g. a %(placeholder)s lost in translation


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "de"),
        ("", "de"),
        ("ar-SY,ar;q=0.9,en;q=0.5", "ar"),
        ("fr-FR,fr;q=0.9,tr;q=0.8", "tr"),
        ("en;q=0.2,ro;q=0.7", "ro"),
        ("pl,uk", "de"),
        ("bg;q=0,en", "en"),
        ("en;q=abc,bg", "bg"),
    ],
)
def test_accept_language_is_the_first_guess(header, expected):
    assert negotiate(header) == expected
