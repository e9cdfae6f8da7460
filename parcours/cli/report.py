"""`parcours report` (the whole report, HTML or PDF) and `parcours report map` (the canvas).

Registered in :mod:`parcours.cli.app` with ``app.add_typer(report_app, name="report")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from parcours.cli.options import (
    FreshOption,
    LangOption,
    MapOption,
    MaxAgeOption,
    WorkspaceOption,
    max_age_of,
    open_workspace,
    resolve_map,
    workspace_exists,
)
from parcours.cli.output import err_console, reader_lang, say, say_as_of
from parcours.render.i18n import number, t

report_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
)


def _context(
    workspace: Path,
    map_file: Path | None,
    lang: str | None,
    fresh: bool,
    scope: Any = None,
    max_age: str | None = None,
    earlier: list[Any] | None = None,
):
    """The analysis context, and the runner that asks the workspace for each result (read
    when it keeps it; one of earlier data younger than ``max_age`` too, its ``as_of`` then
    added to ``earlier``) within ``scope`` (a :class:`parcours.workspace.Scope`; the
    renderer restricts the context itself: ``write_map(persona=...)``)."""
    from parcours.errors import InputError

    if lang is not None and lang not in ("fr", "en"):
        raise InputError(f"--lang '{lang}' is not known; allowed: fr, en")
    oldest = max_age_of(max_age)
    if not workspace_exists(workspace):
        raise InputError(
            f"{workspace}: no workspace here; create one with `parcours demo` or `parcours ingest`"
        )
    ws = open_workspace(workspace)
    jm = resolve_map(ws, map_file)
    context = ws.context(jm, lang=lang)
    run = ws.runner(jm, scope=scope, fresh=fresh, max_age=oldest)

    def noted(name: str, lang: str | None, params: dict[str, Any]) -> Any:
        result = run(name, lang, params)
        if earlier is not None and result.as_of is not None:
            earlier.append(result.as_of)
        return result

    return context, noted, _objects(ws, jm, lang)


def _say_earlier(earlier: list[Any], lang: str) -> None:
    """After a report or a canvas drawn from results of earlier data (--max-age): how old
    the oldest is, as an analysis command says it."""
    if earlier:
        say_as_of(min(earlier, key=lambda found: found.computed_at), lang)


def _objects(ws: Any, jm: Any, lang: str | None) -> Any:
    """The sub-maps' rolled-up figures, the comments and the as-is and to-be versions the
    workspace keeps of the map (for the canvas and the report)."""
    from parcours.render.map_objects import report_objects

    return report_objects(ws, jm, lang)


@report_app.callback()
def report(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="File to write: .html (offline, self-contained), .pdf or .png."
        ),
    ] = Path("report.html"),
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    map: MapOption = None,  # noqa: A002
    lang: LangOption = None,
    fresh: FreshOption = False,
    max_age: MaxAgeOption = None,
) -> None:
    """Write the report: summary, friction points, the journey map, then every analysis.

    Example: `parcours report --out report.html`, `parcours report --out report.pdf --lang en`
    """
    if ctx.invoked_subcommand is not None:
        return
    import time

    from parcours.analyses import REGISTRY
    from parcours.render.report import write_report

    earlier: list[Any] = []
    context, run, objects = _context(workspace, map, lang, fresh, max_age=max_age, earlier=earlier)
    said = reader_lang(lang, context.map)
    running: list[tuple[str, float]] = []  # the section under way, and since when
    done = 0

    def section_done() -> None:
        nonlocal done
        if running:
            name, since = running.pop()
            done += 1
            line = t(
                "cmd.report.section",
                said,
                n=done,
                total=len(REGISTRY),
                title=t(f"section.{name}", said),
                seconds=number(time.perf_counter() - since, said, 1),
            )
            err_console.print(line, highlight=False, markup=False)

    with err_console.status(t("cmd.report.building", said)) as status:

        def progress(name: str | None) -> None:  # a line per section as it goes, on stderr
            section_done()  # its time is its analysis's, not the page's layout after the last
            if name is None:
                status.update(t("cmd.report.laying_out", said))
                return
            running.append((name, time.perf_counter()))
            status.update(t("cmd.report.running", said, name=t(f"section.{name}", said)))

        path = write_report(context, out, lang, on_progress=progress, run=run, objects=objects)
    size = number(path.stat().st_size / 1e6, said, 1)
    say("cmd.report.wrote", said, path=path, size=size)
    _say_earlier(earlier, said)


@report_app.command("map")
def report_map(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="File to write: .html, .svg, .png or .pdf.")
    ] = Path("journey-map.html"),
    persona: Annotated[
        str | None,
        typer.Option(
            help="Persona id of the map: the figures are measured on its journeys only, "
            "and its header is shown."
        ),
    ] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    map: MapOption = None,  # noqa: A002
    lang: LangOption = None,
    fresh: FreshOption = False,
    max_age: MaxAgeOption = None,
) -> None:
    """Write the journey map canvas with measured figures, frictions and the emotion curve.

    Example: `parcours report map --out map.png --persona ropo`
    """
    from parcours.analyses.compare import Segment
    from parcours.render.report import write_map

    scope = Segment.persona(persona) if persona is not None else None
    earlier: list[Any] = []
    context, run, objects = _context(workspace, map, lang, fresh, scope, max_age, earlier)
    said = reader_lang(lang, context.map)
    with err_console.status(t("cmd.report.measuring", said)):
        path = write_map(context, out, persona=persona, lang=lang, run=run, objects=objects)
    say("cmd.report.wrote_map", said, path=path)
    _say_earlier(earlier, said)
