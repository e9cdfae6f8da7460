"""Views of results: the journey map canvas, charts and the report. Never queries the store."""

import typing as _typing

from parcours._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from parcours.render.canvas import Canvas, CanvasInput, journey_canvas
    from parcours.render.charts import (
        attribution_bars,
        channel_mix,
        conformance_fitness,
        emotion_curve,
        funnel_chart,
        nps_by_stage,
        paths_sankey,
        process_map,
        retention_heatmap,
    )
    from parcours.render.report import (
        build_report,
        canvas_for,
        html_to_pdf,
        run_analyses,
        screenshot,
        write_map,
        write_report,
    )

__all__ = [
    "Canvas",
    "CanvasInput",
    "attribution_bars",
    "build_report",
    "canvas_for",
    "channel_mix",
    "conformance_fitness",
    "emotion_curve",
    "funnel_chart",
    "html_to_pdf",
    "journey_canvas",
    "nps_by_stage",
    "paths_sankey",
    "process_map",
    "retention_heatmap",
    "run_analyses",
    "screenshot",
    "write_map",
    "write_report",
]

# Imported on first use: the catalogue (parcours.render.i18n) is read by commands that must
# start fast (`parcours status`), and the charts and the report load plotly and the engine.
_LAZY = {
    "Canvas": "parcours.render.canvas",
    "CanvasInput": "parcours.render.canvas",
    "journey_canvas": "parcours.render.canvas",
    "attribution_bars": "parcours.render.charts",
    "channel_mix": "parcours.render.charts",
    "conformance_fitness": "parcours.render.charts",
    "emotion_curve": "parcours.render.charts",
    "funnel_chart": "parcours.render.charts",
    "nps_by_stage": "parcours.render.charts",
    "paths_sankey": "parcours.render.charts",
    "process_map": "parcours.render.charts",
    "retention_heatmap": "parcours.render.charts",
    "build_report": "parcours.render.report",
    "canvas_for": "parcours.render.report",
    "html_to_pdf": "parcours.render.report",
    "run_analyses": "parcours.render.report",
    "screenshot": "parcours.render.report",
    "write_map": "parcours.render.report",
    "write_report": "parcours.render.report",
}

__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
