"""One CLI command per registered analysis, built from the analysis' typed signature.

``parcours funnel STEP... --window 14d --order strict`` comes from
``funnel(ctx, steps: list[str], window: str = "14d", order: Literal[...] = "ordered")``:
a required ``list[str]`` becomes positional arguments, everything else an option, a
``Literal`` a choice, an optional ``list[str]`` a comma-separated option.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from parcours.analyses import REGISTRY, SUMMARIES
from parcours.cli.lazy import add_lazy_command
from parcours.cli.options import (
    FreshOption,
    MaxAgeOption,
    max_age_of,
    open_workspace,
    resolve_map,
)
from parcours.cli.output import Format, emit_frame, emit_result, reader_lang, stdout

if TYPE_CHECKING:
    from parcours.analyses import Analysis, Result
    from parcours.maps import JourneyMap

COMMON = ("workspace", "map", "format", "lang", "by", "all_tables", "fresh", "max_age")


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return annotation, False


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (list, tuple)


def _cli_parameter(analysis: Analysis, param: inspect.Parameter) -> tuple[inspect.Parameter, Any]:
    """A typer-ready parameter, and a function turning its CLI value back into the API's."""
    annotation, optional = _unwrap_optional(param.annotation)
    flag = "--" + param.name.replace("_", "-")
    required = param.default is inspect.Parameter.empty
    help_text = analysis.parameter_help(param.name)
    # Type forms built at run time, for typer to read: values here, not static types.
    typed: object
    kind: object
    default: str | Enum | None

    if _is_list(annotation):
        if required:
            typed = Annotated[list[str], typer.Argument(help=help_text, show_default=False)]
            return param.replace(annotation=typed, default=inspect.Parameter.empty), list
        typed = Annotated[
            str | None, typer.Option(flag, help=(help_text + " (comma-separated)").strip())
        ]
        default = ",".join(param.default) if param.default else None
        return param.replace(annotation=typed, default=default), _split
    if typing.get_origin(annotation) is Literal:
        choices = Enum(  # type: ignore[misc]  # the functional API, with a name made at run time
            f"{param.name}_choices", {v: v for v in typing.get_args(annotation)}, type=str
        )
        kind = choices | None if optional else choices
        default = (
            None if param.default in (None, inspect.Parameter.empty) else choices(param.default)
        )
        typed = Annotated[kind, typer.Option(flag, help=help_text)]
        return param.replace(
            annotation=typed, default=default
        ), lambda v: v.value if isinstance(v, Enum) else v
    if annotation is bool:
        typed = Annotated[bool, typer.Option(f"{flag}/--no-{flag[2:]}", help=help_text)]
        return param.replace(annotation=typed), lambda v: v
    kind = annotation | None if optional else annotation
    if required:
        typed = Annotated[kind, typer.Argument(help=help_text)]
    else:
        typed = Annotated[kind, typer.Option(flag, help=help_text)]
    return param.replace(annotation=typed), lambda v: v


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def print_result(
    result: Result,
    fmt: Format,
    all_tables: bool = False,
    jm: JourneyMap | None = None,
    lang: str | None = None,
) -> None:
    """JSON and CSV as computed (ids, ratios); a table as its reader reads it, in ``lang``
    (--lang, else the map's language, else the locale's), with the map's titles when the map
    is given."""
    if fmt is Format.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), file=stdout())
        return
    if fmt is Format.csv:
        emit_frame(result.table, fmt)
        return
    emit_result(result, jm, reader_lang(lang, jm), all_tables=all_tables)


def make_command(analysis: Analysis) -> Callable[..., None]:
    """A function whose signature typer reads: the analysis' parameters plus common options."""

    converted = [_cli_parameter(analysis, p) for p in analysis.parameters()]
    own = [p for p, _ in converted]
    converters = {p.name: convert for p, convert in converted}
    common = [
        inspect.Parameter(
            "workspace",
            inspect.Parameter.KEYWORD_ONLY,
            default=Path("parcours.duckdb"),
            annotation=Annotated[
                Path,
                typer.Option(
                    "--workspace", "-w", envvar="PARCOURS_WORKSPACE", help="Workspace file."
                ),
            ],
        ),
        inspect.Parameter(
            "map",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                Path | None,
                typer.Option(
                    "--map",
                    "-m",
                    help="Journey map YAML (default: the workspace's latest saved map).",
                ),
            ],
        ),
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            default=Format.table,
            annotation=Annotated[
                Format, typer.Option("--format", "-f", help="table, json or csv.")
            ],
        ),
        inspect.Parameter(
            "lang",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                str | None, typer.Option("--lang", help="fr or en (default: the map's).")
            ],
        ),
        inspect.Parameter(
            "by",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                str | None,
                typer.Option(
                    "--by",
                    help="Split by a journey column (persona, channel, stage...): "
                    "one result per value, stacked.",
                ),
            ],
        ),
        inspect.Parameter(
            "all_tables",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[
                bool, typer.Option("--all", help="Print every table of the result.")
            ],
        ),
        inspect.Parameter(
            "fresh", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=FreshOption
        ),
        inspect.Parameter(
            "max_age", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=MaxAgeOption
        ),
    ]
    positional = [p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in own]

    def command(**values: Any) -> None:
        max_age = max_age_of(values["max_age"])
        ws = open_workspace(values["workspace"])
        jm = resolve_map(ws, values["map"])
        reader_lang(values["lang"], jm)  # a parameter refused below is said in it too
        params = {
            name: converters[name](values[name])
            for name in converters
            if values.get(name) is not None
        }
        # Through the workspace, which reads the result when it keeps it (--fresh: never;
        # --max-age: one computed on earlier data too).
        result: Result = ws.analyze(
            analysis.name,
            jm,
            by=values["by"],
            lang=values["lang"],
            fresh=values["fresh"],
            max_age=max_age,
            **params,
        )
        print_result(result, values["format"], values["all_tables"], jm, values["lang"])

    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*positional, *(c.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for c in common)]
    )
    command.__name__ = analysis.name
    doc = analysis.doc.split("\n\n")[0]
    command.__doc__ = f"{doc}\n\nExample: `{analysis.example}`"
    return command


def register_commands(app: typer.Typer) -> None:
    """One command per analysis, listed from its summary: its module loads when it runs."""
    for name, summary in SUMMARIES.items():
        add_lazy_command(app, name, summary, partial(_command_of, name), panel="Analyses")


def _command_of(name: str) -> Callable[..., None]:
    return make_command(REGISTRY[name])
