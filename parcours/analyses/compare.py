"""Two periods, two segments or two versions of the map side by side, with significance.

So that a team sees whether a fix worked. Give one pair; with none, the last full calendar
month whose journeys have had the time to end (it ended one journey timeout or more before the
data's last event) is compared (B) with the month before (A), as the report and the dashboard
do. A later month would be compared while its journeys are still open: fewer of them reach the
late stages yet, a drop that is only the data's end.

* ``period_a`` / ``period_b`` — ``2026-01-01..2026-03-31`` (both days included). A journey
  belongs to the period in which it *starts* (its first event), so no journey is cut in two;
  feedback belongs to the period of its answer time.
* ``segment_a`` / ``segment_b`` — conditions on journeys, ``key=value`` joined with ``,``
  (all must hold): ``persona=ropo`` (the person's persona), ``channel=app``,
  ``touchpoint=store_locator`` or ``stage=decision`` (journeys with at least one such event).
  Feedback is kept for the persons of the segment's journeys (through identity resolution).
* ``map_version_a`` / ``map_version_b`` — two saved versions of the map (``parcours maps
  save``), each cutting and mapping the same events; feedback is shared.

Side by side:

* **conversion** (main table): the share of journeys that convert; for each stage the share
  of journeys that reach it (``reach``) and the share of those that convert
  (``conversion``). Change = B - A, with Newcombe's interval and the pooled two-proportion
  z-test. With ``steps``, the funnel analysis (registry ``funnel``) runs on both sides and
  each step's conversion from step 1 is compared the same way, over persons.
* **frictions** (table ``frictions``): the friction ranking of each side (see
  :mod:`parcours.analyses.frictions`) and, per touchpoint, the exit rate change with its test.
* **nps** (table ``nps``): NPS (% 9-10 minus % 0-6 over answers of kind ``nps``) overall and
  per touchpoint, with the change, its interval and Welch's test on the +1 / 0 / -1 coding.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses import _stats
from parcours.analyses._scores import is_detractor, is_promoter
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.frictions import frictions as run_frictions
from parcours.analyses.funnel import funnel as run_funnel
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.engine import Scratch
from parcours.store.journeys import UNMAPPED

SEGMENT_KEYS = ("persona", "channel", "touchpoint", "stage")
_PERIOD = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


# -- checks -----------------------------------------------------------------------------------


def _which_pair(params: dict[str, Any]) -> str:
    given = {
        kind for kind in ("period", "segment", "map_version") if _pair(params, kind) != (None, None)
    }
    if len(given) > 1:
        raise InputError(
            "compare: give exactly one pair to compare: period_a and period_b "
            "(2026-01-01..2026-03-31), segment_a and segment_b (persona=ropo), or "
            "map_version_a and map_version_b (saved map versions)"
            + f"; got {', '.join(sorted(given))}"
        )
    if not given:  # no pair: the default periods (the overview's)
        return "period"
    kind = given.pop()
    a, b = _pair(params, kind)
    if a is None or b is None:
        raise InputError(f"compare: give both {kind}_a and {kind}_b")
    return kind


def _pair(params: dict[str, Any], kind: str) -> tuple[Any, Any]:
    return params[f"{kind}_a"], params[f"{kind}_b"]


def parse_period(text: str, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``2026-01-01..2026-03-31`` -> [start, day after end), in UTC without zone.

    >>> parse_period("2026-01-01..2026-03-31", "period_a")
    (Timestamp('2026-01-01 00:00:00'), Timestamp('2026-04-01 00:00:00'))
    """
    found = _PERIOD.match(text or "")
    if not found:
        raise InputError(
            f"compare: {name} {text!r} is not a period; write FIRST..LAST days, "
            "e.g. 2026-01-01..2026-03-31"
        )
    try:
        start, end = pd.Timestamp(found[1]), pd.Timestamp(found[2])
    except ValueError:
        raise InputError(f"compare: {name} {text!r} holds a day that does not exist") from None
    if end < start:
        raise InputError(f"compare: {name} {text!r} ends before it starts")
    return start, end + pd.Timedelta(days=1)


def parse_segment(text: str, name: str, jm: JourneyMap) -> list[tuple[str, str]]:
    """``persona=ropo,channel=app`` -> [(persona, ropo), (channel, app)], checked on the map."""
    conditions = []
    for part in (text or "").split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in SEGMENT_KEYS or not value:
            raise InputError(
                f"compare: {name} {text!r} is not a segment; write key=value joined with ',', "
                f"keys: {', '.join(SEGMENT_KEYS)} (e.g. persona=ropo)"
            )
        known = {
            "persona": [p.id for p in jm.personas],
            "channel": [c.id for c in jm.channels],
            "touchpoint": [t.id for t in jm.touchpoints],
            "stage": jm.stage_ids,
        }[key]
        if value not in known:
            raise InputError(
                f"compare: {name}: {key} '{value}' is not in the map; {key}s: {', '.join(known)}"
            )
        conditions.append((key, value))
    return conditions


# -- the two sides ----------------------------------------------------------------------------


def _period_side(ctx: Context, start: pd.Timestamp, end: pd.Timestamp) -> Context:
    j = ctx.journeys
    first = j.ts.min().over(ibis.window(group_by=j.journey_id))
    marked = j.mutate(_start=first)
    inside = marked.filter((marked._start >= start) & (marked._start < end)).drop("_start")
    feedback = ctx.feedback
    if feedback is not None:
        feedback = feedback.filter((feedback.ts >= start) & (feedback.ts < end))
    return replace(ctx, journeys=inside, feedback=feedback)


def segment_context(ctx: Context, conditions: list[tuple[str, str]]) -> Context:
    """``ctx`` kept to the journeys of a segment (every condition holds) and the feedback
    of their persons (none without identities to place it)."""
    j = ctx.journeys
    kept = j
    for key, value in conditions:
        if key == "persona":
            kept = kept.filter(kept.persona == value)
        else:
            hits = j.filter(j[key] == value).select("journey_id").distinct()
            kept = kept.filter(kept.journey_id.isin(hits.journey_id))
    feedback = ctx.feedback
    if feedback is not None and ctx.identities is not None:
        from parcours.store.identity import assign_persons

        persons = kept.select("person_id").distinct()
        placed = assign_persons(feedback, ctx.identities)
        feedback = placed.filter(placed.person_id.isin(persons.person_id)).drop("person_id")
    elif feedback is not None:
        feedback = None  # no identities: feedback cannot be put on the segment's persons
    return replace(ctx, journeys=kept, feedback=feedback)


@dataclass(frozen=True)
class Segment:
    """The journeys of one segment and the feedback of their persons, as a
    :class:`parcours.workspace.Scope` (results kept per segment): ``parcours report map
    --persona ropo`` measures its canvas on ``Segment.persona("ropo")``.

    >>> Segment.persona("ropo").key()
    ('segment', ('persona', 'ropo'))
    """

    conditions: tuple[tuple[str, str], ...]

    @classmethod
    def persona(cls, persona: str) -> Segment:
        return cls((("persona", persona),))

    def key(self) -> tuple[Any, ...]:
        return ("segment", *self.conditions)

    def apply(self, ctx: Context) -> Context:
        return segment_context(ctx, list(self.conditions))


def _map_version_side(ctx: Context, version: int, name: str, scratch: Scratch) -> Context:
    # The context holds no workspace: read its maps and events from the journey table's
    # connection (see the note in the result).
    from parcours.store.journeys import journey_table

    con = ibis.get_backend(ctx.journeys)
    maps = con.table("maps")
    rows = maps.filter((maps.map_id == ctx.map.map) & (maps.version == version))
    found = rows.select("yaml").limit(1).to_pyarrow().column(0).to_pylist()
    if not found:
        versions = maps.filter(maps.map_id == ctx.map.map).version.to_pyarrow().to_pylist()
        raise InputError(
            f"compare: {name} {version}: map '{ctx.map.map}' has no such saved version; "
            f"versions: {', '.join(str(v) for v in sorted(versions)) or 'none (parcours maps save)'}"
        )
    jm = JourneyMap.loads(found[0], source=f"{ctx.map.map}@v{version}")
    if ctx.identities is None:
        raise InputError("compare: map versions need the workspace's identities in the context")
    journeys = journey_table(con.table("events"), ctx.identities, jm, ctx.customers)
    journeys = scratch.keep(journeys, name)  # read by several queries
    return replace(ctx, journeys=journeys, map=jm)


# -- measures ---------------------------------------------------------------------------------


def _conversion_counts(ctx: Context) -> pd.DataFrame:
    """Journeys, converted journeys, and per stage the journeys reaching it and converting."""
    j = ctx.journeys
    per_journey = j.group_by("journey_id").aggregate(converted=j.converted.any())
    # no journeys in the period: the sum is NULL, which engines hand to pandas as None or NaN
    converted = per_journey.converted.cast("int64").sum().fill_null(0)
    overall = per_journey.aggregate(journeys=per_journey.count(), converted=converted).to_pandas()
    mapped = j.filter((j.touchpoint != UNMAPPED) & j.stage.notnull())
    reach = mapped.group_by(["stage", "journey_id"]).aggregate(converted=mapped.converted.any())
    stages = (
        reach.group_by("stage")
        .aggregate(reached=reach.count(), converted=reach.converted.cast("int64").sum())
        .to_pandas()
    )
    rows = [
        {
            "metric": "conversion",
            "id": "(all journeys)",
            "n": int(overall.journeys.iloc[0]),
            "x": int(overall.converted.iloc[0]),
        }
    ]
    total = rows[0]["n"]
    by_stage = stages.set_index("stage")
    for stage in ctx.map.stage_ids:
        reached = int(by_stage.reached.get(stage, 0))
        rows.append({"metric": "reach", "id": stage, "n": total, "x": reached})
        rows.append(
            {
                "metric": "conversion",
                "id": stage,
                "n": reached,
                "x": int(by_stage.converted.get(stage, 0)),
            }
        )
    return pd.DataFrame(rows)


def _funnel_counts(ctx: Context, steps: list[str], as_of: str | None) -> pd.DataFrame:
    """Persons at each step of the funnel, of the persons at step 1, counting only persons
    whose window has closed by ``as_of`` (the end of the whole data): a recent period's
    persons still in their window are neither converted nor lost."""
    table = run_funnel(ctx, steps=steps, as_of=as_of).table
    first = int(table.persons_closed.iloc[0]) if len(table) else 0
    return pd.DataFrame(
        {
            "metric": "funnel",
            "id": [f"{k}. {name}" for k, name in zip(table.step, table.name, strict=True)],
            "n": first,
            "x": table.persons_closed.astype("int64"),
        }
    )


def side_by_side(
    a: pd.DataFrame, b: pd.DataFrame, keys: list[str], confidence: float
) -> pd.DataFrame:
    """Join counts ``x`` of ``n`` of A and B on ``keys``; add rates, change, interval, p."""
    both = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"))
    for column in ("n_a", "x_a", "n_b", "x_b"):
        both[column] = both[column].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        both["rate_a"] = np.where(both.n_a > 0, both.x_a / both.n_a.where(both.n_a > 0), np.nan)
        both["rate_b"] = np.where(both.n_b > 0, both.x_b / both.n_b.where(both.n_b > 0), np.nan)
    both["change"] = both.rate_b - both.rate_a
    low, high = _stats.newcombe_interval(both.x_b, both.n_b, both.x_a, both.n_a, confidence)
    _, p = _stats.two_proportion_test(both.x_b, both.n_b, both.x_a, both.n_a)
    both["change_low"], both["change_high"], both["p_value"] = low, high, p
    both["significant"] = both.p_value < 1 - confidence
    return both


def _nps_counts(feedback: ir.Table | None, side: str) -> pd.DataFrame:
    columns = ["id", f"answers_{side}", f"promoters_{side}", f"detractors_{side}"]
    if feedback is None:
        return pd.DataFrame(columns=columns)
    f = feedback.filter((feedback.kind == "nps") & feedback.score.notnull())
    f = f.mutate(
        _id=f.touchpoint.fill_null("(no touchpoint)"),
        _pro=is_promoter(f.score).cast("int64"),
        _det=is_detractor(f.score).cast("int64"),
    )
    per = f.group_by("_id").aggregate(n=f.count(), pro=f._pro.sum(), det=f._det.sum()).to_pandas()
    total = pd.DataFrame(
        {
            "_id": ["(all answers)"],
            "n": [per.n.sum()],
            "pro": [per.pro.sum()],
            "det": [per.det.sum()],
        }
    )
    frame = pd.concat([total, per], ignore_index=True)
    frame.columns = columns
    return frame


def _nps_table(a: ir.Table | None, b: ir.Table | None, confidence: float) -> pd.DataFrame:
    both = _nps_counts(a, "a").merge(_nps_counts(b, "b"), on="id", how="outer")
    for column in both.columns[1:]:
        both[column] = both[column].fillna(0).astype("int64")
    both = both[(both.answers_a > 0) | (both.answers_b > 0)]
    tests = [
        _stats.nps_test(
            int(r.promoters_a), int(r.detractors_a), int(r.answers_a),
            int(r.promoters_b), int(r.detractors_b), int(r.answers_b),
            confidence,
        )
        for r in both.itertuples()
    ]  # fmt: skip
    return both.assign(
        nps_a=[t.nps_a for t in tests],
        nps_b=[t.nps_b for t in tests],
        change=[t.difference for t in tests],
        change_low=[t.low for t in tests],
        change_high=[t.high for t in tests],
        p_value=[t.p_value for t in tests],
        significant=[t.p_value < 1 - confidence for t in tests],
    ).reset_index(drop=True)


def _frictions_table(a: Context, b: Context, confidence: float, min_journeys: int) -> pd.DataFrame:
    run = run_frictions
    ra = run(a, confidence=confidence, min_journeys=min_journeys, correlate=False)
    rb = run(b, confidence=confidence, min_journeys=min_journeys, correlate=False)
    columns = ["id", "journeys", "exits", "score"]
    ma = ra.measures.merge(ra.table[["id", "rank"]], on="id", how="left")
    mb = rb.measures.merge(rb.table[["id", "rank"]], on="id", how="left")
    ma, mb = ma[[*columns, "rank"]], mb[[*columns, "rank"]]
    counts_a = ma.rename(columns={"journeys": "n", "exits": "x"})
    counts_b = mb.rename(columns={"journeys": "n", "exits": "x"})
    both = side_by_side(counts_a, counts_b, ["id"], confidence)
    both = both.rename(
        columns={
            "n_a": "journeys_a",
            "x_a": "exits_a",
            "n_b": "journeys_b",
            "x_b": "exits_b",
            "rate_a": "exit_rate_a",
            "rate_b": "exit_rate_b",
        }
    )
    both = both[(both.journeys_a > 0) | (both.journeys_b > 0)]
    both = both.sort_values(["rank_b", "rank_a", "journeys_b"], na_position="last")
    return both[
        [
            "id",
            "rank_a",
            "rank_b",
            "score_a",
            "score_b",
            "journeys_a",
            "exit_rate_a",
            "journeys_b",
            "exit_rate_b",
            "change",
            "change_low",
            "change_high",
            "p_value",
            "significant",
        ]
    ].reset_index(drop=True)


# -- the analysis -----------------------------------------------------------------------------


@dataclass(kw_only=True, repr=False)
class CompareResult(Result):
    """Conversion side by side (``table``: metric, id, n_a, x_a, rate_a, n_b, x_b, rate_b,
    change, change_low, change_high, p_value, significant)."""

    analysis: ClassVar[str] = "compare"
    label_a: str = figure("A")
    label_b: str = figure("B")
    journeys_a: int = figure("journeys A")
    journeys_b: int = figure("journeys B")
    conversion_a: float = figure("conversion A")
    conversion_b: float = figure("conversion B")
    conversion_change: float = figure("conversion change")
    conversion_p_value: float = figure("conversion p-value")
    conversion_change_significant: bool = figure("conversion change significant")
    nps_a: float | None = figure("NPS A", default=None)
    nps_b: float | None = figure("NPS B", default=None)
    nps_p_value: float | None = figure("NPS p-value", default=None)
    frictions: pd.DataFrame = table()  # id, rank_a, rank_b, score_a, score_b, exit rates, test
    nps: pd.DataFrame = table()  # id, answers, promoters, detractors and nps of A and B, test


def compare(
    ctx: Context,
    period_a: str | None = None,
    period_b: str | None = None,
    segment_a: str | None = None,
    segment_b: str | None = None,
    map_version_a: int | None = None,
    map_version_b: int | None = None,
    steps: list[str] | None = None,
    confidence: float = 0.95,
    min_journeys: int = 30,
) -> CompareResult:
    """Two periods, segments or map versions side by side: conversion, frictions, NPS, with significance.

    period_a: first period, FIRST..LAST days, e.g. 2026-01-01..2026-03-31 (journeys by their start); with no pair given, the month before period_b's.
    period_b: second period, same form; with no pair given, the last full calendar month whose journeys have had one journey timeout to end before the data's last event.
    segment_a: first segment, key=value joined with ',' (keys persona, channel, touchpoint, stage), e.g. persona=ropo.
    segment_b: second segment, same form.
    map_version_a: first saved version of the map.
    map_version_b: second saved version of the map.
    steps: funnel steps to compare too (touchpoint ids, stage ids or event names), run by the funnel analysis.
    confidence: confidence level of the intervals and tests, e.g. 0.95.
    min_journeys: touchpoints met by fewer journeys are not tested in the friction ranking.
    """
    params = {
        "period_a": period_a,
        "period_b": period_b,
        "segment_a": segment_a,
        "segment_b": segment_b,
        "map_version_a": map_version_a,
        "map_version_b": map_version_b,
    }
    kind = _which_pair(params)
    if not 0.5 <= confidence < 1:
        raise InputError(
            f"compare: confidence {confidence} is not allowed; give a level from 0.5 to below 1"
        )
    notes: list[str] = []
    if all(value is None for value in params.values()):
        default = _overview(ctx)
        period_a, period_b = str(default["period_a"]), str(default["period_b"])
        params.update(period_a=period_a, period_b=period_b)
        notes.append(
            "no pair given: the last full calendar month that ended one journey timeout or more "
            "before the data's last event (B: its journeys have had the time to end) against "
            "the month before (A)."
        )
    scratch = Scratch("compare")  # the map versions' journey tables, released at the end
    try:
        if kind == "period":
            a = _period_side(ctx, *parse_period(period_a, "period_a"))  # type: ignore[arg-type]
            b = _period_side(ctx, *parse_period(period_b, "period_b"))  # type: ignore[arg-type]
            label_a, label_b = str(period_a), str(period_b)
        elif kind == "segment":
            a = segment_context(ctx, parse_segment(segment_a, "segment_a", ctx.map))  # type: ignore[arg-type]
            b = segment_context(ctx, parse_segment(segment_b, "segment_b", ctx.map))  # type: ignore[arg-type]
            label_a, label_b = str(segment_a), str(segment_b)
            if ctx.feedback is not None and ctx.identities is None:
                notes.append("no identities in the context: NPS per segment is not measured.")
        else:
            a = _map_version_side(ctx, int(map_version_a), "map_version_a", scratch)  # type: ignore[arg-type]
            b = _map_version_side(ctx, int(map_version_b), "map_version_b", scratch)  # type: ignore[arg-type]
            label_a, label_b = f"v{map_version_a}", f"v{map_version_b}"
            notes.append(
                "map versions are read from the journey table's connection (the context holds "
                "no workspace); both versions map the same events."
            )
        counts_a, counts_b = _conversion_counts(a), _conversion_counts(b)
        if steps:
            latest = ctx.journeys.ts.max().to_pyarrow().as_py()
            as_of = None if latest is None else pd.Timestamp(latest).isoformat()
            counts_a = pd.concat([counts_a, _funnel_counts(a, steps, as_of)], ignore_index=True)
            counts_b = pd.concat([counts_b, _funnel_counts(b, steps, as_of)], ignore_index=True)
        frictions = _frictions_table(a, b, confidence, min_journeys)
        nps = _nps_table(a.feedback, b.feedback, confidence)
    finally:
        scratch.release()
    conversion = side_by_side(counts_a, counts_b, ["metric", "id"], confidence)
    order = {k: i for i, k in enumerate(counts_a.metric + "/" + counts_a.id)}
    conversion = conversion.iloc[
        np.argsort([order.get(k, len(order)) for k in conversion.metric + "/" + conversion.id])
    ]
    conversion = conversion[
        [
            "metric",
            "id",
            "n_a",
            "x_a",
            "rate_a",
            "n_b",
            "x_b",
            "rate_b",
            "change",
            "change_low",
            "change_high",
            "p_value",
            "significant",
        ]
    ].reset_index(drop=True)

    head = conversion.iloc[0]
    overall = nps.iloc[0] if len(nps) else None
    return CompareResult(
        title=f"Compare {label_a} with {label_b}",
        table=conversion,
        params={**params, "steps": steps, "confidence": confidence, "min_journeys": min_journeys},
        label_a=label_a,
        label_b=label_b,
        journeys_a=int(head.n_a),
        journeys_b=int(head.n_b),
        conversion_a=float(head.rate_a),
        conversion_b=float(head.rate_b),
        conversion_change=float(head.change),
        conversion_p_value=float(head.p_value),
        conversion_change_significant=bool(head.significant),
        nps_a=float(overall.nps_a) if overall is not None else None,
        nps_b=float(overall.nps_b) if overall is not None else None,
        nps_p_value=float(overall.p_value) if overall is not None else None,
        frictions=frictions,
        nps=nps,
        notes=[
            "change = B - A; interval: Newcombe's hybrid score; p-value: pooled two-proportion "
            "z-test; significant when p < 1 - confidence.",
            "x of n: conversion = converted journeys of the journeys (reaching the stage); "
            "reach = journeys reaching the stage of all journeys; funnel = persons reaching the "
            "step of the persons at step 1, among the persons whose conversion window has "
            "closed by the end of the data (those still in it are neither counted converted "
            "nor lost).",
            "frictions: rank and score of each side (see the frictions analysis); the change "
            "tested is the exit rate. NPS: Welch's test on the +1 / 0 / -1 coding.",
            "a period's journeys are those that start in it; the latest ones have had less time "
            "to convert (compare periods that ended long enough ago, e.g. one journey timeout).",
            *notes,
        ],
    )


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _overview(ctx: Context) -> dict[str, object]:
    """The last full calendar month whose journeys have had the time to end against the month
    before: with a 30-day journey timeout and events up to 2026-07-03 12:00, May 2026 (B) against
    April 2026 (A) (June's journeys may still go on after the data's end); up to 2026-07-31
    00:00, June (B) against May (A)."""
    j = ctx.journeys
    span = j.aggregate(first=j.ts.min(), last=j.ts.max()).to_pyarrow().to_pylist()[0]
    if span["last"] is None:
        raise InputError("compare: no events, so no periods to compare")
    timeout = ctx.map.journey.timeout_delta
    first, last = span["first"].date(), span["last"]
    # a journey started before `settled` has been idle a whole timeout (it ended) or it has
    # run past it: month B ends by then
    settled = last - timeout
    end_b = _month_start(settled.date()) - dt.timedelta(days=1)
    start_b = _month_start(end_b)
    end_a = start_b - dt.timedelta(days=1)
    start_a = _month_start(end_a)
    if first > start_a:
        raise InputError(
            f"compare: the data runs from {first} to {last.date()}; the default compares the "
            f"last full calendar month that ended one journey timeout ({ctx.map.journey.timeout})"
            f" or more before the last event with the month before, so it needs data from "
            f"{start_a} to {end_b}; give period_a and period_b"
        )
    return {"period_a": f"{start_a}..{end_a}", "period_b": f"{start_b}..{end_b}"}


ANALYSIS = Analysis(
    "compare",
    compare,
    example="parcours compare --period-a 2026-01-05..2026-03-31 --period-b 2026-04-01..2026-07-03",
    needs=("feedback",),
    overview=_overview,
)
