"""The dashboard's side of opportunities, sub-maps and comments (the canvas page's panel).

* The canvas links each sub-map to its own canvas (``/?map=<id>``) and shows the sub-maps'
  figures (:meth:`parcours.Workspace.nested_figures`, on the whole data: the page's filters
  do not apply to them) and the count of comments on each stage and touchpoint.
* Under the canvas: the opportunities ranked (:meth:`parcours.Workspace.opportunities`,
  within the page's filters), then the comments of the map version shown, with a form.
* Comments are JSON calls: ``GET/POST /ui/maps/{map}/comments``, ``DELETE
  /ui/maps/{map}/comments/{id}``. Their author is the session's: the API key's name for a
  session opened with a key, else the name of the system user running the server (whoever
  opened the login address printed in its console). A reader may comment and delete their
  own comments; an admin may delete any.
"""

from __future__ import annotations

import getpass
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from parcours.analyses.base import records
from parcours.maps import JourneyMap, nesting
from parcours.render.i18n import money, number
from parcours.render.map_objects import MapObjects
from parcours.store import comments, keys
from parcours.web.access import json_session
from parcours.web.session import Session

router = APIRouter()


def author_of(session: Session, ws: Any) -> str:
    """The session's user: its API key's name (else the key id), or the server's user."""
    if session.via == "token":
        return getpass.getuser()
    found = next((k for k in keys.list_keys(ws.con) if k.key_id == session.via), None)
    return (found.name if found is not None else None) or session.via


def objects_key(ws: Any, jm: JourneyMap) -> str:
    """What the canvas draws besides the analyses depends on: the sub-maps' content and the
    comments; a key for the page's memory, cheap to compute."""
    from parcours.workspace import map_digest

    found = nesting.children(jm, ws.load_map) if nesting.links(jm) else []
    counts = Counter(c.element for c in _saved_comments(ws, jm))
    return repr(([map_digest(n.child) for n in found], sorted(counts.items())))


def map_objects(ws: Any, jm: JourneyMap, lang: str) -> MapObjects:
    """The sub-maps' figures and links and the comment counts, for the canvas."""
    submaps = ws.nested_figures(jm, lang) if nesting.links(jm) else None
    return MapObjects(
        submaps=submaps,
        link=lambda map_id: f"/?map={map_id}&lang={lang}",
        comments=dict(Counter(c.element for c in _saved_comments(ws, jm))),
    )


def _saved_comments(ws: Any, jm: JourneyMap) -> list[comments.Comment]:
    """The comments of the shown map (those of the latest saved version of its id)."""
    if jm.map not in set(ws.maps().map_id):
        return []
    return list(ws.comments(jm.map))


def comments_panel(ws: Any, jm: JourneyMap, lang: str, session: Session) -> dict[str, Any]:
    """The comments part of the canvas page: the comments shown, the elements to comment on,
    who writes."""
    saved = jm.map in set(ws.maps().map_id)
    titles = comments.elements(jm, lang)
    return {
        "comments": [c.to_dict() for c in _saved_comments(ws, jm)],
        "elements": list(titles.items()),
        "titles": titles,
        "can_comment": saved,
        "author": author_of(session, ws),
        "admin": session.grants("admin"),
    }


def ranked(ws: Any, jm: JourneyMap, lang: str, scope: Any) -> list[dict[str, Any]]:
    """The opportunities ranked within the page's filters, as rows for the template: the
    friction points by their titles, the figures written in the page's language."""
    titles = comments.elements(jm, lang)
    rows = records(ws.opportunities(jm, lang, scope))
    for row in rows:
        row["frictions"] = [titles.get(f"touchpoint:{k}", k) for k in row["frictions"] or []]
        lost, stake = row["journeys_lost"], row["at_stake"]  # whole journeys, whole money
        row["journeys_lost"] = None if lost is None else number(lost, lang)
        row["at_stake"] = None if stake is None else money(stake, lang, jm.currency)
    return rows


class CommentText(BaseModel):
    element: str
    text: str


def _session(request: Request, change: bool = False) -> Session:
    """A read session (commenting is not editing the map); a change also needs the
    dashboard's header."""
    return json_session(request, change=change)


@router.get("/ui/maps/{map_id}/comments")
def list_comments(map_id: str, request: Request) -> JSONResponse:
    _session(request)
    with request.app.state.parcours.reader() as ws:
        return JSONResponse([c.to_dict() for c in ws.comments(map_id)])


@router.post("/ui/maps/{map_id}/comments")
def add_comment(map_id: str, body: CommentText, request: Request) -> JSONResponse:
    """Comment as the session's user (the dashboard header required, as for every change)."""
    session = _session(request, change=True)
    with request.app.state.parcours.workspace() as ws:
        comment = ws.add_comment(map_id, body.element, body.text, author_of(session, ws))
    return JSONResponse(comment.to_dict(), 201)


@router.delete("/ui/maps/{map_id}/comments/{comment_id}")
def delete_comment(map_id: str, comment_id: str, request: Request) -> JSONResponse:
    session = _session(request, change=True)
    with request.app.state.parcours.workspace() as ws:
        author = None if session.grants("admin") else author_of(session, ws)
        return JSONResponse(ws.delete_comment(map_id, comment_id, author).to_dict())
