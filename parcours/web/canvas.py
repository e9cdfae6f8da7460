"""The journey map canvas of the dashboard's front page, measured on the filtered journeys.

Uses the report's :func:`parcours.render.report.canvas_for` when it is there (one canvas for
the report and the dashboard); otherwise lays it out here from three analyses: ``kpis``
(figures and goals on each card), ``frictions`` (the explanation on each ⚠, shown on hover)
and ``voice`` (the measured emotion curve).
"""

from __future__ import annotations

import logging

import pandas as pd

from parcours.analyses import Context, get
from parcours.analyses.kpis import KpisResult
from parcours.analyses.voice import VoiceResult
from parcours.render import Canvas, CanvasInput, journey_canvas

log = logging.getLogger("parcours.web")


def _fallback(ctx: Context, persona: str | None, lang: str) -> Canvas:
    kpis = get("kpis")(ctx)
    goals = kpis.goals if isinstance(kpis, KpisResult) else None
    data = CanvasInput(kpis=kpis.table, goals=goals, persona=persona)
    if ctx.feedback is not None:
        try:
            frictions = get("frictions")(ctx)
            data.frictions = {
                str(row.id): str(row.explanation)
                for row in frictions.table.itertuples()
                if isinstance(row.explanation, str) and row.explanation
            }
        except Exception:  # a canvas without explanations beats no canvas
            log.exception("frictions failed; the canvas shows no measured friction")
        try:
            voice = get("voice")(ctx)
            curve = voice.emotion_curve if isinstance(voice, VoiceResult) else None
            if curve is not None and len(curve):
                data.emotion = pd.DataFrame(
                    {
                        "stage": curve["stage"],
                        "measured": curve["measured"],
                        "designed": curve.get("designed_value"),
                    }
                )
        except Exception:
            log.exception("voice failed; the canvas shows the designed emotion only")
    return journey_canvas(ctx.map, data, lang=lang)


def dashboard_canvas(ctx: Context, persona: str | None, lang: str) -> Canvas:
    """The canvas of ``ctx`` (already filtered), with ``persona``'s header when declared."""
    declared = persona if persona in {p.id for p in ctx.map.personas} else None
    try:
        from parcours.render.report import canvas_for
    except ImportError:
        return _fallback(ctx, declared, lang)
    return canvas_for(ctx, persona=declared, lang=lang)
