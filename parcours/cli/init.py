"""`parcours init`: write a journey map from a template.

Registered lazily in :mod:`parcours.cli.app` (see :mod:`parcours.cli.lazy`): its choices
come from the journey-map package, which only this command and its --help import.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import console
from parcours.errors import InputError
from parcours.maps import TEMPLATES, JourneyMap, render_template

TemplateName = Enum("TemplateName", {name: name for name in TEMPLATES}, type=str)  # type: ignore[misc]


class Lang(StrEnum):
    fr = "fr"
    en = "en"


def init(
    template: Annotated[
        TemplateName, typer.Option(help="Which framework to start from.")
    ] = "cinq-phases",  # type: ignore[assignment]
    lang: Annotated[Lang, typer.Option(help="Language of the titles shown.")] = Lang.fr,
    out: Annotated[Path, typer.Option(help="File to write.")] = Path("journey.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a journey map from a template.

    Example: `parcours init --template 5a --lang en --out journey.yaml`
    """
    name = template.value if isinstance(template, Enum) else str(template)
    if out.exists() and not force:
        raise InputError(f"{out} already exists; choose another --out or add --force")
    out.write_text(render_template(name, lang.value), encoding="utf-8")
    jm = JourneyMap.load(out)
    console.print(
        f"Wrote [bold]{out}[/bold]: {jm.title_of(lang.value)} — {len(jm.stages)} stages, "
        f"{len(jm.touchpoints)} touchpoints, {len(jm.personas)} personas.\n"
        f"Edit it, then check it with `parcours validate {out}`."
    )
