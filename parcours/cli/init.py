"""`parcours init`: write a journey map from a template, or drafted from the workspace's data.

Registered lazily in :mod:`parcours.cli.app` (see :mod:`parcours.cli.lazy`): its choices
come from the journey-map package, which only this command and its --help import.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parcours import remote
from parcours.cli.options import WorkspaceOption, open_workspace
from parcours.cli.output import reader_lang, say
from parcours.errors import InputError
from parcours.maps import (
    TEMPLATES,
    Channel,
    Conversion,
    JourneyMap,
    JourneySettings,
    Stage,
    render_template,
)
from parcours.render.i18n import counted, t

if TYPE_CHECKING:
    import parcours

TemplateName = Enum("TemplateName", {name: name for name in TEMPLATES}, type=str)  # type: ignore[misc]

# The scaffold the data is read through to draft a map: persons and journeys cut by an idle
# timeout, every event unmapped, and a conversion named so that no log holds it, so that no
# conversion cuts a journey short.
_NO_EVENT = "parcours: no conversion while drafting a map (3f9c2e7a)"


def _scaffold(timeout: str = "30d") -> JourneyMap:
    return JourneyMap(
        map="brouillon",
        title="brouillon",
        stages=[Stage(id="tout", title="tout")],
        channels=[Channel(id="tout")],
        conversion=Conversion(event=_NO_EVENT),
        journey=JourneySettings(timeout=timeout),
    )


class Lang(StrEnum):
    fr = "fr"
    en = "en"


def init(
    template: Annotated[
        TemplateName, typer.Option(help="Which framework to start from.")
    ] = "cinq-phases",  # type: ignore[assignment]
    from_data: Annotated[
        bool,
        typer.Option(
            "--from-data",
            help="Draft the map from the workspace's events (stages, touchpoints, channels, "
            "conversion, personas) instead of a template.",
        ),
    ] = False,
    lang: Annotated[Lang, typer.Option(help="Language of the titles shown.")] = Lang.fr,
    out: Annotated[Path, typer.Option(help="File to write.")] = Path("journey.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    workspace: WorkspaceOption = Path("parcours.duckdb"),
) -> None:
    """Write a journey map from a template, or draft one from the workspace's events.

    Example: `parcours init --template 5a --lang en --out journey.yaml`, or from the
    events already loaded: `parcours init --from-data --out journey.yaml -w bpic.duckdb`
    """
    if out.exists() and not force:
        raise InputError(f"{out} already exists; choose another --out or add --force")
    if from_data:
        if not workspace.exists():
            raise InputError(
                f"{workspace}: no such workspace; load events first (`parcours ingest events "
                f"FILE -w {workspace}`) or give one with -w"
            )
        ws = open_workspace(workspace)
        try:
            text = remote.call(ws, draft_text, lang.value, _map_id(workspace))  # in its server
        finally:
            ws.close()
    else:
        name = template.value if isinstance(template, Enum) else str(template)
        text = render_template(name, lang.value)
    out.write_text(text, encoding="utf-8")
    jm = JourneyMap.load(out)
    said = reader_lang(lang.value)
    say(
        "cmd.init.wrote",
        said,
        out=out,
        title=jm.title_of(lang.value),
        stages=counted(len(jm.stages), "stage", said),
        touchpoints=counted(len(jm.touchpoints), "touchpoint", said),
        personas=counted(len(jm.personas), "persona", said),
    )
    check = f"`parcours validate {out}`" + (
        t("cmd.init.and", said) + f"`parcours coverage --map {out} -w {workspace}`"
        if from_data
        else ""
    )
    say("cmd.init.next", said, check=check + ".")


def draft_text(ws: parcours.Workspace, lang: str, map_id: str) -> str:
    """The YAML of a map drafted from the events of ``ws`` (see :mod:`parcours.maps.draft`)."""
    from parcours.maps.draft import draft_map, idle_timeout, profile
    from parcours.store.engine import json_text

    if not ws.events.count().to_pyarrow().as_py():
        raise InputError(
            "the workspace has no events to draft a map from; load some first "
            "(`parcours ingest events FILE`), or start from a template (`parcours init`)"
        )
    timeout, gap_days = idle_timeout(ws.journeys(_scaffold()))
    scaffold = _scaffold(timeout)
    customers = ws.customers
    figures = profile(
        ws.journeys(scaffold),
        scaffold.journey.timeout_delta,
        customers,
        lambda key: json_text(customers.attributes, key),
        timeout,
        gap_days,
    )
    return draft_map(figures, lang, map_id)


def _map_id(workspace: Path) -> str:
    """The drafted map's id, from the workspace's name (``bpic2012.duckdb`` -> ``bpic2012``)."""
    from parcours.maps.draft import _slug

    return _slug(workspace.stem, "brouillon").replace("_", "-")
