"""A CSV file on the cluster's storage is read and checked by Spark when each of its lines is
a whole record (parcours.store.spark_csv), and gives what DuckDB gives from the same file:
the same report, events, rejected rows (their row numbers), reasons and records. A file
with a line only a reading line by line can judge is read on the driver, alike."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

import parcours
from parcours.store import spark_csv, spark_files
from tests.store.test_spark_parquet import (
    EVENTS,
    engines,
    ingest_both,
    planted_alike,
    read_by_spark,
    same_tables,
)

pytestmark = pytest.mark.spark
__all__ = ["engines", "read_by_spark"]  # the fixtures, shared


def planted_csv(delimiter: str = ",", ending: str = "\n") -> str:
    """EVENTS (one row per rule, see test_spark_parquet) as a spreadsheet writes it: values
    quoted when they hold the delimiter or a quote, an empty cell for a missing value."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    writer.writerow(EVENTS.column_names)
    for row in EVENTS.to_pylist():
        writer.writerow(["" if v is None else v for v in row.values()])
    return out.getvalue()


@pytest.fixture
def copies(monkeypatch):
    """The URIs copied beside the driver (read there), in order."""
    fetched, seen = spark_files.fetched, []

    def spy(session, uri, folder):
        seen.append(uri)
        return fetched(session, uri, folder)

    monkeypatch.setattr(spark_files, "fetched", spy)
    return seen


@pytest.fixture
def small_blocks(engines):
    """Blocks of 128 bytes: a file is read by many tasks, whose rows are numbered alike."""
    session = engines[1].con._session
    before = session.conf.get("spark.sql.files.maxPartitionBytes")
    session.conf.set("spark.sql.files.maxPartitionBytes", "128")
    yield
    session.conf.set("spark.sql.files.maxPartitionBytes", before)


def test_a_csv_file_is_checked_by_spark_as_by_duckdb(
    tmp_path, engines, read_by_spark, small_blocks
):
    path = tmp_path / "events.csv"
    # A byte order mark, CRLF endings, and blank lines (no rows: the numbers after them
    # are the data rows', as DuckDB counts them).
    text = planted_csv(ending="\r\n")
    lines = text.split("\r\n")
    lines.insert(5, "")
    lines.insert(11, "")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    layout = spark_csv.layout(engines[1].con._session, path.as_uri(), None)
    assert layout is not None and layout.numbering.blank_lines == [5, 11]
    assert len(layout.numbering.line_offsets) > 4  # read in many blocks

    planted_alike(engines, path)
    rejected = engines[1].con.table("rejected").to_pandas()
    # Rows 4 to 12 rejected, row 15 a conflict: numbered as the data rows, blanks aside.
    assert sorted(rejected.row_number.unique().tolist()) == [*range(4, 13), 15]


def test_quotes_delimiters_and_empty_values_are_read_alike(tmp_path, engines, read_by_spark):
    path = tmp_path / "quoted.csv"
    path.write_text(
        ";event_id;ts;email;channel;event;note\n"  # an unnamed first column: pandas' index
        '0;q1;2024-05-01 10:00;a@x.fr;web;"view; then ""buy""";" spaced "\n'
        '1;q2;2024-05-01 11:00;b@x.fr;"web";view;""\n'
        "2;q3;2024-05-01 12:00;c@x.fr;web;view;\n"
        "3;q4;2024-05-01 13:00;;web;view;x\n",
        encoding="utf-8",
    )
    report, _ = ingest_both(engines, path)
    assert (report.accepted, report.rejected) == (3, 1)
    same_tables(engines)
    events = engines[1].events.to_pandas().set_index("event_id")
    assert events.loc["q1", "event"] == 'view; then "buy"'
    assert events.loc["q1", "properties"] == '{"column0":"0","note":" spaced "}'


def test_a_gzipped_and_a_tab_separated_file_are_read_by_spark(tmp_path, engines, read_by_spark):
    gz = tmp_path / "events.csv.gz"
    gz.write_bytes(gzip.compress(planted_csv().encode()))
    ingest_both(engines, gz)
    tsv = tmp_path / "later.tsv"
    tsv.write_text(planted_csv("\t").replace("e1\t", "t1\t"), encoding="utf-8")
    report, _ = ingest_both(engines, tsv)
    assert report.accepted == 1  # t1: the others were stored from the first file
    same_tables(engines)


BROKEN = {  # lines only a reading line by line judges (each in a file of good ones)
    "quote never closed": 'e20,2024-05-01 10:00,z@x.fr,,"view,web,,\n',
    "a field too many": "e21,2024-05-01 10:00,z@x.fr,,view,web,,,x\n",
    "a field too few": "e22,2024-05-01 10:00,z@x.fr,,view,web,\n",
    "not UTF-8": "e23,2024-05-01 10:00,z@x.fr,,vi\udcffew,web,,\n",
    "a value over two lines": 'e24,2024-05-01 10:00,z@x.fr,,"two\nlines",web,,\n',
    "a CR alone": "e25,2024-05-01 10:00,z@x.fr,,a\rb,web,,\n",
    "a line of spaces": "   \n",
    "a quote inside a value": 'e26,2024-05-01 10:00,z@x.fr,,vi"ew,web,,\n',
    "text after a quote": 'e27,2024-05-01 10:00,z@x.fr,,"vi"ew,web,,\n',
}


def with_lines(path, *lines):
    text = planted_csv()
    at = text.index("e5,")
    path.write_bytes((text[:at] + "".join(lines) + text[at:]).encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("case", BROKEN)
def test_a_line_to_judge_alone_sends_the_file_to_the_driver(tmp_path, engines, case):
    path = tmp_path / "broken.csv"
    with_lines(path, BROKEN[case])
    assert spark_csv.layout(engines[1].con._session, path.as_uri(), None) is None, case
    with_lines(path)  # the same file without it: read by Spark
    assert spark_csv.layout(engines[1].con._session, path.as_uri(), None) is not None


@pytest.mark.parametrize(
    "header",
    [
        "event_id,ts,email,parcours_row_index",  # the name of each row's place on Spark
        ",column0,ts,email",  # an unnamed column: DuckDB names it column0, as the next
    ],
)
def test_a_header_spark_would_misname_sends_the_file_to_the_driver(tmp_path, engines, header):
    path = tmp_path / "named.csv"
    path.write_text(header + "\ne1,2024-05-01 10:00,a@x.fr,x\n", encoding="utf-8")
    assert spark_csv.layout(engines[1].con._session, path.as_uri(), None) is None


def test_a_file_with_broken_lines_is_read_on_the_driver_alike(tmp_path, engines, copies):
    path = tmp_path / "broken.csv"
    with_lines(path, *BROKEN.values())
    report, _ = ingest_both(engines, path)
    assert copies == [path.as_uri()]
    assert report.rejected > 9  # the broken lines too, each named by the salvage
    same_tables(engines)


def test_a_header_naming_a_column_twice_is_refused_naming_the_file(tmp_path, engines):
    path = tmp_path / "twice.csv"
    path.write_text("event_id,ts,Email,email\ne1,2024-05-01,a@x.fr,b@x.fr\n", encoding="utf-8")
    with pytest.raises(parcours.SourceError, match=f"{path.as_uri()}: columns 'Email' and"):
        engines[1].ingest_events(path.as_uri())
