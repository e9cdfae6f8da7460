"""retention by any start and return events: cohorts, lifecycle and stickiness.

The timelines below are worked out by hand in ISO weeks (Monday first):
W1 = 2026-01-05, W2 = 2026-01-12, W3 = 2026-01-19, W4 = 2026-01-26 (the end of the data).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

import parcours
from parcours.analyses.retention import retention
from parcours.errors import InputError
from tests.conftest import to_spark
from tests.timelines import context_from_timelines

MAP = """
map: shop
title: Shop
stages: [{id: browse, title: Browse}, {id: buy, title: Buy}]
channels: [web]
touchpoints:
  - {id: fiche, stage: browse, channel: web, match: {event: view}}
  - {id: achat, stage: buy, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""

TIMELINES = {
    # views in W1 (two days), W2 and W4: new, returning, (dormant in W3), resurrecting
    "anna": [
        ("2026-01-05 09:00", "web", "view"),
        ("2026-01-05 18:00", "web", "view"),  # same day: one day active
        ("2026-01-06 10:00", "web", "view"),
        ("2026-01-12 10:00", "web", "view"),
        ("2026-01-26 10:00", "web", "view"),
    ],
    # buys in W2, views in W2 and W3: new, returning, dormant in W4
    "ben": [
        ("2026-01-13 10:00", "web", "view"),
        ("2026-01-13 10:05", "web", "purchase", {}, 20.0),
        ("2026-01-20 10:00", "web", "view"),
    ],
    "chloe": [("2026-01-07 10:00", "web", "purchase", {}, 10.0)],  # buys in W1, never views
}


@pytest.fixture(scope="module")
def ctx():
    workspace = parcours.open(":memory:")
    yield context_from_timelines(workspace, MAP, TIMELINES)
    workspace.close()


def _rows(frame: pd.DataFrame) -> list[list]:
    return [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in frame.values.tolist()
    ]


def test_lifecycle_new_returning_resurrecting_dormant(ctx):
    result = retention(ctx, start_event=["view"], return_event=["view"], period="week")
    assert _rows(result.lifecycle) == [
        # period, new, returning, resurrecting, dormant, partial
        ["2026-01-05", 1, 0, 0, 0, False],  # anna's first week
        ["2026-01-12", 1, 1, 0, 0, False],  # ben new, anna back the next week
        ["2026-01-19", 0, 1, 0, 1, False],  # ben again; anna was active the week before, not now
        # anna back after a gap; ben not back so far: W4 has only its Monday in the data
        ["2026-01-26", 0, 0, 1, 1, True],
    ]
    assert any(note.startswith("Cells and periods marked *") for note in result.notes)


def test_lifecycle_period_over_at_the_data_end_is_not_partial(ctx):
    # a calibration end on Sunday 25 January (W3's last day), later events left out: W3 over
    result = retention(
        ctx,
        start_event=["view"],
        return_event=["view"],
        period="week",
        calibration_end="2026-01-25",
    )
    assert _rows(result.lifecycle)[-1] == ["2026-01-19", 0, 1, 0, 1, False]


def test_cohorts_by_week_of_the_first_start_event(ctx):
    result = retention(ctx, start_event=["view"], return_event=["view"], period="week")
    assert _rows(result.cohorts) == [
        ["2026-01-05", 1, 1.0, 1.0, 0.0, 1.0, "w3"],  # anna: back in W2 and W4 (not over)
        ["2026-01-12", 1, 1.0, 1.0, 0.0, None, "w2"],  # ben: back in W3; W5 is after the end
    ]
    assert list(result.cohorts.columns) == ["cohort", "persons", "w0", "w1", "w2", "w3", "partial"]


def test_start_and_return_events_differ(ctx):
    """Cohorts of buyers (the touchpoint id names the event), coming back to view."""
    result = retention(ctx, start_event=["achat"], return_event=["view"], period="week")
    assert _rows(result.cohorts) == [
        ["2026-01-05", 1, 1.0, 0.0, 0.0, 0.0, "w3"],  # chloe never views
        ["2026-01-12", 1, 1.0, 1.0, 0.0, None, "w2"],  # ben views in W3
    ]
    assert result.params["start_event"] == ["achat"]


def test_stickiness_counts_days_active_per_person_week(ctx):
    result = retention(ctx, start_event=["view"], return_event=["view"], stickiness="week")
    s = result.stickiness
    assert len(s) == 7
    # person-weeks: anna W1 (2 days), W2, W4 (1 day each); ben W2, W3 (1 day each)
    assert s.persons.tolist() == [4, 1, 0, 0, 0, 0, 0]
    assert s.share.tolist()[:2] == [pytest.approx(0.8), pytest.approx(0.2)]
    assert result.mean_days_active == pytest.approx(6 / 5)
    monthly = retention(ctx, return_event=["view"], stickiness="month").stickiness
    assert len(monthly) == 31
    assert monthly.persons.tolist()[:5] == [0, 1, 0, 1, 0]  # ben 2 days, anna 4 days in January


def test_default_events_are_the_conversions_by_month(ctx):
    result = retention(ctx)
    assert _rows(result.cohorts) == [["2026-01", 2, 1.0, "m0"]]  # chloe and ben bought in January
    assert _rows(result.lifecycle) == [["2026-01", 2, 0, 0, 0, True]]  # January 26: not over


@pytest.mark.spark
def test_month_periods_on_spark(ctx, spark_con):
    """Months are int64 on Spark too (it computes year * 12 + month in 32 bits), so the
    lifecycle's new and dormant rows make one table."""
    journeys = to_spark(spark_con, "retention_journeys", ctx.journeys)
    result = retention(replace(ctx, journeys=journeys), return_event=["view"])
    assert _rows(result.lifecycle) == [["2026-01", 2, 0, 0, 0, True]]  # anna and ben in January
    assert _rows(result.cohorts) == [["2026-01", 2, 1.0, "m0"]]  # chloe and ben bought in January


@pytest.mark.parametrize(
    ("params", "allowed"),
    [({"period": "year"}, "day, week, month"), ({"stickiness": "day"}, "week, month")],
)
def test_bad_periods_say_what_is_allowed(ctx, params, allowed):
    with pytest.raises(InputError, match=allowed):
        retention(ctx, **params)
