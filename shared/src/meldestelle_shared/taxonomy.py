"""The classification codes of DOMAIN.md: stable identifiers with German and English labels.

Codes never change once published; labels are translated. The site's own gettext
catalogs translate further languages, these labels are the reference wording.
"""

from enum import StrEnum


class Ground(StrEnum):
    """Why the reporter thinks it happened (several may apply)."""

    RACIST_ATTRIBUTION = "racist_attribution"
    ANTISEMITIC_ATTRIBUTION = "antisemitic_attribution"
    RELIGION_OR_BELIEF = "religion_or_belief"
    GENDER_OR_GENDER_IDENTITY = "gender_or_gender_identity"
    SEXUAL_IDENTITY = "sexual_identity"
    DISABILITY = "disability"
    CHRONIC_ILLNESS = "chronic_illness"
    AGE = "age"
    SOCIAL_STATUS = "social_status"
    LANGUAGE = "language"
    NATIONALITY_OR_RESIDENCE_STATUS = "nationality_or_residence_status"
    OTHER = "other"
    UNKNOWN = "unknown"


class LifeArea(StrEnum):
    """Where in life it happened (one)."""

    WORK = "work"
    HOUSING = "housing"
    EDUCATION = "education"
    GOODS_AND_SERVICES = "goods_and_services"
    PUBLIC_ADMINISTRATION = "public_administration"
    POLICE_AND_JUSTICE = "police_and_justice"
    HEALTH_AND_CARE = "health_and_care"
    PUBLIC_SPACE = "public_space"
    PUBLIC_TRANSPORT = "public_transport"
    MEDIA_AND_INTERNET = "media_and_internet"
    OTHER = "other"


class Form(StrEnum):
    """What happened (several may apply)."""

    DENIAL_OF_ACCESS_OR_SERVICE = "denial_of_access_or_service"
    UNEQUAL_TREATMENT = "unequal_treatment"
    HARASSMENT_OR_INSULT = "harassment_or_insult"
    SEXUAL_HARASSMENT = "sexual_harassment"
    THREAT = "threat"
    PHYSICAL_VIOLENCE = "physical_violence"
    PROPERTY_DAMAGE_OR_PROPAGANDA = "property_damage_or_propaganda"
    INSTITUTIONAL = "institutional"
    OTHER = "other"


class ReporterRole(StrEnum):
    """Who the reporter is in the incident."""

    AFFECTED = "affected"
    WITNESS = "witness"
    ON_BEHALF = "on_behalf"


class District(StrEnum):
    """Duisburg's seven boroughs plus coarse alternatives; never an address."""

    WALSUM = "walsum"
    HAMBORN = "hamborn"
    MEIDERICH_BEECK = "meiderich_beeck"
    HOMBERG_RUHRORT_BAERL = "homberg_ruhrort_baerl"
    MITTE = "mitte"
    RHEINHAUSEN = "rheinhausen"
    SUED = "sued"
    OUTSIDE_DUISBURG = "outside_duisburg"
    ONLINE = "online"
    UNKNOWN = "unknown"


class CaseStatus(StrEnum):
    """Where a case stands in the office's workflow."""

    NEW = "new"
    IN_REVIEW = "in_review"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_REPORTER = "waiting_for_reporter"
    REFERRED = "referred"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    """Why a case was closed."""

    RESOLVED = "resolved"
    NO_FURTHER_CONTACT = "no_further_contact"
    WITHDRAWN = "withdrawn"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"
    SPAM = "spam"


class Priority(StrEnum):
    """How soon the office should look at a case."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


LABELS: dict[str, dict[str, str]] = {
    # grounds
    "racist_attribution": {"de": "Rassistische Zuschreibung", "en": "Racist attribution"},
    "antisemitic_attribution": {"de": "Antisemitische Zuschreibung", "en": "Antisemitic attribution"},
    "religion_or_belief": {"de": "Religion oder Weltanschauung", "en": "Religion or belief"},
    "gender_or_gender_identity": {"de": "Geschlecht oder geschlechtliche Identität", "en": "Gender or gender identity"},
    "sexual_identity": {"de": "Sexuelle Identität", "en": "Sexual identity"},
    "disability": {"de": "Behinderung", "en": "Disability"},
    "chronic_illness": {"de": "Chronische Erkrankung", "en": "Chronic illness"},
    "age": {"de": "Lebensalter", "en": "Age"},
    "social_status": {"de": "Sozialer Status", "en": "Social status"},
    "language": {"de": "Sprache", "en": "Language"},
    "nationality_or_residence_status": {"de": "Staatsangehörigkeit oder Aufenthaltsstatus", "en": "Nationality or residence status"},
    "other": {"de": "Sonstiges", "en": "Other"},
    "unknown": {"de": "Weiß nicht", "en": "Don't know"},
    # life areas
    "work": {"de": "Arbeit", "en": "Work"},
    "housing": {"de": "Wohnen", "en": "Housing"},
    "education": {"de": "Bildung", "en": "Education"},
    "goods_and_services": {"de": "Güter und Dienstleistungen", "en": "Goods and services"},
    "public_administration": {"de": "Ämter und Behörden", "en": "Public administration"},
    "police_and_justice": {"de": "Polizei und Justiz", "en": "Police and justice"},
    "health_and_care": {"de": "Gesundheit und Pflege", "en": "Health and care"},
    "public_space": {"de": "Öffentlicher Raum", "en": "Public space"},
    "public_transport": {"de": "Öffentlicher Nahverkehr", "en": "Public transport"},
    "media_and_internet": {"de": "Medien und Internet", "en": "Media and internet"},
    # forms
    "denial_of_access_or_service": {"de": "Verweigerung von Zugang oder Leistung", "en": "Denial of access or service"},
    "unequal_treatment": {"de": "Ungleichbehandlung", "en": "Unequal treatment"},
    "harassment_or_insult": {"de": "Belästigung oder Beleidigung", "en": "Harassment or insult"},
    "sexual_harassment": {"de": "Sexuelle Belästigung", "en": "Sexual harassment"},
    "threat": {"de": "Bedrohung", "en": "Threat"},
    "physical_violence": {"de": "Körperliche Gewalt", "en": "Physical violence"},
    "property_damage_or_propaganda": {"de": "Sachbeschädigung oder Propaganda", "en": "Property damage or propaganda"},
    "institutional": {"de": "Institutionelle Diskriminierung", "en": "Institutional discrimination"},
    # reporter roles
    "affected": {"de": "Selbst betroffen", "en": "Affected"},
    "witness": {"de": "Zeugin oder Zeuge", "en": "Witness"},
    "on_behalf": {"de": "Für eine andere Person", "en": "On behalf of someone"},
    # districts
    "walsum": {"de": "Walsum", "en": "Walsum"},
    "hamborn": {"de": "Hamborn", "en": "Hamborn"},
    "meiderich_beeck": {"de": "Meiderich/Beeck", "en": "Meiderich/Beeck"},
    "homberg_ruhrort_baerl": {"de": "Homberg/Ruhrort/Baerl", "en": "Homberg/Ruhrort/Baerl"},
    "mitte": {"de": "Mitte", "en": "Central"},
    "rheinhausen": {"de": "Rheinhausen", "en": "Rheinhausen"},
    "sued": {"de": "Süd", "en": "South"},
    "outside_duisburg": {"de": "Außerhalb Duisburgs", "en": "Outside Duisburg"},
    "online": {"de": "Online", "en": "Online"},
    # statuses
    "new": {"de": "Eingegangen", "en": "Received"},
    "in_review": {"de": "In Prüfung", "en": "Being reviewed"},
    "in_progress": {"de": "In Bearbeitung", "en": "In progress"},
    "waiting_for_reporter": {"de": "Wartet auf Ihre Antwort", "en": "Waiting for you"},
    "referred": {"de": "Weitergeleitet", "en": "Referred"},
    "closed": {"de": "Abgeschlossen", "en": "Closed"},
    # closure reasons
    "resolved": {"de": "Gelöst", "en": "Resolved"},
    "no_further_contact": {"de": "Kein weiterer Kontakt", "en": "No further contact"},
    "withdrawn": {"de": "Zurückgezogen", "en": "Withdrawn"},
    "referred_elsewhere": {"de": "An andere Stelle verwiesen", "en": "Referred elsewhere"},
    "out_of_scope": {"de": "Nicht zuständig", "en": "Out of scope"},
    "duplicate": {"de": "Doppelte Meldung", "en": "Duplicate"},
    "spam": {"de": "Spam", "en": "Spam"},
    # priorities
    "urgent": {"de": "Dringend", "en": "Urgent"},
    "high": {"de": "Hoch", "en": "High"},
    "normal": {"de": "Normal", "en": "Normal"},
}


def label(code: str, language: str = "de") -> str:
    """Return the label of a code in German or English (German when the language is unknown)."""
    labels = LABELS[code]
    return labels.get(language, labels["de"])
