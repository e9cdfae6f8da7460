"""The REST API answers an analysis asked again from the results the workspace keeps, shared
with the Python methods; events sent to the collector and a new map version are counted."""

from __future__ import annotations

import pytest

from tests.api.test_analyses import MAP, TIMELINES
from tests.counting import count_calls
from tests.timelines import collector_events


@pytest.fixture
def loaded(server):
    sent = server.client.post(
        "/v1/events", headers=server.as_("write"), json={"events": collector_events(TIMELINES)}
    )
    assert sent.json()["accepted"] == 6
    server.settle()
    made = server.client.post("/v1/maps", headers=server.as_("admin"), json={"yaml": MAP})
    assert made.status_code == 201
    return server


def kpis(server, body=None):
    answer = server.client.post("/v1/analyses/kpis", headers=server.as_("read"), json=body)
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_asked_again_the_answer_is_read_not_computed(loaded, monkeypatch):
    calls = count_calls(monkeypatch)
    first = kpis(loaded)
    assert kpis(loaded) == first
    assert kpis(loaded, {"level": "touchpoint"}) == first  # the default, given
    with loaded.workspace() as ws:
        assert ws.kpis().to_dict()["table"] == first["table"]  # Python shares it
    assert calls == {"kpis": 1}
    kpis(loaded, {"level": "stage"})
    kpis(loaded, {"lang": "en"})
    assert calls == {"kpis": 3}


def test_events_from_the_collector_are_counted_in_the_next_answer(loaded, monkeypatch):
    calls = count_calls(monkeypatch)
    before = {row["id"]: row for row in kpis(loaded)["table"]}
    more = {"e": [("09:00", "view"), ("09:02", "purchase")]}
    sent = loaded.client.post(
        "/v1/events",
        headers=loaded.as_("write"),
        json={"events": collector_events(more, "2026-03-02")},
    )
    assert sent.json()["accepted"] == 2
    loaded.settle()
    after = {row["id"]: row for row in kpis(loaded)["table"]}
    assert calls == {"kpis": 2}
    assert (before["achat"]["persons"], after["achat"]["persons"]) == (1, 2)


def test_a_new_map_version_is_computed_again(loaded, monkeypatch):
    calls = count_calls(monkeypatch)
    kpis(loaded)
    renamed = MAP.replace("title: S2", "title: Achat")
    made = loaded.client.put("/v1/maps/k", headers=loaded.as_("admin"), json={"yaml": renamed})
    assert made.status_code == 200 and made.json()["version"] == 2
    kpis(loaded)
    kpis(loaded, {"map_id": "k", "map_version": 1})  # the first version's is still kept
    assert calls == {"kpis": 2}
