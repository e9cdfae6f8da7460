"""Ingestion in bounded memory, issue 9: the stage keeps no raw column (a rejected row's
record is read again from the source), the content key is hashed only for rows without an
id, phone numbers are parsed once per workspace, and DuckDB's resources are settings."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import ibis
import pandas as pd
import pytest

import parcours
from parcours.config import Settings, from_env
from parcours.errors import InputError, SourceError
from parcours.store import normalize
from parcours.store.ingest import stage
from parcours.store.mapping import ColumnMapping
from parcours.store.normalize import PHONES
from parcours.store.sources import open_source


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def records(ws) -> dict[int, str]:
    table = ws.rejected.filter(ws.rejected.row_number.notnull()).order_by("row_number")
    frame = table.to_pandas()
    return dict(zip(frame.row_number, frame.record, strict=True))


# -- the record of a rejected row: the raw row, read again from the source --------------------

# Expected records as the stage that kept every raw column wrote them (pinned before the
# change): the JSON object of the row's columns, as the reader typed them.
CSV = """\
    event_id,ts,email,phone,channel,event,revenue,page
    e1,2026-03-01 10:00:00,A@x.fr,06 12 34 56 78,web,view,,home
    e2,not a date,b@x.fr,,web,view,,
    too,few
    e3,2026-03-01 10:00:00,c@x.fr,12,web,view,,
    e1,2026-03-01 11:00:00,A@x.fr,06 12 34 56 78,web,view,,home
"""


def test_csv_rejected_rows_keep_their_raw_record_and_row_number(ws, tmp_path):
    report = ws.ingest_events(write(tmp_path, "a.csv", CSV))
    assert (report.rows, report.accepted, report.rejected, report.conflicts) == (5, 1, 3, 1)
    assert records(ws) == {
        2: '{"event_id":"e2","ts":"not a date","email":"b@x.fr","phone":null,"channel":"web",'
        '"event":"view","revenue":null,"page":null}',
        3: '{"line": "too,few"}',  # malformed: set aside by the line-by-line reading
        4: '{"event_id":"e3","ts":"2026-03-01 10:00:00","email":"c@x.fr","phone":"12",'
        '"channel":"web","event":"view","revenue":null,"page":null}',  # rejected for its phone
        5: '{"event_id":"e1","ts":"2026-03-01 11:00:00","email":"A@x.fr",'  # a conflict
        '"phone":"06 12 34 56 78","channel":"web","event":"view","revenue":null,"page":"home"}',
    }


def test_parquet_rejected_rows_keep_their_typed_record(ws, tmp_path):
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 11:00", None]).tz_localize("UTC"),
            "customer_id": ["k1", "k2", "k3"],
            "items": [3, 4, 5],
            "revenue": [1.5, float("inf"), 2.0],
            "channel": ["app"] * 3,
            "event": ["x", "y", "z"],
        }
    )
    frame.to_parquet(tmp_path / "f.parquet")
    report = ws.ingest_events(tmp_path / "f.parquet")
    assert (report.accepted, report.rejected) == (1, 2)
    assert records(ws) == {
        2: '{"ts":"2026-03-01 11:00:00+00","customer_id":"k2","items":4,"revenue":Infinity,'
        '"channel":"app","event":"y"}',
        3: '{"ts":null,"customer_id":"k3","items":5,"revenue":2.0,"channel":"app","event":"z"}',
    }
    # The same rows from a DataFrame (counted as read, not by the Parquet reader): the same.
    ws.ingest_events(frame)
    by_source = ws.rejected.select("source", "row_number", "record").to_pandas()
    assert len(by_source) == 4
    assert by_source.groupby("row_number").record.nunique().tolist() == [1, 1]


def test_a_parquet_column_named_file_row_number_is_a_property(ws, tmp_path):
    frame = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00", "bad"],
            "customer_id": ["k1", "k2"],
            "channel": ["web", "web"],
            "event": ["a", "b"],
            "file_row_number": [7, 8],
        }
    )
    frame.to_parquet(tmp_path / "n.parquet")
    report = ws.ingest_events(tmp_path / "n.parquet")
    assert (report.accepted, report.rejected, report.rejections[0][0]) == (1, 1, 2)
    assert json.loads(ws.events.properties.to_pyarrow()[0].as_py()) == {"file_row_number": 7}


@pytest.mark.parametrize("name", ["Event", "event", "", "a\x00"], ids=repr)
def test_a_table_whose_column_names_cannot_be_told_apart_is_refused(ws, name):
    # Read from memory, "Event" next to "event" would be read as "event" (DuckDB reads
    # names without case; its file readers rename the second one Event_1).
    columns = {"ts": ["2026-03-01 10:00:00"], "channel": ["web"], "event": ["view"]}
    frame = pd.DataFrame({**columns, "customer_id": ["C1"]})
    frame.insert(4, name, ["x"], allow_duplicates=True)
    with pytest.raises(SourceError, match="twice|differ only in case|no name|NUL"):
        ws.ingest_events(frame)


def test_the_stage_keeps_no_raw_column(ws, tmp_path):
    opened = open_source(ws.con, write(tmp_path, "a.csv", CSV))  # read line by line
    try:
        mapping = ColumnMapping.parse("events", None)
        staged = stage("events", opened.numbered(), mapping, "a", Settings())
    finally:
        opened.close()  # its folder of clean lines
    assert all(c.startswith("__") for c in staged.table.columns)
    assert staged.raw_columns == ("event_id", "ts", "email", "phone", "channel", "event",
                                  "revenue", "page")  # fmt: skip


# -- the content key: hashed only for rows without an id --------------------------------------


def content_key(*cells: str | None) -> str:
    """The key of a row without an id, as parcours derives it: the MD5 of its cells,
    trimmed, empty ones as \\x1e, joined by \\x1f."""
    parts = [(c.strip() if c is not None else "") or "\x1e" for c in cells]
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()


MIXED = """\
    event_id,ts,anonymous_id,channel,event
    e1,2026-03-01 10:00:00,c1,web,a
    ,2026-03-01 10:01:00,c1,web,b
     ,2026-03-01 10:02:00,c2, web ,c
    e2,2026-03-01 10:03:00,c2,web,d
    ,2026-03-01 10:01:00,c1,web,b
"""


def test_ids_mixed_with_id_less_rows_ingested_twice_add_nothing(ws, tmp_path):
    path = write(tmp_path, "mixed.csv", MIXED)
    first = ws.ingest_events(path)
    assert (first.accepted, first.duplicates) == (4, 1)  # the last row repeats the second
    again = ws.ingest_events(path)
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 5, 0)
    assert ws.counts()["events"] == 4
    keys = set(ws.events.event_id.to_pandas())
    assert keys == {
        "e1",
        "e2",
        content_key(None, "2026-03-01 10:01:00", "c1", "web", "b"),
        content_key(" ", "2026-03-01 10:02:00", "c2", " web ", "c"),  # a blank id: no id
    }


def test_the_content_hash_is_computed_only_where_no_id_is_given(ws, tmp_path):
    opened = open_source(ws.con, write(tmp_path, "mixed.csv", MIXED))
    mapping = ColumnMapping.parse("events", None)
    staged = stage("events", opened.numbered(), mapping, "mixed.csv", Settings())
    sql = ibis.to_sql(staged.table.select("__event_id"))
    # A CASE whose hashing branch runs for the rows without an id only (not a COALESCE,
    # whose arguments DuckDB computes for every row).
    assert re.search(r"CASE\s+WHEN .*? IS NULL\s+THEN MD5\(", sql, re.DOTALL), sql
    assert "COALESCE(\n    NULLIF" not in sql


def test_without_an_id_column_every_row_has_its_content_key(ws, tmp_path):
    text = "ts,anonymous_id,channel,event\n2026-03-01 10:00:00,c1,web,a\n"
    ws.ingest_events(write(tmp_path, "noid.csv", text))
    assert ws.events.event_id.to_pandas().tolist() == [
        content_key("2026-03-01 10:00:00", "c1", "web", "a")
    ]


# -- phone numbers: parsed once, kept in the workspace, erased with the person -----------------

PHONES_CSV = """\
    ts,anonymous_id,phone,channel,event
    2026-03-01 10:00:00,c1,06 12 34 56 78,web,a
    2026-03-01 10:01:00,c1,06 12 34 56 78,web,b
    2026-03-01 10:02:00,c2,0033 6 99 88 77 66,web,c
    2026-03-01 10:03:00,c3,12,web,d
"""


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """Every value given to normalize_phone (its cache emptied)."""
    calls: list[str] = []
    real = normalize.normalize_phone.__wrapped__

    def counting(raw: str, region: str = "FR") -> str | None:
        calls.append(raw)
        return real(raw, region)

    monkeypatch.setattr(normalize, "normalize_phone", counting)
    return calls


def phone_table(ws) -> set[tuple[str, str, str]]:
    rows = ws.con.table(PHONES).to_pyarrow().to_pylist()
    return {(r["raw"], r["region"], r["e164"]) for r in rows}


def test_each_phone_is_parsed_once_per_workspace(ws, tmp_path, parsed):
    first = ws.ingest_events(write(tmp_path, "a.csv", PHONES_CSV))
    assert (first.accepted, first.rejected) == (3, 1)  # '12' is no phone number
    assert sorted(parsed) == ["0033 6 99 88 77 66", "06 12 34 56 78", "12"]
    assert phone_table(ws) == {
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 99 88 77 66", "FR", "+33699887766"),
    }
    parsed.clear()
    later = PHONES_CSV.replace("10:0", "11:0") + "    2026-03-01 11:09:00,c4,07 11 22 33 44,web,e\n"
    report = ws.ingest_events(write(tmp_path, "b.csv", later))
    assert (report.accepted, report.rejected) == (4, 1)
    # Only the new number, and the value that is none (not kept: parsed again).
    assert sorted(parsed) == ["07 11 22 33 44", "12"]
    assert sorted(ws.events.phone.to_pandas().dropna().unique()) == [
        "+33612345678",
        "+33699887766",
        "+33711223344",
    ]


def test_the_phone_table_is_read_with_the_region_of_the_ingest(ws, tmp_path, parsed):
    text = "ts,anonymous_id,phone,channel,event\n2026-03-01 10:00:00,c1,020 7946 0958,web,a\n"
    ws.ingest_events(write(tmp_path, "fr.csv", text))
    ws.ingest_events(write(tmp_path, "gb.csv", text.replace("10:00", "11:00")), phone_region="GB")
    assert parsed == ["020 7946 0958", "020 7946 0958"]
    assert ("020 7946 0958", "GB", "+442079460958") in phone_table(ws)


def test_forget_removes_the_person_from_the_phone_table(ws, tmp_path):
    ws.ingest_events(write(tmp_path, "a.csv", PHONES_CSV))
    ws.forget("anonymous_id:c1")
    assert phone_table(ws) == {("0033 6 99 88 77 66", "FR", "+33699887766")}
    ws.forget("phone:+33 6 99 88 77 66")
    assert phone_table(ws) == set()


def test_a_hashed_workspace_keeps_no_phone_in_clear(tmp_path, parsed):
    ws = parcours.open(":memory:", settings=Settings(hash_salt="s3cret"))
    ws.ingest_events(write(tmp_path, "a.csv", PHONES_CSV))
    table = phone_table(ws)
    assert len(table) == 2
    stored = set(ws.events.phone.to_pandas().dropna())
    assert {e164 for _, _, e164 in table} == stored  # the phones as the events hold them
    assert not any(re.search(r"\d{2}[ .]?\d{2}[ .]?\d{2}$|\+33", raw) for raw, _, _ in table)
    parsed.clear()
    again = ws.ingest_events(write(tmp_path, "b.csv", PHONES_CSV.replace("10:0", "12:0")))
    assert again.accepted == 3 and parsed == ["12"]
    assert set(ws.events.phone.to_pandas().dropna()) == stored
    ws.forget("phone:06 12 34 56 78")
    assert len(phone_table(ws)) == 1
    ws.close()


def test_an_ingest_interrupted_adds_no_phone(ws, tmp_path, monkeypatch):
    original = ws.con.insert

    def failing_insert(name, obj, **kw):
        if name == "batches":  # the phones are added before, in the same transaction
            raise KeyboardInterrupt
        return original(name, obj, **kw)

    monkeypatch.setattr(ws.con, "insert", failing_insert)
    with pytest.raises(KeyboardInterrupt):
        ws.ingest_events(write(tmp_path, "a.csv", PHONES_CSV))
    assert phone_table(ws) == set()


def test_a_workspace_older_than_the_phone_table_gets_it(ws, tmp_path):
    ws.con.drop_table(PHONES)
    ws.ingest_events(write(tmp_path, "a.csv", PHONES_CSV))
    assert len(phone_table(ws)) == 2
    ws.forget("anonymous_id:c2")
    assert len(phone_table(ws)) == 1


# -- DuckDB's resources --------------------------------------------------------------------------


def setting(ws, name: str) -> str:
    return ws.con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_duckdb_resources_come_from_the_settings(tmp_path):
    spill = tmp_path / "spill"
    settings = Settings(memory_limit="1GB", threads=1, temp_directory=str(spill))
    with parcours.open(tmp_path / "w.duckdb", settings=settings) as ws:
        assert setting(ws, "memory_limit") == "953.6 MiB"  # 1 GB, as DuckDB shows it
        assert int(setting(ws, "threads")) == 1
        assert setting(ws, "temp_directory") == str(spill)


def test_default_resources_leave_room_and_spill_beside_the_workspace(tmp_path):
    with parcours.open(tmp_path / "w.duckdb") as ws:
        assert setting(ws, "memory_limit") == "2.3 GiB"  # 2.5 GB
        assert setting(ws, "temp_directory") == str(tmp_path / "w.duckdb.tmp")
    with parcours.open(":memory:") as ws:  # not ./.tmp: a folder of its own
        folder = Path(setting(ws, "temp_directory"))
        assert folder.name.startswith("parcours-") and folder.is_absolute()


def test_resources_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PARCOURS_MEMORY_LIMIT", "2GB")
    monkeypatch.setenv("PARCOURS_THREADS", "1")
    monkeypatch.setenv("PARCOURS_TEMP_DIRECTORY", str(tmp_path))
    settings = from_env()
    assert (settings.memory_limit, settings.threads) == ("2GB", 1)
    assert settings.temp_directory == str(tmp_path)
    monkeypatch.setenv("PARCOURS_THREADS", "all")
    with pytest.raises(InputError, match="PARCOURS_THREADS='all' is not a whole number"):
        from_env()


@pytest.mark.parametrize("wrong", [{"memory_limit": "lots"}, {"threads": 0}], ids=repr)
def test_resources_are_checked(wrong):
    with pytest.raises(InputError):
        Settings(**wrong)


def test_an_ingest_bigger_than_the_memory_limit_spills(tmp_path):
    # 300,000 events with text properties under a 64 MB limit (one thread: DuckDB needs
    # some memory per thread): the stage and the joins of the second ingest (about 90 MB)
    # spill to disk instead of failing.
    source = tmp_path / "big.parquet"
    ibis.duckdb.connect().raw_sql(
        f"""COPY (SELECT 'ev' || i AS event_id, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts,
                'c' || (i % 5000) AS customer_id, 'web' AS channel, 'view' AS event,
                md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS page
            FROM range(300000) AS t(i)) TO '{source}' (FORMAT parquet)"""
    )
    settings = Settings(memory_limit="64MB", threads=1)
    with parcours.open(tmp_path / "w.duckdb", settings=settings) as ws:
        assert ws.ingest_events(source).accepted == 300_000
        assert ws.ingest_events(source).duplicates == 300_000
