"""Bearer API keys on every request: 401 without a known key, 403 when its scope falls short.

    Authorization: Bearer pk_1a2b3c4d_...

Scopes (see :mod:`parcours.store.keys`): ``read`` reads maps and runs analyses; ``write``
sends events and uploads files (and nothing else); ``admin`` does everything, including
editing maps and managing keys.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from parcours.api.state import ServerState
from parcours.store import keys

bearer = HTTPBearer(
    auto_error=False,
    description="An API key made with `parcours keys create --scope read|write|admin`.",
)


def server(request: Request) -> ServerState:
    return request.app.state.parcours


def _refuse(status: int, error: str, detail: str) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(
        status_code=status, detail={"error": error, "detail": detail}, headers=headers
    )


def require(scope: str):
    """A dependency that lets a request through when its key grants ``scope``."""
    keys.check_scope(scope)

    def check(
        state: Annotated[ServerState, Depends(server)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> keys.ApiKey:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _refuse(
                401,
                "missing API key",
                "send an API key as 'Authorization: Bearer pk_...'; create one with "
                "`parcours keys create --scope read|write|admin`",
            )
        key = state.verify(credentials.credentials)
        if key is None:
            raise _refuse(401, "invalid API key", "this API key is unknown or was revoked")
        if not key.grants(scope):
            granted = ", ".join(sorted(keys.GRANTS[key.scope]))
            raise _refuse(
                403,
                "insufficient scope",
                f"this needs a key with scope '{scope}'"
                + (" or 'admin'" if scope != "admin" else "")
                + f"; key {key.key_id} has scope '{key.scope}' (allows: {granted})",
            )
        return key

    return check


Reader = Annotated[keys.ApiKey, Depends(require("read"))]
Writer = Annotated[keys.ApiKey, Depends(require("write"))]
Admin = Annotated[keys.ApiKey, Depends(require("admin"))]
State = Annotated[ServerState, Depends(server)]
