"""Who is asking: a token from the ``Authorization: Bearer`` header or the sign-in cookie.

Writes always need a valid token; reads need one only when the app runs with
``protect_reads``. No token gives 401 (with ``WWW-Authenticate: Bearer``), a token that is not
valid gives 403, so a client can tell "sign in" from "this token is wrong".
"""

from __future__ import annotations

from fastapi import Request

COOKIE = "cnplan_token"


class AuthError(Exception):
    """Refused for want of a (valid) token; ``status`` is 401 or 403."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def identify(request: Request) -> str | None:
    """The token's name if a valid token was presented, else ``None`` (no error)."""
    token = presented_token(request)
    return request.app.state.services.tokens.check(token) if token else None


def require_write(request: Request) -> str:
    """Dependency for writes: the name of the token, or AuthError 401/403."""
    token = presented_token(request)
    if not token:
        raise AuthError(401, "this action needs a token: send 'Authorization: Bearer <token>' "
                        "or sign in; create one with `cnplan token create NAME`")
    name = request.app.state.services.tokens.check(token)
    if name is None:
        raise AuthError(403, "the token is not valid (unknown, revoked or mistyped)")
    return name


def require_read(request: Request) -> str | None:
    """Dependency for reads: open unless the app protects reads."""
    if not request.app.state.services.settings.protect_reads:
        return identify(request)
    return require_write(request)
