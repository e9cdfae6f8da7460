"""POST /v1/events: valid events spooled before the answer and loaded into the workspace,
invalid ones reported by position and kept in `rejected`, and a retried batch stores nothing
twice. (`server.workspace()` waits until the loader has loaded what was spooled.)"""

from __future__ import annotations

from parcours.api import ApiSettings
from tests.api.conftest import make_server


def event(i: int, **changes):
    base = {
        "event_id": f"e{i}",
        "ts": f"2026-03-01T10:0{i}:00+01:00",
        "customer_id": "claire",
        "channel": "web",
        "event": "product_view",
        "properties": {"sku": f"ROBE-{i}", "promo": True},
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


MIXED = [
    event(0),
    event(1, ts="hier soir"),  # not a timestamp
    event(2, customer_id=None),  # no identifier
    "not an event",
    event(4, properties={"channel": "app"}),  # a property named like a field
    event(5, revenue="12,50"),  # decimal comma: accepted
    event(6, revenue="douze"),
]


def post(server, events, scope="write"):
    return server.client.post("/v1/events", headers=server.as_(scope), json={"events": events})


def test_valid_batch_is_stored_with_its_fields_and_source(server):
    answer = post(server, [event(0), event(1), event(2, anonymous_id="c-9")])
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["received"], body["accepted"], body["rejected"]) == (3, 3, 0)
    assert body["errors"] == []
    key_id = "_".join(server.tokens["write"].split("_")[:2])
    with server.workspace() as ws:
        stored = ws.events.order_by("event_id").to_pandas()
        batches = ws.con.table("batches").to_pandas()
    assert stored.event_id.tolist() == ["e0", "e1", "e2"]
    assert str(stored.ts[0]) == "2026-03-01 09:00:00"  # +01:00 stored as UTC
    assert stored.properties[0].replace(" ", "") == '{"sku":"ROBE-0","promo":"true"}'
    assert set(stored.source) == {f"collector:{key_id}"}
    # One ingest per list of names: e2 has an identifier the others have not.
    assert batches.source.tolist() == [f"collector:{key_id}"] * 2
    assert sorted(batches.accepted) == [1, 2]


def test_invalid_events_are_reported_by_index_and_kept_in_rejected(server):
    body = post(server, MIXED).json()
    assert (body["received"], body["accepted"], body["rejected"]) == (7, 2, 5)
    errors = {e["index"]: e for e in body["errors"]}
    assert sorted(errors) == [1, 2, 3, 4, 6]
    assert "ts 'hier soir' is not a timestamp" in errors[1]["reason"]
    assert errors[1]["event_id"] == "e1"
    assert errors[2]["reason"].startswith("no identifier")
    assert errors[3]["reason"] == "an event is a JSON object; got str"
    assert errors[3]["event_id"] is None
    assert errors[4]["reason"].startswith("property 'channel' has the name of an event field")
    assert errors[6]["reason"] == "revenue 'douze' is not a number"
    with server.workspace() as ws:
        rejected = ws.rejected.order_by("row_number").to_pandas()
        revenue = ws.events.filter(ws.events.event_id == "e5").revenue.to_pandas().tolist()
        batches = ws.con.table("batches").to_pandas()
    # row_number is the position in the batch, from 1, whatever the kind of fault.
    assert rejected.row_number.tolist() == [2, 3, 4, 5, 7]
    assert rejected.reason.tolist() == [errors[i]["reason"] for i in (1, 2, 3, 4, 6)]
    assert revenue == [12.5]
    # One load: the events refused at the door, and an ingest per list of names (e5 has a
    # revenue, e0 none).
    assert sorted(zip(batches.rows, batches.accepted, batches.rejected, strict=True)) == [
        (1, 1, 0),
        (1, 1, 0),
        (5, 0, 5),
    ]


def test_retried_batch_adds_nothing_and_reports_the_same_errors(server):
    first = post(server, MIXED).json()
    with server.workspace() as ws:
        before = ws.counts()
    again = post(server, MIXED).json()
    assert (again["accepted"], again["rejected"]) == (2, 5)
    assert again["errors"] == first["errors"]
    with server.workspace() as ws:
        after = ws.counts()
        duplicates = ws.con.table("batches").duplicates.sum().to_pyarrow().as_py()
    assert after["events"] == before["events"] == 2
    assert after["rejected"] == before["rejected"] == 5  # the same bad event is kept once
    assert duplicates == 2  # the retry's two valid events, found stored when loaded


def test_events_without_id_are_deduplicated_by_content(server):
    batch = [event(0, event_id=None), event(1, event_id=None)]
    assert post(server, batch).json()["accepted"] == 2
    with server.workspace() as ws:
        assert ws.counts()["events"] == 2
    # Sent again with another event: the same two are known by their content.
    assert post(server, [*batch, event(2, event_id=None)]).json()["accepted"] == 3
    with server.workspace() as ws:
        assert ws.counts()["events"] == 3


def test_same_event_id_twice_in_one_batch_is_stored_once(server):
    body = post(server, [event(0), event(0, event="purchase")]).json()
    # Both are valid events; the second says something else under the same id: a conflict,
    # judged when the batch is loaded, kept in `rejected` under its place in the batch.
    assert (body["accepted"], body["rejected"], body["errors"]) == (2, 0, [])
    with server.workspace() as ws:
        assert ws.events.event.to_pandas().tolist() == ["product_view"]
        rejected = ws.rejected.to_pandas()
    assert rejected.row_number.tolist() == [2]
    assert rejected.reason[0].startswith(
        "event_id 'e0' is already given by row 1 with another event 'purchase' "
        "(kept: 'product_view'); the first version is kept"
    )


def test_same_bad_event_in_two_batches_is_kept_twice(server):
    # 1,642 invalid events sent once gave 1,114 rows in `rejected`: a rejected row was keyed
    # by its content alone, so equal payloads of other batches were dropped.
    bad = event(1, ts="hier soir")
    post(server, [event(0), bad])
    post(server, [event(2), bad])
    post(server, [event(2), bad])  # a retry of the second batch adds nothing
    post(server, ["oops", "oops"])  # two equal malformed events in one batch
    with server.workspace() as ws:
        rejected = ws.rejected.order_by("rejected_at").to_pandas()
    assert rejected.reason.str.startswith("ts 'hier soir'").sum() == 2
    assert (rejected.reason == "an event is a JSON object; got str").sum() == 2


def test_a_name_that_cannot_be_a_column_rejects_its_event_alone(server):
    # Found by fuzzing (tests/fuzz/test_fuzz_api.py): each was a 500.
    batch = [event(0, note=1), event(1, **{"": 1}), event(2, **{"a\x00": 1})]
    batch.append(event(3, properties={"": "x"}))
    body = post(server, batch).json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    assert [e["index"] for e in body["errors"]] == [1, 2, 3]
    assert body["errors"][0]["reason"] == (
        "a name must be non-empty text without NUL characters; got ''"
    )


def test_text_that_is_not_unicode_rejects_its_event_alone(server):
    # JSON may write half a UTF-16 pair ("\ud800"); it was a 500 for the whole batch.
    body = (
        '{"events": [{"event_id": "s0", "ts": "2026-03-01T10:00:00Z", "customer_id": "c", '
        '"channel": "web", "event": "x", "properties": {"note": "\\ud800"}}, '
        '{"event_id": "s1", "ts": "2026-03-01T10:00:00Z", "customer_id": "c", '
        '"channel": "web", "event": "x"}]}'
    )
    headers = {**server.as_("write"), "content-type": "application/json"}
    answer = server.client.post("/v1/events", headers=headers, content=body)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["accepted"], found["rejected"]) == (1, 1)
    assert found["errors"][0]["reason"].startswith("'note' holds a lone surrogate")
    with server.workspace() as ws:
        assert ws.con.raw_sql("SELECT event_id FROM events").fetchall() == [("s1",)]
        kept = ws.con.raw_sql("SELECT row_number, record FROM rejected").fetchall()
    assert kept == [(1, kept[0][1])] and '"note": "\\ud800"' in kept[0][1]


def test_names_differing_only_in_case_reject_the_later_event(server):
    # One table holds the batch, and its column names are told apart without regard to case.
    batch = [event(0, Note=1), event(1, note=2), event(2, Event="x"), event(3, Ts="x")]
    body = post(server, batch).json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    assert [e["index"] for e in body["errors"]] == [1, 2, 3]
    assert body["errors"][0]["reason"].startswith("name 'note' differs only in case from 'Note'")
    assert body["errors"][1]["reason"].startswith("name 'Event' differs only in case from 'event'")


def test_all_events_malformed(server):
    body = post(server, [1, [2]]).json()
    assert (body["accepted"], body["rejected"]) == (0, 2)
    assert [e["index"] for e in body["errors"]] == [0, 1]


def test_batch_shape_errors_are_422(server):
    empty = post(server, [])
    assert empty.status_code == 422 and "events is empty" in empty.json()["detail"]
    missing = server.client.post("/v1/events", headers=server.as_("write"), json={"evts": []})
    assert missing.status_code == 422
    assert missing.json()["error"] == "invalid request"
    assert "missing required field 'body.events'" in missing.json()["detail"]
    malformed = server.client.post(
        "/v1/events",
        headers={**server.as_("write"), "Content-Type": "application/json"},
        content=b'{"events": [{"ts": ',
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"] == "malformed JSON"
    assert "malformed JSON at character" in malformed.json()["detail"]


def test_too_many_events_in_one_batch():
    server = make_server(settings=ApiSettings(max_batch=2))
    with server.client:
        answer = post(server, [event(0), event(1), event(2)])
    assert answer.status_code == 422
    assert "at most 2 are allowed" in answer.json()["detail"]


def test_accepted_events_are_on_disk_when_the_answer_arrives(tmp_path):
    from parcours.store.collector import Batch
    from parcours.store.spool import read_segment

    path = tmp_path / "durable.duckdb"
    server = make_server(path)
    # Without the app's start (no `with server.client`) no loader runs: the spool keeps it.
    assert post(server, [event(0), event(1, ts="hier")]).json()["accepted"] == 1
    segments = sorted((tmp_path / "durable.duckdb.spool").iterdir())
    [batch] = [Batch.decode(r.payload) for s in segments for r in read_segment(s).records]
    assert [row["event_id"] for _, row in batch.rows] == ["e0"]
    assert [(i, why[:16]) for i, _, why in batch.refused] == [(1, "ts 'hier' is not")]
    with server.client, server.workspace() as ws:  # started: the spool is loaded first
        assert ws.events.event_id.to_pandas().tolist() == ["e0"]
        assert ws.rejected.row_number.to_pandas().tolist() == [2]
    assert not list((tmp_path / "durable.duckdb.spool").iterdir())


def test_same_batch_sent_concurrently_is_stored_once(server):
    from concurrent.futures import ThreadPoolExecutor

    batch = [event(i) for i in range(5)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: post(server, batch).json(), range(4)))
    assert [a["accepted"] for a in answers] == [5, 5, 5, 5]
    with server.workspace() as ws:
        assert ws.counts()["events"] == 5
