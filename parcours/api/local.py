"""The local channel: the CLI and ``parcours.open`` of this machine reach the server's
workspace through it while the server holds the file (see :mod:`parcours.remote`).

Not part of the REST API (absent from the OpenAPI page): it takes the local credential
of the server file (``<workspace>.server``, mode 0600) in the ``X-Parcours-Local`` header,
from a loopback address only, and a pickled call. A call that reads (an analysis, a
table) runs as a reader on a cursor of its own, in parallel with the other requests;
any other goes through the server's one writer (:meth:`ServerState.run_local
<parcours.api.state.ServerState.run_local>`).
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from parcours import remote
from parcours.api.auth import State

router = APIRouter(prefix="/v1/local", include_in_schema=False)

LOOPBACK = ("127.0.0.1", "::1", "localhost", "testclient")


def _check(request: Request, state: Any) -> None:
    host = request.client.host if request.client else ""
    given = request.headers.get(remote.HEADER, "")
    if host not in LOOPBACK and not host.startswith("127."):
        raise HTTPException(403, detail={"error": "forbidden", "detail": "loopback only"})
    if not hmac.compare_digest(given.encode(), state.local_token.encode()):
        raise HTTPException(
            401,
            detail={"error": "invalid credential", "detail": "not this server's local credential"},
        )


@router.get("/ping")
async def ping(request: Request) -> dict[str, Any]:
    """Which workspace this server holds, for a client that read the server file. Answered
    on the event loop, with no dependency run in a worker thread: a server whose threads
    are all busy still answers at once, so the client does not take it for a dead one."""
    state = request.app.state.parcours
    _check(request, state)
    return {"workspace": state.workspace_path}


@router.post("/call")
async def call(request: Request, state: State) -> Response:
    """Run one pickled call on the workspace (see :func:`parcours.remote.serve_call`)."""
    _check(request, state)
    body = await request.body()
    answer = await state.run_local(body)
    return Response(answer, media_type="application/octet-stream")
