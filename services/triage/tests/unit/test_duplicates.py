"""Duplicate hints rest on a text similarity that ignores case, punctuation and layout."""

from triage.cases.duplicates import similarity

A = "Der Vermieter sagte, er vermiete nicht an Ausländer."


def test_the_same_report_in_other_layout_is_identical():
    assert similarity(A, "der vermieter sagte er vermiete   nicht an AUSLÄNDER") == 1.0


def test_a_reworded_report_is_similar_and_another_incident_is_not():
    assert similarity(A, "Der Vermieter sagte mir, er vermiete nicht an Ausländer!") >= 0.6
    assert similarity(A, "Im Bus wurde ich wegen meines Kopftuchs beleidigt.") < 0.6


def test_empty_texts_are_never_similar():
    assert similarity("", A) == 0.0 and similarity("...", "...") == 0.0
