"""Plotly figures of a result, as JSON for the page (``Plotly.newPlot`` draws them locally).

The figures of each analysis are the report's (:mod:`parcours.render.charts`, listed per
analysis in ``CHARTS``). An analysis with no chart there gets one generic bar chart of its
main table: the first text column against the most telling numeric column.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from parcours.analyses import Result
from parcours.maps import JourneyMap
from parcours.render import present
from parcours.render.i18n import t

log = logging.getLogger("parcours.web")

# Columns worth a bar, best first; the first one present wins.
PREFERRED = (
    "score",
    "persons",
    "journeys",
    "frequency",
    "markov",
    "linear",
    "share",
    "occurrences",
    "reach",
    "answers",
)
SKIP = ("rank", "step", "stage_index", "length")
# The most bars the generic chart draws (every touchpoint of a large map); past it, its title
# says how many of how many it shows and that the table shows them all.
MAX_BARS = 60


# The charts of the report, per analysis: (chart function, keyword arguments). Analyses
# not listed here (kpis, frictions, personas) get the generic bar chart.
CHARTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "funnel": [("funnel_chart", {})],
    "paths": [("paths_sankey", {"max_links": 45})],
    "process": [("process_map", {"max_edges": 40})],
    "conformance": [("conformance_fitness", {})],
    "channels": [("channel_mix", {})],
    "attribution": [("attribution_bars", {})],
    "voice": [("nps_by_stage", {}), ("emotion_curve", {})],
    "retention": [("retention_heatmap", {})],
    "compare": [("compare_bars", {})],
}
WITHOUT_MAP = {"conformance_fitness", "retention_heatmap"}


def _from_charts(result: Result, jm: JourneyMap | None, lang: str) -> list[go.Figure]:
    try:
        from parcours.render import charts
    except ImportError:  # the report's charts are optional here
        return []
    figures = []
    for name, options in CHARTS.get(result.analysis, []):
        function = getattr(charts, name, None)
        if function is None:
            continue
        try:
            if name in WITHOUT_MAP:
                figures.append(function(result, lang=lang, **options))
            else:
                figures.append(function(result, jm, lang=lang, **options))
        except Exception:  # one chart failing must not hide the table
            log.exception("chart %s failed on %s", name, result.analysis)
    return figures


def generic_figure(
    result: Result, jm: JourneyMap | None = None, lang: str = "fr"
) -> go.Figure | None:
    """A horizontal bar chart of the main table, or None when it has nothing to plot."""
    table = result.table
    if table is None or not len(table):
        return None
    numeric = [
        c
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
        and c not in SKIP
    ]
    labels = [c for c in table.columns if c not in numeric and table[c].dtype == object]
    if not numeric or not labels:
        return None
    value = next((c for c in PREFERRED if c in numeric), numeric[0])
    label = labels[0]
    plotted = table[[label, value]].dropna()
    rows = plotted.head(MAX_BARS).iloc[::-1]
    names = present.Titles.for_result(jm, lang, result)
    title = present.heading(result, lang, names)
    if len(rows) < len(plotted):
        title += " — " + t("result.first_bars", lang, shown=len(rows), total=len(plotted))
    axis = present.column_label(value, names, tuple(map(str, table.columns))) or value
    fig = go.Figure(
        go.Bar(
            x=rows[value],
            y=[names.text(v) for v in rows[label]],
            orientation="h",
            marker_color="#2e86de",
            text=[present.cell_text(value, v, lang, names) for v in rows[value]],
            hovertemplate=f"%{{y}}<br>{axis}: %{{text}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=axis,
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
        height=max(260, 28 * len(rows) + 110),
        yaxis={"automargin": True},
        template="plotly_white",
        separators=", " if lang == "fr" else ".,",  # the axis's numbers: decimal mark, thousands
    )
    return fig


def figures_json(result: Result, lang: str, jm: JourneyMap | None = None) -> list[str]:
    """The figures of ``result`` as Plotly JSON texts, safe to put inside a ``<script>``."""
    figures = _from_charts(result, jm, lang)
    if not figures:
        generic = generic_figure(result, jm, lang)
        figures = [generic] if generic is not None else []
    out = []
    for fig in figures:
        fig.update_layout(autosize=True)
        text = pio.to_json(fig, validate=False, pretty=False)
        out.append(text.replace("</", "<\\/"))
    return out


def dumps_safe(value: Any) -> str:
    """JSON that can sit inside a ``<script type="application/json">``."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
