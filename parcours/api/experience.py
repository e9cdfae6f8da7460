"""A map's service blueprint and experience over HTTP, measured on the workspace's data.

* ``GET /v1/maps/{id}/blueprint``: each stage's blueprint lanes, the backstage items that
  match events with their figures (events, persons, journeys, median duration in seconds);
* ``GET /v1/maps/{id}/experience``: designed and measured emotion (−2..+2) per stage, for
  everyone (``persona`` "") and for each persona;
* ``GET /v1/maps/{id}/states``: the latest version marked ``state: as-is`` and the latest
  marked ``state: to-be``, side by side, stage by stage, with their measured figures
  (404 while one of the two is missing).

The blueprint and emotions themselves are part of the map (``GET /v1/maps/{id}``) and are
edited by saving a new version (``PUT /v1/maps/{id}``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from parcours.analyses._blueprint import backstage_figures
from parcours.analyses._experience import persona_curves, state_comparison
from parcours.analyses.base import records
from parcours.api.auth import Reader, State
from parcours.errors import NotFoundError
from parcours.maps import text_of
from parcours.maps.blueprint import LANES
from parcours.maps.experience import HIGHEST, LOWEST, MAP_STATES, marked_versions

router = APIRouter(prefix="/v1/maps", tags=["maps"])

Version = Annotated[int | None, Query(description="Default: the latest.", ge=1)]
Lang = Annotated[Literal["fr", "en"] | None, Query(description="Language of the titles.")]


@router.get("/{map_id}/blueprint", summary="The service blueprint, measured")
def blueprint(
    map_id: str, state: State, _: Reader, version: Version = None, lang: Lang = None
) -> dict[str, Any]:
    """Per stage, its blueprint lanes (items with their title, and id and match when
    measured); ``measured``: the backstage items that match events, with their figures."""
    with state.reader() as ws:
        jm = ws.load_map(map_id, version)
        figures = backstage_figures(ws.context(jm, lang))
    language = lang or jm.lang
    stages = [
        {
            "stage": stage.id,
            "title": text_of(stage.title, language),
            "lanes": {
                lane: [
                    item.model_dump(mode="json", exclude_none=True)
                    if item.id is not None
                    else {"title": item.title}
                    for item in stage.blueprint.lane(lane)
                ]
                for lane in LANES
                if stage.blueprint.lane(lane)
            },
        }
        for stage in jm.stages
        if stage.blueprint is not None
    ]
    return {"map_id": map_id, "stages": stages, "measured": records(figures)}


@router.get("/{map_id}/experience", summary="Designed and measured emotion per persona")
def experience(
    map_id: str, state: State, _: Reader, version: Version = None, lang: Lang = None
) -> dict[str, Any]:
    """Per persona ("" for everyone) and stage: ``designed`` and ``measured`` emotion on the
    −2..+2 scale, ``basis`` of the measure (scores or sentiment) and ``answers``."""
    with state.reader() as ws:
        jm = ws.load_map(map_id, version)
        curves = persona_curves(ws.context(jm, lang))
    return {"map_id": map_id, "scale": [LOWEST, HIGHEST], "curves": records(curves)}


@router.get("/{map_id}/states", summary="As-is and to-be versions side by side")
def states(map_id: str, state: State, _: Reader, lang: Lang = None) -> dict[str, Any]:
    """The latest versions marked as-is and to-be, measured on the same data: per stage,
    ``as_is_<figure>`` and ``to_be_<figure>`` for designed and measured emotion,
    touchpoints, reach, conversion and exit rate."""
    with state.reader() as ws:
        versions = ws.map_versions(map_id).version.tolist()
        marked = marked_versions((v, ws.map_record(map_id, v)["yaml"]) for v in versions)
        missing = [s for s in MAP_STATES if s not in marked]
        if missing:
            found = ", ".join(f"{s}: version {v}" for s, v in marked.items()) or "none"
            raise NotFoundError(
                f"map '{map_id}' has no version marked state: {' nor '.join(missing)}; save "
                f"one with state: {missing[0]} at the top of the map (versions marked: {found})"
            )
        contexts = [ws.context(ws.load_map(map_id, marked[s]), lang) for s in MAP_STATES]
        frame = state_comparison(*contexts)
    return {"map_id": map_id, "versions": marked, "stages": records(frame)}
