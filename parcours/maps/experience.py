"""The designed experience: emotion on a scale from −2 to +2, per persona, and a map's state.

A stage or a touchpoint says how the customer should feel there, as a score:

    −2 very negative   −1 negative   0 neutral   +1 positive   +2 very positive

The three labels of earlier maps still load and keep their words' meaning on that scale:
``negative`` is −1, ``neutral`` 0, ``positive`` +1; the map keeps what was written (a
label stays a label when the map is saved again), :func:`emotion_score` reads both.
``emotions: {persona_id: score}`` gives a persona its own designed emotion, over the
general one. A map declares its ``state``, ``as-is`` (the journey today) or ``to-be`` (the
journey the team designs); two saved versions marked so are compared side by side.

    >>> emotion_score("positive"), emotion_score(-2), emotion_score(None)
    (1, -2, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from parcours.maps._base import (  # re-exported: the experience's names are imported from here
    EMOTION_ALLOWED,
    EMOTION_LABELS,
    HIGHEST,
    LOWEST,
    MAP_STATES,
    Emotion,
    MapState,
)

if TYPE_CHECKING:  # the map imports this module: its type only in the signatures
    from parcours.maps.model import JourneyMap

__all__ = [
    "EMOTION_ALLOWED",
    "EMOTION_LABELS",
    "HIGHEST",
    "LOWEST",
    "MAP_STATES",
    "Emotion",
    "MapState",
    "designed_emotion",
    "emotion_score",
    "marked_versions",
    "personas_with_emotions",
]


def emotion_score(value: int | str | None) -> int | None:
    """A designed emotion (score or label) as its score on the −2..+2 scale."""
    if value is None:
        return None
    return EMOTION_LABELS[value] if isinstance(value, str) else int(value)


def _own(general: int | str | None, per_persona: Mapping[str, Any], persona: str | None):
    if persona is not None and persona in per_persona:
        return emotion_score(per_persona[persona])
    return emotion_score(general)


def designed_emotion(jm: JourneyMap, persona: str | None = None) -> dict[str, float]:
    """Each stage's designed emotion (−2..+2) for ``persona`` (default: the general one):
    the stage's own, else the mean of its touchpoints'; a persona's own score wins over the
    general one at each stage and touchpoint. Stages with none are left out."""
    values: dict[str, float] = {}
    for stage in jm.stages:
        own = _own(stage.emotion, stage.emotions, persona)
        if own is not None:
            values[stage.id] = float(own)
            continue
        scores = [
            score
            for t in jm.touchpoints_of(stage.id)
            if (score := _own(t.emotion, t.emotions, persona)) is not None
        ]
        if scores:
            values[stage.id] = sum(scores) / len(scores)
    return values


def personas_with_emotions(jm: JourneyMap) -> list[str]:
    """The personas given an emotion of their own somewhere in the map, in the map's order."""
    named = {p for s in jm.stages for p in s.emotions} | {
        p for t in jm.touchpoints for p in t.emotions
    }
    return [p.id for p in jm.personas if p.id in named]


def marked_versions(versions: Iterable[tuple[int, str]]) -> dict[str, int]:
    """The latest version marked ``as-is`` and the latest marked ``to-be`` (those found),
    from a map's saved versions as ``(version, yaml)``.

    >>> marked_versions([(1, "state: as-is"), (2, "state: to-be"), (3, "title: x")])
    {'as-is': 1, 'to-be': 2}
    """
    from parcours.maps.yaml_io import read_data

    found: dict[str, int] = {}
    for version, text in sorted(versions):
        data = read_data(text, f"v{version}")
        state = data.get("state") if isinstance(data, Mapping) else None
        if state in MAP_STATES:
            found[state] = version
    return {state: found[state] for state in MAP_STATES if state in found}
