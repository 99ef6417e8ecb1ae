"""The site's plain pages: the start page, the privacy notice, the accessibility statement, the imprint."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from intake.bootstrap import Context
from intake.site.i18n import negotiate
from intake.site.web import SiteLanguage

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root(request: Request) -> RedirectResponse:
    """Send a visitor to the site in their browser's preferred language (a first guess they can change)."""
    language = negotiate(request.headers.get("accept-language"))
    return RedirectResponse(f"/{language}/", status_code=303, headers={"vary": "accept-language"})


@router.get("/{lang}/")
async def start(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The start page: what the office does, how to report, what happens next."""
    return context.pages.render(request, language, "start.html", page="/")


@router.get("/{lang}/privacy")
async def privacy(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The privacy notice."""
    return context.pages.render(request, language, "privacy.html", page="/privacy")


@router.get("/{lang}/accessibility")
async def accessibility(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The accessibility statement required by BITV NRW, with the feedback address."""
    return context.pages.render(request, language, "accessibility.html", page="/accessibility")


@router.get("/{lang}/imprint")
async def imprint(language: SiteLanguage, request: Request, context: Context) -> HTMLResponse:
    """The imprint; its details come from the deployment's settings."""
    return context.pages.render(request, language, "imprint.html", page="/imprint")
