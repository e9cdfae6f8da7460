"""Open a data source as an Ibis table on the workspace's DuckDB connection.

Files are read by DuckDB itself, which streams them: a multi-gigabyte CSV is never loaded
into pandas. CSV cells are read as text so that one bad value rejects one row rather than
the whole file. CSV is RFC 4180 (values quoted with ``"``, a quote inside one doubled) with
the delimiter of the mapping, else the one its header line uses (``,`` ``;`` tab or ``|``).

When DuckDB cannot read a CSV or NDJSON file (a wrong number of fields, a quote never
closed, CRLF and LF endings mixed, a line of broken JSON, bytes that are not UTF-8), the
file is read again line by line (:mod:`parcours.store.salvage`): every bad line becomes a
rejected row with its number and reason, and every other row is read as usual. A file
DuckDB reads but misreads is read line by line too: a CSV whose header it took from another
line (a last row with a cell more), an NDJSON file with keys it cannot tell apart (``Event``
and ``event``: it renames one ``Event_1``), nor name (a key holding a NUL byte), nor type (a
nested object with an empty key, or two keys differing only in case).

Column names are checked: a CSV header naming two columns that differ only in case (DuckDB
reads names without case) or a column with a NUL byte in its name is refused with both
names. Source columns whose names begin with ``_`` are renamed while the ingest works
(:func:`internal`), so that none can hide a column of the ingest's own (``__row``).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
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
DATA_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES + XES_SUFFIXES
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
# DuckDB fails to open an NDJSON file with a nested object whose keys differ only in case
# (NotImplementedException "Duplicate name"); ibis fails to type a nested object with an
# empty key (AssertionError while parsing the STRUCT type DuckDB gives): read line by line.
JSON_TYPE_ERRORS: tuple[type[Exception], ...] = (duckdb.NotImplementedException, AssertionError)


class Misread(Exception):
    """DuckDB read a text file, but not as written (see the module doc): read it line by line."""


SALVAGED_ERRORS: tuple[type[Exception], ...] = (*OPEN_ERRORS, Misread)  # read line by line


def internal(name: str) -> str:
    """The name a source column has while the ingest works: names beginning with ``_`` get
    ``__`` more, so that no source column takes a name of the ingest's own (``__row``,
    ``__reason``, ``_from``: one or two underscores, then a letter).

    >>> internal("__row"), internal("event"), external(internal("_x"))
    ('____row', 'event', '_x')
    """
    return "__" + name if name.startswith("_") else name


def external(name: str) -> str:
    """The source's name of a column named by :func:`internal`."""
    return name[2:] if name.startswith("___") else name


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
    cleanup: Callable[[], Any] | None = None  # what else close() lets go (a Spark view)

    def numbered(self) -> ir.Table:
        """The source's columns (named by :func:`internal`) and ``__row``, each row's number
        from 1 in reading order, the same each time the source is read. From the reader's
        position when it gives one (Parquet: the file is then read by every thread), else
        by counting the rows as they are read (one thread: the count follows the reading
        order)."""
        renamed = {internal(c): c for c in self.table.columns if c.startswith("_")}
        table = self.table.rename(renamed) if renamed else self.table
        if self.position is not None:
            position = table[self.position]
            return table.mutate(__row=position + 1).drop(self.position)
        return table.mutate(__row=ibis.row_number() + 1)

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.cleanup is not None:
            self.cleanup()


def describe(source: Any) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def open_source(con: Any, source: Any, *, delimiter: str | None = None) -> OpenedSource:
    """Open ``source`` (a path, a pandas DataFrame or an Arrow table) on ``con``."""
    if isinstance(source, pd.DataFrame):
        check_names([str(c) for c in source.columns], describe(source))
        return OpenedSource(_typed(ibis.memtable(source)), describe(source))
    if isinstance(source, (pa.Table, pa.RecordBatchReader)):
        table = source.read_all() if isinstance(source, pa.RecordBatchReader) else source
        check_names(table.column_names, describe(source))
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
        delim = tab_for_tsv(name, delimiter) or delimiter_of(head)
        options = {**CLEAN_CSV, "delim": delim}
        header = header_names(head, delim)
        if header is not None:
            check_names(header, str(path), empty=True)

        def read_csv() -> ir.Table:
            table = con.read_csv(str(path), **options)
            if header is not None and not _same_header(table.columns, header):
                raise Misread  # the sniffer took another line for the header
            return table

        return _open_text(
            con,
            path,
            read_csv,
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

        def read_json() -> ir.Table:
            try:
                table = _typed(con.read_json(str(path), **JSON_OPTIONS))
            except JSON_TYPE_ERRORS:
                if not by_line:
                    raise
                raise Misread from None
            except duckdb.BinderException as error:
                if by_line or "expected records" not in str(error):
                    raise
                raise SourceError(
                    f"{path}: holds no JSON object per line nor an array of JSON objects; "
                    "give one object per line (NDJSON), or one array of objects"
                ) from None
            if by_line and _misnamed(table.columns):
                raise Misread
            return table

        return _open_text(
            con,
            path,
            read_json,
            (lambda folder: salvage_ndjson(path, folder / "clean.ndjson")) if by_line else None,
            lambda clean: _typed(
                con.read_json(str(clean), format="newline_delimited", **JSON_OPTIONS)
            ),
        )
    if name.endswith(XES_SUFFIXES):
        from parcours.store.xes import read_xes

        return OpenedSource(ibis.memtable(read_xes(path)), str(path))
    raise SourceError(f"{path}: unknown file type; allowed endings: {', '.join(DATA_SUFFIXES)}")


def local_files(path: Path) -> list[Path]:
    """The files an ingest of the local ``path`` reads: itself, or a folder's files (see
    :func:`folder_files`)."""
    if not path.is_dir():
        return [path]
    names = [entry.name for entry in path.iterdir() if entry.is_file()]
    return [path / name for name in folder_files(str(path), names)]


def folder_files(folder: str, names: list[str]) -> list[str]:
    """The files of ``folder`` an ingest reads, given the names of its files: those that
    start with neither "_" nor "." (a table as Spark writes it holds _SUCCESS and .crc files
    beside its part files), in name order. A folder holding other files is refused, naming
    them, before anything is read: no file is left aside unsaid."""
    shown = sorted(n for n in names if not n.startswith(("_", ".")))
    unknown = [n for n in shown if not n.lower().endswith(DATA_SUFFIXES)]
    if unknown:
        listed = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise SourceError(
            f"{folder}: holds files of unknown type ({listed}); a folder is ingested whole, "
            f"each file one batch: keep there only files ending in {', '.join(DATA_SUFFIXES)}"
        )
    if not shown:
        raise SourceError(f"{folder}: holds no file to ingest")
    return shown


def check_names(names: list[str], source: str, empty: bool = False) -> None:
    """Column names DuckDB can tell apart: it reads names without case (its file readers
    rename a second ``Event`` to ``Event_1``; a table in memory would mix the two). With
    ``empty``, a column may have no name (a CSV header cell left empty, as pandas writes
    its index: DuckDB names it ``column0``)."""
    seen: dict[str, str] = {}
    for name in names:
        if empty and not name:
            continue
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


def header_names(head: str, delimiter: str) -> list[str] | None:
    """The names of a CSV header line, as DuckDB gives them (trimmed); None when it cannot
    be read here (a delimiter of several characters, a quote left open)."""
    if len(delimiter) != 1:
        return None
    try:
        row = next(csv.reader(io.StringIO(head.removeprefix("\ufeff")), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    return [name.strip() for name in row]


def _same_header(columns: list[str], header: list[str]) -> bool:
    """Whether DuckDB read ``header`` as the names (a name left empty: any name)."""
    return len(columns) == len(header) and all(
        not name or name == column for name, column in zip(header, columns, strict=True)
    )


_RENAMED = re.compile(r"(?P<name>.+)_\d+")
_UNNAMED = re.compile(r"C\d+")  # DuckDB's name for an empty JSON key (C4: the fifth)


def _misnamed(columns: list[str]) -> bool:
    """Whether DuckDB may have renamed a JSON key (``Event_1`` for ``Event`` next to
    ``event``, ``C4`` for an empty key) or kept one no query can name (holding a NUL). A
    key really named so costs a reading line by line, which finds every line fine."""
    lower = {c.lower() for c in columns}
    for column in columns:
        if not column or "\x00" in column or _UNNAMED.fullmatch(column):
            return True
        renamed = _RENAMED.fullmatch(column)
        if renamed and renamed["name"].lower() in lower:
            return True
    return False


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


def tab_for_tsv(name: str, delimiter: str | None) -> str | None:
    """The delimiter given, else a tab for a ``.tsv`` file (else None: found in the header)."""
    if delimiter is None and name.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    return delimiter


def delimiter_of(head: str) -> str:
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
    except SALVAGED_ERRORS:
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
