"""The German words of the annual report's workbook and PDF (the office's Jahresbericht is German); codes use the shared labels."""

from triage.workbench.i18n import translator

TITLES = {
    "grounds": "Fälle nach Merkmal (Mehrfachnennung möglich)",
    "forms": "Fälle nach Form (Mehrfachnennung möglich)",
    "life_area": "Fälle nach Lebensbereich",
    "district": "Fälle nach Stadtbezirk",
    "reporter_role": "Fälle nach meldender Person",
    "level": "Fälle nach Ebene",
    "interventions": "Interventionen nach Art und Ergebnis",
    "consultations": "Beratungskontakte und Minuten nach Kanal",
    "referrals": "Verweisungen",
}
WORDS = {
    "internal_title": "Jahresbericht %(year)s – intern, ungeschwärzt",
    "public_title": "Jahresbericht %(year)s – öffentliche Fassung",
    "internal_note": "Nur für das Büro: kleine Werte sind sichtbar und dürfen so nicht veröffentlicht werden.",
    "public_note": (
        "Summe der veröffentlichten Monatszahlen. Ein Jahreswert wird nur gezeigt, wenn jeder veröffentlichte Monat "
        "ihn zeigt; sonst steht dort „.“ (Schwellenwert %(threshold)s)."
    ),
    "missing": "Noch nicht veröffentlichte Monate (nicht enthalten): %(months)s",
    "total": "Fälle insgesamt",
    "count": "Anzahl",
    "code": "Ausprägung",
    "contacts": "Kontakte",
    "minutes": "Minuten",
    "all": "Summe",
    "taken_up": "Aufgenommen",
    "not_taken_up": "Nicht aufgenommen",
    "open": "Offen",
    "months": "Monate",
    "summary": "Übersicht",
}
_label = translator("de")


def word(key: str, **values: object) -> str:
    """A word of the report, its %(placeholders)s filled."""
    text = WORDS[key]
    return text % values if values else text


def label(code: str) -> str:
    """A code's German label (taxonomy codes, dimensions, "not_stated")."""
    return WORDS.get(code) or _label(code)


def shown(value: int | None) -> int | str:
    """A count as shown: "." where suppressed."""
    return "." if value is None else value
