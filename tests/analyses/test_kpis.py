"""kpis: reach, conversion and exit rate per touchpoint and stage, against the map's goals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parcours.errors import InputError
from tests.conftest import to_spark
from tests.timelines import context_from_timelines

MAP = """
map: k
title: K
stages: [{id: s1, title: S1, kpis: [{metric: reach, target: 0.9}]}, {id: s2, title: S2}]
channels: [web]
touchpoints:
  - {id: fiche, stage: s1, channel: web, match: {event: view}, goal: {metric: exit_rate, target: 0.4}}
  - {id: achat, stage: s2, channel: web, match: {event: purchase}, goal: {metric: conversion, target: 0.5}}
conversion: {event: purchase}
"""


@pytest.fixture
def ctx(ws):
    return context_from_timelines(
        ws,
        MAP,
        {
            "a": [("2026-03-01 10:00", "web", "view"), ("2026-03-01 10:05", "web", "purchase")],
            "b": [("2026-03-01 10:00", "web", "view")],  # exits at fiche
            "c": [
                ("2026-03-01 10:00", "web", "view"),
                ("2026-03-01 10:01", "web", "view"),
            ],  # exits
            "d": [("2026-03-01 10:00", "web", "other")],  # unmapped only
        },
    )


def test_touchpoint_figures_by_hand(ctx):
    from parcours.analyses.kpis import kpis

    result = kpis(ctx)
    fiche = result.table.set_index("id").loc["fiche"]
    assert (fiche.events, fiche.persons, fiche.journeys) == (4, 3, 3)
    assert fiche.reach == pytest.approx(3 / 4)  # d has a journey too, with no touchpoint
    assert fiche.conversion == pytest.approx(1 / 3)
    assert fiche.exit_rate == pytest.approx(2 / 3)
    goals = result.tables["goals"].set_index("id")
    assert goals.loc["fiche", "value"] == pytest.approx(2 / 3)
    assert goals.loc["fiche", "met"] is not None and not goals.loc["fiche", "met"]
    assert goals.loc["achat", "value"] == pytest.approx(1.0)
    assert bool(goals.loc["achat", "met"]) is True
    assert result.summary == {"goals measured": 2, "goals met": 1}


def test_a_reach_goal_counts_persons(ctx):
    """The map writes a reach target as a number of persons (``target: 40000``): s1, met by
    3 persons, misses a target of 4 and meets one of 3."""
    from parcours.analyses.kpis import kpis

    for target, met in ((4, False), (3, True)):
        jm = ctx.map.model_copy(
            update={
                "stages": [
                    ctx.map.stages[0].model_copy(
                        update={
                            "kpis": [
                                ctx.map.stages[0].kpis[0].model_copy(update={"target": target})
                            ]
                        }
                    ),
                    ctx.map.stages[1],
                ]
            }
        )
        goals = kpis(replace(ctx, map=jm), level="stage").tables["goals"].set_index("id")
        assert goals.loc["s1", "metric"] == "reach"
        assert goals.loc["s1", "value"] == 3
        assert bool(goals.loc["s1", "met"]) is met


def test_stage_level_and_bad_level(ctx):
    from parcours.analyses.kpis import kpis

    stages = kpis(ctx, level="stage").table.set_index("id")
    assert stages.loc["s1", "reach"] == pytest.approx(3 / 4)
    assert stages.loc["s2", "journeys"] == 1
    with pytest.raises(InputError, match="allowed: touchpoint, stage"):
        kpis(ctx, level="channel")


def test_result_serialises(ctx):
    from parcours.analyses.kpis import kpis

    data = kpis(ctx).to_dict()
    assert data["analysis"] == "kpis"
    assert data["table"][0]["id"] == "fiche"
    assert "KPIs per touchpoint" in repr(kpis(ctx))
    assert "<table" in kpis(ctx)._repr_html_()


@pytest.mark.spark
def test_exit_rate_on_spark(ctx, spark_con):
    """Each journey's last step is a window that a filter reads: Spark finds it too."""
    from parcours.analyses.kpis import kpis

    on_spark = replace(ctx, journeys=to_spark(spark_con, "kpis_journeys", ctx.journeys))
    table = kpis(on_spark).table.set_index("id")
    assert table.loc["fiche", "exit_rate"] == pytest.approx(2 / 3)  # b and c end there
    assert table.loc["achat", "exit_rate"] == 0.0  # a converts
    assert table.journeys.tolist() == [3, 1]
