"""A text file's lines read by Spark, each with its number in the file, whichever executor
reads it: the CSV and NDJSON readers of a ``spark:DIR`` workspace
(:mod:`parcours.store.spark_csv`, :mod:`parcours.store.spark_ndjson`) number rows as
DuckDB does, blank lines aside.

One job counts the lines of each block of the file (``_metadata.file_block_start``) with
the place of its first line in its partition (``monotonically_increasing_id`` counts a
partition's rows in order; a block is read whole by one partition): a line's number is its
block's first line plus its place. The same job counts the lines a reader's check finds bad
(any one sends the file to the driver) and the blank lines, whose numbers are then listed:
each one shifts the rows after it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from parcours.store.sources import OpenedSource
from parcours.store.spark_parquet import POSITION

# Blank lines are no rows, and each one shifts the numbers of the rows after it: their
# numbers are kept in the plan, so a file with many goes the driver's way.
MAX_BLANK_LINES = 10_000
# monotonically_increasing_id(): the partition's index above bit 33, the row's place below.
PLACE_BITS = (1 << 33) - 1


@dataclass(frozen=True)
class Numbering:
    """Where each line of a file is, for numbering its rows (see the module doc)."""

    # Per block of the file (its start): the number of the block's first line minus the
    # place (in its partition) of that line; a line's number is this plus its place.
    line_offsets: dict[int, int]
    blank_lines: list[int]  # numbers (from 0) of the blank lines
    count: int  # the file's lines

    def line(self) -> Any:
        """A line's number in the file, from 0 (a column of :func:`lines`' rows)."""
        from pyspark.sql import functions as F

        offset = F.create_map(*(F.lit(v) for kv in self.line_offsets.items() for v in kv))
        return F.element_at(offset, F.col("block")) + F.col("place")

    def position(self, line: Any, first: int) -> Any:
        """The row's position (from 0) of the line numbered ``line``, rows beginning at line
        ``first`` (1 below a header), blank lines no rows."""
        from pyspark.sql import functions as F

        position = line - first
        if self.blank_lines:
            blanks = F.array(*(F.lit(n) for n in self.blank_lines))
            position -= F.size(F.filter(blanks, lambda n: n < line))
        return position


def lines(session: Any, uri: str, separator: str = "\n") -> Any:
    """The file's lines (their CR kept: only LF ends a line, as for DuckDB), each with its
    block and its place in its partition. Another ``separator`` ends records instead (it is
    not kept): ``</trace>`` cuts an XES log into traces (:mod:`parcours.store.spark_xes`)."""
    from pyspark.sql import functions as F

    text = session.read.option("lineSep", separator).text(uri)
    return text.select(
        "value",
        F.col("_metadata.file_block_start").alias("block"),
        F.monotonically_increasing_id().bitwiseAND(F.lit(PLACE_BITS)).alias("place"),
    )


def unmarked() -> Any:
    """A line (``value``) without the byte order mark that may begin the file: DuckDB and
    Python's XML parser skip it. Elsewhere a mark is kept (and is no JSON nor XML)."""
    from pyspark.sql import functions as F

    first = (F.col("block") == 0) & (F.col("place") == 0)
    return (
        F.when(first, F.regexp_replace("value", "\\A\ufeff", ""))
        .otherwise(F.col("value"))
        .alias("value")
    )


def numbering(read: Any, bad: Any, blank: Any, *, blanks_allowed: bool = True) -> Numbering | None:
    """The numbering of the lines ``read`` (from :func:`lines`), or None when a line is
    ``bad``, when there are more than MAX_BLANK_LINES ``blank`` ones, or any without
    ``blanks_allowed``: the file is then read on the driver."""
    from pyspark.sql import functions as F

    counted = (
        read.groupBy("block")
        .agg(
            F.count("*").alias("lines"),
            F.min("place").alias("first"),
            F.sum(bad.cast("int")).alias("bad"),
            F.sum(blank.cast("int")).alias("blank"),
        )
        .orderBy("block")
        .collect()
    )
    blanks = sum(c.blank for c in counted)
    if sum(c.bad for c in counted) or blanks > (MAX_BLANK_LINES if blanks_allowed else 0):
        return None
    offsets, before = {}, 0
    for block in counted:
        offsets[int(block.block)] = before - int(block.first)
        before += int(block.lines)
    found = Numbering(offsets, [], before)
    if not blanks:
        return found
    numbers = read.filter(blank).select(found.line().alias("n")).collect()
    return Numbering(offsets, sorted(int(r.n) for r in numbers), before)


def opened(con: Any, rows: Any, source: str) -> OpenedSource:
    """``rows`` (a DataFrame of the file's columns and POSITION) as a temporary view of
    ``con``'s Spark session, opened as ``source``."""
    session = con._session
    cores = session.sparkContext.defaultParallelism
    if rows.rdd.getNumPartitions() < cores:
        rows = rows.repartition(cores)  # a .gz file is read by one task
    view = f"_source_{uuid.uuid4().hex[:12]}"
    rows.createOrReplaceTempView(view)
    return OpenedSource(
        con.table(view),
        source,
        position=POSITION,
        cleanup=lambda: session.catalog.dropTempView(view),
    )
