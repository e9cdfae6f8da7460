"""Charts of analysis results, with Plotly: one function per chart, each taking a ``Result``.

| chart | from | shows |
|---|---|---|
| :func:`funnel_chart` | ``funnel`` | persons per step, persons lost, median time to convert |
| :func:`paths_sankey` | ``paths`` (table ``flows``) | journeys from step N to step N+1 |
| :func:`process_map` | ``process`` | directly-follows graph, left to right by the map's stages |
| :func:`attribution_bars` | ``attribution`` | credit per channel or touchpoint, model by model |
| :func:`retention_heatmap` | ``retention`` (table ``cohorts``) | share of each cohort buying again |
| :func:`nps_by_stage` | ``voice`` | NPS (and CSAT, CES) per stage with intervals |
| :func:`emotion_curve` | ``voice`` (table ``emotion_curve``) | designed and measured emotion |
| :func:`channel_mix` | ``channels`` | share of each channel per stage |
| :func:`conformance_fitness` | ``conformance`` (table ``fitness``) | journeys by fitness |
| :func:`compare_bars` | ``compare`` | the rates of side A and side B, row by row |

A chart never queries the store. Passing the journey map (``jm``) shows stage, touchpoint and
channel titles instead of ids and orders stages as the map does. Labels follow ``lang``
(:mod:`parcours.render.i18n`). Every function returns a ``plotly.graph_objects.Figure``.

>>> import pandas as pd
>>> from parcours.analyses.paths import PathsResult
>>> flows = pd.DataFrame({"step": [1, 1], "source": ["ad", "search"],
...                       "target": ["landing", "landing"], "journeys": [30, 12]})
>>> result = PathsResult(title="Paths", table=pd.DataFrame(), flows=flows, journeys=42,
...     distinct_paths=2, non_linear_share=0.0, loop_share=0.0, back_share=0.0, skip_share=0.0)
>>> fig = paths_sankey(result)
>>> list(fig.data[0].link.value)
[30, 12]
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from parcours.analyses.attribution import AttributionResult
from parcours.analyses.base import Result
from parcours.analyses.channels import ChannelsResult
from parcours.analyses.compare import CompareResult
from parcours.analyses.conformance import ConformanceResult
from parcours.analyses.funnel import FunnelResult
from parcours.analyses.paths import PathsResult
from parcours.analyses.process import ProcessResult
from parcours.analyses.retention import RetentionResult
from parcours.analyses.voice import VoiceResult
from parcours.errors import InputError
from parcours.maps import JourneyMap, text_of
from parcours.render.i18n import duration, labelled, lang_of, number, pct, period_name, t
from parcours.render.present import Titles, figure_text

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
PALETTE = ["#2e86de", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d4ac0d",
           "#34495e", "#e84393", "#7f8c8d"]  # fmt: skip
LOST = "#f2b8b5"
GOOD, BAD, NEUTRAL = "#1b7f3b", "#c0392b", "#8a8f98"
TIME_SCALE = "Blues"  # process map edges: light is fast, dark is slow


# -- shared helpers -----------------------------------------------------------------------


R = TypeVar("R", bound=Result)


def _expect(result: object, kind: type[R], chart: str) -> R:
    """``result`` when it is a ``kind`` (one analysis's result type); an InputError otherwise."""
    if not isinstance(result, kind):
        got = getattr(result, "analysis", type(result).__name__)
        raise InputError(
            f"{chart}: expects a result of the '{kind.analysis}' analysis, got '{got}'"
        )
    return result


def _missing(result: Result, name: str, chart: str) -> InputError:
    """The error of a chart whose table ``name`` the result does not hold."""
    return InputError(
        f"{chart}: the {result.analysis} result has no table '{name}'; "
        f"tables: {', '.join(result.tables) or 'none'}"
    )


def _column(frame: pd.DataFrame, chart: str, *names: str) -> str:
    """The first of ``names`` that is a column of ``frame`` (results name times two ways)."""
    for name in names:
        if name in frame.columns:
            return name
    raise InputError(
        f"{chart}: needs a column {' or '.join(names)}; columns: {', '.join(map(str, frame.columns))}"
    )


class Labels:
    """Titles of the map's stages, touchpoints and channels in one language; ids otherwise."""

    def __init__(self, jm: JourneyMap | None, lang: str | None):
        self.jm = jm
        self.lang = lang_of(lang or (jm.lang if jm is not None else None))
        self.titles: dict[str, str] = {}
        self.stage_of: dict[str, str] = {}
        self.stage_titles: dict[str, str] = {}  # a stage's own title, whatever the level
        if jm is None:
            return
        for channel in jm.channels:
            self.titles[channel.id] = (
                text_of(channel.title, self.lang) if channel.title else channel.id
            )
        for tp in jm.touchpoints:
            self.titles[tp.id] = text_of(tp.title, self.lang) if tp.title else tp.id
            self.stage_of[tp.id] = tp.stage
        for stage in jm.stages:
            self.titles[stage.id] = text_of(stage.title, self.lang)
            self.stage_titles[stage.id] = self.titles[stage.id]
            self.stage_of[stage.id] = stage.id
        # events as the map names them: the conversion, a touchpoint's event (present.Titles)
        for key, title in Titles.of(jm, self.lang).names.items():
            self.titles.setdefault(key, title)

    def __call__(self, value: object) -> str:
        return self.titles.get(str(value), str(value))

    def at_level(self, result: Result) -> Labels:
        """These labels for a result at touchpoint level: a touchpoint's title wins over a
        stage of the same id (a stage's wins otherwise)."""
        level = str((result.params or {}).get("level") or "")
        if level == "touchpoint" and self.jm is not None:
            self.titles.update(Titles.of(self.jm, self.lang).kinds.get("touchpoint", {}))
        return self

    def stage(self, stage: str) -> str:
        """A stage's title, even where a touchpoint of the same id wins (``at_level``)."""
        return self.stage_titles.get(stage, self(stage))

    @property
    def stages(self) -> list[str]:
        return self.jm.stage_ids if self.jm is not None else []

    def stage_index(self, value: str) -> int | None:
        stage = self.stage_of.get(value)
        return self.stages.index(stage) if stage in self.stages else None

    def colour(self, value: str) -> str:
        """A colour per stage of the map (grey for what belongs to no stage)."""
        index = self.stage_index(value)
        return PALETTE[index % len(PALETTE)] if index is not None else NEUTRAL


def _short(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _layout(fig: go.Figure, height: int, lang: str = "en", **extra: object) -> go.Figure:
    fig.update_layout(
        separators=", " if lang == "fr" else ".,",  # decimal mark, then thousands
        template="plotly_white",
        font={"family": FONT, "size": 13, "color": "#1d2330"},
        height=height,
        margin={"l": 60, "r": 30, "t": 40, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        **extra,
    )
    return fig


def _percent_ticks(top: float, lang: str) -> dict[str, list[Any]]:
    """Ticks of an axis of shares from 0 to ``top``, written as the tables write them
    ("20 %" in French): Plotly's locale has no percent sign of its own, so its ".0%" format
    writes "20%" on a French page."""
    top = top if np.isfinite(top) and top > 0 else 1.0
    steps = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5)
    step = next((s for s in steps if top / s <= 5), 1.0)  # five steps at most
    values = [round(i * step, 6) for i in range(int(top / step + 1e-9) + 2)]  # one past top
    digits = 1 if step < 0.01 else 0
    return {"tickvals": values, "ticktext": [pct(v, lang, digits) for v in values]}


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# -- funnel -------------------------------------------------------------------------------


def funnel_chart(
    result: FunnelResult, jm: JourneyMap | None = None, lang: str | None = None
) -> go.Figure:
    """Persons per funnel step (bars), the persons lost since the previous step (stacked, light)
    and the median time to convert under each step. A breakdown draws one bar per value."""
    result = _expect(result, FunnelResult, "funnel_chart")
    label = Labels(jm, lang)
    table = result.table
    median = _column(table, "funnel_chart", "median_time_s", "median_seconds")
    steps = table.drop_duplicates("step").sort_values("step")

    def tick(row: pd.Series) -> str:
        text = f"{int(row.step)}. {_short(label(row['name']), 22)}"
        if pd.notna(row[median]):
            text += f"<br><span style='font-size:11px;color:#5d6673'>{t('funnel.median', label.lang, time=duration(row[median], label.lang))}</span>"
        return text

    fig = go.Figure()
    if "breakdown" in table.columns:
        first = table.groupby("breakdown").persons.transform("max")
        ticks = {
            row.step: f"{int(row.step)}. {_short(label(row['name']), 22)}"
            for _, row in steps.iterrows()
        }
        for i, (value, part) in enumerate(
            table.assign(first=first).groupby("breakdown", sort=False)
        ):
            part = part.sort_values("step")
            fig.add_bar(
                x=[ticks[s] for s in part.step],
                y=part.persons,
                name=str(value),
                marker_color=PALETTE[i % len(PALETTE)],
                text=[pct(c, label.lang) for c in part.conversion],
                textposition="outside",
            )
        fig.update_layout(barmode="group")
    else:
        x = [tick(row) for _, row in steps.iterrows()]
        fig.add_bar(
            x=x,
            y=steps.persons,
            name=t("funnel.persons", label.lang),
            marker_color=PALETTE[0],
            text=[
                f"{number(p, label.lang)}<br>{pct(c, label.lang)}"
                for p, c in zip(steps.persons, steps.conversion, strict=True)
            ],
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate="%{x}<br>%{y:,} " + t("funnel.persons", label.lang) + "<extra></extra>",
        )
        fig.add_bar(
            x=x,
            y=steps.drop_off,
            name=t("funnel.lost", label.lang),
            marker={"color": LOST, "pattern": {"shape": "/", "fgcolor": "#e39d98"}},
            text=[
                f"−{number(d, label.lang)} ({pct(r, label.lang)})" if d else ""
                for d, r in zip(steps.drop_off, steps.drop_off_rate, strict=True)
            ],
            textposition="inside",
            textfont={"color": "#7b241c"},
            hovertemplate="%{x}<br>−%{y:,} " + t("funnel.lost", label.lang) + "<extra></extra>",
        )
        fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("funnel.persons", label.lang), rangemode="tozero")
    return _layout(fig, 440, label.lang, bargap=0.25)


# -- paths --------------------------------------------------------------------------------


# The Sankey's geometry, in pixels: the width it is drawn for (the report's page, the
# dashboard at 1440 px), a character of its 12 px labels, a line of them, its nodes.
SANKEY_WIDTH = 1160
SANKEY_CHAR = 7.0
SANKEY_LINE = 15
SANKEY_NODE = 14
SANKEY_PAD = 12
SANKEY_MARGIN = {"l": 10, "r": 10, "t": 44, "b": 24}


def _sankey_rows(
    keys: list[tuple[int, str]],
    columns: list[int],
    through: dict[tuple[int, str], float],
    lines: dict[tuple[int, str], list[str]],
) -> tuple[int, dict[tuple[int, str], float]]:
    """The plot's height and each node's centre (0 top, 1 bottom): a node takes the height
    its journeys give it (as the Sankey scales them) or its label's lines, whichever is
    taller, so that two labels of a column never overlap and none leaves the plot."""
    height = 360.0
    for _ in range(4):  # the scale grows with the height: a few rounds settle it
        scale = min(
            (height - SANKEY_PAD * (sum(k[0] == c for k in keys) - 1))
            / (sum(through[k] for k in keys if k[0] == c) or 1.0)
            for c in columns
        )
        slots = {
            k: max(through[k] * scale + SANKEY_PAD, SANKEY_LINE * len(lines[k]) + 6) for k in keys
        }
        needed = max(sum(slots[k] for k in keys if k[0] == c) for c in columns)
        if needed <= height:
            break
        height = min(needed, 2400.0)
    y_of: dict[tuple[int, str], float] = {}
    for c in columns:
        top = 0.0
        for k in sorted((k for k in keys if k[0] == c), key=lambda k: -through[k]):
            y_of[k] = min(0.999, max(0.001, (top + slots[k] / 2) / height))
            top += slots[k]
    return int(height), y_of


def paths_sankey(
    result: PathsResult,
    jm: JourneyMap | None = None,
    lang: str | None = None,
    max_links: int = 60,
) -> go.Figure:
    """Sankey of the ``flows`` table: journeys from a value at step N to one at step N+1.

    max_links: the most frequent flows drawn; the others are left out (the table has them).
    """
    result = _expect(result, PathsResult, "paths_sankey")
    if max_links < 1:
        raise InputError(f"paths_sankey: max_links must be at least 1, got {max_links}")
    if result.flows is None:
        raise _missing(result, "flows", "paths_sankey")
    label = Labels(jm, lang).at_level(result)
    flows = result.flows.sort_values(["journeys", "step"], ascending=[False, True], kind="stable")
    flows = flows.head(max_links).sort_values(["step", "journeys"], ascending=[True, False])
    nodes: dict[tuple[int, str], int] = {}
    for row in flows.itertuples(index=False):
        for key in ((int(row.step), str(row.source)), (int(row.step) + 1, str(row.target))):
            nodes.setdefault(key, len(nodes))
    keys = list(nodes)
    colours = [label.colour(value) for _, value in keys]
    # One column per step, one node per value in it, placed by hand: a node whose incoming
    # flows were left out stays in its step's column instead of sliding to the first one.
    through: dict[tuple[int, str], float] = {}
    for key in keys:  # a node's size is the larger of what goes in and what goes out
        ins = flows[(flows.step + 1 == key[0]) & (flows.target.astype(str) == key[1])].journeys
        outs = flows[(flows.step == key[0]) & (flows.source.astype(str) == key[1])].journeys
        through[key] = float(max(ins.sum(), outs.sum()))
    columns = sorted({step for step, _ in keys})
    first, last = columns[0], columns[-1]
    x_of = {c: 0.001 + 0.998 * (c - first) / max(last - first, 1) for c in columns}
    # Whole labels, wrapped to the room between two columns (the last two columns share
    # theirs: the last one's labels sit on the left of its nodes), never cut.
    room = SANKEY_WIDTH / max(len(columns) - 1, 1) - SANKEY_NODE - 12
    chars = max(12, int(room / SANKEY_CHAR))
    shared = max(12, int((room / 2 - 6) / SANKEY_CHAR))
    lines = {
        k: textwrap.wrap(label(k[1]), shared if k[0] >= last - 1 else chars) or [""] for k in keys
    }
    height, y_of = _sankey_rows(keys, columns, through, lines)
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            valueformat=",d",
            node={
                "label": ["<br>".join(lines[k]) for k in keys],
                "customdata": [f"{label(value)} ({step})" for step, value in keys],
                "x": [x_of[k[0]] for k in keys],
                "y": [y_of[k] for k in keys],
                "hovertemplate": "%{customdata}<br>%{value:,}<extra></extra>",
                "color": colours,
                "pad": SANKEY_PAD,
                "thickness": SANKEY_NODE,
                "line": {"width": 0},
            },
            link={
                "source": [nodes[(int(r.step), str(r.source))] for r in flows.itertuples()],
                "target": [nodes[(int(r.step) + 1, str(r.target))] for r in flows.itertuples()],
                "value": flows.journeys.tolist(),
                "color": [
                    _rgba(colours[nodes[(int(r.step), str(r.source))]], 0.3)
                    for r in flows.itertuples()
                ],
            },
        )
    )
    steps = flows.step.nunique() + 1 if len(flows) else 1
    fig = _layout(fig, height + SANKEY_MARGIN["t"] + SANKEY_MARGIN["b"], label.lang)
    fig.update_layout(margin=SANKEY_MARGIN, font_size=12)
    for c in columns:  # a header over each step's column
        fig.add_annotation(
            text=f"<b>{t('paths.position', label.lang, n=c)}</b>", x=x_of[c], y=1.0,
            xref="paper", yref="paper", yanchor="bottom", yshift=8, showarrow=False,
            xanchor="left" if c == first else "right" if c == last else "center",
        )  # fmt: skip
    fig.layout.meta = {"steps": int(steps)}
    return fig


# -- process map --------------------------------------------------------------------------


def _layers(
    graph: nx.DiGraph, label: Labels, level: str, starts: dict[str, float]
) -> dict[str, int]:
    """The column of each node: its stage in the map's order, else its BFS depth from the
    nodes that start journeys (the most frequent start when none is marked)."""
    layers: dict[str, int] = {}
    if level in ("touchpoint", "stage"):
        for node in graph.nodes:
            index = label.stage_index(node)
            if index is not None:
                layers[node] = index
    rest = [n for n in graph.nodes if n not in layers]
    if rest:
        sources = [n for n in rest if starts.get(n, 0) > 0] or [
            n for n in rest if not set(graph.predecessors(n)) - {n}
        ]
        if not sources:
            sources = [max(rest, key=lambda n: graph.out_degree(n, weight="frequency"))]
        depth = nx.multi_source_dijkstra_path_length(graph.subgraph(rest), sources, weight=None)
        offset = (max(layers.values()) + 1) if layers else 0
        deepest = max(depth.values(), default=0)
        for node in rest:
            layers[node] = offset + int(depth.get(node, deepest + 1))
    return layers


def _positions(graph: nx.DiGraph, layers: dict[str, int], sweeps: int = 6) -> dict[str, np.ndarray]:
    """Layered layout (Sugiyama style): x is the node's layer, nodes of a layer are stacked
    and centred, their order improved by sweeps of the barycentre heuristic (each node moves
    towards the frequency-weighted mean height of its neighbours in other layers), so that
    the main flows run straight and cross less. The graph's node order is the first order."""
    columns: dict[int, list[str]] = {}
    for node in graph.nodes:
        columns.setdefault(layers[node], []).append(node)
    weight: dict[str, list[tuple[str, float]]] = {n: [] for n in graph.nodes}
    for u, v, data in graph.edges(data=True):
        if u != v and layers[u] != layers[v]:
            weight[u].append((v, float(data.get("frequency", 1))))
            weight[v].append((u, float(data.get("frequency", 1))))
    height: dict[str, float] = {}

    def stack(layer: int) -> None:
        column = columns[layer]
        for index, node in enumerate(column):
            height[node] = (len(column) - 1) / 2 - index

    for layer in columns:
        stack(layer)
    order = sorted(columns)
    for sweep in range(sweeps):
        for layer in order if sweep % 2 == 0 else reversed(order):

            def centre(node: str) -> float:
                pairs = weight[node]
                total = sum(w for _, w in pairs)
                return sum(height[m] * w for m, w in pairs) / total if total else height[node]

            columns[layer].sort(key=centre, reverse=True)
            stack(layer)
    return {n: np.array([float(layers[n]), height[n]]) for n in graph.nodes}


PROCESS_WIDTH = (
    1080  # the plot's width at 1440 px (the report's page, the dashboard), colour bar aside
)


def _bezier(p0: np.ndarray, p1: np.ndarray, bend: float, upto: float = 0.9) -> np.ndarray:
    """Points of a quadratic curve from p0 towards p1, bent to the left of its direction."""
    direction = p1 - p0
    normal = np.array([-direction[1], direction[0]])
    control = (p0 + p1) / 2 + bend * normal
    s = np.linspace(0.0, upto, 16)[:, None]
    return (1 - s) ** 2 * p0 + 2 * (1 - s) * s * control + s**2 * p1


def _loop(p: np.ndarray, rx: float, ry: float) -> np.ndarray:
    """A small loop above a node, for a self-loop (a repeat of the same activity)."""
    angles = np.linspace(-0.35 * math.pi, 1.35 * math.pi, 20)
    centre = p + np.array([0.0, 1.6 * ry])
    return np.column_stack([centre[0] + rx * np.cos(angles), centre[1] + ry * np.sin(angles)])


def _time_ticks(low: float, high: float, lang: str) -> tuple[list[float], list[str]]:
    marks: list[float] = [1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400]
    inside = [m for m in marks if low <= math.log10(m) <= high] or [10**low, 10**high]
    return [math.log10(m) for m in inside], [duration(m, lang) for m in inside]


def process_map(
    result: ProcessResult,
    jm: JourneyMap | None = None,
    lang: str | None = None,
    max_edges: int = 40,
) -> go.Figure:
    """The directly-follows graph laid out left to right, one column per stage of the map.

    Edge width grows with the frequency, edge colour with the median transition time (log
    scale: light is fast, dark is slow), node size with the events of the activity. Each edge
    is one trace (a curve ending in an arrow); a self-loop is drawn as a small loop above its
    node. max_edges: the most frequent edges drawn (the table has all of them).
    """
    result = _expect(result, ProcessResult, "process_map")
    if max_edges < 1:
        raise InputError(f"process_map: max_edges must be at least 1, got {max_edges}")
    label = Labels(jm, lang).at_level(result)
    level = str(result.params.get("level", "touchpoint"))
    edges = result.table
    median = _column(edges, "process_map", "median_time_s", "median_seconds")
    edges = edges.sort_values("frequency", ascending=False, kind="stable").head(max_edges)
    nodes_table = result.nodes
    node_info: dict[str, dict] = {}
    if nodes_table is not None and len(nodes_table):
        key = nodes_table.columns[0]
        node_info = {str(r[key]): r for r in nodes_table.to_dict(orient="records")}

    graph = nx.DiGraph()
    order = {tp: i for i, tp in enumerate(label.titles)}  # the map's order within a stage
    names = sorted(
        set(edges.source.astype(str)) | set(edges.target.astype(str)),
        key=lambda n: (order.get(n, len(order)), -float(node_info.get(n, {}).get("events", 0))),
    )
    graph.add_nodes_from(names)
    for row in edges.itertuples(index=False):
        graph.add_edge(str(row.source), str(row.target), frequency=int(row.frequency))
    starts = {n: float(info.get("starts", 0) or 0) for n, info in node_info.items()}
    layers = _layers(graph, label, level, starts)
    xy = _positions(graph, layers)
    # Whole labels, wrapped to their column's width at 1440 px, never cut.
    chars = max(12, int(PROCESS_WIDTH / max(len(set(layers.values())), 1) / 6.3) - 2)
    wrapped = {n: textwrap.wrap(label(n), chars) or [""] for n in graph.nodes}
    xs = [p[0] for p in xy.values()] or [0.0]
    ys = [p[1] for p in xy.values()] or [0.0]
    span_x = max(max(xs) - min(xs), 1.0)
    span_y = max(max(ys) - min(ys), 1.0)

    fig = go.Figure()
    top = float(edges.frequency.max()) if len(edges) else 1.0
    times = edges[median].astype(float).clip(lower=1.0)
    logs = np.log10(times.fillna(times.median() if times.notna().any() else 60.0))
    low, high = (float(logs.min()), float(logs.max())) if len(logs) else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    colours = sample_colorscale(TIME_SCALE, [0.3 + 0.7 * (v - low) / (high - low) for v in logs])
    words = {k: t(f"process.{k}", label.lang) for k in ("transitions", "median_time", "events")}
    drawn: list[np.ndarray] = [np.column_stack([xs, ys])]
    for row, colour in zip(edges.itertuples(index=False), colours, strict=True):
        source, target = str(row.source), str(row.target)
        width = 1.0 + 11.0 * float(row.frequency) / top
        if source == target:
            points = _loop(xy[source], 0.025 * span_x, 0.03 * span_y)
        else:
            same_column = layers.get(source) == layers.get(target)
            points = _bezier(xy[source], xy[target], 0.22 if same_column else 0.1)
        drawn.append(points)
        sizes = [0] * (len(points) - 1) + [8 + width]
        fig.add_trace(
            go.Scatter(
                x=points[:, 0],
                y=points[:, 1],
                mode="lines+markers",
                line={"width": width, "color": colour, "shape": "spline"},
                marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": colour},
                opacity=0.85,
                hoverinfo="text",
                hovertext=(
                    f"{label(source)} → {label(target)}<br>{int(row.frequency):,} {words['transitions']}"
                    f"<br>{words['median_time']} {duration(getattr(row, median), label.lang)}"
                ),
                showlegend=False,
                meta={
                    "kind": "edge",
                    "source": source,
                    "target": target,
                    "frequency": int(row.frequency),
                },  # fmt: skip
            )
        )
    events = [float(node_info.get(n, {}).get("events", 0) or 0) for n in graph.nodes]
    biggest = max(events + [1.0])
    hover = []
    for n in graph.nodes:
        info = node_info.get(n, {})
        parts = [f"<b>{label(n)}</b>"]
        for key in ("events", "cases", "starts", "ends"):
            if key in info and pd.notna(info[key]):
                shown = number(int(info[key]), label.lang)
                parts.append(labelled(t(f"process.{key}", label.lang), shown, label.lang))
        hover.append("<br>".join(parts))
    fig.add_trace(
        go.Scatter(
            x=[xy[n][0] for n in graph.nodes],
            y=[xy[n][1] for n in graph.nodes],
            mode="markers+text",
            marker={
                "size": [12 + 30 * math.sqrt(e / biggest) for e in events],
                "color": [label.colour(n) for n in graph.nodes],
                "line": {"width": 1.5, "color": "#ffffff"},
            },
            text=["<br>".join(wrapped[n]) for n in graph.nodes],
            textposition="bottom center",
            textfont={"size": 11},
            cliponaxis=False,  # a big bottom node's label runs into the margin, whole
            hoverinfo="text",
            hovertext=hover,
            showlegend=False,
            meta={"kind": "nodes"},
        )
    )
    tickvals, ticktext = _time_ticks(low, high, label.lang)
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={
                "colorscale": [
                    [0, sample_colorscale(TIME_SCALE, [0.3])[0]],
                    [1, sample_colorscale(TIME_SCALE, [1.0])[0]],
                ],
                "cmin": low,
                "cmax": high,
                "color": [low],
                "showscale": True,
                "colorbar": {
                    "title": {"text": words["median_time"], "side": "right"},
                    "tickvals": tickvals,
                    "ticktext": ticktext,
                    "thickness": 12,
                    "len": 0.7,
                },
            },
            meta={"kind": "colorbar"},
        )
    )
    if label.jm is not None and level in ("touchpoint", "stage"):
        for index, stage in enumerate(label.stages):
            members = [xy[n][0] for n in graph.nodes if layers.get(n) == index]
            if members:
                fig.add_annotation(
                    x=members[0], y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                    text="<br>".join(f"<b>{line}</b>" for line in textwrap.wrap(label.stage(stage), chars)),
                    font={"color": PALETTE[index % len(PALETTE)]},
                )  # fmt: skip
    column = max(pd.Series(list(layers.values())).value_counts().max() if layers else 1, 1)
    lines = max((len(w) for w in wrapped.values()), default=1)  # a row holds a dot and its label
    fig = _layout(fig, max(460, (62 + 13 * lines) * column), label.lang)
    every = np.vstack(drawn)
    left, right = every[:, 0].min(), every[:, 0].max()
    bottom, top_y = every[:, 1].min(), every[:, 1].max()
    fig.update_xaxes(visible=False, range=[left - 0.07 * span_x, right + 0.07 * span_x])
    fig.update_yaxes(visible=False, range=[bottom - 0.1 * span_y, top_y + 0.06 * span_y])
    headers = max((len(textwrap.wrap(label.stage(s), chars)) for s in label.stages), default=1)
    top_margin = 24 + 18 * headers
    fig.update_layout(
        margin={"l": 20, "r": 20, "t": top_margin, "b": 20 + 14 * lines}, hovermode="closest"
    )
    return fig


def edge_traces(fig: go.Figure) -> list[go.Scatter]:
    """The edge traces of a :func:`process_map` figure, in drawing order."""
    return [tr for tr in fig.data if isinstance(tr.meta, dict) and tr.meta.get("kind") == "edge"]


# -- attribution --------------------------------------------------------------------------

MODELS = ("first_touch", "last_touch", "linear", "position", "time_decay", "markov", "shapley")


def attribution_bars(
    result: AttributionResult, jm: JourneyMap | None = None, lang: str | None = None, top: int = 12
) -> go.Figure:
    """Conversions credited to each channel (or touchpoint), one bar per model.

    top: the channels or touchpoints with the most credit (mean over models) shown.
    """
    result = _expect(result, AttributionResult, "attribution_bars")
    label = Labels(jm, lang)
    table = result.table
    key = str(result.params.get("level", table.columns[0]))
    key = key if key in table.columns else table.columns[0]
    models = [m for m in result.params.get("models", MODELS) if m in table.columns] or [
        c for c in table.columns if c != key and pd.api.types.is_numeric_dtype(table[c])
    ]
    table = table.assign(_mean=table[models].mean(axis=1)).sort_values("_mean", ascending=False)
    table = table.head(top)
    fig = go.Figure()
    for i, model in enumerate(models):
        fig.add_bar(
            x=[_short(label(v), 22) for v in table[key]],
            y=table[model],
            name=_model_name(model, label.lang),
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{x}<br>%{y:,.0f}<extra>" + model + "</extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=t("attribution.conversions", label.lang))
    return _layout(fig, 440, label.lang, bargap=0.2)


def _model_name(model: str, lang: str) -> str:
    name = t(f"model.{model}", lang)
    return model.replace("_", " ") if name == f"model.{model}" else name


# -- compare ------------------------------------------------------------------------------


def _compare_row(metric: str, value: str, label: Labels) -> str:
    """A row of the comparison in words: what is measured, on which stage or step."""
    if value == "(all journeys)":
        return t("compare.row.all", label.lang)
    if metric == "funnel":  # "2. add_to_cart": the step's number, then its event
        step, _, name = value.partition(". ")
        return t("compare.row.funnel", label.lang, step=step, name=_short(label(name), 28))
    key = "compare.row.reach" if metric == "reach" else "compare.row.conversion"
    return t(key, label.lang, stage=_short(label(value), 28))


def compare_bars(
    result: CompareResult, jm: JourneyMap | None = None, lang: str | None = None
) -> go.Figure:
    """The rates of side A and side B, row by row of the comparison (overall conversion,
    each stage's reach and conversion, each funnel step), as percentages; a row whose
    change is significant is marked with a star."""
    result = _expect(result, CompareResult, "compare_bars")
    label = Labels(jm, lang)
    rows = result.table.iloc[::-1]  # the first row on top
    y = [
        _compare_row(str(m), str(v), label) + (" ★" if bool(s) else "")
        for m, v, s in zip(rows.metric, rows.id, rows.significant, strict=True)
    ]
    names = Titles.of(jm, label.lang)
    fig = go.Figure()
    for i, side in enumerate(("a", "b")):
        side_label = figure_text(
            f"label_{side}", getattr(result, f"label_{side}"), label.lang, names
        )
        rates = rows[f"rate_{side}"].astype(float)
        fig.add_bar(
            x=rates, y=y, orientation="h", name=f"{side.upper()} · {side_label}",
            marker_color=PALETTE[i], text=[pct(r, label.lang, 1) for r in rates],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}<br>%{text}<extra>" + side.upper() + "</extra>",
        )  # fmt: skip
    fig.update_layout(barmode="group")
    top = float(result.table[["rate_a", "rate_b"]].astype(float).max().max())
    fig.update_xaxes(
        **_percent_ticks(top, label.lang), rangemode="tozero", title=t("compare.axis", label.lang)
    )
    fig.update_yaxes(automargin=True)
    if result.table.significant.any():
        fig.add_annotation(
            text=t("compare.star", label.lang), xref="paper", yref="paper", x=0, y=0,
            yshift=-60, xanchor="left", yanchor="top", showarrow=False,
            font={"size": 11, "color": NEUTRAL},
        )  # fmt: skip
    return _layout(fig, max(300, 40 * len(y) + 140), label.lang, bargap=0.25)


# -- retention ----------------------------------------------------------------------------


def retention_heatmap(result: RetentionResult, lang: str | None = None) -> go.Figure:
    """Cohorts (month of first purchase) by months since: the share buying again. A cell
    whose period is not over yet (the table's ``partial``) is marked with an asterisk,
    explained under the chart; a period not observed yet is blank."""
    result = _expect(result, RetentionResult, "retention_heatmap")
    lang = lang_of(lang)
    cohorts = result.cohorts
    if cohorts is None:
        raise _missing(result, "cohorts", "retention_heatmap")
    # m<k> for monthly cohorts, w<k> weekly, d<k> daily (retention's ``period``)
    prefix = next((p for p in "mwd" if f"{p}0" in cohorts.columns), "m")
    months = sorted(
        (c for c in cohorts.columns if str(c).startswith(prefix) and str(c)[1:].isdigit()),
        key=lambda c: int(str(c)[1:]),
    )
    if not months:
        raise InputError("retention_heatmap: the cohorts table has no month columns m0, m1...")
    z = cohorts[months].astype(float).to_numpy()
    later = z[:, 1:] if z.shape[1] > 1 else z
    top = float(np.nanmax(later)) if np.isfinite(later).any() else 1.0
    persons = cohorts["persons"] if "persons" in cohorts.columns else [None] * len(cohorts)
    y = [
        f"{period_name(c, lang)} ({number(p, lang)})" if p is not None else period_name(c, lang)
        for c, p in zip(cohorts["cohort"], persons, strict=True)
    ]
    # past 14 columns the cells are too narrow to read: numbers on the axis, rates on hover
    wide = len(months) > 14
    unit = {"m": "retention.month", "w": "retention.week", "d": "retention.day"}[prefix]
    x = [str(m)[1:] if wide else t(unit, lang, k=int(str(m)[1:])) for m in months]
    partial = cohorts["partial"] if "partial" in cohorts.columns else [None] * len(cohorts)
    text = [
        ["" if not np.isfinite(v) else pct(v, lang) + ("*" if m == p else "") for v, m in
         zip(row, months, strict=True)]
        for row, p in zip(z, partial, strict=True)
    ]  # fmt: skip
    marked = [(x[j], y[i]) for i, p in enumerate(partial) for j, m in enumerate(months)
              if m == p and np.isfinite(z[i, j])]  # fmt: skip
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="" if wide else "%{text}",
            hovertemplate="%{y} · %{x} : %{text}<extra></extra>"
            if lang == "fr"
            else "%{y} · %{x}: %{text}<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=max(top, 1e-9),
            hoverongaps=False,
            colorbar={
                "title": {"text": t("retention.rebuy", lang), "side": "right"},
                **_percent_ticks(max(top, 1e-9), lang),
            },
        )
    )
    if wide:  # no text in the cells: the asterisk over them, as annotations (a trace
        # would change the axis' ticks: every period's number, overlapping)
        for xv, yv in marked:
            fig.add_annotation(
                x=xv, y=yv, text="*", showarrow=False, font={"size": 16, "color": "#1d2330"}
            )
    fig.update_yaxes(autorange="reversed", title=t("retention.cohort", lang))
    fig = _layout(fig, max(320, 60 + (22 if wide else 34) * len(y)) + (30 if marked else 0), lang)
    if wide:
        fig.update_xaxes(title=t(f"retention.since.{prefix}", lang), tickangle=0)
    if marked:
        fig.add_annotation(
            text=t("note.retention.partial", lang), xref="paper", yref="paper", x=0, y=0,
            yshift=-75 if wide else -45, xanchor="left", yanchor="top", showarrow=False,
            font={"size": 11, "color": NEUTRAL},
        )  # fmt: skip
        fig.update_layout(margin={"b": 105 if wide else 80})
    return fig


# -- voice --------------------------------------------------------------------------------

VOICE_PANEL = 190  # px per panel of nps_by_stage, its stage names included
VOICE_GAP = 80  # px between two panels: the stage names of the upper one, the title of the next
SCORES = {"nps": "voice.nps", "csat": "voice.csat", "ces": "voice.ces"}  # their titles


def _stage_rows(result: VoiceResult, label: Labels, chart: str) -> pd.DataFrame:
    table = result.table
    if "level" not in table.columns or not (table.level == "stage").any():
        raise InputError(f"{chart}: needs the voice result at level stage or both (no stage rows)")
    rows = table[table.level == "stage"].set_index("id")
    return rows.reindex(label.stages + [s for s in rows.index if s not in label.stages])


def nps_by_stage(
    result: VoiceResult,
    jm: JourneyMap | None = None,
    lang: str | None = None,
    metrics: Iterable[str] = ("nps", "csat", "ces"),
) -> go.Figure:
    """NPS per stage with its interval, then CSAT and CES when answered: one panel each.

    metrics: nps, csat, ces; panels with no answer at any stage are left out (not NPS).
    """
    result = _expect(result, VoiceResult, "nps_by_stage")
    label = Labels(jm, lang)
    metrics = list(metrics)
    unknown = [m for m in metrics if m not in SCORES]
    if unknown:
        raise InputError(
            f"nps_by_stage: unknown metric {', '.join(unknown)}; allowed: nps, csat, ces"
        )
    rows = _stage_rows(result, label, "nps_by_stage")
    # Stages nobody answered about are named once under the panels, not drawn empty.
    scores = [m for m in SCORES if m in rows]
    answered_any = rows[scores].notna().any(axis=1) if scores else rows.index.notna()
    silent = [label(s) for s in rows.index[~answered_any]]
    rows = rows[answered_any] if answered_any.any() else rows
    shown = [m for m in metrics if m == "nps" or (m in rows and rows[m].notna().any())]
    # Each panel names the stages under its bars (a reader of the CSAT panel should not
    # have to look down to the CES one): a gap of VOICE_GAP px between panels holds them.
    height = 80 + VOICE_PANEL * len(shown)
    plot_height = height - 100  # less the top and bottom margins of _layout
    fig = make_subplots(
        rows=len(shown), cols=1, shared_xaxes=True,
        vertical_spacing=min(0.3, VOICE_GAP / plot_height) if len(shown) > 1 else 0.0,
        subplot_titles=[t(SCORES[m], label.lang) for m in shown],
    )  # fmt: skip
    # Stage names on two short lines, level: no tilted label runs into its neighbour.
    x = ["<br>".join(textwrap.wrap(_short(label(s), 28), 14)) for s in rows.index]
    for i, metric in enumerate(shown, start=1):
        values = rows[metric].astype(float) if metric in rows else pd.Series(np.nan, rows.index)
        low = rows.get(f"{metric}_low", values).astype(float)
        high = rows.get(f"{metric}_high", values).astype(float)
        if metric == "nps":
            colours = [GOOD if v >= 0 else BAD for v in values.fillna(0)]
        elif metric == "csat":
            colours = [PALETTE[0]] * len(values)
        else:
            colours = [PALETTE[1]] * len(values)
        shown_text = {"nps": lambda v: f"{v:+.0f}", "csat": lambda v: pct(v, label.lang),
                      "ces": lambda v: number(v, label.lang, 1)}[metric]  # fmt: skip
        fig.add_trace(
            go.Bar(
                x=x,
                y=values,
                marker_color=colours,
                error_y={
                    "type": "data",
                    "array": (high - values).clip(lower=0).fillna(0),
                    "arrayminus": (values - low).clip(lower=0).fillna(0),
                    "color": "#39414d",
                    "thickness": 1.2,
                },
                name=metric.upper(),
                showlegend=False,
                meta={"metric": metric},
                customdata=["" if pd.isna(v) else shown_text(v) for v in values],
                hovertemplate="%{x}<br>%{customdata}<extra>" + metric.upper() + "</extra>",
            ),
            row=i,
            col=1,
        )
        for xi, v, hi in zip(x, values, high, strict=True):
            if pd.isna(v):  # a stage answered on other scores only: its bar is left out
                continue
            fig.add_annotation(
                x=xi,
                y=max(v, hi if pd.notna(hi) else v),
                text=shown_text(v),
                showarrow=False,
                yanchor="bottom",
                yshift=2,
                font={"size": 12, "color": "#1d2330"},
                row=i,
                col=1,
            )
        if metric == "nps":
            fig.update_yaxes(
                range=[-100, 100], zeroline=True, zerolinecolor="#9aa1ab", row=i, col=1
            )
        elif metric == "csat":
            fig.update_yaxes(range=[0, 1.2], **_percent_ticks(1.0, label.lang), row=i, col=1)
        else:
            fig.update_yaxes(range=[1, 8], row=i, col=1)
    if silent:
        fig.add_annotation(
            text=t("voice.no_answer_yet", label.lang, stages=", ".join(silent)),
            xref="paper", yref="paper", x=0, y=0, yshift=-70, xanchor="left",
            yanchor="top", showarrow=False, font={"size": 11, "color": NEUTRAL},
        )  # fmt: skip
        height += 30
    fig = _layout(fig, height, label.lang, showlegend=False)
    fig.update_xaxes(tickangle=0, showticklabels=True)  # on every panel, not the last only
    if silent:
        fig.update_layout(margin={"b": 110})
    return fig


def emotion_curve(
    result: VoiceResult, jm: JourneyMap | None = None, lang: str | None = None
) -> go.Figure:
    """The emotion the map designed (dashed) and the one measured by surveys, per stage."""
    result = _expect(result, VoiceResult, "emotion_curve")
    label = Labels(jm, lang)
    curve = result.emotion_curve
    if curve is None:
        raise _missing(result, "emotion_curve", "emotion_curve")
    designed = _column(curve, "emotion_curve", "designed_value", "designed")
    # six stages or more share a half-width chart: shorter lines, a smaller font, whole words
    crowded = len(curve) >= 6
    chars = 10 if crowded else 14
    x = [
        "<br>".join(textwrap.wrap(_short(label(s), 28), chars, break_long_words=False))
        for s in curve.stage
    ]
    fig = go.Figure()
    fig.add_scatter(
        x=x, y=pd.to_numeric(curve[designed], errors="coerce"), mode="lines+markers",
        name=t("emotion.designed", label.lang), line={"dash": "dash", "color": NEUTRAL, "width": 2.5},
    )  # fmt: skip
    fig.add_scatter(
        x=x, y=curve.measured.astype(float), mode="lines+markers", connectgaps=True,
        name=t("emotion.measured", label.lang), line={"color": PALETTE[0], "width": 3},
        marker={"size": 9},
    )  # fmt: skip
    fig.add_hline(y=0, line={"color": "#d5d9e0", "dash": "dot"})
    fig.update_yaxes(range=[-2.2, 2.2], title=t("emotion.axis", label.lang))
    fig = _layout(fig, 360, label.lang)
    fig.update_xaxes(tickangle=0, tickfont={"size": 10 if crowded else 12})
    return fig  # stage names on short lines, level, never on each other


# -- channels, conformance ----------------------------------------------------------------


def channel_mix(
    result: ChannelsResult, jm: JourneyMap | None = None, lang: str | None = None
) -> go.Figure:
    """Share of each stage's events on each channel (stacked bars, one per stage)."""
    result = _expect(result, ChannelsResult, "channel_mix")
    label = Labels(jm, lang)
    table = result.table
    share = _column(table, "channel_mix", "share_events", "share")
    stages = [s for s in label.stages if s in set(table.stage)] or list(dict.fromkeys(table.stage))
    channels = list(dict.fromkeys(table.sort_values("events", ascending=False).channel))
    if label.jm is not None:
        known = [c.id for c in label.jm.channels]
        channels = [c for c in known if c in channels] + [c for c in channels if c not in known]
    pivot = table.pivot_table(index="stage", columns="channel", values=share, aggfunc="sum")
    pivot = pivot.reindex(index=stages, columns=channels).fillna(0.0)
    fig = go.Figure()
    for i, channel in enumerate(channels):
        fig.add_bar(
            x=[_short(label(s), 22) for s in stages], y=pivot[channel], name=label(channel),
            marker_color=PALETTE[i % len(PALETTE)],
            text=[pct(v, label.lang) if v >= 0.06 else "" for v in pivot[channel]],
            textposition="inside", customdata=[pct(v, label.lang) for v in pivot[channel]],
            hovertemplate="%{x}<br>" + label(channel) + ": %{customdata}<extra></extra>",
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_yaxes(
        **_percent_ticks(1.0, label.lang), range=[0, 1], title=t("channels.share", label.lang)
    )
    return _layout(fig, 420, label.lang)


def conformance_fitness(result: ConformanceResult, lang: str | None = None) -> go.Figure:
    """Journeys by fitness to the designed flow (1 = every move was designed)."""
    result = _expect(result, ConformanceResult, "conformance_fitness")
    lang = lang_of(lang)
    table = result.fitness
    if table is None:
        raise _missing(result, "fitness", "conformance_fitness")
    fig = go.Figure(
        go.Bar(
            x=[t(f"value.{f}", lang) for f in table.fitness.astype(str)],
            y=table.share,
            marker_color=[GOOD if str(f).startswith("1") else PALETTE[0] for f in table.fitness],
            text=[f"{pct(s, lang)}<br>({number(n, lang)})" for s, n in zip(table.share, table.journeys, strict=True)],
            textposition="outside",
            cliponaxis=False,
        )
    )  # fmt: skip
    fig.update_xaxes(title=t("fitness.axis", lang))
    fig.update_yaxes(
        **_percent_ticks(float(table.share.max()), lang),
        title=t("fitness.share", lang),
        rangemode="tozero",
    )
    return _layout(fig, 340, lang)


__all__ = [
    "attribution_bars",
    "channel_mix",
    "compare_bars",
    "conformance_fitness",
    "edge_traces",
    "emotion_curve",
    "funnel_chart",
    "nps_by_stage",
    "paths_sankey",
    "process_map",
    "retention_heatmap",
]
