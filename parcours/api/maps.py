"""Journey maps over HTTP: list, read, create, update, history and diff between versions.

A map is sent as YAML, either raw (``Content-Type: application/yaml``, the commit message
in ``?message=``) or inside JSON (``{"yaml": "...", "message": "..."}``). A map that does
not validate is refused with 422 and every problem located: ``problems`` is a list of
``{file, line, field, message}``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import ibis
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from parcours.api.auth import Admin, Reader, State
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.diff import map_diff

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


def _not_found(detail: str) -> HTTPException:
    return HTTPException(404, detail={"error": "not found", "detail": detail})


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
    return JourneyMap.loads(text, source="map.yaml"), message


def _versions(ws: Any, map_id: str) -> list[dict[str, Any]]:
    maps = ws.con.table("maps")
    rows = maps.filter(maps.map_id == map_id).select("version", "saved_at", "message")
    return rows.order_by("version").to_pyarrow().to_pylist()


def _stored(ws: Any, map_id: str, version: int | None) -> dict[str, Any]:
    maps = ws.con.table("maps")
    rows = maps.filter(maps.map_id == map_id)
    if version is not None:
        rows = rows.filter(rows.version == version)
    found = rows.order_by(ibis.desc("version")).limit(1).to_pyarrow().to_pylist()
    if not found:
        versions = [v["version"] for v in _versions(ws, map_id)]
        if versions:
            raise _not_found(
                f"map '{map_id}' has no version {version}; versions: "
                + ", ".join(map(str, versions))
            )
        known = sorted(set(maps.map_id.to_pyarrow().to_pylist()))
        raise _not_found(f"no map '{map_id}'; maps: {', '.join(known) or 'none'}")
    return found[0]


def _saved(ws: Any, jm: JourneyMap, message: str | None) -> dict[str, Any]:
    latest = _versions(ws, jm.map)
    if latest:
        current = _stored(ws, jm.map, None)
        if current["yaml"] == jm.dumps():
            return {"map_id": jm.map, "version": current["version"], "created": False}
    return {"map_id": jm.map, "version": ws.save_map(jm, message), "created": True}


@router.get("", summary="List the maps")
def list_maps(state: State, _: Reader) -> list[dict[str, Any]]:
    """Every map of the workspace with its latest version."""
    with state.workspace() as ws:
        maps = ws.con.table("maps")
        rows = (
            maps.group_by("map_id")
            .aggregate(latest_version=maps.version.max(), last_saved=maps.saved_at.max())
            .order_by("map_id")
            .to_pyarrow()
            .to_pylist()
        )
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
            if _versions(ws, jm.map):
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
            _stored(ws, map_id, None)  # 404 when the map does not exist
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
    with state.workspace() as ws:
        row = _stored(ws, map_id, version)
    jm = JourneyMap.loads(row["yaml"], source=f"{map_id}@v{row['version']}")
    return {
        "map_id": map_id,
        "version": row["version"],
        "saved_at": row["saved_at"].isoformat(),
        "message": row["message"],
        "yaml": row["yaml"],
        "map": jm.model_dump(mode="json"),
    }


@router.get("/{map_id}/versions", summary="History of a map")
def map_history(map_id: str, state: State, _: Reader) -> list[dict[str, Any]]:
    """Every saved version of a map, oldest first."""
    with state.workspace() as ws:
        rows = _versions(ws, map_id)
        if not rows:
            _stored(ws, map_id, None)  # raises the 404 naming the known maps
    return [{**r, "saved_at": r["saved_at"].isoformat()} for r in rows]


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
    with state.workspace() as ws:
        new = _stored(ws, map_id, to_version)
        old_version = from_version if from_version is not None else max(new["version"] - 1, 1)
        old = _stored(ws, map_id, old_version)
    names = [f"{map_id}@v{row['version']}" for row in (old, new)]
    result = map_diff(
        JourneyMap.loads(old["yaml"], source=names[0]),
        JourneyMap.loads(new["yaml"], source=names[1]),
        *names,
    )
    return {"map_id": map_id, "from": old["version"], "to": new["version"], **result}
