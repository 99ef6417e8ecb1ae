"""Both workbench languages have every text: the catalogs are compared with what the templates and code use now."""

import re
from typing import get_args
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader

from meldestelle_shared.events import EvidenceMediaType
from meldestelle_shared.taxonomy import LABELS
from triage.evidence.model import REASON_CODES, SafeCopyState
from triage.workbench.case_view import NOTICE_SECTIONS
from triage.workbench.i18n import LANGUAGES, LOCALE_DIR, translator

SERVICE = Path(__file__).resolve().parents[2]
TEMPLATES = SERVICE / "src" / "triage" / "workbench" / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# Keys built at run time, which extraction cannot see, by where they come from.
DYNAMIC_KEYS = {
    *("session_ended", "login_failed", "too_many_attempts"),  # workbench/router.py: the login form's notice
    *(f"notice_{action}" for action in NOTICE_SECTIONS),  # case.html: t("notice_" ~ notice)
    *(f"sort_{order}" for order in ("priority", "newest", "oldest")),  # cases/queue.py: the queue's sort orders
    *(f"priority_reason_{rule}" for rule in (  # cases/priority.py: the rule that gave the priority
        "physical_violence_or_threat", "agg_deadline_today", "agg_deadline_near", "agg_deadline_not_near",
        "agg_deadline_passed", "no_rule_applies")),
    *(f"language_{tag}" for tag in ("de", "de-x-ls", "en", "tr", "ar", "bg", "ro")),  # the resident site's languages
    *(f"kind_{kind}" for kind in (  # cases/actions.py and followups.py: timeline entries
        "status_changed", "closed", "reopened", "assigned", "classified", "office_message", "reporter_message",
        "note", "duplicate_confirmed", "duplicate_dismissed",
        "documented", "consultation", "intervention_recorded", "intervention_updated", "referred", "referral_taken_up", "letter")),
    *(f"letter_{kind}" for kind in ("complaint", "statement_request", "agg_confirmation")),  # casework.html: t("letter_" ~ kind)
    *(f"contact_{field}" for field in ("phone", "web", "address")),  # casework.html: a counselling service's contact fields
    "cause_first_view",  # cases/actions.py: a status change caused by opening the case
    "contact_email",  # case_view.py: contact_<field> of the reporter's contact data
    *("grounds", "forms", "life_area", "district", "reporter_role"),  # stats/figures.py: t(dimension)
    "not_stated",  # stats/figures.py: the cell of reports without an answer
    *("new", "in_review", "waiting_for_reporter"),  # t(status): staff words win over the shared (reporter's) labels
    *(f"evidence_{state.value}" for state in SafeCopyState),  # _evidence.html: a file's state
    *(f"evidence_reason_{code}" for code in REASON_CODES),  # _evidence.html: why a file could not be made safe
    *(f"media_{kind.replace('/', '_')}" for kind in get_args(EvidenceMediaType)),  # _evidence.html: a file's type
}  # fmt: skip


def used_keys() -> set[str]:
    """Literal keys of t("key") in the templates, and of the queue's select(name, "label key", ...) macro."""
    method_map = [("src/triage/workbench/templates/**.html", "jinja2")]
    found = extract_from_dir(str(SERVICE), method_map, keywords={"t": None, "select": (2,)})
    return {message[2] for message in found if isinstance(message[2], str)}


def read_catalog(tag: str):
    with (LOCALE_DIR / f"{tag}.po").open("rb") as source:
        return read_po(source)


def test_templates_compile():
    # A template with a syntax error would silently drop out of the extraction below.
    environment = Environment(loader=FileSystemLoader(TEMPLATES))
    names = {template.name for template in TEMPLATES.iterdir()}
    assert {"base.html", "login.html", "queue.html", "case.html", "statistics.html", "staff.html"} <= names
    for name in names:
        environment.get_template(name)


def test_extraction_finds_the_workbench_texts():
    assert {"app_name", "page_of", "message_audience", "life_area", "send_now"} <= used_keys()


def test_there_is_one_catalog_per_language_and_no_other():
    assert sorted(path.stem for path in LOCALE_DIR.glob("*.po")) == sorted(LANGUAGES)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_catalog_translates_every_key_and_nothing_else(tag):
    catalog = read_catalog(tag)
    expected = used_keys() | DYNAMIC_KEYS
    # A taxonomy code is translated by the shared labels, unless the workbench has its own staff word for it.
    missing = sorted(key for key in expected if not (catalog.get(key) and catalog.get(key).string) and key not in LABELS)
    assert missing == [], f"{tag}.po lacks {len(missing)} keys, e.g. {missing[:3]}"
    stale = sorted(message.id for message in catalog if message.id and message.id not in expected)
    assert stale == [], f"{tag}.po holds keys nothing uses: {stale[:3]}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == []
    # t() takes a text equal to its key for a key the catalog lacks, and then the shared label would win.
    shadowed = [message.id for message in catalog if message.id == message.string and message.id in LABELS]
    assert shadowed == []


def test_both_languages_fill_the_same_placeholders():
    german, english = read_catalog("de"), read_catalog("en")
    differing = [
        message.id
        for message in german
        if message.id and set(PLACEHOLDER.findall(message.string)) != set(PLACEHOLDER.findall(english.get(message.id).string))
    ]
    assert differing == []


@pytest.mark.parametrize(
    ("language", "key", "values", "expected"),
    [
        ("de", "page_of", {"page": 2, "pages": 5, "total": 93}, "Seite 2 von 5 (93 Fälle)"),
        ("en", "page_of", {"page": 2, "pages": 5, "total": 93}, "Page 2 of 5 (93 cases)"),
        ("de", "new", {}, "Neu, ungeöffnet"),  # the staff word, not the reporter's label
        ("en", "racist_attribution", {}, "Racist attribution"),  # a taxonomy code: the shared label
        ("fr", "logout", {}, "Abmelden"),  # a language the workbench lacks: German
        ("en", "no_such_key", {}, "no_such_key"),
        ("en", "", {}, ""),  # not the catalog's header
    ],
)
def test_translator_gives_catalog_texts_labels_and_unknown_keys(language, key, values, expected):
    assert translator(language)(key, **values) == expected
