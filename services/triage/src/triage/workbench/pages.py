"""Rendering workbench pages in the staff member's language."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from triage.staff.permissions import Permission
from triage.workbench.i18n import choose_language, translator
from triage.workbench.timefmt import format_date, format_moment, format_reported_date, iso_moment

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# The menu's entries (address, label) and the permission each needs.
MENU = [
    ("/cases", "queue", Permission.CASE_READ),
    ("/statistics", "statistics", Permission.STATS_READ),
    ("/audit", "audit", Permission.AUDIT_READ),
    ("/letter-templates", "letter_templates", Permission.LETTER_TEMPLATES),
    ("/admin/staff", "accounts", Permission.STAFF_MANAGE),
]


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page in the request's language; `t` translates texts and codes, `day`/`moment` show office dates and times."""
    language = values.pop("language", None) or choose_language(request)
    values.setdefault("principal", None)
    principal = values["principal"]
    menu = [(path, label) for path, label, needed in MENU if principal and principal.can(needed)]
    translate = translator(language)

    def labels(codes: list[str]) -> str:
        return ", ".join(translate(str(code)) for code in codes) or "–"

    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": language, "t": translate, "labels": labels, "iso": iso_moment, "menu": menu,
            "day": lambda value: format_date(value, language), "reported_day": lambda text: format_reported_date(text, language),
            "moment": lambda value, seconds=False: format_moment(value, language, seconds=seconds),
            **values,
        },
        status_code=status_code,
    )  # fmt: skip
