"""Funnel: how many persons reach each step, in order, within a conversion window.

Semantics follow PostHog's funnels (``posthog/hogql_queries/insights/funnels/``):

* An **attempt** starts at any event of step 1. The conversion window is counted from it:
  a step counts when its event is at most ``window`` after the attempt's first step (an
  event exactly at the window's end counts; one second later does not).
* ``ordered``: the steps happen in order, other events may come in between. ``strict``: no
  other event of the person comes between two consecutive steps. ``unordered``: all the steps
  happen, in any order, within the window counted from the attempt's first event.
* A person counts **once**, at the furthest step reached by any attempt; ``persons`` at step k
  are the persons who reached step k or further. One event never fills two steps of an
  attempt.
* Ties: times are compared to the second. Events in the same second count as in the order of
  the funnel's steps, whatever their ids (an add-to-cart and a checkout logged in the same
  second are both reached); in a strict funnel, an unrelated event in the same second as a
  step counts as after it.
* The funnel reads the person's whole event stream: journey boundaries (``journey_id``, cut
  at each conversion or after the map's idle timeout) do not limit it, the window does, as in
  PostHog. ``within_journey=True`` keeps each attempt inside one journey.
* **Exclusions** ``EVENT:FROM:TO`` (FROM, TO: 1-based step numbers; ``EVENT`` alone means
  from step 1 to the last step; EVENT is a step spec, see :mod:`parcours.analyses._steps`):
  an attempt in which an excluded event comes after its step FROM and before its step TO does
  not count at all (not even at its earlier steps). An attempt that stops between FROM and TO
  does not count when an excluded event follows its last step within its window. At each step
  the attempt kept is the latest-starting one, as PostHog's funnel UDF does. That is
  ``exclusion_mode=drop`` (the default, PostHog's); ``exclusion_mode=cut`` is Mixpanel's: the
  attempt is cut at the excluded event and counts at the last step it reached before it.
* **Optional steps** (PostHog's "optional step"): a step written ``step?`` may be skipped.
  An attempt reaches the step after it from the optional step or, skipping it, from the
  step before it (several optional steps in a row may all be skipped, back to the last
  required step). An optional step counts the persons who did it in some attempt (an event
  of it after the steps before it, within the window); a required step counts the persons
  who got to it, with or without the optional steps. ``from_previous`` and ``drop_off`` are
  counted from the last required step before (PostHog's rule); on an optional step
  ``drop_off`` is the persons who skipped it (neither still in window nor lost). Time to
  convert of a step is measured from the latest step before it that the kept attempt did.
  The first step cannot be optional (an attempt starts there), nor the last (reaching it is
  the conversion); unordered funnels take none.
* **A window per step** ``step_windows=["N=DURATION", ...]`` (GA4's "within" between two
  steps): step N counts only when its event is at most DURATION after the event at which
  the attempt reached the step before it (an event exactly at the end counts). The overall
  window still holds: every step within ``window`` of the attempt's first step. Of the
  events of the step before, the attempt goes on from the latest-starting one within
  DURATION. Ordered and strict funnels only.
* **Unit**: ``persons`` (the default: a person counts once, as above); ``journeys`` (each
  journey counts once, at the furthest step reached by an attempt inside it: attempts do
  not cross journeys); ``attempts`` (every conversion counts): a person's stream is cut
  after each event of the last step, converting or not (a purchase outside the window
  ends an attempt too); the next attempt starts at the next event of step 1, and each
  counts once, at the furthest step reached in it. So a person who bought three times
  counts three conversions; tries that expired without an event of the last step between
  them are one attempt (Mixpanel's totals would start a new one when the window expires).
  The columns and figures named after persons then count journeys or attempts;
  correlation stays per person.
* **Time to convert** of step k: for each person, in the attempt kept for them (the
  latest-starting one among those reaching their furthest step), the time between the first
  moments it reached step k-1 and step k; averaged and taken the median over the persons,
  and counted per human time bin (table ``time_to_convert``: ``< 1 min`` ... ``≥ 30 d``,
  :mod:`parcours.analyses._durations`, the bins of the process map's transition times).
* **Still in window**: a person who has not converted and whose kept attempt's window ends
  after the end of the data (``as_of``, default the latest event of the journey table) may
  still convert. Per step, ``still_in_window`` counts the persons who stopped at the step
  before with their window still open, ``lost`` the others who stopped there
  (``drop_off = still_in_window + lost``), ``persons_closed`` the persons at the step whose
  window has closed; ``conversion_closed`` is the conversion over closed windows only
  (what :mod:`parcours.analyses.compare` compares). A window ending exactly at ``as_of`` is
  closed.
* **Breakdown**: ``channel``, ``touchpoint``, ``stage``, ``event``, ``property:KEY`` (event
  level) or ``persona``, ``customer:KEY`` (person level: a CRM attribute of the person's latest
  CRM row). An event-level value is read on the kept attempt: ``first_touch`` at its step 1
  event, ``last_touch`` at the event of the furthest step it reached, ``step:N`` at its step N
  event. With ``step:N`` a person who stopped before step N has no value: such persons are
  left out of the breakdown table (they still count in the figures) unless ``keep_none``
  keeps them as ``(none)``. Unordered funnels attribute on the first touch.
* **Correlation** (table ``correlation``, with ``correlation=[event, touchpoint, persona,
  property:KEY]``): what goes with converting or dropping out, as PostHog's correlation
  analysis; see :mod:`parcours.analyses._correlation`.
* **Conversion over time** (table ``over_time``): persons by the period (day, week or month)
  their kept attempt started in, and the share of them who completed the funnel.

Computation: one sort of each person's step events, then one window pass per step (the
latest attempt start that reached the previous step at an earlier event), then one aggregate
per person, which also reads the kept attempt's times (no second pass over the events). It
runs in the engine (DuckDB, PySpark); Python only reshapes the per-step aggregates. On the
1M-event demo it costs about 1.5 times a hand-written ordered funnel in CPU time
(``benchmarks/analyses.py``), most of the difference being Ibis compiling the query.

>>> import pandas as pd, parcours
>>> ws = parcours.open(":memory:")
>>> _ = ws.ingest_events(pd.DataFrame({
...     "customer_id": ["ana", "ana", "bob"],
...     "ts": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 10:20", "2026-03-01 11:00"], utc=True),
...     "channel": "web", "event": ["add_to_cart", "purchase", "add_to_cart"]}))
>>> jm = parcours.JourneyMap.loads(
...     "{map: m, title: M, stages: [{id: decision, title: Decision}], channels: [web], "
...     "touchpoints: [{id: panier, stage: decision, channel: web, match: {event: add_to_cart}}], "
...     "conversion: {event: purchase}}")
>>> table = ws.funnel(steps=["panier", "purchase"], window="1h", map=jm).to_pandas()
>>> table[["step", "name", "persons", "conversion", "median_time_s"]].values.tolist()
[[1, 'panier', 2, 1.0, nan], [2, 'purchase', 1, 0.5, 1200.0]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses._correlation import check_features, funnel_correlation
from parcours.analyses._durations import bin_counts, distribution
from parcours.analyses._steps import Step, resolve_steps, split_specs
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.config import NONE_LABEL
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.duration import format_duration, parse_duration
from parcours.store.engine import Scratch, epoch_whole_seconds, json_text
from parcours.store.identity import latest_customer_rows

ORDERS = ("ordered", "strict", "unordered")
EXCLUSION_MODES = ("drop", "cut")  # PostHog's, Mixpanel's
INTERVALS = {"day": "D", "week": "W", "month": "M"}
EVENT_BREAKDOWNS = ("channel", "touchpoint", "stage", "event", "persona")
UNITS = ("persons", "journeys", "attempts")
UNIT_NOTES = {  # what counts once, the end of the funnel's first note
    "persons": "a person counts once, at the furthest step reached by any attempt.",
    "journeys": "a journey counts once, at the furthest step reached by an attempt inside "
    "it; the columns named persons count journeys.",
    "attempts": "every conversion counts: an attempt ends at each event of the last step "
    "(converting or not), the next starts at the next event of step 1, and each counts "
    "once, at the furthest step reached in it; the columns named persons count attempts.",
}
_EXCLUSION = re.compile(r"^(?P<spec>.+?)(?::(?P<start>\d+):(?P<end>\d+))?$")
_STEP_WINDOW = re.compile(r"^\s*(?P<step>\d+)\s*=\s*(?P<window>\S+)\s*$")
_NULL = ibis.null("int64")
_SHIFT = 2**34  # packs a level and a start in seconds into one integer


@dataclass(frozen=True)
class Exclusion:
    step: Step
    start: int  # 1-based step after which the excluded event is checked
    end: int  # 1-based step before which it is checked


# -- checks: each says what is allowed ------------------------------------------------------


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise InputError(f"funnel: order {order!r} is not known; allowed: {', '.join(ORDERS)}")


def _check_steps(steps: list[str]) -> None:
    if not steps or len(steps) < 2:
        raise InputError(
            "funnel: steps needs at least two steps (touchpoint ids, stage ids or event names)"
        )


def _check_interval(interval: str) -> None:
    if interval not in INTERVALS:
        raise InputError(
            f"funnel: interval {interval!r} is not known; allowed: {', '.join(INTERVALS)}"
        )


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise InputError(f"funnel: unit {unit!r} is not known; allowed: {', '.join(UNITS)}")


def _parse_optional(steps: list[str], order: str) -> tuple[list[str], frozenset[int]]:
    """The step specs without their ``?`` mark, and the 1-based numbers of the optional ones."""
    texts, optional = [], set()
    for k, text in enumerate(steps, 1):
        spec = text.strip() if isinstance(text, str) else text
        if isinstance(spec, str) and spec.endswith("?"):
            spec = spec[:-1].strip()
            optional.add(k)
        texts.append(spec)
    if 1 in optional:
        raise InputError(
            f"funnel: step 1 {steps[0]!r} cannot be optional: an attempt starts at step 1; "
            "mark a later step with ? (e.g. panier debut_commande? paiement)"
        )
    if len(steps) in optional:
        raise InputError(
            f"funnel: the last step {steps[-1]!r} cannot be optional: reaching it is the "
            "conversion; mark a step between the first and the last with ?"
        )
    if optional and order == "unordered":
        raise InputError(
            "funnel: optional steps (step?) are allowed in ordered and strict funnels only; "
            "drop the ? or use --order ordered"
        )
    return texts, frozenset(optional)


def _parse_step_windows(texts: list[str] | None, n_steps: int, order: str) -> dict[int, int]:
    """``{k: seconds}``: step k counts at most that long after the step before it."""
    if not texts:
        return {}
    if order == "unordered":
        raise InputError(
            "funnel: step_windows are allowed in ordered and strict funnels only; "
            "drop --step-windows or use --order ordered"
        )
    gaps: dict[int, int] = {}
    for text in texts:
        match = _STEP_WINDOW.match(text)
        step = int(match["step"]) if match else 0
        if not match or not 2 <= step <= n_steps or step in gaps:
            raise InputError(
                f"funnel: step window {text!r} cannot be read; write N=DURATION, N a step "
                f"number from 2 to {n_steps} given once (the time allowed since the step "
                "before it), e.g. 2=1h,4=30m"
            )
        gaps[step] = int(parse_duration(match["window"]).total_seconds())
    return gaps


def _parse_attribution(text: str, n_steps: int) -> int | str:
    """``first_touch`` / ``last_touch`` or the 1-based step number of ``step:N``."""
    value = (text or "").strip().lower()
    if value in ("first", "first_touch"):
        return "first_touch"
    if value in ("last", "last_touch"):
        return "last_touch"
    match = re.fullmatch(r"step[:_]?(\d+)", value)
    if match and 1 <= int(match[1]) <= n_steps:
        return int(match[1])
    raise InputError(
        f"funnel: breakdown_attribution {text!r} is not known; allowed: first_touch, "
        f"last_touch, step:N with N from 1 to {n_steps}"
    )


def _parse_exclusions(
    texts: list[str] | None, ctx: Context, n_steps: int, order: str
) -> list[Exclusion]:
    if not texts:
        return []
    if order == "unordered":
        raise InputError(
            "funnel: exclusions are allowed in ordered and strict funnels only; "
            "drop --exclusions or use --order ordered"
        )
    found = []
    for text in split_specs(list(texts)):
        match = _EXCLUSION.match(text)
        spec = match["spec"] if match else text
        start = int(match["start"]) if match and match["start"] else 1
        end = int(match["end"]) if match and match["end"] else n_steps
        if not 1 <= start < end <= n_steps:
            raise InputError(
                f"funnel: exclusion {text!r}: steps {start}:{end} are not valid; write "
                f"EVENT:FROM:TO with 1 <= FROM < TO <= {n_steps}, or EVENT alone for the "
                "whole funnel"
            )
        (step,) = resolve_steps([spec], ctx.map, ctx.journeys, what="exclusion")
        found.append(Exclusion(step, start, end))
    return found


def _breakdown_column(ctx: Context, table: ir.Table, breakdown: str) -> tuple[ir.Table, bool]:
    """``table`` with ``_bd`` (text), and whether the value is read on events."""
    kind, _, key = breakdown.partition(":")
    kind = kind.strip().lower()
    if kind in EVENT_BREAKDOWNS and not key:
        return table.mutate(_bd=table[kind].cast("string")), kind != "persona"
    if kind in ("property", "prop") and key:
        return table.mutate(_bd=json_text(table.properties, key.strip())), True
    if kind == "customer" and key:
        if ctx.customers is None or ctx.identities is None:
            raise InputError("funnel: breakdown customer:KEY needs the workspace's customers")
        one = latest_customer_rows(ctx.customers, ctx.identities)
        attr = one.select(_pid=one.person_id, _bd=json_text(one.attributes, key.strip()))
        joined = table.left_join(attr, table.person_id == attr._pid).drop("_pid")
        return joined, False
    raise InputError(
        f"funnel: breakdown {breakdown!r} is not known; allowed: channel, touchpoint, stage, "
        "event, persona, property:KEY (an event property), customer:KEY (a CRM attribute)"
    )


# -- the engine work ------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How an attempt runs: the steps' number, the windows (in seconds), the order, the
    exclusions, the optional steps, the partition it never crosses and what counts once."""

    n: int
    seconds: int
    order: str
    exclusions: tuple[Exclusion, ...] = ()
    optional: frozenset[int] = frozenset()
    gaps: tuple[tuple[int, int], ...] = ()  # (step k, seconds allowed since the step before)
    base: str = "person_id"  # the stream an attempt reads: person_id or journey_id
    parts: tuple[str, ...] = ("person_id",)  # an attempt never crosses these
    keys: tuple[str, ...] = ("person_id",)  # counted once: a person, a journey, an attempt

    def before(self, k: int) -> list[int]:
        """The steps an attempt may reach step k from: k-1, and further back over optional
        steps, down to the last required one (step 1 is always required)."""
        found = [k - 1]
        while found[-1] in self.optional:
            found.append(found[-1] - 1)
        return found

    def gap(self, k: int) -> int | None:
        return dict(self.gaps).get(k)


def _greatest(values: list[ir.Value]) -> ir.Value:
    """The largest non-NULL value (one value is itself: the default funnel's plain query)."""
    return values[0] if len(values) == 1 else ibis.greatest(*values)


def _prepare(t: ir.Table, steps: list[Step], plan: Plan) -> ir.Table:
    """The columns the funnel reads (step and exclusion flags, time in seconds ``_t``, the
    breakdown value) and each event's rank ``_rn`` in its person's (or journey's) stream:
    the one sort of the events by time. Attempts as the unit add ``_seg``: the number of
    last-step events before the event (an attempt ends at an event of the last step)."""
    n = len(steps)
    flags = {f"_s{k}": step.predicate(t) for k, step in enumerate(steps, 1)}
    xflags = {f"_x{i}": ex.step.predicate(t) for i, ex in enumerate(plan.exclusions)}
    rank = ibis.cases(*[(flags[f"_s{k}"], k) for k in range(1, n + 1)], else_=n + 1)
    kept = dict.fromkeys(["person_id", plan.base, *(c for c in ["_bd"] if c in t.columns)])
    t = t.select(
        *kept,
        "ts",
        "event_id",
        **flags,
        **xflags,
        _t=epoch_whole_seconds(t.ts),
        _rank=rank,
    )
    if plan.order != "strict":  # only step and exclusion events matter
        t = t.filter(ibis.or_(*[t[name] for name in [*flags, *xflags]]))
    order_by = [t._t, t._rank, t.ts, t.event_id]
    by = ibis.window(group_by=t[plan.base], order_by=order_by)
    extra: dict[str, ir.Value] = {}
    if "_seg" in plan.parts:
        earlier = ibis.window(group_by=t[plan.base], order_by=order_by, rows=(None, -1))
        extra["_seg"] = t[f"_s{n}"].cast("int64").sum().over(earlier).fill_null(0)
    return t.select(
        *kept,
        *flags,
        *xflags,
        "_t",
        _rn=ibis.row_number().over(by),
        _e1=ibis.ifelse(t._s1, t._t, _NULL),
        **extra,
    )


def _chains(t: ir.Table, plan: Plan) -> ir.Table:
    """``_e{k}``: on an event that completes step k, the start (seconds) of the latest
    attempt that reaches step k there; NULL elsewhere (``_e1`` comes from :func:`_prepare`).

    The latest start is enough to carry forward: an event's time is fixed, and of two
    attempts reaching a step at one event the later-starting one has more window left."""
    for k in range(2, plan.n + 1):
        group = [t[c] for c in plan.parts]
        covering = [i for i, ex in enumerate(plan.exclusions) if ex.start < k <= ex.end]
        if covering and plan.order == "ordered":
            # An attempt may not cross an excluded event between these steps: the running
            # maximum restarts after each one.
            hits = sum(t[f"_x{i}"].cast("int64") for i in covering)
            cumulative = ibis.cumulative_window(group_by=group, order_by=t._rn)
            t = t.mutate(**{f"_g{k}": hits.sum().over(cumulative)})
            group = [*(t[c] for c in plan.parts), t[f"_g{k}"]]
        before = plan.before(k)
        gap = plan.gap(k)
        if plan.order == "ordered" and gap is not None:
            # only the events of the step before within ``gap``: the earlier seconds by a
            # range frame, the same second by the events' order
            recent = ibis.window(group_by=group, order_by=t._t, range=(-gap, -1))
            same_second = ibis.window(group_by=[*group, t._t], order_by=t._rn, rows=(None, -1))
            p = _greatest(
                [t[f"_e{j}"].max().over(w) for j in before for w in (recent, same_second)]
            )
        elif plan.order == "ordered":
            # the latest start reaching step k-1 (or an optional step skipped back to the
            # last required one) at an earlier event
            earlier = ibis.window(group_by=group, order_by=t._rn, rows=(None, -1))
            p = _greatest([t[f"_e{j}"].max().over(earlier) for j in before])
        else:  # strict: only the event just before
            just_before = ibis.window(group_by=group, order_by=t._rn)
            p = _greatest([t[f"_e{j}"] for j in before]).lag().over(just_before)
            if gap is not None:
                p = ibis.ifelse(t._t - t._t.lag().over(just_before) <= gap, p, _NULL)
        # (the engines compute a window repeated in one expression once)
        reached = t[f"_s{k}"] & (t._t - p <= plan.seconds)
        # the step flag is read here for the last time
        rest = [c for c in t.columns if c != f"_s{k}"]
        t = t.select(*rest, **{f"_e{k}": ibis.ifelse(reached, p, _NULL)})
    return t


def _levels_ordered(t: ir.Table, plan: Plan, drop: bool = True) -> ir.Table:
    """Per event: ``_lvl``, the furthest step an attempt counts at there, ``_st`` its start,
    and ``_o{k}`` whether an attempt counts at optional step k there.

    The chains stop an attempt at an excluded event (it cannot reach a later step across
    it); with ``drop`` (PostHog) an attempt stopped so does not count at all, else (cut,
    Mixpanel) it counts at the last step it reached before the excluded event."""
    t = _chains(t, plan)
    exclusions = list(plan.exclusions) if drop else []
    if exclusions:
        after = ibis.window(group_by=[t[c] for c in plan.parts], order_by=t._t, range=(1, None))
        t = t.mutate(
            **{
                f"_nx{i}": ibis.ifelse(t[f"_x{i}"], t._t, _NULL).min().over(after)
                for i in range(len(exclusions))
            }
        )
    ok = {}
    for k in range(1, plan.n + 1):
        test = t[f"_e{k}"].notnull()
        for i, ex in enumerate(exclusions):
            if ex.start <= k < ex.end:  # stopped inside the exclusion's range
                nx = t[f"_nx{i}"]
                test &= nx.isnull() | (nx > t[f"_e{k}"] + plan.seconds)
        ok[k] = test
    levels = list(range(plan.n, 0, -1))
    return t.mutate(
        _lvl=ibis.cases(*[(ok[k], k) for k in levels], else_=0),
        _st=ibis.cases(*[(ok[k], t[f"_e{k}"]) for k in levels], else_=_NULL),
        **{f"_o{k}": ok[k].cast("int64") for k in sorted(plan.optional)},
    )


def _levels_unordered(t: ir.Table, steps: list[Step], plan: Plan) -> ir.Table:
    """Per step event: how many steps are done within the window starting there."""
    groups: dict[Step, list[int]] = {}
    for k, step in enumerate(steps, 1):
        groups.setdefault(step, []).append(k)
    within = ibis.window(
        group_by=[t[c] for c in plan.parts], order_by=t._t, range=(0, plan.seconds)
    )
    done = sum(
        ibis.least(t[f"_s{ks[0]}"].cast("int64").sum().over(within), len(ks))
        for ks in groups.values()
    )
    is_step = ibis.or_(*[t[f"_s{k}"] for k in range(1, len(steps) + 1)])
    return t.mutate(
        _lvl=ibis.ifelse(is_step, done, 0).cast("int64"),
        _st=ibis.ifelse(is_step, t._t, _NULL),
    )


def _persons(
    t: ir.Table,
    steps: list[Step],
    plan: Plan,
    event_breakdown: bool,
    attribution: int | str,
    drop: bool = True,
) -> ir.Table:
    """One row per unit reaching step 1 (a person, a journey or an attempt, named by
    ``plan.keys``): ``K`` (furthest step), ``start`` (seconds), ``d2..dN`` (seconds from
    the step before), ``o{k}`` (1 when optional step k was done) and ``_bd`` (the breakdown
    value)."""
    n = len(steps)
    keys = list(plan.keys)
    has_bd = "_bd" in t.columns
    fields: dict[str, ir.Value]
    if plan.order == "unordered":
        lv = _levels_unordered(t, steps, plan)
        lv = lv.filter(lv._lvl > 0)
        lv = lv.mutate(_K=lv._lvl.max().over(group_by=[lv[c] for c in keys]))
        best = lv.filter(lv._lvl == lv._K)
        fields = {"K": best._K.max(), "start": best._st.max()}
        if has_bd:
            # the value on the latest event that starts a furthest-reaching attempt
            fields["_bd"] = best._bd.argmax(best._st * 1_000_000_000 + best._rn)
        persons = best.group_by(keys).aggregate(**fields)
        return persons.mutate(**{f"d{k}": ibis.null("float64") for k in range(2, n + 1)})

    # The attempt kept for a unit starts at ``_fixed``: the latest start among those
    # reaching their furthest step K, read as the largest K * 2**34 + start (a start in
    # seconds fits in 34 bits, sign included, from 1698 to 2242).
    lv = _levels_ordered(t, plan, drop)
    key = lv._lvl * _SHIFT + lv._st
    optional = sorted(plan.optional)
    kept = lv.group_by(keys).aggregate(
        _K=lv._lvl.max(),
        _key=key.max(where=lv._lvl > 0),
        # an optional step counts when any attempt of the unit did it
        **{f"_O{k}": lv[f"_o{k}"].max() for k in optional},
    )
    kept = kept.filter(kept._K > 0)
    kept = kept.select(
        *keys, "_K", *(f"_O{k}" for k in optional), _fixed=kept._key - kept._K * _SHIFT
    )
    if plan.exclusions and plan.order == "ordered":
        # A later attempt may be the latest one at an event where the kept attempt reaches
        # a step, then be stopped by an excluded event: follow the kept attempt alone, in
        # a second pass over the events of its window.
        again = t.inner_join(kept, keys)
        again = again.filter((again._t >= again._fixed) & (again._t <= again._fixed + plan.seconds))
        first = again._s1 & (again._t == again._fixed)
        lv = _chains(again.mutate(_e1=ibis.ifelse(first, again._t, _NULL)), plan)
        reached = {k: lv[f"_e{k}"].notnull() for k in range(1, n + 1)}
    else:
        # The events the kept attempt reaches step k at are those whose latest attempt
        # there starts at ``_fixed`` (a later start reaching step k at one of them would
        # reach step K too): the same pass gives its first moment at each step.
        lv = lv.inner_join(kept, keys)
        reached = {k: lv[f"_e{k}"] == lv._fixed for k in range(1, n + 1)}
    fields = {"K": lv._K.max(), "start": lv._fixed.max()}
    fields |= {f"_O{k}": lv[f"_O{k}"].max() for k in optional}
    for k in range(1, n + 1):
        fields[f"_t{k}"] = lv._t.min(where=reached[k])
        if has_bd and event_breakdown:
            fields[f"_b{k}"] = lv._bd.argmin(lv._rn, where=reached[k])
    if has_bd and not event_breakdown:
        fields["_bd"] = lv._bd.max()
    per = lv.group_by(keys).aggregate(**fields)
    out: dict[str, ir.Value] = {c: per[c] for c in keys}
    out |= {"K": per.K, "start": per.start}
    out |= {f"o{k}": per[f"_O{k}"] for k in optional}
    for k in range(2, n + 1):
        before = plan.before(k)
        if len(before) == 1:
            previous = per[f"_t{k - 1}"]
        else:  # the latest step the kept attempt did before this one
            ends = [
                ibis.ifelse(per[f"_t{j}"] <= per[f"_t{k}"], per[f"_t{j}"], _NULL) for j in before
            ]
            previous = _greatest(ends)
        elapsed = ibis.ifelse(k <= per.K, per[f"_t{k}"] - previous, _NULL)
        out[f"d{k}"] = elapsed.cast("float64")
    if has_bd and event_breakdown:
        if attribution == "first_touch":
            out["_bd"] = per._b1
        elif attribution == "last_touch":
            out["_bd"] = ibis.cases(*[(k == per.K, per[f"_b{k}"]) for k in range(1, n + 1)])
        else:
            at = per[f"_b{attribution}"]
            out["_bd"] = ibis.ifelse(attribution <= per.K, at, ibis.null("string"))
    elif has_bd:
        out["_bd"] = per._bd
    return per.select(**out)


# -- shaping the small aggregates -----------------------------------------------------------


def _step_table(
    agg: pd.DataFrame, steps: list[Step], by_breakdown: bool, plan: Plan
) -> pd.DataFrame:
    """The step table from the per-step counts. The step before a step is the last required
    one before it (PostHog's reference for optional steps); on an optional step, drop_off
    counts the persons who skipped it, who are neither still in window nor lost."""
    n = len(steps)
    rows = []
    for _, group in agg.iterrows():
        first = group["p1"]
        for k in range(1, n + 1):
            persons = int(group[f"p{k}"])
            previous = int(group[f"p{plan.before(k)[-1]}"]) if k > 1 else persons
            row = {"breakdown": group["_bd"]} if by_breakdown else {}
            waiting = int(group.get(f"w{k}", 0) or 0)
            skipped = k in plan.optional
            row |= {
                "step": k,
                "name": steps[k - 1].text,
                "persons": persons,
                "conversion": persons / first if first else float("nan"),
                "from_previous": persons / previous if previous else float("nan"),
                "drop_off": previous - persons,
                "drop_off_rate": 1 - persons / previous if previous else float("nan"),
                "still_in_window": waiting,
                "lost": 0 if skipped else previous - persons - waiting,
                "persons_closed": int(group.get(f"c{k}", persons) or 0),
                "avg_time_s": group.get(f"avg{k}", float("nan")),
                "median_time_s": group.get(f"med{k}", float("nan")),
                "optional": skipped,
            }
            rows.append(row)
    table = pd.DataFrame(rows)
    for column in ("avg_time_s", "median_time_s"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    return table


@dataclass(kw_only=True, repr=False)
class FunnelResult(Result):
    """Persons per step (``table``: step, name, persons, conversion, from_previous, drop_off,
    drop_off_rate, still_in_window, lost, persons_closed, avg_time_s, median_time_s; a
    breakdown column first when asked; ``optional`` last when a step is optional). With ``unit`` journeys or attempts, the columns
    and figures named after persons count journeys or attempts."""

    analysis: ClassVar[str] = "funnel"
    entered: int = figure("persons entered")
    converted: int = figure("persons converted")
    conversion: float = figure("conversion")
    still_in_window: int = figure("persons still in window", default=0)
    conversion_closed: float | None = figure("conversion, windows closed", default=None)
    biggest_drop_off: str | None = figure("biggest drop-off", default=None)
    over_time: pd.DataFrame = table()  # period, entered, converted, conversion
    time_to_convert: pd.DataFrame = table()  # step, name, bin, label, lower_s, persons, share
    correlation: pd.DataFrame = table()  # feature, value, persons, converted, odds_ratio, ...


def funnel(
    ctx: Context,
    steps: list[str],
    window: str = "14d",
    order: Literal["ordered", "strict", "unordered"] = "ordered",
    exclusions: list[str] | None = None,
    exclusion_mode: Literal["drop", "cut"] = "drop",
    breakdown: str | None = None,
    breakdown_attribution: str = "first_touch",
    interval: Literal["day", "week", "month"] = "week",
    within_journey: bool = False,
    as_of: str | None = None,
    keep_none: bool = False,
    correlation: list[str] | None = None,
    step_windows: list[str] | None = None,
    unit: Literal["persons", "journeys", "attempts"] = "persons",
) -> FunnelResult:
    """Persons reaching each step in order within a conversion window.

    Reads each person's whole event stream: journey boundaries do not limit an attempt, the
    window does (within_journey=True keeps attempts inside one journey). See the module doc
    for the exact rules.

    steps: touchpoint ids, stage ids or event names, with optional filters: purchase[fulfilment=click_collect], panier[channel=web]; a step ending with ? is optional (debut_commande?): it may be skipped, except the first and the last
    window: conversion window counted from the first step, e.g. 14d, 1h (an event exactly at its end counts)
    order: ordered (other events allowed between steps), strict (none) or unordered
    exclusions: EVENT:FROM:TO (1-based steps) or EVENT for the whole funnel: an event that stops an attempt between those steps
    exclusion_mode: drop (the attempt does not count at all) or cut (it counts up to the last step before the excluded event)
    breakdown: channel, touchpoint, stage, event, persona, property:KEY or customer:KEY
    breakdown_attribution: where an event-level breakdown value is read: first_touch, last_touch or step:N
    interval: period of the conversion-over-time table: day, week or month
    within_journey: keep each attempt inside one journey (default: the person's whole stream)
    as_of: end of the data, e.g. 2026-03-31 or 2026-03-31T18:00 (UTC; default: the latest event): a person not converted whose window ends after it is still in window, not lost
    keep_none: with breakdown_attribution step:N, keep the (none) group of the persons who stopped before step N
    correlation: what goes with converting or dropping out: event, touchpoint, persona, property:KEY (odds ratios, Fisher's test)
    step_windows: N=DURATION: step N counts only within DURATION of the step before it, besides the overall window, e.g. 2=1h,4=30m
    unit: what is counted once: persons (furthest step of any attempt), journeys (each journey once), attempts (every conversion: an attempt ends at each event of the last step)
    """
    _check_steps(steps)
    _check_order(order)
    _check_interval(interval)
    _check_unit(unit)
    texts, optional = _parse_optional(list(steps), order)
    if exclusion_mode not in EXCLUSION_MODES:
        raise InputError(
            f"funnel: exclusion_mode {exclusion_mode!r} is not known; allowed: drop (the "
            "attempt does not count), cut (it counts up to the excluded event)"
        )
    seconds = int(parse_duration(window).total_seconds())
    n = len(steps)
    attribution = _parse_attribution(breakdown_attribution, n)
    resolved = resolve_steps(texts, ctx.map, ctx.journeys)
    excluded = _parse_exclusions(exclusions, ctx, n, order)
    gaps = _parse_step_windows(split_specs(list(step_windows or [])), n, order)
    part = "journey_id" if within_journey or unit == "journeys" else "person_id"
    parts = (part, "_seg") if unit == "attempts" else (part,)
    plan = Plan(
        n=n,
        seconds=seconds,
        order=order,
        exclusions=tuple(excluded),
        optional=optional,
        gaps=tuple(sorted(gaps.items())),
        base=part,
        parts=parts,
        keys=("person_id",) if unit == "persons" else parts,
    )
    as_of_s = _as_of_seconds(ctx, as_of)
    features = check_features(split_specs(list(correlation))) if correlation else []
    if features and unit != "persons":
        raise InputError(
            f"funnel: correlation compares persons; it is not available with unit {unit!r}: "
            "drop --correlation or use --unit persons"
        )

    table = ctx.journeys
    event_breakdown = False
    if breakdown:
        table, event_breakdown = _breakdown_column(ctx, table, breakdown)
        if order == "unordered" and event_breakdown and attribution != "first_touch":
            raise InputError(
                "funnel: an unordered funnel reads event-level breakdowns on the first touch "
                "only; use breakdown_attribution first_touch"
            )
    # The persons' table is computed once (two aggregates read it), dropped at the end.
    scratch = Scratch("funnel")
    try:
        prepared = _prepare(table, resolved, plan)
        persons_expr = _persons(
            prepared, resolved, plan, event_breakdown, attribution, exclusion_mode == "drop"
        )
        if breakdown:
            persons_expr = persons_expr.mutate(_bd=persons_expr._bd.fill_null(NONE_LABEL))
        # still in window: not converted, and the window of the kept attempt ends after as_of
        persons_expr = persons_expr.mutate(
            _open=(n > persons_expr.K) & (persons_expr.start + seconds > as_of_s)
        )
        persons = scratch.keep(persons_expr, "persons")
        group = ["_bd"] if breakdown else []
        fields: dict[str, ir.Value] = {}
        for k in range(1, n + 1):
            # at an optional step, the units that did it; else those that got to it or further
            at = persons[f"o{k}"] == 1 if k in optional else k <= persons.K
            fields[f"p{k}"] = at.cast("int64").sum()
            fields[f"c{k}"] = (at & ~persons._open).cast("int64").sum()
            if k > 1 and k not in optional:  # nobody waits at an optional step
                # waiting at a required step: stopped after the required step before it
                first = plan.before(k)[-1]
                stopped = first == persons.K if first == k - 1 else persons.K.between(first, k - 1)
                fields[f"w{k}"] = (stopped & persons._open).cast("int64").sum()
            if k > 1:
                fields[f"avg{k}"] = persons[f"d{k}"].mean()
                fields[f"med{k}"] = persons[f"d{k}"].median()
        agg = (
            persons.group_by(group).aggregate(**fields) if group else persons.aggregate(**fields)
        ).to_pandas()
        bins: dict[str, ir.Value] = {"_n": persons.count()}
        for k in range(2, n + 1):
            bins |= bin_counts(persons[f"d{k}"], prefix=f"_t{k}_bin")
        binned = persons.aggregate(**bins).to_pandas()
        correlated = (
            funnel_correlation(ctx.journeys, persons, resolved, seconds, features)
            if features
            else None
        )
        started = persons.start.as_timestamp("s").truncate(INTERVALS[interval])
        dated = persons.mutate(period=started)
        over = dated.group_by("period").aggregate(
            entered=dated.count(), converted=(n <= dated.K).cast("int64").sum()
        )
        over_time = over.order_by("period").to_pandas()
    finally:
        scratch.release()

    if breakdown:
        agg = agg.sort_values(["p1", "_bd"], ascending=[False, True]).reset_index(drop=True)
    counts = [
        f"{c}{k}"
        for k in range(1, n + 1)
        for c in "pcw"
        if c != "w" or (k > 1 and k not in optional)
    ]
    if not breakdown and (agg.empty or agg["p1"].isna().all()):
        agg = pd.DataFrame([dict.fromkeys(counts, 0)])
    agg = agg.fillna(dict.fromkeys(counts, 0))
    main = _step_table(agg, resolved, bool(breakdown), plan)
    if not optional:  # the column says which steps may be skipped: shown when some may
        main = main.drop(columns="optional")
    if breakdown and isinstance(attribution, int) and not keep_none:
        # step:N: the persons who stopped before step N have no value there
        main = main[main.breakdown != NONE_LABEL].reset_index(drop=True)
    over_time["conversion"] = over_time.converted / over_time.entered.where(over_time.entered > 0)

    total = _step_table(pd.DataFrame([{c: agg[c].sum() for c in counts}]), resolved, False, plan)
    entered, converted = int(total.persons.iloc[0]), int(total.persons.iloc[-1])
    waiting = int(total.still_in_window.sum())
    closed = int(total.persons_closed.iloc[0])
    time_to_convert = pd.concat(
        [
            distribution(binned, [], "persons", prefix=f"_t{k}_bin").assign(
                step=k, name=resolved[k - 1].text
            )
            for k in range(2, n + 1)
        ],
        ignore_index=True,
    )[["step", "name", "bin", "label", "lower_s", "persons", "share"]]
    biggest_drop_off = None
    if entered:
        required = total.iloc[1:][~total.optional.iloc[1:]]
        worst = required.sort_values("drop_off_rate", ascending=False).iloc[0]
        biggest_drop_off = f"step {worst.step} {worst['name']} ({worst.drop_off_rate:.1%})"
    notes = [
        f"{order} funnel, window {window} counted from the attempt's first step; "
        + UNIT_NOTES[unit],
        "the whole event stream of each person is read: journey boundaries do not cut an attempt"
        if not within_journey
        else "attempts are kept inside one journey.",
        "conversion: share of the persons at step 1; from_previous: share of the persons at "
        "the step before; avg_time_s / median_time_s: seconds from the step before, in the "
        "attempt kept for each person; time_to_convert: those times per bin.",
        f"still_in_window: persons who stopped at the step before and whose window ends after "
        f"the end of the data ({pd.Timestamp(as_of_s, unit='s', tz='UTC'):%Y-%m-%d %H:%M} UTC): "
        "they may still convert; lost: the others; persons_closed: the persons at the step "
        "whose window has closed (conversion, windows closed: over those).",
    ]
    if order == "unordered":
        notes.append("unordered: step k counts persons who did any k of the steps; no times.")
    if optional:
        notes.append(
            "optional steps: "
            + ", ".join(resolved[k - 1].text for k in sorted(optional))
            + "; a person may skip them: an optional step counts the persons who did it "
            "(after the steps before it, within the window), the step after it the persons "
            "who got there with or without it; from_previous and drop_off are counted from "
            "the last required step before; on an optional step, drop_off is the persons "
            "who skipped it."
        )
    for k, gap in sorted(gaps.items()):
        notes.append(
            f"step window: {resolved[k - 1].text} counts within "
            f"{format_duration(timedelta(seconds=gap))} of the step before it."
        )
    if excluded:
        notes.append(
            "exclusions: "
            + "; ".join(f"{e.step.text} between steps {e.start} and {e.end}" for e in excluded)
            + (
                " (drop: an attempt with it does not count at all, as in PostHog)."
                if exclusion_mode == "drop"
                else " (cut: an attempt counts up to the last step before it, as in Mixpanel)."
            )
        )
    if features:
        notes.append(
            "correlation: per feature of the kept attempt (first step to last step, or to the "
            "end of the window), the odds ratio of converting with it against without it; "
            "above 1 it goes with converting, below 1 with dropping out; Fisher's exact test, "
            "Benjamini-Hochberg q-value, significant below 0.05."
        )
    if breakdown:
        where = (
            f"attributed at {attribution if isinstance(attribution, str) else f'step {attribution}'}"
            if event_breakdown
            else "a person-level value"
        )
        notes.append(f"breakdown by {breakdown}, {where}.")
        if isinstance(attribution, int):
            notes.append(
                f"persons who stopped before step {attribution} are left out of the breakdown"
                if not keep_none
                else f"{NONE_LABEL}: persons who stopped before step {attribution}."
            )
    return FunnelResult(
        title=f"Funnel: {' → '.join(s.text for s in resolved)}",
        table=main,
        params={
            "steps": list(steps),
            "window": window,
            "order": order,
            "exclusions": list(exclusions or []),
            "exclusion_mode": exclusion_mode,
            "breakdown": breakdown,
            "breakdown_attribution": breakdown_attribution,
            "interval": interval,
            "within_journey": within_journey,
            "as_of": as_of,
            "keep_none": keep_none,
            "correlation": features,
            "step_windows": list(step_windows or []),
            "unit": unit,
        },
        entered=entered,
        converted=converted,
        conversion=converted / entered if entered else float("nan"),
        still_in_window=waiting,
        conversion_closed=(int(total.persons_closed.iloc[-1]) / closed if closed else None),
        biggest_drop_off=biggest_drop_off,
        over_time=over_time[["period", "entered", "converted", "conversion"]],
        time_to_convert=time_to_convert,
        correlation=correlated,
        notes=notes,
    )


def _as_of_seconds(ctx: Context, as_of: str | None) -> int:
    """The end of the data in epoch seconds: ``as_of`` (UTC), else the latest event."""
    if as_of is None:
        latest = ctx.journeys.ts.max().to_pyarrow().as_py()
        return int(pd.Timestamp(latest).timestamp()) if latest is not None else 0
    try:
        ts = pd.Timestamp(as_of)
    except ValueError:
        raise InputError(
            f"funnel: as_of {as_of!r} is not a date; write e.g. 2026-03-31 or 2026-03-31T18:00"
        ) from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.timestamp())


def _overview(ctx: Context) -> dict[str, object]:
    # The window of one journey (the map's idle timeout), not the 14-day default: a
    # helpdesk closes its tickets a month after resolving them.
    return {"steps": default_steps(ctx.map), "window": ctx.map.journey.timeout}


def default_steps(jm: JourneyMap) -> list[str]:
    """The stages of the map before the one where conversions happen, then the conversion,
    which stands for its stage: a stage step that only the conversion event matches could
    never be followed by the conversion (a store purchase with nothing before it in its
    stage, a ticket whose closing stage is its closing), and would count it lost.

    The conversion stage is the first stage holding a touchpoint that matches the
    conversion event; with none, every stage comes before the conversion event. A
    conversion in the first stage keeps that stage as the first step.
    """
    conversion = jm.conversion.events
    stages = jm.stage_ids
    last = len(stages)
    for index, stage in enumerate(stages):
        if any(set(tp.match.events) & set(conversion) for tp in jm.touchpoints_of(stage)):
            last = index
            break
    return [*stages[: max(last, 1)], conversion[0]]


ANALYSIS = Analysis(
    "funnel",
    funnel,
    example="parcours funnel 'panier[channel=web]' 'debut_commande[channel=web]' "
    "paiement_web 'achat_en_ligne[channel=web]' --window 1d",
    overview=_overview,
)
