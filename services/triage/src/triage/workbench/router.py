"""Workbench pages: thin handlers over the same service functions as the JSON API. Works without JavaScript."""

import math
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, District, Form, Ground, LifeArea, Priority
from triage.audit.log import ANONYMOUS
from triage.audit.reading import audit_page
from triage.auth import Admin, CurrentPrincipal, Lead, Principal, Reader, Reopener, Statistician, Worker, client_of
from triage.bootstrap import Context, TriageContext
from triage.cases import actions
from triage.cases.access import case_read, load_case
from triage.cases.jobs import first_response_due
from triage.cases.listing import queue_page
from triage.cases.model import Case
from triage.cases.queue import parse_case_query
from triage.cookies import LANGUAGE, LOGIN_CSRF, SESSION, delete_cookie, read_cookie, set_cookie, set_session_cookie
from triage.edge import status_of
from triage.errors import CsrfRejected, Invalid, LoginFailed, Locked
from triage.staff import admin, service
from triage.staff.factors import provisioning_uri
from triage.staff.permissions import Permission, Role, permissions_of
from triage.stats.service import month_for_staff
from triage.workbench.case_view import NOTICE_SECTIONS, case_actions, contact_fields
from triage.workbench.casework_view import FormFailure, casework_view
from triage.workbench.i18n import LANGUAGES
from triage.workbench.pages import render

router = APIRouter(include_in_schema=False)
CHOICES = {
    "statuses": list(CaseStatus), "priorities": list(Priority), "life_areas": list(LifeArea), "grounds": list(Ground),
    "forms": list(Form), "districts": list(District), "closure_reasons": list(ClosureReason), "roles": list(Role),
}  # fmt: skip


@router.get("/")
async def home() -> RedirectResponse:
    """The queue is the start page."""
    return RedirectResponse("/cases", status_code=303)


@router.get("/login")
async def login_form(request: Request, reason: str | None = None) -> Response:
    """The login form; a double-submit token guards it, as no session exists yet."""
    token = secrets.token_urlsafe(32)
    notice = "session_ended" if reason in ("session_expired", "unknown_session", "account_inactive") else None
    response = render(request, "login.html", login_csrf=token, notice=notice)
    set_cookie(response, request, LOGIN_CSRF, token)
    return response


@router.post("/login")
async def log_in(request: Request, context: Context) -> Response:
    """Check both factors, start a session and go to the queue; failures re-show the form."""
    form = await request.form()
    sent, expected = str(form.get("csrf_token", "")), read_cookie(request, LOGIN_CSRF) or ""
    if not expected or not secrets.compare_digest(sent, expected):
        await context.audit.append(ANONYMOUS, "login", outcome="refused", reason="csrf_token_missing_or_wrong")
        raise CsrfRejected("This form has expired. Please reload the login page.")
    username, password, code = (str(form.get(field, "")) for field in ("username", "password", "totp"))
    try:
        started = await service.start_session(username, password, code, client=client_of(request), **context.login())
    except (LoginFailed, Locked) as refusal:
        notice = "too_many_attempts" if isinstance(refusal, Locked) else "login_failed"
        return render(request, "login.html", status_of(refusal), login_csrf=expected, notice=notice, username=username)
    response = RedirectResponse("/cases", status_code=303)
    set_session_cookie(response, request, started.token)
    delete_cookie(response, request, LOGIN_CSRF)
    return response


@router.post("/logout")
async def log_out(principal: CurrentPrincipal, request: Request, context: Context) -> Response:
    """End the session and return to the login form."""
    await service.log_out(read_cookie(request, SESSION), actor=principal.actor, sessions=context.sessions, audit=context.audit)
    response = RedirectResponse("/login", status_code=303)
    delete_cookie(response, request, SESSION)
    return response


@router.get("/language")
async def choose_language(request: Request, lang: str = "de", next: str = "/cases") -> Response:
    """Remember the language and go back; only paths on this site are followed."""
    target = next if next.startswith("/") and not next.startswith("//") else "/cases"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        set_cookie(response, request, LANGUAGE, lang, httponly=False, max_age=365 * 86400)
    return response


@router.get("/cases")
async def queue(principal: Reader, request: Request, context: Context) -> Response:
    """The prioritised queue with filters, counts per status and paging."""
    query = parse_case_query(request.query_params)
    page = await queue_page(query, reader=principal.actor, cases=context.cases, audit=context.audit)
    pages = max(1, math.ceil(page.total / page.page_size))
    params = {k: v for k, v in request.query_params.items() if v and k != "page"}
    working_days = context.settings.first_response_working_days
    return render(
        request, "queue.html", principal=principal, page=page, query=query, pages=pages, params=params,
        names=await _staff_names(context), first_response=lambda received_at: first_response_due(received_at, working_days), **CHOICES,
    )  # fmt: skip


@router.get("/cases/{case_id}")
async def case_page(principal: Reader, case_id: str, request: Request, context: Context, notice: str | None = None) -> Response:
    """One case: answers, classification, deadlines, duplicates, timeline and the actions this principal may take."""
    case = await load_case(case_id, principal, context)
    return await show_case(principal, case, request, context, notice=notice)


async def show_case(
    principal: Principal, case: Case, request: Request, context: TriageContext, *, notice: str | None = None,
    failed: FormFailure | None = None,
) -> Response:
    """The case page; after a refused form, again with the refusal beside its fields and the values as they were sent."""
    opened = await actions.view_case(case, actor=principal.actor, desk=context.desk)
    assignable = [a for a in await context.staff.all() if a["active"] and Permission.CASE_WORK in permissions_of(a["roles"])]
    view = case_read(
        opened, working_days=context.settings.first_response_working_days, periods=context.desk.rules.deadline_periods,
        directory=context.referrals,
    )
    return render(
        request, "case.html", failed.status if failed else 200, principal=principal, case=view,
        may=case_actions(principal, opened.case), names=await _staff_names(context), assignable=assignable,
        contact=contact_fields(opened.contact), notice=notice if notice in NOTICE_SECTIONS else None,
        notice_section=NOTICE_SECTIONS.get(notice or ""), failed=failed,
        **await casework_view(opened.case, context), **CHOICES,
    )  # fmt: skip


async def _case_form(principal: Principal, case_id: str, request: Request, context: TriageContext) -> tuple[Case, Any]:
    case = await load_case(case_id, principal, context)
    return case, await request.form()


def _back(case: Case, notice: str) -> RedirectResponse:
    """Post/Redirect/Get to the section that changed, which then says what happened."""
    return RedirectResponse(f"/cases/{case.id}?notice={notice}#{NOTICE_SECTIONS[notice]}", status_code=303)


def _choice(form: Any, field: str, kind: type) -> Any:
    value = form.get(field)
    try:
        return kind(value)
    except ValueError:
        raise Invalid(field, "must be one of the offered choices") from None


@router.post("/cases/{case_id}/status")
async def change_status(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Move the case in the workflow."""
    case, form = await _case_form(principal, case_id, request, context)
    await actions.change_status(case, _choice(form, "status", CaseStatus), actor=principal.actor, desk=context.desk)
    return _back(case, "status_changed")


@router.post("/cases/{case_id}/close")
async def close_case(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Close with a reason."""
    case, form = await _case_form(principal, case_id, request, context)
    await actions.close_case(case, _choice(form, "reason", ClosureReason), actor=principal.actor, desk=context.desk)
    return _back(case, "closed")


@router.post("/cases/{case_id}/reopen")
async def reopen_case(principal: Reopener, case_id: str, request: Request, context: Context) -> Response:
    """Reopen (leads)."""
    case, _ = await _case_form(principal, case_id, request, context)
    await actions.reopen_case(case, actor=principal.actor, desk=context.desk)
    return _back(case, "reopened")


@router.post("/cases/{case_id}/assign")
async def assign_case(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Leads assign anyone; caseworkers take a free case."""
    case, form = await _case_form(principal, case_id, request, context)
    assignee = str(form.get("assignee_id", "")) or None
    lead = principal.can(Permission.CASE_ASSIGN)
    await actions.assign_case(case, assignee, assigns_anyone=lead, actor=principal.actor, desk=context.desk, staff=context.staff)
    return _back(case, "assigned")


@router.post("/cases/{case_id}/classify")
async def classify_case(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Staff's grounds, forms and life area."""
    case, form = await _case_form(principal, case_id, request, context)
    grounds = [_choice({"grounds": g}, "grounds", Ground) for g in form.getlist("grounds")]
    forms = [_choice({"forms": f}, "forms", Form) for f in form.getlist("forms")]
    life_area = _choice(form, "life_area", LifeArea) if form.get("life_area") else None
    await actions.classify_case(case, grounds=grounds, forms=forms, life_area=life_area, actor=principal.actor, desk=context.desk)
    return _back(case, "classified")


@router.post("/cases/{case_id}/messages")
async def send_message(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Write to the reporter, after a confirmation step that shows the text once more (works without JavaScript)."""
    case, form = await _case_form(principal, case_id, request, context)
    text = str(form.get("text", ""))
    if form.get("confirmed") != "yes":
        text = actions.check_message(case, text)  # refuse an empty text or a missing key before asking
        return render(request, "confirm_message.html", principal=principal, case=case, text=text)
    await actions.send_message(case, text, actor=principal.actor, desk=context.desk)
    return _back(case, "message_sent")


@router.post("/cases/{case_id}/notes")
async def add_note(principal: Worker, case_id: str, request: Request, context: Context) -> Response:
    """Keep an internal note."""
    case, form = await _case_form(principal, case_id, request, context)
    await actions.add_note(case, str(form.get("text", "")), actor=principal.actor, desk=context.desk)
    return _back(case, "note_added")


@router.post("/cases/{case_id}/duplicates/{other_id}")
async def settle_duplicate(principal: Worker, case_id: str, other_id: str, request: Request, context: Context) -> Response:
    """Confirm or dismiss a duplicate hint."""
    case, form = await _case_form(principal, case_id, request, context)
    confirmed = form.get("decision") == "confirm"
    other = await load_case(other_id, principal, context)
    await actions.settle_duplicate(case, other, confirmed, actor=principal.actor, desk=context.desk)
    return _back(case, "duplicate_confirmed" if confirmed else "duplicate_dismissed")


@router.get("/audit")
async def audit(
    principal: Lead, request: Request, context: Context, case_id: str = "", action: str = "", outcome: str = "", page: int = 1
) -> Response:
    """The audit log for leads, newest first."""
    filters = {"case_id": case_id[:64], "action": action[:64], "outcome": outcome if outcome in ("ok", "refused") else ""}
    chosen = {k: v for k, v in filters.items() if v}
    result = await audit_page(chosen, page=max(1, page), page_size=50, reader=principal.actor, audit=context.audit)
    return render(
        request, "audit.html", principal=principal, result=result, filters=filters,
        pages=max(1, math.ceil(result.total / 50)), names=await _staff_names(context),
    )  # fmt: skip


@router.get("/statistics")
async def statistics(principal: Statistician, request: Request, context: Context, month: str = "") -> Response:
    """A month's unsuppressed figures for leads; the latest month unless another is chosen."""
    months, figures = await month_for_staff(month, reader=principal.actor, repository=context.statistics.repository, audit=context.audit)
    return render(request, "statistics.html", principal=principal, months=months, figures=figures)


@router.get("/admin/staff")
async def accounts(principal: Admin, request: Request, context: Context) -> Response:
    """Accounts and their roles (admins)."""
    return await _accounts_page(principal, request, context)


@router.post("/admin/staff")
async def create_account(principal: Admin, request: Request, context: Context) -> Response:
    """Create an account (inactive until a second admin approves) and show its TOTP secret once."""
    form = await request.form()
    username, password, roles = str(form.get("username", "")), str(form.get("password", "")), [str(r) for r in form.getlist("roles")]
    enrolled = await admin.create_account(username, password, roles, admin=principal.actor, desk=context.accounts)
    return await _accounts_page(principal, request, context, enrolment=(enrolled.account["username"], enrolled.totp_secret))


@router.post("/admin/staff/{staff_id}/reset")
async def reset_factors(principal: Admin, staff_id: str, context: Context) -> Response:
    """Ask for a factor reset; another admin approves it (API: POST /api/v1/staff/approvals/{id})."""
    await admin.request_factor_reset(staff_id, admin=principal.actor, desk=context.accounts)
    return RedirectResponse("/admin/staff", status_code=303)


@router.post("/admin/staff/{staff_id}")
async def update_account(principal: Admin, staff_id: str, request: Request, context: Context) -> Response:
    """Change roles, or switch the account on or off; a new case role waits for a second admin."""
    form = await request.form()
    active = {"true": True, "false": False}.get(str(form.get("active", "")))
    roles = [str(r) for r in form.getlist("roles")] if active is None else None
    await admin.change_account(staff_id, roles=roles, active=active, admin=principal.actor, desk=context.accounts)
    return RedirectResponse("/admin/staff", status_code=303)


async def _accounts_page(principal: Principal, request: Request, context: TriageContext, enrolment: tuple[str, str] | None = None) -> Response:
    enrol = {"username": enrolment[0], "secret": enrolment[1], "uri": provisioning_uri(enrolment[1], enrolment[0])} if enrolment else None
    return render(request, "staff.html", principal=principal, accounts=await context.staff.all(), enrolment=enrol, **CHOICES)


async def _staff_names(context: TriageContext) -> dict[str, str]:
    return {account["_id"]: account["username"] for account in await context.staff.all()}
