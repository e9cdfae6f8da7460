"""The service blueprint of a stage: what happens around the touchpoints, lane by lane.

A stage may carry a ``blueprint`` with up to five lanes, each a list of items:

    evidence     physical evidence: what the customer holds or sees (a letter, a receipt)
    customer     the customer's actions
    frontstage   what the staff or the systems do in front of the customer
    ------------ line of visibility: the customer sees nothing below it
    backstage    staff and systems at work out of sight
    ------------ line of internal interaction
    support      the support processes the backstage relies on

An item is a text (``"Conseiller au téléphone"`` or ``{fr: ..., en: ...}``) or an object
``{id, title, match}``. Only a backstage item may ``match`` events, with the rules of a
touchpoint (exact names, lists, ``{prefix: ...}``, ``{regex: ...}``, channel, properties);
it then needs an ``id``, under which its measured figures are kept (events, persons,
journeys and the median time it spans in a journey: :mod:`parcours.analyses._blueprint`).
A backstage item is not a touchpoint: its events stay on whatever touchpoint they map to.

    >>> lane = Blueprint.model_validate({"backstage": [
    ...     {"id": "validation", "title": "Validation", "match": {"event": {"prefix": "W_Valid"}}},
    ...     "Archivage"]})
    >>> [item.id for item in lane.backstage], lane.backstage[1].title
    (['validation', None], 'Archivage')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from parcours.maps._blueprint_items import (  # re-exported: the blueprint's names live here
    LANES,
    MEASURED_LANE,
    Blueprint,
    BlueprintItem,
)

if TYPE_CHECKING:
    from parcours.maps.model import JourneyMap

__all__ = [
    "LANES",
    "MEASURED_LANE",
    "Blueprint",
    "BlueprintItem",
    "blueprint_lanes",
    "measured_items",
]


def blueprint_lanes(jm: JourneyMap) -> list[str]:
    """The lanes some stage of ``jm`` fills, top to bottom."""
    return [
        lane for lane in LANES if any(s.blueprint and s.blueprint.lane(lane) for s in jm.stages)
    ]


def measured_items(jm: JourneyMap) -> Iterator[tuple[str, BlueprintItem]]:
    """``(stage id, item)`` for every backstage item that matches events, in map order."""
    for stage in jm.stages:
        for item in stage.blueprint.backstage if stage.blueprint else []:
            if item.match is not None:
                yield stage.id, item
