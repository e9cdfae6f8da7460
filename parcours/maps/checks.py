"""The checks of a journey map, with every problem located at its YAML line.

A marketer who mistypes a stage id should read one line that says where (file, line, field),
what is wrong and what is allowed, and should see every problem at once rather than one per
attempt. Two kinds of checks run on the parsed document:

* the model's own field checks (pydantic), whose errors are rewritten here as ``Problem``s;
* the cross-reference checks in ``CHECKS``, small named functions over the raw data that
  relate parts of the map (ids unique, touchpoints naming declared stages and channels, ...).

The cross-reference checks read plain data defensively, so they also run when the model
checks fail, and also on ``journey_map.model_dump()`` for a map built in Python.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from parcours.errors import Problem
from parcours.maps._base import ANY_CHANNEL
from parcours.maps._checking import (  # re-exported: the checks' helpers are imported from here
    Check,
    FieldPath,
    Locate,
    duplicate_id,
    field_path,
)
from parcours.maps.experience_checks import check_blueprint_ids, check_emotion_personas
from parcours.maps.field_errors import field_message
from parcours.maps.opportunity_checks import check_opportunities
from parcours.maps.yaml_io import line_of

__all__ = [
    "ANY_CHANNEL",
    "CHECKS",
    "Check",
    "FieldPath",
    "Locate",
    "duplicate_id",
    "field_path",
    "problems_in",
]

ModelT = TypeVar("ModelT", bound=BaseModel)


def _model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class whose instance sits at ``path`` under ``root``, to list its fields."""
    model: type[BaseModel] | None = root
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        model = _inner_model(field.annotation) if field else None
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_inner_model, typing.get_args(annotation))), None)


# An example of each required field, for the message saying it is missing.
EXAMPLES = {
    "map": "map: mode-femme",
    "title": "title: {fr: Découverte, en: Discovery}",
    "stages": "stages: [{id: decouverte, title: Découverte}]",
    "channels": "channels: [web, magasin]",
    "conversion": "conversion: {event: purchase}",
    "id": "id: fiche_produit",
    "stage": "stage: decouverte",
    "channel": "channel: web (or any)",
    "match": "match: {event: product_view}",
    "event": "event: purchase",
    "metric": "metric: conversion",
}


def _message(root: type[BaseModel], error: Mapping[str, Any], path: FieldPath) -> str:
    """One pydantic error as a sentence saying what is wrong and what is allowed (the
    words of :mod:`parcours.maps.field_errors`, never pydantic's own)."""
    kind, name = error["type"], str(path[-1]) if path else "map"
    if kind == "missing":
        example = EXAMPLES.get(name)
        return f"missing required field '{name}'" + (f", e.g. {example}" if example else "")
    if kind == "extra_forbidden":
        model = _model_at(root, path[:-1])
        allowed = ", ".join(model.model_fields) if model else "none"
        return f"unknown field '{name}'; allowed fields: {allowed}"
    return field_message(error, name)


def _model_problems(
    root: type[BaseModel], error: ValidationError, data: Any, file: str | None
) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = tuple(item["loc"])
        problems.append(
            Problem(_message(root, item, path), file, line_of(data, path), field_path(path) or None)
        )
    return problems


# --- cross-reference checks: each takes the raw map and a locator, yields Problems ---------

SECTIONS = {
    "stages": "stage",
    "personas": "persona",
    "channels": "channel",
    "touchpoints": "touchpoint",
}


def _items(data: Mapping[str, Any], section: str) -> list[tuple[int, Any]]:
    value = data.get(section)
    return list(enumerate(value)) if isinstance(value, list) else []


def _id(item: Any) -> str | None:
    ident = item if isinstance(item, str) else item.get("id") if isinstance(item, Mapping) else None
    return ident if isinstance(ident, str) else None


def _id_path(section: str, index: int, item: Any) -> FieldPath:
    return (section, index) if isinstance(item, str) else (section, index, "id")


def _ids(data: Mapping[str, Any], section: str) -> list[str]:
    return [i for _, item in _items(data, section) if (i := _id(item)) is not None]


def _names(value: Any) -> list[tuple[FieldPath, str]]:
    """A name or list of names (match.channel), each with its path suffix."""
    if isinstance(value, str):
        return [((), value)]
    if isinstance(value, list):
        return [((i,), v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def check_duplicate_ids(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Stage, persona, channel and touchpoint ids are each unique in their section."""
    for section, noun in SECTIONS.items():
        first: dict[str, FieldPath] = {}
        for index, item in _items(data, section):
            ident, path = _id(item), _id_path(section, index, item)
            if ident is None:
                continue
            if ident in first:
                yield duplicate_id(noun, ident, path, first[ident], locate)
            else:
                first[ident] = path


def check_touchpoint_stages(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Every touchpoint belongs to a declared stage."""
    stages = _ids(data, "stages")
    for index, item in _items(data, "touchpoints"):
        stage = item.get("stage") if isinstance(item, Mapping) else None
        if isinstance(stage, str) and stage not in stages:
            yield locate(
                f"touchpoint '{_id(item)}' points to unknown stage '{stage}'; "
                f"allowed stages: {', '.join(stages)}",
                ("touchpoints", index, "stage"),
            )


def check_touchpoint_channels(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Touchpoints (and their match rules) use only channels declared in ``channels``."""
    channels = _ids(data, "channels")
    declared = ", ".join(channels)
    for index, item in _items(data, "touchpoints"):
        if not isinstance(item, Mapping):
            continue
        channel = item.get("channel")
        if isinstance(channel, str) and channel not in channels and channel != ANY_CHANNEL:
            yield locate(
                f"touchpoint '{_id(item)}' uses channel '{channel}', which is not declared in channels; "
                f"declared channels: {declared}, or {ANY_CHANNEL} (every channel, e.g. a log whose "
                "channel is the case's)",
                ("touchpoints", index, "channel"),
            )
        match = item.get("match")
        matched = match.get("channel") if isinstance(match, Mapping) else None
        for suffix, name in _names(matched):
            if name == ANY_CHANNEL:
                yield locate(
                    f"touchpoint '{_id(item)}' matches channel '{ANY_CHANNEL}': leave match.channel "
                    f"out to match events of every channel, e.g. match: {{event: Closed}}",
                    ("touchpoints", index, "match", "channel", *suffix),
                )
            elif name not in channels:
                yield locate(
                    f"touchpoint '{_id(item)}' matches channel '{name}', which is not declared in "
                    f"channels; declared channels: {declared}",
                    ("touchpoints", index, "match", "channel", *suffix),
                )


def check_any_is_no_channel_id(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """``any`` is not a channel id: a touchpoint on ``channel: any`` is on every channel."""
    for index, item in _items(data, "channels"):
        if _id(item) == ANY_CHANNEL:
            yield locate(
                f"'{ANY_CHANNEL}' cannot be a channel id: touchpoints use channel: {ANY_CHANNEL} "
                "to be on every channel; name the channel otherwise, e.g. autre",
                _id_path("channels", index, item),
            )


def check_conversion_has_a_name(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """The conversion names at least one event exactly: funnels end at that name."""
    conversion = data.get("conversion")
    event = conversion.get("event") if isinstance(conversion, Mapping) else None
    items = event if isinstance(event, list) else [event]
    if event is not None and items and all(isinstance(i, Mapping) for i in items):
        yield locate(
            "the conversion needs at least one exact event name besides its patterns (funnels "
            "end at it), e.g. {event: [purchase, {prefix: purchase_}]}",
            ("conversion", "event"),
        )


def check_flow_stages(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Each designed transition ``[from, to]`` names declared stages."""
    stages = _ids(data, "stages")
    for index, pair in _items(data, "flow"):
        if not isinstance(pair, list):
            continue
        for side, stage in enumerate(pair):
            if isinstance(stage, str) and stage not in stages:
                shown = ", ".join(str(s) for s in pair)
                yield locate(
                    f"flow [{shown}] names unknown stage '{stage}'; allowed stages: {', '.join(stages)}",
                    ("flow", index, side),
                )


CHECKS: tuple[Check, ...] = (
    check_duplicate_ids,
    check_touchpoint_stages,
    check_touchpoint_channels,
    check_any_is_no_channel_id,
    check_conversion_has_a_name,
    check_flow_stages,
    check_opportunities,
    check_blueprint_ids,
    check_emotion_personas,
)


def problems_in(
    data: Any, file: str | None, model: type[ModelT]
) -> tuple[list[Problem], ModelT | None]:
    """Every problem of a map given as data (a ruamel document gives line numbers): the
    ``model``'s own field checks, then :data:`CHECKS`; and the model when it validated."""
    if not isinstance(data, Mapping):
        shape = (
            "an empty file"
            if data is None
            else "a list"
            if isinstance(data, list)
            else "a single value"
        )
        message = f"a journey map is a YAML mapping (map:, title:, stages:, ...), not {shape}"
        return [Problem(message, file, line_of(data, ()) or 1)], None

    def locate(message: str, path: FieldPath) -> Problem:
        return Problem(message, file, line_of(data, path), field_path(path))

    problems: list[Problem] = []
    instance = None
    try:
        instance = model.model_validate(data)
    except ValidationError as error:
        problems += _model_problems(model, error, data, file)
    for check in CHECKS:
        problems += check(data, locate)
    problems.sort(key=lambda p: p.line if p.line is not None else float("inf"))
    return problems, instance
