"""Request body limits, enforced before any endpoint reads the body.

A pure ASGI middleware: a declared ``Content-Length`` over the limit is refused at once; a
body sent without one (chunked) is counted as it arrives and refused as soon as it passes
the limit, so an oversized request never reaches the workspace nor fills the memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


def too_large(limit: int, what: str) -> str:
    return (
        f"{what} bodies are limited to {limit:,} bytes; send smaller batches or raise the "
        "limit (PARCOURS_API_BODY_LIMIT for JSON, PARCOURS_API_UPLOAD_LIMIT for uploads)"
    )


class BodyTooLarge(HTTPException):
    """Raised while the body is read; an HTTPException so that the framework, which turns
    other errors met while parsing a body into a 400, lets it through as a 413."""

    def __init__(self, limit: int, what: str):
        super().__init__(status_code=413, detail=too_large(limit, what))


class BodyLimit:
    """Refuse bodies larger than ``limit_for(path)`` bytes with HTTP 413 and a JSON error."""

    def __init__(self, app: Any, limit_for: Callable[[str], tuple[int, str]]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, what = self.limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit, what)
            return
        received = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, what)
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit, what)


async def _refuse(send: Send, limit: int, what: str) -> None:
    body = json.dumps({"error": "request too large", "detail": too_large(limit, what)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
