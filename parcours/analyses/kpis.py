"""Measured figures per touchpoint and per stage, against the goals the map sets.

This is what the journey map canvas shows under each touchpoint:

* reach: persons who met the touchpoint, over all persons with a journey;
* journeys: journeys that passed through it;
* conversion: share of those journeys that converted;
* exit_rate: share of those journeys that ended there without converting.

Each goal of the map (``goal: {metric: conversion, target: 0.12}``) whose metric is one of
these is marked met or missed, respecting the metric's direction (a lower exit rate is
better); a reach goal counts persons (``{metric: reach, target: 40000}``). Goals on metrics measured elsewhere (NPS, CSAT, bounce rate...) are listed with no
value here: :data:`MEASURED_ELSEWHERE` names the analysis that measures each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.store.journeys import UNMAPPED

MEASURED = ("reach", "conversion", "exit_rate")
# The goals' other metrics (parcours.maps.model.METRICS) and the analysis that measures them:
# feedback scores per touchpoint and stage, bounces per web and app session, a drop-off
# between the steps a funnel is given, revenue credited to touchpoints, repeat purchases
# and time to convert over whole journeys. A kpis goal on one has no value; readers are
# sent there.
MEASURED_ELSEWHERE = {
    "nps": "voice",
    "csat": "voice",
    "ces": "voice",
    "bounce_rate": "frictions",
    "drop_off": "funnel",
    "time_to_convert": "funnel",
    "revenue": "attribution",
    "repeat_purchase_rate": "retention",
}


def _measures(journeys: ir.Table, key: str) -> pd.DataFrame:
    t = journeys.filter(journeys[key].notnull() & (journeys.touchpoint != UNMAPPED))
    # Each journey's last step, its window kept as a column rather than filtered on inline:
    # a filter on a window becomes QUALIFY, which sqlglot 27 rewrites for Spark into a
    # subquery whose outer WHERE still names the inner table (UNRESOLVED_COLUMN).
    marked = journeys.mutate(last_step=journeys.step.max().over(group_by=journeys.journey_id))
    last = marked.filter(
        (marked.step == marked.last_step) & ~marked.converted & marked[key].notnull()
    )
    exits = last.group_by(key).aggregate(exits=last.journey_id.nunique())
    per = t.group_by(key).aggregate(
        events=t.count(),
        persons=t.person_id.nunique(),
        journeys=t.journey_id.nunique(),
        converted=ibis.ifelse(t.converted, t.journey_id, ibis.null("string")).nunique(),
    )
    frame = per.left_join(exits, key).select(per, exits=exits.exits.fill_null(0)).to_pandas()
    total_persons = journeys.person_id.nunique().to_pyarrow().as_py() or 1
    frame["reach"] = frame.persons / total_persons
    frame["conversion"] = frame.converted / frame.journeys
    frame["exit_rate"] = frame.exits / frame.journeys
    return frame


def _goal_columns(frame: pd.DataFrame, goals: dict[str, list]) -> pd.DataFrame:
    rows = []
    for _, row in frame.iterrows():
        for goal in goals.get(row["id"], []):
            # A reach target is a number of persons (parcours.maps.model.METRICS), not the
            # share the table's reach column holds.
            metric = "persons" if goal.metric == "reach" else goal.metric
            value = row.get(metric) if goal.metric in MEASURED else None
            met = None
            if value is not None and goal.target is not None and pd.notna(value):
                met = (
                    value >= goal.target if goal.good_direction == "above" else value <= goal.target
                )
            rows.append(
                {
                    "id": row["id"],
                    "metric": goal.metric,
                    "target": goal.target,
                    "value": value,
                    "met": met,
                }
            )
    return pd.DataFrame(rows, columns=["id", "metric", "target", "value", "met"])


@dataclass(kw_only=True, repr=False)
class KpisResult(Result):
    """Measures per touchpoint or stage (``table``: id, [stage, channel,] events, persons,
    journeys, reach, conversion, exit_rate)."""

    analysis: ClassVar[str] = "kpis"
    goals_measured: int | None = figure("goals measured", default=None)
    goals_met: int | None = figure("goals met", default=None)
    goals: pd.DataFrame = table()  # id, metric, target, value, met


def kpis(ctx: Context, level: Literal["touchpoint", "stage"] = "touchpoint") -> KpisResult:
    """Reach, conversion and exit rate per touchpoint or stage, against the map's goals.

    level: touchpoint or stage.
    """
    jm = ctx.map
    if level not in ("touchpoint", "stage"):
        raise InputError(f"kpis: level '{level}' is not known; allowed: touchpoint, stage")
    frame = _measures(ctx.journeys, level).rename(columns={level: "id"})
    if level == "touchpoint":
        order = [t.id for t in jm.touchpoints]
        meta = pd.DataFrame(
            {
                "id": order,
                "stage": [t.stage for t in jm.touchpoints],
                "channel": [t.channel for t in jm.touchpoints],
            }
        )
        goals = {t.id: t.all_goals for t in jm.touchpoints}
    else:
        order = jm.stage_ids
        meta = pd.DataFrame({"id": order})
        goals = {s.id: list(s.kpis) for s in jm.stages}
    table = meta.merge(frame, on="id", how="left")
    for column in ("events", "persons", "journeys", "converted", "exits"):
        table[column] = table[column].fillna(0).astype("int64")
    table = table[
        [*meta.columns, "events", "persons", "journeys", "reach", "conversion", "exit_rate"]
    ]
    goal_table = _goal_columns(table, goals)
    met = goal_table.met.dropna()
    return KpisResult(
        title=f"KPIs per {level}",
        table=table,
        params={"level": level},
        goals_measured=int(len(met)) if len(met) else None,
        goals_met=int(met.sum()) if len(met) else None,
        goals=goal_table,
        notes=[
            "reach = persons who met it / persons with a journey; conversion and exit rate are "
            "shares of the journeys that passed through it.",
        ],
    )


ANALYSIS = Analysis(
    "kpis",
    kpis,
    example="parcours kpis --level stage",
    overview=lambda _: {"level": "touchpoint"},
)
