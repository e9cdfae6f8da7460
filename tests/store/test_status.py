"""`parcours status` reads a current workspace file without the engine layers, and hands
every other case (older schema, erasure to finish) to the usual opening."""

from __future__ import annotations

import pandas as pd

import parcours
from parcours.store import compact, schema
from parcours.store.status import COUNTED, SCHEMA_VERSION, quick_status

EVENTS = pd.DataFrame(
    {
        "event_id": ["e1", "e2", "e3"],
        "ts": ["2026-03-01 10:00", "2026-03-01 11:00", "2026-03-02 09:00"],
        "email": ["a@x.fr", "a@x.fr", "b@x.fr"],
        "anonymous_id": ["c1", "c2", "c3"],
        "channel": ["web", "web", "web"],
        "event": ["page_view", "purchase", "page_view"],
    }
)


def test_what_it_reads_follows_the_schema():
    assert list(COUNTED) == [name for name in schema.TABLES if name != "meta"]
    assert SCHEMA_VERSION == schema.SCHEMA_VERSION


def test_counts_persons_and_whether_identities_are_due(tmp_path):
    path = tmp_path / "w.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(EVENTS)
        ws.resolve_identities()
        expected = ws.counts()
    found = quick_status(path)
    assert found is not None
    assert found["counts"] == expected
    assert (found["persons"], found["shared_identifiers"]) == (2, 0)
    assert found["identities_current"]
    with parcours.open(path) as ws:
        ws.ingest_events(EVENTS.assign(event_id=["e4", "e5", "e6"]))
    assert quick_status(path)["identities_current"] is False


def test_older_schema_or_pending_erasure_take_the_usual_way(tmp_path):
    path = tmp_path / "w.duckdb"
    with parcours.open(path) as ws:
        schema.write_meta(ws.con, compact.PENDING, "2026-01-01")
    assert quick_status(path) is None
    with parcours.open(path) as ws:  # the usual opening finishes the erasure's rewrite
        assert schema.read_meta(ws.con, compact.PENDING) is None
        schema.write_meta(ws.con, "schema_version", "3")
    assert quick_status(path) is None
    assert quick_status(tmp_path / "absent.duckdb") is None


def test_counts_the_events_waiting_in_the_collectors_spool(tmp_path):
    from parcours.store.spool import HEADER, Spool, spool_folder

    path = tmp_path / "w.duckdb"
    parcours.open(path).close()
    assert quick_status(path)["spooled"] == 0
    spool = Spool(spool_folder(path), limit=10**6)
    spool.append(b"{}", events=3)
    spool.append(b"{}", events=4)
    spool.close()
    with spool.segments()[-1].open("ab") as out:  # a record cut short: not counted
        out.write(HEADER.pack(b"PSP1", 50, 9, 0))
    assert quick_status(path)["spooled"] == 7
