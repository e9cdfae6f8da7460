"""The collector's loads run the ingest's SQL compiled once per shape
(parcours.store.ingest_compiled): a second load of a shape compiles nothing and stores
exactly the rows the ingest would (dedupe on event_id, conflicts and refused events in
`rejected`, numbered by their place in their request)."""

from __future__ import annotations

from datetime import UTC, datetime

import ibis
import pyarrow as pa
import pytest

import parcours
from parcours.config import Settings
from parcours.store import collector, ingest_compiled
from parcours.store import ingest as ingest_module
from parcours.store.collector import Batch

TS_REASON = "ts 'hier' is not a timestamp; expected an ISO 8601 date-time"


def view(event_id: str, minute: int, event: str = "product_view") -> dict[str, str]:
    return {
        "event_id": event_id,
        "ts": f"2026-03-01T10:{minute:02d}:00+01:00",  # 09:mm UTC
        "customer_id": "claire",
        "channel": "web",
        "event": event,
    }


def stored(ws) -> list[tuple]:
    rows = ws.con.raw_sql("SELECT event_id, ts, event FROM events ORDER BY event_id").fetchall()
    return [(e, f"{ts:%H:%M}", ev) for e, ts, ev in rows]


def rejected(ws) -> list[tuple]:
    return ws.con.raw_sql(
        "SELECT row_number, reason FROM rejected ORDER BY rejected_at, row_number"
    ).fetchall()


def load(ws, *batches: Batch) -> tuple[int, ...]:
    done = collector.load(ws, list(batches))
    return (done.batches, done.accepted, done.duplicates, done.conflicts, done.rejected)


def test_second_load_of_a_shape_compiles_nothing_and_stores_the_right_rows(tmp_path, monkeypatch):
    ws = parcours.open(tmp_path / "w.duckdb", direct=True)
    refused = (3, '{"event_id":"e3","ts":"hier"}', TS_REASON)

    # Load 1: e1 twice with the same content in one request (stored once), e2, and the
    # fourth event of the request refused at the door (row 4 in `rejected`).
    d1 = Batch("collector:shop", "d1", [(0, view("e1", 0)), (1, view("e2", 1)), (2, view("e1", 0))])
    d1.refused.append(refused)
    assert load(ws, d1) == (1, 2, 1, 0, 1)

    # Load 2: e2 again (a duplicate), e1 with another event (a conflict: the stored
    # version is kept; the row is its request's second), e4 new; d1 retried in the same
    # load adds nothing, its refused event is kept once.
    d2 = Batch(
        "collector:shop",
        "d2",
        [(0, view("e2", 1)), (1, view("e1", 0, "purchase")), (2, view("e4", 4))],
    )
    assert load(ws, d2, d1) == (2, 1, 4, 1, 1)
    conflict_e1 = (
        "event_id 'e1' is already stored with another event 'purchase' (kept: "
        "'product_view'); the first version is kept (on_conflict: latest keeps the last)"
    )
    assert stored(ws) == [
        ("e1", "09:00", "product_view"),
        ("e2", "09:01", "product_view"),
        ("e4", "09:04", "product_view"),
    ]
    assert rejected(ws) == [(4, TS_REASON), (2, conflict_e1)]

    # Load 3, the same shape: nothing is built nor compiled again.
    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(ibis, "to_sql", refuse)
    monkeypatch.setattr(ingest_module, "stage", refuse)
    before = ingest_compiled.plan.cache_info()
    # e4 at another time (a conflict, row 1), e5 new then again (a duplicate), and a
    # refused event (row 4).
    d3 = Batch("collector:shop", "d3", [(0, view("e4", 5)), (1, view("e5", 6)), (2, view("e5", 6))])
    d3.refused.append(refused)
    assert load(ws, d3) == (1, 1, 1, 1, 1)
    after = ingest_compiled.plan.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)

    conflict_e4 = (
        "event_id 'e4' is already stored with another ts '2026-03-01 09:05:00' (kept: "
        "'2026-03-01 09:04:00'); the first version is kept (on_conflict: latest keeps the last)"
    )
    assert stored(ws) == [
        ("e1", "09:00", "product_view"),
        ("e2", "09:01", "product_view"),
        ("e4", "09:04", "product_view"),
        ("e5", "09:06", "product_view"),
    ]
    # The refused event is kept before the ingest of its load runs.
    assert rejected(ws) == [(4, TS_REASON), (2, conflict_e1), (4, TS_REASON), (1, conflict_e4)]
    seq = ws.con.raw_sql("SELECT event_id, seq FROM events ORDER BY seq").fetchall()
    # seq: the row of the load's table after the highest stored: e4 the third row of
    # load 2 (after 2), e5 the second of load 3 (after 5).
    assert seq == [("e1", 1), ("e2", 2), ("e4", 5), ("e5", 7)]
    batches = ws.con.raw_sql(
        "SELECT rows, accepted, duplicates, rejected FROM batches ORDER BY started_at"
    ).fetchall()
    # Per load, the refused events' batch, then the ingest's (rejected: conflicts too).
    refused_batch = (1, 0, 0, 1)
    assert batches == [
        *(refused_batch, (3, 2, 1, 0)),
        *(refused_batch, (6, 1, 4, 1)),
        *(refused_batch, (3, 1, 1, 1)),
    ]


# The same inputs through the ingest and through its compiled SQL: the same rows, reasons
# and counts. Every way a row ends: accepted, duplicate (in the input, and of a stored
# row), conflict, invalid (time, identifier, revenue, phone), with phones to parse.
FIRST = [
    {**view("a1", 0), "phone": "06 12 34 56 78", "revenue": "12,50"},
    {**view("a2", 1), "phone": "12", "revenue": None},  # no phone number
    {**view("a3", 2), "customer_id": None, "phone": None, "revenue": None},  # no identifier
    {**view("a4", 3), "ts": "hier", "phone": None, "revenue": None},
    {**view("a5", 4), "phone": None, "revenue": "douze"},
    {**view("a1", 0), "phone": "06 12 34 56 78", "revenue": "12,50"},  # a duplicate
    {**view("a6", 5), "phone": "+33 6 12 34 56 78", "revenue": None},  # a known phone
]
SECOND = [
    {**view("a1", 0), "phone": "06 12 34 56 78", "revenue": "12,50"},  # stored: duplicate
    {**view("a6", 7), "phone": "+33 6 12 34 56 78", "revenue": None},  # another ts
    {**view("a7", 8), "phone": "07 00 00 00 01", "revenue": "3"},
    {**view("a7", 8), "phone": "07 00 00 00 01", "revenue": "4"},  # conflict in the input
]


def _table(rows: list[dict]) -> pa.Table:
    names = list(rows[0])
    return pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})


def _contents(ws) -> dict[str, list[tuple]]:
    sql = {
        "events": "SELECT * EXCLUDE (batch_id) FROM events ORDER BY seq",
        "rejected": "SELECT source, row_number, reason, record, record_id FROM rejected "
        "ORDER BY reason, row_number",
        "phones": "SELECT * FROM phone_numbers ORDER BY raw",
        "batches": "SELECT target, source, rows, accepted, duplicates, rejected FROM batches "
        "ORDER BY started_at",
        "meta": "SELECT * FROM meta WHERE key = 'data_version'",
    }
    return {name: ws.con.raw_sql(q).fetchall() for name, q in sql.items()}


@pytest.mark.parametrize("salt", [None, "pepper"])
def test_compiled_sql_stores_what_the_ingest_stores(tmp_path, salt):
    settings = Settings(hash_salt=salt)
    plain = parcours.open(tmp_path / "plain.duckdb", settings=settings, direct=True)
    compiled = parcours.open(tmp_path / "compiled.duckdb", settings=settings, direct=True)
    for number, rows in enumerate((FIRST, SECOND)):
        kwargs = {"source_name": "collector:shop", "input_id": f"input{number}"}
        expected = plain.ingest_events(_table(rows), **kwargs)
        got = compiled.ingest_collected(_table(rows), **kwargs)
        counts = ("rows", "accepted", "duplicates", "conflicts", "rejected", "reasons")
        assert {n: getattr(got, n) for n in counts} == {n: getattr(expected, n) for n in counts}
        assert got.rejections == expected.rejections
    assert (expected.accepted, expected.duplicates, expected.conflicts) == (1, 1, 2)
    assert _contents(compiled) == _contents(plain)
    # Nothing of the load is left on the connection.
    temp = compiled.con.raw_sql(
        "SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE view_name LIKE '_ingest_compiled%'"
    ).fetchall()
    assert temp == []


def test_the_plausible_window_moves_with_each_load(tmp_path):
    """The latest plausible time is a variable of the compiled SQL: each load has its own,
    named in the reason to the minute."""
    ws = parcours.open(tmp_path / "w.duckdb", direct=True)
    ahead = ws.settings.latest_ts_ahead
    late = [{**view("f1", 0), "ts": "2999-01-01T00:00:00Z"}]
    for number in range(2):
        start = datetime.now(UTC).replace(tzinfo=None)
        done = ws.ingest_collected(_table(late), source_name="s", input_id=f"i{number}")
        end = datetime.now(UTC).replace(tzinfo=None)
        [(row, reason)] = done.rejections
        latest = {f"{moment + ahead:%Y-%m-%d %H:%M}" for moment in (start, end)}
        assert row == 1
        assert reason in {
            "ts '2999-01-01 00:00:00' (UTC) is outside the plausible window "
            f"{ws.settings.earliest_ts:%Y-%m-%d} to {text} UTC; if it is right, widen "
            "Settings.earliest_ts or Settings.latest_ts_ahead"
            for text in latest
        }
