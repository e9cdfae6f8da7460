"""The service blueprint and the experience over HTTP: a map with a blueprint and emotions
saved and read back unchanged, its backstage items measured on events sent through the
collector, and an as-is and a to-be version side by side."""

from __future__ import annotations

import pytest

MAP = """\
map: banque
state: as-is
title: Banque
stages:
  - id: depot
    title: Dépôt
    emotion: -1
    emotions: {presse: -2}
    blueprint:
      customer: [Remplit la demande]
      backstage:
        - {id: tri, title: Tri, match: {event: {prefix: W_}}}
        - Archivage
  - {id: decision, title: Décision, emotion: positive}
personas: [{id: presse, title: Pressé, rule: "segment == 'X'"}]
channels: [web]
touchpoints:
  - {id: demande, stage: depot, channel: web, match: {event: A_SUBMITTED}}
  - {id: accord, stage: decision, channel: web, match: {event: A_APPROVED}}
conversion: {event: A_APPROVED}
"""

TO_BE = (
    MAP.replace("state: as-is", "state: to-be")
    .replace("    emotion: -1\n", "    emotion: 1\n")
    .replace("  - {id: decision, title: Décision, emotion: positive}\n",
             "  - {id: decision, title: Décision, emotion: 2}\n")
)  # fmt: skip

# (HH:MM, event): ana's work item spans 10:00 -> 10:40; bob's one event spans 0 s
TIMELINES = {
    "ana": [("10:00", "W_Afhandelen"), ("10:10", "A_SUBMITTED"), ("10:40", "W_Afhandelen"),
            ("11:00", "A_APPROVED")],
    "bob": [("10:00", "A_SUBMITTED"), ("10:05", "W_Beoordelen")],
    "cid": [("09:00", "A_SUBMITTED")],
}  # fmt: skip


@pytest.fixture
def loaded(server):
    events = [
        {"event_id": f"{who}{i}", "ts": f"2026-03-01T{hm}:00Z", "customer_id": who,
         "channel": "web", "event": name}
        for who, steps in TIMELINES.items()
        for i, (hm, name) in enumerate(steps)
    ]  # fmt: skip
    sent = server.client.post("/v1/events", headers=server.as_("write"), json={"events": events})
    assert sent.json()["accepted"] == 7
    made = server.client.post("/v1/maps", headers=server.as_("admin"), json={"yaml": MAP})
    assert made.status_code == 201
    with server.workspace():  # the collector's spool loaded
        pass
    return server


def test_blueprint_and_emotions_round_trip(loaded):
    got = loaded.client.get("/v1/maps/banque", headers=loaded.as_("read")).json()
    assert got["yaml"] == MAP
    depot = got["map"]["stages"][0]
    assert (got["map"]["state"], depot["emotion"], depot["emotions"]) == (
        "as-is",
        -1,
        {"presse": -2},
    )
    assert depot["blueprint"]["customer"] == ["Remplit la demande"]
    assert depot["blueprint"]["backstage"][0]["match"]["event"]["prefix"] == "W_"
    assert got["map"]["stages"][1]["emotion"] == "positive"  # the label kept as written


def test_backstage_item_is_measured(loaded):
    got = loaded.client.get("/v1/maps/banque/blueprint", headers=loaded.as_("read")).json()
    (stage,) = got["stages"]
    assert stage["lanes"]["customer"] == [{"title": "Remplit la demande"}]
    assert [i.get("id") for i in stage["lanes"]["backstage"]] == ["tri", None]
    (tri,) = got["measured"]
    # ana 2 events (span 40 min), bob 1 (no span): the median of ana's alone
    assert (tri["id"], tri["events"], tri["persons"], tri["journeys"]) == ("tri", 3, 2, 2)
    assert tri["median_duration_s"] == 2400.0


def test_experience_gives_designed_per_persona(loaded):
    got = loaded.client.get("/v1/maps/banque/experience", headers=loaded.as_("read")).json()
    assert got["scale"] == [-2, 2]
    designed = {(c["persona"], c["stage"]): c["designed"] for c in got["curves"]}
    assert designed == {("", "depot"): -1, ("", "decision"): 1,
                        ("presse", "depot"): -2, ("presse", "decision"): 1}  # fmt: skip
    assert all(c["measured"] is None for c in got["curves"])  # no feedback yet


def test_states_need_both_marks_then_compare(loaded):
    missing = loaded.client.get("/v1/maps/banque/states", headers=loaded.as_("read"))
    assert missing.status_code == 404
    assert "to-be" in missing.json()["detail"] and "as-is: version 1" in missing.json()["detail"]
    saved = loaded.client.put("/v1/maps/banque", headers=loaded.as_("admin"), json={"yaml": TO_BE})
    assert saved.json()["version"] == 2
    got = loaded.client.get("/v1/maps/banque/states", headers=loaded.as_("read")).json()
    assert got["versions"] == {"as-is": 1, "to-be": 2}
    depot, decision = got["stages"]
    assert (depot["as_is_designed"], depot["to_be_designed"]) == (-1, 1)
    assert (decision["as_is_designed"], decision["to_be_designed"]) == (1, 2)
    # the same data measured through both: 3 persons reach depot, 1 of 3 journeys converts
    assert depot["as_is_reach"] == depot["to_be_reach"] == 1.0
    assert decision["as_is_touchpoints"] == decision["to_be_touchpoints"] == 1
