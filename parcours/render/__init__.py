"""Views of results: the journey map canvas, charts and the report. Never queries the store."""

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
