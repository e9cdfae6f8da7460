"""Comments, opportunities and sub-maps over HTTP: a comment's round trip with its author
(the key's name) and time, carried across a map save; who may delete; the ranked
opportunities and the sub-maps refused or measured."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from tests.api.test_maps import MAP, create

# version 2 keeps s1 and achat, drops fiche; adds an opportunity
V2 = MAP.replace("  - {id: fiche, stage: s1, channel: web, match: {event: view}}\n", "") + (
    "opportunities:\n"
    "  - {id: relance, title: Relance, frictions: [achat], owner: Léa, status: in_progress}\n"
)


def comment(server, element, text, scope="read"):
    return server.client.post(
        "/v1/maps/k/comments", headers=server.as_(scope), json={"element": element, "text": text}
    )


def test_comment_round_trip_with_author_and_carried_across_a_save(server):
    assert create(server, MAP).status_code == 201
    before = datetime.now(UTC).replace(tzinfo=None)
    made = comment(server, "stage:s1", "Trop de sorties ici")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["author"], body["element"], body["map_version"]) == ("test read", "stage:s1", 1)
    assert datetime.fromisoformat(body["created_at"]) >= before
    assert comment(server, "touchpoint:fiche", "Photos floues").status_code == 201

    saved = server.client.put("/v1/maps/k", headers=server.as_("admin"), json={"yaml": V2})
    assert saved.json()["version"] == 2
    listed = server.client.get("/v1/maps/k/comments", headers=server.as_("read")).json()
    # the stage is still there: its comment is carried; fiche is gone with its comment
    assert [(c["element"], c["text"], c["author"]) for c in listed] == [
        ("stage:s1", "Trop de sorties ici", "test read")
    ]
    old = server.client.get(
        "/v1/maps/k/comments", params={"version": 1}, headers=server.as_("read")
    )
    assert [c["element"] for c in old.json()] == ["stage:s1", "touchpoint:fiche"]
    on_new = comment(server, "opportunity:relance", "Budget validé", "admin").json()
    assert (on_new["author"], on_new["map_version"]) == ("test admin", 2)


def test_comment_refused_on_an_unknown_element_or_without_a_key(server):
    create(server, MAP)
    wrong = comment(server, "stage:s9", "?")
    assert wrong.status_code == 422
    assert "stage:s1, stage:s2" in wrong.json()["detail"]
    assert comment(server, "stage:s1", "?", "write").status_code == 403  # a collector key
    assert server.client.get("/v1/maps/k/comments").status_code == 401


def test_delete_own_comment_or_any_as_admin(server):
    create(server, MAP)
    by_admin = comment(server, "stage:s1", "à revoir", "admin").json()["comment_id"]
    by_reader = comment(server, "stage:s2", "vu", "read").json()["comment_id"]
    url = "/v1/maps/k/comments/"
    assert server.client.delete(url + by_admin, headers=server.as_("read")).status_code == 404
    assert server.client.delete(url + by_reader, headers=server.as_("read")).status_code == 200
    assert server.client.delete(url + by_admin, headers=server.as_("admin")).status_code == 200
    assert server.client.get("/v1/maps/k/comments", headers=server.as_("read")).json() == []


def test_opportunities_listed_with_the_map_and_ranked(server):
    create(server, MAP)
    server.client.put("/v1/maps/k", headers=server.as_("admin"), json={"yaml": V2})
    got = server.client.get("/v1/maps/k", headers=server.as_("read")).json()
    assert got["opportunities"] == [
        {
            "id": "relance",
            "title": "Relance",
            "stages": [],
            "touchpoints": [],
            "frictions": ["achat"],
            "owner": "Léa",
            "status": "in_progress",
            "effect": None,
        }
    ]
    with server.workspace() as ws:  # one buyer, so that there are journeys
        ws.ingest_events(
            pd.DataFrame(
                {
                    "ts": ["2026-03-01 10:00:00"],
                    "customer_id": ["a"],
                    "channel": ["web"],
                    "event": ["purchase"],
                    "revenue": [30.0],
                }
            )
        )
    ranked = server.client.get("/v1/maps/k/opportunities", headers=server.as_("read"))
    assert ranked.status_code == 200, ranked.json()
    (row,) = ranked.json()
    assert (row["rank"], row["id"], row["frictions"], row["at_stake"], row["value"]) == (
        1,
        "relance",
        ["achat"],
        0,
        30.0,
    )


def test_submap_missing_refused_then_measured(server):
    parent = MAP.replace("  - {id: s2, title: S2}", "  - {id: s2, title: S2, submap: paiement}")
    refused = create(server, parent)
    assert refused.status_code == 422
    assert "opens map 'paiement', which is not saved in this workspace" in refused.text
    child = MAP.replace("map: k", "map: paiement")
    assert create(server, child).status_code == 201
    assert create(server, parent).status_code == 201
    rows = server.client.get("/v1/maps/k/submaps", headers=server.as_("read")).json()
    assert [(r["kind"], r["element"], r["submap"], r["persons"]) for r in rows] == [
        ("stage", "s2", "paiement", 0)
    ]
