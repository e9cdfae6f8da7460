"""An analysis command sent whole to the server that holds its workspace, which prints it.

While ``parcours serve`` holds a workspace, ``parcours kpis -w ws.duckdb`` needs nothing of
its own process but a terminal: :func:`forward` sends the command's words (and what the
terminal is like: its width, its colours, the run's language) to the server's local channel,
``POST /v1/local/command``; the server reads the options as the command would, runs it on
one of its readers (a result the workspace keeps is read from the results store) and prints
it for this terminal (:mod:`parcours.cli.served`); :func:`forward` writes what comes back.
The output is the command's own, byte for byte; the process imports neither pandas, Ibis
nor DuckDB, so a kept result prints in a fraction of a second of CPU.

Only the analysis commands are forwarded, and only when a live server holds the workspace
(:func:`parcours.remote.find_server`). ``--help``, a command the server cannot read (a usage
error) and every other command run here, as before (the other commands still reach the
workspace through the server, one call at a time). An error the analysis raised in the
server comes back with its class and message, so it ends with the same exit code.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from parcours import remote
from parcours.analyses import SUMMARIES

# The server's route for a forwarded command.
ROUTE = "/v1/local/command"


def forward(argv: list[str]) -> int | None:
    """Run ``parcours ARGV`` in the server holding its workspace and print its output; its
    exit code, or None when the command is to run here (not an analysis, no server, or one
    the server left to this process)."""
    at = _command_at(argv)
    if at is None or argv[at] not in SUMMARIES:
        return None
    name, args = argv[at], argv[at + 1 :]
    chosen = _lang_in(argv[:at]) or os.environ.get("PARCOURS_LANG")
    if "--help" in args or "--" in args or chosen not in (None, "fr", "en"):
        return None
    workspace = _workspace_in(args)
    if workspace is None:
        return None
    server = remote.find_server(workspace)
    if server is None:
        return None
    from parcours.cli.output import console, locale_lang

    asked = {
        "command": name,
        "args": args,
        "cwd": os.getcwd(),
        "lang": chosen,
        "locale": locale_lang(),
        "width": console.width,
        "color_system": console.color_system,
        "terminal": console.is_terminal,
        "no_color": console.no_color,
    }
    kind, *rest = _post(server, workspace, asked)
    if kind == "local":
        return None
    if kind == "error":
        raise remote.rebuild_error(*rest)
    sys.stdout.write(rest[0])
    sys.stdout.flush()
    return 0


def _post(server: remote.ServerInfo, workspace: str, asked: dict[str, Any]) -> list[Any]:
    body = remote.post(
        server,
        ROUTE,
        json.dumps(asked).encode(),
        workspace=workspace,
        what="command",
        content_type="application/json",
        unknown_route_ok=True,  # a server of an earlier version: the command runs here
    )
    if body is None:
        return ["local"]
    return list(pickle.loads(body))  # noqa: S301 - the server's answer to our credential


def _command_at(argv: list[str]) -> int | None:
    """Where the command's name is in ``argv``: after ``--lang X``, the one option before
    it that is forwarded; None for any other (``--help``), or no command."""
    at = 0
    while at < len(argv):
        if argv[at] == "--lang":
            at += 2
        elif argv[at].startswith("--lang="):
            at += 1
        elif argv[at].startswith("-"):
            return None
        else:
            return at
    return None


def _lang_in(options: list[str]) -> str | None:
    for at, option in enumerate(options):
        if option.startswith("--lang="):
            return option.partition("=")[2]
        if option == "--lang" and at + 1 < len(options):
            return options[at + 1]
    return None


def _workspace_in(args: list[str]) -> str | None:
    """The workspace a command's ``-w``/``--workspace`` names, else ``PARCOURS_WORKSPACE``,
    else the default; None when ``-w`` ends the line without its value."""
    for at, arg in enumerate(args):
        if arg in ("-w", "--workspace"):
            return args[at + 1] if at + 1 < len(args) else None
        if arg.startswith("--workspace="):
            return arg.partition("=")[2]
        if arg.startswith("-w") and len(arg) > 2:
            return arg[2:]
    return os.environ.get("PARCOURS_WORKSPACE") or str(Path("parcours.duckdb"))
