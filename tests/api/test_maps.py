"""Maps over HTTP: create (validation problems located, 422), update to version 2, history,
diff between versions."""

from __future__ import annotations

MAP = """\
# A two-stage map
map: k
title: K
stages:
  - {id: s1, title: S1}
  - {id: s2, title: S2}
channels: [web]
touchpoints:
  - {id: fiche, stage: s1, channel: web, match: {event: view}}
  - {id: achat, stage: s2, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""

BROKEN = MAP.replace("stage: s2", "stage: s3").replace(
    "channel: web, match: {event: view}", "channel: tv, match: {event: view}"
)

V2 = MAP.replace(
    "  - {id: s2, title: S2}\n",
    "  - {id: s2, title: S2, goal: Convertir}\n  - {id: s3, title: S3}\n",
).replace("  - {id: fiche, stage: s1, channel: web, match: {event: view}}\n", "") + (
    "flow: [[s1, s2]]\n"
)


def create(server, text, scope="admin", **params):
    return server.client.post(
        "/v1/maps",
        headers={**server.as_(scope), "Content-Type": "application/yaml"},
        content=text.encode(),
        params=params,
    )


def test_invalid_map_is_422_with_every_problem_located(server):
    answer = create(server, BROKEN)
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid map"
    problems = sorted(body["problems"], key=lambda p: p["line"])
    assert [(p["file"], p["line"], p["field"]) for p in problems] == [
        ("map.yaml", 9, "touchpoints[0].channel"),
        ("map.yaml", 10, "touchpoints[1].stage"),
    ]
    assert "'tv'" in problems[0]["message"] and "web" in problems[0]["message"]
    assert "s3" in problems[1]["message"] and "s1, s2" in problems[1]["message"]
    with server.workspace() as ws:
        assert ws.counts()["maps"] == 0


def test_yaml_that_does_not_parse_is_422(server):
    answer = create(server, "map: k\nstages: [\n")
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["file"] == "map.yaml"


def test_create_read_update_history_and_diff(server):
    made = create(server, MAP, message="first draft")
    assert made.status_code == 201
    assert made.json() == {"map_id": "k", "version": 1, "created": True}
    assert create(server, MAP).status_code == 409

    got = server.client.get("/v1/maps/k", headers=server.as_("read")).json()
    assert got["version"] == 1 and got["message"] == "first draft"
    assert got["yaml"].startswith("# A two-stage map")  # comments are kept
    assert [s["id"] for s in got["map"]["stages"]] == ["s1", "s2"]

    updated = server.client.put(
        "/v1/maps/k",
        headers=server.as_("admin"),
        json={"yaml": V2, "message": "goal for s2, stage s3"},
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json() == {"map_id": "k", "version": 2, "created": True}
    same = server.client.put("/v1/maps/k", headers=server.as_("admin"), json={"yaml": V2})
    assert same.json() == {"map_id": "k", "version": 2, "created": False}

    listed = server.client.get("/v1/maps", headers=server.as_("read")).json()
    assert [(m["map_id"], m["latest_version"]) for m in listed] == [("k", 2)]
    history = server.client.get("/v1/maps/k/versions", headers=server.as_("read")).json()
    assert [(v["version"], v["message"]) for v in history] == [
        (1, "first draft"),
        (2, "goal for s2, stage s3"),
    ]
    v1 = server.client.get("/v1/maps/k", params={"version": 1}, headers=server.as_("read"))
    assert v1.json()["version"] == 1

    diff = server.client.get("/v1/maps/k/diff", headers=server.as_("read")).json()
    assert (diff["from"], diff["to"], diff["identical"]) == (1, 2, False)
    assert diff["sections"]["stages"] == {
        "added": ["s3"],
        "removed": [],
        "changed": [{"id": "s2", "fields": ["goal"]}],
        "reordered": False,
    }
    assert diff["sections"]["touchpoints"]["removed"] == ["fiche"]
    assert diff["sections"]["touchpoints"]["changed"] == []
    assert diff["fields"] == ["flow"]
    assert "--- k@v1\n+++ k@v2\n" in diff["unified"]
    assert "-  - {id: fiche, stage: s1, channel: web, match: {event: view}}\n" in diff["unified"]
    assert "+flow: [[s1, s2]]\n" in diff["unified"]

    back = server.client.get(
        "/v1/maps/k/diff", params={"from": 2, "to": 1}, headers=server.as_("read")
    ).json()
    assert back["sections"]["stages"]["removed"] == ["s3"]


def test_update_errors(server):
    create(server, MAP)
    other = server.client.put(
        "/v1/maps/autre",
        headers=server.as_("admin"),
        json={"yaml": MAP.replace("map: k", "map: autre")},
    )
    assert other.status_code == 404 and "maps: k" in other.json()["detail"]
    mismatch = server.client.put(
        "/v1/maps/k", headers=server.as_("admin"), json={"yaml": V2.replace("map: k", "map: j")}
    )
    assert mismatch.status_code == 422 and "must be the same" in mismatch.json()["detail"]
    bad_json = server.client.put("/v1/maps/k", headers=server.as_("admin"), json={"text": MAP})
    assert bad_json.status_code == 422 and '{"yaml":' in bad_json.json()["detail"]
    wrong_type = server.client.put(
        "/v1/maps/k", headers={**server.as_("admin"), "Content-Type": "image/png"}, content=b"x"
    )
    assert wrong_type.status_code == 415
    missing = server.client.get("/v1/maps/k", params={"version": 9}, headers=server.as_("read"))
    assert missing.status_code == 404 and "versions: 1" in missing.json()["detail"]
