"""The workbench's cookies and transport headers, one place for the https-only rule.

Behind TLS (TRIAGE_HTTPS_ONLY, the default) every cookie is Secure and named with the `__Host-`
prefix (Secure, Path=/, no Domain), so no plain-http page or other subdomain can plant or overwrite
a session, and every answer carries HSTS. Plain http on loopback (devstack, tests) turns it off.
"""

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from triage.bootstrap import context_of

SESSION = "triage_session"
LOGIN_CSRF = "triage_login_csrf"
LANGUAGE = "lang"
HSTS = b"max-age=31536000; includeSubDomains"


def _https_only(request: Request) -> bool:
    return context_of(request).settings.https_only


def cookie_name(request: Request, base: str) -> str:
    """The name a cookie has in this deployment: `__Host-` prefixed when https-only."""
    return f"__Host-{base}" if _https_only(request) else base


def read_cookie(request: Request, base: str) -> str | None:
    """A cookie's value, under this deployment's name."""
    return request.cookies.get(cookie_name(request, base))


def set_cookie(response: Response, request: Request, base: str, value: str, *, httponly: bool = True, max_age: int | None = None) -> None:
    """Set a same-site cookie on the whole site; Secure whenever https-only or the request came over https."""
    secure = _https_only(request) or request.url.scheme == "https"
    response.set_cookie(cookie_name(request, base), value, httponly=httponly, secure=secure, samesite="strict", path="/", max_age=max_age)


def delete_cookie(response: Response, request: Request, base: str) -> None:
    """Expire a cookie set by set_cookie."""
    response.delete_cookie(cookie_name(request, base), path="/", secure=_https_only(request), samesite="strict")


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """HttpOnly, SameSite=Strict, Secure and `__Host-` behind TLS; no Max-Age, so it dies with the browser."""
    set_cookie(response, request, SESSION, token)


class StrictTransportSecurity:
    """ASGI middleware: HSTS on every answer when https-only (browsers ignore it over plain http)."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"strict-transport-security", HSTS)]}
            await send(message)

        await self.app(scope, receive, send_with_hsts)
