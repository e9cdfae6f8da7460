"""Retention by start and return events, lifecycle per period and stickiness, in the engine.

Activity is read from the journey table: a person "starts" in a period when one of their
events is a start event, and "returns" in a period when one is a return event (an event
matches when its ``event`` name or its ``touchpoint`` id is one of the names given; no name
means the conversion events). Periods are UTC calendar days, ISO weeks (Monday to Sunday)
or months.

* cohort retention (PostHog's "first time" retention): a person's cohort is the period of
  their first start event; column k is the share of the cohort with a return event in
  period cohort + k (k >= 1; k = 0 is the cohort itself, 1.0). A cell's period is *complete*
  when it is over by the end of the data, *partial* when it holds the data's last day and is
  not over (its share is measured so far: column ``partial`` names that cell, as Amplitude
  and Mixpanel mark the current period), *not observed* when it starts after the data's
  last day: unknown (blank), not 0. The data's last day itself counts as not over unless
  later events show it is (a calibration end before the last event), so with periods of a
  day the last day is partial.
* lifecycle (PostHog's lifecycle insight), per period, over the return events: *new* =
  active for the first time; *returning* = active in this period and the one before;
  *resurrecting* = active in this period, not in the one before, but in an earlier one;
  *dormant* = active in the period before, not in this one.
* stickiness (PostHog's stickiness insight): for each person and each week (or month)
  in which they are active, the number of days they are active in it; the table counts
  person-weeks (or person-months) by days active.

    >>> import ibis, pandas as pd
    >>> t = ibis.memtable(pd.DataFrame({
    ...     "person_id": [1, 1, 2], "event": ["buy"] * 3, "touchpoint": ["achat"] * 3,
    ...     "is_conversion": [True] * 3,
    ...     "ts": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"], utc=True)}))
    >>> stickiness(activity(t, None), "week").to_dict("list")["persons"][:2]
    [1, 1]
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86_400
EPOCH = dt.date(1970, 1, 1)  # a Thursday: day d is in the ISO week (d + 3) // 7
PERIODS = ("day", "week", "month")
PREFIX = {"day": "d", "week": "w", "month": "m"}
DAYS_IN = {"week": 7, "month": 31}
LIFECYCLE = ("new", "returning", "resurrecting", "dormant")


def day_number(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Days since 1970-01-01 (UTC)."""
    return (ts.epoch_seconds() // SECONDS_PER_DAY).cast("int64")


def month_number(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Months since year 0 (UTC): year * 12 + month - 1, as int64 on every engine.

    The parts are cast before the arithmetic: Ibis types ``year() * 12`` as int64 already
    and drops a cast of the whole, while Spark computes it in 32 bits (``EXTRACT`` gives
    an INT), so the stored column would be int32 there and int64 on DuckDB."""
    return ts.year().cast("int64") * 12 + ts.month().cast("int64") - 1


def period_number(days: ir.Table, period: str) -> ir.IntegerValue:
    """The period number of each row of an :func:`activity` table: the day itself, its ISO
    week, or its month (year * 12 + month - 1)."""
    if period == "day":
        return days.day
    if period == "week":
        return ((days.day + 3) // 7).cast("int64")
    return days.month


def period_of(day: int, period: str) -> int:
    """:func:`period_number` of one Python day number."""
    if period == "day":
        return day
    if period == "week":
        return (day + 3) // 7
    date = EPOCH + dt.timedelta(days=day)
    return date.year * 12 + date.month - 1


def period_label(number: int, period: str) -> str:
    """A period as text: 2026-01-05 (a day), 2026-01-05 (the Monday of a week), 2026-01."""
    if period == "month":
        return f"{number // 12:04d}-{number % 12 + 1:02d}"
    first_day = number if period == "day" else number * 7 - 3
    return str(EPOCH + dt.timedelta(days=first_day))


def matches(journeys: ir.Table, names: list[str] | None) -> ir.BooleanValue:
    """Events named (event or touchpoint) in ``names``; the conversions when there is none."""
    if not names:
        return journeys.is_conversion
    return journeys.event.isin(names) | journeys.touchpoint.isin(names)


def activity(journeys: ir.Table, names: list[str] | None, end_day: int | None = None) -> ir.Table:
    """``person_id, day, month``: one row per person and UTC day with a matching event."""
    hits = journeys.filter(matches(journeys, names))
    days = hits.select(
        person_id=hits.person_id,
        day=day_number(hits.ts),
        month=month_number(hits.ts),
    )
    if end_day is not None:
        days = days.filter(days.day <= end_day)
    return days.distinct()


def _per_period(days: ir.Table, period: str) -> ir.Table:
    return days.select(person_id=days.person_id, p=period_number(days, period)).distinct()


def partial_period(end_day: int, period: str, end_day_over: bool = False) -> int | None:
    """The period holding the data's last day (``end_day``) when it is not over yet, else
    None: it is over only when ``end_day`` is (``end_day_over``: later events exist) and is
    the period's last day.

    >>> day = (dt.date(2026, 1, 31) - EPOCH).days
    >>> period_label(partial_period(day, "month"), "month"), partial_period(day, "month", True)
    ('2026-01', None)
    """
    end = period_of(end_day, period)
    if end_day_over and period_of(end_day + 1, period) != end:
        return None
    return end


def cohorts(
    starts: ir.Table, returns: ir.Table, period: str, end_day: int, end_day_over: bool = False
) -> pd.DataFrame:
    """``cohort, persons, <prefix>0, <prefix>1..., partial``: first-time retention by period;
    ``partial`` names the column of the cohort's period not over yet (None when the data's
    last period is over), whose share is measured so far. ``end_day_over``: the data's last
    day is over (events after it were left out), see :func:`partial_period`."""
    first = _per_period(starts, period)
    first = first.group_by("person_id").aggregate(cohort=first.p.min())
    back = _per_period(returns, period)
    j = first.inner_join(back, "person_id")
    j = j.filter(j.p > j.cohort)
    j = j.mutate(offset=j.p - j.cohort)
    returned = j.group_by(["cohort", "offset"]).aggregate(active=j.person_id.nunique()).to_pandas()
    sizes = first.group_by("cohort").aggregate(persons=first.count()).order_by("cohort")
    sizes = sizes.to_pandas()
    prefix = PREFIX[period]
    if sizes.empty:
        return pd.DataFrame(columns=["cohort", "persons", f"{prefix}0", "partial"])
    end = period_of(end_day, period)
    width = end - int(sizes.cohort.min()) + 1
    wide = returned.pivot(index="cohort", columns="offset", values="active")
    wide = wide.reindex(index=sizes.cohort, columns=range(width)).fillna(0)
    shares = wide.div(sizes.persons.to_numpy(), axis=0)
    shares[0] = 1.0
    known = np.arange(width)[None, :] <= (end - sizes.cohort.to_numpy())[:, None]
    shares = shares.where(known)
    shares.columns = [f"{prefix}{k}" for k in shares.columns]
    out = shares.reset_index(drop=True)
    out.insert(0, "persons", sizes.persons.astype("int64").to_numpy())
    out.insert(0, "cohort", [period_label(int(c), period) for c in sizes.cohort])
    current = partial_period(end_day, period, end_day_over)
    out["partial"] = [
        None if current is None else f"{prefix}{current - int(c)}" for c in sizes.cohort
    ]
    return out


def lifecycle(
    returns: ir.Table, period: str, end_day: int, end_day_over: bool = False
) -> pd.DataFrame:
    """``period, new, returning, resurrecting, dormant, partial``: persons per lifecycle
    status; ``partial`` is true for the period holding the data's last day when it is not
    over (:func:`partial_period`): its dormant persons are those not back *so far*."""
    active = _per_period(returns, period)
    w = ibis.window(group_by=active.person_id, order_by=active.p)
    marked = active.mutate(before=active.p.lag().over(w), after=active.p.lead().over(w))
    status = ibis.cases(
        (marked.before.isnull(), "new"),
        (marked.before == marked.p - 1, "returning"),
        else_="resurrecting",
    )
    counted = marked.group_by(p=marked.p, status=status).aggregate(persons=marked.count())
    gone = marked.filter(marked.after.isnull() | (marked.after != marked.p + 1))
    gone = gone.filter(gone.p + 1 <= period_of(end_day, period))
    dormant = gone.group_by(p=gone.p + 1).aggregate(persons=gone.count())
    dormant = dormant.mutate(status=ibis.literal("dormant"))
    frame = counted.union(dormant.select("p", "status", "persons")).to_pandas()
    columns = ["period", *LIFECYCLE, "partial"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    wide = frame.pivot(index="p", columns="status", values="persons")
    wide = wide.reindex(columns=list(LIFECYCLE)).fillna(0).astype("int64").sort_index()
    wide.insert(0, "period", [period_label(int(p), period) for p in wide.index])
    wide["partial"] = wide.index == partial_period(end_day, period, end_day_over)
    return wide.reset_index(drop=True)[columns]


def stickiness(returns: ir.Table, per: str) -> pd.DataFrame:
    """``days_active, persons, share``: person-weeks (or -months) by days active in them."""
    spans = returns.mutate(p=period_number(returns, per))
    per_person = spans.group_by(["person_id", "p"]).aggregate(days=spans.day.nunique())
    counted = per_person.group_by("days").aggregate(persons=per_person.count()).to_pandas()
    frame = pd.DataFrame({"days_active": range(1, DAYS_IN[per] + 1)})
    frame["persons"] = (
        frame.days_active.map(counted.set_index("days").persons).fillna(0).astype("int64")
    )
    total = int(frame.persons.sum())
    frame["share"] = frame.persons / total if total else 0.0
    return frame
