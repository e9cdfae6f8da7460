"""Attribution at scale, against ChannelAttribution, in one run.

    python benchmarks/attribution.py                       # 1M and 10M events
    python benchmarks/attribution.py --sizes 1M --level channel

For each size: the demo simulator writes the events as Parquet (once, cached under
benchmarks/data/, shared with benchmarks/run.py), they are ingested into a DuckDB workspace
of this benchmark, and the journey table is stored. Then parcours builds the aggregated
paths in the engine, runs its models on them, and the ChannelAttribution package (GPL-3: a
peer here, never a dependency of parcours) runs its heuristic and Markov models on the very
same paths. Each step runs in a fresh process, so its wall time and peak memory are its own
(peak memory: the process's VmHWM, imports included; not ru_maxrss, which a spawned process
inherits from its parent on Linux, and the parent may have just simulated the events).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import multiprocessing as mp  # noqa: E402

import run  # noqa: E402  (our steps are added to run.STEPS below)
from run import generate, parse_size, timer  # noqa: E402


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measured(queue, step: str, args: tuple) -> None:
    wall, detail = run.STEPS[step](*args)
    queue.put((wall, _peak_mb(), detail))


def measure(step: str, *args):
    """Run one step in a fresh process: (seconds, peak MB, what it returned)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measured, args=(queue, step, args))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _context(workspace: str):
    import parcours
    from parcours.analyses import Context
    from parcours.demo.load import demo_map

    ws = parcours.open(workspace)
    return Context(journeys=ws.con.table("bench_journeys"), map=demo_map())


def step_ingest(parquet: str, workspace: str):
    return run.step_ingest(parquet, workspace)


def step_journeys(workspace: str):
    return run.step_journeys(workspace)


def step_paths(workspace: str, level: str, out: str):
    from parcours.analyses.attribution import build_paths

    ctx = _context(workspace)
    with timer() as t:
        paths = build_paths(ctx.journeys, level).to_pandas()
    paths["path"] = paths["path"].map(lambda p: " > ".join(p) if p is not None else "")
    paths.to_parquet(out)
    return t.seconds, f"{len(paths):,} distinct paths, {int(paths.conversions.sum()):,} conversions"


def step_models(paths_file: str, models: str, order: int):
    import pandas as pd

    from parcours.analyses.attribution import attribute_paths

    paths = pd.read_parquet(paths_file)
    with timer() as t:
        r = attribute_paths(paths, models=models.split(","), order=order)
    states = r.summary.get("markov states")
    return t.seconds, f"{len(r.table)} channels" + (f", {states:,} Markov states" if states else "")


def step_time_decay(workspace: str, level: str):
    from parcours.analyses.attribution import time_decay_credit

    ctx = _context(workspace)
    with timer() as t:
        credit = time_decay_credit(ctx.journeys, level, 7 * 86400)
    return t.seconds, f"{len(credit)} channels"


def step_analysis(workspace: str, level: str):
    from parcours.analyses.attribution import attribution

    ctx = _context(workspace)
    with timer() as t:
        r = attribution(ctx, level=level)
    return t.seconds, f"every model, {len(r.table)} rows"


def step_ca_heuristic(paths_file: str):
    import pandas as pd
    from ChannelAttribution import heuristic_models

    paths = pd.read_parquet(paths_file)
    paths = paths[paths.path != ""]
    with timer() as t:
        heuristic_models(paths, "path", "conversions", var_value="value", flg_pro=False)
    return t.seconds, "first, last, linear"


def step_ca_markov(paths_file: str, order: int):
    import pandas as pd
    from ChannelAttribution import markov_model

    paths = pd.read_parquet(paths_file)
    paths = paths[paths.path != ""]
    for column in ("conversions", "nulls"):
        paths[column] = paths[column].astype("int64")
    with timer() as t:
        out = markov_model(
            paths, "path", "conversions", var_value="value", var_null="nulls", order=order,
            flg_pro=False, verbose=False,
        )  # fmt: skip
    return t.seconds, f"simulation (nsim_start 1e5), {len(out)} channels"


run.STEPS.update(
    attr_ingest=step_ingest,
    attr_journeys=step_journeys,
    attr_paths=step_paths,
    attr_models=step_models,
    attr_time_decay=step_time_decay,
    attr_analysis=step_analysis,
    ca_heuristic=step_ca_heuristic,
    ca_markov=step_ca_markov,
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1M,10M", help="event counts, e.g. 1M,10M")
    parser.add_argument("--level", default="touchpoint", choices=["touchpoint", "channel"])
    parser.add_argument("--orders", default="1,2", help="Markov orders to compare, e.g. 1,2")
    args = parser.parse_args()
    try:
        import ChannelAttribution  # noqa: F401

        peer = True
    except ImportError:
        print("(ChannelAttribution not installed: pip install channelattribution to compare)")
        peer = False

    for size in [parse_size(s) for s in args.sizes.split(",")]:
        started = time.perf_counter()
        parquet = generate(size)
        workspace = DATA / f"attribution_{size}.duckdb"
        paths_file = DATA / f"attribution_paths_{size}_{args.level}.parquet"
        print(f"\n== {size:,} events ({parquet.name}), level {args.level} ==", flush=True)
        rows = []
        if not workspace.exists():
            rows.append(("ingest + identities", *measure("attr_ingest", str(parquet), str(workspace))))  # fmt: skip
            rows.append(("journey table", *measure("attr_journeys", str(workspace))))
        ws, lv = str(workspace), args.level
        rows.append(("parcours paths (engine)", *measure("attr_paths", ws, lv, str(paths_file))))
        heuristics = "first_touch,last_touch,linear,position,shapley"
        rows.append(("parcours heuristics+shapley", *measure("attr_models", str(paths_file), heuristics, 1)))  # fmt: skip
        rows.append(("parcours time decay (engine)", *measure("attr_time_decay", ws, lv)))
        for order in map(int, args.orders.split(",")):
            rows.append((f"parcours markov order {order} (exact)", *measure("attr_models", str(paths_file), "markov", order)))  # fmt: skip
        rows.append(("parcours attribution (all, end to end)", *measure("attr_analysis", ws, lv)))  # fmt: skip
        if peer:
            rows.append(("ChannelAttribution heuristic_models", *measure("ca_heuristic", str(paths_file))))  # fmt: skip
            for order in map(int, args.orders.split(",")):
                rows.append((f"ChannelAttribution markov order {order}", *measure("ca_markov", str(paths_file), order)))  # fmt: skip
        width = max(len(r[0]) for r in rows)
        print(f"{'step':<{width}}  {'seconds':>8}  {'peak MB':>8}  detail")
        for label, wall, peak, detail in rows:
            print(f"{label:<{width}}  {wall:>8.2f}  {peak:>8.0f}  {detail}")
        print(f"(whole size run: {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
