"""Rendering pages: one Jinja environment per language, with its catalog installed once at start."""

from datetime import UTC, datetime
from functools import partial

from babel.dates import format_date, format_time, get_datetime_format, get_month_names
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from intake.settings import SiteSettings
from intake.site import labels
from intake.site.i18n import LANGUAGES, Language, load_translations
from intake.site.security import FormGuard
from meldestelle_shared.settings import OfficeSettings


class Pages:
    """Renders the site's templates in any of its languages."""

    def __init__(self, site: SiteSettings, guard: FormGuard, *, office: OfficeSettings) -> None:
        self._guard = guard
        self._translations = {tag: load_translations(tag) for tag in LANGUAGES}
        self._environments = {
            tag: _environment(language, site, office, self._translations[tag]) for tag, language in LANGUAGES.items()
        }

    def render(self, request: Request, language: Language, template: str, *, page: str, status: int = 200, **context) -> HTMLResponse:
        """Render a page; `page` is its address without the language, for the language switcher."""
        session, new = self._guard.session_of(request)
        html = self._environments[language.tag].get_template(template).render(
            csrf_token=self._guard.token(session), page=page, **context
        )
        response = HTMLResponse(html, status_code=status)
        if new:
            self._guard.set_cookie(response, session)
        return response

    def text(self, language: Language, template: str, **context) -> str:
        """Render a plain-text template (e.g. the receipt file)."""
        return self._environments[language.tag].get_template(template).render(**context)

    def translations(self, language: Language) -> Translations:
        """A language's catalog, for words put together in Python (e.g. the statistics charts' titles)."""
        return self._translations[language.tag]


def _environment(language: Language, site: SiteSettings, office: OfficeSettings, translations: Translations) -> Environment:
    environment = Environment(
        loader=PackageLoader("intake.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations, newstyle=True)
    environment.globals.update(
        language=language,
        languages=list(LANGUAGES.values()),
        site=site,
        labels=labels,
        month_names=get_month_names("wide", locale=language.locale),
        date=partial(_date, locale=language.locale, office=office),
        date_time=partial(_date_time, locale=language.locale, office=office),
    )
    return environment


def _date(value: datetime, *, locale: str, office: OfficeSettings) -> str:
    return format_date(value.astimezone(office.timezone), format="long", locale=locale)


def _date_time(value: datetime, *, locale: str, office: OfficeSettings) -> str:
    """Office time in the locale's format: the medium date and the short time (no seconds), as staff see it."""
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(office.timezone)  # the database's naive times are UTC
    pattern = get_datetime_format("medium", locale=locale)
    return pattern.replace("{1}", format_date(moment, "medium", locale=locale)).replace("{0}", format_time(moment, "short", locale=locale))
