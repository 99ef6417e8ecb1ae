"""Rendering the statistics page with its own templates, in any site language."""

from functools import cache, partial

from jinja2 import Environment, PackageLoader, StrictUndefined

from intake.site.i18n import LANGUAGES, Language
from intake.statistics.page import shown
from intake.statistics.texts import text


@cache
def _environment(tag: str) -> Environment:
    environment = Environment(
        loader=PackageLoader("intake.statistics", "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    environment.globals.update(t=partial(text, tag=tag), shown=shown, languages=list(LANGUAGES.values()))
    return environment


def render_page(language: Language, page: dict) -> str:
    """The statistics page as HTML."""
    return _environment(language.tag).get_template("statistics.html").render(language=language, page=page)
