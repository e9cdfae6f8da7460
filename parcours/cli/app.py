"""The commands of ``parcours``: maps, ingestion, workspace inspection and the demo."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from parcours.cli.lazy import APP_SETTINGS, add_lazy_command
from parcours.cli.localize import LocalizedGroup
from parcours.cli.options import (
    FormatOption,
    MapOption,
    WorkspaceOption,
    open_workspace,
    resolve_map,
    workspace_exists,
)
from parcours.cli.output import (
    Format,
    choose_lang,
    console,
    emit_dict,
    emit_frame,
    emit_records,
    err_console,
    print_prose,
    reader_lang,
    say,
    say_notice,
)
from parcours.errors import InputError
from parcours.render.i18n import STRINGS, counted, labelled, number, pct, plural_form, t

if TYPE_CHECKING:
    from rich.progress import Progress

    from parcours.store.ingest import IngestReport

# Each command imports what it needs (maps, the workspace, pandas) when it runs: Typer reads
# every command's signature at start, `parcours --help` included.
app = typer.Typer(
    name="parcours",
    help="Customer journey maps as code, measured against real omnichannel data.\n\n"
    "Start with `parcours demo`, then `parcours status`.",
    no_args_is_help=True,
    cls=LocalizedGroup,
    **APP_SETTINGS,
)


@app.callback()
def _every_command(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="PARCOURS_LANG",
            help="fr or en: the language every command prints in (or $PARCOURS_LANG; "
            "default: the map's, then the locale's). An analysis or report's own --lang wins.",
        ),
    ] = None,
) -> None:
    """Customer journey maps as code, measured against real omnichannel data."""
    choose_lang(lang)


def progress_bar() -> Progress:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


# -- maps ---------------------------------------------------------------------------------


def _init() -> Callable[..., None]:
    from parcours.cli.init import init

    return init


add_lazy_command(
    app,
    "init",
    "Write a journey map from a template, or draft one from the workspace's events.",
    _init,
)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The journey map YAML file.")],
    format: FormatOption = Format.table,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Also look up the sub-maps named by id (submap: livraison) in this workspace.",
        ),
    ] = None,
) -> None:
    """Check a journey map; every problem is listed with its line and what is allowed.

    Sub-map files (submap: {file: ...}) are checked too: found, valid, no cycle.

    Example: `parcours validate journey.yaml`
    """
    from parcours.maps import nesting, validate_file

    if not file.exists():
        raise InputError(f"{file}: no such file")
    jm = validate_file(file)
    if workspace is None:
        nesting.resolve(jm)
    else:
        with open_workspace(workspace) as ws:
            nesting.resolve(jm, ws.load_map)
    lang = reader_lang(None, jm)
    summary = {
        "file": str(file),
        "map": jm.map,
        "title": jm.title_of(),
        "stages": len(jm.stages),
        "touchpoints": len(jm.touchpoints),
        "personas": len(jm.personas),
        "channels": len(jm.channels),
        "timeout": jm.journey.timeout,
        "valid": True,
    }
    if format is Format.table:
        console.print("[green]✓[/green] ", end="")
        say(
            "cmd.valid",
            lang,
            file=file,
            title=jm.title_of(lang),
            stages=counted(len(jm.stages), "stage", lang),
            touchpoints=counted(len(jm.touchpoints), "touchpoint", lang),
            personas=counted(len(jm.personas), "persona", lang),
            channels=counted(len(jm.channels), "channel", lang),
        )
    else:
        emit_dict(summary, format)


# -- ingestion ----------------------------------------------------------------------------


class Target(StrEnum):
    events = "events"
    customers = "customers"
    feedback = "feedback"


class OnConflict(StrEnum):
    first = "first"
    latest = "latest"


@app.command()
def ingest(
    target: Annotated[Target, typer.Argument(help="events, customers or feedback.")],
    file: Annotated[
        str,
        typer.Argument(
            help="CSV, Parquet, NDJSON/JSON or XES file; on a spark: workspace also a URI "
            "(s3a://, hdfs://, abfss://) the Spark session reads."
        ),
    ],
    mapping: Annotated[Path | None, typer.Option(help="Column mapping YAML file.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Zone of naive timestamps (default Europe/Paris).")
    ] = None,
    on_conflict: Annotated[
        OnConflict | None,
        typer.Option(
            help="An event_id (feedback_id) already stored or given with other content: keep "
            "the first version (default) or the latest; the other goes to `rejected`."
        ),
    ] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Load a file into the workspace; bad rows are kept in `rejected` with their reason.

    Example: `parcours ingest events web_events.csv --mapping mapping.yaml`
    """
    ws = open_workspace(workspace)
    lang = reader_lang(map_lang=ws.map_lang)
    extra: dict[str, str] = {"timezone": timezone} if timezone else {}
    if on_conflict is not None:  # these win over the mapping file's keys
        extra["on_conflict"] = on_conflict.value
    from parcours.store import sources, spark_files

    # A folder here is listed here (a server holding the workspace has its own folders).
    uri = spark_files.is_uri(file)
    files: list[str] | list[Path] = ws.files_at(file) if uri else sources.local_files(Path(file))
    method = getattr(ws, f"ingest_{target.value}")
    reports = []
    for source in files:  # a folder: each of its files, one batch each
        name = spark_files.file_name(source) if isinstance(source, str) else source.name
        with progress_bar() as bar:
            task = bar.add_task(t("cmd.ingest.progress", lang, file=name), total=100)
            shown: dict[str, Any] = {**extra}
            shown["on_progress"] = lambda p, bar=bar, task=task: bar.update(task, completed=p)
            report = method(source, mapping, **shown) if mapping else method(source, **shown)
        reports.append(report)
        if format is Format.table:
            _say_ingested(report, target.value, str(source), lang)
    if format is Format.table:
        if any(r.rejected or r.conflicts or r.replaced for r in reports):
            say("cmd.ingest.see", lang)
    elif files == [file if uri else Path(file)]:  # one file: its report
        emit_dict(reports[0].to_dict(), format)
    else:  # a folder: a report per file
        emit_records([r.to_dict() for r in reports], format)


def _say_ingested(report: IngestReport, target: str, file: str, lang: str) -> None:
    """One file's ingest in words: its counts, then each reason rows were refused for."""

    def count(key: str, n: int) -> str:  # 1 refusée, 2 refusées; 0 doublon (French)
        one = f"cmd.ingest.{key}.one"
        said = one if one in STRINGS and plural_form(n, lang) == "one" else f"cmd.ingest.{key}"
        return escape(t(said, lang, n=number(n, lang)))

    key = "cmd.ingest.rows.one" if plural_form(report.rows, lang) == "one" else "cmd.ingest.rows"
    named = t(f"cmd.field.{target}", lang)  # the table in the reader's words: événements
    rows = t(key, lang, target=named, file=file, rows=number(report.rows, lang))
    console.print(
        escape(rows)
        + f"[green]{count('accepted', report.accepted)}[/green], "
        + f"{count('duplicates', report.duplicates)}, "
        + (f"[yellow]{count('conflicts', report.conflicts)}[/yellow], " if report.conflicts else "")
        + f"[{'red' if report.rejected else 'green'}]{count('rejected', report.rejected)}[/]"
        + (f", {count('replaced', report.replaced)}" if report.replaced else "")
        + (f", {count('skipped', report.skipped)}" if report.skipped else "")
        + f" ({number(report.seconds, lang, 1)} s).",
        highlight=False,
    )
    from parcours.render.present import error_text  # the reasons are kept in English

    for reason, n in report.reasons.items():
        print_prose(f"  {number(n, lang)} × {escape(error_text(reason, lang))}", lang)
    for reason, n in report.skips.items():
        say("cmd.ingest.skipped_because", lang, n=number(n, lang), reason=error_text(reason, lang))


@app.command()
def rejected(
    limit: Annotated[int, typer.Option(help="How many rows to show.")] = 20,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Show rejected input rows with their reason, source and row number.

    Example: `parcours rejected --limit 50 --format csv`
    """
    ws = open_workspace(workspace)
    table = ws.rejected.order_by(["source", "row_number"]).limit(limit)
    frame = table.select("target", "source", "row_number", "reason", "record").to_pandas()
    lang = reader_lang(map_lang=ws.map_lang)
    if format is not Format.table:
        emit_frame(frame, format)
        return
    if frame.empty:
        say("cmd.rejected.none", lang)
        return
    from parcours.render.present import error_text  # kept in English, read in lang

    # a row per paragraph: where it comes from and why, then what it held
    say("cmd.rejected.title", lang, style="bold", limit=number(limit, lang))
    for row in frame.itertuples(index=False):
        where = t("cmd.rejected.row", lang, source=row.source, row=number(row.row_number, lang),
                  target=row.target)  # fmt: skip
        print_prose(f"{escape(labelled(where, error_text(row.reason, lang), lang))}", lang)
        print_prose(f"[dim]  {escape(str(row.record))}[/dim]", lang)


# -- workspace ----------------------------------------------------------------------------


@app.command()
def status(
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """What the workspace holds: rows per table, persons, maps, events in the collector's spool.

    Example: `parcours status --workspace demo.duckdb`
    """
    if not workspace_exists(workspace):
        raise InputError(
            f"{workspace}: no workspace here; create one with `parcours demo` or `parcours ingest`"
        )
    from parcours.store.status import engine_status, map_lang_of, quick_status

    found = quick_status(workspace)
    if found is None:
        # Held by a server: it answers. An older schema, an erasure to finish, a damaged
        # file: the usual opening does the work, or says what is wrong. Another engine
        # (spark:DIR) is asked through the workspace.
        from parcours.remote import served_status

        with open_workspace(workspace) as ws:
            found = served_status(ws) or quick_status(workspace) or engine_status(ws)
    if found is None:
        raise InputError(f"{workspace}: not a parcours workspace this version can read")
    # A table speaks the map's language (the reader's, when set), its notices too.
    lang = None
    if format is Format.table:
        lang = reader_lang(map_lang=lambda: map_lang_of(found.get("map_yaml")))
    for notice in found["notices"]:
        say_notice(notice, lang)
    data = {
        "workspace": str(workspace),
        **found["counts"],
        "persons": found["persons"],
        "shared_identifiers": found["shared_identifiers"],
        "maps": ", ".join(found["maps"]),
        # Acknowledged by the collector, waiting in its spool to be loaded.
        "spooled_events": found.get("spooled", 0),
    }
    # Resolving persons can take minutes on a large workspace: status only says it is due.
    counts = found["counts"]
    current = found["identities_current"] or not counts["events"] + counts["customers"]
    if format is not Format.table:  # for programs, as it always was
        data["persons_resolved"] = (
            "yes"
            if current
            else "no: data came in since (`parcours identities`, or any analysis, resolves them)"
        )
        emit_dict(data, format)
        return
    data["persons_resolved"] = t(f"cmd.status.{'resolved' if current else 'unresolved'}", lang)
    emit_dict(data, format, title=t("cmd.status.title", lang), lang=lang)


@app.command()
def identities(
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Resolve persons again and list the over-shared identifiers (not used to merge).

    Example: `parcours identities`
    """
    ws = open_workspace(workspace)
    ids = ws.resolve_identities()
    persons = ids.filter(~ids.shared).person_id.nunique().to_pyarrow().as_py()
    shared = ws.shared_identifiers().select("identifier", "kind", "persons").to_pandas()
    lang = reader_lang(map_lang=ws.map_lang)
    if format is Format.table:
        resolved = ids.count().to_pyarrow().as_py()
        say(
            "cmd.identities.resolved",
            lang,
            identifiers=number(resolved, lang),
            persons=number(persons, lang),
        )
        if len(shared):
            limit = ws.settings.max_persons_per_identifier
            shared_n, limit_n = number(len(shared), lang), number(limit, lang)
            say("cmd.identities.shared", lang, n=shared_n, limit=limit_n)
    emit_frame(shared, format, title=t("cmd.identities.title", lang), lang=lang)


@app.command()
def forget(
    identifier: Annotated[str, typer.Argument(help="kind:value, e.g. email:alice@example.fr")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Erase a person (RGPD) from every table, found by any of their identifiers, and out
    of the workspace file's bytes (the file is rewritten; see docs/privacy.md).

    Every identifier stitched to the person goes too. One audit line is kept, with no
    personal data (a salted hash and the rows deleted per table).

    Example: `parcours forget email:alice@example.fr --yes`
    """
    from parcours.render.present import error_text

    ws = open_workspace(workspace)
    lang = reader_lang(map_lang=ws.map_lang)
    if not yes and not typer.confirm(t("cmd.forget.confirm", lang, identifier=identifier)):
        raise typer.Exit(1)
    erasure = ws.forget(identifier)
    rewrite = erasure.compaction
    if format is not Format.table:
        emit_dict(
            {
                "subject": erasure.subject,
                "identifiers": erasure.identifiers,
                **erasure.rows,
                "physical": erasure.physical,
                "bytes_before": rewrite.before if rewrite else None,
                "bytes_after": rewrite.after if rewrite else None,
            },
            format,
        )
        return
    deleted = ", ".join(
        f"{number(n, lang)} {t(f'cmd.field.{table}', lang) if f'cmd.field.{table}' in STRINGS else table}"
        for table, n in erasure.rows.items()
    )
    say("cmd.forget.erased", lang, identifiers=erasure.identifiers, deleted=deleted)
    say("cmd.forget.bytes", lang, physical=error_text(erasure.physical, lang))


@app.command()
def compact(
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """Rewrite the workspace file with its live rows only, giving back the space of deleted
    rows and of ingests that did not finish (killed, or interrupted by an error or Ctrl-C).

    A kill at any moment leaves the old file or the new one, never a broken one.

    Example: `parcours compact --workspace demo.duckdb`
    """
    if not workspace_exists(workspace):
        raise InputError(f"{workspace}: no workspace here; nothing to compact")
    done = open_workspace(workspace, notices=False).compact()  # it does what they say
    if format is not Format.table:
        emit_dict(
            {
                "workspace": done.path,
                "bytes_before": done.before,
                "bytes_after": done.after,
                "bytes_reclaimed": done.reclaimed,
                "seconds": round(done.seconds, 3),
            },
            format,
        )
        return
    lang = reader_lang()
    say(
        "cmd.compact.done",
        lang,
        path=done.path,
        before=number(done.before / 2**20, lang, 1),
        after=number(done.after / 2**20, lang, 1),
        reclaimed=number(done.reclaimed / 2**20, lang, 1),
        seconds=number(done.seconds, lang, 1),
    )


@app.command()
def coverage(
    map: MapOption = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """How many events of each name and channel the map's touchpoints cover.

    Example: `parcours coverage --map journey.yaml`
    """
    ws = open_workspace(workspace)
    jm = resolve_map(ws, map)
    frame = ws.coverage(jm)
    lang = reader_lang(None, jm)
    if format is Format.table:
        total, mapped = int(frame.events.sum()), int(frame.mapped.sum())
        say(
            "cmd.coverage.mapped",
            lang,
            map=jm.map,
            mapped=number(mapped, lang),
            total=number(total, lang),
            share=pct(mapped / max(total, 1), lang, 1),
        )
        left = (frame.events - frame.mapped).groupby(frame.event).sum()  # by name, then by count
        left = left.sort_values(ascending=False, kind="stable")
        left = left[left > 0]
        if len(left):
            names = ", ".join(
                f"{name} ({number(int(n), lang)})" for name, n in left.head(10).items()
            )
            more = (
                t("cmd.coverage.more", lang, n=number(len(left) - 10, lang))
                if len(left) > 10
                else ""
            )
            say("cmd.coverage.unmatched", lang, names=names, more=more)
    emit_frame(frame, format, title=t("cmd.coverage.title", lang), lang=lang)


class ExportFormat(StrEnum):
    xes = "xes"
    csv = "csv"


@app.command()
def export(
    output: Annotated[Path, typer.Argument(help="File to write (a .gz name is gzipped).")],
    format: Annotated[  # noqa: A002
        ExportFormat, typer.Option("--format", "-f", help="xes (an event log) or csv.")
    ] = ExportFormat.xes,
    case: Annotated[str, typer.Option(help="XES: a trace per person or per journey.")] = "person",
    level: Annotated[
        str, typer.Option(help="XES: an event's concept:name: touchpoint, stage, channel or event.")
    ] = "touchpoint",
    map: MapOption = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Export the journey table: an XES event log for process-mining tools (pm4py, ProM,
    Disco), or a CSV file, one row per event.

    Example: `parcours export journeys.xes.gz --map journey.yaml`
    """
    from parcours import remote
    from parcours.store.xes import export_journeys

    ws = open_workspace(workspace)
    jm = resolve_map(ws, map)
    target = output.resolve()  # a server holding the workspace has its own working folder
    events = remote.call(
        ws, export_journeys, jm, target, format=format.value, case=case, level=level
    )  # in the server that holds the workspace, if one does
    lang = reader_lang(None, jm)
    say("cmd.export.done", lang, events=number(events, lang), output=output, format=format.value)


maps_app = typer.Typer(
    help="Journey maps saved in the workspace: save, list, history, show.", no_args_is_help=True
)
app.add_typer(maps_app, name="maps")


@maps_app.command("save")
def maps_save(
    file: Annotated[Path, typer.Argument(help="The journey map YAML file.")],
    message: Annotated[str | None, typer.Option(help="What changed.")] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Save a new version of a map in the workspace.

    Example: `parcours maps save journey.yaml --message "paiement: objectif 85%"`
    """
    from parcours.maps import JourneyMap

    jm = JourneyMap.load(file)
    version = open_workspace(workspace).save_map(jm, message)
    say("cmd.maps.saved", reader_lang(None, jm), map=jm.map, version=version)


@maps_app.command("list")
def maps_list(
    workspace: WorkspaceOption = Path("parcours.duckdb"), format: FormatOption = Format.table
) -> None:
    """List the maps of the workspace with their latest version.

    Example: `parcours maps list`
    """
    ws = open_workspace(workspace)
    lang = reader_lang(map_lang=ws.map_lang)
    emit_frame(ws.maps(), format, title=t("cmd.maps.title", lang), lang=lang)


@maps_app.command("history")
def maps_history(
    map_id: str,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """The versions of one map.

    Example: `parcours maps history maison-lumiere`
    """
    ws = open_workspace(workspace)
    versions = ws.map_versions(map_id)
    lang = reader_lang(None, ws.load_map(map_id))  # the map's own language
    title = t("cmd.maps.versions", lang, map=map_id)
    emit_frame(versions, format, title=title, lang=lang)


@maps_app.command("diff")
def maps_diff(
    map_id: str,
    from_version: Annotated[int, typer.Option("--from", help="The older version.")],
    to_version: Annotated[
        int | None, typer.Option("--to", help="The newer version (default: latest).")
    ] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
    format: FormatOption = Format.table,
) -> None:
    """What changed between two versions of a map: per stage, touchpoint, persona and channel,
    then the text diff of the YAML.

    Example: `parcours maps diff maison-lumiere --from 1 --to 2`
    """
    ws = open_workspace(workspace)
    diff = ws.map_diff(map_id, from_version, to_version)
    if format is Format.json:
        emit_dict(diff, format)
        return
    lang = reader_lang(None, ws.load_map(map_id))
    if diff["identical"]:
        say("cmd.maps.identical", lang)
        return
    for section, changes in diff["sections"].items():
        for kind in ("added", "removed", "changed"):
            for item in changes.get(kind, []):
                label = (
                    item if isinstance(item, str) else f"{item['id']} ({', '.join(item['fields'])})"
                )
                say(f"cmd.maps.change.{section}.{kind}", lang, label=label)
    if diff["fields"]:
        say("cmd.maps.other_fields", lang, fields=", ".join(diff["fields"]))
    print(diff["unified"], end="")


@maps_app.command("show")
def maps_show(
    map_id: str,
    version: Annotated[int | None, typer.Option(help="Version (default: latest).")] = None,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Print one version of a map as YAML.

    Example: `parcours maps show maison-lumiere --version 1 > journey.yaml`
    """
    print(open_workspace(workspace).load_map(map_id, version).dumps(), end="")


# -- demo ---------------------------------------------------------------------------------


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="How many persons to simulate.", min=100)] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard at the end.")
    ] = True,
    map_out: Annotated[
        Path, typer.Option("--map-out", help="Where to write the demo's journey map.")
    ] = Path("maison-lumiere.yaml"),
    port: Annotated[int, typer.Option(help="Port of the dashboard served at the end.")] = 8765,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Simulate Maison Lumière, an omnichannel retailer, and load it into the workspace.

    Example: `parcours demo --persons 5000 --workspace demo.duckdb --no-serve`
    """
    from parcours.demo.load import demo_map_text, load_demo

    ws = open_workspace(workspace)
    lang = reader_lang()
    with progress_bar() as bar:
        task = bar.add_task(t("cmd.demo.progress", lang), total=persons)
        load = load_demo(
            ws,
            persons=persons,
            seed=seed,
            on_chunk=lambda done, _: bar.update(task, completed=done),
        )
    if not map_out.exists():
        map_out.write_text(demo_map_text(), encoding="utf-8")
    ids = ws.identities()
    resolved = ids.filter(~ids.shared).person_id.nunique().to_pyarrow().as_py()
    shared = ids.filter(ids.shared).count().to_pyarrow().as_py()
    duplicates = load.total("events", "duplicates")
    say("cmd.demo.loaded", lang, style="bold", workspace=workspace, seed=seed)
    rows = t(
        "cmd.demo.rows",
        lang,
        events=number(load.total("events"), lang),
        customers=number(load.total("customers"), lang),
        feedback=number(load.total("feedback"), lang),
    )
    more = t("cmd.demo.already", lang, n=number(duplicates, lang)) if duplicates else ""
    console.print(escape(rows + more), highlight=False)
    say(
        "cmd.demo.persons",
        lang,
        simulated=number(persons, lang),
        resolved=number(resolved, lang),
        shared=number(shared, lang),
    )
    say("cmd.demo.map", lang, map=load.map_id, version=load.map_version, out=map_out)
    console.print(
        f"\n{escape(t('cmd.demo.next', lang))}\n"
        f"  parcours status -w {workspace}\n"
        f"  parcours frictions -w {workspace}          {escape(t('cmd.demo.frictions', lang))}\n"
        f"  parcours funnel panier debut_commande paiement_web achat_en_ligne -w {workspace}\n"
        f"  parcours report --out report.html -w {workspace}\n"
        f"  parcours validate {map_out}\n" + escape(t("cmd.demo.planted", lang)),
        highlight=False,
        soft_wrap=True,  # commands to copy: never cut by a line break of ours
    )
    if serve:
        from parcours.cli.serve import serve_workspace

        serve_workspace(ws, "127.0.0.1", port)


# Every registered analysis becomes a command (parcours funnel, parcours paths, ...).
from parcours.cli.analyses import register_commands  # noqa: E402
from parcours.cli.report import report_app  # noqa: E402
from parcours.cli.serve import keys_app, serve  # noqa: E402

register_commands(app)
app.add_typer(keys_app, name="keys")
app.add_typer(report_app, name="report")
app.command()(serve)
