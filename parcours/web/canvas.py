"""The journey map canvas of the dashboard's front page, measured on the filtered journeys.

The report's :func:`parcours.render.report.canvas_for` draws it (one canvas for the report and
the dashboard) from three analyses: ``kpis`` (figures and goals on each card), ``frictions``
(the explanation on each ⚠, shown on hover) and ``voice`` (the measured emotion curve), asked
of the workspace (``run``: :meth:`parcours.Workspace.runner`), which keeps their results.
"""

from __future__ import annotations

from parcours.analyses import Context
from parcours.render import Canvas
from parcours.render.map_objects import MapObjects
from parcours.workspace import Runner


def dashboard_canvas(
    ctx: Context,
    persona: str | None,
    lang: str,
    run: Runner | None = None,
    objects: MapObjects | None = None,
) -> Canvas:
    """The canvas of ``ctx`` (already filtered), with ``persona``'s header when declared;
    ``run`` asks for the analyses (default: run on ``ctx``); ``objects``: the sub-maps'
    figures and links and the comment counts (:mod:`parcours.web.map_objects`)."""
    from parcours.render.report import canvas_for  # plotly and the report load when drawn

    declared = persona if persona in {p.id for p in ctx.map.personas} else None
    return canvas_for(ctx, persona=declared, lang=lang, run=run, objects=objects)
