"""The report: one self-contained HTML file (or its PDF) with the map and every analysis.

:func:`build_report` runs the registry's analyses with the defaults of :data:`DEFAULTS` on
an analysis context (``ws.context(jm)``), then writes, for a marketing lead: a summary, the
friction points first, the journey map canvas, then funnel, paths, process map, conformance,
channels, attribution, voice of the customer, retention and personas — each with a heading
and a short explanation in French or English. A section whose analysis fails on the data
shows "not available: reason" instead of breaking the report.

The file works offline: plotly.js is inlined once, the canvas is inline SVG, nothing is
fetched. :func:`write_report` also prints it to PDF with the system Chromium through
Playwright (never downloading a browser).

Each function that runs analyses takes ``run`` (a :data:`parcours.workspace.Runner`, e.g.
``ws.runner(jm)``): given, the analyses are asked of the workspace, which reads the results it
keeps instead of computing them again; without it, they run on the context.

:func:`canvas_for` draws the journey map canvas with measured figures (kpis, frictions,
voice); the dashboard reuses it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup

from parcours.analyses import ANALYSES, REGISTRY, Context, Result, get
from parcours.analyses.attribution import AttributionResult
from parcours.analyses.base import AsOf
from parcours.analyses.channels import ChannelsResult
from parcours.analyses.compare import CompareResult, Segment
from parcours.analyses.conformance import ConformanceResult
from parcours.analyses.frictions import FrictionsResult
from parcours.analyses.funnel import FunnelResult
from parcours.analyses.kpis import KpisResult
from parcours.analyses.paths import PathsResult
from parcours.analyses.personas import PersonasResult
from parcours.analyses.process import ProcessResult
from parcours.analyses.retention import RetentionResult
from parcours.analyses.voice import VoiceResult
from parcours.errors import InputError, ParcoursError
from parcours.maps import JourneyMap, parse_duration
from parcours.remote import scoped
from parcours.render import charts, present
from parcours.render._experience_report import (
    add_experience,
    blueprint_html,
    experience_html,
    states_html,
)
from parcours.render.canvas import Canvas, CanvasInput, journey_canvas
from parcours.render.i18n import (
    Script,
    date,
    duration,
    lang_of,
    money,
    number,
    pct,
    period,
    points,
    t,
    typeset_output,
)
from parcours.render.map_objects import (
    MapObjects,
    comments_html,
    ranked_opportunities,
    value_words,
)
from parcours.workspace import Runner

# The report opens on the friction points, then the journey map canvas (fed by kpis,
# frictions and voice); every other analysis follows in the registry's order.
LEAD = "frictions"
SECTIONS: tuple[str, ...] = (
    LEAD,
    "canvas",
    "opportunities",  # ranked from the frictions (parcours.render.map_objects)
    "blueprint",  # the service blueprint's measured items (parcours.render._experience_report)
    "experience",  # designed and measured emotion per persona, as-is and to-be (same module)
    "comments",  # the team's comments on the map's elements (parcours.render.map_objects)
    *(a.name for a in ANALYSES if a.name != LEAD),
)
R = TypeVar("R", bound=Result)
TOP_FRICTIONS = 8
CANVAS_FRICTIONS = 10
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
PDF_WIDTH_PX = 1040  # A4 landscape (297 mm) less 2 x 10 mm margins, at 96 px per inch
# The tallest chart printed at its size: A4 landscape's printable height (210 mm less 2 x 10 mm,
# 718 px) less room for the heading and explanation kept above it; a taller chart is shrunk
# to this height on paper, so that it is never split across two pages.
PRINT_CHART_PX = 560


# -- running the analyses -----------------------------------------------------------------


def _with_lang(ctx: Context, lang: str | None) -> Context:
    return dataclasses.replace(ctx, lang=lang) if lang else ctx


def run_analyses(
    ctx: Context,
    names: tuple[str, ...] | list[str] | None = None,
    on_progress: Callable[[str], None] | None = None,
    run: Runner | None = None,
) -> dict[str, Result | Exception]:
    """Run each analysis (default: all of them) with the parameters of its overview
    (``Analysis.overview``), through ``run`` when given; a failure is kept, not raised."""
    out: dict[str, Result | Exception] = {}
    for name in REGISTRY if names is None else names:
        if on_progress:
            on_progress(name)
        try:
            analysis = get(name)
            params = analysis.overview(ctx)
            out[name] = run(name, ctx.lang, params) if run else analysis(ctx, **params)
        except Exception as failure:  # noqa: BLE001 - one failing analysis must not stop the rest
            if os.environ.get("PARCOURS_DEBUG"):
                traceback.print_exc()
            out[name] = failure
    return out


# -- the canvas ---------------------------------------------------------------------------


def canvas_input(
    results: dict[str, Result | Exception], jm: JourneyMap, persona: str | None = None
) -> CanvasInput:
    """What the canvas shows, from the results of kpis, frictions and voice (each optional)."""
    kpis, frictions, voice = (results.get(k) for k in ("kpis", "frictions", "voice"))
    data = CanvasInput(persona=persona)
    if isinstance(kpis, KpisResult):
        data.kpis = kpis.table
        data.goals = kpis.goals
    if isinstance(frictions, Result) and len(frictions.table):
        ranked = frictions.table
        if "score" in ranked.columns:
            ranked = ranked[ranked.score.fillna(0) > 0]
        data.frictions = {
            str(row["id"]): str(row["explanation"])
            for _, row in ranked.head(CANVAS_FRICTIONS).iterrows()
            if "explanation" in ranked.columns and isinstance(row["explanation"], str)
        }
    if isinstance(voice, VoiceResult) and voice.emotion_curve is not None:
        curve = voice.emotion_curve
        designed = "designed_value" if "designed_value" in curve.columns else None
        data.emotion = pd.DataFrame(
            {
                "stage": curve.stage,
                "measured": pd.to_numeric(curve.measured, errors="coerce"),
                "designed": pd.to_numeric(curve[designed], errors="coerce")
                if designed
                else float("nan"),
            }
        )
    return data


def _check_persona(jm: JourneyMap, persona: str | None) -> None:
    if persona is not None and persona not in {p.id for p in jm.personas}:
        allowed = ", ".join(p.id for p in jm.personas) or "none (the map declares no persona)"
        raise InputError(
            f"persona '{persona}' is not a persona of map {jm.map}; allowed: {allowed}"
        )


def canvas_for(
    ctx: Context,
    persona: str | None = None,
    lang: str | None = None,
    results: dict[str, Result | Exception] | None = None,
    run: Runner | None = None,
    objects: MapObjects | None = None,
) -> Canvas:
    """The journey map canvas of ``ctx.map`` with measured figures.

    Runs ``kpis`` (touchpoint level: figures and goals), ``frictions`` (explanations, when
    registered) and ``voice`` (measured emotion per stage, when registered) unless
    ``results`` already holds them (through ``run`` when given); an analysis that fails
    leaves its part of the canvas empty. persona: a persona id of the map, shown in the
    header. lang: fr or en.
    """
    _check_persona(ctx.map, persona)
    lang = lang_of(lang or ctx.language)
    ctx = _with_lang(ctx, lang)
    have = dict(results or {})
    missing = [n for n in ("kpis", "frictions", "voice") if n not in have]
    have.update(run_analyses(ctx, missing, run=run))
    data = canvas_input(have, ctx.map, persona)
    _add_objects(data, ctx, have, objects)
    add_experience(ctx, data, persona)
    return journey_canvas(ctx.map, data, lang)


def _add_objects(
    data: CanvasInput,
    ctx: Context,
    results: dict[str, Result | Exception],
    objects: MapObjects | None,
) -> None:
    """Opportunities ranked, sub-maps' figures, links and comment counts on the canvas."""
    data.opportunities = ranked_opportunities(ctx, results.get("frictions"))
    if objects is not None:
        data.submaps, data.link, data.comments = objects.submaps, objects.link, objects.comments


# -- HTML pieces --------------------------------------------------------------------------


def figure_html(fig: go.Figure) -> Markup:
    """A Plotly figure as a ``<div class="chart">`` that uses the page's one inline plotly.js;
    printed, a chart taller than :data:`PRINT_CHART_PX` is shrunk to it (``--print-zoom``)."""
    height = int(fig.layout.height or 420)
    plot = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config={"displaylogo": False, "responsive": True},
        default_width="100%",
        default_height=f"{height}px",
    )
    zoom = min(1.0, PRINT_CHART_PX / height)
    style = f' style="--print-zoom: {zoom:.3f}"' if zoom < 1 else ""
    return Markup(f'<div class="chart"{style}>{plot}</div>')


@dataclass
class Column:
    """How one column of a table is shown: source column, header key, kind of value."""

    name: str
    header: str
    kind: str = "text"  # text, label, int, pct, float, signed, duration, money
    header_values: tuple[tuple[str, object], ...] = ()  # the header's {placeholders}


def table_html(
    frame: pd.DataFrame,
    columns: list[Column],
    lang: str,
    labels: Callable[[object], str] = str,
    max_rows: int = 12,
    values: dict[str, Callable[[object], str]] | None = None,
    currency: str | None = None,
) -> Markup:
    """A small, formatted HTML table of ``frame`` (only ``columns`` that exist); money in
    ``currency`` (the map's) when given."""
    columns = [c for c in columns if c.name in frame.columns]
    values = values or {}
    shown = frame.head(max_rows)

    def cell(column: Column, value: object) -> str:
        if column.name in values:
            return html.escape(values[column.name](value))
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "–"
        kind = column.kind
        if kind == "label":
            return html.escape(labels(value))
        if kind == "int":
            return number(value, lang)
        if kind == "pct":
            return pct(value, lang)
        if kind == "float":
            return number(value, lang, 1)
        if kind == "money":
            return money(value, lang, currency)
        if kind == "points":
            return points(value, lang)
        if kind == "signed":
            return f"{float(value):+.0f}"  # type: ignore[arg-type]  # a number: kind says so
        if kind == "duration":
            return duration(value, lang)
        if kind == "quote":  # customer text keeps its own language
            return present.quote(str(value))
        return html.escape(str(value))

    numeric = {"int", "pct", "float", "money", "signed", "duration", "points"}
    head = "".join(
        f'<th class="{"num" if c.kind in numeric else ""}">{html.escape(t(c.header, lang, **dict(c.header_values)))}</th>'
        for c in columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if c.kind in numeric else ""}">{cell(c, row[c.name])}</td>'
            for c in columns
        )
        + "</tr>"
        for _, row in shown.iterrows()
    )
    more = (
        f'<p class="more">{html.escape(t("report.more_rows", lang, shown=len(shown), total=len(frame)))}</p>'
        if len(frame) > len(shown)
        else ""
    )
    return Markup(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}")


@dataclass
class Section:
    """One section of the report: heading, explanation, blocks of HTML, notes or an error."""

    key: str
    heading: str
    explanation: str = ""
    blocks: list[Markup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    as_of: str | None = None  # its results computed on earlier data (--max-age): when


def _reason(failure: Exception, lang: str) -> str:
    text = str(failure).strip() or type(failure).__name__
    return (
        present.error_text(text, lang)
        if isinstance(failure, (ParcoursError, LookupError))
        else f"{type(failure).__name__}: {text}"
    )


# -- sections -----------------------------------------------------------------------------


class _Builder:
    def __init__(
        self,
        ctx: Context,
        results: dict[str, Result | Exception],
        lang: str,
        objects: MapObjects | None = None,
    ):
        self.ctx, self.results, self.lang = ctx, results, lang
        self.objects = objects
        self._read_earlier: list[AsOf] = []  # of the section being built (see section)
        self.jm = ctx.map
        self.label = charts.Labels(self.jm, lang)
        self.names = present.Titles.of(self.jm, lang)

    def result(self, kind: type[R], name: str | None = None) -> R:
        """The result of analysis ``name`` (default: the one ``kind`` belongs to), which
        must be a ``kind``; the exception it raised, if it failed."""
        name = name or kind.analysis
        found = self.results.get(name)
        if found is None:
            raise LookupError(f"the analysis '{name}' did not run")
        if isinstance(found, Exception):
            raise found
        if not isinstance(found, kind):
            raise LookupError(f"the analysis '{name}' gave a {type(found).__name__}")
        if found.as_of is not None:
            self._read_earlier.append(found.as_of)
        return found

    def section(self, key: str, make: Callable[[Section], None]) -> Section:
        section = Section(key, t(f"section.{key}", self.lang), t(f"explain.{key}", self.lang))
        self._read_earlier = []
        try:
            make(section)
            if self._read_earlier:  # the oldest of the results it shows
                oldest = min(self._read_earlier, key=lambda found: found.computed_at)
                section.as_of = present.as_of(oldest, self.lang, written=True)
        except Exception as failure:  # noqa: BLE001 - a section fails alone, visibly
            if os.environ.get("PARCOURS_DEBUG"):
                traceback.print_exc()
            section.blocks, section.error = [], _reason(failure, self.lang)
        return section

    def table(self, frame: pd.DataFrame, columns: list[Column], **kw: Any) -> Markup:
        return table_html(frame, columns, self.lang, self.label, currency=self.jm.currency, **kw)

    def maker(self, key: str) -> Callable[[Section], None]:
        """The builder of section ``key``: its own method, else the generic one."""
        own = getattr(self, f"section_{key}", None)
        return own if own is not None else lambda s: self.generic(key, s)

    def generic(self, name: str, s: Section) -> None:
        """An analysis with no section of its own yet: its main table, columns as named."""
        r = self.result(Result, name)
        s.notes = present.notes(r, self.lang, self.names)
        columns = [Column(str(c), str(c), _kind(r.table[c])) for c in r.table.columns]
        s.blocks.append(self.table(r.table, columns))

    # each section ----------------------------------------------------------------------

    def section_frictions(self, s: Section) -> None:
        r = self.result(FrictionsResult)
        s.notes = present.notes(r, self.lang, self.names)
        ranked = r.table
        if "score" in ranked.columns:
            ranked = ranked[ranked.score.fillna(0) > 0]
        s.blocks.append(
            self.table(
                ranked,
                [
                    Column("rank", "col.rank", "int"),
                    Column("id", "col.touchpoint", "label"),
                    Column("status", "col.status"),
                    Column("signal", "col.signal"),
                    Column("score", "col.score", "float"),
                    Column("explanation", "col.explanation"),
                ],
                max_rows=TOP_FRICTIONS,
                values={
                    "status": lambda v: t(f"status.{v}", self.lang),
                    "signal": lambda v: t(f"signal.{v}", self.lang) if isinstance(v, str) else "–",
                },
            )
        )

    def section_canvas(self, s: Section) -> None:
        data = canvas_input(self.results, self.jm)
        self._read_earlier += [
            r.as_of for r in self.results.values() if isinstance(r, Result) and r.as_of is not None
        ]  # the canvas draws every result
        _add_objects(data, self.ctx, self.results, self.objects)
        add_experience(self.ctx, data)
        canvas = journey_canvas(self.jm, data, self.lang)
        s.blocks.append(Markup(f'<div class="canvas">{canvas.svg}</div>'))

    def section_blueprint(self, s: Section) -> None:
        s.blocks += blueprint_html(self.ctx, self.lang)

    def section_experience(self, s: Section) -> None:
        voice = self.results.get("voice")
        everyone = voice.emotion_curve if isinstance(voice, VoiceResult) else None
        s.blocks += experience_html(self.ctx, self.lang, everyone, figure_html)
        s.blocks += self.states()

    def states(self) -> list[Markup]:
        """The as-is and to-be versions side by side, as the dashboard's experience page
        shows them; how to get them when the workspace has not both (a failure to measure
        them is said here, the emotion above stays)."""
        lang = self.lang
        objects = self.objects or MapObjects()
        blocks = [
            Markup("<h3>{}</h3><p class='explain'>{}</p>").format(
                t("states.title", lang), t("states.explain", lang)
            )
        ]
        if objects.compare is None:
            found = ", ".join(
                t("states.version", lang, state=t(f"state.{s}", lang), version=v)
                for s, v in objects.marked.items()
            )
            missing = t("states.missing", lang, found=found or t("states.none", lang))
            return [*blocks, Markup("<p class='explain'>{}</p>").format(missing)]
        try:
            frame = objects.compare()
        except Exception as failure:  # noqa: BLE001 - the comparison fails alone, visibly
            box = Markup('<div class="unavailable"><b>{}{}</b> {}</div>')
            said = (t("report.unavailable", lang), t("colon", lang), _reason(failure, lang))
            return [*blocks, box.format(*said)]
        table = states_html(frame, objects.marked, lang)
        return [*blocks, Markup('<div class="states">{}</div>').format(table)]

    def section_comments(self, s: Section) -> None:
        listed = self.objects.comment_list if self.objects is not None else []
        s.blocks.append(Markup(comments_html(self.jm, listed, self.lang)))

    def section_opportunities(self, s: Section) -> None:
        ranked = ranked_opportunities(self.ctx, self.results.get("frictions"))
        value = ranked.value.dropna().iloc[0] if ranked.value.notna().any() else None
        s.explanation = t(
            "explain.opportunities",
            self.lang,
            value=value_words(value, self.lang, self.jm.currency),
        )
        if ranked.empty:
            s.blocks.append(self.paragraph(t("opportunities.none", self.lang)))
            return
        s.blocks.append(
            self.table(
                ranked,
                [
                    Column("rank", "col.rank", "int"),
                    Column("title", "col.title"),
                    Column("status", "col.status"),
                    Column("owner", "col.owner"),
                    Column("frictions", "col.frictions"),
                    Column("journeys_lost", "col.journeys_lost", "int"),
                    Column("at_stake", "col.at_stake", "money"),
                    Column("effect", "col.effect"),
                ],
                max_rows=20,
                values={
                    "status": lambda v: t(f"opportunity.{v}", self.lang),
                    "frictions": lambda v: ", ".join(self.label(k) for k in v) if v else "–",
                },
            )
        )

    def section_funnel(self, s: Section) -> None:
        r = self.result(FunnelResult)
        window = r.params.get("window")  # "30d" as written: said as the reader says it
        shown = duration(parse_duration(window).total_seconds(), self.lang) if window else ""
        s.explanation = t("explain.funnel", self.lang, window=shown)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.funnel_chart(r, self.jm, self.lang)))

    def section_paths(self, s: Section) -> None:
        r = self.result(PathsResult)
        nonlinear = r.non_linear_share if isinstance(r, PathsResult) else None
        s.explanation = t(
            "explain.paths",
            self.lang,
            nonlinear=pct(nonlinear, self.lang) if nonlinear is not None else "–",
        )
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.paths_sankey(r, self.jm, self.lang, max_links=45)))
        s.blocks.append(
            self.table(
                r.table,
                [
                    Column("path", "col.path"),
                    Column("journeys", "col.journeys", "int"),
                    Column("share", "col.share", "pct"),
                    Column("conversion_rate", "col.conversion", "pct"),
                ],
                max_rows=10,
                values={"path": lambda v: " › ".join(self.label(p) for p in str(v).split(" > "))},
            )
        )

    def section_process(self, s: Section) -> None:
        r = self.result(ProcessResult)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.process_map(r, self.jm, self.lang, max_edges=40)))

    def section_conformance(self, s: Section) -> None:
        r = self.result(ConformanceResult)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.conformance_fitness(r, self.lang)))
        s.blocks.append(
            self.table(
                r.table,
                [
                    Column("kind", "col.kind"),
                    Column("source", "col.from", "label"),
                    Column("target", "col.to", "label"),
                    Column("occurrences", "col.occurrences", "int"),
                    Column("journeys", "col.journeys", "int"),
                    Column("share", "col.share", "pct"),
                ],
                max_rows=8,
                values={"kind": lambda v: t(f"kind.{v}", self.lang)},
            )
        )

    def section_channels(self, s: Section) -> None:
        r = self.result(ChannelsResult)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.channel_mix(r, self.jm, self.lang)))
        if not isinstance(r, ChannelsResult):  # channel_mix has refused it already
            return
        for frame, columns in (
            (r.patterns, [Column("pattern", "col.pattern"), Column("journeys", "col.journeys", "int"),
                          Column("persons", "col.persons", "int")]),
            (r.levels, [Column("level", "col.level"), Column("persons", "col.persons", "int"),
                        Column("share", "col.share", "pct"), Column("definition", "col.definition")]),
        ):  # fmt: skip
            if frame is not None:  # levels, patterns and definitions in the reader's words
                words = {c.name: self.names.text for c in columns if c.kind == "text"}
                s.blocks.append(self.table(frame, columns, values=words))

    def section_attribution(self, s: Section) -> None:
        r = self.result(AttributionResult)
        level = str(r.params.get("level", "channel"))
        word = {"fr": {"channel": "canal", "touchpoint": "point de contact"}}.get(self.lang, {})
        s.explanation = t("explain.attribution", self.lang, level=word.get(level, level))
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.attribution_bars(r, self.jm, self.lang)))

    def section_voice(self, s: Section) -> None:
        r = self.result(VoiceResult)
        if not isinstance(r, VoiceResult) or not r.answers:
            raise LookupError(t("voice.no_feedback", self.lang))
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.nps_by_stage(r, self.jm, self.lang)))
        if r.emotion_curve is not None:
            s.blocks.append(
                Markup(f"<p class='explain'>{html.escape(t('explain.emotion', self.lang))}</p>")
            )
            s.blocks.append(figure_html(charts.emotion_curve(r, self.jm, self.lang)))
        themes = r.themes
        if themes is not None and len(themes):
            s.blocks.append(
                Markup(f"<p class='explain'>{html.escape(t('explain.themes', self.lang))}</p>")
            )
            s.blocks.append(
                self.table(
                    themes,
                    [
                        Column("theme", "col.theme"),
                        Column("keywords", "col.keywords", "quote"),  # the customers' words
                        Column("verbatims", "col.verbatims", "int"),
                        Column("example", "col.example", "quote"),
                    ],
                    max_rows=6,
                )
            )

    def section_retention(self, s: Section) -> None:
        r = self.result(RetentionResult)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(figure_html(charts.retention_heatmap(r, self.lang)))
        s.blocks.append(
            Markup(f"<p class='explain'>{html.escape(t('explain.rfm', self.lang))}</p>")
        )
        s.blocks.append(
            self.table(
                r.table,
                [
                    Column("segment", "col.segment"),
                    Column("persons", "col.persons", "int"),
                    Column("share", "col.share", "pct"),
                    Column("revenue", "col.revenue", "money"),
                    Column(
                        "clv",
                        "column.clv.horizon",  # a forecast, not past revenue: as the dashboard
                        "money",
                        (("months", r.params.get("horizon_months", "?")),),
                    ),
                ],
                values=_segment_titles(r),
            )
        )

    def section_kpis(self, s: Section) -> None:
        r = self.result(KpisResult)
        s.notes = present.notes(r, self.lang, self.names)
        if r.goals_measured:
            s.blocks.append(
                self.paragraph(
                    t("kpis.goals", self.lang, met=r.goals_met, measured=r.goals_measured)
                )
            )
        s.blocks.append(
            self.table(
                r.table,
                [
                    Column("id", "col.touchpoint", "label"),
                    Column("stage", "col.stage", "label"),
                    Column("channel", "col.channel", "label"),
                    Column("persons", "col.persons", "int"),
                    Column("journeys", "col.journeys", "int"),
                    Column("reach", "col.reach", "pct"),
                    Column("conversion", "col.conversion", "pct"),
                    Column("exit_rate", "col.exit_rate", "pct"),
                ],
                max_rows=15,
            )
        )

    def section_compare(self, s: Section) -> None:
        r = self.result(CompareResult)
        s.notes = present.notes(r, self.lang, self.names)
        significant = t("compare.significant" if r.conversion_change_significant else
                        "compare.not_significant", self.lang)  # fmt: skip
        s.blocks.append(
            self.paragraph(
                t(
                    "compare.headline",
                    self.lang,
                    a=_side(r.label_a, self.lang),
                    b=_side(r.label_b, self.lang),
                    rate_a=pct(r.conversion_a, self.lang, 1),
                    rate_b=pct(r.conversion_b, self.lang, 1),
                    significant=significant,
                )
            )
        )
        s.blocks.append(figure_html(charts.compare_bars(r, self.jm, self.lang)))
        stages = r.table[r.table.metric == "conversion"]
        s.blocks.append(
            self.table(
                stages,
                [
                    Column("id", "col.stage", "label"),
                    Column("n_a", "col.journeys_a", "int"),
                    Column("rate_a", "col.conversion_a", "pct"),
                    Column("n_b", "col.journeys_b", "int"),
                    Column("rate_b", "col.conversion_b", "pct"),
                    Column("change", "col.change_points", "points"),
                    Column("significant", "col.significant"),
                ],
                max_rows=15,
                values={
                    "id": lambda v: (
                        self.label(v)
                        if v != "(all journeys)"
                        else t("label.all_journeys", self.lang)
                    ),
                    "significant": lambda v: t("label.yes" if v else "label.no", self.lang),
                },  # fmt: skip
            )
        )

    def paragraph(self, text: str) -> Markup:
        return Markup(f"<p class='explain'>{html.escape(text)}</p>")

    def section_personas(self, s: Section) -> None:
        r = self.result(PersonasResult)
        s.notes = present.notes(r, self.lang, self.names)
        s.blocks.append(
            self.table(
                r.table,
                [
                    Column("title", "col.persona"),
                    Column("persons", "col.persons", "int"),
                    Column("share", "col.share", "pct"),
                    Column("conversion", "col.conversion", "pct"),
                    Column("revenue_per_person", "col.revenue_per_person", "money"),
                    Column("main_channel", "col.main_channel", "label"),
                ],
                values={
                    "title": lambda v: (
                        str(v) if isinstance(v, str) and v else t("label.no_persona", self.lang)
                    )
                },
            )
        )
        clusters = r.clusters if isinstance(r, PersonasResult) else None
        if clusters is not None and len(clusters):
            s.blocks.append(
                self.table(
                    clusters,
                    [
                        Column("cluster", "col.cluster"),
                        Column("persons", "col.persons", "int"),
                        Column("share", "col.share", "pct"),
                        Column("description", "col.description"),
                    ],
                    values={"cluster": lambda v: self.names.text(v)},  # cluster_1: Groupe 1
                )
            )

    # summary -----------------------------------------------------------------------------

    def size(self) -> tuple[int | None, int | None]:
        """Persons and journeys measured: from channels, journeys from paths without it."""
        channels, paths = self.results.get("channels"), self.results.get("paths")
        if isinstance(channels, ChannelsResult):
            return channels.persons, channels.journeys
        return None, paths.journeys if isinstance(paths, PathsResult) else None

    def summary(self) -> list[tuple[str, str]]:
        lang, figures = self.lang, []

        def get(name: str) -> Result | None:
            found = self.results.get(name)
            return found if isinstance(found, Result) else None

        channels, kpis = get("channels"), get("kpis")
        voice, retention, frictions = get("voice"), get("retention"), get("frictions")
        persons, journeys = self.size()
        if persons is not None:
            figures.append((t("summary.persons", lang), number(persons, lang)))
        if journeys is not None:
            figures.append((t("summary.journeys", lang), number(journeys, lang)))
            converted = (
                channels.converted_journeys if isinstance(channels, ChannelsResult) else None
            )
            if converted is not None and journeys:
                figures.append((t("summary.conversion", lang), pct(converted / journeys, lang)))
        if isinstance(kpis, KpisResult) and kpis.goals_measured is not None:
            figures.append((t("summary.goals", lang), f"{kpis.goals_met} / {kpis.goals_measured}"))
        if isinstance(voice, VoiceResult) and voice.nps is not None and not pd.isna(voice.nps):
            figures.append((t("summary.nps", lang), f"{float(voice.nps):+.0f}"))
        if isinstance(retention, RetentionResult) and retention.repeat_purchase_rate is not None:
            figures.append((t("summary.repeat", lang), pct(retention.repeat_purchase_rate, lang)))
        if frictions is not None and len(frictions.table):
            figures.append(
                (t("summary.top_friction", lang), self.label(frictions.table.iloc[0]["id"]))
            )
        return figures


def _side(label: str, lang: str) -> str:
    """A side of a comparison in words: ``2026-05-09..2026-06-05`` as a period."""
    first, dots, last = label.partition("..")
    return period(first, last, lang) if dots else label


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column):
        return "text"
    if pd.api.types.is_integer_dtype(column):
        return "int"
    if pd.api.types.is_float_dtype(column):
        return "float"
    return "text"


def _segment_titles(r: Result) -> dict[str, Callable[[object], str]]:
    segments = r.segments if isinstance(r, RetentionResult) else None
    if segments is None or "title" not in segments.columns:
        return {}
    titles = dict(zip(segments.segment, segments.title, strict=False))
    return {"segment": lambda v: str(titles.get(v, v))}


_ENV = Environment(
    loader=PackageLoader("parcours.render", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=pass_context(typeset_output),  # French no-break spaces in every value written
)


def build_report(
    ctx: Context,
    lang: str | None = None,
    results: dict[str, Result | Exception] | None = None,
    on_progress: Callable[[str | None], None] | None = None,
    run: Runner | None = None,
    objects: MapObjects | None = None,
) -> str:
    """The report of ``ctx`` as one self-contained HTML page (no network needed to view it).

    objects: sub-maps' figures and comments the workspace knows (drawn on the canvas).
    lang: fr or en (default: the context's, i.e. the map's). results: analyses already run
    (name -> Result or the exception it raised); the missing ones are run with their
    overview's parameters, through ``run`` when given. ``on_progress`` hears each analysis's
    name as it starts, then ``None`` when they are all done and the page is laid out.
    """
    from plotly.offline import get_plotlyjs

    lang = lang_of(lang or ctx.language)
    ctx = _with_lang(ctx, lang)
    have = dict(results or {})
    have.update(run_analyses(ctx, [n for n in REGISTRY if n not in have], on_progress, run))
    if on_progress:  # the last analysis is done: what follows is the page's layout
        on_progress(None)
    builder = _Builder(ctx, have, lang, objects)
    sections = [builder.section(key, builder.maker(key)) for key in SECTIONS]
    persons, size = builder.size()
    template = _ENV.get_template("report.html.j2")
    return template.render(
        lang=lang,
        title=ctx.map.title_of(lang),
        report_title=t("report.title", lang),
        description=ctx.map.description and _text(ctx.map.description, lang),
        generated=t(
            "report.generated",
            lang,
            date=date(dt.date.today(), lang),
            persons=number(persons, lang),
            journeys=number(size, lang),
        ),
        summary_heading=t("section.summary", lang),
        summary_text=t("explain.summary", lang),
        figures=builder.summary(),
        sections=sections,
        contents=t("report.contents", lang),
        unavailable=t("report.unavailable", lang) + t("colon", lang),
        details=t("report.details", lang),
        plotly_js=Script(get_plotlyjs()),  # never typeset
    )


def _text(value: Any, lang: str) -> str:
    from parcours.maps import text_of

    return text_of(value, lang)


# -- files: HTML, PDF, PNG ----------------------------------------------------------------


def find_chromium() -> str | None:
    """The Chromium to print with: $PARCOURS_CHROMIUM, else a system Chromium or Chrome."""
    configured = os.environ.get("PARCOURS_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for path in CHROMIUM_PATHS:
        if Path(path).exists():
            return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _browser_page(html_text: str, width: int, action: Callable[[Any], None]) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as missing:
        raise ParcoursError(
            "printing to PDF or PNG needs the Python package playwright: "
            "`pip install playwright` (no browser download: parcours uses the system Chromium)"
        ) from missing
    executable = find_chromium()
    if executable is None:
        raise ParcoursError(
            "printing to PDF or PNG needs Chromium: install it (e.g. `apt-get install chromium`) "
            "or set PARCOURS_CHROMIUM to a Chromium or Chrome executable; searched "
            + ", ".join(CHROMIUM_PATHS)
        )
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html_text, wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".every(d => d.classList.contains('js-plotly-plot') && d.querySelector('.main-svg'))",
                timeout=60_000,
            )
            action(page)
        finally:
            browser.close()


def html_to_pdf(html_text: str, path: str | Path) -> Path:
    """Print an HTML page to PDF with headless Chromium through Playwright; page sizes come
    from the page's CSS (the report: A4 landscape, its journey map on an A3 portrait page)."""
    path = Path(path)
    _browser_page(
        html_text,
        PDF_WIDTH_PX,
        lambda page: page.pdf(path=str(path), print_background=True, prefer_css_page_size=True),
    )
    return path


def screenshot(html_text: str, path: str | Path, width: int = 1280) -> Path:
    """A full-page PNG of an HTML page, taken with headless Chromium through Playwright."""
    path = Path(path)
    _browser_page(html_text, width, lambda page: page.screenshot(path=str(path), full_page=True))
    return path


REPORT_FORMATS = (".html", ".htm", ".pdf", ".png")


def write_report(
    ctx: Context,
    path: str | Path,
    lang: str | None = None,
    on_progress: Callable[[str | None], None] | None = None,
    run: Runner | None = None,
    objects: MapObjects | None = None,
) -> Path:
    """Write the report; the format comes from the suffix: .html, .pdf or .png (full page)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise InputError(f"{path}: unknown report format '{suffix}'; allowed: .html, .pdf, .png")
    page = build_report(ctx, lang, on_progress=on_progress, run=run, objects=objects)
    if suffix in (".html", ".htm"):
        path.write_text(page, encoding="utf-8")
    elif suffix == ".pdf":
        html_to_pdf(page, path)
    else:
        screenshot(page, path)
    return path


MAP_FORMATS = (".html", ".htm", ".svg", ".png", ".pdf")


def write_map(
    ctx: Context,
    path: str | Path,
    persona: str | None = None,
    lang: str | None = None,
    run: Runner | None = None,
    objects: MapObjects | None = None,
) -> Path:
    """Write the measured journey map canvas: .html, .svg, .png or .pdf.

    persona: a persona id of the map: the figures are measured on that persona's journeys
    (and the feedback of its persons) and its header is shown; a ``run`` given must be
    restricted the same way (``Workspace.runner(scope=Segment.persona(persona))``)."""
    path = Path(path)
    if path.suffix.lower() not in MAP_FORMATS:
        raise InputError(
            f"{path}: unknown map format '{path.suffix}'; allowed: .html, .svg, .png, .pdf"
        )
    if persona is not None:
        _check_persona(ctx.map, persona)
        ctx = scoped(ctx, Segment.persona(persona))  # in the server holding it, if any
    return canvas_for(ctx, persona=persona, lang=lang, run=run, objects=objects).save(path)
