"""Journey maps over HTTP: list, read, create, update, history and diff between versions.

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

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from parcours.api.auth import Admin, Reader, State
from parcours.errors import InputError
from parcours.maps import JourneyMap

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
    with state.workspace() as ws:
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
    with state.workspace() as ws:
        row = ws.map_record(map_id, version)
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
    with state.workspace() as ws:
        return ws.map_diff(map_id, from_version, to_version)
