"""An XES log on the cluster's storage is read and checked by Spark when its traces hold
flat attributes (parcours.store.spark_xes), and gives what the driver's reader gives from
the same log: the same report, events (their properties, in the reader's order), rejected
rows (their row numbers), reasons and records. Any other log is read on the driver, alike."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd
import pytest

from parcours.errors import SourceError
from parcours.store import spark_xes
from parcours.store.xes import read_xes
from tests.store.test_spark_csv import copies, small_blocks
from tests.store.test_spark_parquet import EVENTS, engines, ingest_both, read_by_spark, same_tables

pytestmark = pytest.mark.spark
__all__ = ["copies", "engines", "read_by_spark", "small_blocks"]  # the fixtures, shared

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- Written by a test: a comment, nested attributes, log attributes in the header. -->
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <float key="meta:mean" value="1.5"><float key="10609" value="2.538"/></float>
  <string key="concept:name" value="log-level, not a row's"/>
"""


def attribute(tag: str, key: str, value: str) -> str:
    return f"<{tag} key={quoteattr(key)} value={quoteattr(value)}/>"


def log(traces, *, header=HEADER, ending="\n") -> str:
    """An XES log of ``traces``: each (its attributes, its events), an attribute a (tag,
    key, value), or an element written as is."""
    parts = [header]
    for attributes, events in traces:
        parts.append("  <trace>\n")
        parts += [f"    {a if isinstance(a, str) else attribute(*a)}\n" for a in attributes]
        for event in events:
            inner = "".join(a if isinstance(a, str) else attribute(*a) for a in event)
            parts.append(f"    <event>{inner}</event>\n")
        parts.append("  </trace>\n")
    parts.append("</log>\n")
    return "".join(parts).replace("\n", ending)


def planted_events():
    """EVENTS (one row per rule, see test_spark_parquet) as XES events of text values but
    revenue, a float; XML holds no NUL byte, so row 10's event is "vi ew" (a fine row)."""
    events = []
    for row in EVENTS.to_pylist():
        row["event"] = row["event"] and row["event"].replace("\x00", " ")
        event = []
        for key, value in row.items():
            if value is None:
                continue  # a missing value: no attribute
            if key == "revenue":
                event.append(("float", key, str(value)))  # '1234.5', 'nan', 'inf'

            else:
                event.append(("string", key, value))
        events.append(event)
    return events


def layout_of(engines, path):
    return spark_xes.layout(engines[1].con._session, path.as_uri())


def test_an_xes_log_is_checked_by_spark_as_on_the_driver(
    tmp_path, engines, read_by_spark, small_blocks
):
    path = tmp_path / "events.xes"
    events = planted_events()
    traces = [([], events[:5]), ([], events[5:6]), ([], []), ([], events[6:])]
    # A byte order mark and CRLF endings; blocks of 128 bytes, a trace in several.
    path.write_bytes(b"\xef\xbb\xbf" + log(traces, ending="\r\n").encode())
    layout = layout_of(engines, path)
    assert layout is not None and len(layout.events_before) > 3  # read in many blocks
    assert layout.columns == list(read_xes(path).columns)

    first, _ = ingest_both(engines, path)
    # Rows 1, 2, 3, 10 and 13 stored; 4 to 9, 11 and 12 rejected; 14 a duplicate, 15 a
    # conflict.
    assert (first.rows, first.accepted, first.rejected) == (15, 5, 8)
    assert (first.duplicates, first.conflicts) == (1, 1)
    again, _ = ingest_both(engines, path)
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 6, 1)
    same_tables(engines)
    rejected = engines[1].con.table("rejected").to_pandas()
    assert sorted(rejected.row_number.unique().tolist()) == [*range(4, 10), 11, 12, 15]


# Trace attributes (case:), values the XML parser rewrites (entities, a line break in a value
# is a space, &#10; is a line break), every kind of attribute, keys first seen late.
TRACES = [
    (
        [("string", "concept:name", "c1"), ("int", "AMOUNT_REQ", "5000")],
        [
            [
                ("string", "event_id", "x1"),
                ("date", "ts", "2024-05-01T10:00:00.000+02:00"),
                ("string", "channel", "web"),
                ("string", "event", "A & B <ok> \"q\" 'a'"),
            ],
            [
                ("id", "event_id", "x2"),
                ("date", "ts", "2024-05-01T11:00:00+02:00"),
                ("string", "channel", "app"),
                '<string key="event" value="ligne\tun\r\ndeux&#10;trois &#x2603; é"/>',
                ("boolean", "member", "true"),
            ],
        ],
    ),
    (
        [("string", "concept:name", "c2"), ("string", "segment", "fidèle")],
        [
            [
                ("string", "channel", "magasin"),
                ("date", "ts", "2024-05-02T09:00:00Z"),
                ("string", "event_id", "x3"),
                ("float", "revenue", "12.5"),
                ("string", "event", "achat"),
                ("string", "_raw", "kept"),
            ],
            [("string", "event_id", "x4"), ("string", "event", "view")],  # no ts: rejected
        ],
    ),
]


def test_trace_attributes_and_values_come_as_on_the_driver(tmp_path, engines, read_by_spark):
    path = tmp_path / "journeys.xes.gz"
    path.write_bytes(gzip.compress(log(TRACES).encode()))
    layout = layout_of(engines, path)
    assert layout is not None
    expected = read_xes(path)
    assert layout.columns == list(expected.columns)
    assert layout.columns[:3] == ["case:concept:name", "case:AMOUNT_REQ", "event_id"]
    assert expected.loc[1, "event"] == "ligne un deux\ntrois \u2603 é"  # as XML reads it

    report, _ = ingest_both(engines, path)
    assert (report.rows, report.accepted, report.rejected) == (4, 3, 1)
    same_tables(engines)
    events = engines[1].events.to_pandas().set_index("event_id")
    assert events.loc["x3", "properties"] == (
        '{"case:AMOUNT_REQ":null,"member":null,"case:segment":"fidèle","_raw":"kept"}'
    )


OK_TRACE = '  <trace><string key="concept:name" value="ok"/><event>{}</event></trace>\n'.format(
    attribute("string", "event_id", "ok1")
    + attribute("date", "ts", "2024-05-01T10:00:00Z")
    + attribute("string", "event", "view")
    + attribute("string", "channel", "web")
)
# Each sends the log to the driver, whose reader reads it otherwise than Spark's would (or
# says it is no XES).
BROKEN = {
    "a nested attribute": '<string key="a" value="1"><string key="b" value="2"/></string>',
    "a list": '<list key="l"><values><string key="a" value="1"/></values></list>',
    "an attribute without a value": '<string key="a"/>',
    "an attribute without a key": '<string value="1"/>',
    "an element of another kind": '<note key="a" value="1"/>',
    "an element of another namespace": '<xes:string key="a" value="1"/>',
    "a key twice": '<string key="a" value="1"/><string key="a" value="2"/>',
    "a trace's key again": '<string key="case:concept:name" value="x"/>',
    "a comment": "<!-- a note -->",
    "a CDATA section": '<string key="a" value="1"/><![CDATA[x]]>',
    "an empty key": '<string key="" value="1"/>',
    "a key in another case": '<string key="Event_ID" value="1"/>',
    "the key of the row's place": '<string key="parcours_row_index" value="1"/>',
    "a trace that is no XML": '<string key="a" value="1">',
    "an undeclared entity": '<string key="a" value="&nbsp;"/>',
}
# Each, around the traces, sends the log to the driver alike.
BROKEN_AROUND = {
    "an encoding other than UTF-8": (
        HEADER.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
        "</log>\n",
    ),
    "an event outside the traces": (HEADER + "<event/>\n", "</log>\n"),
    "a comment naming a trace": (HEADER + "<!-- <trace> -->\n", "</log>\n"),
    "a comment ending a trace": (HEADER + "<!-- </trace> -->\n", "</log>\n"),
    "no end": (HEADER, ""),
    "after the end": (HEADER, "</log>\n<!-- more -->\n"),
}


def write(path: Path, inner: str = "", *, header: str = HEADER, end: str = "</log>\n") -> None:
    trace = '  <trace><string key="concept:name" value="t"/><event>{}</event></trace>\n'
    event = "".join(
        attribute("string", key, value)
        for key, value in (("event_id", "b1"), ("ts", "2024-05-02"), ("event", "buy"))
    )
    body = OK_TRACE + trace.format(event + inner) + OK_TRACE
    path.write_text(header + body + end, encoding="utf-8")


@pytest.mark.parametrize("case", BROKEN)
def test_an_element_to_judge_sends_the_log_to_the_driver(tmp_path, engines, case):
    path = tmp_path / "broken.xes"
    write(path, BROKEN[case])
    assert layout_of(engines, path) is None, case
    write(path)  # the same log without it: read by Spark
    assert layout_of(engines, path) is not None


@pytest.mark.parametrize("case", BROKEN_AROUND)
def test_a_log_ill_formed_around_its_traces_goes_to_the_driver(tmp_path, engines, case):
    path = tmp_path / "around.xes"
    header, end = BROKEN_AROUND[case]
    write(path, header=header, end=end)
    assert layout_of(engines, path) is None, case


def test_a_trace_attribute_after_an_event_sends_the_log_to_the_driver(tmp_path, engines):
    path = tmp_path / "late.xes"
    late = (
        '  <trace><event><string key="a" value="1"/></event><string key="b" value="2"/></trace>\n'
    )
    path.write_text(HEADER + OK_TRACE + late + "</log>\n", encoding="utf-8")
    assert layout_of(engines, path) is None
    # The driver gives no event "case:b": the attribute comes after the trace's only event.
    expected = ["case:concept:name", "event_id", "ts", "event", "channel", "a"]
    assert read_xes(path).columns.tolist() == expected


def test_a_log_with_elements_to_judge_is_read_on_the_driver_alike(tmp_path, engines, copies):
    path = tmp_path / "broken.xes"
    judged = {"a list", "a nested attribute", "an attribute without a value", "a comment"}
    write(path, "".join(BROKEN[case] for case in judged))
    report, _ = ingest_both(engines, path)
    assert copies == [path.as_uri()]
    assert report.rows == 3
    same_tables(engines)


def test_an_ill_formed_log_gives_the_drivers_error(tmp_path, engines, copies):
    path = tmp_path / "bad.xes"
    write(path, BROKEN["a trace that is no XML"])
    # Named by its URI, not by the copy beside the driver; the line: 7 of header, then the
    # first trace, then the broken one.
    said = f"^{re.escape(path.as_uri())}: not a readable XES file: mismatched tag: line 9,"
    with pytest.raises(SourceError, match=said):
        engines[1].ingest_events(path.as_uri())
    assert copies == [path.as_uri()]


def test_the_bpic_2012_log_reads_as_on_the_driver(shared_datasets, engines, read_by_spark):
    bpic = shared_datasets / "bpic2012" / "bpic2012.xes.gz"
    layout = layout_of(engines, bpic)
    assert layout is not None  # nested attributes in its header only
    opened = layout.read(engines[1].con, bpic.as_uri())
    try:
        got = opened.table.to_pandas()
    finally:
        opened.close()
    got = got.sort_values(spark_xes.POSITION).reset_index(drop=True)
    assert got[spark_xes.POSITION].tolist() == list(range(len(got)))
    expected = read_xes(bpic)
    assert len(got) == len(expected) == 262_200
    pd.testing.assert_frame_equal(
        got.drop(columns=spark_xes.POSITION), expected.where(expected.notna(), None)
    )
