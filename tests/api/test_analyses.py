"""Analyses over HTTP: listed with their parameters, run with a JSON body, errors as 422.

The kpis case is the hand-computed one of tests/analyses/test_kpis.py, sent end to end:
events through the collector, the map through the maps endpoint."""

from __future__ import annotations

import pytest

from parcours.analyses import REGISTRY

MAP = """
map: k
title: K
stages: [{id: s1, title: S1, kpis: [{metric: reach, target: 0.9}]}, {id: s2, title: S2}]
channels: [web]
touchpoints:
  - {id: fiche, stage: s1, channel: web, match: {event: view}, goal: {metric: exit_rate, target: 0.4}}
  - {id: achat, stage: s2, channel: web, match: {event: purchase}, goal: {metric: conversion, target: 0.5}}
conversion: {event: purchase}
"""

TIMELINES = {
    "a": [("10:00", "view"), ("10:05", "purchase")],
    "b": [("10:00", "view")],  # exits at fiche
    "c": [("10:00", "view"), ("10:01", "view")],  # exits
    "d": [("10:00", "other")],  # unmapped only
}


@pytest.fixture
def loaded(server):
    events = [
        {
            "event_id": f"{who}{i}",
            "ts": f"2026-03-01T{hm}:00Z",
            "customer_id": who,
            "channel": "web",
            "event": name,
        }
        for who, steps in TIMELINES.items()
        for i, (hm, name) in enumerate(steps)
    ]
    sent = server.client.post("/v1/events", headers=server.as_("write"), json={"events": events})
    assert sent.json()["accepted"] == 6
    server.settle()
    made = server.client.post("/v1/maps", headers=server.as_("admin"), json={"yaml": MAP})
    assert made.status_code == 201
    return server


def test_list_has_every_analysis_with_parameter_schemas(server):
    listed = {
        a["name"]: a for a in server.client.get("/v1/analyses", headers=server.as_("read")).json()
    }
    assert set(listed) == set(REGISTRY)
    level = listed["kpis"]["parameters"][0]
    assert (
        level["name"] == "level" and level["required"] is False and level["default"] == "touchpoint"
    )
    assert level["schema"] == {"enum": ["touchpoint", "stage"], "type": "string"}
    assert level["help"] == "touchpoint or stage."
    assert listed["kpis"]["endpoint"] == "/v1/analyses/kpis"
    paths = server.client.get("/openapi.json").json()["paths"]
    assert all(f"/v1/analyses/{name}" in paths for name in REGISTRY)


def test_kpis_by_hand(loaded):
    # Every parameter of kpis has a default: no body is needed.
    answer = loaded.client.post("/v1/analyses/kpis", headers=loaded.as_("read"))
    assert answer.status_code == 200, answer.json()
    result = answer.json()
    assert result["analysis"] == "kpis" and result["params"] == {"level": "touchpoint"}
    fiche = {row["id"]: row for row in result["table"]}["fiche"]
    assert (fiche["events"], fiche["persons"], fiche["journeys"]) == (4, 3, 3)
    assert fiche["reach"] == pytest.approx(3 / 4)
    assert fiche["conversion"] == pytest.approx(1 / 3)
    assert fiche["exit_rate"] == pytest.approx(2 / 3)
    assert result["summary"] == {"goals measured": 2, "goals met": 1}

    stages = loaded.client.post(
        "/v1/analyses/kpis",
        headers=loaded.as_("read"),
        json={"level": "stage", "map_id": "k", "map_version": 1, "lang": "en"},
    ).json()
    assert {r["id"]: r["journeys"] for r in stages["table"]} == {"s1": 3, "s2": 1}


def test_bad_parameters_are_422(loaded):
    def run(body):
        return loaded.client.post("/v1/analyses/kpis", headers=loaded.as_("read"), json=body)

    bad_value = run({"level": "channel"})
    assert bad_value.status_code == 422
    assert (
        "'channel' is not allowed for body.level; allowed: 'touchpoint', 'stage'"
        in bad_value.json()["detail"]
    )
    unknown = run({"levle": "stage"})
    assert unknown.status_code == 422 and "unknown field 'body.levle'" in unknown.json()["detail"]
    no_map = run({"map_id": "nope"})
    assert no_map.status_code == 422
    assert no_map.json() == {
        "error": "invalid input",
        "detail": "no map 'nope' in this workspace; maps: k",
    }
    missing = loaded.client.post("/v1/analyses/sankey", headers=loaded.as_("read"), json={})
    assert missing.status_code == 404 and "analyses: " in missing.json()["detail"]


def test_without_a_saved_map_says_how_to_get_one(server):
    answer = server.client.post("/v1/analyses/kpis", headers=server.as_("read"), json={})
    assert answer.status_code == 422 and "no journey map" in answer.json()["detail"]


def test_parameters_naming_a_server_file_are_not_offered(loaded):
    # attribution reads a local paths file from the CLI; over HTTP a client must not be able
    # to make the server open a path it chose.
    listed = {
        a["name"]: a for a in loaded.client.get("/v1/analyses", headers=loaded.as_("read")).json()
    }
    assert "paths_file" not in {p["name"] for p in listed["attribution"]["parameters"]}
    sneaky = loaded.client.post(
        "/v1/analyses/attribution", headers=loaded.as_("read"), json={"paths_file": "/etc/passwd"}
    )
    assert sneaky.status_code == 422 and "paths_file" in sneaky.json()["detail"]
