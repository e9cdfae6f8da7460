"""A Parquet file on the cluster's storage, read and checked by Spark.

``parcours ingest events s3a://lake/events/part-00000.parquet -w spark:/mnt/parcours``: the
executors read the file where it lies; the ingest's checks, its judge of keys and its
writes run as Spark jobs, compiled from the same Ibis expressions as on DuckDB
(:mod:`parcours.store.ingest`) by a compiler that gives DuckDB's answers
(:mod:`parcours.store.spark_sql`). The rows, rejected rows and reasons are DuckDB's;
``tests/store/test_spark_parquet.py`` ingests the same files on both engines and compares.

Each row's number is its position in the file (Spark's ``_metadata.row_index``, as DuckDB's
``file_row_number``), whichever executor reads it. A timestamp column of instants (Parquet's
``isAdjustedToUTC``) is read as instants; one of wall-clock times in the mapping's zone.

A CSV file whose every line is a whole record is read by Spark too
(:mod:`parcours.store.spark_csv`), and so are an NDJSON file of flat objects
(:mod:`parcours.store.spark_ndjson`) and an XES log of flat attributes
(:mod:`parcours.store.spark_xes`); other files on the cluster's storage (a broken CSV or
NDJSON file, nested NDJSON values, nested XES attributes) are copied beside the driver and checked there
(:mod:`parcours.store.spark_files`): their readers' salvage of broken lines is DuckDB's. So
is a Parquet file holding a type Spark does not read (nanosecond times, as pandas writes
them: a file one machine wrote). A file on this machine is read by this
machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import ibis.expr.datatypes as dt

from parcours.errors import SourceError
from parcours.store import spark_files
from parcours.store.sources import PARQUET_SUFFIXES, OpenedSource

CASE_SENSITIVE = "spark.sql.caseSensitive"
# Each row's position in its file, from 0; no leading _ (see sources.internal).
POSITION = "parcours_row_index"


def is_parquet_uri(source: Any) -> bool:
    """Whether ``source`` is a Parquet file named by a URI (read by Spark, see module doc)."""
    return spark_files.is_uri(source) and str(source).lower().endswith(PARQUET_SUFFIXES)


def spark_reads(session: Any, uri: str) -> bool:
    """Whether Spark reads the types of the Parquet file ``uri``: not nanosecond times
    (pandas' default), which such a file's ingest then reads on the driver, as DuckDB does."""
    from pyspark.errors import AnalysisException

    spark_files.check_file(session, uri)  # a missing file, a directory: said plainly
    try:
        session.read.parquet(uri).schema  # noqa: B018  # the footer read: its types checked
    except AnalysisException as error:
        if "PARQUET_TYPE_ILLEGAL" in str(error):
            return False
        if "COLUMN_ALREADY_EXISTS" in str(error):  # told apart by open_parquet
            return True
        raise
    return True


def told_apart(names: list[str]) -> list[str]:
    """Column names as DuckDB's readers give them: a name met already, in any case, gets
    ``_1`` (``_2``…) until it is new (``event``, ``Event`` -> ``event``, ``Event_1``). Spark
    reads names without case too, and would find the two ambiguous."""
    seen: set[str] = set()
    told = []
    for name in names:
        candidate, k = name, 1
        while candidate.lower() in seen:
            candidate, k = f"{name}_{k}", k + 1
        seen.add(candidate.lower())
        told.append(candidate)
    return told


def open_parquet(con: Any, source: str, *, delimiter: str | None = None) -> OpenedSource:
    """The Parquet file ``source`` (a URI) as a temporary view of ``con``'s Spark session,
    with each row's position. ``delimiter`` is a CSV setting: unused."""
    from pyspark.errors import AnalysisException  # PySpark: installed with a spark: workspace

    session = con._session  # the file checked by spark_reads, which routed it here
    restore: list[Callable[[], Any]] = []
    try:
        frame = session.read.parquet(source)
    except AnalysisException as error:
        if "COLUMN_ALREADY_EXISTS" not in str(error):
            raise
        # Names differing only in case (event, Event): told apart while this file is read,
        # as DuckDB does (Spark's reader finds them ambiguous otherwise).
        before = session.conf.get(CASE_SENSITIVE)
        session.conf.set(CASE_SENSITIVE, "true")
        restore.append(lambda: session.conf.set(CASE_SENSITIVE, before))
        frame = session.read.parquet(source)
    names = told_apart(frame.columns)
    if POSITION in {name.lower() for name in names}:
        raise SourceError(
            f"{source}: a column is named {POSITION}, a name parcours keeps; rename it"
        )
    view = f"_source_{uuid.uuid4().hex[:12]}"
    named = frame.select("*", frame["_metadata.row_index"].alias(POSITION))
    cores = session.sparkContext.defaultParallelism
    if named.rdd.getNumPartitions() < cores:
        # A file of one row group is read by one task, and every step of the ingest after
        # it would run on one core: its rows are spread over the cores first.
        named = named.repartition(cores)
    named.toDF(*names, POSITION).createOrReplaceTempView(view)
    table = con.table(view)
    # Spark's TIMESTAMP is an instant (Parquet's isAdjustedToUTC), which Ibis reads as a
    # wall-clock time: said to be an instant, as DuckDB reads it.
    instants = {
        name: dt.Timestamp(timezone="UTC")
        for name, field in zip(names, frame.schema.fields, strict=True)
        if field.dataType.typeName() == "timestamp"
    }
    if instants:
        table = table.cast(instants)

    def cleanup() -> None:
        session.catalog.dropTempView(view)
        for undo in restore:
            undo()

    return OpenedSource(table, source, position=POSITION, cleanup=cleanup)
