"""Letter templates as values, and how they render: Jinja2 in a sandbox, over plain strings only.

Templates are edited by leads, so they are untrusted code: the sandbox refuses unsafe attributes, and the
fields they see are plain strings, lists and dicts, never the case or any object with methods worth reaching.
The output is plain text (the PDF layer escapes it for ReportLab's paragraph markup), so autoescape is off:
HTML escaping would put entities such as `&amp;` into a letter.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType

from jinja2 import FunctionLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from triage.errors import Invalid

MAX_TEMPLATE_LENGTH = 20_000
TEMPLATE_PARTS = ("subject", "body")


class LetterKind(StrEnum):
    """Which letter a template writes."""

    COMPLAINT = "complaint"  # a complaint letter to the other side
    STATEMENT_REQUEST = "statement_request"  # a request for a statement, with a reply date
    AGG_CONFIRMATION = "agg_confirmation"  # a confirmation of the AGG claim, for the person


@dataclass(frozen=True)
class LetterTemplate:
    """One version of a template: its subject and body sources, who wrote it and when."""

    kind: LetterKind
    language: str
    version: int
    subject: str
    body: str
    created_at: datetime
    created_by: str | None  # a staff id, or None for the built-in version

    @property
    def id(self) -> str:
        """The version's key: kind, language and version."""
        return template_id(self.kind, self.language, self.version)


@dataclass(frozen=True)
class RenderedLetter:
    """A letter's text: its subject line and its body."""

    subject: str
    body: str


def template_id(kind: LetterKind, language: str, version: int) -> str:
    """The key of one template version."""
    return f"{kind.value}:{language}:{version}"


def check_sources(subject: str, body: str, sample: Mapping[str, object]) -> None:
    """Refuse a template that does not parse, is too long, or fails in the sandbox with sample fields (Invalid names part and line)."""
    for part, source in (("subject", subject), ("body", body)):
        if not source.strip():
            raise Invalid(part, "must not be empty")
        if len(source) > MAX_TEMPLATE_LENGTH:
            raise Invalid(part, f"must be at most {MAX_TEMPLATE_LENGTH} characters")
    render_sources(subject, body, sample)


def render(template: LetterTemplate, fields: Mapping[str, object]) -> RenderedLetter:
    """The letter a template writes with these fields."""
    return render_sources(template.subject, template.body, fields)


def render_sources(subject: str, body: str, fields: Mapping[str, object]) -> RenderedLetter:
    """Render subject and body sources in the sandbox; every failure is an Invalid naming the part and line."""
    sources = {"subject": subject, "body": body}
    # Each part is its own file name, so errors and traceback frames say which part failed.
    loader = FunctionLoader(lambda name: (sources[name], name, lambda: True))
    environment = SandboxedEnvironment(loader=loader, autoescape=False, undefined=StrictUndefined)
    rendered = {}
    for part in TEMPLATE_PARTS:
        try:
            rendered[part] = environment.get_template(part).render(fields)
        except TemplateSyntaxError as error:
            raise Invalid(part, f"line {error.lineno}: {error.message}") from None
        except SecurityError as error:
            raise Invalid(part, f"line {_template_line(error.__traceback__, part)}: refused by the sandbox ({error})") from None
        except TemplateError as error:
            raise Invalid(part, f"line {_template_line(error.__traceback__, part)}: {error.message}") from None
    return RenderedLetter(subject=" ".join(rendered["subject"].split()), body=rendered["body"].strip())


def _template_line(traceback: TracebackType | None, name: str) -> int | str:
    # Jinja rewrites tracebacks so a template's frames carry its name as file name and its own line numbers.
    line: int | str = "?"
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == name:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
