"""Accounts, two-factor login with growing delays, and sessions with idle and absolute timeouts."""

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from meldestelle_shared.sealing import Keyring, SealingError, seal, unseal
from triage.audit.log import ANONYMOUS, Actor, AuditLog
from triage.errors import Locked, LoginFailed
from triage.staff import factors
from triage.staff.permissions import Role
from triage.staff.repository import SessionRepository, StaffRepository
from triage.staff.throttle import LoginThrottle

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class InvalidAccount(ValueError):
    """A new account's field is unacceptable; carries the field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field, self.reason = field, reason


class LoginRefused(Exception):
    """The login failed; `reason` is for the audit log, the user sees one message for all."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionInvalid(Exception):
    """No usable session: missing, unknown, timed out, or its account was deactivated."""

    def __init__(self, reason: str, staff_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.staff_id = reason, staff_id


@dataclass(frozen=True)
class LoginPolicy:
    """Account delays and session lifetimes."""

    max_failures: int = 5  # failed logins in a row before the account itself is slowed down
    max_delay: timedelta = timedelta(seconds=30)  # the longest an account is slowed down after one failure
    idle: timedelta = timedelta(minutes=30)
    max_age: timedelta = timedelta(hours=10)


@dataclass(frozen=True)
class StartedSession:
    """A fresh session: the cookie's token (only ever here, the database keeps its hash) and CSRF token."""

    token: str
    csrf_token: str
    account: dict[str, Any]


def token_hash(token: str) -> str:
    """How a session token is stored: a leaked sessions collection opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_account(username: str, password: str, roles: list[str]) -> tuple[str, list[Role]]:
    """Normalise and check a new account's username, password and roles."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidAccount("username", "must be 3-64 characters: a-z, 0-9, dot, dash, underscore")
    if reason := factors.check_password_policy(password):
        raise InvalidAccount("password", reason)
    try:
        parsed = sorted({Role(role) for role in roles})
    except ValueError:
        raise InvalidAccount("roles", "must be caseworker, lead or admin") from None
    if not parsed:
        raise InvalidAccount("roles", "must name at least one role")
    return username, parsed


async def create_account(
    username: str, password: str, roles: list[str], *, staff: StaffRepository, totp_key: Keyring, active: bool = True
) -> tuple[dict[str, Any], str]:
    """Create an account; returns it and its TOTP secret, which is shown once and stored sealed to the TOTP key."""
    username, parsed = check_new_account(username, password, roles)
    secret = factors.new_totp_secret()
    account = {
        "_id": str(uuid4()),
        "username": username,
        "roles": [role.value for role in parsed],
        "active": active,
        "password_hash": await factors.hash_password_off_loop(password),
        "sealed_totp_secret": seal(totp_key.public_key, secret),
        "totp_last_step": None,
        "failed_logins": 0,
        "locked_until": None,
        "created_at": datetime.now(UTC),
    }
    await staff.insert(account)
    return account, secret


async def reset_factors(
    staff_id: str, password: str, *, staff: StaffRepository, sessions: SessionRepository, totp_key: Keyring
) -> tuple[dict[str, Any], str] | None:
    """Give an account a new password and TOTP secret, unlock it and end its sessions; None if unknown."""
    if reason := factors.check_password_policy(password):
        raise InvalidAccount("password", reason)
    secret = factors.new_totp_secret()
    account = await staff.update(
        staff_id,
        {
            "password_hash": await factors.hash_password_off_loop(password),
            "sealed_totp_secret": seal(totp_key.public_key, secret),
            "totp_last_step": None,
            "failed_logins": 0,
            "locked_until": None,
        },
    )
    if account is None:
        return None
    await sessions.delete_for_staff(staff_id)
    return account, secret


def check_roles(roles: list[str]) -> list[Role]:
    """The roles, parsed and sorted, or InvalidAccount."""
    try:
        parsed = sorted({Role(role) for role in roles})
    except ValueError:
        raise InvalidAccount("roles", "must be caseworker, lead or admin") from None
    if not parsed:
        raise InvalidAccount("roles", "must name at least one role")
    return parsed


async def update_account(
    staff_id: str, *, roles: list[str] | None, active: bool | None, staff: StaffRepository, sessions: SessionRepository
) -> dict[str, Any] | None:
    """Change an account's roles or switch it off (which ends its sessions); None if unknown."""
    changes: dict[str, Any] = {}
    if roles is not None:
        changes["roles"] = [role.value for role in check_roles(roles)]
    if active is not None:
        changes["active"] = active
    account = await staff.update(staff_id, changes) if changes else await staff.get(staff_id)
    if account is not None and active is False:
        await sessions.delete_for_staff(staff_id)
    return account


async def log_in(
    username: str,
    password: str,
    code: str,
    *,
    staff: StaffRepository,
    sessions: SessionRepository,
    audit: AuditLog,
    totp_key: Keyring,
    office_key: Keyring,
    policy: LoginPolicy,
) -> StartedSession:
    """Check password and TOTP code, slow an account down after repeated failures, and start a session; audits every try.

    Every refusal looks the same to the caller, for unknown and known usernames alike: the password
    is always checked (against a dummy hash when there is no account), off the event loop.
    """
    now = datetime.now(UTC)
    account = await staff.by_username(username.strip().lower())
    actor = Actor("staff", account["_id"]) if account else ANONYMOUS
    try:
        if not await factors.password_matches_off_loop(account["password_hash"] if account else None, password):
            raise LoginRefused("bad_password" if account else "unknown_account")
        if not account["active"]:
            raise LoginRefused("inactive")
        if account.get("locked_until") and _aware(account["locked_until"]) > now:
            raise LoginRefused("delayed")
        secret = await open_totp_secret(account, staff=staff, totp_key=totp_key, office_key=office_key)
        step = factors.totp_step(secret, code)
        if step is None:
            raise LoginRefused("bad_totp")
        # Atomic: of two logins racing with one code, only one marks its step as used.
        if not await staff.use_totp_step(account["_id"], step):
            raise LoginRefused("totp_replayed")
    except LoginRefused as refusal:
        if account and refusal.reason != "delayed":
            await _count_failure(account["_id"], staff=staff, policy=policy, now=now)
        await audit.append(actor, "login", outcome="refused", reason=refusal.reason)
        raise
    changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if factors.needs_rehash(account["password_hash"]):
        changes["password_hash"] = await factors.hash_password_off_loop(password)
    await staff.update(account["_id"], changes)
    started = StartedSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), account)
    await sessions.insert(
        {"_id": token_hash(started.token), "staff_id": account["_id"], "csrf_token": started.csrf_token, "created_at": now, "last_seen_at": now}
    )
    await audit.append(actor, "login")
    return started


async def open_totp_secret(account: dict[str, Any], *, staff: StaffRepository, totp_key: Keyring, office_key: Keyring) -> str:
    """An account's TOTP secret; one still sealed to the office key (from before the TOTP key) is moved to the TOTP key."""
    sealed = account["sealed_totp_secret"]
    try:
        return unseal(totp_key, sealed)
    except SealingError:
        secret = unseal(office_key, sealed)
    await staff.update(account["_id"], {"sealed_totp_secret": seal(totp_key.public_key, secret)})
    return secret


async def reseal_totp_secrets(*, staff: StaffRepository, totp_key: Keyring, office_key: Keyring) -> int:
    """Seal every account's TOTP secret to the current TOTP key (from a retired one or the office key); returns how many."""
    changed = 0
    for account in await staff.all():
        if not totp_key.is_current(account["sealed_totp_secret"]):
            await open_totp_secret(account, staff=staff, totp_key=Keyring(totp_key.current), office_key=_any_of(totp_key, office_key))
            changed += 1
    return changed


def _any_of(*rings: Keyring) -> Keyring:
    """One ring that opens whatever any of the given rings opens."""
    keys = [key for ring in rings for key in ring.keys]
    return Keyring(keys[0], keys[1:])


async def _count_failure(staff_id: str, *, staff: StaffRepository, policy: LoginPolicy, now: datetime) -> None:
    # A growing delay, never a lock: one second after `max_failures`, doubling, capped at `max_delay`.
    failures = await staff.record_failure(staff_id)
    if failures >= policy.max_failures:
        delay = min(policy.max_delay, timedelta(seconds=2 ** min(failures - policy.max_failures, 20)))
        await staff.update(staff_id, {"locked_until": now + delay})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def resolve_session(
    token: str | None, *, sessions: SessionRepository, staff: StaffRepository, policy: LoginPolicy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The live session and account behind a cookie token; the idle and absolute timeouts are enforced here."""
    if not token:
        raise SessionInvalid("no_session")
    key = token_hash(token)
    session = await sessions.get(key)
    if session is None:
        raise SessionInvalid("unknown_session")
    now = datetime.now(UTC)
    if now - session["last_seen_at"] > policy.idle or now - session["created_at"] > policy.max_age:
        await sessions.delete(key)
        raise SessionInvalid("session_expired", session["staff_id"])
    account = await staff.get(session["staff_id"])
    if account is None or not account["active"]:
        await sessions.delete(key)
        raise SessionInvalid("account_inactive", session["staff_id"])
    # Written at most once a minute: every page view would otherwise be a database write.
    if now - session["last_seen_at"] > timedelta(minutes=1):
        await sessions.touch(key, now)
    return session, account


async def log_out(token: str | None, *, actor: Actor, sessions: SessionRepository, audit: AuditLog) -> None:
    """End the session behind a cookie token, if any; audited."""
    if token:
        await sessions.delete(token_hash(token))
    await audit.append(actor, "logout")


async def start_session(
    username: str, password: str, code: str, *, client: str, throttle: LoginThrottle, staff: StaffRepository,
    sessions: SessionRepository, audit: AuditLog, totp_key: Keyring, office_key: Keyring, policy: LoginPolicy,
) -> StartedSession:  # fmt: skip
    """Log in with both factors; a client that failed too often waits first; every refusal reads the same for any username."""
    if wait := throttle.wait(client):
        await audit.append(ANONYMOUS, "login", outcome="refused", reason="client_throttled")
        raise Locked(f"Too many failed attempts from here. Please wait {math.ceil(wait)} seconds, then try again.")
    try:
        started = await log_in(
            username, password, code, staff=staff, sessions=sessions, audit=audit, totp_key=totp_key, office_key=office_key, policy=policy
        )
    except LoginRefused:
        throttle.failed(client)
        raise LoginFailed("Username, password or code is wrong.") from None
    throttle.succeeded(client)
    return started
