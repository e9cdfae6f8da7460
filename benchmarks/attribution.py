"""Attribution at scale: parcours against DuckDB by hand and against ChannelAttribution, in one run.

    python benchmarks/attribution.py                       # 1M and 10M events
    python benchmarks/attribution.py --sizes 1M --level channel
    python benchmarks/attribution.py --events benchmarks/data/events_1000000.parquet

For each size the events (``benchmarks/generate.py``, cached under benchmarks/data/ and shared
with benchmarks/run.py; or ``--events FILE``, e.g. the demo simulator's) are ingested into a
DuckDB workspace of this benchmark, named after the events file, and the journey table is
stored (``bench_journeys``). Then each step runs in a fresh process (``benchmarks/measure.py``:
wall seconds, CPU seconds of every thread, peak memory):

  paths         parcours builds the aggregated paths in the engine (``build_paths``, to Arrow)
  by hand       the same aggregated paths by the hand-written DuckDB query below (HAND_PATHS),
                and by the textbook one with an ordered aggregate (HAND_PATHS_ORDERED); the two
                results are checked equal to parcours', and the ratio of CPU seconds printed
                (target: parcours within 1.5 times the faster hand query), for the first run
                in a fresh process and for a second, warm one
  models        each model alone on those paths (read once, then timed one by one), then
                ``attribute_paths`` with every model but time decay
  time decay    in the engine (it needs the touches' timestamps)
  end to end    ``attribution(ctx)`` with every model, as the CLI runs it
  peers         the ChannelAttribution package (GPL-3: a peer here, never a dependency of
                parcours) runs its heuristic and Markov models on the very same paths
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import steps  # noqa: E402
from generate import events_file, parse_size  # noqa: E402
from measure import Clock, Figure, in_fresh_process  # noqa: E402

TARGET = 1.5  # parcours' paths against the hand-written query (CPU seconds)

# The aggregated paths by hand: per journey its touches (mapped, not the conversion), whether
# it converted and its revenue; then per path. The touches are collected as (step, name)
# pairs and sorted afterwards: DuckDB runs this about 3 times faster than HAND_PATHS_ORDERED.
HAND_PATHS = """
WITH per_journey AS (
  SELECT journey_id,
         list_transform(
           list_sort(list({{'step': step, 'key': {level}}})
                     FILTER (WHERE touchpoint <> 'unmapped' AND NOT is_conversion
                                   AND {level} IS NOT NULL)),
           x -> x.key) AS path,
         bool_or(is_conversion) AS converted,
         sum(CASE WHEN is_conversion THEN coalesce(revenue, 0) ELSE 0 END) AS value
  FROM bench_journeys GROUP BY journey_id
)
SELECT path, sum(converted::BIGINT) AS conversions, sum(value) AS value,
       sum((NOT converted)::BIGINT) AS nulls
FROM per_journey GROUP BY path
"""
# The same with the ordered aggregate the DuckDB documentation shows first.
HAND_PATHS_ORDERED = """
WITH per_journey AS (
  SELECT journey_id,
         list({level} ORDER BY step)
           FILTER (WHERE touchpoint <> 'unmapped' AND NOT is_conversion
                         AND {level} IS NOT NULL) AS path,
         bool_or(is_conversion) AS converted,
         sum(CASE WHEN is_conversion THEN coalesce(revenue, 0) ELSE 0 END) AS value
  FROM bench_journeys GROUP BY journey_id
)
SELECT path, sum(converted::BIGINT) AS conversions, sum(value) AS value,
       sum((NOT converted)::BIGINT) AS nulls
FROM per_journey GROUP BY path
"""

MODELS = ("first_touch", "last_touch", "linear", "position", "shapley", "shapley_ordered")


def _context(workspace: str):
    import parcours
    from parcours.analyses import Context
    from parcours.demo.load import demo_map

    ws = parcours.open(workspace)
    return Context(journeys=ws.con.table(steps.JOURNEYS), map=demo_map())


def _same_paths(a, b) -> bool:
    """Whether two aggregated paths tables (path, conversions, value, nulls) agree."""

    def rows(table):
        columns = (table.column(c).to_pylist() for c in ("path", "conversions", "value", "nulls"))
        return {tuple(p or ()): (c, v, n) for p, c, v, n in zip(*columns, strict=True)}

    x, y = rows(a), rows(b)
    return x.keys() == y.keys() and all(
        x[k][0] == y[k][0] and x[k][2] == y[k][2] and math.isclose(x[k][1], y[k][1], rel_tol=1e-9, abs_tol=1e-6)
        for k in x
    )  # fmt: skip


# -- steps (each in a fresh process) ---------------------------------------------------------


def step_paths(workspace: str, level: str, out: str) -> list[Figure]:
    import pyarrow.parquet as pq

    from parcours.analyses.attribution import build_paths

    ctx = _context(workspace)
    first, again = Clock(), Clock()
    with first:
        paths = build_paths(ctx.journeys, level).to_pyarrow()
    with again:
        build_paths(ctx.journeys, level).to_pyarrow()
    pq.write_table(paths, out)
    conversions = sum(c for c in paths.column("conversions").to_pylist() if c)
    detail = f"{paths.num_rows:,} distinct paths, {conversions:,} conversions"
    return [
        first.figure("parcours paths (engine)", detail),
        again.figure("parcours paths, again (warm)", "same process"),
    ]


def step_hand_paths(workspace: str, level: str, ordered: bool, ours: str) -> list[Figure]:
    import duckdb
    import pyarrow.parquet as pq

    sql = (HAND_PATHS_ORDERED if ordered else HAND_PATHS).format(level=level)
    con = duckdb.connect(workspace, read_only=True)
    first, again = Clock(), Clock()
    with first:
        paths = con.sql(sql).to_arrow_table()
    with again:
        con.sql(sql).to_arrow_table()
    same = _same_paths(paths, pq.read_table(ours))
    label = "hand paths, ordered aggregate" if ordered else "hand paths (list_sort)"
    return [
        first.figure(label, f"{paths.num_rows:,} distinct paths; same as parcours: {same}"),
        again.figure(f"{label}, again (warm)", "same process"),
    ]


def step_models(paths_file: str, orders: str) -> list[Figure]:
    import pyarrow.parquet as pq
    import scipy.sparse.linalg  # noqa: F401  (imported by markov: not part of its time)

    from parcours.analyses import _attribution_models as m
    from parcours.analyses.attribution import MODELS as ALL
    from parcours.analyses.attribution import attribute_paths, read_paths

    table = pq.read_table(paths_file)
    figures = []

    def timed(label, fn):
        clock = Clock()
        with clock:
            out = fn()
        figures.append(clock.figure(label))
        return out

    paths = timed("read paths (Arrow to flat arrays)", lambda: read_paths(table))
    figures[-1].detail = f"{len(paths):,} paths, {len(paths.code):,} touches, {len(paths.names)} channels"  # fmt: skip
    touches = timed("touches (shared by the heuristics)", lambda: m.touches(paths))
    runs = {
        "first_touch": lambda: m.first_touch(touches),
        "last_touch": lambda: m.last_touch(touches),
        "linear": lambda: m.linear(touches),
        "position": lambda: m.position_based(touches),
        "shapley": lambda: m.shapley(touches),
        "shapley_ordered": lambda: m.shapley(touches, ordered=True),
    }
    for name in MODELS:
        timed(name, runs[name])
    for order in map(int, orders.split(",")):
        chain = timed(f"markov order {order} (exact)", lambda o=order: m.markov(paths, o))
        figures[-1].detail = f"{chain.states:,} states"
    chosen = [x for x in ALL if x != "time_decay"]
    timed("attribute_paths (all but time decay)", lambda: attribute_paths(table, models=chosen))
    return figures


def step_time_decay(workspace: str, level: str) -> list[Figure]:
    from parcours.analyses.attribution import time_decay_credit

    ctx = _context(workspace)
    clock = Clock()
    with clock:
        credit = time_decay_credit(ctx.journeys, level, 7 * 86400)
    return [clock.figure("parcours time decay (engine)", f"{len(credit)} channels")]


def step_analysis(workspace: str, level: str) -> list[Figure]:
    import scipy.sparse.linalg  # noqa: F401

    from parcours.analyses.attribution import attribution

    ctx = _context(workspace)
    clock = Clock()
    with clock:
        r = attribution(ctx, level=level)
    return [clock.figure("parcours attribution (all, end to end)", f"{len(r.table)} rows")]


def _text_paths(paths_file: str):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(paths_file)
    frame = table.drop_columns("path").to_pandas()
    frame.insert(0, "path", pc.binary_join(table.column("path"), " > ").to_pandas())
    frame = frame[frame.path.fillna("") != ""]
    for column in ("conversions", "nulls"):
        frame[column] = frame[column].astype("int64")
    return frame


def step_ca_heuristic(paths_file: str) -> list[Figure]:
    from ChannelAttribution import heuristic_models

    paths = _text_paths(paths_file)
    clock = Clock()
    with clock:
        heuristic_models(paths, "path", "conversions", var_value="value", flg_pro=False)
    return [clock.figure("ChannelAttribution heuristic_models", "first, last, linear")]


def step_ca_markov(paths_file: str, order: int) -> list[Figure]:
    from ChannelAttribution import markov_model

    paths = _text_paths(paths_file)
    clock = Clock()
    with clock:
        out = markov_model(
            paths, "path", "conversions", var_value="value", var_null="nulls", order=order,
            flg_pro=False, verbose=False,
        )  # fmt: skip
    label = f"ChannelAttribution markov order {order}"
    return [clock.figure(label, f"simulation (nsim_start 1e5), {len(out)} channels")]


# -- the run -----------------------------------------------------------------------------------


def measure_size(events: Path, level: str, orders: str, peer_orders: str, peer: bool) -> list[Figure]:  # fmt: skip
    workspace = DATA / f"attribution_{events.stem}.duckdb"
    paths_file = DATA / f"attribution_paths_{events.stem}_{level}.parquet"
    ws, out = str(workspace), str(paths_file)
    figures: list[Figure] = []

    def run(label, func, *args):
        got = in_fresh_process(label, func, *args)
        for f in got:
            print(_line(f), flush=True)
        figures.extend(got)
        return got

    if not workspace.exists():
        run("ingest", steps.ingest, str(events), ws)
        run("identity", steps.identity, ws)
        run("journey table", steps.store_journeys, ws)
    ours = run("parcours paths", step_paths, ws, level, out)
    hand = run("hand paths", step_hand_paths, ws, level, False, out)
    run("hand paths ordered", step_hand_paths, ws, level, True, out)
    run("models", step_models, out, orders)
    run("time decay", step_time_decay, ws, level)
    run("end to end", step_analysis, ws, level)
    if peer:
        run("ca heuristic", step_ca_heuristic, out)
        for order in map(int, peer_orders.split(",")):
            run(f"ca markov {order}", step_ca_markov, out, order)
    for when, a, b in zip(("fresh process", "warm"), ours, hand, strict=False):
        if a.cpu and b.cpu:
            ratio = a.cpu / b.cpu
            verdict = "met" if ratio <= TARGET else "missed"
            print(f"paths ({when}): parcours / hand-written query = {ratio:.2f} CPU seconds "
                  f"({a.cpu:.2f} / {b.cpu:.2f}; target <= {TARGET}: {verdict})")  # fmt: skip
    return figures


def _line(f: Figure) -> str:
    if f.error:
        return f"{f.label:<46}  error: {f.error}"
    return f"{f.label:<46}  {f.wall or 0:>7.2f}  {f.cpu or 0:>7.2f}  {f.peak_mb or 0:>7.0f}  {f.detail}"  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1M,10M", help="event counts, e.g. 1M,10M")
    parser.add_argument("--events", help="an events file to use instead of generated ones")
    parser.add_argument("--level", default="touchpoint", choices=["touchpoint", "channel"])
    parser.add_argument("--orders", default="1,2,3,4", help="parcours' Markov orders timed")
    parser.add_argument("--peer-orders", default="1,2", help="ChannelAttribution's Markov orders")
    args = parser.parse_args()
    try:
        import ChannelAttribution  # noqa: F401

        peer = True
    except ImportError:
        print("(ChannelAttribution not installed: pip install channelattribution to compare)")
        peer = False
    files = (
        [Path(args.events)]
        if args.events
        else [events_file(parse_size(s), verbose=True) for s in args.sizes.split(",")]
    )
    for events in files:
        started = time.perf_counter()
        print(f"\n== {events.name}, level {args.level} ==")
        print(f"{'step':<46}  {'wall s':>7}  {'cpu s':>7}  {'peak MB':>7}  detail", flush=True)
        measure_size(events, args.level, args.orders, args.peer_orders, peer)
        print(f"(whole run: {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
