"""A CSV file on the cluster's storage, read and checked by Spark.

``parcours ingest events s3a://lake/web/2026-12-01.csv -w spark:/mnt/parcours``: the
executors read the file where it lies, a line per row, and the ingest's checks run as Spark
jobs, as for a Parquet file (:mod:`parcours.store.spark_parquet`). The rows, rejected rows
and reasons are DuckDB's; ``tests/store/test_spark_csv.py`` ingests the same files on both
engines and compares.

A file is read this way when every line is a whole record as DuckDB reads it: one job
over its lines checks that each is UTF-8, well quoted (RFC 4180: a value quoted whole, a
quote inside doubled), on one line (no line break inside quotes, no CR alone), with as many
fields as the header. Such a file has one reading, which Spark's parser (``from_csv``) and
DuckDB's agree on. A file with any other line (a quote never closed, a field too many, a
byte that is not UTF-8, a value over two lines as spreadsheets write them) is copied beside
the driver and read there (:mod:`parcours.store.spark_files`), where DuckDB's reader and
its salvage line by line (:mod:`parcours.store.salvage`) name each bad line: that reading
is sequential by nature. So is a file with more than ``spark_lines.MAX_BLANK_LINES``
blank lines, or one whose delimiter is a run of whitespace or several characters.

Each row's number is its line's among the data rows (blank lines are no rows), whichever
executor reads it (:mod:`parcours.store.spark_lines`). Telling whether a line is valid
UTF-8 needs Spark 4 (``is_valid_utf8``); on Spark 3.5 a CSV file is read on the driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcours.store import spark_files, spark_lines
from parcours.store.sources import (
    CSV_SUFFIXES,
    WHITESPACE,
    OpenedSource,
    check_names,
    delimiter_of,
    header_names,
    tab_for_tsv,
)
from parcours.store.spark_parquet import POSITION


def is_csv_uri(source: Any) -> bool:
    """Whether ``source`` is a CSV file named by a URI (read by Spark, see module doc)."""
    return spark_files.is_uri(source) and str(source).lower().endswith(CSV_SUFFIXES)


@dataclass(frozen=True)
class CsvLayout:
    """What the check of a CSV file's lines found, for reading its rows with their numbers."""

    uri: str
    delimiter: str
    names: list[str]  # the header's names, as DuckDB gives them
    numbering: spark_lines.Numbering  # line 0: the header

    def read(self, con: Any, source: str, *, delimiter: str | None = None) -> OpenedSource:
        """The file's rows as a temporary view of ``con``'s Spark session, with each row's
        position (from 0). ``delimiter``: the mapping's, already in ``self``."""
        from pyspark.sql import functions as F

        session = con._session
        lines = spark_lines.lines(session, self.uri)
        body = _body(F.col("value"))
        rows = lines.select(self.numbering.line().alias("line"), body.alias("body")).filter(
            (F.col("line") > 0) & (F.col("body") != "")
        )
        position = self.numbering.position(F.col("line"), first=1)
        generic = [f"c{i}" for i in range(len(self.names))]
        schema = ", ".join(f"{name} STRING" for name in generic)
        options = {"sep": self.delimiter, "quote": '"', "escape": '"', "mode": "FAILFAST"}
        parsed = rows.select(
            F.from_csv(F.col("body"), schema, options).alias("r"), position.alias(POSITION)
        ).select(*(F.col(f"r.{name}") for name in generic), POSITION)
        return spark_lines.opened(con, parsed.toDF(*self.names, POSITION), source)


def layout(session: Any, uri: str, delimiter: str | None) -> CsvLayout | None:
    """The layout of the CSV file ``uri`` when Spark reads it as DuckDB does (see the module
    doc), else None: the file is then read on the driver. A header DuckDB refuses (two
    names differing only in case) is refused here, naming the file."""
    from pyspark.sql import functions as F

    if int(session.version.split(".")[0]) < 4:
        return None  # is_valid_utf8 is Spark 4's
    if delimiter == WHITESPACE:
        return None
    spark_files.check_file(session, uri)
    lines = spark_lines.lines(session, uri)
    first = lines.select("value").head(1)
    if not first:
        return None  # an empty file is said so by the driver's reader
    head = first[0].value.removesuffix("\r").removeprefix("\ufeff")
    delimiter = tab_for_tsv(uri, delimiter) or delimiter_of(head)
    header = header_names(head, delimiter)
    if header is None or not head.strip():
        return None
    check_names(header, uri, empty=True)
    names = [name or f"column{i}" for i, name in enumerate(header)]  # DuckDB's for no name
    lowered = {name.lower() for name in names}
    if len(lowered) < len(names) or POSITION in lowered:
        # An unnamed column's name (column0) is also a header's; or a column has the name
        # of each row's position here (the driver adds none): DuckDB reads them.
        return None
    body = _body(F.col("value"))
    blank = body == ""
    bad = ~blank & (
        ~F.expr("is_valid_utf8(value)")
        | body.rlike(r"\A[\x00-\x20]+\z")  # a line of whitespace: Spark would skip it
        | ~body.rlike(_record_pattern(delimiter))
        | (_width(body, delimiter) != len(header))
    )
    # A blank line may be a row of one empty value: such a file goes to the driver.
    found = spark_lines.numbering(lines, bad, blank, blanks_allowed=len(header) > 1)
    if found is None:
        return None
    return CsvLayout(uri, delimiter, names, found)


def _body(line: Any) -> Any:
    """A line without the CR of a CRLF ending."""
    from pyspark.sql import functions as F

    return F.regexp_replace(line, r"\r\z", "")


def _record_pattern(delimiter: str) -> str:
    """A Java regular expression of a record on one line, its values quoted whole or not
    at all (possessive: no backtracking on long lines)."""
    d = f"\\x{{{ord(delimiter):x}}}"
    value = f'(?:"(?:[^"\\r]|"")*+"|[^"\\r{d}]*+)'
    return f"\\A{value}(?:{d}{value})*+\\z"


def _width(body: Any, delimiter: str) -> Any:
    """The number of fields of a well-quoted record: its delimiters outside quotes, plus 1."""
    from pyspark.sql import functions as F

    unquoted = F.regexp_replace(body, '"(?:[^"]|"")*+"', "")
    d = f"\\x{{{ord(delimiter):x}}}"
    return F.length(unquoted) - F.length(F.regexp_replace(unquoted, d, "")) + 1
