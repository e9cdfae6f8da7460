"""Journey maps over HTTP: list, read, create, update, history and diff between versions;
opportunities ranked, sub-maps' figures, and comments on any element.

A map is sent as YAML, either raw (``Content-Type: application/yaml``, the commit message
in ``?message=``) or inside JSON (``{"yaml": "...", "message": "..."}``). A map that does
not validate is refused with 422 and every problem located: ``problems`` is a list of
``{file, line, field, message}``. A map is read in a worker thread, never on the event loop,
within ``parcours.config.YAML_LIMITS`` (size, nesting, aliases and what they expand to, CPU
time): past one, the same 422 names the limit and the value allowed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from parcours.analyses.base import records
from parcours.api.auth import Admin, Reader, State
from parcours.api.state import ReadingWorkspace
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.opportunities import opportunities_of
from parcours.store.keys import ApiKey

router = APIRouter(prefix="/v1/maps", tags=["maps"])

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


class MapBody(BaseModel):
    yaml: str
    message: str | None = None


MAP_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": MapBody.model_json_schema()},
        },
    }
}


async def _read_map(request: Request, message: str | None) -> tuple[JourneyMap, str | None]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the map is not UTF-8 text") from None
    if kind == "application/json":
        try:
            body = MapBody.model_validate(json.loads(text))
        except ValueError as exc:
            raise InputError(
                'a JSON body is {"yaml": "<the map as YAML>", "message": "what changed"}: '
                + str(exc).splitlines()[0]
            ) from None
        text, message = body.yaml, body.message or message
    elif kind not in YAML_TYPES:
        raise HTTPException(
            415,
            detail={
                "error": "unsupported media type",
                "detail": f"send the map as {', '.join(YAML_TYPES)} or application/json",
            },
        )
    # Reading is bounded (parcours.config.YAML_LIMITS) but CPU-bound: off the event loop.
    return await run_in_threadpool(JourneyMap.loads, text, "map.yaml"), message


def _versions(ws: Any, map_id: str) -> list[dict[str, Any]]:
    rows = ws.map_versions(map_id).to_dict(orient="records")
    return [{**r, "saved_at": r["saved_at"].isoformat()} for r in rows]


def _saved(ws: Any, jm: JourneyMap, message: str | None) -> dict[str, Any]:
    version, created = ws.save_map_if_changed(jm, message)
    return {"map_id": jm.map, "version": version, "created": created}


@router.get("", summary="List the maps")
def list_maps(state: State, _: Reader) -> list[dict[str, Any]]:
    """Every map of the workspace with its latest version."""
    with state.reader() as ws:  # a read: never waits on the writer
        rows = ws.maps().to_dict(orient="records")
    return [{**r, "last_saved": r["last_saved"].isoformat()} for r in rows]


@router.post(
    "", status_code=201, summary="Create a map", openapi_extra=MAP_BODY, response_model=None
)
async def create_map(
    request: Request,
    state: State,
    _: Admin,
    message: Annotated[str | None, Query(description="What this version is.")] = None,
) -> dict[str, Any]:
    """Save a new map (version 1). 409 when a map with this id exists: update it with PUT."""
    jm, message = await _read_map(request, message)

    def save() -> dict[str, Any]:
        with state.workspace() as ws:
            if jm.map in set(ws.maps().map_id):
                raise HTTPException(
                    409,
                    detail={
                        "error": "map exists",
                        "detail": f"map '{jm.map}' exists; send a new version with "
                        f"PUT /v1/maps/{jm.map}",
                    },
                )
            return _saved(ws, jm, message)

    return await run_in_threadpool(save)


@router.put("/{map_id}", summary="Save a new version of a map", openapi_extra=MAP_BODY)
async def update_map(
    map_id: str,
    request: Request,
    state: State,
    _: Admin,
    message: Annotated[str | None, Query(description="What changed.")] = None,
) -> dict[str, Any]:
    """Save the map as its next version. Sending the latest version again saves nothing
    (``created: false``), so a client may retry."""
    jm, message = await _read_map(request, message)
    if jm.map != map_id:
        raise InputError(
            f"map.yaml: the map's id is '{jm.map}' but the address names '{map_id}'; "
            "they must be the same (to rename a map, create it under its new id)"
        )

    def save() -> dict[str, Any]:
        with state.workspace() as ws:
            ws.map_record(map_id)  # 404 when the map does not exist
            return _saved(ws, jm, message)

    return await run_in_threadpool(save)


@router.get("/{map_id}", summary="Read a map")
def get_map(
    map_id: str,
    state: State,
    _: Reader,
    version: Annotated[int | None, Query(description="Default: the latest.", ge=1)] = None,
) -> dict[str, Any]:
    """One version of a map: its YAML as saved and its content as JSON."""
    with state.reader() as ws:  # a read: never waits on the writer
        row = ws.map_record(map_id, version)
    jm = JourneyMap.loads(row["yaml"], source=f"{map_id}@v{row['version']}")
    return {
        "map_id": map_id,
        "version": row["version"],
        "saved_at": row["saved_at"].isoformat(),
        "message": row["message"],
        "yaml": row["yaml"],
        "map": jm.model_dump(mode="json"),
        # the free-text ones of the first form included, as objects
        "opportunities": [o.model_dump(mode="json") for o in opportunities_of(jm)],
    }


@router.get("/{map_id}/versions", summary="History of a map")
def map_history(map_id: str, state: State, _: Reader) -> list[dict[str, Any]]:
    """Every saved version of a map, oldest first."""
    with state.reader() as ws:  # a read: never waits on the writer
        return _versions(ws, map_id)


@router.get("/{map_id}/diff", summary="What changed between two versions")
def diff_map(
    map_id: str,
    state: State,
    _: Reader,
    from_version: Annotated[
        int | None, Query(alias="from", description="Default: the one before `to`.", ge=1)
    ] = None,
    to_version: Annotated[
        int | None, Query(alias="to", description="Default: the latest.", ge=1)
    ] = None,
) -> dict[str, Any]:
    """A unified diff of the YAML, and the stages, touchpoints, personas and channels added,
    removed or changed (with the fields that changed)."""
    with state.reader() as ws:  # a read: never waits on the writer
        return ws.map_diff(map_id, from_version, to_version)


@router.get("/{map_id}/opportunities", summary="Opportunities ranked by what is at stake")
def map_opportunities(
    map_id: str,
    state: State,
    _: Reader,
    background: BackgroundTasks,
    lang: Annotated[str | None, Query(description="fr or en (default: the map's).")] = None,
) -> list[dict[str, Any]]:
    """The map's opportunities (the free-text ones included, as objects), ranked by
    ``at_stake`` = journeys lost beyond the baseline at the friction points they address
    (the frictions analysis at touchpoint level) × ``value``, a conversion's mean revenue
    (1 when conversions carry none). See docs/map.md."""
    with state.reader() as ws:
        if isinstance(ws, ReadingWorkspace):  # the frictions result is kept after the answer
            ws.keep = lambda *kept: background.add_task(state.keep_result, *kept)
        ranked = ws.opportunities(ws.load_map(map_id), lang)
    return records(ranked)


@router.get("/{map_id}/submaps", summary="What each sub-map adds to its stage or touchpoint")
def map_submaps(map_id: str, state: State, _: Reader) -> list[dict[str, Any]]:
    """One row per sub-map the map opens (``submap:``): the parent element's persons, and
    among them the sub-map's persons, conversions and journeys. See docs/map.md."""
    with state.reader() as ws:
        return records(ws.nested_figures(ws.load_map(map_id)))


class CommentBody(BaseModel):
    element: str  # kind:id, e.g. stage:livraison
    text: str


def author_of(key: ApiKey) -> str:
    """A comment's author over the API: the key's name, else its id."""
    return key.name or key.key_id


@router.get("/{map_id}/comments", summary="Comments on a map's elements")
def list_comments(
    map_id: str,
    state: State,
    _: Reader,
    version: Annotated[int | None, Query(description="Default: the latest.", ge=1)] = None,
    element: Annotated[str | None, Query(description="One element, e.g. stage:livraison.")] = None,
) -> list[dict[str, Any]]:
    """The comments this version of the map shows: on its elements, carried from the
    versions before while the element (its id) exists. Oldest first."""
    with state.reader() as ws:
        return [c.to_dict() for c in ws.comments(map_id, version, element)]


@router.post("/{map_id}/comments", status_code=201, summary="Comment on an element")
def add_comment(map_id: str, body: CommentBody, state: State, key: Reader) -> dict[str, Any]:
    """Comment on an element of the latest version (any key that reads the map may): the
    author is the API key's name. Comments are discussion, not an edit of the map."""
    with state.workspace() as ws:
        return ws.add_comment(map_id, body.element, body.text, author_of(key)).to_dict()


@router.delete("/{map_id}/comments/{comment_id}", summary="Delete a comment")
def delete_comment(map_id: str, comment_id: str, state: State, key: Reader) -> dict[str, Any]:
    """Delete a comment: one's own (same author name), or any with an admin key."""
    author = None if key.grants("admin") else author_of(key)
    with state.workspace() as ws:
        return ws.delete_comment(map_id, comment_id, author).to_dict()
