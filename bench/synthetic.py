"""Synthetic reports: varied texts and codes, so duplicate detection and indexes see realistic spread."""

import random

from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea, ReporterRole

_WORDS = (
    "Vermieter Wohnung Besichtigung Name Nachbarin Arbeit Kollege Chef Bus Fahrer Schule Lehrerin Amt Formular "
    "Termin Polizei Kontrolle Arzt Praxis Geschäft Verkäufer Kopftuch Sprache Akzent Rollstuhl Eingang Treppe "
    "beleidigt verweigert angeschrien ignoriert beschimpft fotografiert gedroht gesagt gefragt geschickt abgelehnt "
    "gestern morgens abends dreimal wieder nicht keine immer laut leise vor allen allein mit meiner Tochter "
    "meinem Sohn Freundin Zeugen Bahnhof Markt Supermarkt Kino Fitnessstudio Jobcenter Ausländerbehörde Bewerbung"
).split()

# The one body the throughput runs POST again and again: a typical anonymous report, no contact data.
REPORT = {
    "description": "Bei der Wohnungsbesichtigung sagte der Vermieter, an Leute mit meinem Namen vermiete er nicht. "
    "Eine Nachbarin hat das gehört. Ich habe danach keine Antwort mehr auf meine Anfragen bekommen.",
    "grounds": ["racist_attribution"],
    "forms": ["denial_of_access_or_service"],
    "life_area": "housing",
    "district": "hamborn",
    "reporter_role": "affected",
    "incident_date": "2026-01",
    "language": "de",
}


def description(rng: random.Random) -> str:
    """A German-looking incident text of 30 to 90 words."""
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(30, 90))) + "."


def report(rng: random.Random) -> dict:
    """A report body as the public API takes it, with the codes spread over the taxonomy."""
    return {
        "description": description(rng),
        "grounds": rng.sample([g.value for g in Ground], rng.choice((1, 1, 2))),
        "forms": rng.sample([f.value for f in Form], rng.choice((1, 1, 2))),
        "life_area": rng.choice([*(a.value for a in LifeArea), None]),
        "district": rng.choice([*(d.value for d in District), None]),
        "reporter_role": rng.choice([r.value for r in ReporterRole]),
        "incident_date": f"2026-{rng.randint(1, 10):02d}",
        "language": "de",
    }
