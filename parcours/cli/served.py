"""The server's side of a forwarded analysis command (:mod:`parcours.cli.forward`).

``POST /v1/local/command`` takes the command's words and what the caller's terminal is
like, as JSON, with the local credential (loopback only, as every local call). The server
reads the options with the command's own parser, runs the command on one of its readers
(:meth:`parcours.api.state.ServerState.reader`) and prints it on a console made for the
caller (its width, colours and language: :func:`parcours.cli.output.printing_for`), in the
request's thread only. The answer, pickled as the local channel's: ``("printed", text)``,
``("error", module, qualname, message, state)`` (see :func:`parcours.remote.error_parts`),
or ``("local", why)`` when the caller should run the command itself (the options do not
parse: the caller says so in its own words).
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import typer
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from rich.console import Console

from parcours import remote
from parcours.analyses import REGISTRY, SUMMARIES
from parcours.api.auth import State
from parcours.api.local import _check as check_local
from parcours.cli.analyses import make_command
from parcours.cli.lazy import command_of
from parcours.cli.options import serving
from parcours.cli.output import Caller, printing_for

router = APIRouter(prefix="/v1/local", include_in_schema=False)


@router.post("/command")
async def command(request: Request, state: State) -> Response:
    """Run one forwarded analysis command and answer what it printed."""
    check_local(request, state)
    asked = await request.json()
    answer = await run_in_threadpool(run_command, state, asked)
    return Response(pickle.dumps(answer), media_type="application/octet-stream")


def run_command(state: Any, asked: dict[str, Any]) -> tuple[Any, ...]:
    """What ``parcours COMMAND ARGS`` prints, run on a reader of ``state``'s workspace."""
    name, args = asked.get("command"), asked.get("args")
    if name not in SUMMARIES or not isinstance(args, list):
        return ("local", "not an analysis command")
    cli_command = command_of(make_command(REGISTRY[name]), name)
    try:
        ctx = cli_command.make_context(name, [str(arg) for arg in args])
    except (typer.TyperException, typer.Exit, typer.Abort):
        return ("local", "the options do not parse")
    given = ctx.params.get("map")
    if given is not None and not Path(given).is_absolute():  # the caller's folder, not ours
        ctx.params["map"] = type(given)(Path(asked["cwd"]) / given)
    printed = io.StringIO()
    caller = Caller(
        Console(
            file=printed,
            width=int(asked["width"]),
            color_system=asked.get("color_system"),
            force_terminal=bool(asked.get("terminal")),
            no_color=bool(asked.get("no_color")),
            legacy_windows=False,
        ),
        chosen=asked.get("lang"),
        locale=asked.get("locale") or "en",
    )
    try:
        with state.reader() as ws, serving(ws), printing_for(caller), ctx:
            cli_command.invoke(ctx)
    except Exception as error:  # noqa: BLE001 - every error goes back to the caller
        return ("error", *remote.error_parts(error))
    return ("printed", printed.getvalue())
