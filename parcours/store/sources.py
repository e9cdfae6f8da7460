"""Open a data source as an Ibis table on the workspace's DuckDB connection.

Files are read by DuckDB itself, which streams them: a multi-gigabyte CSV is never loaded
into pandas. CSV cells are read as text so that one bad value rejects one row rather than
the whole file; rows that do not even parse as CSV (a wrong number of fields) are caught by
DuckDB's reject store and reported with their line, like every other rejected row.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from parcours.errors import SourceError

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json", ".ndjson", ".jsonl", ".json.gz", ".ndjson.gz", ".jsonl.gz")
XES_SUFFIXES = (".xes", ".xes.gz")
# delimiter: whitespace = fields separated by runs of spaces or tabs, with leading and
# trailing ones ignored (aligned text such as CDNOW_master.txt).
WHITESPACE = "whitespace"


@dataclass
class OpenedSource:
    table: ir.Table
    name: str  # how messages and the rejected table name the source
    csv_rejects: bool = False  # DuckDB's reject store holds this source's malformed lines


def describe(source: Any) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def open_source(con: Any, source: Any, *, delimiter: str | None = None) -> OpenedSource:
    """Open ``source`` (a path, a pandas DataFrame or an Arrow table) on ``con``."""
    if isinstance(source, pd.DataFrame):
        return OpenedSource(_typed(ibis.memtable(source)), describe(source))
    if isinstance(source, (pa.Table, pa.RecordBatchReader)):
        table = source.read_all() if isinstance(source, pa.RecordBatchReader) else source
        return OpenedSource(_typed(ibis.memtable(table)), describe(source))
    if not isinstance(source, (str, Path)):
        raise SourceError(
            f"cannot ingest a {type(source).__name__}; give a file path (CSV, Parquet, "
            "NDJSON/JSON, XES), a pandas DataFrame or an Arrow table"
        )
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES) and delimiter == WHITESPACE:
        return OpenedSource(_read_whitespace(con, path), str(path))
    if name.endswith(CSV_SUFFIXES):
        options: dict[str, Any] = {"header": True, "all_varchar": True, "store_rejects": True}
        if delimiter:
            options["delim"] = delimiter
        elif name.endswith((".tsv", ".tsv.gz")):
            options["delim"] = "\t"
        # A fresh reject store per file, so the rejects read afterwards are this file's.
        con.raw_sql("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        table = _read(con.read_csv, path, options)
        return OpenedSource(table, str(path), csv_rejects=True)
    if name.endswith(PARQUET_SUFFIXES):
        return OpenedSource(_typed(_read(con.read_parquet, path, {})), str(path))
    if name.endswith(JSON_SUFFIXES):
        # DuckDB would turn ISO strings into zone-less timestamps, losing their offsets; a
        # format that never matches keeps them as text for parcours' own zone handling.
        keep_text = {"timestampformat": "%%no-auto-detect", "dateformat": "%%no-auto-detect"}
        return OpenedSource(_typed(_read(con.read_json, path, keep_text)), str(path))
    if name.endswith(XES_SUFFIXES):
        from parcours.store.xes import read_xes

        return OpenedSource(ibis.memtable(read_xes(path)), str(path))
    allowed = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES + XES_SUFFIXES)
    raise SourceError(f"{path}: unknown file type; allowed endings: {allowed}")


def _typed(table: ir.Table) -> ir.Table:
    """A column with no value at all has no type; read it as (empty) text."""
    nulls = {name: "string" for name, dtype in table.schema().items() if dtype.is_null()}
    return table.cast(nulls) if nulls else table


def _read(reader: Any, path: Path, options: dict[str, Any]) -> ir.Table:
    try:
        return reader(str(path), **options)
    except Exception as exc:  # the engine's own message says what is wrong with the file
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(f"{path}: cannot be read: {first_line}") from None


def _read_whitespace(con: Any, path: Path) -> ir.Table:
    """Whitespace-separated text with a header line; every cell is text. A line with fewer
    fields than the header has NULL in the missing ones (and is rejected by the field
    checks when they are needed); blank lines are skipped."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        header = handle.readline().split()
    if not header:
        raise SourceError(f"{path}: the first line should name the columns; it is empty")
    options = {
        "columns": {"line": "VARCHAR"},
        "header": False,
        "skip": 1,
        "delim": "\x1f",
        "quote": "",
        "escape": "",
        "auto_detect": False,
    }
    lines = _read(con.read_csv, path, options)
    text = lines.line.strip()
    lines = lines.filter(text.notnull() & (text != ""))
    parts = lines.line.strip().re_split(r"\s+")
    return lines.select(**{name: parts[i] for i, name in enumerate(header)})


def csv_rejects(con: Any) -> pd.DataFrame:
    """Malformed CSV lines DuckDB set aside while reading the last CSV source."""
    if "reject_errors" not in con.list_tables():
        return pd.DataFrame(columns=["line", "csv_line", "error_message"])
    # DuckDB may log one line several times (once per scan, once per error it finds).
    sql = (
        "SELECT line, any_value(csv_line) AS csv_line, min(error_message) AS error_message "
        "FROM reject_errors GROUP BY line ORDER BY line"
    )
    return con.raw_sql(sql).fetchdf()
