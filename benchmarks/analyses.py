"""Each analysis against a hand-written DuckDB query computing the same figures, in CPU time.

    python benchmarks/analyses.py                       # 1M events, every analysis, 3 runs
    python benchmarks/analyses.py --only funnel,paths --runs 5
    python benchmarks/analyses.py --check               # results agree? (no timing)

The demo simulator (:func:`parcours.demo.load.load_demo`: events, CRM rows, feedback) fills a
workspace under benchmarks/data/ once, and its journey table is stored as a real table
(``bench_journeys``). Then, for each analysis of :data:`hand_queries.HAND_QUERIES`, the
analysis runs on a context whose journeys is that stored table, and the hand-written query of
``hand_queries`` runs on the same DuckDB connection; each is timed in CPU seconds of this
process (user + system, every DuckDB thread included), several times, the runs of the two
sides interleaved, and the medians are compared. Targets: every analysis within 1.5 times its
hand query, the directly-follows graph (``dfg``:
:func:`parcours.analyses.process.directly_follows` with times) within 1.2.

``--check`` compares the figures both sides compute (funnel step counts and times, DFG
edges, top paths, KPI rows, channel figures...) and fails on a difference.
"""

from __future__ import annotations

import argparse
import functools
import resource
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from hand_queries import DFG_TARGET, HAND_QUERIES, PARAMS, TARGET, agree, hand_dfg  # noqa: E402

EVENTS_PER_PERSON = 21.2  # what the demo simulator produces on average
TABLE = "bench_journeys"


def parse_size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * scale)


def workspace(events: int) -> Any:
    """The demo workspace of about ``events`` events with its journey table stored (built
    once, under benchmarks/data/)."""
    import parcours
    from parcours.demo.load import demo_map, load_demo

    path = DATA / f"analyses_{events}.duckdb"
    fresh = not path.exists()
    DATA.mkdir(parents=True, exist_ok=True)
    ws = parcours.open(path)
    if fresh or TABLE not in ws.con.list_tables():
        print(f"building {path.name} (once)...", flush=True)
        load_demo(ws, persons=max(int(events / EVENTS_PER_PERSON), 1), seed=7)
        ws.con.create_table(TABLE, ws.journeys(demo_map()), overwrite=True)
    return ws


def context(ws: Any) -> Any:
    from parcours.analyses import Context
    from parcours.demo.load import demo_map

    return Context(
        journeys=ws.con.table(TABLE),
        map=demo_map(),
        feedback=ws.feedback,
        customers=ws.customers,
        identities=ws.con.table("identities"),
    )


def cpu_seconds() -> float:
    """CPU time of this process so far: user + system, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], object]) -> float:
    """CPU seconds of one call."""
    start = cpu_seconds()
    run()
    return cpu_seconds() - start


def analysis_runner(ctx: Any, name: str) -> Callable[[], object]:
    if name == "dfg":
        from parcours.analyses.process import activity_log, directly_follows, transitions

        return lambda: directly_follows(
            transitions(activity_log(ctx.journeys, "touchpoint"))
        ).to_pyarrow()
    from parcours.analyses import get

    analysis = get(name)
    return lambda: analysis(ctx, **PARAMS.get(name, {}))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1M", help="demo events, e.g. 100k or 1M")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each side")
    parser.add_argument("--only", default="", help="analyses to run, e.g. funnel,dfg")
    parser.add_argument("--check", action="store_true", help="compare results, no timing")
    args = parser.parse_args()

    from parcours.store.engine import duckdb_connection

    ws = workspace(parse_size(args.size))
    ctx = context(ws)
    con = duckdb_connection(ws.con)
    hands: dict[str, Callable[[Any, str], object]] = {**HAND_QUERIES, "dfg": hand_dfg}
    names = [n for n in args.only.split(",") if n] or list(hands)
    rows = ws.con.table(TABLE).count().to_pyarrow().as_py()
    threads = con.sql("SELECT current_setting('threads')").fetchone()[0]
    print(f"{rows:,} events in {TABLE}; DuckDB threads: {threads}")

    failed = False
    if args.check:
        for name in names:
            problems = agree(name, analysis_runner(ctx, name)(), hands[name](con, TABLE))
            failed |= bool(problems)
            print(f"{name:<10} {'agrees' if not problems else 'DIFFERS'}")
            for problem in problems:
                print(f"    {problem}")
        return int(failed)

    print(f"{'analysis':<10} {'parcours s':>10} {'hand s':>8} {'ratio':>6}  target")
    for name in names:
        ours_run, hand_run = analysis_runner(ctx, name), functools.partial(hands[name], con, TABLE)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.runs):  # interleaved, so that both sides see the same machine load
            ours.append(timed(ours_run))
            theirs.append(timed(hand_run))
        a, b = statistics.median(ours), statistics.median(theirs)
        target = DFG_TARGET if name == "dfg" else TARGET
        ratio = a / b if b else float("inf")
        verdict = "ok" if ratio <= target else "ABOVE"
        print(f"{name:<10} {a:>10.2f} {b:>8.2f} {ratio:>6.2f}  <= {target} {verdict}", flush=True)
        print(
            f"{'':<10} runs: {' '.join(f'{s:.2f}' for s in ours)} | "
            f"{' '.join(f'{s:.2f}' for s in theirs)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
