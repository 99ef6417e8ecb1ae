"""The workbench's words in German (first) and English; taxonomy codes use the shared labels."""

from fastapi import Request

from meldestelle_shared.taxonomy import LABELS
from triage.cookies import LANGUAGE, read_cookie

LANGUAGES = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"de": "Meldestelle – Fallbearbeitung", "en": "Meldestelle – case workbench"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
    "nav": {"de": "Hauptnavigation", "en": "Main navigation"},
    "queue": {"de": "Fälle", "en": "Cases"},
    "audit": {"de": "Protokoll", "en": "Audit log"},
    "statistics": {"de": "Statistik", "en": "Statistics"},
    "statistics_unsuppressed": {
        "de": "Ungeschwärzte Zahlen, nur für das Büro: kleine Werte sind hier sichtbar und dürfen so nicht veröffentlicht werden.",
        "en": "Unsuppressed figures, for the office only: small counts show here and must not be published as they are.",
    },
    "statistics_none": {"de": "Noch keine Meldungen gezählt.", "en": "No reports counted yet."},
    "reports_received": {"de": "Eingegangene Meldungen", "en": "Reports received"},
    "count": {"de": "Anzahl", "en": "Count"},
    "show": {"de": "Anzeigen", "en": "Show"},
    "not_stated": {"de": "Keine Angabe", "en": "Not stated"},
    "accounts": {"de": "Konten", "en": "Accounts"},
    "logout": {"de": "Abmelden", "en": "Log out"},
    "logged_in_as": {"de": "Angemeldet als", "en": "Logged in as"},
    "language": {"de": "Sprache", "en": "Language"},
    "login": {"de": "Anmelden", "en": "Log in"},
    "username": {"de": "Benutzername", "en": "Username"},
    "password": {"de": "Passwort", "en": "Password"},
    "totp": {"de": "Code aus der Authenticator-App (6 Ziffern)", "en": "Code from the authenticator app (6 digits)"},
    "session_ended": {"de": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "en": "Your session has ended. Please log in again."},
    "login_failed": {"de": "Benutzername, Passwort oder Code ist falsch.", "en": "Username, password or code is wrong."},
    "account_locked": {"de": "Zu viele Fehlversuche: Das Konto ist vorübergehend gesperrt.", "en": "Too many failed attempts: the account is locked for a while."},
    "filters": {"de": "Filter", "en": "Filters"},
    "any": {"de": "alle", "en": "any"},
    "apply_filters": {"de": "Filter anwenden", "en": "Apply filters"},
    "reset_filters": {"de": "Filter zurücksetzen", "en": "Reset filters"},
    "status": {"de": "Status", "en": "Status"},
    "priority": {"de": "Priorität", "en": "Priority"},
    "assignee": {"de": "Zuständig", "en": "Assignee"},
    "me": {"de": "ich", "en": "me"},
    "nobody": {"de": "niemand", "en": "nobody"},
    "life_area": {"de": "Lebensbereich", "en": "Life area"},
    "ground": {"de": "Merkmal", "en": "Ground"},
    "grounds": {"de": "Merkmale", "en": "Grounds"},
    "forms": {"de": "Formen", "en": "Forms"},
    "district": {"de": "Stadtbezirk", "en": "District"},
    "month": {"de": "Eingangsmonat", "en": "Month received"},
    "sort": {"de": "Sortierung", "en": "Sort by"},
    "sort_priority": {"de": "Priorität, älteste zuerst", "en": "Priority, oldest first"},
    "sort_newest": {"de": "Neueste zuerst", "en": "Newest first"},
    "sort_oldest": {"de": "Älteste zuerst", "en": "Oldest first"},
    "per_status": {"de": "Fälle je Status", "en": "Cases per status"},
    "reference": {"de": "Aktenzeichen", "en": "Reference"},
    "received": {"de": "Eingang", "en": "Received"},
    "no_cases": {"de": "Keine Fälle für diese Filter.", "en": "No cases match these filters."},
    "page_of": {"de": "Seite {page} von {pages} ({total} Fälle)", "en": "Page {page} of {pages} ({total} cases)"},
    "previous": {"de": "Zurück", "en": "Previous"},
    "next": {"de": "Weiter", "en": "Next"},
    "why_priority": {"de": "Warum diese Priorität", "en": "Why this priority"},
    "agg_deadline": {"de": "AGG-Frist (letzter Tag)", "en": "AGG deadline (last day)"},
    "first_response_due": {"de": "Erstreaktion fällig ab", "en": "First response due from"},
    "retention_review": {"de": "Aufbewahrungsfrist überschritten: bitte prüfen", "en": "Past the retention period: please review"},
    "description": {"de": "Schilderung", "en": "Description"},
    "contact": {"de": "Kontaktdaten", "en": "Contact data"},
    "none_given": {"de": "keine angegeben", "en": "none given"},
    "classification": {"de": "Einordnung", "en": "Classification"},
    "reporter_view": {"de": "Meldende Person", "en": "Reporter"},
    "staff_view": {"de": "Fachstelle", "en": "Office"},
    "not_classified": {"de": "noch nicht eingeordnet", "en": "not classified yet"},
    "reporter_role": {"de": "Rolle", "en": "Role"},
    "incident_date": {"de": "Vorfallsdatum", "en": "Incident date"},
    "classify": {"de": "Einordnung speichern", "en": "Save classification"},
    "workflow": {"de": "Bearbeitungsstand", "en": "Workflow"},
    "move_to": {"de": "Status ändern zu", "en": "Move to"},
    "change_status": {"de": "Status ändern", "en": "Change status"},
    "close": {"de": "Abschließen", "en": "Close"},
    "closure_reason": {"de": "Abschlussgrund", "en": "Closure reason"},
    "reopen": {"de": "Wieder öffnen", "en": "Reopen"},
    "assign": {"de": "Zuweisen", "en": "Assign"},
    "take": {"de": "Fall übernehmen", "en": "Take this case"},
    "message_reporter": {"de": "Nachricht an die meldende Person", "en": "Message to the reporter"},
    "message_hint": {"de": "Wird verschlüsselt; nur die Person mit der Eingangsnummer kann sie lesen.", "en": "Sealed; only the holder of the receipt can read it."},
    "no_reply_key": {"de": "Diese Meldung kann keine Nachrichten empfangen.", "en": "This report cannot receive messages."},
    "send": {"de": "Senden", "en": "Send"},
    "note": {"de": "Interne Notiz", "en": "Internal note"},
    "note_hint": {"de": "Bleibt in der Fachstelle.", "en": "Stays inside the office."},
    "add_note": {"de": "Notiz speichern", "en": "Save note"},
    "duplicates": {"de": "Mögliche Doppelmeldungen", "en": "Possible duplicates"},
    "similarity": {"de": "Ähnlichkeit", "en": "Similarity"},
    "confirm": {"de": "Bestätigen", "en": "Confirm"},
    "dismiss": {"de": "Verwerfen", "en": "Dismiss"},
    "timeline": {"de": "Verlauf", "en": "Timeline"},
    "received_report": {"de": "Meldung eingegangen", "en": "Report received"},
    "kind_status_changed": {"de": "Status geändert", "en": "Status changed"},
    "kind_closed": {"de": "Abgeschlossen", "en": "Closed"},
    "kind_reopened": {"de": "Wieder geöffnet", "en": "Reopened"},
    "kind_assigned": {"de": "Zugewiesen", "en": "Assigned"},
    "kind_classified": {"de": "Eingeordnet", "en": "Classified"},
    "kind_office_message": {"de": "Nachricht an die meldende Person", "en": "Message to the reporter"},
    "kind_reporter_message": {"de": "Nachricht der meldenden Person", "en": "Message from the reporter"},
    "kind_note": {"de": "Interne Notiz", "en": "Internal note"},
    "kind_duplicate_confirmed": {"de": "Doppelmeldung bestätigt", "en": "Duplicate confirmed"},
    "kind_duplicate_dismissed": {"de": "Doppelmeldungs-Hinweis verworfen", "en": "Duplicate hint dismissed"},
    "saved": {"de": "Gespeichert.", "en": "Saved."},
    "back_to_queue": {"de": "Zurück zur Liste", "en": "Back to the list"},
    "error": {"de": "Das ging nicht", "en": "That did not work"},
    "go_back": {"de": "Zurück", "en": "Go back"},
    "when": {"de": "Zeitpunkt", "en": "When"},
    "who": {"de": "Wer", "en": "Who"},
    "action": {"de": "Aktion", "en": "Action"},
    "case": {"de": "Fall", "en": "Case"},
    "outcome": {"de": "Ergebnis", "en": "Outcome"},
    "reason": {"de": "Grund", "en": "Reason"},
    "roles": {"de": "Rollen", "en": "Roles"},
    "active": {"de": "Aktiv", "en": "Active"},
    "create_account": {"de": "Konto anlegen", "en": "Create account"},
    "initial_password": {"de": "Erstes Passwort (mind. 12 Zeichen)", "en": "Initial password (at least 12 characters)"},
    "reset_factors": {"de": "Passwort und Zweitfaktor zurücksetzen", "en": "Reset password and second factor"},
    "save_roles": {"de": "Rollen speichern", "en": "Save roles"},
    "deactivate": {"de": "Deaktivieren", "en": "Deactivate"},
    "activate": {"de": "Aktivieren", "en": "Activate"},
    "enrolment": {"de": "Zweitfaktor einrichten – wird nur jetzt angezeigt", "en": "Set up the second factor – shown only now"},
    "totp_secret": {"de": "Geheimnis für die Authenticator-App", "en": "Secret for the authenticator app"},
    "yes": {"de": "ja", "en": "yes"},
    "no": {"de": "nein", "en": "no"},
    "priority_reason_physical_violence_or_threat": {"de": "Körperliche Gewalt oder Bedrohung", "en": "Physical violence or threat"},
    "priority_reason_agg_deadline_near": {"de": "AGG-Frist läuft bald ab", "en": "AGG deadline is near"},
    "priority_reason_agg_deadline_not_near": {"de": "AGG-Frist noch nicht nah", "en": "AGG deadline not near yet"},
    "priority_reason_agg_deadline_passed": {"de": "AGG-Frist abgelaufen", "en": "AGG deadline has passed"},
    "priority_reason_no_rule_applies": {"de": "Keine Regel trifft zu", "en": "No rule applies"},
}


def choose_language(request: Request) -> str:
    """The cookie's language, else the browser's first supported one, else German."""
    chosen = read_cookie(request, LANGUAGE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "de"


def translator(language: str):
    """A function giving a text (or a taxonomy label) in `language`; unknown keys show as themselves."""

    def translate(key: str, **values: object) -> str:
        entry = TEXTS.get(key) or LABELS.get(key)
        text = entry.get(language, entry["de"]) if entry else key
        return text.format(**values) if values else text

    return translate
