"""What a sub-journey's figures add to the stage or touchpoint that opens it (nested maps).

A stage or touchpoint may open a map of its own (``submap:``, :mod:`parcours.maps.nesting`).
The sub-map is measured on the same events with its own touchpoints and conversion; its
figures roll up to the parent element, counted within the parent element's persons:

* ``persons`` — persons whose journeys (of the parent map) meet the element: an event on
  the touchpoint, or on any touchpoint of the stage;
* ``sub_persons`` — those of them with at least one event on a touchpoint of the sub-map;
* ``sub_converted`` — those of them with at least one conversion of the sub-map (its own
  ``conversion:``);
* ``sub_conversion`` — sub_converted / sub_persons (None when sub_persons is 0);
* ``sub_journeys`` — the sub-map's journeys of those persons that hold a sub-map touchpoint.

Persons are the workspace's (identity resolution does not depend on the map), so a person
is the same in both maps. Time is not compared: a person counts as soon as they have met
both, in any order. Only the map's own sub-maps are rolled up (one level): a sub-map's
sub-maps roll up into the sub-map, shown when it is opened.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir
import pandas as pd

from parcours.maps import JourneyMap, text_of
from parcours.maps.nesting import Nested
from parcours.store.journeys import UNMAPPED

COLUMNS = [
    "kind",
    "element",
    "submap",
    "submap_title",
    "persons",
    "sub_persons",
    "sub_converted",
    "sub_conversion",
    "sub_journeys",
]


def _element_persons(journeys: ir.Table, kind: str, element: str) -> ir.Table:
    column = journeys.touchpoint if kind == "touchpoint" else journeys.stage
    met = journeys.filter((column == element) & (journeys.touchpoint != UNMAPPED))
    return met.select("person_id").distinct()


def _count(table: ir.Table) -> int:
    return int(table.count().to_pyarrow().as_py() or 0)


def rollup(
    jm: JourneyMap,
    journeys: ir.Table,
    nested: list[Nested],
    journeys_of: Callable[[JourneyMap], ir.Table],
    lang: str | None = None,
) -> pd.DataFrame:
    """One row per sub-map ``jm`` opens (see module doc): ``journeys`` is ``jm``'s journey
    table, ``journeys_of`` gives a sub-map's."""
    rows = []
    for item in nested:
        if item.parent != jm.map:
            continue
        link, child = item.link, item.child
        persons = _element_persons(journeys, link.kind, link.element)
        sub = journeys_of(child)
        sub = sub.filter(sub.touchpoint != UNMAPPED)
        inside = sub.semi_join(persons, "person_id")
        sub_persons = _count(inside.select("person_id").distinct())
        converted = _count(inside.filter(inside.is_conversion).select("person_id").distinct())
        rows.append(
            {
                "kind": link.kind,
                "element": link.element,
                "submap": child.map,
                "submap_title": text_of(child.title, lang or jm.lang),
                "persons": _count(persons),
                "sub_persons": sub_persons,
                "sub_converted": converted,
                "sub_conversion": converted / sub_persons if sub_persons else None,
                "sub_journeys": _count(inside.select("journey_id").distinct()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
