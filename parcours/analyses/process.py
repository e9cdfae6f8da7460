"""Process discovery: the directly-follows graph (DFG) of cases, and their variants.

A case is (``case``):

* ``person`` (the default): all of a person's events, whatever the map's journey cuts. On a
  log ingested with the case id as ``customer_id`` (an unmodified process-mining log) the
  graph is pm4py's on that log, whatever the map's conversion and timeout;
* ``journey``: a person's events cut into journeys at conversions and idle timeouts;
* any other name: a column of the journey table (``channel``, ``persona``...) or else an
  event property (an order or application id); events with no value take no part.

Each event of a case is an activity: its touchpoint, stage, channel or event name
(``level``). Events are ordered by time within the case, events of one instant in their
order of arrival, then by event id (the journey table's order).

* nodes: events per activity, cases through it, cases starting and ending with it;
* edges: ``source -> target`` when ``target`` is the next event after ``source`` in a
  case; ``frequency`` counts these transitions (a case passing twice counts twice),
  with the mean and median time between the two events;
* durations: per edge, its transitions in human time bins (``< 1 min`` ... ``≥ 30 d``,
  :mod:`parcours.analyses._durations`): the distribution behind the mean and the median;
* variants: distinct activity sequences with their number of cases.

The counts are those of pm4py's ``discover_dfg`` (case = the case column, activity = the
level's column, timestamp = ts), ``discover_performance_dfg`` and ``get_variants`` on the
same events prepared the pm4py way (``format_dataframe`` sorts each case by timestamp, then
by row). pm4py's DFG sorts by timestamp with a stable sort, so ties keep the row order, and
its start and end activities and variants read the rows in the order given; the journey
table orders events of one instant by their order of arrival (the file's row order), then
by event id. Given the events in that order, the two agree exactly
(``tests/analyses/test_process.py`` checks it on a fixture, on the demo, on the real
Helpdesk log and on BPIC 2012 with its example map, whose journeys end at approval). pm4py
is a peer in the tests, never imported here.

By default only events mapped to a touchpoint take part (``unmapped`` keeps the others, as
``unmapped``). ``collapse`` merges consecutive repeats of an activity (off by default: pm4py
counts self-loops ``a -> a``).

``coverage`` keeps part of the cases and draws the graph of those only:

* ``filter_by=variants``: the most frequent variants that together hold at least that share
  of the cases (pm4py's ``filter_variants_top_k`` with the smallest such k);
* ``filter_by=edges``: the most frequent edges, as few as possible, such that at least that
  share of the cases take only kept edges; the graph of those cases.

The edge table is one window ``LAG`` (:func:`transitions`, kept once) and a ``GROUP BY``
(:func:`directly_follows`; the duration bins are counted in that same GROUP BY); the nodes
are one ``GROUP BY`` (their starts and ends follow from the edges); the variants one
aggregate per case. A person or a journey needs no sort beyond the journey table's order,
and runs in the parts of persons of :meth:`parcours.analyses.Context.journey_parts` (the
window and the ordered lists of 100M events outgrow DuckDB's memory at once); a column or
property case sorts its events once, whole. On the 1M-event demo on DuckDB (2 cores, CPU time) the edge table
with mean and median times costs about 1.1 times a hand-written LAG + GROUP BY, the whole
analysis about as much as hand-written SQL computing the same tables
(``benchmarks/analyses.py``).

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
>>> result = ws.process(map=jm)  # case = person: ana's and bob's events
>>> result.table[["source", "target", "frequency", "median_time_s"]].values.tolist()
[['vue', 'panier', 2, 450.0], ['panier', 'achat', 1, 900.0], ['panier', 'vue', 1, 120.0]]
>>> result.variants[["variant", "cases"]].values.tolist()
[['vue > panier > achat', 1], ['vue > panier > vue', 1]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses._durations import bin_counts, distribution, without_bins
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.store.engine import Scratch, epoch_seconds, json_text
from parcours.store.journeys import UNMAPPED

LEVELS = ("touchpoint", "stage", "channel", "event")
CASES = ("person", "journey")
# Columns of the journey table that order or describe an event rather than group events.
OWN_COLUMNS = ("step", "ts", "seq", "event_id", "properties", "revenue")
SEP = " > "


def check_level(name: str, level: str) -> None:
    if level not in LEVELS:
        raise InputError(f"{name}: level '{level}' is not known; allowed: {', '.join(LEVELS)}")


def check_share(name: str, param: str, value: float) -> None:
    if not 0 < value <= 1:
        raise InputError(f"{name}: {param} must be a share above 0 and at most 1, got {value}")


def count_or_zero(value: Any) -> int:
    """A count read back from the engine: a sum over no row is NULL."""
    return int(value) if pd.notna(value) else 0


def _case_key(t: ir.Table, case: str) -> tuple[ir.Value, ir.IntegerValue | None]:
    """The case id of each event, and its order within the case (None: computed after the
    other filters, by time)."""
    if case == "journey":
        return t.journey_id, t.step
    if case == "person":  # journeys are cut in the person's time order
        return t.person_id, t.journey_seq.cast("int64") * 2**32 + t.step
    if case in OWN_COLUMNS:
        raise InputError(
            f"process: case '{case}' cannot be a case; allowed: person, journey, a column of "
            f"the journey table other than {', '.join(OWN_COLUMNS)}, or an event property"
        )
    if case in t.columns:
        return t[case].cast("string"), None
    return json_text(t.properties, case), None


def activity_log(
    journeys: ir.Table,
    level: str,
    *,
    case: str = "journey",
    unmapped: bool = False,
    collapse: bool = False,
    columns: tuple[str, ...] = (),
) -> ir.Table:
    """The events that take part, one row each: ``case_id, journey_id, step, ts,
    stage_index, converted, activity`` and the journey table's ``columns``; within a case,
    ``step`` gives their order (see :func:`process` for ``case``)."""
    t = journeys
    case_id, order = _case_key(t, case)
    t = t.mutate(case_id=case_id, step=order) if order is not None else t.mutate(case_id=case_id)
    t = t.filter(t.case_id.notnull())
    if not unmapped:
        t = t.filter(t.touchpoint != UNMAPPED)
    if level == "stage":
        activity = t.stage.fill_null(UNMAPPED)
    else:  # like pm4py's format_dataframe, an event with no activity takes no part
        t = t.filter(t[level].notnull())
        activity = t[level]
    if order is None:  # a case across persons: in time order, ties in order of arrival
        in_case = ibis.window(group_by=t.case_id, order_by=[t.ts, t.seq, t.event_id])
        t = t.mutate(step=ibis.row_number().over(in_case).cast("int64"))
    t = t.select(
        "case_id",
        "journey_id",
        "step",
        "ts",
        "stage_index",
        "converted",
        *columns,
        activity=activity,
    )
    if collapse:
        t = t.mutate(_previous=t.activity.lag().over(group_by=t.case_id, order_by=t.step))
        t = t.filter(t._previous.isnull() | (t._previous != t.activity)).drop("_previous")
    return t


def sequence(
    value: ir.StringValue, order: ir.IntegerValue, where: ir.BooleanValue | None = None
) -> ir.ArrayValue:
    """Aggregate: the values of a group (where ``where``) in ``order``, as an array.

    Collected as (order, value) pairs and sorted, which every engine supports (PySpark has
    no ordered aggregation) and which costs less than an ordered aggregate on DuckDB."""
    pairs = ibis.struct({"o": order, "v": value}).collect(where=where)
    return pairs.sort().map(lambda pair: pair.v)


def sequence_text(
    value: ir.StringValue, order: ir.IntegerValue, where: ir.BooleanValue | None = None
) -> ir.StringValue:
    """Aggregate: :func:`sequence` joined with `` > ``."""
    return sequence(value, order, where).join(SEP)


def transitions(log: ir.Table) -> ir.Table:
    """One row per event of an :func:`activity_log`: ``case_id, activity``, the activity
    just before it in its case (``source``, null on a case's first event) and the
    ``seconds`` since that one: the one pass in time order that the edges, the nodes and
    the edge filter read."""
    in_case = ibis.window(group_by=log.case_id, order_by=log.step)
    epoch = epoch_seconds(log.ts)
    return log.select(
        "case_id",
        "activity",
        source=log.activity.lag().over(in_case),
        seconds=epoch - epoch.lag().over(in_case),
    )


def directly_follows(steps: ir.Table, times: bool = True, bins: bool = False) -> ir.Table:
    """Edges ``source, target, frequency`` (and ``mean_time_s, median_time_s``; with
    ``bins`` the counts of :func:`parcours.analyses._durations.bin_counts`) of the
    :func:`transitions` of a log: a GROUP BY."""
    pairs = steps.filter(steps.source.notnull())
    measures = {"frequency": pairs.count()}
    if times:
        measures |= {
            "mean_time_s": pairs.seconds.mean(),
            "median_time_s": pairs.seconds.median(),
        }
    if bins:
        measures |= bin_counts(pairs.seconds)
    return pairs.group_by(source=pairs.source, target=pairs.activity).aggregate(**measures)


def nodes(steps: ir.Table, edges: pd.DataFrame) -> pd.DataFrame:
    """Per activity: events, cases, cases starting and ending with it.

    Every event but a case's first is the target of one edge, and every event but its
    last the source of one: starts and ends follow from the events and the ``edges`` of
    :func:`directly_follows` without a second pass in time order."""
    counts = (
        steps.group_by("activity")
        .aggregate(events=steps.count(), cases=steps.case_id.nunique())
        .to_pandas()
        .set_index("activity")
    )
    incoming = edges.groupby("target").frequency.sum()
    outgoing = edges.groupby("source").frequency.sum()
    counts["starts"] = counts.events - incoming.reindex(counts.index, fill_value=0)
    counts["ends"] = counts.events - outgoing.reindex(counts.index, fill_value=0)
    return counts.astype("int64").reset_index()


def variants(log: ir.Table) -> ir.Table:
    """Per case its ``variant`` (the activity sequence as text) and ``length``."""
    return log.group_by("case_id").aggregate(
        variant=sequence_text(log.activity, log.step),
        length=log.count(),
        converted=log.converted.any(),
    )


def _cut(counts: pd.Series, coverage: float) -> int:
    """How many of the first rows (most frequent first) hold ``coverage`` of the total."""
    share = counts.cumsum() / counts.sum()
    return int((share < coverage - 1e-12).sum()) + 1


@dataclass(frozen=True)
class _Variants:
    """The variants of some cases, counted and ranked in the engine (``rank`` 1: the most
    frequent, ties by variant): at 100M events nearly every person's whole path is its own
    variant, millions of long texts, and only the rows shown go to pandas."""

    counts: ir.Table  # variant, length, cases, converted, rank
    total: int  # cases
    distinct: int  # variants

    def first(self, rows: int) -> pd.DataFrame:
        r = self.counts
        return r.filter(r["rank"] <= rows).order_by("rank").drop("rank").to_pandas()


def _variant_counts(per_case: ir.Table, scratch: Scratch) -> _Variants:
    counts = per_case.group_by(["variant", "length"]).aggregate(
        cases=per_case.count(), converted=per_case.converted.cast("int64").sum()
    )
    order = ibis.window(order_by=[counts.cases.desc(), counts.variant])
    ranked = scratch.keep(counts.mutate(rank=ibis.row_number().over(order) + 1), "variants")
    sizes = ranked.aggregate(total=ranked.cases.sum(), distinct=ranked.count()).to_pandas()
    total = sizes.total.iloc[0]
    return _Variants(ranked, 0 if pd.isna(total) else int(total), int(sizes.distinct.iloc[0]))


def _keep_variants(
    per_case: ir.Table, counted: _Variants, coverage: float
) -> tuple[ir.Table, _Variants]:
    """The cases of the most frequent variants holding ``coverage``, and those variants:
    as :func:`_cut` reads a sorted table, in the engine."""
    r = counted.counts
    running = r.cases.sum().over(ibis.window(order_by=r["rank"], preceding=None, following=0))
    below = r.filter(running / counted.total < coverage - 1e-12).count()
    k = int(below.to_pyarrow().as_py()) + 1
    chosen_variants = r.filter(r["rank"] <= k)
    kept = int(chosen_variants.cases.sum().to_pyarrow().as_py())
    chosen = per_case.semi_join(chosen_variants, ["variant", "length"]).select("case_id")
    return chosen, _Variants(chosen_variants, kept, k)


def _keep_edges(steps: ir.Table, coverage: float) -> tuple[ir.Table, int]:
    """The cases taking only the k most frequent edges, k as small as holds ``coverage``."""
    edges = directly_follows(steps, times=False).to_pandas()
    edges = edges.sort_values(["frequency", "source", "target"], ascending=[False, True, True])
    edges["rank"] = range(1, len(edges) + 1)
    ranks = ibis.memtable(edges[["source", "target", "rank"]])
    # A case's first event has no source: no rank, and a case of one event needs no edge.
    ranked = steps.left_join(
        ranks, [steps.source == ranks.source, steps.activity == ranks.target]
    ).select("case_id", "rank")
    worst = ranked.group_by("case_id").aggregate(rank=ranked["rank"].max().fill_null(0))
    needed = worst.group_by("rank").aggregate(cases=worst.count()).order_by("rank").to_pandas()
    k = int(needed["rank"].iloc[_cut(needed.cases, coverage) - 1])
    return worst.filter(worst["rank"] <= k).select("case_id"), k


def case_word(result: Result) -> str:
    """What a case is called in the headline figures: persons, journeys or cases."""
    case = result.params.get("case", "journey")
    return {"person": "persons", "journey": "journeys"}.get(str(case), "cases")


@dataclass(kw_only=True, repr=False)
class ProcessResult(Result):
    """Directly-follows edges (``table``: source, target, frequency, share, mean_time_s,
    median_time_s)."""

    analysis: ClassVar[str] = "process"
    cases: int = figure(case_word)
    distinct_variants: int = figure("variants")
    cases_shown: int = figure(lambda r: f"{case_word(r)} shown")
    variants_shown: int = figure("variants shown")
    activities: int = figure("activities")
    edge_count: int = figure("edges")
    transitions: int = figure("transitions", default=0)
    nodes: pd.DataFrame = table()  # <level>, events, cases, starts, ends
    variants: pd.DataFrame = table()  # variant, length, cases, share, cumulative_share, ...
    durations: pd.DataFrame = table()  # source, target, bin, label, lower_s, transitions, share


def process(
    ctx: Context,
    level: Literal["touchpoint", "stage", "channel", "event"] = "touchpoint",
    case: str = "person",
    coverage: float = 1.0,
    filter_by: Literal["variants", "edges"] = "variants",
    collapse: bool = False,
    unmapped: bool = False,
    top: int = 20,
) -> ProcessResult:
    """What follows what: the transitions between touchpoints, their times and the journey variants.

    level: touchpoint, stage, channel or event: what an activity is.
    case: person (default), journey, or a column or event property: what a case is.
    coverage: keep the cases of the most frequent variants (or edges) covering this share.
    filter_by: variants or edges: what coverage keeps.
    collapse: merge consecutive repeats of an activity (no self-loops).
    unmapped: keep events that match no touchpoint (as 'unmapped').
    top: number of variants listed.
    """
    check_level("process", level)
    check_share("process", "coverage", coverage)
    if filter_by not in ("variants", "edges"):
        raise InputError(f"process: filter_by '{filter_by}' is not known; allowed: variants, edges")
    if top < 1:
        raise InputError(f"process: top must be at least 1, got {top}")
    if not isinstance(case, str) or not case.strip():
        raise InputError("process: case must be person, journey, a column or an event property")
    scratch = Scratch("process")
    try:
        return _process(
            ctx, level, case.strip(), coverage, filter_by, collapse, unmapped, top, scratch
        )
    finally:
        scratch.release()


def _process(
    ctx: Context,
    level: str,
    case: str,
    coverage: float,
    filter_by: str,
    collapse: bool,
    unmapped: bool,
    top: int,
    scratch: Scratch,
) -> ProcessResult:
    # A case of a person or a journey holds one person's events: the log is cut into parts
    # of persons that each fit in memory (ctx.journey_parts). Any other case can span persons.
    whole = case not in CASES
    logs = (
        activity_log(part, level, case=case, unmapped=unmapped, collapse=collapse)
        for part in ([ctx.journeys] if whole else ctx.journey_parts())
    )
    # The log has a pass in time order of its own with collapse or a case's sort: once per part.
    kept_parts = scratch.keep_parts(logs, hold=collapse or whole, cases=variants, steps=transitions)
    per_case, steps = kept_parts["cases"], kept_parts["steps"]
    counted = _variant_counts(per_case, scratch)
    total = counted.total
    if not total and whole:
        raise InputError(
            f"process: no event has a value for case '{case}'; allowed: person, journey, a "
            f"column of the journey table ({', '.join(c for c in ctx.journeys.columns if c not in OWN_COLUMNS)}) "
            "or an event property"
        )
    all_variants = counted.distinct
    kept_label = ""
    if coverage < 1 and total:
        if filter_by == "variants":
            chosen, counted = _keep_variants(per_case, counted, coverage)
            kept_label = f"{counted.distinct} most frequent variants"
        else:
            chosen, k = _keep_edges(steps, coverage)
            counted = _variant_counts(per_case.semi_join(chosen, "case_id"), scratch)
            kept_label = f"{k} most frequent edges"
        steps = steps.semi_join(chosen, "case_id")
    kept = counted.total

    aggregated = directly_follows(steps, bins=True).to_pandas()
    durations = distribution(aggregated, ["source", "target"], "transitions")
    edges = without_bins(aggregated)
    outgoing = edges.groupby("source").frequency.transform("sum")
    edges["share"] = edges.frequency / outgoing
    edges = edges.sort_values(["frequency", "source", "target"], ascending=[False, True, True])
    edges = edges[["source", "target", "frequency", "share", "mean_time_s", "median_time_s"]]

    node_table = nodes(steps, edges).rename(columns={"activity": level})
    node_table = node_table.sort_values(["events", level], ascending=[False, True])

    # the first rows of the ranking: their running share is the whole table's
    variant_table = counted.first(top)
    variant_table["share"] = variant_table.cases / max(kept, 1)
    variant_table["cumulative_share"] = variant_table.share.cumsum()
    variant_table["conversion_rate"] = variant_table.converted / variant_table.cases
    n_variants = counted.distinct
    variant_table = variant_table[
        ["variant", "length", "cases", "share", "cumulative_share", "conversion_rate"]
    ]

    what = {
        "person": "case = person (all of a person's events, whatever the map's journey cuts)",
        "journey": "case = journey (a person's events cut at conversions and idle timeouts)",
    }.get(case, f"case = the value of '{case}'")
    notes = [
        f"{what}; activity = {level}; timestamp = ts. frequency = transitions source -> "
        "target (a case passing twice counts twice), as pm4py's discover_dfg on that log.",
        "share = part of the source's outgoing transitions; times are between the two events; "
        "the durations table gives each edge's transitions per time bin.",
        "events with the same timestamp in a case keep their order of arrival.",
        "variant = a case's whole sequence of activities, start to end; two cases through the "
        "same activities in the same order have the same variant.",
        "coverage = share of the cases the graph draws: those of the most frequent variants (or "
        "edges, filter_by) holding at least that share; 100% draws every case.",
    ]
    if kept_label:
        notes.append(
            f"coverage {100 * coverage:g}%: the graph of the cases taking only the {kept_label}."
        )
    return ProcessResult(
        title=f"Process map per {level}",
        table=edges.reset_index(drop=True),
        params={
            "level": level,
            "case": case,
            "coverage": coverage,
            "filter_by": filter_by,
            "collapse": collapse,
            "unmapped": unmapped,
            "top": top,
        },
        cases=total,
        distinct_variants=all_variants,
        cases_shown=kept,
        variants_shown=n_variants,
        activities=len(node_table),
        edge_count=len(edges),
        transitions=int(edges.frequency.sum()),
        nodes=node_table.reset_index(drop=True),
        variants=variant_table.reset_index(drop=True),
        durations=durations,
        notes=notes,
    )


ANALYSIS = Analysis(
    "process",
    process,
    example="parcours process --level stage --coverage 0.8",
    overview=lambda _: {"level": "touchpoint"},
)
