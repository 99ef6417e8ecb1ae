"""What every site route shares: the language from the path, checked forms, and page errors."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from intake.bootstrap import Context
from intake.evidence.multipart import MalformedForm, ParsedForm, parse_multipart
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
    """The posted form, if it carries its session's token; otherwise FormRejected. Its files wait in `uploaded_files`."""
    parsed = await read_form(request)
    if not context.guard.accepts(request, str(parsed.fields.get(CSRF_FIELD, ""))):
        raise FormRejected()
    request.state.uploaded_files = parsed.files
    return parsed.fields


async def read_form(request: Request) -> ParsedForm:
    """A posted form, multipart ones parsed in memory only (never Starlette's form parser, which spools files to disk)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        try:
            return parse_multipart(await request.body(), content_type)
        except MalformedForm:
            raise HTTPException(status_code=400, detail="The form could not be read.") from None
    return ParsedForm(fields=await request.form())  # url-encoded: fields only, in memory


def uploaded_files(request: Request) -> list[bytes]:
    """The non-empty files of the form checked_form read."""
    return getattr(request.state, "uploaded_files", [])


CheckedForm = Annotated[FormData, Depends(checked_form)]
