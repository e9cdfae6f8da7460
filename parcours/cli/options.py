"""What every CLI command shares: its common options, and how it opens a workspace and a map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

import parcours
from parcours.cli.output import Format, say_notice
from parcours.config import from_env

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="PARCOURS_WORKSPACE",
        help="Workspace file (or $PARCOURS_WORKSPACE).",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")]
MapOption = Annotated[
    Path | None,
    typer.Option(
        "--map", "-m", help="Journey map YAML (default: the workspace's latest saved map)."
    ),
]
LangOption = Annotated[str | None, typer.Option("--lang", help="fr or en (default: the map's).")]
FreshOption = Annotated[
    bool,
    typer.Option(
        "--fresh",
        help="Compute again, even if the workspace keeps this result for the same map, data "
        "and parameters.",
    ),
]

MaxAgeOption = Annotated[
    str | None,
    typer.Option(
        "--max-age",
        help="Accept a result the workspace keeps from less than this long ago (10m, 1h), "
        "even if data arrived since; the output says how old it is.",
    ),
]


def max_age_of(text: str | None) -> timedelta | None:
    """--max-age read as a duration (InputError, saying what is allowed, for anything else)."""
    from parcours.errors import InputError
    from parcours.maps.duration import parse_duration

    if not text:
        return None
    try:
        return parse_duration(text)
    except InputError as exc:
        raise InputError(f"--max-age: {exc}") from None


# The server's workspace while it runs a command forwarded to it (parcours.cli.forward), in
# that request's thread only: the command uses it instead of opening the file.
_SERVED: ContextVar[Any] = ContextVar("parcours_cli_served", default=None)


@contextmanager
def serving(ws: Any) -> Iterator[None]:
    """Within the block, in this thread, :func:`open_workspace` gives ``ws``."""
    token = _SERVED.set(ws)
    try:
        yield
    finally:
        _SERVED.reset(token)


def open_workspace(path: Path, *, notices: bool = True) -> parcours.Workspace:
    """The workspace at ``path``, with the settings of the ``PARCOURS_*`` variables; what
    opening found (an erasure finished, space worth reclaiming) is said on stderr. In the
    server running a forwarded command, the server's workspace (:func:`serving`)."""
    served = _SERVED.get()
    if served is not None:
        return served
    ws = parcours.open(path, settings=from_env())
    for notice in ws.notices if notices else ():
        say_notice(notice)
    return ws


def workspace_exists(path: Path) -> bool:
    """Whether a workspace is at ``path``: a DuckDB file, or a ``spark:DIR`` warehouse (its
    catalog file)."""
    text = str(path)
    if text.startswith("spark:"):
        from parcours.store.warehouse import CATALOG

        return (Path(text[len("spark:") :]) / CATALOG).exists()
    return path.exists()


def resolve_map(ws: parcours.Workspace, map_file: Path | None) -> parcours.JourneyMap:
    """The map given with --map, else the workspace's latest saved map."""
    return parcours.JourneyMap.load(map_file) if map_file is not None else ws.default_map()
