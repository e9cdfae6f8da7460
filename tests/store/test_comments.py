"""Comments on a map's elements: kept by element across versions, checked, erased with the
person they quote; the workspace of schema 4 migrated to 5 keeping its data."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.errors import InputError, NotFoundError
from parcours.maps import JourneyMap
from parcours.store import schema
from tests.old_workspaces import workspace_of_version

V1 = """\
map: k
title: K
channels: [web]
stages:
  - {id: s1, title: Découverte}
  - {id: s2, title: Achat}
touchpoints:
  - {id: fiche, stage: s1, channel: web, match: {event: view}}
  - {id: achat, stage: s2, channel: web, match: {event: purchase}, opportunities: [Payer en un clic]}
conversion: {event: purchase}
opportunities:
  - {id: relance, title: Relance panier, frictions: [fiche]}
"""
# s1 renamed (same id); fiche gone.
V2 = (
    V1.replace("title: Découverte", "title: Découvrir")
    .replace("  - {id: fiche, stage: s1, channel: web, match: {event: view}}\n", "")
    .replace("frictions: [fiche]", "frictions: [s1]")
)
# fiche back under the same id
V3 = V1


def test_comments_carried_across_versions_while_the_element_exists(ws):
    ws.save_map(JourneyMap.loads(V1))
    on_stage = ws.add_comment("k", "stage:s1", "Trop de sorties ici", "Léa")
    on_fiche = ws.add_comment("k", "touchpoint:fiche", "Photos floues", "Marc")
    ws.add_comment("k", "opportunity:achat-opportunity-1", "À chiffrer", "Léa")
    ws.add_comment("k", "map:k", "Revue jeudi", "Léa")
    assert (on_stage.author, on_stage.map_version, on_stage.text) == (
        "Léa",
        1,
        "Trop de sorties ici",
    )

    ws.save_map(JourneyMap.loads(V2))
    shown = [c.element for c in ws.comments("k")]
    # the renamed stage keeps its comment; the touchpoint removed takes its comment away
    assert shown == ["stage:s1", "opportunity:achat-opportunity-1", "map:k"]
    assert [c.element for c in ws.comments("k", version=1)] == [
        "stage:s1",
        "touchpoint:fiche",
        "opportunity:achat-opportunity-1",
        "map:k",
    ]
    later = ws.add_comment("k", "stage:s2", "OK", "Marc")
    assert later.map_version == 2
    # a comment written on version 2 is not shown on version 1
    assert "stage:s2" not in [c.element for c in ws.comments("k", version=1)]
    ws.save_map(JourneyMap.loads(V3))
    assert on_fiche.comment_id in [c.comment_id for c in ws.comments("k")]  # the id is back
    assert [c.comment_id for c in ws.comments("k", element="touchpoint:fiche")] == [
        on_fiche.comment_id
    ]


def test_element_and_text_checked(ws):
    ws.save_map(JourneyMap.loads(V2))
    with pytest.raises(
        InputError,
        match="map 'k' has no element 'touchpoint:fiche'; touchpoint elements: touchpoint:achat",
    ):
        ws.add_comment("k", "touchpoint:fiche", "?", "Léa")
    with pytest.raises(
        InputError, match="kind one of map, stage, touchpoint, persona, channel, opportunity"
    ):
        ws.add_comment("k", "fiche", "?", "Léa")
    with pytest.raises(InputError, match="a comment needs a text"):
        ws.add_comment("k", "stage:s1", "   ", "Léa")
    with pytest.raises(InputError, match="at most 4,000 characters"):
        ws.add_comment("k", "stage:s1", "x" * 4001, "Léa")
    with pytest.raises(NotFoundError, match="no map 'autre'"):
        ws.add_comment("autre", "stage:s1", "?", "Léa")


def test_delete_own_comment_only_unless_admin(ws):
    ws.save_map(JourneyMap.loads(V1))
    mine = ws.add_comment("k", "stage:s1", "à revoir", "Léa")
    with pytest.raises(NotFoundError, match="no comment .* written by you"):
        ws.delete_comment("k", mine.comment_id, author="Marc")
    assert ws.delete_comment("k", mine.comment_id, author="Léa").text == "à revoir"
    assert ws.comments("k") == []


def test_forget_erases_the_comments_quoting_the_person(ws):
    ws.ingest_events(
        pd.DataFrame(
            {
                "ts": ["2026-03-01 10:00:00", "2026-03-01 11:00:00"],
                "email": ["Alice@Ex.fr", "bob@ex.fr"],
                "channel": ["web", "web"],
                "event": ["view", "view"],
            }
        )
    )
    ws.save_map(JourneyMap.loads(V1))
    ws.add_comment("k", "stage:s1", "alice@ex.fr a appelé trois fois", "Léa")
    kept = ws.add_comment("k", "stage:s1", "bob@ex.fr aussi", "Léa")
    erasure = ws.forget("email:ALICE@ex.fr")
    assert erasure.rows["comments"] == 1
    assert [c.comment_id for c in ws.comments("k")] == [kept.comment_id]


def test_workspace_of_schema_4_migrates_keeping_its_data(tmp_path):
    path = tmp_path / "v4.duckdb"
    con = workspace_of_version(path, 4)
    con.raw_sql(
        f"INSERT INTO maps VALUES ('k', 1, TIMESTAMP '2026-03-01 10:00:00', $${V1}$$, NULL)"
    )
    con.disconnect()

    ws = parcours.open(path, direct=True)
    assert ws.previous_version == 4
    assert schema.read_meta(ws.con, "schema_version") == str(schema.SCHEMA_VERSION)
    assert "comments" in ws.con.list_tables()
    assert list(ws.con.table("comments").columns) == list(schema.COMMENTS)
    assert ws.counts()["maps"] == 1
    ws.add_comment("k", "touchpoint:fiche", "ok", "Léa")
    ws.close()
    again = parcours.open(path, direct=True)
    assert again.previous_version == schema.SCHEMA_VERSION  # nothing to migrate
    assert [c.text for c in again.comments("k")] == ["ok"]
    again.close()
