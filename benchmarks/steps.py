"""The steps of ``benchmarks/run.py``: each runs in its own process (:mod:`measure`).

parcours is used only through its public API: ``parcours.open``, ``ws.ingest_events``,
``ws.resolve_identities``, ``ws.journey_table``, ``ws.analyze`` and ``ws.close``. The raw
DuckDB steps do the same work by hand on the same file, for comparison: read and sort by
person and time, sessionise with window functions, and the hand-written analysis queries
of ``benchmarks/hand_queries.py``.

Work that writes the workspace is timed up to ``ws.close()`` included (the data are then in
the file); the raw steps likewise write a DuckDB file and close it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from measure import Clock, Figure

# The six analyses measured, and the parameters they need on the demo map.
ANALYSES = ("funnel", "paths", "process", "attribution", "kpis", "channels")
PARAMS: dict[str, dict[str, Any]] = {
    "funnel": {"steps": ["panier", "debut_commande", "paiement_web", "achat_en_ligne"]},
}
JOURNEYS = "bench_journeys"  # the journey table, stored for the hand-written queries

# Before identity resolution, a person is the first identifier a row has, the most
# personal first (parcours.config.IDENTIFIERS).
PERSON_KEY = "coalesce(customer_id, loyalty_id, email, phone, anonymous_id)"
RAW_SORT = "CREATE TABLE t AS SELECT * FROM read_parquet({file}) ORDER BY {key}, ts"
RAW_SESSIONS = """
CREATE TABLE s AS
WITH keyed AS (SELECT *, {key} AS person FROM read_parquet({file})),
gaps AS (
  SELECT *, CASE WHEN ts - LAG(ts) OVER w <= INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS new_session
  FROM keyed WINDOW w AS (PARTITION BY person ORDER BY ts)
)
SELECT *, SUM(new_session) OVER (PARTITION BY person ORDER BY ts
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session
FROM gaps
"""


def _demo_map():
    from parcours.demo.load import demo_map

    return demo_map()


def _open(workspace: str):
    import parcours

    if not Path(workspace).exists():
        raise FileNotFoundError(f"no workspace {workspace}: run the ingest step first")
    from parcours.config import from_env

    return parcours.open(workspace, settings=from_env())  # PARCOURS_MEMORY_LIMIT and the rest


def _rows(table: Any) -> int:
    return int(table.count().to_pyarrow().as_py())


# -- parcours --------------------------------------------------------------------------------


def ingest(parquet: str, workspace: str) -> list[Figure]:
    import parcours
    from parcours.config import from_env

    ws = parcours.open(workspace, settings=from_env())
    clock = Clock()
    with clock:
        report = ws.ingest_events(parquet)
        ws.close()
    detail = f"{report.accepted:,} stored, {report.rejected:,} rejected, {report.duplicates:,} duplicates"  # fmt: skip
    return [clock.figure("ingest", detail)]


def identity(workspace: str) -> list[Figure]:
    ws = _open(workspace)
    clock = Clock()
    with clock:
        ids = ws.resolve_identities()
    detail = f"{ids.person_id.nunique().to_pyarrow().as_py():,} persons"
    with clock:
        ws.close()
    return [clock.figure("identity", detail)]


def journeys(workspace: str) -> list[Figure]:
    ws = _open(workspace)
    jm = _demo_map()
    _forget_stored_journeys(ws, jm)  # measure the build from every event, not a kept table
    clock = Clock()
    with clock:
        table = ws.journey_table(jm)
        rows = _rows(table)
    unmapped = _rows(table.filter(table.touchpoint == "unmapped"))
    detail = f"{rows:,} rows, {unmapped / max(rows, 1):.1%} unmapped"
    with clock:
        ws.close()
    return [clock.figure("journey table", detail)]


def _forget_stored_journeys(ws: Any, jm: Any) -> None:
    from parcours.store import journey_store

    name = journey_store.table_name(jm)
    ws.con.raw_sql("DELETE FROM journey_tables WHERE name = ?", parameters=[name])
    ws.con.drop_table(name, force=True)


def analysis(workspace: str, name: str) -> list[Figure]:
    """The analysis, then the same request again in the same process (results cache)."""
    ws = _open(workspace)
    jm = _demo_map()
    ws.use_map(jm)
    # The first request computes: a result kept by an earlier run of the same size goes.
    ws.con.raw_sql("DELETE FROM results WHERE analysis = ?", parameters=[name])
    ready, first, again = Clock(), Clock(), Clock()
    with ready:
        _rows(ws.journey_table(jm))
    params = PARAMS.get(name, {})
    with first:
        result = ws.analyze(name, map=jm, **params)
    with again:
        ws.analyze(name, map=jm, **params)
    ws.close()
    detail = f"{len(result.table):,} rows; journey table ready in {ready.wall:.1f} s (not counted)"
    return [
        first.figure(f"analysis {name}", detail),
        again.figure(f"analysis {name} again", "same request, same process"),
    ]


def increment(workspace: str, parquet: str, copy: str) -> list[Figure]:
    """Ingest a day's new events into a copy of the workspace, resolve, update the journeys."""
    for suffix in ("", ".wal"):
        source = Path(workspace + suffix)
        if source.exists():
            shutil.copyfile(source, copy + suffix)
    ws = _open(copy)
    jm = _demo_map()
    load, ids, table = Clock(), Clock(), Clock()
    with load:
        report = ws.ingest_events(parquet)
    with ids:
        ws.resolve_identities()
    with table:
        rows = _rows(ws.journey_table(jm))
        ws.close()
    return [
        load.figure("increment ingest", f"{report.accepted:,} new events"),
        ids.figure("increment identity"),
        table.figure("increment journeys", f"{rows:,} rows"),
    ]


# -- DuckDB by hand ------------------------------------------------------------------------------


def _quoted(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _connect(path: str, memory_limit: str) -> Any:
    """DuckDB on ``path``, with its defaults or the ``memory_limit`` given (run.py's
    ``--raw-memory-limit``)."""
    import duckdb

    con = duckdb.connect(path)
    if memory_limit:
        con.execute(f"SET memory_limit = {_quoted(memory_limit)}")
    return con


def _raw(sql: str, label: str, parquet: str, scratch: str, memory_limit: str) -> list[Figure]:
    Path(scratch).unlink(missing_ok=True)
    con = _connect(scratch, memory_limit)
    clock = Clock()
    with clock:
        con.execute(sql.format(file=_quoted(parquet), key=PERSON_KEY))
        con.close()
    limit = f"memory_limit {memory_limit}" if memory_limit else "DuckDB defaults"
    return [clock.figure(label, f"{limit}, into a new database file")]


def raw_sort(parquet: str, scratch: str, memory_limit: str = "") -> list[Figure]:
    return _raw(RAW_SORT, "raw read + sort", parquet, scratch, memory_limit)


def raw_sessions(parquet: str, scratch: str, memory_limit: str = "") -> list[Figure]:
    return _raw(RAW_SESSIONS, "raw sessionisation", parquet, scratch, memory_limit)


def store_journeys(workspace: str) -> list[Figure]:
    """Keep the journey table in the workspace under a name the hand queries can read."""
    ws = _open(workspace)
    clock = Clock()
    with clock:
        ws.con.create_table(JOURNEYS, ws.journey_table(_demo_map()), overwrite=True)
        ws.close()
    return [clock.figure("journey table stored for the hand queries")]


def hand(workspace: str, name: str, memory_limit: str = "") -> list[Figure]:
    from hand_queries import HAND_QUERIES

    con = _connect(workspace, memory_limit)
    clock = Clock()
    with clock:
        out = _fetched(HAND_QUERIES[name](con, JOURNEYS))
    con.close()
    return [clock.figure(f"hand {name}", _described(out))]


def _fetched(out: Any) -> Any:
    """What a hand query returned, a lazy DuckDB relation run now."""
    return out.fetchall() if hasattr(out, "fetchall") else out


def _described(out: Any) -> str:
    if isinstance(out, dict):
        return f"{len(out)} outputs"
    try:
        return f"{len(out):,} rows"
    except TypeError:
        return type(out).__name__
