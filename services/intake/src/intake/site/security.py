"""Protections of the public site: form tokens against cross-site posts, strict response headers,
and an HTML answer (instead of JSON) when a site form is too large.

Form tokens: a random value in a session cookie (no Max-Age, so the browser forgets it when it
closes; SameSite=Strict; HttpOnly) and, in every form, HMAC(key, cookie value). A post is
accepted only when both arrive and match, so another site can neither send nor forge it.
The key is derived from the receipt pepper, so every intake instance accepts every form.
Behind TLS (INTAKE_HTTPS_ONLY, the default) the cookie is Secure and named with the `__Host-`
prefix, so no http page or other subdomain can set or overwrite it, and every answer carries HSTS.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meldestelle_shared.web import RequestLimits

CSRF_COOKIE = "form_session"
HSTS = b"max-age=31536000; includeSubDomains"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class FormGuard:
    """Issues and checks the per-session form token."""

    def __init__(self, pepper: str, *, https_only: bool = True) -> None:
        self._key = hashlib.sha256(b"meldestelle-form-token:" + pepper.encode()).digest()
        self._secure = https_only
        self.cookie_name = f"__Host-{CSRF_COOKIE}" if https_only else CSRF_COOKIE

    def session_of(self, request: Request) -> tuple[str, bool]:
        """The request's session value, and whether it is new (and must be set as a cookie)."""
        current = request.cookies.get(self.cookie_name, "")
        if len(current) == 43:
            return current, False
        return secrets.token_urlsafe(32), True

    def token(self, session: str) -> str:
        """The form token for a session value."""
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def accepts(self, request: Request, posted_token: str) -> bool:
        """Whether a posted form carries the token of the session cookie it came with."""
        session = request.cookies.get(self.cookie_name, "")
        return bool(session and posted_token) and hmac.compare_digest(posted_token, self.token(session))

    def set_cookie(self, response: Response, session: str) -> None:
        """Send the session cookie: no expiry (gone when the browser closes), same-site only."""
        response.set_cookie(self.cookie_name, session, path="/", httponly=True, samesite="strict", secure=self._secure)


class SecurityHeaders:
    """ASGI middleware: strict headers on every response; HSTS when the site is https-only or the request came over TLS."""

    def __init__(self, app: ASGIApp, *, https_only: bool) -> None:
        self.app = app
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or path.startswith("/static/")]
                headers += [
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                ]
                if not path.startswith("/static/"):
                    # Pages may show a receipt or messages: never keep them in any cache.
                    headers.append((b"cache-control", b"no-store"))
                if self.https_only or scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", HSTS))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SiteRequestLimits(RequestLimits):
    """The shared body limits; refusals on the site are a page in the resident's language, not JSON."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        too_large_page: Callable[[Scope], Response],
        takes_uploads: Callable[[str], bool] = lambda path: False,
        max_upload_bytes: int = 0,
    ) -> None:
        super().__init__(app, max_body_bytes=max_body_bytes, takes_uploads=takes_uploads, max_upload_bytes=max_upload_bytes)
        self._too_large_page = too_large_page

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, error: str, message: str) -> None:
        if scope["path"].startswith(self.json_prefix):
            await super()._refuse(scope, receive, send, status, error, message)
            return
        response = self._too_large_page(scope)
        response.headers["connection"] = "close"
        await response(scope, receive, send)
