"""The pipeline on local Spark next to DuckDB, on the same events, in one run.

    python benchmarks/spark.py                       # 1M events
    python benchmarks/spark.py --sizes 1M,10M
    python benchmarks/spark.py --format csv          # the same events as CSV files
    python benchmarks/spark.py --format ndjson       # ... as NDJSON files

For each size and engine, a fresh workspace (``bench.duckdb``, or ``spark:DIR``) in a fresh
process (``benchmarks/measure.py``) goes through the pipeline, each part timed:

  start       opening the workspace (on Spark: the session, a JVM started)
  ingest      ws.ingest_events(file), the benchmark's demo-like events (on Spark the file
              named by its URI: read and checked by Spark, as a Parquet file of a lake);
              with ``--format csv`` (``ndjson``) the same events written as CSV (NDJSON; on
              Spark: the check of its lines, then its reading, see
              parcours.store.spark_csv, spark_ndjson)
  identity    ws.resolve_identities()
  journeys    the journey table built and stored in the workspace, counted
  <analysis>  ws.analyze(name) for funnel, paths, process, attribution, kpis, channels
  reopened    the workspace closed and opened again, as by the next command: its journey
              table read and counted (stored: not built again)
  +1 % ...    a day's batch: 1 % more events (``generate.py --increment``, new and known
              persons) ingested, persons resolved and the journey table brought up to date,
              each timed (both resolve what the batch touches and update the journey table
              person by person; on Spark the detail tells the table's parts and the rows
              it lists as superseded), then the funnel read again after it

CPU seconds are those of the process and of its children alive at the end of each part (the
Spark JVM, from ``/proc``): on Spark most of the work is the JVM's. Wall seconds are what a
user waits. The table gives both engines side by side and Spark's wall over DuckDB's. On one
machine DuckDB is expected to win: Spark pays for a JVM, jobs and shuffles, and is there for
data that one machine cannot hold (docs/scale.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (HERE, ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from generate import events_file, increment_file, parse_size  # noqa: E402
from measure import Figure, in_fresh_process  # noqa: E402
from steps import ANALYSES, PARAMS  # noqa: E402

DATA = HERE / "data"
TICKS = os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (the JVM that PySpark starts, and its own children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


def _cpu(pid: int) -> float:
    """User + system CPU seconds of one live process, its threads included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def tree_cpu() -> float:
    """CPU seconds of this process and of its live children (the Spark JVM)."""
    me = os.getpid()
    return _cpu(me) + sum(_cpu(child) for child in _descendants(me))


class TreeClock:
    """Wall and CPU seconds (this process and its children) of one ``with`` block."""

    def __enter__(self) -> TreeClock:
        self._wall, self._cpu = time.perf_counter(), tree_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = tree_cpu() - self._cpu


def pipeline(engine: str, events: str, where: str, increment: str) -> list[Figure]:
    """The whole pipeline on a fresh workspace of ``engine`` under ``where``."""
    import parcours
    from parcours.demo.load import demo_map

    target = f"spark:{where}/ws" if engine == "spark" else f"{where}/bench.duckdb"
    jm = demo_map()
    figures: list[Figure] = []

    def timed(label: str, work: Any, detail: Any = None) -> Any:
        with TreeClock() as clock:
            out = work()
        text = detail(out) if detail else ""
        figures.append(Figure(label, clock.wall, clock.cpu, detail=text))
        return out

    # On Spark the files are named by their URIs, as files on a lake: Spark reads and
    # checks them (parcours.store.spark_parquet, spark_csv), the driver holds none of their
    # rows.
    def named(path: str) -> str:
        return Path(path).as_uri() if engine == "spark" else path

    ws = timed("start", lambda: parcours.open(target))
    timed("ingest", lambda: ws.ingest_events(named(events)), lambda r: f"{r.accepted:,} stored")
    timed("identity", ws.resolve_identities)
    timed("journeys", lambda: int(ws.journey_table(jm).count().to_pyarrow().as_py()),
          lambda n: f"{n:,} rows")  # fmt: skip
    ws.use_map(jm)
    for name in ANALYSES:
        params = PARAMS.get(name, {})
        timed(name, lambda n=name, p=params: ws.analyze(n, map=jm, **p),
              lambda r: f"{len(r.table):,} rows")  # fmt: skip
    ws.close()
    again = parcours.open(target)
    timed("reopened", lambda: int(again.journey_table(jm).count().to_pyarrow().as_py()),
          lambda n: f"{n:,} rows")  # fmt: skip
    timed("+1 % ingest", lambda: again.ingest_events(named(increment)),
          lambda r: f"{r.accepted:,} stored")  # fmt: skip
    timed("+1 % identity", again.resolve_identities)
    timed("+1 % journeys", lambda: int(again.journey_table(jm).count().to_pyarrow().as_py()),
          lambda n: f"{n:,} rows" + stored_as(again, jm))  # fmt: skip
    # Read again after the update (on Spark: its parts, less the superseded rows).
    timed("+1 % funnel", lambda: again.analyze("funnel", map=jm, **PARAMS.get("funnel", {})),
          lambda r: f"{len(r.table):,} rows")  # fmt: skip
    again.close()
    return figures


def stored_as(ws: Any, jm: Any) -> str:
    """On a warehouse: the parts of the stored journey table and the rows it lists as
    superseded (``parcours.store.journey_store``)."""
    from parcours.store import journey_store
    from parcours.store.warehouse import WarehouseTables

    if not isinstance(ws.con, WarehouseTables):
        return ""
    name = journey_store.table_name(jm)
    over = journey_store.superseded_name(name)
    listed = ws.con.read_arrow(over).num_rows if over in ws.con.list_tables() else 0
    return f"; {len(ws.con.catalog.parts(name))} parts, {listed:,} superseded"


def in_microseconds(path: Path) -> Path:
    """A copy of the Parquet file ``path`` with its times in microseconds, as Spark writes
    them (the generator's pandas-made nanoseconds are a type Spark does not read: such a
    file is checked on the driver, see parcours.store.spark_parquet); made once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    copy = path.with_name(path.stem + "_us.parquet")
    if copy.exists():
        return copy
    source = pq.ParquetFile(path)
    schema = pa.schema(
        [
            f.with_type(pa.timestamp("us", f.type.tz)) if pa.types.is_timestamp(f.type) else f
            for f in source.schema_arrow
        ]
    )
    with pq.ParquetWriter(copy.with_suffix(".tmp"), schema) as writer:
        for group in range(source.num_row_groups):
            writer.write_table(source.read_row_group(group).cast(schema))
    copy.with_suffix(".tmp").rename(copy)
    return copy


TEXT_FORMATS = {"csv": "HEADER, FORMAT csv", "ndjson": "FORMAT json"}  # DuckDB's COPY options


def as_text(path: Path, form: str) -> Path:
    """A CSV (a header) or NDJSON (an object per line) copy of the Parquet file ``path``,
    times as DuckDB writes them, made once."""
    import duckdb

    copy = path.with_suffix(f".{form}")
    if not copy.exists():
        temporary = copy.with_suffix(".tmp")
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        options = TEXT_FORMATS[form]
        con.execute(f"COPY (FROM read_parquet('{path}')) TO '{temporary}' ({options})")
        temporary.rename(copy)
    return copy


def run(size: int, engines: list[str], timeout: float, form: str) -> dict[str, list[Figure]]:
    events = in_microseconds(events_file(size, verbose=True))
    increment = in_microseconds(increment_file(size, 0.01, verbose=True))
    if form in TEXT_FORMATS:
        events, increment = as_text(events, form), as_text(increment, form)
    out: dict[str, list[Figure]] = {}
    for engine in engines:
        where = DATA / f"spark_bench_{engine}_{size}"
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        print(f"{size:,} events on {engine} ...", flush=True)
        out[engine] = in_fresh_process(
            engine, pipeline, engine, str(events), str(where), str(increment), timeout=timeout
        )
        shutil.rmtree(where, ignore_errors=True)
    return out


def table(size: int, figures: dict[str, list[Figure]]) -> str:
    duck = {f.label: f for f in figures.get("duckdb", [])}
    spark = {f.label: f for f in figures.get("spark", [])}
    lines = [
        f"{size:,} events | DuckDB wall s | DuckDB CPU s | Spark wall s | Spark CPU s (JVM "
        "included) | Spark / DuckDB wall | detail",
        "---|---|---|---|---|---|---",
    ]
    for label in dict.fromkeys([*duck, *spark]):
        d, s = duck.get(label), spark.get(label)

        def cell(f: Figure | None, attr: str) -> str:
            if f is None or f.error:
                return (f.error or "")[:60] if f else "–"
            return f"{getattr(f, attr):.1f}"

        ratio = (
            f"{s.wall / d.wall:.1f}"
            if d and s and not d.error and not s.error and d.wall and s.wall
            else "–"
        )
        detail = (s.detail if s and not s.error else d.detail if d else "") or ""
        lines.append(
            f"{label} | {cell(d, 'wall')} | {cell(d, 'cpu')} | {cell(s, 'wall')} | "
            f"{cell(s, 'cpu')} | {ratio} | {detail}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1M", help="comma-separated, e.g. 1M,10M")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="per engine, seconds")
    parser.add_argument("--format", choices=("parquet", *TEXT_FORMATS), default="parquet")
    args = parser.parse_args()
    for size in (parse_size(s) for s in args.sizes.split(",")):
        figures = run(size, args.engines.split(","), args.timeout, args.format)
        print(table(size, figures), flush=True)


if __name__ == "__main__":
    main()
