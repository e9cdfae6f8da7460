"""The cross-reference checks of a map's opportunities (see :data:`parcours.maps.checks.CHECKS`):
ids unique, and every stage, touchpoint and friction point an opportunity names declared.
What an opportunity is: :mod:`parcours.maps.opportunities`, which re-exports these.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from parcours.errors import Problem
from parcours.maps._checking import Locate

STATUSES = ("idea", "planned", "in_progress", "done")


def _ids(data: Mapping[str, Any], section: str) -> list[str]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        ident = item.get("id") if isinstance(item, Mapping) else item
        if isinstance(ident, str):
            found.append(ident)
    return found


def check_opportunities(data: Mapping[str, Any], locate: Locate) -> Iterator[Problem]:
    """Opportunity ids are unique, and name declared stages, touchpoints and friction points."""
    items = data.get("opportunities")
    if not isinstance(items, list):
        return
    stages, touchpoints = _ids(data, "stages"), _ids(data, "touchpoints")
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in first:
                yield locate(
                    f"duplicate opportunity id '{ident}' (already used by "
                    f"opportunities[{first[ident]}]); give each its own id, e.g. {ident}_2",
                    ("opportunities", index, "id"),
                )
            first.setdefault(ident, index)
        for field, known in (
            ("stages", stages),
            ("touchpoints", touchpoints),
            ("frictions", stages + touchpoints),
        ):
            refs = item.get(field)
            for k, ref in enumerate(refs if isinstance(refs, list) else []):
                if isinstance(ref, str) and ref not in known:
                    message = _unknown(field, ident, ref, stages, touchpoints)
                    yield locate(message, ("opportunities", index, field, k))


def _unknown(field: str, ident: Any, ref: str, stages: list[str], touchpoints: list[str]) -> str:
    """What an opportunity naming an unknown stage, touchpoint or friction point is told."""
    if field == "stages":
        return (
            f"opportunity '{ident}' names unknown stage '{ref}'; allowed stages: "
            f"{', '.join(stages)}"
        )
    if field == "touchpoints" and not touchpoints:
        return (
            f"opportunity '{ident}' names unknown touchpoint '{ref}'; the map declares no "
            "touchpoints"
        )
    if field == "touchpoints":
        return (
            f"opportunity '{ident}' names unknown touchpoint '{ref}'; allowed touchpoints: "
            f"{', '.join(touchpoints)}"
        )
    return (
        f"opportunity '{ident}' names unknown friction '{ref}'; a friction point is "
        "named by its touchpoint (or a stage, for all of its touchpoints): "
        f"{', '.join(touchpoints + stages)}"
    )
