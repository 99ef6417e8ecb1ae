"""Request and response bodies of the session and account API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from triage.staff.permissions import Permission, Role


class LoginRequest(BaseModel):
    """Both factors at once."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp: str = Field(min_length=6, max_length=8, description="The 6-digit code of the authenticator app.")


class Me(BaseModel):
    """The logged-in staff member; send csrf_token as X-CSRF-Token with every unsafe request."""

    id: str
    username: str
    roles: list[Role]
    permissions: list[Permission]
    csrf_token: str | None = None


class AccountRead(BaseModel):
    """A staff account, without its secrets."""

    id: str
    username: str
    roles: list[Role]
    active: bool
    locked_until: datetime | None = None
    last_login_at: datetime | None = None


class AccountCreate(BaseModel):
    """A new account; the TOTP secret is generated and returned once."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=12, max_length=256)
    roles: list[Role] = Field(min_length=1)


class AccountUpdate(BaseModel):
    """Change roles or switch an account off."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = Field(default=None, min_length=1)
    active: bool | None = None


class Enrolment(BaseModel):
    """An account with its TOTP secret, shown this once: scan the URI into an authenticator app."""

    account: AccountRead
    totp_secret: str
    totp_uri: str


class ApprovalRead(BaseModel):
    """A change that waits for a second admin: a case role, a new account, or a factor reset."""

    id: str
    kind: str = Field(description="grant_roles, activate_account or reset_factors.")
    staff_id: str
    roles: list[Role] | None = None
    state: str
    requested_by: str
    requested_at: datetime


class ApprovalDecision(BaseModel):
    """Approving a factor reset sets the new initial password; other approvals need no body fields."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=12, max_length=256)


class Approved(BaseModel):
    """The approved request, the account as changed, and for a reset the new TOTP secret (shown this once)."""

    request: ApprovalRead
    account: AccountRead
    enrolment: Enrolment | None = None


class PendingEnrolment(Enrolment):
    """A new account, inactive until another admin approves `approval`."""

    approval: ApprovalRead
