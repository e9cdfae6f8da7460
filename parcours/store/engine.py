"""Declared differences between the engines parcours runs on, as data.

Analyses never branch on the backend: where engines name a function differently, the
difference is one entry here, and the expression picks its builtin from the table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.errors import ParcoursError
from parcours.store.warehouse import WarehouseTables


@ibis.udf.scalar.builtin(name="json_extract_string")
def _duckdb_json_text(doc: str, path: str) -> str:  # type: ignore[empty-body]  # a builtin: declared, not written
    """DuckDB: the JSON value at ``path`` as unquoted text (numbers and booleans too)."""


@ibis.udf.scalar.builtin(name="get_json_object")
def _spark_json_text(doc: str, path: str) -> str:  # type: ignore[empty-body]  # a builtin: declared, not written
    """Spark SQL's equivalent of DuckDB's json_extract_string."""


# backend name -> function giving a JSON document's value at a path, as text.
JSON_TEXT = {"duckdb": _duckdb_json_text, "pyspark": _spark_json_text}


def backend_name(expr: ir.Expr) -> str:
    try:
        return ibis.get_backend(expr).name
    except Exception:  # an unbound expression (memtables only) runs on the default backend
        return "duckdb"


def json_text(doc: ir.StringValue, key: str) -> ir.StringValue:
    """The value of ``key`` in a JSON object column, as text; NULL when absent."""
    name = backend_name(doc)
    if name not in JSON_TEXT:
        raise ParcoursError(
            f"reading JSON properties is not declared for the {name} engine; "
            f"supported: {', '.join(JSON_TEXT)}"
        )
    path = "$." + key if key.replace("_", "").isalnum() else '$."' + key.replace('"', '\\"') + '"'
    return JSON_TEXT[name](doc, path)


@ibis.udf.scalar.builtin(name="epoch_us")
def _duckdb_epoch_micros(ts: datetime) -> int:  # type: ignore[empty-body]  # a builtin: declared, not written
    """DuckDB: microseconds since 1970-01-01 00:00:00 of a timestamp, as BIGINT."""


@ibis.udf.scalar.builtin(name="unix_micros")
def _spark_epoch_micros(ts: datetime) -> int:  # type: ignore[empty-body]  # a builtin: declared, not written
    """Spark SQL's equivalent of DuckDB's epoch_us."""


# backend name -> function giving a timestamp's microseconds since the epoch. Not Ibis'
# epoch_seconds(): it compiles to DuckDB's epoch(), which keeps the fraction of a second,
# and to Spark's unix_timestamp(), which drops it, so a log whose times carry milliseconds
# gets other durations, and other journeys, on each engine.
EPOCH_MICROS = {"duckdb": _duckdb_epoch_micros, "pyspark": _spark_epoch_micros}


def epoch_micros(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Microseconds since 1970-01-01 00:00:00 of the (UTC, zoneless) timestamp ``ts``."""
    name = backend_name(ts)
    if name not in EPOCH_MICROS:
        raise ParcoursError(
            f"reading times to the microsecond is not declared for the {name} engine; "
            f"supported: {', '.join(EPOCH_MICROS)}"
        )
    return EPOCH_MICROS[name](ts)


def epoch_seconds(ts: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds since the epoch with their fraction (float64), the same on every engine:
    ``epoch_seconds(b) - epoch_seconds(a)`` is the time from a to b to the microsecond."""
    return epoch_micros(ts) / 1_000_000


def epoch_whole_seconds(ts: ir.TimestampValue) -> ir.IntegerValue:
    """The second since the epoch that ``ts`` falls in (int64, the fraction dropped, never
    rounded up): 10:00:00.900 is in second 10:00:00 on every engine."""
    return epoch_micros(ts) // 1_000_000


def _duckdb_materialize(con, expr: ir.Table, name: str) -> ir.Table:
    # Not create_table(overwrite=True): Ibis then writes the rows twice, into a table of
    # its own and again into a copy under the name. A table already of that name goes first.
    con.drop_table(name, force=True)
    return con.create_table(name, expr, temp=True)


def _spark_materialize(con, expr: ir.Table, name: str) -> ir.Table:
    # Spark keeps a cached frame's whole lineage in every later plan; an iterative
    # algorithm then grows its plans exponentially. A local checkpoint cuts the lineage.
    # raw_sql is the backend's public way to run SQL; on Spark it returns the DataFrame.
    frame = con.raw_sql(con.compile(expr)).localCheckpoint()
    frame.createOrReplaceTempView(name)
    return con.table(name)


def _duckdb_release(con, name: str) -> None:
    con.drop_table(name, force=True)


def _spark_release(con, name: str) -> None:
    con.drop_view(name, force=True)  # an unqualified DROP VIEW drops the temporary view


# backend name -> how to compute an expression now and keep the result for later steps,
# and how to let the result go.
MATERIALIZE = {
    "duckdb": (_duckdb_materialize, _duckdb_release),
    "pyspark": (_spark_materialize, _spark_release),
}


def temp_name(label: str) -> str:
    """A name for a temporary table no other call uses: ``_{label}_{8 hex digits}``.

    Two requests running the same analysis at once share the connection's temporary
    tables; a fixed name would let one overwrite or drop the other's."""
    return f"_{label}_{uuid.uuid4().hex[:8]}"


def materialize(expr: ir.Table, name: str) -> ir.Table:
    """Compute ``expr`` once and return a table reading the result (temporary).

    ``name`` must be unique to the call (:func:`temp_name`); :class:`Scratch` does both."""
    backend = ibis.get_backend(expr)
    if backend.name not in MATERIALIZE:
        return expr.cache()
    return MATERIALIZE[backend.name][0](backend, expr, name)


def release(table: ir.Table, name: str) -> None:
    """Drop a table made by :func:`materialize` once no later step reads it."""
    backend = ibis.get_backend(table)
    if backend.name in MATERIALIZE:
        MATERIALIZE[backend.name][1](backend, name)


# Person ids are this prefix and 16 hex digits of a digest (parcours.store.identity.person_id),
# so ranges of their first digits hold about as many persons each. Six digits: DuckDB's zone
# maps keep the first 8 bytes of a text column's smallest and largest value per row group.
PERSON_PREFIX = "p_"
PART_DIGITS = 6


def part_bounds(count: int) -> list[str]:
    """The person ids at which parts 1 to ``count - 1`` of :func:`in_part` start."""
    span = 16**PART_DIGITS
    return [f"{PERSON_PREFIX}{span * part // count:0{PART_DIGITS}x}" for part in range(1, count)]


def in_part(person_id: ir.StringValue, count: int, part: int) -> ir.BooleanValue:
    """Whether a row's person falls in ``part`` of ``count`` parts: ranges of the person id
    (any text falls in exactly one; the ids identity resolution makes spread evenly).

    Ranges rather than a hash: a table written part after part (the journey table's build)
    keeps each part's rows together, so that reading one part skips the row groups of the
    others instead of scanning the whole table once per part."""
    bounds = part_bounds(count)
    within = []
    if part > 0:
        within.append(person_id >= bounds[part - 1])
    if part < count - 1:
        within.append(person_id < bounds[part])
    return ibis.and_(*within) if within else ibis.literal(True)


class Scratch:
    """The tables one call materialises, each under its own :func:`temp_name`, all
    released together, last made first::

        scratch = Scratch("channels")
        try:
            events = scratch.keep(expr, "events")
            ...
        finally:
            scratch.release()
    """

    def __init__(self, label: str):
        self.label = label
        self.kept: list[tuple[ir.Table, str]] = []

    def keep(self, expr: ir.Table, part: str) -> ir.Table:
        """:func:`materialize` ``expr`` under a new name, to be released with the rest."""
        name = temp_name(f"{self.label}_{part}")
        table = materialize(expr, name)
        self.kept.append((table, name))
        return table

    def keep_parts(
        self,
        parts: Iterable[ir.Table],
        hold: bool = False,
        **outputs: Callable[[ir.Table], ir.Table],
    ) -> dict[str, ir.Table]:
        """Each output (an expression of one part) over every part in turn, appended into
        one kept table per output: the engine holds one part's work at a time. With
        ``hold``, each part is computed once before the outputs read it."""
        kept: dict[str, tuple[ir.Table, str]] = {}
        for part in parts:
            held = temp_name(f"{self.label}_part") if hold else ""
            source = materialize(part, held) if hold else part
            try:
                for label, output in outputs.items():
                    if label in kept:
                        table, name = kept[label]
                        ibis.get_backend(table).insert(name, output(source))
                    else:
                        kept[label] = (self.keep(output(source), label), self.kept[-1][1])
            finally:
                if hold:
                    release(source, held)
        if len(kept) < len(outputs):
            raise ValueError("keep_parts needs at least one part")
        return {label: table for label, (table, _) in kept.items()}

    def release(self) -> None:
        """Drop every table kept so far (safe to call more than once)."""
        while self.kept:
            table, name = self.kept.pop()
            release(table, name)


def duckdb_connection(con: Any) -> Any:
    """The DuckDB connection under an Ibis DuckDB backend.

    Ibis has no public API for two things ingestion needs while a long query runs on
    another thread: DuckDB's ``query_progress()`` and ``interrupt()``. The backend keeps
    the ``duckdb.DuckDBPyConnection`` it wraps in its (undocumented) ``con`` attribute; this
    is the one place that reads it. Everything else goes through ``con.raw_sql(sql,
    parameters=[...])``, the public way to run parameterised SQL."""
    return con.con


class transaction:
    """DuckDB transaction as a context manager: commit on success, roll back on any error
    (KeyboardInterrupt included)."""

    def __init__(self, con: Any):
        self.con = con

    def __enter__(self) -> None:
        self.con.raw_sql("BEGIN TRANSACTION")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.con.raw_sql("COMMIT" if exc_type is None else "ROLLBACK")


# Engines whose writes parcours groups into transactions (the others write each statement alone).
TRANSACTIONAL = {"duckdb"}


# Engines whose raw_sql takes parameters and returns a cursor: a small read there skips
# compiling an Ibis expression (tens of milliseconds, on every request of the server).
PARAMETERISED = {"duckdb"}


def first_row(con: Any, sql: str, parameters: list[Any]) -> tuple[Any, ...] | None:
    """The first row of a parameterised query (engines of :data:`PARAMETERISED` only)."""
    row: tuple[Any, ...] | None = con.raw_sql(sql, parameters=parameters).fetchone()
    return row


# Engines whose stored tables take DELETE and INSERT in place (derived tables are updated
# there; a warehouse writes them again whole; other engines compute them per connection).
UPDATABLE = {"duckdb"}


def writing(con: Any) -> AbstractContextManager[None]:
    """Group the writes that follow into one transaction where the engine has them: a
    DuckDB transaction, or one commit of a warehouse directory (``spark:DIR``)."""
    if isinstance(con, WarehouseTables):
        return con.transaction()
    return transaction(con) if con.name in TRANSACTIONAL else nullcontext()


def delete_rows(
    con: Any, name: str, condition: Callable[[ir.Table], ir.BooleanValue], sql: str
) -> None:
    """Delete the rows of table ``name`` meeting ``condition``. ``sql`` is the same as a
    DELETE statement, run as it is by engines that update their tables in place; a
    warehouse writes the other rows again (Parquet files are not updated)."""
    if isinstance(con, WarehouseTables):
        con.delete_rows(name, condition)
    else:
        con.raw_sql(sql)


# engine -> analysis -> why it does not run there yet. Each is refused with its reason
# rather than run: an engine that gives another answer must not give it silently. The
# parity suite (tests/analyses/test_spark_parity.py) marks the same gaps.
NOT_YET: dict[str, dict[str, str]] = {
    "pyspark": {},  # every registered analysis runs there (tests/analyses/test_spark_parity.py)
}


def not_yet(con: Any, analysis: str) -> str | None:
    """Why ``analysis`` does not run on ``con``'s engine yet, or None (see :data:`NOT_YET`)."""
    return NOT_YET.get(con.name, {}).get(analysis)
