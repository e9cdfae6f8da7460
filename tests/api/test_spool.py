"""The collector's spool: a record cut short is dropped, a killed server's spool is loaded
when it starts again (stored = unique valid acknowledged), a full spool answers 503, and an
event is stored once whether met in the spool, twice in it, or in the store."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import parcours
from parcours.api import ApiSettings
from parcours.config import CollectorSettings, Settings
from parcours.store import keys
from parcours.store.collector import Batch, Checker, check_rows, load
from parcours.store.spool import HEADER, Spool, read_segment, waiting_in
from tests.api.conftest import make_server


def event(i: int, **changes):
    base = {
        "event_id": f"e{i}",
        "ts": "2026-03-01T10:00:00+01:00",
        "customer_id": f"c{i % 3}",
        "channel": "web",
        "event": "product_view",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def post(client, token, events):
    return client.post(
        "/v1/events", headers={"Authorization": f"Bearer {token}"}, json={"events": events}
    )


# -- the file ---------------------------------------------------------------------------


def test_a_record_cut_short_is_dropped_and_the_whole_ones_kept(tmp_path):
    spool = Spool(tmp_path / "w.duckdb.spool", limit=1_000_000)
    assert spool.append(b'{"first": 1}', events=2)
    assert spool.append(b'{"second": 2}', events=5)
    [path] = spool.seal()
    whole = path.stat().st_size
    # A crash while the third record was written: its header and half its payload.
    third = b'{"third": 3}'
    with path.open("ab") as out:
        out.write(HEADER.pack(b"PSP1", len(third), 9, 0) + third[:5])
    segment = read_segment(path)
    assert [r.payload for r in segment.records] == [b'{"first": 1}', b'{"second": 2}']
    assert (segment.events, segment.size, segment.dropped) == (7, whole + HEADER.size + 5, 21)
    assert waiting_in(path.parent) == 7


def test_a_record_whose_checksum_fails_is_dropped(tmp_path):
    spool = Spool(tmp_path / "w.duckdb.spool", limit=1_000_000)
    spool.append(b'{"first": 1}', events=1)
    spool.append(b'{"second": 2}', events=1)
    [path] = spool.seal()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # a byte of the last payload, damaged on its way to the disk
    path.write_bytes(bytes(data))
    segment = read_segment(path)
    assert [r.payload for r in segment.records] == [b'{"first": 1}']
    assert segment.dropped == HEADER.size + len(b'{"second": 2}')


def test_a_spool_counts_what_waits_and_forgets_what_is_removed(tmp_path):
    spool = Spool(tmp_path / "s", limit=1_000_000)
    spool.append(b"x" * 10, events=3)
    spool.append(b"y" * 10, events=4)
    assert spool.waiting() == (7, 2 * (HEADER.size + 10))
    sealed = [read_segment(p) for p in spool.seal()]
    spool.append(b"z", events=1)  # in a new segment, not the loader's
    assert [s.events for s in sealed] == [7]
    assert len(spool.segments()) == 2
    spool.remove(sealed)
    assert spool.waiting() == (1, HEADER.size + 1)
    # A spool opened on the folder (a restart) finds what was left.
    spool.close()
    assert Spool(tmp_path / "s", limit=1_000_000).waiting() == (1, HEADER.size + 1)


# -- the rules are the ingest's ----------------------------------------------------------

TRICKY = [
    event(0),
    event(1, ts="2026-3-1 1:05"),  # DuckDB reads it; so does the collector
    event(2, ts="2026/03/01"),
    event(3, ts="20260301T140500"),  # not read by the ingest: refused at the door too
    event(4, ts="1700000000"),
    event(5, ts="2062-01-01"),
    event(6, ts=" "),
    event(7, revenue="12,50"),
    event(8, revenue="1_000"),
    event(9, revenue="inf"),
    event(10, customer_id=None),
    event(11, customer_id=None, phone="06 12 34 56 78"),
    event(12, customer_id=None, phone="12"),
    event(13, channel=" "),
    event(14, event="a\x00b"),
]


def test_the_collector_refuses_what_the_ingest_rejects_with_the_same_reason():
    import pyarrow as pa

    names = ["event_id", "ts", "customer_id", "phone", "channel", "event", "revenue"]
    rows = [{n: e.get(n) for n in names} for e in TRICKY]
    ws = parcours.open(":memory:")
    report = ws.ingest_events(pa.Table.from_pylist(rows))
    # The plausible window ends a day after the time the rules were compiled (the collector
    # compiles them each minute), which its message says to the minute.
    ended = re.compile(r"to \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    ingested = {row: ended.sub("to … UTC", reason) for row, reason in report.rejections}
    checked = [ended.sub("to … UTC", r) if r else r for r in check_rows(rows, Settings())]
    assert {i + 1: r for i, r in enumerate(checked) if r} == ingested
    assert sorted(ingested) == [4, 5, 6, 7, 10, 11, 13, 14, 15]
    assert checked[12] == "phone '12' is not a phone number (default region FR)"
    ws.close()


def test_one_checker_checks_each_batch_on_its_own_rows():
    # The rules stay prepared over one table from batch to batch: each run must read the
    # batch it was given, not one before it, and no row of a batch before it.
    checker = Checker(Settings())
    no_id = "no identifier; need one of customer_id, anonymous_id, email, phone, loyalty_id"
    not_a_time = (
        "ts 'not a date' is not a timestamp; expected an ISO 8601 date-time such as "
        "2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00"
    )
    try:
        first = [event(1), event(2, ts="not a date"), event(3, customer_id=None)]
        assert checker.check(first) == [None, not_a_time, no_id]
        assert checker.check([event(4, customer_id=None), event(5)]) == [no_id, None]
        assert checker.check([event(6)]) == [None]
        assert checker.check([event(7, ts="not a date")]) == [not_a_time]
    finally:
        checker.close()


def test_loads_store_new_ids_skip_those_stored_alike_and_set_aside_a_conflict():
    # The second load judges nothing (its ids are stored with the same content); the third
    # meets e1 with another event: the judge runs for it alone.
    ws = parcours.open(":memory:")
    source = "collector:k1"
    first = Batch(source, "d1", [(0, event(1)), (1, event(2))])
    again = Batch(source, "d2", [(0, event(2)), (1, event(1))])
    changed = Batch(source, "d3", [(0, event(3)), (1, event(1, event="purchase"))])
    counts = ("batches", "accepted", "duplicates", "conflicts", "rejected")
    reports = [load(ws, [batch]) for batch in (first, again, changed)]
    assert [tuple(getattr(r, n) for n in counts) for r in reports] == [
        (1, 2, 0, 0, 0),
        (1, 0, 2, 0, 0),
        (1, 1, 0, 1, 0),
    ]
    stored = ws.con.raw_sql("SELECT event_id, event FROM events ORDER BY event_id").fetchall()
    assert stored == [("e1", "product_view"), ("e2", "product_view"), ("e3", "product_view")]
    assert ws.con.raw_sql("SELECT row_number, reason FROM rejected").fetchall() == [
        (
            2,
            "event_id 'e1' is already stored with another event 'purchase' (kept: "
            "'product_view'); the first version is kept (on_conflict: latest keeps the last)",
        )
    ]
    ws.close()


# -- backpressure and dedupe, in the process --------------------------------------------


def test_a_full_spool_answers_503_with_retry_after_then_takes_batches_again(tmp_path):
    settings = ApiSettings(collector=CollectorSettings(spool_limit=100, retry_after=3))
    server = make_server(tmp_path / "w.duckdb", settings)
    token = server.tokens["write"]
    # No loader runs before the app starts: the spool only fills. An empty spool takes a
    # batch larger than its limit (else it could never be sent); the next one waits.
    assert post(server.client, token, [event(i) for i in range(4)]).status_code == 200
    full = post(server.client, token, [event(i) for i in range(4, 8)])
    assert full.status_code == 503
    assert full.headers["Retry-After"] == "3"
    assert full.json()["error"] == "collector busy"
    assert "PARCOURS_SPOOL_LIMIT" in full.json()["detail"]
    with server.client:  # the spool is loaded at start; then batches are taken again
        again = post(server.client, token, [event(i) for i in range(4, 8)])
        assert again.status_code == 200
        with server.workspace() as ws:
            assert ws.counts()["events"] == 8


def test_an_event_is_stored_once_across_spool_and_store(tmp_path):
    server = make_server(tmp_path / "w.duckdb")
    token = server.tokens["write"]
    first = [event(0), event(1)]
    second = [event(1), event(2), event(0, ts="hier")]  # e1 again, and a refused e0
    for batch in (first, second, first):  # spooled, not loaded: no loader yet
        assert post(server.client, token, batch).status_code == 200
    with server.client:  # one load: the three batches
        with server.workspace() as ws:
            assert sorted(ws.events.event_id.to_pandas()) == ["e0", "e1", "e2"]
            assert ws.rejected.row_number.to_pandas().tolist() == [3]
        for batch in (first, second):  # now found in the store
            assert post(server.client, token, batch).json()["accepted"] == 2
        with server.workspace() as ws:
            assert ws.counts()["events"] == 3
            assert ws.counts()["rejected"] == 1  # a retried batch adds nothing there


def test_status_counts_the_events_waiting_in_the_spool(tmp_path):
    server = make_server(tmp_path / "w.duckdb")
    token = server.tokens["write"]
    post(server.client, token, [event(0), event(1), event(2, ts="hier")])
    body = server.client.get("/v1/status", headers=server.as_("read")).json()
    assert body["spooled"] == 2 and body["spool_bytes"] > 0
    with server.client:
        assert server.client.app.state.parcours.loader.wait_empty()
        body = server.client.get("/v1/status", headers=server.as_("read")).json()
    assert (body["spooled"], body["spool_bytes"], body["counts"]["events"]) == (0, 0, 2)


# -- SIGKILL -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(workspace: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "parcours", "serve", "-w", str(workspace)]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the server did not start")


def test_a_killed_server_loads_its_spool_when_it_starts_again(tmp_path):
    workspace = tmp_path / "w.duckdb"
    with parcours.open(workspace, direct=True) as ws:
        token, _ = keys.create_key(ws.con, "write", "test")
        read, _ = keys.create_key(ws.con, "read", "test")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve(workspace, port)
    acknowledged: set[str] = set()
    try:
        _wait_up(url)
        with httpx.Client(base_url=url, timeout=120) as client:
            for b in range(12):
                batch = [event(100 * b + i) for i in range(50)]
                batch[7] = event(100 * b + 7, ts="hier")  # refused
                if b % 4 == 3:
                    batch[:10] = [event(100 * (b - 1) + i) for i in range(10)]  # sent before
                answer = post(client, token, batch)
                assert answer.status_code == 200
                acknowledged |= {e["event_id"] for e in batch if e["ts"] != "hier"}
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    # What the loader had not loaded yet is in the spool; add a batch acknowledged just
    # before the kill and a record cut short by it, as the kill could have left them.
    folder = tmp_path / "w.duckdb.spool"
    spool = Spool(folder, limit=10**9)
    late = Batch("collector:late", "late", rows=[(0, event(9000)), (1, event(1))])
    spool.append(late.encode(), events=2)
    acknowledged.add("e9000")
    spool.close()
    with (folder / spool.segments()[-1].name).open("ab") as out:
        out.write(HEADER.pack(b"PSP1", 100, 3, 0) + b'{"rows": [[0, {"ev')
    server = _serve(workspace, port)
    try:
        _wait_up(url)  # the spool is loaded before the server answers
        status = httpx.get(f"{url}/v1/status", headers={"Authorization": f"Bearer {read}"})
        assert status.json()["spooled"] == 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    assert not list(folder.glob("*.seg"))
    with parcours.open(workspace, direct=True) as ws:
        stored = ws.events.event_id.to_pandas().tolist()
    assert len(stored) == len(set(stored))
    assert set(stored) == acknowledged
    # 49 new ids in a batch, 41 in the three that repeat ten ids of the one before (one of
    # them refused there: new here), and the batch written into the spool.
    assert len(acknowledged) == 9 * 49 + 3 * 41 + 1


def test_a_batch_the_ingest_refuses_whole_is_set_aside_not_blocking(tmp_path):
    server = make_server(tmp_path / "w.duckdb")
    state = server.client.app.state.parcours
    good = Batch("collector:k", "good", rows=[(0, event(0))])
    # Not what the collector spools (it checks each event): a row without a channel makes
    # the ingest refuse the whole table. It must not hold up the batches loaded with it.
    poison = Batch(
        "collector:k", "poison", rows=[(0, {k: v for k, v in event(1).items() if k != "channel"})]
    )
    for batch in (good, poison):
        state.spool.append(batch.encode(), events=1)
    with server.client, server.workspace() as ws:
        assert ws.events.event_id.to_pandas().tolist() == ["e0"]
    aside = tmp_path / "w.duckdb.spool" / "refused" / "poison.json"
    assert Batch.decode(aside.read_bytes()) == poison
    assert not list((tmp_path / "w.duckdb.spool").glob("*.seg"))


def test_the_spool_limit_comes_from_the_environment(monkeypatch):
    from parcours.errors import InputError

    monkeypatch.setenv("PARCOURS_SPOOL_LIMIT", "1000")
    monkeypatch.setenv("PARCOURS_RETRY_AFTER", "7")
    collector = ApiSettings.from_env().collector
    assert (collector.spool_limit, collector.retry_after) == (1000, 7)
    monkeypatch.setenv("PARCOURS_SPOOL_LIMIT", "64MB")
    with pytest.raises(InputError, match="PARCOURS_SPOOL_LIMIT='64MB' is not allowed"):
        ApiSettings.from_env()
