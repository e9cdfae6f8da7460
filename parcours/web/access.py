"""Who is calling a dashboard JSON route: the session behind the request's cookie, its scope,
and the dashboard's header that a change needs (a form of another site cannot send it)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from parcours.web.session import COOKIE, CSRF_HEADER, Session


def session_of(request: Request) -> Session | None:
    return request.app.state.dashboard.sessions.get(request.cookies.get(COOKIE))


def require_csrf_header(request: Request) -> None:
    if request.headers.get(CSRF_HEADER) != "1":
        raise HTTPException(
            403,
            detail={
                "error": "missing header",
                "detail": f"dashboard calls that change data must send '{CSRF_HEADER}: 1'",
            },
        )


def json_session(request: Request, scope: str = "read", change: bool = False) -> Session:
    """The caller's session with ``scope``; a scope above read, or a ``change`` made with a
    read session (a comment), also needs the dashboard's header."""
    found = session_of(request)
    if found is None:
        raise HTTPException(
            401,
            detail={
                "error": "no dashboard session",
                "detail": "log in with the address `parcours serve` printed, or an API key at /login",
            },
        )
    if scope != "read" or change:
        require_csrf_header(request)
    if not found.grants(scope):
        raise HTTPException(
            403,
            detail={
                "error": "insufficient scope",
                "detail": f"this needs an admin session; yours has scope '{found.scope}'",
            },
        )
    return found
