"""The items of a service blueprint's lanes, as typed objects (see
:mod:`parcours.maps.blueprint`, which re-exports them, for what a blueprint is). They are
built from the map's base types only, so that the map's model can hold them without
importing the blueprint's functions over a whole map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import field_validator, model_serializer, model_validator

from parcours.maps._base import Id, MatchRule, Text, _Model

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
