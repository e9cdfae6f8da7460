"""The cross-reference checks of the service blueprint and of the designed experience.

Like every check of :data:`parcours.maps.checks.CHECKS`, each reads the raw map defensively
(it also runs when the model's own checks fail) and yields located problems:

* blueprint items that match events have ids unique among them and apart from the
  touchpoints' (their figures are kept under that id);
* ``emotions: {persona: score}`` names declared personas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from parcours.errors import Problem
from parcours.maps._checking import FieldPath, Locate, duplicate_id

_LANES = ("evidence", "customer", "frontstage", "backstage", "support")


def _listed(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _ids(data: Mapping[str, Any], section: str) -> list[str]:
    return [
        item["id"]
        for _, item in _listed(data.get(section))
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    ]


def check_blueprint_ids(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Blueprint item ids are unique, and none is also a touchpoint's id."""
    touchpoints = set(_ids(data, "touchpoints"))
    first: dict[str, FieldPath] = {}
    for s, stage in _listed(data.get("stages")):
        blueprint = stage.get("blueprint") if isinstance(stage, Mapping) else None
        if not isinstance(blueprint, Mapping):
            continue
        for lane in _LANES:
            for i, item in _listed(blueprint.get(lane)):
                ident = item.get("id") if isinstance(item, Mapping) else None
                if not isinstance(ident, str):
                    continue
                path: FieldPath = ("stages", s, "blueprint", lane, i, "id")
                if ident in touchpoints:
                    yield locate(
                        f"blueprint item id '{ident}' is also a touchpoint's id; give the item "
                        f"its own id, e.g. {ident}_backstage",
                        path,
                    )
                elif ident in first:
                    earlier = first[ident]
                    yield duplicate_id("blueprint item", ident, path, earlier, locate, earlier[:-1])
                else:
                    first[ident] = path


def check_emotion_personas(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """A per-persona emotion names a persona the map declares."""
    personas = _ids(data, "personas")
    for section in ("stages", "touchpoints"):
        for index, item in _listed(data.get(section)):
            emotions = item.get("emotions") if isinstance(item, Mapping) else None
            if not isinstance(emotions, Mapping):
                continue
            for persona in emotions:
                if isinstance(persona, str) and persona not in personas:
                    yield locate(
                        f"emotions names unknown persona '{persona}'; allowed personas: "
                        f"{', '.join(personas)}, e.g. emotions: {{{personas[0]}: -1}}"
                        if personas
                        else f"emotions names unknown persona '{persona}'; the map declares no "
                        "personas: declare them under personas: first",
                        (section, index, "emotions", persona),
                    )
