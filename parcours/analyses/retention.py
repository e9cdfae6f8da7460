"""Loyalty and lifetime value: repeat purchases, cohorts, RFM segments and CLV.

A purchase is a conversion event of the journey table (``is_conversion``); its revenue is
the event's ``revenue`` (missing counts as 0). Purchases of one person on the same UTC day
count as one purchase whose value is their sum, as in Fader, Hardie & Lee and ``lifetimes``.
Only purchases up to ``calibration_end`` (inclusive; default the last day with an event)
are analysed: later ones are a holdout, against which the model's forecast is checked.

* repeat purchase rate: buyers with two purchase days or more, over buyers;
* time between purchases: days between two consecutive purchase days of a person;
* cohorts: persons grouped by the period (day, ISO week or month, UTC) of their first start
  event (default: their first purchase); for each offset k, the share of the cohort with a
  return event (default: a purchase) in period first + k. The period holding the data's last
  day is partial (not over: its share so far, named in the column ``partial``); a period
  after it is not observed (blank, not 0);
* lifecycle per period (new, returning, resurrecting, dormant) and stickiness (days active
  per week or month) over the return events: see :mod:`parcours.analyses._engagement`;
* RFM: recency (days from the last purchase to the end), frequency (purchase days),
  monetary (total revenue), scored 1..bins and named as in :mod:`parcours.analyses._rfm`;
* CLV: a BG/NBD model of the number of purchases (time in weeks) and a Gamma-Gamma model of
  their value, fitted by maximum likelihood (:mod:`parcours.analyses._clv`); a buyer's CLV
  is the expected revenue of the next ``horizon_months`` months after the calibration end,
  each month's expected purchases discounted by (1 + discount_rate)^month: a predicted
  future value, which leaves out what the buyer has already spent (``monetary``).

    >>> import parcours
    >>> from parcours.demo.load import demo_map, load_demo
    >>> ws = parcours.open(":memory:")
    >>> _ = load_demo(ws, persons=300, seed=7)
    >>> result = retention(ws.context(demo_map()), top=3)
    >>> 0 < result.repeat_purchase_rate < 1
    True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses import _clv, _engagement, _rfm
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.store.engine import Scratch

SECONDS_PER_DAY = 86_400
EPOCH = dt.date(1970, 1, 1)
# Fewer buyers (or repeat buyers) than this and the CLV models are not fitted.
MIN_BUYERS = 20
MIN_REPEAT_BUYERS = 5
GAP_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("1-7 days", 1, 7),
    ("8-14 days", 8, 14),
    ("15-30 days", 15, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("91-180 days", 91, 180),
    ("181-365 days", 181, 365),
    ("over 365 days", 366, None),
)


# The note that marks the cohort cells of a period not over yet (the renderers' asterisk).
PARTIAL_NOTE = "Cells and periods marked * (column partial): the period is not over yet."


# -- checks ----------------------------------------------------------------------------------


def _check_calibration_end(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"retention: calibration_end '{value}' is not a date; allowed: YYYY-MM-DD "
            "(the last day whose purchases are analysed)"
        ) from None
    return (day - EPOCH).days


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"retention: {name} '{value}' is not known; allowed: {', '.join(allowed)}")


def _check_numbers(horizon_months: int, discount_rate: float, rfm_bins: int, top: int) -> None:
    if not 1 <= horizon_months <= 240:
        raise InputError(
            f"retention: horizon_months {horizon_months} is out of range; allowed: 1 to 240"
        )
    if not 0 <= discount_rate < 1:
        raise InputError(
            f"retention: discount_rate {discount_rate} is out of range; allowed: 0 <= rate < 1 "
            "(per month, e.g. 0.01)"
        )
    if not 2 <= rfm_bins <= 10:
        raise InputError(f"retention: rfm_bins {rfm_bins} is out of range; allowed: 2 to 10")
    if top < 0:
        raise InputError(f"retention: top {top} is negative; allowed: 0 or more")


# -- engine work -----------------------------------------------------------------------------


def _day(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Days since 1970-01-01 (UTC) as an integer."""
    return (ts.epoch_seconds() // SECONDS_PER_DAY).cast("int64")


def purchase_days(journeys: ir.Table) -> ir.Table:
    """``person_id, day, month, revenue``: one row per person and purchase day."""
    buys = journeys.filter(journeys.is_conversion)
    return buys.group_by(person_id=buys.person_id, day=_day(buys.ts)).aggregate(
        month=_engagement.month_number(buys.ts).min(),
        revenue=buys.revenue.fill_null(0).sum().cast("float64"),
    )


def buyers(purchases: ir.Table, end_day: int) -> ir.Table:
    """One row per buyer with the RFM measures and the BG/NBD / Gamma-Gamma summary:
    x (repeat purchase days), t_x and T (days), repeat_value (mean repeat revenue, 0 if x=0)."""
    first_day = purchases.day.min().over(group_by=purchases.person_id)
    marked = purchases.mutate(
        repeat_revenue=ibis.ifelse(purchases.day == first_day, 0.0, purchases.revenue)
    )
    per = marked.group_by("person_id").aggregate(
        first=marked.day.min(),
        last=marked.day.max(),
        first_month=marked.month.min(),
        frequency=marked.count(),
        monetary=marked.revenue.sum(),
        repeat_total=marked.repeat_revenue.sum(),
    )
    x = (per.frequency - 1).cast("int64")
    return per.mutate(
        x=x,
        t_x=(per["last"] - per["first"]).cast("int64"),
        T=(ibis.literal(end_day) - per["first"]).cast("int64"),
        recency_days=(ibis.literal(end_day) - per["last"]).cast("int64"),
        repeat_value=ibis.ifelse(x > 0, per.repeat_total / x.cast("float64"), 0.0),
    )


def _gaps(purchases: ir.Table) -> ir.Table:
    by_person = ibis.window(group_by=purchases.person_id, order_by=purchases.day)
    with_gap = purchases.mutate(gap=purchases.day - purchases.day.lag().over(by_person))
    return with_gap.filter(with_gap.gap.notnull())


def _inter_purchase(purchases: ir.Table) -> tuple[pd.DataFrame, float | None]:
    gaps = _gaps(purchases)
    cases = [
        (gaps.gap >= lo if hi is None else gaps.gap.between(lo, hi), ibis.literal(label))
        for label, lo, hi in GAP_BINS
    ]
    counted = (
        gaps.group_by(interval=ibis.cases(*cases, else_=ibis.null("string")))
        .aggregate(gaps=gaps.count())
        .to_pandas()
    )
    frame = pd.DataFrame({"interval": [label for label, _, _ in GAP_BINS]})
    frame = frame.merge(counted, on="interval", how="left").fillna({"gaps": 0})
    frame["gaps"] = frame.gaps.astype("int64")
    total = int(frame.gaps.sum())
    frame["share"] = frame.gaps / total if total else 0.0
    frame["cumulative"] = frame.share.cumsum()
    median = gaps.gap.median().to_pyarrow().as_py() if total else None
    return frame, (float(median) if median is not None else None)


# -- the analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    """Cohorts, lifecycle and stickiness over the start and return events."""

    cohorts: pd.DataFrame
    lifecycle: pd.DataFrame
    stickiness: pd.DataFrame

    @property
    def mean_days_active(self) -> float | None:
        s = self.stickiness
        total = int(s.persons.sum())
        return float((s.days_active * s.persons).sum() / total) if total else None


def _names(names: list[str] | None) -> str:
    return " or ".join(names) if names else "conversions"


@dataclass(kw_only=True, repr=False)
class RetentionResult(Result):
    """Buyers per RFM segment (``table``: segment, rule, persons, share, recency_days,
    frequency, monetary, revenue, clv), in the order of the named segments; ``clv`` is the
    mean predicted future value of the next ``horizon_months`` months, not past revenue."""

    analysis: ClassVar[str] = "retention"
    calibration_end: str | None = figure("calibration end", default=None)
    buyers: int = figure("buyers")
    repeat_buyers: int | None = figure("repeat buyers", default=None)
    repeat_purchase_rate: float | None = figure("repeat purchase rate", default=None)
    purchases: int | None = figure("purchases", default=None)
    revenue: float | None = figure("revenue", default=None)
    median_days_between_purchases: float | None = figure(
        "median days between purchases", default=None
    )
    bgnbd_fit: str | None = figure("BG/NBD fit", default=None)
    bgnbd_r: float | None = figure("BG/NBD r", default=None)
    bgnbd_alpha: float | None = figure("BG/NBD alpha", default=None)
    bgnbd_a: float | None = figure("BG/NBD a", default=None)
    bgnbd_b: float | None = figure("BG/NBD b", default=None)
    bgnbd_dropout: float | None = figure("BG/NBD drop-out probability", default=None)
    bgnbd_log_likelihood: float | None = figure("BG/NBD log-likelihood", default=None)
    gamma_gamma_p: float | None = figure("Gamma-Gamma p", default=None)
    gamma_gamma_q: float | None = figure("Gamma-Gamma q", default=None)
    gamma_gamma_gamma: float | None = figure("Gamma-Gamma gamma", default=None)
    holdout_weeks: float | None = figure("holdout weeks", default=None)
    holdout_purchases_actual: int | None = figure("holdout purchases (actual)", default=None)
    holdout_purchases_forecast: float | None = figure("holdout purchases (forecast)", default=None)
    expected_revenue_over_horizon: float | None = figure(
        lambda r: f"expected revenue next {r.params['horizon_months']} months", default=None
    )
    mean_clv_per_buyer: float | None = figure("mean CLV per buyer", default=None)
    mean_days_active: float | None = figure(
        lambda r: f"mean days active per active {r.params['stickiness']}", default=None
    )
    # cohort, persons, m0, m1... (share returning in period k), partial (the column of the
    # period not over yet)
    cohorts: pd.DataFrame = table()
    # period, new, returning, resurrecting, dormant, partial (the period is not over yet)
    lifecycle: pd.DataFrame = table()
    stickiness: pd.DataFrame = table()  # days_active, persons, share (person-periods)
    inter_purchase: pd.DataFrame = table()  # interval, gaps, share, cumulative
    segments: pd.DataFrame = table()  # segment, title, rule, description
    predictions: pd.DataFrame = table()  # the top buyers by predicted CLV


def retention(
    ctx: Context,
    calibration_end: str | None = None,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    rfm_bins: int = 5,
    top: int = 20,
    start_event: list[str] | None = None,
    return_event: list[str] | None = None,
    period: Literal["day", "week", "month"] = "month",
    stickiness: Literal["week", "month"] = "week",
) -> RetentionResult:
    """Repeat purchases, cohort retention, lifecycle, stickiness, RFM segments and customer lifetime value.

    calibration_end: last day (YYYY-MM-DD) whose purchases are analysed; later ones are a holdout. Default: the last day with an event.
    horizon_months: CLV horizon in months.
    discount_rate: monthly discount rate of future revenue, e.g. 0.01.
    rfm_bins: number of RFM score levels (5 gives the usual 1-5 scores).
    top: how many buyers to list by predicted CLV.
    start_event: events or touchpoints that put a person in a cohort (default: conversions).
    return_event: events or touchpoints that count as coming back, for cohorts, lifecycle and stickiness (default: conversions).
    period: cohort and lifecycle period: day, week (ISO, Monday first) or month.
    stickiness: days active counted per week or per month.
    """
    _check_numbers(horizon_months, discount_rate, rfm_bins, top)
    _check_choice("period", period, _engagement.PERIODS)
    _check_choice("stickiness", stickiness, tuple(_engagement.DAYS_IN))
    end_day = _check_calibration_end(calibration_end)
    journeys = ctx.journeys
    last_day = _day(journeys.ts).max().to_pyarrow().as_py()
    if end_day is None:
        end_day = last_day if last_day is not None else 0
    # the last day observed: a calibration end after the data does not observe more
    observed = min(end_day, last_day) if last_day is not None else end_day
    # that day is over when later events exist (left out as a holdout)
    end_day_over = last_day is not None and last_day > observed
    all_purchases = purchase_days(journeys)
    scratch = Scratch("retention")  # read by many queries below; dropped at the end
    try:
        purchases = scratch.keep(all_purchases.filter(all_purchases.day <= end_day), "purchases")
        people = scratch.keep(_rfm.add_scores(buyers(purchases, end_day), rfm_bins), "people")
        starts = scratch.keep(_engagement.activity(journeys, start_event, end_day), "starts")
        returns = (
            starts
            if return_event == start_event
            else scratch.keep(_engagement.activity(journeys, return_event, end_day), "returns")
        )
        engagement = Engagement(
            cohorts=_engagement.cohorts(starts, returns, period, observed, end_day_over),
            lifecycle=_engagement.lifecycle(returns, period, observed, end_day_over),
            stickiness=_engagement.stickiness(returns, stickiness),
        )
        return _measured(
            ctx,
            all_purchases,
            purchases,
            people,
            end_day,
            last_day,
            horizon_months,
            discount_rate,
            rfm_bins,
            top,
            engagement,
            {
                "start_event": start_event,
                "return_event": return_event,
                "period": period,
                "stickiness": stickiness,
            },
        )
    finally:
        scratch.release()


def _measured(
    ctx: Context,
    all_purchases: ir.Table,
    purchases: ir.Table,
    people: ir.Table,
    end_day: int,
    last_day: int | None,
    horizon_months: int,
    discount_rate: float,
    rfm_bins: int,
    top: int,
    engagement: Engagement,
    activity_params: dict[str, Any],
) -> RetentionResult:
    """:func:`retention` on the materialised purchase days and buyers."""
    calibration_end = str(EPOCH + dt.timedelta(days=end_day))
    params = {
        "calibration_end": calibration_end,
        "horizon_months": horizon_months,
        "discount_rate": discount_rate,
        "rfm_bins": rfm_bins,
        "top": top,
        **activity_params,
    }
    counts = (
        people.aggregate(
            buyers=people.count(),
            repeaters=(people.x > 0).sum(),
            purchases=people.frequency.sum(),
            revenue=people.monetary.sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n_buyers = int(counts["buyers"] or 0)
    n_repeat = int(counts["repeaters"] or 0)
    notes = [
        "A purchase is a conversion event; a person's purchases on one UTC day count as one.",
        "Repeat purchase rate = buyers with 2 purchase days or more / buyers.",
        "Cohort <period><k> = share of the cohort (period of the first start event) with a "
        "return event k periods later; blank when that period starts after the last day of "
        "the data (not observed); the period holding that day, not over yet, is named in "
        "column partial (its share is measured so far). Start and return events: "
        f"{_names(activity_params['start_event'])}, {_names(activity_params['return_event'])}.",
        "Lifecycle per period, over the return events: new = active for the first time; "
        "returning = active in the period before too; resurrecting = inactive in the period "
        "before, active earlier; dormant = active in the period before, not in this one (so "
        "far, in the period not over yet: column partial).",
        f"Stickiness: active person-{activity_params['stickiness']}s by days with a return "
        "event in them.",
        "RFM scores 1..bins from percent ranks (equal values share a score); segments from "
        "the R and F scores: " + "; ".join(f"{s.id} = {s.rule}" for s in _rfm.SEGMENTS) + ".",
    ]
    if (
        engagement.cohorts.get("partial", pd.Series(dtype=object)).notna().any()
        or engagement.lifecycle.get("partial", pd.Series(dtype=bool)).astype(bool).any()
    ):
        notes.append(PARTIAL_NOTE)
    if n_buyers == 0:
        notes.append(
            "No purchase (conversion event) up to the calibration end: nothing to measure."
        )
        return RetentionResult(
            title="Retention and lifetime value",
            table=_segment_table(pd.DataFrame(), n_buyers),
            params=params,
            buyers=0,
            segments=_segment_definitions(ctx.language),
            cohorts=engagement.cohorts,
            lifecycle=engagement.lifecycle,
            stickiness=engagement.stickiness,
            mean_days_active=engagement.mean_days_active,
            notes=notes,
        )

    inter, median_gap = _inter_purchase(purchases)
    model, value_model, clv_people, clv_notes = _lifetime_value(
        people, n_buyers, n_repeat, horizon_months, discount_rate
    )
    fit = model.fit if model is not None else None
    if model is not None and model.fit == _clv.DIVERGED:
        model = None
    notes += clv_notes
    holdout: tuple[float, int, float] | tuple[None, None, None] = (None, None, None)
    if model is not None and last_day is not None and last_day > end_day:
        holdout = _holdout(model, people, all_purchases, end_day, last_day)

    scored = clv_people if clv_people is not None else people.mutate(clv=ibis.null("float64"))
    per_segment = (
        scored.group_by("segment")
        .aggregate(
            persons=scored.count(),
            recency_days=scored.recency_days.mean(),
            frequency=scored.frequency.mean(),
            monetary=scored.monetary.mean(),
            revenue=scored.monetary.sum(),
            clv=scored.clv.mean(),
        )
        .to_pandas()
    )
    expected_revenue = None
    if clv_people is not None:
        totals = clv_people.aggregate(total=clv_people.clv.sum()).to_pyarrow().to_pylist()[0]
        expected_revenue = float(totals["total"])

    return RetentionResult(
        title="Retention and lifetime value",
        table=_segment_table(per_segment, n_buyers),
        params=params,
        calibration_end=calibration_end,
        buyers=n_buyers,
        repeat_buyers=n_repeat,
        repeat_purchase_rate=n_repeat / n_buyers,
        purchases=int(counts["purchases"]),
        revenue=float(counts["revenue"] or 0.0),
        median_days_between_purchases=median_gap,
        **_bgnbd_figures(model, fit),
        gamma_gamma_p=value_model.p if value_model is not None else None,
        gamma_gamma_q=value_model.q if value_model is not None else None,
        gamma_gamma_gamma=value_model.gamma if value_model is not None else None,
        holdout_weeks=holdout[0],
        holdout_purchases_actual=holdout[1],
        holdout_purchases_forecast=holdout[2],
        expected_revenue_over_horizon=expected_revenue,
        mean_clv_per_buyer=expected_revenue / n_buyers if expected_revenue is not None else None,
        cohorts=engagement.cohorts,
        lifecycle=engagement.lifecycle,
        stickiness=engagement.stickiness,
        mean_days_active=engagement.mean_days_active,
        inter_purchase=inter,
        segments=_segment_definitions(ctx.language),
        predictions=_top_predictions(clv_people, top) if clv_people is not None and top else None,
        notes=notes,
    )


def _bgnbd_figures(model: _clv.BGNBD | None, fit: str | None) -> dict[str, Any]:
    """The BG/NBD figures: none when the fit diverged; a and b left out (infinite) when the
    drop-out has no spread, its one probability given instead."""
    figures: dict[str, Any] = {"bgnbd_fit": fit}
    if model is None:
        return figures
    figures.update(
        bgnbd_r=model.r, bgnbd_alpha=model.alpha, bgnbd_log_likelihood=model.log_likelihood
    )
    if model.dropout is None:
        figures.update(bgnbd_a=model.a, bgnbd_b=model.b)
    else:
        figures.update(bgnbd_dropout=model.dropout)
    return figures


def _segment_table(per_segment: pd.DataFrame, n_buyers: int) -> pd.DataFrame:
    """The main table: one row per named segment, in the order of :data:`_rfm.SEGMENTS`."""
    meta = pd.DataFrame(
        {"segment": [s.id for s in _rfm.SEGMENTS], "rule": [s.rule for s in _rfm.SEGMENTS]}
    )
    columns = ["persons", "recency_days", "frequency", "monetary", "revenue", "clv"]
    if per_segment.empty:
        per_segment = pd.DataFrame(columns=["segment", *columns])
    table = meta.merge(
        per_segment.astype({c: "float64" for c in columns}), on="segment", how="left"
    )
    table["persons"] = table.persons.fillna(0).astype("int64")
    table["revenue"] = table.revenue.fillna(0.0)
    table.insert(3, "share", table.persons / n_buyers if n_buyers else 0.0)
    return table


def _segment_definitions(language: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": [s.id for s in _rfm.SEGMENTS],
            "title": [s.fr if language == "fr" else s.en for s in _rfm.SEGMENTS],
            "rule": [s.rule for s in _rfm.SEGMENTS],
            "description": [
                s.description_fr if language == "fr" else s.description for s in _rfm.SEGMENTS
            ],
        }
    )


def _triples(people: ir.Table) -> pd.DataFrame:
    """Buyers grouped by (x, t_x, T), in that order: the same rows in the same order on every
    run, so that the fit sums its floats alike and lands on the same parameters."""
    grouped = people.group_by(["x", "t_x", "T"]).aggregate(n=people.count())
    return grouped.order_by(["x", "t_x", "T"]).to_pandas()


def _lifetime_value(
    people: ir.Table, n_buyers: int, n_repeat: int, horizon_months: int, discount_rate: float
) -> tuple[_clv.BGNBD | None, _clv.GammaGamma | None, ir.Table | None, list[str]]:
    """Fit BG/NBD on (x, t_x, T) grouped in the engine, Gamma-Gamma on (x, repeat value);
    the per-buyer CLV stays an engine expression (a join on the small prediction table)."""
    if n_buyers < MIN_BUYERS or n_repeat < MIN_REPEAT_BUYERS:
        return (
            None,
            None,
            None,
            [
                f"CLV not fitted: it needs at least {MIN_BUYERS} buyers and "
                f"{MIN_REPEAT_BUYERS} repeat buyers (here {n_buyers} and {n_repeat})."
            ],
        )
    triples = _triples(people)
    weeks = {k: triples[k].to_numpy("float64") / 7 for k in ("t_x", "T")}
    x = triples.x.to_numpy("float64")
    model = _clv.fit_bgnbd(x, weeks["t_x"], weeks["T"], triples.n.to_numpy("float64"))
    if model.fit == _clv.DIVERGED:
        return (
            model,
            None,
            None,
            [
                "BG/NBD does not fit these data: its parameters run to the optimiser's bounds "
                f"(r = {model.r:.3g}, alpha = {model.alpha:.3g}, a = {model.a:.3g}, "
                f"b = {model.b:.3g}), so no parameter, forecast or CLV is given."
            ],
        )
    horizon_weeks = horizon_months * _clv.WEEKS_PER_MONTH
    predictions = pd.DataFrame(
        {
            "x": triples.x.astype("int64"),
            "t_x": triples.t_x.astype("int64"),
            "T": triples["T"].astype("int64"),
            "p_alive": model.p_alive(x, weeks["t_x"], weeks["T"]),
            "expected_purchases": model.expected_purchases(
                horizon_weeks, x, weeks["t_x"], weeks["T"]
            ),
            "discounted_purchases": model.discounted_purchases(
                horizon_months, discount_rate, x, weeks["t_x"], weeks["T"]
            ),
        }
    )
    notes = [
        "BG/NBD (Fader, Hardie & Lee 2005) in weeks: r, alpha = purchase rate Gamma; a, b = "
        "drop-out Beta. p_alive = probability the buyer is still active.",
    ]
    if model.dropout is not None:
        notes.append(
            "BG/NBD's a and b grow without bound on these data (the drop-out Beta has no "
            "spread: every buyer drops out alike), so they are not reported; the model is "
            "fitted at its limit, one drop-out probability after each purchase for everyone: "
            f"p = {model.dropout:.3f}."
        )
    values = people.filter((people.x > 0) & (people.repeat_value > 0))
    # Rounded to a millionth: the engine's sums differ in their last bits from run to run,
    # and the fit must not.
    values = values.mutate(repeat_value=values.repeat_value.round(6))
    grouped = (
        values.group_by(["x", "repeat_value"])
        .aggregate(n=values.count())
        .order_by(["x", "repeat_value"])
        .to_pandas()
    )
    value_model = None
    if len(grouped) >= MIN_REPEAT_BUYERS:
        value_model = _clv.fit_gamma_gamma(
            grouped.x.to_numpy("float64"),
            grouped.repeat_value.to_numpy("float64"),
            grouped.n.to_numpy("float64"),
        )
        weights = grouped.n.to_numpy("float64")
        corr = np.corrcoef(
            np.repeat(grouped.x, grouped.n.astype(int)),
            np.repeat(grouped.repeat_value, grouped.n.astype(int)),
        )[0, 1]
        notes.append(
            "Gamma-Gamma (Fader, Hardie & Lee 2005b): value of a repeat purchase; it assumes "
            f"value and frequency are independent (correlation here {corr:.2f}, over "
            f"{int(weights.sum())} repeat buyers)."
        )
    if value_model is None or value_model.q <= 1:
        notes.append("CLV not computed: the Gamma-Gamma model could not be fitted (q <= 1).")
        return model, value_model, None, notes
    p, q, gamma = value_model.params
    joined = people.inner_join(ibis.memtable(predictions), ["x", "t_x", "T"])
    expected_value = (gamma + joined.x * joined.repeat_value) * p / (p * joined.x + q - 1)
    with_clv = joined.mutate(
        expected_value=expected_value,
        clv=joined.discounted_purchases * expected_value,
    )
    notes.append(
        f"CLV = expected revenue of the next {horizon_months} months after the calibration "
        "end (past purchases left out), month m discounted by (1 + discount_rate)^m; "
        "expected_value = Gamma-Gamma expected value of a purchase."
    )
    return model, value_model, with_clv, notes


def _top_predictions(clv_people: ir.Table, top: int) -> pd.DataFrame:
    t = clv_people
    return (
        t.order_by([ibis.desc(t.clv), t.person_id])
        .limit(top)
        .select(
            "person_id",
            "segment",
            "frequency",
            "recency_days",
            "monetary",
            "p_alive",
            "expected_purchases",
            "expected_value",
            "clv",
        )
        .to_pandas()
    )


def _holdout(
    model: _clv.BGNBD, people: ir.Table, all_purchases: ir.Table, end_day: int, last_day: int
) -> tuple[float, int, float]:
    """Weeks after the calibration end, and the purchases of the calibration buyers in them:
    actual and forecast."""
    later = all_purchases.filter(all_purchases.day > end_day)
    actual = later.semi_join(people, "person_id").count().to_pyarrow().as_py()
    triples = _triples(people)
    weeks = (last_day - end_day) / 7
    expected = model.expected_purchases(
        weeks,
        triples.x.to_numpy("float64"),
        triples.t_x.to_numpy("float64") / 7,
        triples["T"].to_numpy("float64") / 7,
    )
    return (
        round(weeks, 2),
        int(actual),
        float(np.sum(expected * triples.n.to_numpy("float64"))),
    )


ANALYSIS = Analysis(
    "retention",
    retention,
    example="parcours retention --horizon-months 12 --top 10",
)
