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


class Wish(StrEnum):
    """What the person wants the office to do (several may apply)."""

    RECORD_ONLY = "record_only"
    ADVICE = "advice"
    OFFICE_ACTION = "office_action"
    REFERRAL_TO_COUNSELLING = "referral_to_counselling"
    LEGAL_SUPPORT = "legal_support"


class Level(StrEnum):
    """On which level the discrimination works (ADS/DeZIM minimum documentation standards)."""

    INDIVIDUAL = "individual"
    INSTITUTIONAL = "institutional"
    STRUCTURAL = "structural"


class Consequence(StrEnum):
    """What the discrimination did to the person (several may apply)."""

    HEALTH = "health"
    FINANCIAL = "financial"
    JOB_OR_HOUSING = "job_or_housing"
    WITHDRAWAL_FROM_PUBLIC_LIFE = "withdrawal_from_public_life"
    OTHER = "other"


class OtherSide(StrEnum):
    """Who discriminated, as a category only: never a name."""

    EMPLOYER = "employer"
    LANDLORD = "landlord"
    BUSINESS = "business"
    AUTHORITY = "authority"
    POLICE = "police"
    SCHOOL = "school"
    PRIVATE_PERSON = "private_person"
    ONLINE = "online"
    OTHER = "other"


class CaseSource(StrEnum):
    """How the office learned of the case."""

    ONLINE_FORM = "online_form"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"
    REFERRAL_BY_SERVICE = "referral_by_service"
    OUTREACH = "outreach"
    OTHER = "other"


class ConsultationChannel(StrEnum):
    """How a caseworker was in contact with the person."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    EMAIL = "email"
    FOLLOWUP_PORTAL = "followup_portal"


class InterventionKind(StrEnum):
    """What the office did about a case beyond advice."""

    COMPLAINT_LETTER = "complaint_letter"
    STATEMENT_REQUEST = "statement_request"
    MEDIATION = "mediation"
    DISCRIMINATION_TESTING = "discrimination_testing"
    COMPLAINT_SUPPORT = "complaint_support"
    REFERRAL = "referral"


class InterventionOutcome(StrEnum):
    """How an intervention ended, or that it has not yet."""

    OPEN = "open"
    SUCCESSFUL = "successful"
    PARTLY_SUCCESSFUL = "partly_successful"
    UNSUCCESSFUL = "unsuccessful"
    WITHDRAWN = "withdrawn"


class ReferralContent(StrEnum):
    """What the office passed on to a counselling service with a referral."""

    CASE_CODES = "case_codes"  # grounds, forms, life area, level: no text
    ACCOUNT = "account"  # what happened, in the caseworker's words, without names or contact data
    CONTACT_DATA = "contact_data"  # only when the person asked for it


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
    # wishes: what the person wants
    "record_only": {"de": "Nur erfassen, für die Statistik", "en": "Only record it, for the statistics"},
    "advice": {"de": "Beratung", "en": "Advice"},
    "office_action": {"de": "Die Stelle soll tätig werden", "en": "The office should act"},
    "referral_to_counselling": {"de": "Vermittlung an eine Fachberatungsstelle", "en": "Referral to a specialised counselling service"},
    "legal_support": {"de": "Unterstützung bei rechtlichen Schritten", "en": "Support with legal steps"},
    # levels ("institutional" shares the form's label, which says the same)
    "individual": {"de": "Individuelle Diskriminierung", "en": "Individual discrimination"},
    "structural": {"de": "Strukturelle Diskriminierung", "en": "Structural discrimination"},
    # consequences
    "health": {"de": "Gesundheitliche Folgen", "en": "Health consequences"},
    "financial": {"de": "Finanzielle Folgen", "en": "Financial consequences"},
    "job_or_housing": {"de": "Verlust oder Gefährdung von Arbeit oder Wohnung", "en": "Job or housing lost or at risk"},
    "withdrawal_from_public_life": {"de": "Rückzug aus dem öffentlichen Leben", "en": "Withdrawal from public life"},
    # other sides ("online" and "other" share the district's and the grounds' labels)
    "employer": {"de": "Arbeitgeberin oder Arbeitgeber", "en": "Employer"},
    "landlord": {"de": "Vermieterin oder Vermieter", "en": "Landlord"},
    "business": {"de": "Unternehmen oder Geschäft", "en": "Business"},
    "authority": {"de": "Behörde oder Amt", "en": "Authority"},
    "police": {"de": "Polizei", "en": "Police"},
    "school": {"de": "Schule oder Bildungseinrichtung", "en": "School or place of education"},
    "private_person": {"de": "Privatperson", "en": "Private person"},
    # case sources and consultation channels (shared codes, one label)
    "online_form": {"de": "Online-Meldeformular", "en": "Online form"},
    "email": {"de": "E-Mail", "en": "E-mail"},
    "phone": {"de": "Telefon", "en": "Phone"},
    "in_person": {"de": "Persönlich", "en": "In person"},
    "letter": {"de": "Brief", "en": "Letter"},
    "referral_by_service": {"de": "Verwiesen von einer anderen Stelle", "en": "Referred by another service"},
    "outreach": {"de": "Aufsuchende Arbeit oder Veranstaltung", "en": "Outreach or event"},
    "video": {"de": "Videogespräch", "en": "Video call"},
    "followup_portal": {"de": "Über „Meine Meldung ansehen“ (mit Quittung)", "en": "Through “Check my report” (with the receipt)"},
    # intervention kinds
    "complaint_letter": {"de": "Beschwerdebrief", "en": "Complaint letter"},
    "statement_request": {"de": "Bitte um Stellungnahme", "en": "Request for a statement"},
    "mediation": {"de": "Vermittlungsgespräch (Mediation)", "en": "Mediation"},
    "discrimination_testing": {"de": "Testing", "en": "Discrimination testing"},
    "complaint_support": {"de": "Unterstützung einer Beschwerde bei Behörde oder Gericht", "en": "Support with a complaint to an authority or court"},
    "referral": {"de": "Verweisberatung", "en": "Referral"},
    # intervention outcomes ("withdrawn" shares the closure reason's label)
    "open": {"de": "Offen", "en": "Open"},
    "successful": {"de": "Erfolgreich", "en": "Successful"},
    "partly_successful": {"de": "Teilweise erfolgreich", "en": "Partly successful"},
    "unsuccessful": {"de": "Nicht erfolgreich", "en": "Unsuccessful"},
    # what a referral passed on
    "case_codes": {"de": "Einordnung (Merkmale, Formen, Lebensbereich)", "en": "Classification (grounds, forms, life area)"},
    "account": {"de": "Schilderung, ohne Namen und Kontaktdaten", "en": "Account, without names or contact data"},
    "contact_data": {"de": "Kontaktdaten (auf Wunsch der Person)", "en": "Contact data (at the person's request)"},
}


def label(code: str, language: str = "de") -> str:
    """Return the label of a code in German or English (German when the language is unknown)."""
    labels = LABELS[code]
    return labels.get(language, labels["de"])
