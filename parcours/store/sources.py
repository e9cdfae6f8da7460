"""Open a data source as an Ibis table on the workspace's DuckDB connection.

Files are read by DuckDB itself, which streams them: a multi-gigabyte CSV is never loaded
into pandas. CSV cells are read as text so that one bad value rejects one row rather than
the whole file. CSV is RFC 4180 (values quoted with ``"``, a quote inside one doubled) with
the delimiter of the mapping, else the one its header line uses (``,`` ``;`` tab or ``|``).

When DuckDB cannot read a CSV or NDJSON file (a wrong number of fields, a quote never
closed, CRLF and LF endings mixed, a line of broken JSON, bytes that are not UTF-8), the
file is read again line by line (:mod:`parcours.store.salvage`): every bad line becomes a
rejected row with its number and reason, and every other row is read as usual.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from parcours.errors import SourceError
from parcours.store.salvage import Reject, Salvaged, salvage_csv, salvage_ndjson

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json", ".ndjson", ".jsonl", ".json.gz", ".ndjson.gz", ".jsonl.gz")
XES_SUFFIXES = (".xes", ".xes.gz")
# delimiter: whitespace = fields separated by runs of spaces or tabs, with leading and
# trailing ones ignored (aligned text such as CDNOW_master.txt).
WHITESPACE = "whitespace"
DELIMITERS = (",", ";", "\t", "|")  # looked for in a CSV header when none is given
# DuckDB met a line it cannot read (while reading, or while sniffing the file when it is
# opened: a JSON line that is not an object is then a binder error): read it line by line.
READ_ERRORS: tuple[type[Exception], ...] = (duckdb.InvalidInputException,)
POSITION = "file_row_number"  # the column of a row's position DuckDB adds to a Parquet file
OPEN_ERRORS: tuple[type[Exception], ...] = (*READ_ERRORS, duckdb.BinderException)
CLEAN_CSV = {"header": True, "all_varchar": True, "delim": ",", "quote": '"', "escape": '"'}
# DuckDB would turn ISO strings into zone-less timestamps, losing their offsets; a format
# that never matches keeps them as text for parcours' own zone handling.
JSON_OPTIONS = {
    "timestampformat": "%%no-auto-detect",
    "dateformat": "%%no-auto-detect",
    "records": "true",  # one object per row: a line holding an array is an error, not a row
    # The schema is read from every line, not a sample: a key first seen on line 30,000
    # would otherwise refuse the file (or, salvaged, lose that key).
    "sample_size": -1,
}


@dataclass
class OpenedSource:
    table: ir.Table
    name: str  # how messages and the rejected table name the source
    # How to read the file again line by line when DuckDB cannot (CSV and NDJSON files).
    salvage: Callable[[], OpenedSource] | None = None
    rejects: list[Reject] = field(default_factory=list)  # rows set aside by that reading
    shifts: list[tuple[int, int]] = field(default_factory=list)  # see Salvaged
    folder: Path | None = None  # a temporary folder of this source, removed by close()
    # A column of `table` the reader adds, not the source's: each row's position in the
    # file, from 0 (Parquet's file_row_number).
    position: str | None = None

    def numbered(self) -> ir.Table:
        """The source's columns and ``__row``, each row's number from 1 in reading order,
        the same each time the source is read. From the reader's position when it gives
        one (Parquet: the file is then read by every thread), else by counting the rows
        as they are read (one thread: the count follows the reading order)."""
        if self.position is not None:
            position = self.table[self.position]
            return self.table.mutate(__row=position + 1).drop(self.position)
        return self.table.mutate(__row=ibis.row_number() + 1)

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def describe(source: Any) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def open_source(con: Any, source: Any, *, delimiter: str | None = None) -> OpenedSource:
    """Open ``source`` (a path, a pandas DataFrame or an Arrow table) on ``con``."""
    if isinstance(source, pd.DataFrame):
        _check_names([str(c) for c in source.columns], describe(source))
        return OpenedSource(_typed(ibis.memtable(source)), describe(source))
    if isinstance(source, (pa.Table, pa.RecordBatchReader)):
        table = source.read_all() if isinstance(source, pa.RecordBatchReader) else source
        _check_names(table.column_names, describe(source))
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
        head = _head(path)
        if delimiter is None and name.endswith((".tsv", ".tsv.gz")):
            delimiter = "\t"
        delim = delimiter or _delimiter_of(head)
        options = {**CLEAN_CSV, "delim": delim}
        return _open_text(
            con,
            path,
            lambda: con.read_csv(str(path), **options),
            lambda folder: salvage_csv(path, folder / "clean.csv", delim),
            lambda clean: con.read_csv(str(clean), **CLEAN_CSV),
        )
    if name.endswith(PARQUET_SUFFIXES):
        table = _typed(con.read_parquet(str(path)))
        if POSITION in table.columns:  # DuckDB cannot add its own: counted as read
            return OpenedSource(table, str(path))
        table = _typed(con.read_parquet(str(path), file_row_number=True))
        return OpenedSource(table, str(path), position=POSITION)
    if name.endswith(JSON_SUFFIXES):
        by_line = _head(path).lstrip().startswith("{")  # NDJSON, not one JSON array
        return _open_text(
            con,
            path,
            lambda: _typed(con.read_json(str(path), **JSON_OPTIONS)),
            (lambda folder: salvage_ndjson(path, folder / "clean.ndjson")) if by_line else None,
            lambda clean: _typed(
                con.read_json(str(clean), format="newline_delimited", **JSON_OPTIONS)
            ),
        )
    if name.endswith(XES_SUFFIXES):
        from parcours.store.xes import read_xes

        return OpenedSource(ibis.memtable(read_xes(path)), str(path))
    allowed = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES + XES_SUFFIXES)
    raise SourceError(f"{path}: unknown file type; allowed endings: {allowed}")


def _check_names(names: list[str], source: str) -> None:
    """Column names DuckDB can tell apart: it reads names without case (its file readers
    rename a second ``Event`` to ``Event_1``; a table in memory would mix the two)."""
    seen: dict[str, str] = {}
    for name in names:
        if not name or "\x00" in name:
            raise SourceError(
                f"{source}: a column has {'no name' if not name else 'a NUL in its name'} "
                f"({name!r}); name every column with text"
            )
        if name.lower() in seen:
            other = seen[name.lower()]
            raise SourceError(
                f"{source}: column '{name}' is given twice; rename one"
                if other == name
                else f"{source}: columns '{other}' and '{name}' differ only in case, which "
                "the engine does not tell apart; rename one"
            )
        seen[name.lower()] = name


def _typed(table: ir.Table) -> ir.Table:
    """A column with no value at all has no type; read it as (empty) text."""
    nulls = {name: "string" for name, dtype in table.schema().items() if dtype.is_null()}
    return table.cast(nulls) if nulls else table


def _head(path: Path, size: int = 65_536) -> str:
    """The first characters of a text file (decompressed); SourceError when it holds none."""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(size).decode("utf-8", errors="replace")
    except (OSError, EOFError) as exc:  # a damaged .gz, a file we may not read
        raise SourceError(f"{path}: cannot be read: {exc}") from None
    if not head.strip():
        raise SourceError(f"{path} is empty: no header line, no rows; nothing to ingest")
    return head


def _delimiter_of(head: str) -> str:
    """The delimiter the header line uses most often, outside quotes (default ``,``)."""
    header = head.splitlines()[0] if head else ""
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_text(
    con: Any,
    path: Path,
    read: Callable[[], ir.Table],
    salvage: Callable[[Path], Salvaged] | None,
    read_clean: Callable[[Path], ir.Table],
) -> OpenedSource:
    """A text file read by DuckDB, with the way to read it again line by line; read that way
    at once when DuckDB cannot even open it (its sniffer finds no dialect)."""

    def salvaged() -> OpenedSource:
        assert salvage is not None
        folder = Path(tempfile.mkdtemp(prefix="parcours-salvage-"))
        try:
            result = salvage(folder)
            table = read_clean(result.path)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return OpenedSource(table, str(path), None, result.rejects, result.shifts, folder)

    try:
        table = read()
    except OPEN_ERRORS:
        if salvage is None:
            raise
        return salvaged()
    return OpenedSource(table, str(path), salvaged if salvage is not None else None)


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
    lines = con.read_csv(str(path), **options)
    text = lines.line.strip()
    lines = lines.filter(text.notnull() & (text != ""))
    parts = lines.line.strip().re_split(r"\s+")
    return lines.select(**{name: parts[i] for i, name in enumerate(header)})
