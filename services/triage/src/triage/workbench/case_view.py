"""What the case page needs besides the case: where each action's notice goes, and the contact data as fields."""

import json

# After an action the page returns to the section that changed (its id) and says there what happened.
NOTICE_SECTIONS = {
    "status_changed": "workflow",
    "closed": "workflow",
    "reopened": "workflow",
    "assigned": "workflow",
    "classified": "classification",
    "message_sent": "message",
    "note_added": "note",
    "duplicate_confirmed": "duplicates",
    "duplicate_dismissed": "duplicates",
}


def contact_fields(contact: str | None) -> list[tuple[str, str]]:
    """The reporter's contact data (sealed as JSON) as (label key, value) pairs; anything unexpected shown as it is."""
    if not contact:
        return []
    try:
        data = json.loads(contact)
    except ValueError:
        return [("contact", contact)]
    if not isinstance(data, dict):
        return [("contact", contact)]
    return [(f"contact_{key}", str(value)) for key, value in data.items() if value not in (None, "")]
