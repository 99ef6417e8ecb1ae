"""What every site route shares: the language from the path, checked forms, and page errors."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from intake.bootstrap import Context
from intake.site.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language
from intake.site.security import CSRF_FIELD


class FormRejected(Exception):
    """A form arrived without the token of its session: sent from elsewhere, or the session ended."""


def site_language(lang: str) -> Language:
    """The language named in the path; unknown ones are a 404."""
    if lang not in LANGUAGES:
        raise HTTPException(status_code=404, detail="There is no page at this address.")
    return LANGUAGES[lang]


SiteLanguage = Annotated[Language, Depends(site_language)]


def language_of_path(path: str) -> Language:
    """The language of a site address, German when it names none (for error pages)."""
    segment = path.strip("/").split("/")[0]
    return LANGUAGES.get(segment, LANGUAGES[DEFAULT_LANGUAGE])


async def checked_form(request: Request, context: Context) -> FormData:
    """The posted form, if it carries its session's token; otherwise FormRejected."""
    form = await request.form()
    if not context.guard.accepts(request, str(form.get(CSRF_FIELD, ""))):
        raise FormRejected()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
