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

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import field_validator, model_serializer, model_validator

from parcours.maps.model import Id, MatchRule, Text, _Model

if TYPE_CHECKING:
    from parcours.maps.model import JourneyMap

# Top to bottom, as drawn; the lines drawn under a lane (line of interaction, of visibility,
# of internal interaction) are the canvas' business.
LANES = ("evidence", "customer", "frontstage", "backstage", "support")
MEASURED_LANE = "backstage"
_LANGUAGE = 2  # a text written per language has two-letter keys ({fr: ..., en: ...})


def _is_text_by_language(value: Mapping[Any, Any]) -> bool:
    return bool(value) and all(isinstance(k, str) and len(k) == _LANGUAGE for k in value)


class BlueprintItem(_Model):
    """One item of a blueprint lane: a title, and for a measured backstage item an id and
    a match rule."""

    id: Id | None = None
    title: Text
    match: MatchRule | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str) or (isinstance(value, Mapping) and _is_text_by_language(value)):
            return {"title": value}
        if not isinstance(value, Mapping | BlueprintItem):
            raise ValueError(
                f"{value!r} is not a blueprint item: write a text (Appel du conseiller) or "
                "{id: validation, title: Validation du dossier, match: {event: W_Valideren aanvraag}}"
            )
        return value

    @model_validator(mode="after")
    def _measured_has_id(self) -> BlueprintItem:
        if self.match is not None and self.id is None:
            raise ValueError(
                "a blueprint item that matches events needs an id, under which its figures "
                "are kept, e.g. {id: validation, title: Validation, match: {event: W_Valideren aanvraag}}"
            )
        return self

    @model_serializer(mode="wrap")
    def _as_text(self, handler: Callable[[Any], Any]) -> Any:
        return self.title if self.id is None and self.match is None else handler(self)


def _unmeasured(lane: str) -> Callable[[list[BlueprintItem]], list[BlueprintItem]]:
    def check(items: list[BlueprintItem]) -> list[BlueprintItem]:
        for item in items:
            if item.match is not None:
                raise ValueError(
                    f"item '{item.id}' of the {lane} lane has a match: only backstage items "
                    "match events (touchpoints are what the customer meets); move it to "
                    "backstage, or make it a touchpoint"
                )
        return items

    return check


class Blueprint(_Model):
    """The service blueprint lanes of one stage (see the module docstring)."""

    evidence: list[BlueprintItem] = []
    customer: list[BlueprintItem] = []
    frontstage: list[BlueprintItem] = []
    backstage: list[BlueprintItem] = []
    support: list[BlueprintItem] = []

    _evidence = field_validator("evidence")(_unmeasured("evidence"))
    _customer = field_validator("customer")(_unmeasured("customer"))
    _frontstage = field_validator("frontstage")(_unmeasured("frontstage"))
    _support = field_validator("support")(_unmeasured("support"))

    def lane(self, name: str) -> list[BlueprintItem]:
        items: list[BlueprintItem] = getattr(self, name)
        return items


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
