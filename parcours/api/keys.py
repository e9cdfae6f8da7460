"""API keys over HTTP, for admins: what `parcours keys ...` does (which, while the server
holds the workspace, goes through the server's local channel: see :mod:`parcours.remote`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from parcours.api.auth import Admin, State
from parcours.store import keys

router = APIRouter(prefix="/v1/keys", tags=["keys"])


class NewKey(BaseModel):
    scope: Literal["read", "write", "admin"]
    name: str | None = Field(None, description="What the key is for, e.g. 'site web'.")


@router.get("", summary="List the API keys")
def list_keys(state: State, _: Admin) -> list[dict[str, Any]]:
    """Every key (revoked ones too), without secrets."""
    with state.workspace() as ws:
        return [k.to_dict() for k in keys.list_keys(ws.con)]


@router.post("", status_code=201, summary="Create an API key")
def create_key(body: NewKey, state: State, _: Admin) -> dict[str, Any]:
    """The answer holds the token: it is shown this once and never stored."""
    with state.workspace() as ws:
        token, key = keys.create_key(ws.con, body.scope, body.name)
    return {**key.to_dict(), "token": token}


@router.delete("/{key_id}", summary="Revoke an API key")
def revoke_key(key_id: str, state: State, _: Admin) -> dict[str, Any]:
    with state.workspace() as ws:
        revoked = keys.revoke_key(ws.con, key_id)
    state.forget_keys()
    return revoked.to_dict()
