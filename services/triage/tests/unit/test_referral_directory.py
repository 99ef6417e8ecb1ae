"""The referral directory: the shipped file holds up, a bad file is refused naming the entry and the field,
and suggestions match a case's grounds and life area, in its language first."""

import json
from pathlib import Path

import pytest

from triage.referrals.directory import CounsellingService, Directory, DirectoryError, load_directory
from triage.referrals.suggestions import speaks, suggest

SHIPPED = Path(__file__).resolve().parents[4] / "deploy" / "referrals" / "services.json"


def service(id: str, topics: list[str], languages: list[str], **fields) -> CounsellingService:
    return CounsellingService.model_validate({"id": id, "name": id.title(), "topics": topics, "languages": languages, "contact": {}} | fields)


def write(tmp_path: Path, services: object) -> Path:
    path = tmp_path / "services.json"
    path.write_text(json.dumps({"services": services}), encoding="utf-8")
    return path


def valid(id: str = "housing-help", **fields) -> dict:
    return {"id": id, "name": "Housing help", "topics": ["housing"], "languages": ["de"], "contact": {"email": "a@example.org"}} | fields


def test_the_shipped_directory_loads_and_every_entry_is_marked_as_an_example():
    directory = load_directory(SHIPPED)
    assert len(directory.services) >= 3 and all(s.example for s in directory.services)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (valid(topics=["housing", "moon_landing"]), "entry 2 (housing-help), field topics: Value error, unknown ground or life area code(s): moon_landing"),
        (valid(languages=["deutsch language"]), "entry 2 (housing-help), field languages.0"),
        (valid(languages=[]), "entry 2 (housing-help), field languages"),
        (valid(contact={"web": "http://insecure.example.org"}), "entry 2 (housing-help), field contact.web"),
        (valid(contact={"fax": "0203"}), "entry 2 (housing-help), field contact.fax"),
        (valid(id="Bad Id"), "entry 2 (Bad Id), field id"),
        (valid(id="first"), "entry 2 (first), field id: used twice"),
        ({"name": "No id"}, "entry 2, field id"),
        (valid(accessibility=[""]), "entry 2 (housing-help), field accessibility"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_entry_and_the_field(tmp_path, entry, expected):
    path = write(tmp_path, [valid("first"), entry])
    with pytest.raises(DirectoryError) as refused:
        load_directory(path)
    assert expected in str(refused.value) and str(path) in str(refused.value)


@pytest.mark.parametrize(("text", "expected"), [("{", "not JSON"), ("[]", 'list "services"'), ('{"services": {}}', 'list "services"')])
def test_a_file_that_is_not_a_directory_is_refused(tmp_path, text, expected):
    path = tmp_path / "services.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match=expected):
        load_directory(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(DirectoryError, match="cannot be read"):
        load_directory(tmp_path / "nowhere.json")


@pytest.mark.parametrize(
    ("language", "tags", "expected"),
    [("de-x-ls", ["de"], True), ("ar", ["ar-SY"], True), ("tr", ["de", "en"], False), (None, ["de"], False), ("EN", ["en"], True)],
)
def test_a_language_is_matched_by_its_primary_subtag(language, tags, expected):
    assert speaks(service("svc", ["age"], tags), language) is expected


def test_suggestions_share_a_topic_with_the_case_and_rank_its_language_then_the_topics_shared_then_real_before_example():
    directory = Directory(
        (
            service("both-german", ["age", "housing"], ["de"]),
            service("one-turkish", ["age"], ["tr"]),
            service("both-turkish-example", ["age", "housing"], ["tr"], example=True),
            service("both-turkish", ["age", "housing"], ["tr", "de"]),
            service("unrelated-turkish", ["disability"], ["tr"]),
        )
    )
    found = suggest(directory, grounds=["age"], life_area="housing", language="tr")
    assert [s.service.id for s in found] == ["both-turkish", "both-turkish-example", "one-turkish", "both-german"]
    assert found[0].shared_topics == ("age", "housing") and found[0].speaks_language and not found[-1].speaks_language


def test_other_and_unknown_grounds_suggest_nothing():
    directory = Directory((service("catch-all", ["other", "unknown"], ["de"]),))
    assert suggest(directory, grounds=["other", "unknown"], life_area=None, language="de") == []


def test_an_empty_directory_suggests_nothing():
    assert suggest(Directory(), grounds=["age"], life_area="work", language="de") == []
