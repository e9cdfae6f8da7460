"""The measured figures of backstage items, on persons written as timelines (one day of work
items at a bank); every figure below is counted by hand from the timelines."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import parcours
from parcours.analyses._blueprint import backstage_figures
from tests.timelines import context_from_timelines

MAP = """
map: banque
title: Banque
stages:
  - id: instruction
    title: Instruction
    blueprint:
      backstage:
        - {id: validation, title: Validation, match: {event: W_Valideren}}
        - {id: travail, title: Tout le travail, match: {event: {prefix: W_}}}
        - {id: appels_finis, title: Appels finis, match: {event: W_Nabellen, properties: {lifecycle: COMPLETE}}}
        - {id: rien, title: Rien, match: {event: {regex: '^Z'}}}
        - Archivage
channels: [web]
touchpoints:
  - {id: demande, stage: instruction, channel: web, match: {event: A_SUBMITTED}}
conversion: {event: A_APPROVED}
journey: {timeout: 1d}
"""

TIMELINES = {
    # one journey: validation scheduled at 10:00, done at 12:00 (spans 2 h)
    "ana": [
        ("2026-03-02 10:00", "web", "W_Valideren", {"lifecycle": "SCHEDULE"}),
        ("2026-03-02 10:30", "web", "A_SUBMITTED"),
        ("2026-03-02 12:00", "web", "W_Valideren", {"lifecycle": "COMPLETE"}),
    ],
    # two journeys (4 days apart, timeout 1 d): one event (0 s), then two 30 min apart
    "bob": [
        ("2026-03-01 09:00", "web", "W_Valideren", {"lifecycle": "COMPLETE"}),
        ("2026-03-05 09:00", "web", "W_Valideren", {"lifecycle": "START"}),
        ("2026-03-05 09:30", "web", "W_Valideren", {"lifecycle": "COMPLETE"}),
    ],
    # a call scheduled then completed, 20 min apart
    "dan": [
        ("2026-03-02 10:00", "web", "W_Nabellen", {"lifecycle": "SCHEDULE"}),
        ("2026-03-02 10:20", "web", "W_Nabellen", {"lifecycle": "COMPLETE"}),
    ],
    # no work item at all
    "eve": [("2026-03-02 11:00", "web", "A_SUBMITTED")],
}


@pytest.fixture
def figures(ws):
    return backstage_figures(context_from_timelines(ws, MAP, TIMELINES)).set_index("id")


def test_exact_name_counts_events_persons_journeys_and_median_span(figures):
    row = figures.loc["validation"]
    assert (row.stage, row.title) == ("instruction", "Validation")
    # ana 2 + bob 1 + bob 2; persons ana, bob; journeys ana, bob x2
    assert (row.events, row.persons, row.journeys) == (5, 2, 3)
    # spans 7200 (ana) and 1800 (bob's second); bob's first journey has one event: no span
    assert row.median_duration_s == 4500.0


def test_prefix_counts_every_work_item(figures):
    row = figures.loc["travail"]
    assert (row.events, row.persons, row.journeys) == (7, 3, 4)
    # spans 7200 (ana), 1800 (bob's second journey), 1200 (dan): the middle one
    assert row.median_duration_s == 1800.0


def test_property_rule_keeps_only_matching_events(figures):
    row = figures.loc["appels_finis"]
    assert (row.events, row.persons, row.journeys) == (1, 1, 1)
    assert math.isnan(row.median_duration_s)  # one event: no span to take the median of


def test_item_met_by_no_event_has_zeros_and_no_duration(figures):
    row = figures.loc["rien"]
    assert (row.events, row.persons, row.journeys) == (0, 0, 0)
    assert math.isnan(row.median_duration_s)


def test_only_items_that_match_are_measured(figures):
    assert list(figures.index) == ["validation", "travail", "appels_finis", "rien"]


@pytest.mark.spark
def test_a_spark_workspace_gives_the_same_figures(figures, tmp_path, spark_con):
    # Spark refused the median's where= (a percentile's percentage must be constant).
    with parcours.open(f"spark:{tmp_path / 'warehouse'}") as spark_ws:
        got = backstage_figures(context_from_timelines(spark_ws, MAP, TIMELINES)).set_index("id")
    pd.testing.assert_frame_equal(got, figures, check_dtype=False)
    assert got.loc["validation", "median_duration_s"] == 4500.0
