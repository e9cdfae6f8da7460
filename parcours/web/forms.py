"""The form of an analysis, built from its registered signature (as the REST API does).

Each parameter becomes a field: a choice list for a ``Literal`` or a ``bool``, a number box
for ``int``, a decimal box for ``float`` (its value written with the reader's decimal mark,
read back with a comma or a dot), a text box for ``str`` and a comma-separated text box for
``list[str]``. A parameter whose values are the map's objects (a funnel's steps) is picked
by their titles instead (:mod:`parcours.web.pickers`): one list box per value, the same name
repeated in the query. Query parameters are read back into typed values with the parameter's own
type, so the form accepts exactly what the API accepts. Parameters naming a file on the
server (``..._file``) are not offered in the browser.

    >>> from parcours.analyses import get
    >>> [f.name for f in form_fields(get("kpis"), {})]
    ['level']
    >>> parse_params(get("kpis"), {"level": "stage"})
    {'level': 'stage'}
    >>> [f.value for f in form_fields(get("voice"), {}, lang="fr") if f.name == "confidence"]
    ['0,95']
    >>> parse_params(get("voice"), {"confidence": "0,9"})["confidence"]
    0.9
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from parcours.analyses import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap, duration_for
from parcours.render import present
from parcours.render.i18n import typed, untyped
from parcours.web import pickers

# Parameters holding a duration (30d, 1h): shown in the reader's units.
DURATIONS = frozenset({"window", "session_timeout", "half_life"})


@dataclass
class Field:
    name: str
    kind: str  # choice, number, integer, text, list; pick (one) or picks (a list) from groups
    help: str
    required: bool
    default: Any
    value: str  # what the box shows
    options: list[str] = field(default_factory=list)
    label: str = ""  # the name a reader reads (the one i18n table), the name otherwise
    option_labels: list[str] = field(default_factory=list)
    groups: pickers.Groups = field(default_factory=list)  # a picker's choices
    picked: list[str] = field(default_factory=list)  # a picker's values, one box each


def offered(analysis: Analysis) -> list[inspect.Parameter]:
    """The parameters a browser may set (not the ones that name a server file)."""
    return analysis.remote_parameters()


def _base(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return args[0] if len(args) == 1 else annotation
    return annotation


def _kind(annotation: Any) -> tuple[str, list[str]]:
    base = _base(annotation)
    if typing.get_origin(base) is typing.Literal:
        return "choice", [str(a) for a in typing.get_args(base)]
    if base is bool:
        return "choice", ["true", "false"]
    if base is int:
        return "integer", []
    if base is float:
        return "number", []
    if typing.get_origin(base) is list:
        return "list", []
    return "text", []


def _shown(value: Any, lang: str = "en") -> str:
    """A value as its box shows it: a decimal number with the decimal mark of ``lang``
    (0,95 on a French page; English writes it as the command line does)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return typed(value, lang)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def query_value(query: Any, name: str) -> str | None:
    """The text of ``name`` in ``query``; a name repeated (one list box per picked value)
    gives its non-empty values joined by commas, as a typed list would be."""
    many = query.getlist(name) if hasattr(query, "getlist") else None
    if many is None or len(many) <= 1:
        return query.get(name)
    return ", ".join(v.strip() for v in many if v.strip())


def form_fields(
    analysis: Analysis,
    query: Any,
    prefill: dict[str, Any] | None = None,
    lang: str = "en",
    jm: JourneyMap | None = None,
) -> list[Field]:
    """The fields of ``analysis``, showing the values of ``query`` (or the defaults), with
    their labels, help and choices in ``lang``; with the map, its objects are picked by
    their titles."""
    prefill = prefill or {}
    names = present.Titles.of(jm, lang)
    fields = []
    for param in offered(analysis):
        kind, options = _kind(param.annotation)
        required = param.default is inspect.Parameter.empty
        default = None if required else param.default
        raw = query_value(query, param.name)
        value = raw if raw is not None else _shown(prefill.get(param.name, default), lang)
        if raw is None and param.name in DURATIONS:
            value = duration_for(value, lang)  # "30j" on a French page; typed text stays
        fields.append(
            Field(
                name=param.name,
                kind=kind,
                help=present.param_help(
                    param.name, lang, analysis.parameter_help(param.name), analysis.name
                ),
                required=required,
                default=default,
                value=value,
                options=options,
                label=present.param_label(param.name, lang, analysis.name),
                option_labels=[present.option_label(o, lang, names) for o in options],
            )
        )
    if jm is not None:
        _pick(analysis.name, fields, jm, names)
    return fields


def _pick(analysis: str, fields: list[Field], jm: JourneyMap, names: present.Titles) -> None:
    """The fields whose values are the map's objects become pickers (their values known
    first: a breakdown's step choices follow the steps chosen)."""
    values = {f.name: pickers.as_list(f.value) if f.kind == "list" else f.value for f in fields}
    for f in fields:
        if f.kind in ("text", "list") and pickers.picked(analysis, f.name, values):
            f.groups = pickers.options(analysis, f.name, jm, names, values)
            f.picked = pickers.as_list(f.value) if f.kind == "list" else [f.value]
            f.kind = "picks" if f.kind == "list" else "pick"


def parse_params(
    analysis: Analysis, query: Any, prefill: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Typed parameters from query text; ``None`` when a required one is missing.

    An empty box means the default. A value of the wrong type raises ``InputError`` naming
    the parameter and what it accepts.
    """
    prefill = prefill or {}
    values: dict[str, Any] = {}
    for param in offered(analysis):
        raw = query_value(query, param.name)
        if raw is None and param.name in prefill:
            values[param.name] = prefill[param.name]
            continue
        if raw is None or not raw.strip():
            if param.default is inspect.Parameter.empty:
                return None
            continue
        kind, options = _kind(param.annotation)
        text: Any = raw.strip()
        if kind == "list":
            text = [part.strip() for part in text.split(",") if part.strip()]
        elif kind == "number":
            text = untyped(text)  # 0,95 as well as 0.95
        try:
            values[param.name] = TypeAdapter(param.annotation).validate_python(text)
        except ValidationError:
            allowed = {
                "choice": "one of " + ", ".join(options),
                "integer": "a whole number",
                "number": "a number",
                "list": "names separated by commas",
                "text": "text",
            }[kind]
            raise InputError(
                f"{analysis.name}: parameter {param.name} = '{raw}' is not allowed; give {allowed}"
            ) from None
    return values
