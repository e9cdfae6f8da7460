"""An NDJSON file on the cluster's storage is read and checked by Spark when its lines are
flat objects whose keys have one kind of value each (parcours.store.spark_ndjson), and gives
what DuckDB gives from the same file: the same report, events (their properties, typed and
in DuckDB's order), rejected rows (their row numbers), reasons and records. Any other file
is read on the driver, alike."""

from __future__ import annotations

import gzip
import json

import pytest

from parcours.store import spark_ndjson
from tests.store.test_spark_csv import copies, small_blocks
from tests.store.test_spark_parquet import (
    EVENTS,
    engines,
    ingest_both,
    planted_alike,
    read_by_spark,
    same_tables,
)

pytestmark = pytest.mark.spark
__all__ = ["copies", "engines", "read_by_spark", "small_blocks"]  # the fixtures, shared


def planted_lines() -> list[str]:
    """EVENTS (one row per rule, see test_spark_parquet) as NDJSON: a missing value left
    out or null in turn; revenue as texts, since JSON has no NaN nor infinity."""
    lines = []
    for i, row in enumerate(EVENTS.to_pylist()):
        if row["revenue"] is not None:
            row["revenue"] = str(row["revenue"])  # '1234.5', 'nan', 'inf'
        lines.append(
            json.dumps({k: v for k, v in row.items() if v is not None or i % 2}, ensure_ascii=i % 3)
        )
    return lines


def layout_of(engines, path):
    return spark_ndjson.layout(engines[1].con._session, path.as_uri())


def test_an_ndjson_file_is_checked_by_spark_as_by_duckdb(
    tmp_path, engines, read_by_spark, small_blocks
):
    path = tmp_path / "events.ndjson"
    # A byte order mark, CRLF endings, and blank lines (no rows: the numbers after them
    # are the objects', as DuckDB counts them).
    lines = planted_lines()
    lines.insert(4, "")
    lines.insert(10, " \t")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    layout = layout_of(engines, path)
    assert layout is not None and layout.numbering.blank_lines == [4, 10]
    assert len(layout.numbering.line_offsets) > 4  # read in many blocks
    assert layout.columns == {name: "string" for name in EVENTS.column_names}

    planted_alike(engines, path)
    rejected = engines[1].con.table("rejected").to_pandas()
    assert sorted(rejected.row_number.unique().tolist()) == [*range(4, 13), 15]


TYPED = [  # each key one kind of value over the file; first seen in this order
    {"event_id": "n1", "ts": 1714557600, "id": "123E4567-E89B-12D3-A456-426614174000"},
    {"ts": 1714561200, "event_id": "n2", "qty": 2, "price": 1.0, "member": True, "gone": None},
    {"event_id": "n3", "ts": 1714564800, "qty": -0, "price": 0.1, "member": False},
    {"event_id": "n4", "ts": 1714568400, "qty": 9007199254740993, "price": 1e3, "_raw": "é"},
    {"event_id": "n5", "ts": 1714572000, "price": -0.0, "note": 'ligne\n"deux" \u2603'},
    {"event_id": "n6", "ts": 1714575600, "price": 123456789.123456789, "note": "12:30 et x"},
    {"event_id": "n7", "ts": 1714579200, "price": 2, "id": "00000000-0000-0000-0000-00000000abcd"},
]


def test_typed_values_keep_duckdbs_types_and_order(tmp_path, engines, read_by_spark):
    path = tmp_path / "typed.jsonl"
    base = {"channel": "app", "event": "open"}
    lines = [json.dumps({**base, **row, "email": f"{i}@x.fr"}) for i, row in enumerate(TYPED)]
    path.write_text("\n".join(lines), encoding="utf-8")  # no last line ending
    layout = layout_of(engines, path)
    assert layout is not None
    assert layout.columns == {
        "channel": "string",
        "event": "string",
        "event_id": "string",
        "ts": "bigint",
        "id": "string",
        "qty": "bigint",
        "price": "double",
        "member": "boolean",
        "gone": "string",
        "_raw": "string",
        "note": "string",
        "email": "string",
    }
    assert layout.uuids == {"id"}

    report, _ = ingest_both(engines, path, anonymous_id="id", ts={"column": "ts", "unit": "s"})
    assert report.accepted == 7
    same_tables(engines)
    events = engines[1].events.to_pandas().set_index("event_id")
    # DuckDB's UUID, written in lower case; a double written as DuckDB writes it.
    assert json.loads(events.loc["n4", "properties"]) == {
        "qty": 9007199254740993,
        "price": 1000.0,
        "member": None,
        "gone": None,
        "_raw": "é",
        "note": None,
    }
    assert events.loc["n2", "properties"].startswith('{"qty":2,"price":1.0,"member":true,')


def test_a_gzipped_file_is_read_by_spark(tmp_path, engines, read_by_spark):
    path = tmp_path / "events.ndjson.gz"
    path.write_bytes(gzip.compress("\n".join(planted_lines()).encode()))
    planted_alike(engines, path)


BROKEN = {  # lines only the driver's reading judges (each in a file of good ones)
    "broken JSON": '{"event_id": "b1", "ts": "2024-05-01 10:00"\n',
    "two objects": '{"event_id": "b2"} {"event_id": "b3"}\n',
    "an array": '[{"event_id": "b4"}]\n',
    "a number": "42\n",
    "NaN": '{"event_id": "b5", "revenue": NaN}\n',
    "a trailing comma": '{"event_id": "b6",}\n',
    "a leading zero": '{"event_id": "b7", "qty": 07}\n',
    "a raw tab": '{"event_id": "b8\tx"}\n',
    "a lone surrogate": '{"event_id": "b9\\ud800"}\n',
    "not UTF-8": '{"event_id": "b1\udcff0"}\n',
    "a key twice": '{"event_id": "b11", "event_id": "b12"}\n',
    "a mark inside": '\ufeff{"event_id": "b13"}\n',
    "a number and a text": '{"event_id": "b14", "promo": 3}\n',
    "a nested object": '{"event_id": "b15", "cart": {"items": 2}}\n',
    "a list": '{"event_id": "b16", "tags": ["a"]}\n',
    "a number over 64 bits": '{"event_id": "b17", "qty": 18446744073709551616}\n',
    "an infinite number": '{"event_id": "b18", "qty": 1e999}\n',
    "an empty key": '{"event_id": "b19", "": 1}\n',
    "a NUL in a key": '{"event_id": "b20", "a\\u0000b": 1}\n',
    "a key in another case": '{"event_id": "b21", "Promo": "x"}\n',
    "the key of the row's place": '{"event_id": "b22", "parcours_row_index": 1}\n',
}
ALL_TIMES = '{"event_id": "t1", "at": "12:30"}\n{"event_id": "t2", "at": "1:02:03.5"}\n'


def with_lines(path, *added):
    lines = [line + "\n" for line in planted_lines()]
    lines[5:5] = added
    path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("case", BROKEN)
def test_a_line_to_judge_alone_sends_the_file_to_the_driver(tmp_path, engines, case):
    path = tmp_path / "broken.ndjson"
    with_lines(path, BROKEN[case])
    assert layout_of(engines, path) is None, case
    with_lines(path)  # the same file without it: read by Spark
    assert layout_of(engines, path) is not None


def test_texts_that_may_all_be_times_send_the_file_to_the_driver(tmp_path, engines):
    path = tmp_path / "times.ndjson"
    with_lines(path, ALL_TIMES)
    assert layout_of(engines, path) is None  # DuckDB reads them as TIME
    with_lines(path, ALL_TIMES, '{"event_id": "t3", "at": "midi"}\n')
    assert layout_of(engines, path) is not None  # texts
    with_lines(path, '{"event_id": "t4", "at": "2024-05-01 12:30:00+00"}\n')
    assert layout_of(engines, path) is not None  # not a time of day: a text


def test_keys_seldom_present_send_the_file_to_the_driver(tmp_path, engines):
    path = tmp_path / "sparse.ndjson"
    rows = [{"event_id": f"s{i}", f"k{i % 20}": i} for i in range(60)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert layout_of(engines, path) is None  # DuckDB would read the objects as MAPs


def test_a_file_with_lines_to_judge_is_read_on_the_driver_alike(tmp_path, engines, copies):
    path = tmp_path / "broken.ndjson"
    with_lines(path, *BROKEN.values(), ALL_TIMES)
    report, _ = ingest_both(engines, path)
    assert copies == [path.as_uri()]
    assert report.rejected > 9  # the broken lines too, each named by the salvage
    same_tables(engines)
