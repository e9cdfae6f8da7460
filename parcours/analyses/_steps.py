"""Step specs: how an analysis names a set of events in one short string.

A step is a touchpoint id, a stage id or a raw event name, optionally narrowed by filters::

    paiement_web                          the touchpoint paiement_web
    decision                              every event of the stage decision
    purchase                              every event named purchase
    purchase[fulfilment=click_collect]    ... whose property fulfilment is click_collect
    panier[channel=app]                   the touchpoint panier, on the app only
    purchase[fulfilment=click_collect|home][channel=web]   several filters, several values

* A bare name is looked up as a touchpoint id first, then a stage id, then an event name seen
  in the data. Write ``touchpoint:``, ``stage:`` or ``event:`` before the name to choose.
* ``[key=value]`` keeps the events whose property ``key`` is ``value`` (compared as text, the
  way the store keeps properties: ``true``, ``12.5``). ``|`` separates values that are all
  accepted. The key ``channel`` means the event's channel, not a property. Several brackets
  must all hold. Commas may also separate filters inside one bracket: ``[a=1,b=2]``.

>>> parse_step("purchase[fulfilment=click_collect|home]").filters
(('fulfilment', ('click_collect', 'home')),)
>>> split_specs(["a[x=1", "y=2]", "b"])
['a[x=1,y=2]', 'b']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ibis.expr.types as ir

from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.engine import json_text

KINDS = ("touchpoint", "stage", "event")
SYNTAX = (
    "a touchpoint id, a stage id or an event name, optionally prefixed with touchpoint:, "
    "stage: or event: and followed by filters such as [key=value] or [key=v1|v2] "
    "(the key channel filters the event's channel)"
)

_NAME = r"[A-Za-z0-9_.\-]+"
_SPEC = re.compile(
    rf"^(?:(?P<kind>{'|'.join(KINDS)}):)?(?P<name>{_NAME})(?P<filters>(?:\[[^\[\]]*\])*)$"
)
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_FILTER = re.compile(rf"^\s*(?P<key>{_NAME})\s*=\s*(?P<values>[^=]*?)\s*$")


@dataclass(frozen=True)
class Step:
    """One resolved step: what the user wrote, what it names, and its filters."""

    text: str
    kind: str | None  # touchpoint, stage or event once resolved
    name: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def predicate(self, table: ir.Table) -> ir.BooleanValue:
        """Whether a row of the journey table is this step (never NULL)."""
        column = {"touchpoint": "touchpoint", "stage": "stage", "event": "event"}[self.kind or ""]
        test = table[column] == self.name
        for key, values in self.filters:
            value = table.channel if key == "channel" else json_text(table.properties, key)
            test &= value.isin(list(values))
        return test.fill_null(False)


def parse_step(text: str) -> Step:
    """Read one step spec (see the module doc); raise InputError saying what is allowed."""
    if not isinstance(text, str):
        raise InputError(f"step {text!r} is not text; write {SYNTAX}")
    match = _SPEC.match(text.strip())
    if not match:
        raise InputError(f"step {text!r} cannot be read; write {SYNTAX}")
    filters = []
    for bracket in _BRACKET.findall(match["filters"]):
        for part in bracket.split(","):
            one = _FILTER.match(part)
            values = tuple(v.strip() for v in one["values"].split("|")) if one else ()
            if not one or not all(values):
                raise InputError(
                    f"step {text!r}: filter {part.strip()!r} cannot be read; "
                    "write [key=value] or [key=value1|value2]"
                )
            filters.append((one["key"], values))
    return Step(text.strip(), match["kind"], match["name"], tuple(filters))


def split_specs(parts: list[str] | tuple[str, ...]) -> list[str]:
    """Join back specs that a comma-separated CLI option cut inside their brackets."""
    specs: list[str] = []
    depth_open = False
    for part in parts:
        if depth_open:
            specs[-1] += "," + part
        else:
            specs.append(part)
        depth_open = specs[-1].count("[") > specs[-1].count("]")
    return [s.strip() for s in specs if s.strip()]


def _event_names(journeys: ir.Table) -> list[str]:
    names = journeys.select("event").distinct().to_pyarrow().column(0).to_pylist()
    return sorted(n for n in names if n is not None)


def resolve_steps(
    texts: list[str], jm: JourneyMap, journeys: ir.Table, what: str = "step"
) -> list[Step]:
    """Parse and resolve step specs against the map and the event names in ``journeys``.

    An unknown name raises InputError listing the touchpoints, the stages and the events seen.
    """
    touchpoints = [tp.id for tp in jm.touchpoints]
    stages = list(jm.stage_ids)
    events: list[str] | None = None
    resolved = []
    for text in texts:
        step = parse_step(text)
        kind = step.kind
        if kind is None and step.name in touchpoints:
            kind = "touchpoint"
        elif kind is None and step.name in stages:
            kind = "stage"
        elif kind in (None, "event"):
            events = _event_names(journeys) if events is None else events
            kind = "event" if step.name in events else None
        if (kind == "touchpoint" and step.name not in touchpoints) or (
            kind == "stage" and step.name not in stages
        ):
            kind = None
        if kind is None:
            events = _event_names(journeys) if events is None else events
            raise InputError(
                f"{what} {text!r}: {step.name!r} is not a touchpoint, a stage or an event seen "
                f"in the data; touchpoints: {', '.join(touchpoints) or 'none'}; "
                f"stages: {', '.join(stages) or 'none'}; events: {', '.join(events) or 'none'}"
            )
        resolved.append(Step(step.text, kind, step.name, step.filters))
    return resolved
