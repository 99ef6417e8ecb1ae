"""The shared loader compiles a .po catalog in memory: texts, plurals by the locale's rules, and no fuzzy guesses."""

from meldestelle_shared.i18n import load_translations

CATALOG = r'''
msgid ""
msgstr ""
"Language: bg\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Reference"
msgstr "Референтен номер"

msgid "%(count)s report"
msgid_plural "%(count)s reports"
msgstr[0] "%(count)s сигнал"
msgstr[1] "%(count)s сигнала"

#, fuzzy
msgid "Guessed"
msgstr "Предположено"
'''


def test_a_catalog_is_compiled_in_memory(tmp_path):
    path = tmp_path / "bg.po"
    path.write_text(CATALOG, encoding="utf-8")
    translations = load_translations(path, "bg")
    assert translations.gettext("Reference") == "Референтен номер"
    assert translations.ngettext("%(count)s report", "%(count)s reports", 1) == "%(count)s сигнал"
    assert translations.ngettext("%(count)s report", "%(count)s reports", 5) == "%(count)s сигнала"
    assert translations.gettext("Guessed") == "Guessed"  # a fuzzy entry is a draft, never shown
    assert translations.gettext("Unknown") == "Unknown"
