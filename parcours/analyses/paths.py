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

Computation: one pass in time order over each journey's events gives its sequence of steps
(an array) and its non-linearity flags; start, end and the cut are array operations on it;
the journeys shown are kept once and read by the top paths, the flows and the flags.

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
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.process import (
    SEP,
    activity_log,
    check_level,
    count_or_zero,
    sequence,
)
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.engine import Scratch
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


def _nonlinear_marks(t: ir.Table, in_journey: Any) -> dict[str, ir.Value]:
    """Per mapped event: a new run of touchpoints starts there, a step back, a skip."""
    prev_tp = t.touchpoint.lag().over(in_journey)
    prev_stage = t.stage_index.lag().over(in_journey)
    return {
        "_tp_run": (prev_tp.isnull() | (prev_tp != t.touchpoint)).cast("int64"),
        "_back": (t.stage_index < prev_stage).fill_null(False),
        "_skip": (t.stage_index > prev_stage + 1).fill_null(False),
    }


def _nonlinear_flags(t: ir.Table) -> dict[str, ir.Value]:
    """Per journey (aggregates over :func:`_nonlinear_marks`): runs of touchpoints, distinct
    touchpoints, any step back, any skip."""
    return {
        "_runs": t._tp_run.sum(),
        "_touchpoints": t.touchpoint.nunique(),
        "back": t._back.any(),
        "skip": t._skip.any(),
    }


def nonlinearity(journeys: ir.Table) -> ir.Table:
    """Per journey with a mapped event: loop, back and skip flags (see module doc)."""
    t = journeys.filter(journeys.touchpoint != UNMAPPED)
    in_journey = ibis.window(group_by=t.journey_id, order_by=t.step)
    t = t.mutate(**_nonlinear_marks(t, in_journey))
    flags = t.group_by("journey_id").aggregate(**_nonlinear_flags(t))
    return flags.select("journey_id", "back", "skip", loop=flags._runs > flags._touchpoints)


def journey_sequences(journeys: ir.Table, level: str, unmapped: bool, collapse: bool) -> ir.Table:
    """One row per journey taking part: ``seq`` (its steps at ``level`` in time order,
    consecutive repeats merged when ``collapse``), ``converted``, and its ``loop``, ``back``
    and ``skip`` flags: one window pass over the events, one aggregate per journey."""
    log = activity_log(journeys, level, unmapped=unmapped, columns=("touchpoint",))
    in_journey = ibis.window(group_by=log.journey_id, order_by=log.step)
    previous = log.activity.lag().over(in_journey)
    run = previous.isnull() | (previous != log.activity) if collapse else ibis.literal(True)
    # Without unmapped events, at the touchpoint or stage level the log is exactly the
    # mapped events the flags read: the same pass gives them.
    same_rows = not unmapped and level in ("touchpoint", "stage")
    marks = _nonlinear_marks(log, in_journey) if same_rows else {}
    t = log.mutate(_run=run, **marks)
    per = t.group_by("journey_id").aggregate(
        seq=sequence(t.activity, t.step, where=t._run),
        converted=t.converted.any(),
        **(_nonlinear_flags(t) if same_rows else {}),
    )
    if same_rows:
        return per.mutate(loop=per._runs > per._touchpoints).drop("_runs", "_touchpoints")
    flags = nonlinearity(journeys)
    return per.left_join(flags, "journey_id").select(
        per.journey_id,
        per.seq,
        per.converted,
        back=flags.back.fill_null(False),
        skip=flags.skip.fill_null(False),
        loop=flags.loop.fill_null(False),
    )


def windowed(per: ir.Table, start: str | None, end: str | None, length: int) -> ir.Table:
    """The journeys of :func:`journey_sequences` whose path the analysis shows: ``shown``
    (its first ``length`` steps from ``start`` on, or its last ones up to ``end`` when only
    ``end`` is given), ``path`` (marked at a cut), ``steps`` shown, ``converted`` and the
    non-linearity flags."""
    if start is not None:
        per = per.mutate(_first=per.seq.index(start))
        per = per.filter(per._first >= 0)
        per = per.mutate(seq=per.seq[per._first :])
    if end is not None:
        if start is not None:  # the first end after the start
            found = per.seq[1:].index(end)
            last = ibis.ifelse(found >= 0, found + 1, found)
        else:
            last = per.seq.index(end)
        per = per.mutate(_last=last)
        per = per.filter(per._last >= 0)
        per = per.mutate(seq=per.seq[: per._last + 1])
    total = per.seq.length()
    before_end = end is not None and start is None  # the steps leading to the end
    shown = per.seq[-length:] if before_end else per.seq[:length]
    path = shown.join(SEP)
    marked = ibis.literal(MORE + SEP) + path if before_end else path + ibis.literal(SEP + MORE)
    return per.select(
        "converted",
        "loop",
        "back",
        "skip",
        shown=shown,
        steps=ibis.least(total, length),
        path=ibis.ifelse(total > length, marked, path),
    )


def flows(kept: ir.Table, length: int) -> ir.Table:
    """``step, source, target, journeys``: journeys going from ``source`` at step N to
    ``target`` at step N+1 of their shown path (N from 1)."""
    shown = kept.shown

    def at(i: int) -> ir.StringValue:  # guarded: an index past the end fails on some engines
        return ibis.ifelse(shown.length() > i, shown[i], ibis.null("string"))

    moves = ibis.array(
        [
            ibis.struct({"step": ibis.literal(i, "int64"), "source": at(i - 1), "target": at(i)})
            for i in range(1, length)
        ]
    )
    m = kept.select(_m=moves.unnest()).unpack("_m")
    m = m.filter(m.target.notnull())
    return m.group_by(["step", "source", "target"]).aggregate(journeys=m.count())


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

    # The journeys shown, computed once (in parts of persons: a pass in time order over
    # every journey at once outgrows memory): the paths, the flows and the flags read them.
    def shown(part: ir.Table) -> ir.Table:
        return windowed(journey_sequences(part, level, unmapped, collapse), start, end, length)

    scratch = Scratch("paths")
    try:
        kept = scratch.keep_parts(ctx.journey_parts(), journeys=shown)["journeys"]
        table = (
            kept.group_by(["path", "steps"])
            .aggregate(journeys=kept.count(), converted=kept.converted.sum())
            .to_pandas()
        )
        flow_table = (
            flows(kept, length).to_pandas()
            if length > 1
            else pd.DataFrame({"step": [], "source": [], "target": [], "journeys": []})
        )
        counts = kept.aggregate(
            loop=kept.loop.cast("int64").sum(),
            back=kept.back.cast("int64").sum(),
            skip=kept.skip.cast("int64").sum(),
            any=(kept.loop | kept.back | kept.skip).cast("int64").sum(),
        ).to_pandas()
    finally:
        scratch.release()
    total = int(table.journeys.sum())
    table = table.sort_values(["journeys", "path"], ascending=[False, True])
    table["share"] = table.journeys / max(total, 1)
    table["conversion_rate"] = table.converted / table.journeys
    n_paths = len(table)
    table = table.head(top)[["path", "steps", "journeys", "share", "converted", "conversion_rate"]]
    flow_table = flow_table.sort_values(
        ["step", "journeys", "source", "target"], ascending=[True, False, True, True]
    )
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
        flows=flow_table.reset_index(drop=True),
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
