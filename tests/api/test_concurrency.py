"""Concurrency inside the server: analyses run on their own DuckDB cursors, in parallel and
on a consistent snapshot; writes go through one writer; a long analysis blocks nobody.

The slow analysis is kpis made to wait on an event the test sets: every other request is
sent, and answered, while it provably still runs (were it holding a lock they need, they
would wait for it and the test would fail on its timeout rather than pass by luck)."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from parcours import remote
from parcours.analyses import REGISTRY
from tests.api.conftest import make_server
from tests.api.test_analyses import MAP, TIMELINES
from tests.timelines import collector_events

HELD = 60.0  # the longest the slow analysis waits for the test (a failure, not a pass)


@pytest.fixture
def served(tmp_path):
    made = make_server(str(tmp_path / "ws.duckdb"))
    with made.client:
        client, write = made.client, made.as_("write")
        sent = client.post(
            "/v1/events", headers=write, json={"events": collector_events(TIMELINES)}
        )
        assert sent.json()["accepted"] == 6
        made.settle()
        saved = client.post("/v1/maps", headers=made.as_("admin"), json={"yaml": MAP})
        assert saved.status_code == 201
        yield made


@pytest.fixture
def slow_kpis(monkeypatch):
    """kpis at touchpoint level waits, after it got its input, until ``release`` is set."""
    started, release = threading.Event(), threading.Event()
    original = REGISTRY["kpis"]

    @functools.wraps(original.function)
    def slow(ctx, **params):
        if params.get("level", "touchpoint") == "touchpoint" and not release.is_set():
            started.set()
            assert release.wait(HELD), "the test never let the slow analysis finish"
        return original.function(ctx, **params)

    module = importlib.import_module("parcours.analyses.kpis")
    monkeypatch.setattr(module, "ANALYSIS", dataclasses.replace(original, function=slow))
    return started, release


def timed(call):
    began = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - began


def fiche(result: dict) -> tuple[int, int, int]:
    row = {r["id"]: r for r in result["table"]}["fiche"]
    return row["events"], row["persons"], row["journeys"]


def test_a_slow_analysis_blocks_no_other_request(served, slow_kpis):
    started, release = slow_kpis
    client, read = served.client, served.as_("read")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(client.post, "/v1/analyses/kpis", headers=read)
        assert started.wait(HELD), "the slow analysis did not start"
        try:
            health, health_s = timed(lambda: client.get("/health"))
            maps, maps_s = timed(lambda: client.get("/v1/maps", headers=read))
            # A write meanwhile: a new person, seen at fiche.
            new = collector_events({"e": [("11:00", "view")]})
            ingest = client.post("/v1/events", headers=served.as_("write"), json={"events": new})
            served.settle()  # loaded a moment after the answer
            # Another analysis: it brings the journey table up to date through the writer
            # (the slow one holds no lock) and sees the new person.
            stages = client.post("/v1/analyses/kpis", headers=read, json={"level": "stage"})
            other = client.post("/v1/analyses/paths", headers=read, json={})
            assert not slow.done(), "the slow analysis finished: nothing was tested"
        finally:
            release.set()
        answer = slow.result(timeout=HELD)

    assert health.status_code == 200 and health_s < 1.0
    assert maps.status_code == 200 and maps_s < 1.0
    assert ingest.json()["accepted"] == 1
    assert stages.status_code == 200, stages.json()
    assert {r["id"]: r["journeys"] for r in stages.json()["table"]} == {"s1": 4, "s2": 1}
    assert other.status_code == 200, other.json()
    # The slow one read one snapshot, taken before the ingest: the first four persons only,
    # although the journey table was rewritten under it meanwhile.
    assert answer.status_code == 200, answer.json()
    assert fiche(answer.json()) == (4, 3, 3)
    # It was computed on data that has moved on since: not kept; asked again, it is current.
    again = client.post("/v1/analyses/kpis", headers=read)
    assert fiche(again.json()) == (5, 4, 4)


def test_a_result_is_kept_and_read_while_a_write_holds_the_writer(served):
    client, read = served.client, served.as_("read")
    first = client.post("/v1/analyses/kpis", headers=read)
    assert first.status_code == 200
    with served.client.app.state.parcours.workspace() as ws:
        assert "kpis" in set(ws.con.table("results").analysis.to_pyarrow().to_pylist())

    state = client.app.state.parcours
    holding, done = threading.Event(), threading.Event()

    def long_write():
        with state.workspace():  # an ingest of a big file, say
            holding.set()
            done.wait(HELD)

    with ThreadPoolExecutor(1) as pool:
        writer = pool.submit(long_write)
        assert holding.wait(HELD)
        try:
            kept, kept_s = timed(lambda: client.post("/v1/analyses/kpis", headers=read))
            # The CLI's analyses through the local channel read too.
            local = client.post(
                "/v1/local/call",
                headers={remote.HEADER: state.local_token},
                content=remote.dumps([("getattr", "kpis"), ("call", (), {})]),
            )
            assert not writer.done()
        finally:
            done.set()
        writer.result(timeout=HELD)
    assert kept.status_code == 200 and kept.json() == first.json() and kept_s < 5.0
    kind, value = pickle.loads(local.content)
    assert kind == "value" and value.to_dict() == first.json()


def test_two_ingests_at_once_both_land_exactly(served):
    client, write = served.client, served.as_("write")
    # 300 events each, 100 of them in both batches (the same ids and content).
    shared = [
        {
            "event_id": f"shared-{i}",
            "ts": "2026-03-02T10:00:00Z",
            "customer_id": f"S{i}",
            "channel": "web",
            "event": "view",
        }
        for i in range(100)
    ]

    def batch(tag: str) -> list[dict]:
        own = [
            {
                "event_id": f"batch-{tag}{i}",
                "ts": "2026-03-02T11:00:00Z",
                "customer_id": f"{tag}{i}",
                "channel": "web",
                "event": "view",
            }
            for i in range(200)
        ]
        return own + shared

    go = threading.Barrier(2)

    def send(tag: str):
        events = batch(tag)
        go.wait()
        return client.post("/v1/events", headers=write, json={"events": events}).json()

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send, ["a", "b"]))
    assert [a["accepted"] for a in answers] == [300, 300]  # valid, spooled
    with served.workspace() as ws:
        assert ws.counts()["events"] == 6 + 500
        ids = ws.events.event_id.to_pyarrow().to_pylist()
    assert len(ids) == len(set(ids))


def test_a_rewrite_of_the_file_waits_for_the_readers(served):
    """forget and compact close the connection: no cursor may be open meanwhile."""
    state = served.client.app.state.parcours
    entered, leave = threading.Event(), threading.Event()
    order: list[str] = []

    def read():
        with state.reader() as ws:
            entered.set()
            leave.wait(HELD)
            ws.counts()
            order.append("reader done")

    def rewrite():
        with state.exclusive():
            order.append("exclusive")

    with ThreadPoolExecutor(2) as pool:
        reader = pool.submit(read)
        assert entered.wait(HELD)
        exclusive = pool.submit(rewrite)
        time.sleep(0.3)
        assert not exclusive.done()  # waits for the reader
        leave.set()
        reader.result(timeout=HELD)
        exclusive.result(timeout=HELD)
    assert order == ["reader done", "exclusive"]


def test_an_erasure_through_the_local_channel_after_readers(served):
    """The CLI's ``parcours forget`` rewrites the file: it runs once the readers' cursors are
    closed, and the readers after it read the new file."""
    client, read = served.client, served.as_("read")
    state = client.app.state.parcours
    assert fiche(client.post("/v1/analyses/kpis", headers=read).json()) == (4, 3, 3)
    answer = client.post(
        "/v1/local/call",
        headers={remote.HEADER: state.local_token},
        content=remote.dumps([("getattr", "forget"), ("call", ("customer_id:a",), {})]),
    )
    kind, erasure = pickle.loads(answer.content)
    assert kind == "value", erasure
    assert erasure.compaction is not None and "rewritten" in erasure.physical
    assert fiche(client.post("/v1/analyses/kpis", headers=read).json()) == (3, 2, 2)


def test_map_reads_and_status_answer_while_a_write_holds_the_writer(served):
    client, read = served.client, served.as_("read")
    state = client.app.state.parcours
    path = state.workspace_path
    holding, done = threading.Event(), threading.Event()

    def long_write():
        with state.workspace():  # an ingest of a big file, say
            holding.set()
            done.wait(HELD)

    def status_of_the_cli():  # what `parcours status` asks the server for
        answer = client.post(
            "/v1/local/call",
            headers={remote.HEADER: state.local_token},
            content=remote.dumps(
                [("getattr", "con"), ("apply", remote._status_in_server, (path,), {})]
            ),
        )
        return pickle.loads(answer.content)

    with ThreadPoolExecutor(1) as pool:
        writer = pool.submit(long_write)
        assert holding.wait(HELD)
        try:
            listed = client.get("/v1/maps", headers=read)
            one = client.get("/v1/maps/k", headers=read)
            versions = client.get("/v1/maps/k/versions", headers=read)
            status = client.get("/v1/status", headers=read)
            kind, local = status_of_the_cli()
            assert not writer.done()  # all of them answered while the writer was held
        finally:
            done.set()
        writer.result(timeout=HELD)
    assert [m["map_id"] for m in listed.json()] == ["k"]
    assert one.json()["version"] == 1 and [v["version"] for v in versions.json()] == [1]
    assert status.json()["counts"]["events"] == 6
    assert kind == "value" and local["counts"]["events"] == 6 and local["maps"] == ["k"]


def test_an_interrupted_reader_runs_no_further_query(served, slow_kpis):
    """The server stopping interrupts its readers (parcours.web.jobs): DuckDB ends the query
    running, and the analysis' next query is refused too, so that the analysis ends there
    rather than after all its other queries."""
    import duckdb

    state = served.client.app.state.parcours
    started, release = slow_kpis
    readers, outcome = [], {}

    def read() -> None:
        with state.reader() as ws:
            readers.append(ws)
            try:
                outcome["result"] = ws.analyze("kpis", fresh=True)
            except duckdb.Error as error:
                outcome["error"] = error

    reading = threading.Thread(target=read)
    reading.start()
    try:
        assert started.wait(HELD), "the slow analysis did not start"
        readers[0].interrupt()  # between two of its queries: none runs now
    finally:
        release.set()
    reading.join(HELD)
    assert "result" not in outcome
    assert isinstance(outcome["error"], duckdb.InterruptException)
    with state.reader() as ws:  # a new reader is not stopped
        assert ws.analyze("kpis", fresh=True).table is not None
