"""The REST application: one workspace, API keys, maps, analyses, ingestion and the collector.

    >>> from parcours.api import create_app
    >>> app = create_app(":memory:")
    >>> [path for path in app.openapi()["paths"] if path.startswith("/v1/maps")][:2]
    ['/v1/maps', '/v1/maps/{map_id}']

Every error answers JSON ``{"error": short kind, "detail": what is wrong and what is
allowed}`` (``detail`` in French when the request's ``Accept-Language`` prefers it, else
English; ``error`` is a stable English kind) (plus ``problems`` for a map that does not validate): 401 without a known key,
403 for a key whose scope falls short, 404, 409, 413 for a body over the limit, 415, 422
for bad input (malformed JSON included). The OpenAPI page (``/docs``, ``/redoc``) is served
with its own copy of Swagger UI and ReDoc, so it works without internet.

The dashboard mounts its pages on the app this factory returns (the server's entry point,
:func:`parcours.cli.serve.server_app`, joins the two); the workspace is
``app.state.parcours`` (a :class:`ServerState`: use it with ``with state.workspace() as ws``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.exceptions import HTTPException

import parcours
from parcours.api import analyses, experience, ingest, keys, local, maps
from parcours.api.auth import Reader, State
from parcours.api.limits import BodyLimit
from parcours.api.state import ApiSettings, ServerState
from parcours.config import Settings
from parcours.errors import InputError, MapError, NotFoundError, WorkspaceError
from parcours.maps.field_errors import field_message
from parcours.render.i18n import negotiate
from parcours.render.present import error_text

log = logging.getLogger("parcours.api")

DESCRIPTION = """Customer journey maps as code, measured against real omnichannel data.

Authenticate with an API key: `Authorization: Bearer pk_...` (create one with
`parcours keys create --scope read|write|admin`). Scopes: **read** reads maps and runs
analyses; **write** sends events and uploads files, nothing else (safe to embed in a site or
an app); **admin** does everything, including editing maps and managing keys.
"""


class ErrorBody(BaseModel):
    """Every error the API answers."""

    error: str
    detail: Any
    problems: list[dict[str, Any]] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "No API key, or an unknown or revoked one"),
        (403, "The key's scope does not allow this"),
        (413, "The body is over the limit"),
        (422, "Bad input: malformed JSON, wrong parameters, a map that does not validate"),
    )
}


def _error(request: Request, status: int, error: str, detail: Any, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": error, "detail": _said(request, detail), **extra}, status_code=status
    )


def _said(request: Request, detail: Any) -> Any:
    """``detail`` in the language the request accepts (``Accept-Language``: fr or en,
    English by default), through the one catalogue; ``error`` stays a stable English kind."""
    if not isinstance(detail, str):
        return detail
    return error_text(detail, negotiate(request.headers.get("accept-language")))


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def _validation_message(error: dict[str, Any]) -> str:
    """One request validation error in the map checks' words (English; ``_said`` puts it in
    the request's language), never pydantic's own."""
    if error["type"] == "json_invalid":
        return f"malformed JSON at character {error['loc'][-1]}: {error['ctx']['error']}"
    location = _location(error["loc"])
    message = field_message(error, location)
    if error["type"] in ("value_error", "assertion_error"):  # a validator's own words
        return f"{location}: {message}"
    return message


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and "error" in exc.detail:
            body = {**exc.detail, "detail": _said(request, exc.detail.get("detail"))}
        else:
            body = {
                "error": HTTPStatus(exc.status_code).phrase.lower(),
                "detail": _said(request, exc.detail),
            }
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        messages = [_validation_message(e) for e in errors]
        problems = [  # the location as the request names it; the message in its language
            {"location": _location(e["loc"]), "message": _said(request, message)}
            for e, message in zip(errors, messages, strict=True)
        ]
        malformed = any(e["type"] == "json_invalid" for e in errors)
        return _error(
            request,
            422,
            "malformed JSON" if malformed else "invalid request",
            "; ".join(p["message"] for p in problems),
            problems=problems,
        )

    @app.exception_handler(MapError)
    async def invalid_map(request: Request, exc: MapError) -> JSONResponse:
        problems = [  # file, line and field as found; the message in the request's language
            {**asdict(p), "message": _said(request, p.message)} for p in exc.problems
        ]
        return _error(request, 422, "invalid map", str(exc), problems=problems)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return _error(request, 404, "not found", str(exc))

    @app.exception_handler(InputError)
    async def invalid_input(request: Request, exc: InputError) -> JSONResponse:
        return _error(request, 422, "invalid input", str(exc))

    @app.exception_handler(WorkspaceError)
    async def workspace_refused(request: Request, exc: WorkspaceError) -> JSONResponse:
        return _error(request, 409, "workspace refused", str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(
            request, 500, "internal error", f"{type(exc).__name__}; the server log has the details"
        )


def create_app(
    workspace: str | Path | parcours.Workspace = "parcours.duckdb",
    settings: ApiSettings | None = None,
    *,
    workspace_settings: Settings | None = None,
) -> FastAPI:
    """The REST app over ``workspace`` (a path, ``:memory:``, or an open Workspace, which
    the app then does not close). ``parcours serve`` mounts the dashboard on it
    (:func:`parcours.cli.serve.server_app`)."""
    settings = settings or ApiSettings()
    state = ServerState(workspace, settings, workspace_settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.start_collector()  # what a stopped server left in the spool, loaded first
        # What the server holds from now on (its modules, the workspace, the check's rules)
        # lives as long as it: kept out of the garbage collector's passes, which would walk
        # it all every few loads of the collector (their rows are many small objects) and
        # hold every request meanwhile (benchmarks/gc_pauses.py). Its garbage goes first;
        # at the end all is collectable again (a process that starts several apps: tests).
        gc.collect()
        gc.freeze()
        try:
            with state.announced():  # the server file, while the server runs
                yield
        finally:
            state.close()
            gc.unfreeze()

    app = FastAPIOffline(
        title="parcours",
        version=parcours.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.parcours = state

    def limit_for(path: str) -> tuple[int, str]:
        if path.startswith(("/v1/ingest/", "/v1/local/")):  # files; the CLI's calls
            return settings.upload_limit, "upload"
        return settings.body_limit, "request"

    app.add_middleware(BodyLimit, limit_for=limit_for)
    install_error_handlers(app)

    @app.get("/health", tags=["server"], summary="Is the server up")
    def health() -> dict[str, str]:
        """No key needed: for load balancers and supervisors. Tells nothing about the data."""
        return {"status": "ok"}

    @app.get("/v1/status", tags=["server"], summary="Rows per table, events in the spool")
    def status(state: State, _: Reader) -> dict[str, Any]:
        """``spooled``: the events the collector acknowledged that wait in the spool to be
        loaded into the workspace (``spool_bytes``: the spool's size on disk)."""
        events, size = state.spool.waiting()
        with state.reader() as ws:  # a read: never waits on the writer
            counts = ws.counts()
        return {
            "workspace": ws.url,
            "version": parcours.__version__,
            "counts": counts,
            "spooled": events,
            "spool_bytes": size,
        }

    for module in (maps, experience, analyses, ingest, keys, local):
        app.include_router(module.router, responses=ERRORS)
    return app
