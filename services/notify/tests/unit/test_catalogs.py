"""Every language an e-mail is sent in has every text of it: the catalogs are compared with what the code uses now."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from notify.texts import LOCALE_DIR, NOTICE_LANGUAGES, OFFICE_LANGUAGES

SERVICE = Path(__file__).resolve().parents[2]


def used_message_ids(marker: str) -> set[str]:
    """The texts the code marks with `marker` (`office_text` or `notice_text`, whose second argument is the text)."""
    found = extract_from_dir(str(SERVICE), [("src/notify/**.py", "python")], keywords={marker: (2,)})
    return {message[2] for message in found if isinstance(message[2], str)}


def expected_ids(tag: str) -> set[str]:
    office = used_message_ids("office_text") if tag in OFFICE_LANGUAGES else set()
    return office | (used_message_ids("notice_text") if tag in NOTICE_LANGUAGES else set())


def test_extraction_finds_the_email_texts():
    assert {"A new report has arrived.\n\nReference: %(reference)s\nPriority: %(priority)s\nOpen in the workbench: %(link)s",
            "%(count)s more new reports", "Who reported"} <= used_message_ids("office_text")  # fmt: skip
    assert "News about your report" in used_message_ids("notice_text")


def test_there_is_one_catalog_per_language_and_no_other():
    assert sorted(path.stem for path in LOCALE_DIR.glob("*.po")) == sorted(set(OFFICE_LANGUAGES) | set(NOTICE_LANGUAGES))


@pytest.mark.parametrize("tag", sorted(set(OFFICE_LANGUAGES) | set(NOTICE_LANGUAGES)))
def test_catalog_translates_every_text_of_its_emails_and_nothing_else(tag):
    with (LOCALE_DIR / f"{tag}.po").open("rb") as source:
        catalog = read_po(source)
    expected = expected_ids(tag)
    missing = sorted(i for i in expected if not (catalog.get(i) and catalog.get(i).string))
    assert missing == [], f"{tag}.po lacks {len(missing)} texts, e.g. {missing[:3]}"
    stale = sorted(message.id for message in catalog if message.id and message.id not in expected)
    assert stale == [], f"{tag}.po holds texts no e-mail uses: {stale[:3]}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == []
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert problems == [], problems  # e.g. a %(placeholder)s lost in translation
