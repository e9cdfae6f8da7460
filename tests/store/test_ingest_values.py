"""Ingestion, issue 15: conflicting duplicates, values that must be refused row by row, text
files whose rows are judged alone, and engine errors that are the user's to fix."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

import parcours
from parcours.errors import InputError, MappingError, SourceError, WorkspaceBusyError

HEADER = "event_id,ts,customer_id,channel,event\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def rejected(ws) -> dict[int, str]:
    table = ws.rejected.order_by("row_number").to_pandas()
    return dict(zip(table.row_number, table.reason, strict=True))


def events(ws) -> pd.DataFrame:
    return ws.events.order_by(["ts", "event_id"]).to_pandas()


# -- conflicting duplicates -----------------------------------------------------------------


def test_conflict_in_one_file_keeps_the_first_and_says_what_differs(ws, tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        HEADER
        + "e1,2026-03-01 10:00:00,k1,web,view\n"
        + "e1,2026-03-01 10:00:00,k1,web,view\n"  # a plain duplicate
        + "e1,2026-03-01 11:00:00,k1,web,purchase\n",  # a conflict
    )
    report = ws.ingest_events(path)
    assert (report.accepted, report.duplicates, report.conflicts, report.rejected) == (1, 1, 1, 0)
    assert events(ws).event.tolist() == ["view"]
    assert rejected(ws) == {
        3: "event_id 'e1' is already given by row 1 with another ts '2026-03-01 10:00:00' "
        "(kept: '2026-03-01 09:00:00'), event 'purchase' (kept: 'view'); the first version "
        "is kept (on_conflict: latest keeps the last)"
    }
    assert json.loads(ws.rejected.record.to_pandas()[0])["event"] == "purchase"
    again = ws.ingest_events(path)  # idempotent: nothing added anywhere
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 2, 1)
    assert ws.counts()["events"] == 1 and ws.counts()["rejected"] == 1


def test_conflict_in_one_file_keeps_the_latest_when_asked(ws, tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        HEADER + "e1,2026-03-01 10:00:00,k1,web,view\ne1,2026-03-01 11:00:00,k1,web,purchase\n",
    )
    report = ws.ingest_events(path, on_conflict="latest")
    assert (report.accepted, report.conflicts) == (1, 1)
    assert events(ws).event.tolist() == ["purchase"]
    assert rejected(ws)[1].startswith("event_id 'e1' is given again by row 2 with another ts")


def test_conflict_across_files_keeps_the_stored_version_by_default(ws, tmp_path):
    ws.ingest_events(write(tmp_path, "a.csv", HEADER + "e1,2026-03-01 10:00:00,k1,web,view\n"))
    later = write(
        tmp_path,
        "b.csv",
        HEADER + "e1,2026-03-01 10:00:00,k1,app,view\ne2,2026-03-01 12:00:00,k1,web,view\n",
    )
    report = ws.ingest_events(later)
    assert (report.accepted, report.duplicates, report.conflicts) == (1, 0, 1)
    assert events(ws).channel.tolist() == ["web", "web"]
    assert rejected(ws)[1] == (
        "event_id 'e1' is already stored with another channel 'app' (kept: 'web'); "
        "the first version is kept (on_conflict: latest keeps the last)"
    )


def test_conflict_across_files_latest_replaces_and_keeps_the_old_version(ws, tmp_path):
    ws.ingest_events(write(tmp_path, "a.csv", HEADER + "e1,2026-03-01 10:00:00,k1,web,view\n"))
    fix = write(tmp_path, "fix.csv", HEADER + "e1,2026-03-01 10:30:00,k1,web,view\n")
    report = ws.ingest_events(fix, on_conflict="latest")
    assert (report.accepted, report.replaced, report.conflicts) == (1, 1, 0)
    got = events(ws)
    assert [str(t) for t in got.ts] == ["2026-03-01 09:30:00"] and got.source[0] == str(fix)
    old = ws.rejected.to_pandas().iloc[0]
    assert old.reason.startswith("event_id 'e1': this stored version was replaced by row 1 of")
    assert "ts '2026-03-01 09:30:00' (was: '2026-03-01 09:00:00')" in old.reason
    assert json.loads(old.record)["source"].endswith("a.csv")  # the old version, whole
    assert ws.ingest_events(fix, on_conflict="latest").duplicates == 1  # idempotent
    assert ws.counts()["events"] == 1 and ws.counts()["rejected"] == 1


def test_properties_typed_or_as_text_are_the_same_content(ws, tmp_path):
    frame = pd.DataFrame(
        {
            "event_id": ["e1"],
            "ts": ["2026-03-01 10:00:00"],
            "customer_id": ["k1"],
            "channel": ["web"],
            "event": ["view"],
            "items": [3],
        }
    )
    ws.ingest_events(frame)
    text = write(
        tmp_path, "a.csv", HEADER.strip() + ",items\ne1,2026-03-01 10:00:00,k1,web,view,3\n"
    )
    report = ws.ingest_events(text)
    assert (report.duplicates, report.conflicts) == (1, 0)


def test_unknown_on_conflict_says_what_is_allowed(ws, tmp_path):
    with pytest.raises(
        MappingError, match="on_conflict 'last' is not known; allowed: first, latest"
    ):
        ws.ingest_events(write(tmp_path, "a.csv", HEADER), on_conflict="last")


# -- values ---------------------------------------------------------------------------------


def test_non_finite_revenue_is_rejected(ws, tmp_path):
    path = write(
        tmp_path,
        "r.csv",
        """\
        ts,customer_id,channel,event,revenue
        2026-03-01 10:00:00,k1,web,buy,NaN
        2026-03-01 10:00:01,k1,web,buy,inf
        2026-03-01 10:00:02,k1,web,buy,1e400
        2026-03-01 10:00:03,k1,web,buy,12.5
        """,
    )
    report = ws.ingest_events(path)
    assert (report.accepted, report.rejected) == (1, 3)
    assert rejected(ws) == {
        1: "revenue 'NaN' is not a finite number",
        2: "revenue 'inf' is not a finite number",
        3: "revenue '1e400' is not a finite number",
    }
    frame = pd.DataFrame(
        {"ts": ["2026-03-02 10:00:00"], "customer_id": ["k1"], "channel": ["web"]}
        | {"event": ["buy"], "revenue": [float("inf")]}  # (pandas' NaN means missing)
    )
    assert ws.ingest_events(frame).rejected == 1


def test_amounts_as_a_french_spreadsheet_writes_them_are_read(ws, tmp_path):
    """1 234,50: digits grouped by a space (or a no-break one, or a narrow one) and a decimal
    comma; an amount that mixes both marks or holds a word stays refused."""
    path = write(
        tmp_path,
        "r.csv",
        "ts;customer_id;channel;event;revenue\n"
        "2026-03-01 10:00:00;k1;web;buy;1 234,50\n"
        "2026-03-01 10:00:01;k1;web;buy;1\u00a0234,50\n"
        "2026-03-01 10:00:02;k1;web;buy;12\u202f345\n"
        "2026-03-01 10:00:03;k1;web;buy;89,90\n"
        "2026-03-01 10:00:04;k1;web;buy;1.234,50\n"
        "2026-03-01 10:00:05;k1;web;buy;12 €\n",
    )
    report = ws.ingest_events(path)
    assert (report.accepted, report.rejected) == (4, 2)
    assert events(ws).revenue.tolist() == [1234.5, 1234.5, 12345.0, 89.9]
    assert rejected(ws) == {
        5: "revenue '1.234,50' is not a number",
        6: "revenue '12 €' is not a number",
    }


def test_timestamps_outside_the_plausible_window_are_rejected(tmp_path):
    text = (
        "ts,customer_id,channel,event\n1900-01-01 00:00:00Z,k,web,a\n2990-01-01 00:00:00Z,k,web,b\n"
    )
    ws = parcours.open(":memory:")
    report = ws.ingest_events(write(tmp_path, "t.csv", text))
    assert report.rejected == 2
    reasons = rejected(ws)
    assert reasons[1].startswith(
        "ts '1900-01-01 00:00:00' (UTC) is outside the plausible window 1990-01-01 to "
    )
    assert reasons[1].endswith("widen Settings.earliest_ts or Settings.latest_ts_ahead")
    assert reasons[2].startswith("ts '2990-01-01 00:00:00' (UTC) is outside")
    wide = parcours.open(":memory:", settings=parcours.Settings(earliest_ts=datetime(1800, 1, 1)))
    assert wide.ingest_events(write(tmp_path, "t.csv", text)).accepted == 1


def test_numbers_are_not_guessed_to_be_times(ws, tmp_path):
    frame = pd.DataFrame(
        {"ts": [1_700_000_000], "customer_id": ["k"], "channel": ["web"], "event": ["a"]}
    )
    assert ws.ingest_events(frame).rejected == 1
    frame.to_parquet(tmp_path / "f.parquet")
    assert ws.ingest_events(tmp_path / "f.parquet").rejected == 1
    path = write(tmp_path, "t.csv", "ts,customer_id,channel,event\n1700000000,k,web,a\n")
    assert ws.ingest_events(path).rejected == 1
    reasons = ws.rejected.reason.to_pandas().tolist()
    assert reasons[0] == (
        "ts '1700000000' is a number, not a date-time; declare its unit in the mapping "
        "(ts: {column: ts, unit: s|ms|us})"
    )
    assert reasons[2].endswith("(ts: {column: ts, unit: s|ms|us}) or its timestamp_format")
    assert ws.counts()["events"] == 0


@pytest.mark.parametrize(
    ("unit", "value"),
    [("s", 1_700_000_000), ("ms", 1_700_000_000_000), ("us", 1_700_000_000_000_000)],
)
def test_a_declared_unit_reads_numbers_as_times(ws, tmp_path, unit, value):
    frame = pd.DataFrame({"t": [value], "customer_id": ["k"], "channel": ["web"], "event": ["a"]})
    assert ws.ingest_events(frame, ts={"column": "t", "unit": unit}).accepted == 1
    path = write(tmp_path, "t.csv", f"t,customer_id,channel,event\n{value},k,web,b\nsoon,k,web,c\n")
    report = ws.ingest_events(path, ts={"column": "t", "unit": unit})
    assert (report.accepted, report.rejected) == (1, 1)
    assert [str(t) for t in events(ws).ts] == ["2023-11-14 22:13:20"] * 2
    assert rejected(ws)[2].startswith("ts 'soon' is not a number of")


def test_units_are_checked_in_the_mapping(ws, tmp_path):
    path = write(tmp_path, "t.csv", "t,customer_id,channel,event\n1,k,web,a\n")
    with pytest.raises(MappingError, match=r"unit 'days' is not known; allowed: s \(seconds\)"):
        ws.ingest_events(path, ts={"column": "t", "unit": "days"})
    with pytest.raises(MappingError, match="field 'event' has a unit; only a time has one"):
        ws.ingest_events(path, ts="t", event={"column": "event", "unit": "s"})


def test_a_boolean_identifier_is_rejected(ws):
    frame = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00"] * 3,
            "customer_id": [True, False, None],
            "anonymous_id": ["c1", "c2", "c3"],
            "channel": ["web"] * 3,
            "event": ["a"] * 3,
        }
    )
    report = ws.ingest_events(frame)
    assert (report.accepted, report.rejected) == (1, 2)
    assert rejected(ws)[1] == (
        "customer_id is true/false (column 'customer_id' holds booleans), not an identifier; "
        "map a column of identifiers"
    )


# -- text files: each row judged alone -------------------------------------------------------

LINE = '{"ts": "2026-03-01T10:0%d:00Z", "customer_id": "k", "channel": "web", "event": "e%d"}\n'


def test_a_broken_ndjson_line_is_rejected_alone(ws, tmp_path):
    text = LINE % (1, 1) + '{"ts": broken\n' + "[1, 2]\n" + "\n" + LINE % (2, 2)
    report = ws.ingest_events(write(tmp_path, "e.ndjson", text))
    assert (report.rows, report.accepted, report.rejected) == (4, 2, 2)
    assert rejected(ws) == {
        2: "NDJSON line 2 is not valid JSON: Expecting value at column 8",
        3: "NDJSON line 3 holds an array, not a JSON object",
    }
    assert json.loads(ws.rejected.record.to_pandas()[0]) in (
        {"line": '{"ts": broken'},
        {"line": "[1, 2]"},
    )
    assert [r for r, _ in report.rejections] == [2, 3]
    assert events(ws).event.tolist() == ["e1", "e2"]


def test_half_a_utf16_pair_rejects_its_line_only(ws, tmp_path):
    # json.loads reads "\ud800" and DuckDB refuses it: the whole file failed to be read.
    half = LINE.replace('"e%d"', '"e%d\\ud800"')
    text = LINE % (1, 1) + half % (2, 2) + LINE.replace('"e%d"', '"\\ud83d\\ude00%d"') % (3, 3)
    report = ws.ingest_events(write(tmp_path, "e.ndjson", text))
    assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
    assert rejected(ws) == {
        2: "NDJSON line 2 holds half of a UTF-16 pair (a \\uD800 to \\uDFFF escape alone), "
        "which is no character; write the character or its pair"
    }
    assert events(ws).event.tolist() == ["e1", "\U0001f6003"]


def test_an_ndjson_key_first_seen_late_is_kept(ws, tmp_path):
    # DuckDB guesses a JSON file's columns from its first 20,480 lines by default.
    rows = [{"ts": "2026-03-01T10:00:00Z", "customer_id": f"c{i}", "channel": "web",
             "event": "view"} for i in range(25_000)]  # fmt: skip
    rows[-1]["coupon"] = "NOEL26"
    path = tmp_path / "late.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (25_000, 25_000, 0)
    last = ws.events.filter(ws.events.customer_id == "c24999").properties.to_pandas()
    assert json.loads(last.iloc[0])["coupon"] == "NOEL26"


def test_mixed_line_endings_read_every_row(ws, tmp_path):
    text = b"ts,customer_id,channel,event\r\n2026-03-01 10:00:00,k,web,a\n2026-03-01 11:00:00,k,web,b\r\n"
    report = ws.ingest_events(write(tmp_path, "m.csv", text))
    assert (report.accepted, report.rejected) == (2, 0)
    assert events(ws).event.tolist() == ["a", "b"]


def test_an_unbalanced_quote_rejects_its_line_only(ws, tmp_path):
    path = write(
        tmp_path,
        "q.csv",
        """\
        ts,customer_id,channel,event
        2026-03-01 10:00:00,k,web,"quoted, fine"
        2026-03-01 10:01:00,k,web,"never closed
        2026-03-01 10:02:00,k,web,"a cell
        on two lines"
        2026-03-01 10:03:00,k,web,after
        """,
    )
    report = ws.ingest_events(path)
    assert (report.accepted, report.rejected) == (3, 1)
    assert rejected(ws) == {2: "malformed CSV line 3: a quote opened here is never closed"}
    assert events(ws).event.tolist() == ["quoted, fine", "a cell\non two lines", "after"]
    # Rows after the bad line keep their own number in the file.
    bad = write(tmp_path, "q2.csv", path.read_text().replace("after", "after,extra"))
    assert [r for r, _ in ws.ingest_events(bad).rejections] == [2, 4]


def test_nul_bytes_and_bad_utf8_reject_their_row(ws, tmp_path):
    text = (
        b"ts,customer_id,channel,event\n"
        b"2026-03-01 10:00:00,k,web,a\x00b\n"
        b"2026-03-01 10:01:00,k,web,\xff\n"
        b"2026-03-01 10:02:00,k,web,fine\n"
    )
    report = ws.ingest_events(write(tmp_path, "n.csv", text))
    assert (report.accepted, report.rejected) == (1, 2)
    assert rejected(ws) == {
        1: "column 'event' holds a NUL byte; is the file binary or damaged?",
        2: "malformed CSV line 3: not UTF-8 text (byte 0xff at column 27)",
    }


def test_a_bad_line_past_the_sniffed_sample_is_found(ws, tmp_path):
    good = "".join(f"2026-03-01 10:00:00,k{i},web,a\n" for i in range(30_000))
    text = "ts,customer_id,channel,event\n" + good + "2026-03-01 10:00:00,k,web,a,extra\n"
    report = ws.ingest_events(write(tmp_path, "big.csv", text + "2026-03-01 10:00:00,z,web,a\n"))
    assert (report.accepted, report.rejected) == (30_001, 1)
    assert rejected(ws) == {30_001: "malformed CSV line 30002: expected 4 fields, found 5"}


@pytest.mark.parametrize("name", ["empty.csv", "empty.ndjson", "blank.csv"])
def test_an_empty_file_says_so(ws, tmp_path, name):
    path = write(tmp_path, name, "\n  \n" if name.startswith("blank") else "")
    with pytest.raises(SourceError, match=f"{name} is empty"):
        ws.ingest_events(path)


# -- engine errors are the user's to fix -------------------------------------------------------


def test_unknown_time_zone_is_an_input_error(tmp_path):
    path = write(tmp_path, "a.csv", "ts,customer_id,channel,event\n2026-03-01 10:00:00,k,web,a\n")
    ws = parcours.open(":memory:")
    with pytest.raises(InputError, match="time zone 'Mars/Olympus' is not known; give an IANA"):
        ws.ingest_events(path, timezone="Mars/Olympus")
    moved = parcours.open(":memory:", settings=parcours.Settings(timezone="Europe/Pari"))
    with pytest.raises(InputError, match="close names: .*Europe/Paris"):
        moved.ingest_events(path)
    assert ws.counts()["events"] == 0 and ws.counts()["batches"] == 0


def test_a_column_mixing_objects_and_numbers_is_a_source_error(ws):
    frame = pd.DataFrame(
        {"ts": ["2026-03-01 10:00:00"] * 2, "customer_id": ["a", "b"], "channel": ["web"] * 2}
        | {"event": ["x", "y"], "detail": [{"a": 1}, 3]}
    )
    with pytest.raises(SourceError, match="column 'detail' mixes kinds of values"):
        ws.ingest_events(frame)


def test_a_workspace_held_by_another_process(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c = duckdb.connect({str(path)!r}); print(1, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        with pytest.raises(
            WorkspaceBusyError, match=f"{path}: another process .*holds this workspace"
        ):
            parcours.open(path)
        cli = subprocess.run(
            [sys.executable, "-m", "parcours", "status", "-w", str(path)],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 2, cli.stderr
        assert "another process" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()


# -- rejected: one row per rejected input row ------------------------------------------------


def test_equal_bad_rows_of_two_files_are_two_rejected_rows(ws, tmp_path):
    bad = "ts,customer_id,channel,event\nyesterday,k,web,a\n"
    ws.ingest_events(write(tmp_path, "a.csv", bad))
    ws.ingest_events(write(tmp_path, "b.csv", bad))
    ws.ingest_events(write(tmp_path, "a.csv", bad))  # the same file again adds nothing
    assert ws.rejected.source.to_pandas().sort_values().tolist() == [
        str(tmp_path / "a.csv"),
        str(tmp_path / "b.csv"),
    ]
