"""Paths: what customers do, step by step, and how far from a straight line they go.

A journey's path is the sequence of its touchpoints (or stages, channels, event names:
``level``), in time order, events that match no touchpoint left out unless ``unmapped``.
``collapse`` (on by default) merges consecutive repeats: three product pages in a row are one
step.

* ``start``: paths begin at the first occurrence of this value; journeys without it are left
  out. ``end``: paths stop at its first occurrence (after ``start``); journeys that never reach
  it are left out. Both follow PostHog's and Amplitude's path analyses.
* ``length``: steps shown. A longer path is cut and marked ``…`` at the cut (after the last
  step shown, or before the first when only ``end`` is given: the steps leading to it).
* top paths: distinct paths with their journeys, share and conversion rate (share of those
  journeys that converted).
* flows (Sankey-ready): journeys going from ``source`` at step N to ``target`` at step N+1.

Non-linearity, over the whole mapped journeys of the analysis (the seeds insist journeys are
not linear), independent of ``level`` and ``collapse``:

* loop: a touchpoint comes back after another one (``a > b > a``; ``a > a`` is a repeat);
* back: a step to an earlier stage in the map's order;
* skip: a step forward over at least one stage of the map's order.

Summed over steps, flows equal the directly-follows counts of ``process`` (same level and
collapse, full length); top paths at full length equal its variants.

>>> import pandas as pd, parcours
>>> ws = parcours.open(":memory:")
>>> _ = ws.ingest_events(pd.DataFrame({
...     "customer_id": ["ana", "ana", "ana", "bob", "bob", "bob"],
...     "ts": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 10:05", "2026-03-01 10:20",
...         "2026-03-02 09:00", "2026-03-02 09:10", "2026-03-02 09:12"], utc=True),
...     "channel": "web",
...     "event": ["product_view", "add_to_cart", "purchase",
...               "product_view", "add_to_cart", "product_view"]}))
>>> jm = parcours.JourneyMap.loads(
...     "{map: m, title: M, channels: [web], conversion: {event: purchase}, "
...     "stages: [{id: consideration, title: C}, {id: decision, title: D}], "
...     "flow: [[consideration, decision]], touchpoints: ["
...     "{id: vue, stage: consideration, channel: web, match: {event: product_view}}, "
...     "{id: panier, stage: decision, channel: web, match: {event: add_to_cart}}, "
...     "{id: achat, stage: decision, channel: web, match: {event: purchase}}]}")
>>> result = ws.paths(map=jm, length=2)
>>> result.table[["path", "journeys", "conversion_rate"]].values.tolist()
[['vue > panier > …', 2, 0.5]]
>>> result.back_share  # bob goes back from decision to consideration
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.process import (
    SEP,
    activity_log,
    check_level,
    count_or_zero,
    sequence_text,
)
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.journeys import UNMAPPED

MORE = "…"
NONLINEAR = {
    "loop": "a touchpoint comes back after another one (a > b > a)",
    "back": "a step back to an earlier stage of the map",
    "skip": "a step forward over at least one stage of the map",
    "any": "loop, back or skip",
}


def allowed_values(jm: JourneyMap, level: str, unmapped: bool) -> list[str] | None:
    """The values a start or end may take at ``level`` (None: not known from the map)."""
    values = {
        "touchpoint": [t.id for t in jm.touchpoints],
        "stage": jm.stage_ids,
        "channel": [c.id for c in jm.channels],
    }.get(level)
    if values is not None and unmapped and level in ("touchpoint", "stage"):
        values = [*values, UNMAPPED]
    return values


def _check_point(jm: JourneyMap, param: str, value: str | None, level: str, unmapped: bool):
    allowed = allowed_values(jm, level, unmapped)
    if value is not None and allowed is not None and value not in allowed:
        raise InputError(
            f"paths: {param} '{value}' is not a {level} of the map; allowed: {', '.join(allowed)}"
        )


def windowed(
    log: ir.Table, start: str | None, end: str | None, length: int
) -> tuple[ir.Table, ir.Table]:
    """The steps of each path (``rel`` from 1, kept when ``shown``) and one row per journey
    (``total`` steps between start and end, before the cut)."""
    in_journey = ibis.window(group_by=log.journey_id, order_by=log.step)
    t = log.mutate(pos=(ibis.row_number().over(in_journey) + 1).cast("int64"))
    if start is not None:
        first = ibis.ifelse(t.activity == start, t.pos, ibis.null("int64"))
        t = t.mutate(_first=first.min().over(ibis.window(group_by=t.journey_id)))
        t = t.filter(t._first.notnull() & (t.pos >= t._first))
    else:
        t = t.mutate(_first=ibis.literal(1, "int64"))
    if end is not None:
        after = (t.pos > t._first) if start is not None else ibis.literal(True)
        last = ibis.ifelse((t.activity == end) & after, t.pos, ibis.null("int64"))
        t = t.mutate(_last=last.min().over(ibis.window(group_by=t.journey_id)))
        t = t.filter(t._last.notnull() & (t.pos <= t._last))
        if start is None:  # the steps leading to the end
            t = t.mutate(_first=ibis.greatest(t._last - (length - 1), 1))
    t = t.mutate(rel=t.pos - t._first + 1)
    t = t.mutate(shown=(t.rel >= 1) & (t.rel <= length))
    per_journey = t.group_by("journey_id").aggregate(
        total=t.count(),
        path=sequence_text(t.activity, t.pos, where=t.shown),
        converted=t.converted.any(),
    )
    return t, per_journey


def nonlinearity(journeys: ir.Table, chosen: ir.Table) -> ir.Table:
    """Per journey of ``chosen``: loop, back and skip flags (see module doc)."""
    t = journeys.filter(journeys.touchpoint != UNMAPPED).semi_join(chosen, "journey_id")
    in_journey = ibis.window(group_by=t.journey_id, order_by=t.step)
    prev_tp = t.touchpoint.lag().over(in_journey)
    prev_stage = t.stage_index.lag().over(in_journey)
    marked = t.mutate(
        _run=(prev_tp.isnull() | (prev_tp != t.touchpoint)).cast("int64"),
        _back=(t.stage_index < prev_stage).fill_null(False),
        _skip=(t.stage_index > prev_stage + 1).fill_null(False),
    )
    flags = marked.group_by("journey_id").aggregate(
        runs=marked._run.sum(),
        touchpoints=marked.touchpoint.nunique(),
        back=marked._back.any(),
        skip=marked._skip.any(),
    )
    return flags.select("journey_id", "back", "skip", loop=flags.runs > flags.touchpoints)


@dataclass(kw_only=True, repr=False)
class PathsResult(Result):
    """Top paths (``table``: path, steps, journeys, share, converted, conversion_rate)."""

    analysis: ClassVar[str] = "paths"
    journeys: int = figure("journeys")
    distinct_paths: int = figure("distinct paths")
    non_linear_share: float = figure("non-linear")
    loop_share: float = figure("loop")
    back_share: float = figure("back")
    skip_share: float = figure("skip")
    flows: pd.DataFrame = table()  # step, source, target, journeys (Sankey-ready)
    nonlinear: pd.DataFrame = table()  # kind, journeys, share, definition


def paths(
    ctx: Context,
    level: Literal["touchpoint", "stage", "channel", "event"] = "touchpoint",
    start: str | None = None,
    end: str | None = None,
    length: int = 5,
    top: int = 20,
    collapse: bool = True,
    unmapped: bool = False,
) -> PathsResult:
    """Top paths, Sankey flows step to step, and how often journeys loop, go back or skip.

    level: touchpoint, stage, channel or event: what a step is.
    start: paths begin at the first occurrence of this value.
    end: paths stop at the first occurrence of this value (after start).
    length: number of steps shown; longer paths are cut and marked with an ellipsis.
    top: number of paths listed.
    collapse: merge consecutive repeats of the same value into one step.
    unmapped: keep events that match no touchpoint (as 'unmapped').
    """
    check_level("paths", level)
    if length < 1:
        raise InputError(f"paths: length must be at least 1, got {length}")
    if top < 1:
        raise InputError(f"paths: top must be at least 1, got {top}")
    _check_point(ctx.map, "start", start, level, unmapped)
    _check_point(ctx.map, "end", end, level, unmapped)

    log = activity_log(ctx.journeys, level, unmapped=unmapped, collapse=collapse)
    steps, per_journey = windowed(log, start, end, length)
    cut = per_journey.total > length
    marked = (
        ibis.literal(MORE + SEP) + per_journey.path
        if end is not None and start is None
        else per_journey.path + ibis.literal(SEP + MORE)
    )
    per_journey = per_journey.mutate(
        path=ibis.ifelse(cut, marked, per_journey.path),
        steps=ibis.least(per_journey.total, length),
    )
    table = (
        per_journey.group_by(["path", "steps"])
        .aggregate(journeys=per_journey.count(), converted=per_journey.converted.sum())
        .to_pandas()
    )
    total = int(table.journeys.sum())
    table = table.sort_values(["journeys", "path"], ascending=[False, True])
    table["share"] = table.journeys / max(total, 1)
    table["conversion_rate"] = table.converted / table.journeys
    n_paths = len(table)
    table = table.head(top)[["path", "steps", "journeys", "share", "converted", "conversion_rate"]]

    shown = steps.filter(steps.shown)
    by_step = ibis.window(group_by=shown.journey_id, order_by=shown.pos)
    moves = shown.select(
        step=shown.rel - 1, source=shown.activity.lag().over(by_step), target=shown.activity
    )
    moves = moves.filter(moves.source.notnull())
    flows = (
        moves.group_by(["step", "source", "target"])
        .aggregate(journeys=moves.count())
        .to_pandas()
        .sort_values(["step", "journeys", "source", "target"], ascending=[True, False, True, True])
    )

    flags = nonlinearity(ctx.journeys, per_journey.select("journey_id"))
    counts = flags.aggregate(
        loop=flags.loop.cast("int64").sum(),
        back=flags.back.cast("int64").sum(),
        skip=flags.skip.cast("int64").sum(),
        any=(flags.loop | flags.back | flags.skip).cast("int64").sum(),
    ).to_pandas()
    nonlinear = pd.DataFrame(
        {
            "kind": list(NONLINEAR),
            "journeys": [count_or_zero(counts[k].iloc[0]) for k in NONLINEAR],
            "definition": list(NONLINEAR.values()),
        }
    )
    nonlinear.insert(2, "share", nonlinear.journeys / max(total, 1))

    share = nonlinear.set_index("kind").share
    return PathsResult(
        title=f"Paths per {level}"
        + (f" from {start}" if start else "")
        + (f" to {end}" if end else ""),
        table=table.reset_index(drop=True),
        params={
            "level": level,
            "start": start,
            "end": end,
            "length": length,
            "top": top,
            "collapse": collapse,
            "unmapped": unmapped,
        },
        journeys=total,
        distinct_paths=n_paths,
        non_linear_share=float(share["any"]),
        loop_share=float(share["loop"]),
        back_share=float(share["back"]),
        skip_share=float(share["skip"]),
        flows=flows.reset_index(drop=True),
        nonlinear=nonlinear,
        notes=[
            "conversion_rate = share of the journeys on this path that converted.",
            "flows: journeys going from source at step N to target at step N+1 (for a Sankey).",
            "non-linear: "
            + "; ".join(f"{k} = {v}" for k, v in NONLINEAR.items() if k != "any")
            + " (over the whole journeys, in the map's stage order).",
        ],
    )


ANALYSIS = Analysis(
    "paths",
    paths,
    example="parcours paths --start fiche_produit_web --length 4",
    overview=lambda _: {"level": "touchpoint", "length": 5},
)
