"""A YAML bomb sent as a map: a clean 422 at once, and the server keeps answering while
maps are read (reading runs off the event loop)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.yaml_bombs import BOMB_MAP, DEEP_MAP, FAST_SECONDS, OVERSIZE_MAP


def post(server, text: str, as_json: bool = False):
    kind = "application/json" if as_json else "application/yaml"
    body = json.dumps({"yaml": text}) if as_json else text
    return server.client.post(
        "/v1/maps",
        headers={**server.as_("admin"), "Content-Type": kind},
        content=body.encode(),
    )


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_billion_laughs_is_a_422_at_once(server, as_json):
    started = time.perf_counter()
    answer = post(server, BOMB_MAP, as_json)
    assert time.perf_counter() - started < 2 * FAST_SECONDS
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid map"
    assert "the aliases expand the document to more than 100,000 values" in body["detail"]
    assert [(p["file"], p["line"]) for p in body["problems"]] == [("map.yaml", 8)]
    with server.workspace() as ws:
        assert ws.counts()["maps"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DEEP_MAP, "nested deeper than 50 levels; at most 50 are allowed"),
        (OVERSIZE_MAP, "bytes; at most 500,000 are allowed"),
    ],
    ids=["deep", "oversize"],
)
def test_deep_or_oversize_map_is_a_422(server, text, message):
    answer = post(server, text)
    assert answer.status_code == 422 and message in answer.json()["detail"]


def test_health_answers_while_a_map_is_being_read(server, monkeypatch):
    # The map's reading is held until /health has answered: were it read on the event loop,
    # /health would wait for it (10 s, then the map first). A slow map timed against a
    # sleep was not: a fast machine read it before /health was asked.
    from parcours.maps import JourneyMap

    reading, answered = threading.Event(), threading.Event()
    loads = JourneyMap.loads.__func__

    def held(cls, text: str, source: str = "<string>"):
        reading.set()
        answered.wait(timeout=10)
        return loads(cls, text, source)

    monkeypatch.setattr(JourneyMap, "loads", classmethod(held))
    done: dict[str, float] = {}

    def send() -> None:
        post(server, "map: slow\ntitle: Slow\n")
        done["map"] = time.perf_counter()

    sender = threading.Thread(target=send)
    sender.start()
    assert reading.wait(timeout=10)
    assert server.client.get("/health").json() == {"status": "ok"}
    done["health"] = time.perf_counter()
    answered.set()
    sender.join(timeout=60)
    assert "map" in done and done["health"] < done["map"]
