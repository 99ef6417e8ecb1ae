"""The words residents see for codes: taxonomy labels and case statuses, marked for translation.

The strings are gettext message ids (English); templates translate them at render time.
"""

from meldestelle_shared.taxonomy import CaseStatus, District, Form, Ground, LifeArea, ReporterRole, Wish


def N_(message: str) -> str:
    """Mark a string for extraction into the catalogs; it is translated where it is shown."""
    return message


GROUNDS: dict[Ground, str] = {
    Ground.RACIST_ATTRIBUTION: N_("Racism: because of skin colour, origin, name or other racist attributions"),
    Ground.ANTISEMITIC_ATTRIBUTION: N_("Antisemitism: because I am or was taken to be Jewish"),
    Ground.RELIGION_OR_BELIEF: N_("Religion or belief"),
    Ground.GENDER_OR_GENDER_IDENTITY: N_("Gender or gender identity"),
    Ground.SEXUAL_IDENTITY: N_("Sexual orientation"),
    Ground.DISABILITY: N_("Disability"),
    Ground.CHRONIC_ILLNESS: N_("Chronic illness"),
    Ground.AGE: N_("Age"),
    Ground.SOCIAL_STATUS: N_("Social status, for example income, education or homelessness"),
    Ground.LANGUAGE: N_("Language or accent"),
    Ground.NATIONALITY_OR_RESIDENCE_STATUS: N_("Nationality or residence status"),
    Ground.OTHER: N_("Another reason"),
    Ground.UNKNOWN: N_("I don't know"),
}

FORMS: dict[Form, str] = {
    Form.DENIAL_OF_ACCESS_OR_SERVICE: N_("I was refused entry, a service, a flat or a job"),
    Form.UNEQUAL_TREATMENT: N_("I was treated worse than others"),
    Form.HARASSMENT_OR_INSULT: N_("Insults or harassment"),
    Form.SEXUAL_HARASSMENT: N_("Sexual harassment"),
    Form.THREAT: N_("Threat"),
    Form.PHYSICAL_VIOLENCE: N_("Physical violence"),
    Form.PROPERTY_DAMAGE_OR_PROPAGANDA: N_("Damage to property, graffiti or hateful posters"),
    Form.INSTITUTIONAL: N_("Rules or practices of an institution disadvantage people"),
    Form.OTHER: N_("Something else"),
}

LIFE_AREAS: dict[LifeArea, str] = {
    LifeArea.WORK: N_("Work or looking for work"),
    LifeArea.HOUSING: N_("Housing or looking for a flat"),
    LifeArea.EDUCATION: N_("School, university or training"),
    LifeArea.GOODS_AND_SERVICES: N_("Shops, restaurants, clubs or other services"),
    LifeArea.PUBLIC_ADMINISTRATION: N_("Public offices and authorities"),
    LifeArea.POLICE_AND_JUSTICE: N_("Police or courts"),
    LifeArea.HEALTH_AND_CARE: N_("Health or care"),
    LifeArea.PUBLIC_SPACE: N_("On the street or in other public places"),
    LifeArea.PUBLIC_TRANSPORT: N_("Buses and trains"),
    LifeArea.MEDIA_AND_INTERNET: N_("Media or the internet"),
    LifeArea.OTHER: N_("Somewhere else"),
}

# The boroughs are proper names and stay as they are in every language.
DISTRICTS: dict[District, str] = {
    District.WALSUM: "Walsum",
    District.HAMBORN: "Hamborn",
    District.MEIDERICH_BEECK: "Meiderich/Beeck",
    District.HOMBERG_RUHRORT_BAERL: "Homberg/Ruhrort/Baerl",
    District.MITTE: "Mitte",
    District.RHEINHAUSEN: "Rheinhausen",
    District.SUED: "Süd",
    District.OUTSIDE_DUISBURG: N_("Outside Duisburg"),
    District.ONLINE: N_("Online"),
    District.UNKNOWN: N_("I don't know"),
}

ROLES: dict[ReporterRole, str] = {
    ReporterRole.AFFECTED: N_("It happened to me"),
    ReporterRole.WITNESS: N_("I saw it happen to someone else"),
    ReporterRole.ON_BEHALF: N_("I am reporting for someone else, who told me about it"),
}

# The taxonomy's names, said as the resident's own wish; "only record it" is the taxonomy's label itself.
WISHES: dict[Wish, str] = {
    Wish.RECORD_ONLY: N_("Only record it, for the statistics"),
    Wish.ADVICE: N_("I would like advice"),
    Wish.OFFICE_ACTION: N_("The office should act, for example contact the other side"),
    Wish.REFERRAL_TO_COUNSELLING: N_("Pass me on to a specialised counselling service"),
    Wish.LEGAL_SUPPORT: N_("Support with legal steps"),
}

STATUSES: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.NEW: (N_("Received"), N_("Your report has arrived. Nobody has looked at it yet.")),
    CaseStatus.IN_REVIEW: (N_("Being reviewed"), N_("A member of the office is reading your report.")),
    CaseStatus.IN_PROGRESS: (N_("In progress"), N_("The office is working on your report.")),
    CaseStatus.WAITING_FOR_REPORTER: (
        N_("Waiting for you"),
        N_("The office has asked you something. Please read the messages below and answer."),
    ),
    CaseStatus.REFERRED: (N_("Referred"), N_("The office has passed your report on to a counselling service that can help further.")),
    CaseStatus.CLOSED: (N_("Closed"), N_("The office has finished working on your report. You can still write to the office.")),
}

# The statistics page names categories neutrally; the form asks in the first person ("I was refused ...").
# Labels that are already neutral are the form's own, so they share its translations.
STATISTICS_GROUNDS: dict[Ground, str] = GROUNDS | {
    Ground.RACIST_ATTRIBUTION: N_("Racism"),
    Ground.ANTISEMITIC_ATTRIBUTION: N_("Antisemitism"),
    Ground.SOCIAL_STATUS: N_("Social status"),
    Ground.LANGUAGE: N_("Language"),
    Ground.OTHER: N_("Other ground"),
    Ground.UNKNOWN: N_("Ground not known"),
}

STATISTICS_FORMS: dict[Form, str] = FORMS | {
    Form.DENIAL_OF_ACCESS_OR_SERVICE: N_("Denial of access or service"),
    Form.UNEQUAL_TREATMENT: N_("Unequal treatment"),
    Form.PROPERTY_DAMAGE_OR_PROPAGANDA: N_("Damage to property or hateful propaganda"),
    Form.INSTITUTIONAL: N_("Institutional discrimination"),
    Form.OTHER: N_("Other form"),
}

STATISTICS_LIFE_AREAS: dict[LifeArea, str] = LIFE_AREAS | {LifeArea.OTHER: N_("Other area of life")}

STATISTICS_DISTRICTS: dict[District, str] = DISTRICTS | {District.UNKNOWN: N_("District not known")}

REPORTED_BY: dict[ReporterRole, str] = {
    ReporterRole.AFFECTED: N_("Affected person"),
    ReporterRole.WITNESS: N_("Witness"),
    ReporterRole.ON_BEHALF: N_("On behalf of someone"),
}

# The code under which the published tables count reports without an answer.
NOT_STATED = N_("Not stated")
