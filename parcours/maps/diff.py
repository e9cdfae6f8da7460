"""What changed between two versions of a journey map: a text diff and a structural summary.

    >>> from parcours.maps import JourneyMap, render_template
    >>> old = JourneyMap.loads(render_template("cinq-phases"))
    >>> new = old.model_copy(deep=True)
    >>> new.stages = new.stages[:-1]
    >>> map_diff(old, new)["sections"]["stages"]["removed"]
    ['fidelisation']

Pure: two maps in, plain data out. Items of a map (stages, touchpoints, personas, channels)
are compared by id: an item is added, removed, or changed (with the names of the fields
that differ). The other top-level fields (title, conversion, journey, flow...) are listed
when they differ. The unified diff is of the YAML as saved, comments included.
"""

from __future__ import annotations

import difflib
from typing import Any

from parcours.maps.model import JourneyMap

SECTIONS = ("stages", "touchpoints", "personas", "channels", "opportunities")


def _by_id(items: list[Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for item in items:
        data = item.model_dump()
        data = data if isinstance(data, dict) else {"id": data}  # a channel dumps to its id
        out[data["id"]] = data
    return out


def _section(old: list[Any], new: list[Any]) -> dict[str, Any]:
    before, after = _by_id(old), _by_id(new)
    kept = [i for i in before if i in after]
    changed = [
        {
            "id": i,
            "fields": sorted(
                k for k in before[i].keys() | after[i].keys() if before[i].get(k) != after[i].get(k)
            ),
        }
        for i in kept
        if before[i] != after[i]
    ]
    return {
        "added": [i for i in after if i not in before],
        "removed": [i for i in before if i not in after],
        "changed": changed,
        "reordered": [i for i in kept] != [i for i in after if i in before],
    }


def map_diff(
    old: JourneyMap, new: JourneyMap, old_name: str = "old", new_name: str = "new"
) -> dict[str, Any]:
    """The differences from ``old`` to ``new``: ``unified`` text, ``sections`` per item kind,
    ``fields`` (other top-level fields that differ) and ``identical``."""
    sections = {name: _section(getattr(old, name), getattr(new, name)) for name in SECTIONS}
    before, after = old.model_dump(), new.model_dump()
    fields = sorted(k for k in before.keys() - set(SECTIONS) if before[k] != after.get(k))
    unified = "".join(
        difflib.unified_diff(
            old.dumps().splitlines(keepends=True),
            new.dumps().splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )
    return {
        "identical": before == after,
        "sections": sections,
        "fields": fields,
        "unified": unified,
    }
