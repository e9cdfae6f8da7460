"""The dashboard's experience page (``/experience``): the designed and measured emotion per
persona, the service blueprint's measured items, and the as-is and to-be versions side by side.

The blueprint and the emotions are edited in the map editor (``/editor``), as YAML; this page
shows what the data says of them. Each part is computed once per map and data version (the
dashboard's memory), since the per-persona curves run the voice analysis once per persona.
"""

from __future__ import annotations

from typing import Any

import plotly.io as pio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from parcours.analyses._experience import state_comparison
from parcours.errors import InputError, NotFoundError
from parcours.maps.experience import MAP_STATES, marked_versions
from parcours.render._experience_report import blueprint_html, experience_html, states_html
from parcours.render.i18n import t
from parcours.web.routes import _map, _maps, _stamp, dashboard, gate, language, render

router = APIRouter(include_in_schema=False)


def _figure(fig: Any) -> Markup:
    """A figure as JSON for the page's figures.js (the dashboard runs no inline script)."""
    text = pio.to_json(fig, validate=False, pretty=False).replace("</", "<\\/")
    return Markup(
        f'<div class="figure"><script type="application/json" class="plotly-figure">{text}'
        "</script></div>"
    )


def _states(ws: Any, map_id: str, lang: str) -> list[Markup]:
    versions = ws.map_versions(map_id).version.tolist()
    marked = marked_versions((v, ws.map_record(map_id, v)["yaml"]) for v in versions)
    if any(s not in marked for s in MAP_STATES):
        found = ", ".join(f"{s}: {v}" for s, v in marked.items()) or t("states.none", lang)
        return [Markup("<p class='explain'>{}</p>").format(t("states.missing", lang, found=found))]
    contexts = [ws.context(ws.load_map(map_id, marked[s]), lang) for s in MAP_STATES]
    return [states_html(state_comparison(*contexts), marked, lang)]


def _part(make: Any) -> tuple[list[Markup], str | None]:
    try:
        return make(), None
    except (LookupError, InputError) as reason:
        return [], str(reason).strip("'\"")


@router.get("/experience", response_class=HTMLResponse)
def experience_page(request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    state = request.app.state.parcours
    with state.reader() as ws:
        try:
            jm = _map(ws, request.query_params.get("map"))
        except (InputError, NotFoundError) as exc:
            return render(request, "message.html", 422, title=t("nav.experience", lang),
                          message=str(exc))  # fmt: skip
        stamp = _stamp(ws, jm)
        memory = dashboard(request)
        ctx = ws.context(jm, lang)
        parts = {
            "experience": memory.remember(
                f"experience|{stamp}|{lang}",
                lambda: _part(lambda: experience_html(ctx, lang, None, _figure)),
            ),
            "blueprint": memory.remember(
                f"blueprint|{stamp}|{lang}", lambda: _part(lambda: blueprint_html(ctx, lang))
            ),
            "states": memory.remember(
                f"states|{stamp}|{ws.map_record(jm.map)['version']}|{lang}",
                lambda: _part(lambda: _states(ws, jm.map, lang)),
            ),
        }
        map_ids = _maps(ws)
    return render(request, "experience.html", jm=jm, map_ids=map_ids, parts=parts)
