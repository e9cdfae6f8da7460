"""What every CLI command shares: its common options, and how it opens a workspace and a map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import parcours
from parcours.cli.output import Format, err_console
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


def open_workspace(path: Path, *, notices: bool = True) -> parcours.Workspace:
    """The workspace at ``path``, with the settings of the ``PARCOURS_*`` variables; what
    opening found (an erasure finished, space worth reclaiming) is said on stderr."""
    ws = parcours.open(path, settings=from_env())
    for notice in ws.notices if notices else ():
        err_console.print(f"[yellow]note:[/yellow] {notice}", highlight=False)
    return ws


def resolve_map(ws: parcours.Workspace, map_file: Path | None) -> parcours.JourneyMap:
    """The map given with --map, else the workspace's latest saved map."""
    return parcours.JourneyMap.load(map_file) if map_file is not None else ws.default_map()
