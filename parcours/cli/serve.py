"""`parcours keys ...` (API keys) and `parcours serve` (the dashboard, the REST API and its
OpenAPI page); :func:`serve_workspace` also serves the end of `parcours demo`.

Registered in :mod:`parcours.cli.app` with ``app.add_typer(keys_app, name="keys")`` and
``app.command()(serve)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from parcours import remote
from parcours.cli.options import FormatOption, WorkspaceOption, open_workspace
from parcours.cli.output import (
    Format,
    console,
    emit_dict,
    emit_frame,
    err_console,
    reader_lang,
    say,
)
from parcours.config import Settings, from_env
from parcours.errors import WorkspaceBusyError
from parcours.render.i18n import moment, t

if TYPE_CHECKING:
    from fastapi import FastAPI

    from parcours.api import ApiSettings

# The store (Ibis, DuckDB) and the server (FastAPI, uvicorn) are imported inside the commands:
# listing them in `parcours --help` must not load them.
keys_app = typer.Typer(
    help="API keys of the REST server: create, list, revoke.", no_args_is_help=True
)


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        Scope,
        typer.Option(
            help="read: maps and analyses; write: send events and upload files only; "
            "admin: everything, including editing maps and keys."
        ),
    ],
    name: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Create an API key and print its token, once: only its hash is stored.

    Example: `parcours keys create --scope write --name "site web"`
    """
    from parcours.store import keys

    with open_workspace(workspace) as ws:  # through its server when one holds it
        token, key = remote.apply(ws, keys.create_key, scope.value, name)
        map_lang = ws.map_lang() if format is Format.table else None
    if format is not Format.table:
        emit_dict({**key.to_dict(), "token": token}, format)
        return
    lang = reader_lang(map_lang=map_lang)
    named = f", {name}" if name else ""
    say("cmd.keys.created", lang, id=key.key_id, scope=key.scope, name=named)
    console.print()
    print(token)
    err_console.print()
    err_console.print(escape(t("cmd.keys.send", lang, id=key.key_id)), highlight=False)


@keys_app.command("list")
def keys_list(
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    all: Annotated[bool, typer.Option("--all", help="Show revoked keys too.")] = False,  # noqa: A002
    format: FormatOption = Format.table,
) -> None:
    """List the API keys (never their tokens).

    Example: `parcours keys list --all`
    """
    import pandas as pd

    from parcours.store import keys

    with open_workspace(workspace) as ws:
        found = [k.to_dict() for k in remote.apply(ws, keys.list_keys) if all or k.active]
        map_lang = ws.map_lang()
    columns = ["key_id", "name", "scope", "created_at", "revoked_at"]
    lang = reader_lang(map_lang=map_lang)
    frame = pd.DataFrame(found, columns=columns)
    if format is Format.table:  # dates in the reader's words (JSON and CSV keep ISO text)
        for column in ("created_at", "revoked_at"):
            frame[column] = pd.to_datetime(frame[column]).astype(object)
    emit_frame(frame, format, title=t("cmd.keys.title", lang), lang=lang)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id, e.g. pk_1a2b3c4d.")],
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Revoke an API key: requests that send it are refused from now on.

    Example: `parcours keys revoke pk_1a2b3c4d`
    """
    from parcours.store import keys

    with open_workspace(workspace) as ws:
        key = remote.apply(ws, keys.revoke_key, key_id)
        map_lang = ws.map_lang()
    lang = reader_lang(map_lang=map_lang)
    when = moment(key.revoked_at, lang)
    say("cmd.keys.revoked", lang, id=key.key_id, scope=key.scope, when=when)


def server_app(
    workspace: str | Path | Any = "parcours.duckdb",
    settings: ApiSettings | None = None,
    *,
    workspace_settings: Settings | None = None,
) -> FastAPI:
    """What ``parcours serve`` runs: the REST app (:func:`parcours.api.create_app`) with the
    web dashboard (:func:`parcours.web.mount_dashboard`) mounted on it."""
    # Imported here: FastAPI and the dashboard are slow to import, and only serving needs them.
    from parcours.api import create_app
    from parcours.cli import served
    from parcours.web import mount_dashboard

    app = create_app(workspace, settings, workspace_settings=workspace_settings)
    app.include_router(served.router)  # the CLI's analyses, printed here (cli.forward)
    mount_dashboard(app)
    return app


def serve_workspace(
    path: str | Path | Any,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_message: bool = True,
) -> None:
    """Serve the REST API and the dashboard over the workspace at ``path`` (or an open
    Workspace) until interrupted; print the dashboard's login address first.

    The login token in that address is made now and kept in memory only: it opens an admin
    session in one browser, once (see :mod:`parcours.web.session`), and dies with the server.
    uvicorn's logs get a filter that hides ``token=`` values, so no access log line holds it.
    """
    import uvicorn

    from parcours.api import ApiSettings
    from parcours.remote import RemoteWorkspace, find_server
    from parcours.store import keys
    from parcours.web.session import hide_tokens_from_logs

    lang = reader_lang()
    if isinstance(path, RemoteWorkspace):  # the demo's end, while a server holds it
        say(
            "cmd.serve.elsewhere",
            lang,
            pid=path.server.pid,
            url=path.url,
            address=path.server.url,
        )
        return
    running = find_server(getattr(path, "url", path))
    if running is not None:
        raise WorkspaceBusyError(
            f"{getattr(path, 'url', path)}: a parcours server (PID {running.pid}) already serves "
            f"this workspace at {running.url}; use it (the CLI goes through it), or stop it first"
        )
    app = server_app(path, ApiSettings.from_env(), workspace_settings=from_env())
    state = app.state.parcours
    with state.workspace() as ws:
        active = [k for k in keys.list_keys(ws.con) if k.active]
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    login = app.state.dashboard.sessions.url(host, port)

    def announce() -> None:
        name = path if isinstance(path, str | Path) else getattr(path, "url", "the workspace")
        say("cmd.serve.serving", lang, name=name, url=url)
        say("cmd.serve.login", lang)
        console.print()
        print(f"    {login}\n", flush=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            warning = escape(t("cmd.serve.network", lang, host=host))
            err_console.print(f"[yellow]{warning}[/yellow]", highlight=False)
        if not active:
            say("cmd.serve.no_key", lang)

    if open_message:
        _after_start(app, announce)
    # Logger filters outlive uvicorn's logging set-up (dictConfig replaces handlers only).
    hide_tokens_from_logs("uvicorn.access", "uvicorn.error")
    # While it runs, the CLI and parcours.open reach the workspace through this server.
    local = {"::": "[::1]", "0.0.0.0": "127.0.0.1"}.get(host, host)  # noqa: S104
    state.local_url = f"http://{local}:{port}"
    uvicorn.run(app, host=host, port=port, log_level="info")


def _after_start(app: Any, then: Callable[[], None]) -> None:
    """Run ``then`` once the app has started (its spool replayed, its checks ready): an
    address printed is one that answers."""
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: Any) -> AsyncIterator[Any]:
        async with started(running) as value:
            then()
            yield value

    app.router.lifespan_context = lifespan


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Serve the dashboard, the REST API and its OpenAPI page (/docs) over the workspace.

    Prints the dashboard's address with a login token, made at start: it logs one browser in,
    once (another browser: an API key, or "Login link" in a logged-in dashboard). The server
    holds the workspace file while it runs; meanwhile every `parcours` command and
    `parcours.open()` on it go through the server (it writes `<workspace>.server` beside it).

    Example: `parcours serve --port 8765`, then open the address it prints
    """
    serve_workspace(workspace, host, port)
