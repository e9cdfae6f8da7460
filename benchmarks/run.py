"""Journey analytics at scale, against the peers, in one run.

    python benchmarks/run.py                 # 1M and 10M events
    python benchmarks/run.py --sizes 1M      # quicker

For each size: the demo simulator writes the events as Parquet (once, cached under
benchmarks/data/), they are ingested into a DuckDB workspace, the journey table is built and
stored, then every registered analysis runs on it. The directly-follows graph is also
computed by a raw DuckDB LAG + GROUP BY query and by pm4py (when installed: it is AGPL, a
peer here, never a dependency of parcours) on the same events. Each step runs in a fresh
process so its wall time and peak memory (max RSS) are its own.

Targets on a 2-core machine: every analysis on 10M events under 30 s; the DFG at least 10
times faster than pm4py and within 1.5 times of the raw query.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EVENTS_PER_PERSON = 21.2  # what the demo simulator produces on average

# Parameters for analyses that need some on the demo map.
PARAMS: dict[str, dict[str, Any]] = {
    "funnel": {"steps": ["panier", "debut_commande", "paiement_web", "achat_en_ligne"]},
    "compare": {},
}
SKIP = {"compare"}  # needs two periods or segments chosen by a person


def parse_size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * scale)


def generate(events: int) -> Path:
    """Demo events as Parquet, about ``events`` rows (cached)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from parcours.demo import simulate_chunks

    path = DATA / f"events_{events}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    persons = int(events / EVENTS_PER_PERSON)
    writer = None
    for chunk in simulate_chunks(persons, seed=7, chunk_persons=50_000):
        table = pa.Table.from_pandas(chunk.events, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path.with_suffix(".tmp"), table.schema)
        writer.write_table(table.cast(writer.schema))
    writer.close()
    path.with_suffix(".tmp").rename(path)
    return path


def _measured(queue: mp.Queue, step: str, args: tuple) -> None:
    # Each step times its own work (imports and connection excluded) and returns it.
    wall, detail = STEPS[step](*args)
    queue.put((wall, peak_rss_mb(), detail))


def peak_rss_mb() -> float:
    """This process' peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class timer:
    def __enter__(self) -> timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def measure(step: str, *args: Any) -> tuple[float, float, Any]:
    """Run one step in a fresh process: (seconds, peak MB, what it returned)."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_measured, args=(queue, step, args))
    proc.start()
    result = queue.get()
    proc.join()
    return result


# -- steps ----------------------------------------------------------------------------------


def step_ingest(parquet: str, workspace: str) -> str:
    import parcours
    from parcours.demo.load import demo_map

    ws = parcours.open(workspace)
    with timer() as t:
        report = ws.ingest_events(parquet)
        ws.save_map(demo_map(), message="benchmark")
        ws.resolve_identities()
    return t.seconds, f"{report.accepted:,} events"


def step_journeys(workspace: str) -> str:
    import parcours
    from parcours.demo.load import demo_map

    ws = parcours.open(workspace)
    with timer() as t:
        ws.con.create_table("bench_journeys", ws.journeys(demo_map()), overwrite=True)
    return t.seconds, f"{ws.con.table('bench_journeys').count().to_pyarrow().as_py():,} rows"


def step_analysis(workspace: str, name: str) -> str:
    import parcours
    from parcours.analyses import Context, get
    from parcours.demo.load import demo_map

    ws = parcours.open(workspace)
    ctx = Context(
        journeys=ws.con.table("bench_journeys"),
        map=demo_map(),
        feedback=ws.feedback,
        customers=ws.customers,
        identities=ws.con.table("identities"),
    )
    with timer() as t:
        result = get(name)(ctx, **PARAMS.get(name, {}))
    return t.seconds, f"{len(result.table):,} rows"


RAW_DFG = """
WITH ordered AS (
  SELECT journey_id, touchpoint,
         LEAD(touchpoint) OVER (PARTITION BY journey_id ORDER BY step) AS next_touchpoint
  FROM bench_journeys WHERE touchpoint <> 'unmapped'
)
SELECT touchpoint, next_touchpoint, COUNT(*) AS n
FROM ordered WHERE next_touchpoint IS NOT NULL GROUP BY 1, 2
"""


def step_parcours_dfg(workspace: str, times: bool) -> tuple[float, str]:
    """The DFG as parcours builds it (an Ibis expression), counts only or with times."""
    import parcours
    from parcours.analyses.process import activity_log, directly_follows

    ws = parcours.open(workspace)
    expr = directly_follows(activity_log(ws.con.table("bench_journeys"), "touchpoint"), times=times)
    with timer() as t:
        edges = expr.to_pyarrow()
    return t.seconds, f"{edges.num_rows} edges"


def step_raw_dfg(workspace: str) -> str:
    import duckdb

    con = duckdb.connect(workspace, read_only=True)
    with timer() as t:
        edges = con.sql(RAW_DFG).fetchall()
    return t.seconds, f"{len(edges)} edges"


def step_pm4py_dfg(workspace: str) -> str:
    import duckdb
    import pm4py

    con = duckdb.connect(workspace, read_only=True)
    frame = con.sql(
        'SELECT journey_id AS "case:concept:name", touchpoint AS "concept:name", '
        'ts AS "time:timestamp" FROM bench_journeys'
    ).df()
    with timer() as t:
        dfg, _, _ = pm4py.discover_dfg(frame)
    return t.seconds, f"{len(dfg)} edges (pm4py's discovery on a pandas frame already loaded)"


STEPS = {
    "parcours_dfg": step_parcours_dfg,
    "ingest": step_ingest,
    "journeys": step_journeys,
    "analysis": step_analysis,
    "raw_dfg": step_raw_dfg,
    "pm4py_dfg": step_pm4py_dfg,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1M,10M", help="event counts, e.g. 1M,10M")
    parser.add_argument("--no-pm4py", action="store_true", help="skip the pm4py peer")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))

    from parcours.analyses import REGISTRY

    for size in [parse_size(s) for s in args.sizes.split(",")]:
        parquet = generate(size)
        workspace = DATA / f"bench_{size}.duckdb"
        print(f"\n== {size:,} events ({parquet.name}) ==")
        rows: list[tuple[str, float, float, str]] = []
        if not workspace.exists():
            rows.append(("ingest + identities", *measure("ingest", str(parquet), str(workspace))))
        rows.append(("journey table", *measure("journeys", str(workspace))))
        for name in sorted(REGISTRY):
            if name in SKIP:
                continue
            rows.append((f"analysis {name}", *measure("analysis", str(workspace), name)))
        rows.append(("DFG raw DuckDB SQL", *measure("raw_dfg", str(workspace))))
        rows.append(("DFG parcours (counts)", *measure("parcours_dfg", str(workspace), False)))
        rows.append(("DFG parcours (with times)", *measure("parcours_dfg", str(workspace), True)))
        if not args.no_pm4py:
            try:
                import pm4py  # noqa: F401

                rows.append(("DFG pm4py", *measure("pm4py_dfg", str(workspace))))
            except ImportError:
                print("(pm4py not installed: pip install pm4py to compare)")
        width = max(len(r[0]) for r in rows)
        print(f"{'step':<{width}}  {'seconds':>8}  {'peak MB':>8}  detail")
        for label, wall, peak, detail in rows:
            print(f"{label:<{width}}  {wall:>8.2f}  {peak:>8.0f}  {detail}")
        timings = {r[0]: r[1] for r in rows}
        ours, raw = timings.get("DFG parcours (counts)"), timings.get("DFG raw DuckDB SQL")
        peer = timings.get("DFG pm4py")
        if ours and raw:
            print(f"DFG: parcours / raw SQL = {ours / raw:.2f} (target <= 1.5)")
        if ours and peer:
            print(f"DFG: pm4py / parcours = {peer / ours:.1f}x (target >= 10)")
        slow = [r[0] for r in rows if r[0].startswith("analysis") and r[1] > 30]
        print("analyses over 30 s:", ", ".join(slow) if slow else "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
