"""Hand-written DuckDB queries computing what each analysis computes, as the yardstick of its cost.

``HAND_QUERIES[name](con, table)`` runs, on a DuckDB connection, the SQL an analyst would
write by hand over the journey table stored as ``table`` to get the figures and tables the
analysis ``name`` returns with its overview parameters (:data:`PARAMS`; the funnel's steps
are those of ``benchmarks/run.py`` on the demo map). It returns them as plain Python values
and small DataFrames; :func:`agree` says where they differ from the analysis' result.

Each query is written once, straightforwardly: one window pass where the rules need an
order, ``GROUP BY`` for the rest, a temporary table where one intermediate result feeds
several outputs. A journey's sequence is a sorted list of (step, value) structs: on DuckDB
1.5 that costs a third of ``string_agg(... ORDER BY step)`` or ``list(... ORDER BY step)``.
None of them is tuned to the demo data.

* funnel: ordered, 14 days, counted once per person at the furthest step of any attempt;
  the latest attempt start reaching step k-1 before an event is a running maximum
  (``MAX() OVER (... ROWS UNBOUNDED PRECEDING AND 1 PRECEDING)``) per step; the kept attempt
  of a person is the latest-starting one reaching their furthest step; the time to step k is
  from its first event at step k-1 to its first at step k; the weekly conversion table.
* paths: touchpoint paths, consecutive repeats merged, cut at 5; the Sankey flows of the first
  5 steps; loop, back and skip over the whole mapped journeys.
* process: the directly-follows edges with mean and median times, the nodes, the variants.
* kpis: per touchpoint events, persons, journeys, converted journeys and exits.
* channels: the channel figures, the mix per stage, switches, levels, figures per persona.
* ``hand_dfg`` (not an analysis): the directly-follows edges with times, alone.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd

TARGET = 1.5  # analysis CPU / hand query CPU
DFG_TARGET = 1.2

FUNNEL_STEPS = ["panier", "debut_commande", "paiement_web", "achat_en_ligne"]
FUNNEL_WINDOW_S = 14 * 86_400
PATH_LENGTH = 5
OFFLINE = ("magasin", "store")
COLLECT = ("click_collect", "click_collect_pickup", "pickup", "store_pickup")

# The parameters each analysis runs with (its overview parameters and defaults).
PARAMS: dict[str, dict[str, Any]] = {
    "funnel": {"steps": FUNNEL_STEPS},
    "paths": {"level": "touchpoint", "length": PATH_LENGTH},
    "process": {"level": "touchpoint", "case": "journey"},
    "kpis": {"level": "touchpoint"},
    "channels": {},
}


def _in(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


@contextmanager
def _temp(con: duckdb.DuckDBPyConnection, label: str) -> Iterator[Callable[[str], str]]:
    """Temporary table names of one call, dropped at the end."""
    made: list[str] = []

    def name(part: str) -> str:
        made.append(f"_hand_{label}_{part}_{uuid.uuid4().hex[:8]}")
        return made[-1]

    try:
        yield name
    finally:
        for table in reversed(made):
            con.execute(f"DROP TABLE IF EXISTS {table}")


# -- funnel ---------------------------------------------------------------------------------


def funnel(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    steps, window, n = FUNNEL_STEPS, FUNNEL_WINDOW_S, len(FUNNEL_STEPS)
    which = " ".join(f"WHEN '{s}' THEN {k}" for k, s in enumerate(steps, 1))
    levels = [
        f"""l1 AS (
          SELECT person_id, t, k, ts, event_id, CASE WHEN k = 1 THEN t END AS e1
          FROM (SELECT person_id, CAST(epoch(ts) AS BIGINT) AS t, ts, event_id,
                       CASE touchpoint {which} END AS k
                FROM {table} WHERE touchpoint IN {_in(steps)}))"""
    ]
    for k in range(2, n + 1):
        previous = ", ".join(f"e{j}" for j in range(1, k))
        levels.append(
            f"""l{k} AS (
          SELECT person_id, t, k, ts, event_id, {previous},
                 CASE WHEN k = {k} AND t - p <= {window} THEN p END AS e{k}
          FROM (SELECT *, max(e{k - 1}) OVER (PARTITION BY person_id ORDER BY t, k, ts, event_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS p FROM l{k - 1}))"""
        )
    level = " ".join(f"WHEN e{k} IS NOT NULL THEN {k}" for k in range(n, 0, -1))
    starts = ", ".join(f"e{k}" for k in range(n, 0, -1))
    firsts = ", ".join(f"min(t) FILTER (WHERE e{k} = fixed) AS t{k}" for k in range(1, n + 1))
    times = ", ".join(
        f"CAST(CASE WHEN K >= {k} THEN t{k} - t{k - 1} END AS DOUBLE) AS d{k}"
        for k in range(2, n + 1)
    )
    # The kept attempt of a person: the latest start among those reaching their furthest
    # step K. It reaches step k at the events whose latest attempt there starts at it (a
    # later one reaching step k there would reach step K too).
    with _temp(con, "funnel") as temp:
        persons = temp("persons")
        con.execute(
            f"""CREATE TEMP TABLE {persons} AS
        WITH {", ".join(levels)},
        lv AS (SELECT person_id, t, {", ".join(f"e{k}" for k in range(1, n + 1))},
                      CASE {level} ELSE 0 END AS lvl, coalesce({starts}) AS st FROM l{n}),
        kept AS (SELECT person_id, max({{'lvl': lvl, 'st': st}}) AS best
                 FROM lv WHERE lvl > 0 GROUP BY person_id),
        firsts AS (SELECT person_id, any_value(best.lvl) AS K, any_value(best.st) AS fixed,
                          {firsts}
                   FROM (SELECT lv.*, kept.best, kept.best.st AS fixed
                         FROM lv JOIN kept USING (person_id))
                   GROUP BY person_id)
        SELECT person_id, K, fixed, {times} FROM firsts"""
        )
        counts = ", ".join(f"count(*) FILTER (WHERE K >= {k})" for k in range(1, n + 1))
        stats = ", ".join(f"avg(d{k}), median(d{k})" for k in range(2, n + 1))
        row = con.sql(f"SELECT {counts}, {stats} FROM {persons}").fetchone()
        over = con.sql(
            f"""SELECT date_trunc('week', to_timestamp(fixed)) AS period, count(*) AS entered,
                       count(*) FILTER (WHERE K = {n}) AS converted
                FROM {persons} GROUP BY 1 ORDER BY 1"""
        ).df()
    assert row is not None
    return {
        "persons": [int(v) for v in row[:n]],
        "avg": [math.nan, *(_num(row[n + 2 * i]) for i in range(n - 1))],
        "median": [math.nan, *(_num(row[n + 2 * i + 1]) for i in range(n - 1))],
        "over_time": over,
    }


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


# -- paths ----------------------------------------------------------------------------------


def paths(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    length = PATH_LENGTH
    with _temp(con, "paths") as temp:
        journeys = temp("journeys")
        con.execute(
            f"""CREATE TEMP TABLE {journeys} AS
            WITH m AS (
              SELECT journey_id, step, touchpoint, stage_index, converted,
                     lag(touchpoint) OVER w AS prev, lag(stage_index) OVER w AS prev_stage
              FROM {table} WHERE touchpoint <> 'unmapped'
              WINDOW w AS (PARTITION BY journey_id ORDER BY step))
            SELECT journey_id,
                   list_transform(list_sort(list({{'step': step, 'tp': touchpoint}})
                     FILTER (WHERE prev IS NULL OR prev <> touchpoint)), x -> x.tp) AS runs,
                   bool_or(converted) AS converted,
                   count(DISTINCT touchpoint) AS touchpoints,
                   coalesce(bool_or(stage_index < prev_stage), false) AS back,
                   coalesce(bool_or(stage_index > prev_stage + 1), false) AS skip
            FROM m GROUP BY journey_id"""
        )
        top = con.sql(
            f"""SELECT array_to_string(runs[1:{length}], ' > ')
                         || CASE WHEN len(runs) > {length} THEN ' > …' ELSE '' END AS path,
                       least(len(runs), {length}) AS steps, count(*) AS journeys,
                       sum(converted::BIGINT) AS converted
                FROM {journeys} GROUP BY 1, 2 ORDER BY journeys DESC, path"""
        ).df()
        flows = con.sql(
            f"""SELECT i - 1 AS step, runs[i - 1] AS source, runs[i] AS target,
                       count(*) AS journeys
                FROM (SELECT runs, unnest(range(2, least(len(runs), {length}) + 1)) AS i
                      FROM {journeys})
                GROUP BY 1, 2, 3 ORDER BY step, journeys DESC, source, target"""
        ).df()
        flags = con.sql(
            f"""SELECT count(*) FILTER (WHERE len(runs) > touchpoints) AS loop,
                       count(*) FILTER (WHERE back) AS back,
                       count(*) FILTER (WHERE skip) AS skip,
                       count(*) FILTER (WHERE len(runs) > touchpoints OR back OR skip) AS any
                FROM {journeys}"""
        ).df()
    total = int(top.journeys.sum())
    return {
        "journeys": total,
        "distinct_paths": len(top),
        "top": top.head(20).reset_index(drop=True),
        "flows": flows,
        "nonlinear": {k: int(flags[k].iloc[0]) for k in ("loop", "back", "skip", "any")},
    }


# -- process --------------------------------------------------------------------------------

DFG = """
SELECT source, target, count(*) AS frequency, avg(seconds) AS mean_time_s,
       median(seconds) AS median_time_s
FROM (SELECT lag(touchpoint) OVER w AS source, touchpoint AS target,
             epoch(ts) - lag(epoch(ts)) OVER w AS seconds
      FROM {table} WHERE touchpoint <> 'unmapped'
      WINDOW w AS (PARTITION BY journey_id ORDER BY step))
WHERE source IS NOT NULL GROUP BY 1, 2
"""


def hand_dfg(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """The directly-follows edges of the touchpoints with mean and median times."""
    return con.sql(DFG.format(table=table)).df()


def process(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    with _temp(con, "process") as temp:
        pairs = temp("pairs")
        con.execute(
            f"""CREATE TEMP TABLE {pairs} AS
            SELECT journey_id, touchpoint AS target, lag(touchpoint) OVER w AS source,
                   epoch(ts) - lag(epoch(ts)) OVER w AS seconds,
                   lead(step) OVER w IS NULL AS last
            FROM {table} WHERE touchpoint <> 'unmapped'
            WINDOW w AS (PARTITION BY journey_id ORDER BY step)"""
        )
        edges = con.sql(
            f"""SELECT source, target, count(*) AS frequency, avg(seconds) AS mean_time_s,
                       median(seconds) AS median_time_s
                FROM {pairs} WHERE source IS NOT NULL GROUP BY 1, 2"""
        ).df()
        nodes = con.sql(
            f"""SELECT target AS touchpoint, count(*) AS events,
                       count(DISTINCT journey_id) AS cases,
                       count(*) FILTER (WHERE source IS NULL) AS starts,
                       count(*) FILTER (WHERE last) AS ends
                FROM {pairs} GROUP BY 1"""
        ).df()
    variants = con.sql(
        f"""SELECT variant, length, count(*) AS cases, sum(converted::BIGINT) AS converted
            FROM (SELECT array_to_string(list_transform(
                           list_sort(list({{'step': step, 'tp': touchpoint}})), x -> x.tp),
                           ' > ') AS variant,
                         count(*) AS length, bool_or(converted) AS converted
                  FROM {table} WHERE touchpoint <> 'unmapped' GROUP BY journey_id)
            GROUP BY 1, 2 ORDER BY cases DESC, variant"""
    ).df()
    return {
        "edges": edges,
        "nodes": nodes,
        "cases": int(variants.cases.sum()),
        "distinct_variants": len(variants),
        "variants": variants.head(20).reset_index(drop=True),
    }


# -- kpis -----------------------------------------------------------------------------------


def kpis(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    return con.sql(
        f"""WITH per AS (
              SELECT touchpoint AS id, count(*) AS events, count(DISTINCT person_id) AS persons,
                     count(DISTINCT journey_id) AS journeys,
                     count(DISTINCT journey_id) FILTER (WHERE converted) AS converted
              FROM {table} WHERE touchpoint <> 'unmapped' GROUP BY 1),
            exits AS (
              SELECT last AS id, count(*) AS exits
              FROM (SELECT arg_max(touchpoint, step) AS last, bool_or(converted) AS converted
                    FROM {table} GROUP BY journey_id)
              WHERE NOT converted GROUP BY 1),
            everyone AS (SELECT count(DISTINCT person_id) AS n FROM {table})
        SELECT per.*, coalesce(exits.exits, 0) AS exits,
               per.persons / everyone.n AS reach, per.converted / per.journeys AS conversion,
               coalesce(exits.exits, 0) / per.journeys AS exit_rate
        FROM per LEFT JOIN exits USING (id) CROSS JOIN everyone ORDER BY id"""
    ).df()


# -- channels -------------------------------------------------------------------------------


def channels(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    off, collect = _in(OFFLINE), _in(COLLECT)
    with _temp(con, "channels") as temp:
        ev, jt, pt = temp("events"), temp("journeys"), temp("persons")
        con.execute(
            f"""CREATE TEMP TABLE {ev} AS
            WITH w AS (
              SELECT person_id, journey_id, ts, event_id, channel, event, touchpoint, stage,
                     stage_index, is_conversion, persona, properties,
                     coalesce(channel IN {off}, false) AS off,
                     coalesce(channel IS NOT NULL AND channel NOT IN {off}, false) AS on_,
                     lag(channel) OVER j AS prev_channel,
                     lag(coalesce(channel IN {off}, false)) OVER j AS prev_off,
                     max(CASE WHEN is_conversion THEN stage_index END) OVER whole AS conv_stage
              FROM {table}
              WINDOW j AS (PARTITION BY journey_id ORDER BY step),
                     whole AS (PARTITION BY journey_id)),
            n AS (
              SELECT *, (conv_stage IS NULL
                         OR stage_index BETWEEN conv_stage - 1 AND conv_stage) AS near,
                     (touchpoint IN {collect} OR coalesce(stage, '') IN {collect}
                      OR event IN {collect} OR coalesce(channel, '') IN {collect})
                     AND NOT is_conversion AS pickup
              FROM w)
            SELECT person_id, journey_id, ts, event_id, channel, touchpoint, stage,
                   is_conversion, persona, off, on_, prev_channel,
                   coalesce(prev_channel IS NOT NULL AND prev_channel <> channel, false)
                     AS switch,
                   coalesce(prev_off IS NOT NULL AND prev_off <> off, false) AS border,
                   coalesce(near AND on_ AND NOT is_conversion, false) AS research,
                   coalesce(off AND near AND NOT pickup AND NOT is_conversion, false)
                     AS showroom,
                   coalesce(pickup, false) AS pickup,
                   CASE WHEN is_conversion AND on_
                        THEN json_extract_string(properties, '$.fulfilment') END AS fulfilment
            FROM n"""
        )
        con.execute(
            f"""CREATE TEMP TABLE {jt} AS
            WITH base AS (
              SELECT person_id, journey_id, max(persona) AS persona,
                     count(DISTINCT channel) AS channels, sum(switch::BIGINT) AS switches,
                     sum(border::BIGINT) AS borders, bool_or(on_) AS online,
                     bool_or(off) AS offline, bool_or(is_conversion) AS converted,
                     bool_or(is_conversion AND on_) AS conv_online,
                     bool_or(is_conversion AND off) AS conv_offline,
                     bool_or(research) AS research, bool_or(showroom) AS showroom,
                     bool_or(is_conversion AND on_ AND coalesce(fulfilment IN {collect}, false))
                       AS collect_flag
              FROM {ev} GROUP BY 1, 2),
            orders AS (
              SELECT person_id, journey_id, is_conversion AND on_ AS conv_on, pickup,
                     sum((is_conversion AND on_)::BIGINT) OVER (PARTITION BY person_id
                       ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS g
              FROM {ev} WHERE (is_conversion AND on_) OR pickup),
            picked AS (SELECT DISTINCT person_id, g FROM orders WHERE pickup AND g > 0),
            collected AS (
              SELECT o.journey_id, bool_or(p.g IS NOT NULL) AS picked
              FROM orders o LEFT JOIN picked p ON o.person_id = p.person_id AND o.g = p.g
              WHERE o.conv_on GROUP BY 1)
            SELECT base.*, channels >= 2 AS mixes, conv_offline AND research AS ropo,
                   conv_online AND showroom AS showrooming,
                   conv_online AND (collect_flag OR coalesce(picked, false)) AS click_collect,
                   borders >= 2 AS back_and_forth
            FROM base LEFT JOIN collected USING (journey_id)"""
        )
        con.execute(
            f"""CREATE TEMP TABLE {pt} AS
            WITH pp AS (
              SELECT person_id, count(DISTINCT channel) AS channels, bool_or(on_) AS online,
                     bool_or(off) AS offline
              FROM {ev} GROUP BY 1),
            js AS (
              SELECT person_id, max(persona) AS persona, bool_or(switches > 0) AS crossing,
                     bool_or(back_and_forth) AS omni, bool_or(converted) AS buyer,
                     bool_or(ropo) AS ropo, bool_or(showrooming) AS showrooming,
                     bool_or(click_collect) AS click_collect
              FROM {jt} GROUP BY 1)
            SELECT *, CASE WHEN omni THEN 'omnichannel' WHEN crossing THEN 'cross-channel'
                           WHEN channels >= 2 THEN 'multichannel' ELSE 'single-channel' END
                      AS level
            FROM pp JOIN js USING (person_id)"""
        )
        j = (
            con.sql(
                f"""SELECT count(*) AS journeys, count(*) FILTER (WHERE mixes) AS mixing,
                       count(*) FILTER (WHERE converted) AS converted,
                       sum(switches) AS switches, count(*) FILTER (WHERE ropo) AS ropo,
                       count(*) FILTER (WHERE showrooming) AS showrooming,
                       count(*) FILTER (WHERE click_collect) AS click_collect
                FROM {jt}"""
            )
            .df()
            .iloc[0]
        )
        p = (
            con.sql(
                f"""SELECT count(*) AS persons, count(*) FILTER (WHERE channels >= 2) AS multi,
                       count(*) FILTER (WHERE buyer) AS buyers,
                       count(*) FILTER (WHERE offline) AS offline,
                       count(*) FILTER (WHERE offline AND online) AS stitched,
                       count(*) FILTER (WHERE ropo) AS ropo,
                       count(*) FILTER (WHERE showrooming) AS showrooming,
                       count(*) FILTER (WHERE click_collect) AS click_collect
                FROM {pt}"""
            )
            .df()
            .iloc[0]
        )
        levels = con.sql(f"SELECT level, count(*) AS persons FROM {pt} GROUP BY 1").df()
        by_persona = con.sql(
            f"""WITH js AS (
                  SELECT coalesce(persona, '(none)') AS persona, count(*) AS journeys,
                         count(*) FILTER (WHERE converted) AS converted,
                         count(*) FILTER (WHERE mixes) AS mixing,
                         count(*) FILTER (WHERE ropo) AS ropo,
                         count(*) FILTER (WHERE showrooming) AS showrooming,
                         count(*) FILTER (WHERE click_collect) AS click_collect
                  FROM {jt} GROUP BY 1),
                ps AS (
                  SELECT coalesce(persona, '(none)') AS persona, count(*) AS persons,
                         count(*) FILTER (WHERE level IN ('cross-channel', 'omnichannel'))
                           AS crossing,
                         count(*) FILTER (WHERE level = 'omnichannel') AS omni
                  FROM {pt} GROUP BY 1)
                SELECT * FROM js JOIN ps USING (persona) ORDER BY persona"""
        ).df()
        mix = con.sql(
            f"""WITH m AS (SELECT * FROM {ev} WHERE touchpoint <> 'unmapped' AND stage IS NOT NULL),
                per AS (SELECT stage, channel, count(*) AS events,
                               count(DISTINCT person_id) AS persons FROM m GROUP BY 1, 2),
                tot AS (SELECT stage, count(*) AS stage_events,
                               count(DISTINCT person_id) AS stage_persons FROM m GROUP BY 1)
                SELECT stage, channel, events, persons, events / stage_events AS share_events,
                       persons / stage_persons AS share_persons
                FROM per JOIN tot USING (stage)"""
        ).df()
        switches = con.sql(
            f"""SELECT prev_channel AS from_channel, channel AS to_channel, count(*) AS switches,
                       count(DISTINCT journey_id) AS journeys,
                       count(DISTINCT person_id) AS persons
                FROM {ev} WHERE switch GROUP BY 1, 2
                ORDER BY switches DESC, from_channel, to_channel"""
        ).df()
    counts = dict(zip(levels.level, levels.persons, strict=True))
    order = ("single-channel", "multichannel", "cross-channel", "omnichannel")
    reached = [sum(counts.get(lv, 0) for lv in order[i:]) / p.persons for i in range(4)]
    reading = [lv for lv, share in zip(order, reached, strict=True) if share >= 0.2]
    return {
        "persons": int(p.persons),
        "journeys": int(j.journeys),
        "converted_journeys": int(j.converted),
        "multichannel_person_share": p.multi / p.persons,
        "mixing_journey_share": j.mixing / j.journeys,
        "channel_switches": int(j.switches),
        "ropo_journeys": int(j.ropo),
        "showrooming_journeys": int(j.showrooming),
        "click_collect_journeys": int(j.click_collect),
        "stitched_share": p.stitched / p.offline if p.offline else math.nan,
        "reading": reading[-1] if reading else "single-channel",
        "levels": {lv: int(counts.get(lv, 0)) for lv in order},
        "mix": mix,
        "switches": switches,
        "by_persona": by_persona,
    }


HAND_QUERIES: dict[str, Callable[[duckdb.DuckDBPyConnection, str], object]] = {
    "funnel": funnel,
    "paths": paths,
    "process": process,
    "kpis": kpis,
    "channels": channels,
}


# -- agreement ------------------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and isinstance(b, float)):
        a = math.nan if a is None else float(a)
        b = math.nan if b is None else float(b)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _same_frame(label: str, ours: pd.DataFrame, theirs: pd.DataFrame, key: list[str]) -> list[str]:
    """Rows of the two frames, sorted by ``key``, column by column (the columns of both)."""
    a = ours.sort_values(key).reset_index(drop=True)
    b = theirs.sort_values(key).reset_index(drop=True)
    if len(a) != len(b):
        return [f"{label}: {len(a)} rows here, {len(b)} by hand"]
    problems = []
    for column in [c for c in b.columns if c in a.columns]:
        bad = [
            i for i, (x, y) in enumerate(zip(a[column], b[column], strict=True)) if not _close(x, y)
        ]
        if bad:
            i = bad[0]
            problems.append(
                f"{label}.{column}: {len(bad)} rows differ, e.g. {a.loc[i].to_dict()} vs "
                f"{b.loc[i].to_dict()}"
            )
    return problems


def agree(name: str, ours: Any, theirs: Any) -> list[str]:
    """What differs between the analysis' result ``ours`` and the hand query's ``theirs``."""
    problems: list[str] = []
    if name == "dfg":
        return _same_frame("edges", ours.to_pandas(), theirs, ["source", "target"])
    if name == "funnel":
        table = ours.table
        for field, column in (
            ("persons", "persons"),
            ("avg", "avg_time_s"),
            ("median", "median_time_s"),
        ):
            if not all(_close(x, y) for x, y in zip(table[column], theirs[field], strict=True)):
                problems.append(f"{field}: {list(table[column])} vs {theirs[field]}")
        over = ours.over_time.assign(period=lambda f: pd.to_datetime(f.period, utc=True))
        hand = theirs["over_time"].assign(period=lambda f: pd.to_datetime(f.period, utc=True))
        problems += _same_frame("over_time", over, hand, ["period"])
    elif name == "paths":
        for field in ("journeys", "distinct_paths"):
            if getattr(ours, field) != theirs[field]:
                problems.append(f"{field}: {getattr(ours, field)} vs {theirs[field]}")
        top = theirs["top"].assign(conversion_rate=lambda f: f.converted / f.journeys)
        problems += _same_frame("top", ours.table, top, ["journeys", "path"])
        problems += _same_frame("flows", ours.flows, theirs["flows"], ["step", "source", "target"])
        counts = dict(zip(ours.nonlinear.kind, ours.nonlinear.journeys, strict=True))
        if counts != theirs["nonlinear"]:
            problems.append(f"nonlinear: {counts} vs {theirs['nonlinear']}")
    elif name == "process":
        for field in ("cases", "distinct_variants"):
            if getattr(ours, field) != theirs[field]:
                problems.append(f"{field}: {getattr(ours, field)} vs {theirs[field]}")
        problems += _same_frame("edges", ours.table, theirs["edges"], ["source", "target"])
        problems += _same_frame("nodes", ours.nodes, theirs["nodes"], ["touchpoint"])
        hand = theirs["variants"].assign(conversion_rate=lambda f: f.converted / f.cases)
        problems += _same_frame("variants", ours.variants, hand, ["cases", "variant"])
    elif name == "kpis":
        table = ours.table[ours.table.events > 0]
        problems += _same_frame("kpis", table, theirs.drop(columns=["converted", "exits"]), ["id"])
    elif name == "channels":
        for field, value in theirs.items():
            if isinstance(value, pd.DataFrame):
                continue
            if field == "levels":
                mine = dict(zip(ours.levels.level, ours.levels.persons, strict=True))
                if mine != value:
                    problems.append(f"levels: {mine} vs {value}")
            elif not _close(getattr(ours, field), value):
                problems.append(f"{field}: {getattr(ours, field)} vs {value}")
        problems += _same_frame("mix", ours.table, theirs["mix"], ["stage", "channel"])
        problems += _same_frame(
            "switches", ours.switches, theirs["switches"], ["from_channel", "to_channel"]
        )
        hand = theirs["by_persona"]
        hand = hand.assign(
            mixing=hand.mixing / hand.journeys,
            cross_channel=hand.crossing / hand.persons,
            omnichannel=hand.omni / hand.persons,
        )
        for column in ("ropo", "showrooming", "click_collect"):
            hand[column] = hand[column] / hand.converted.where(hand.converted > 0)
        problems += _same_frame(
            "by_persona", ours.by_persona, hand.drop(columns=["crossing", "omni"]), ["persona"]
        )
    return problems
