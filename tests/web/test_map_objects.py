"""The dashboard's opportunities, sub-map links and comments: under and on the canvas; a
comment written as the session's user (the key's name, or the server's user), with the
dashboard's header."""

from __future__ import annotations

import getpass

import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.cli.serve import server_app
from parcours.maps import JourneyMap
from parcours.store import keys
from tests.timelines import events_frame
from tests.web import LONG_WAIT
from tests.web.test_dashboard import CHANGE, login

PARENT = """\
map: boutique
title: Boutique
channels: [web]
stages:
  - {id: achat, title: Achat, submap: livraison}
touchpoints:
  - {id: panier, stage: achat, channel: web, match: {event: cart}, opportunities: [Panier persistant]}
  - {id: paiement, stage: achat, channel: web, match: {event: purchase}}
conversion: {event: purchase}
opportunities:
  - {id: un-clic, title: Paiement en un clic, frictions: [panier], owner: Léa, status: planned}
"""

CHILD = """\
map: livraison
title: Livraison en détail
channels: [web]
stages: [{id: suivi, title: Suivi}]
touchpoints:
  - {id: livre, stage: suivi, channel: web, match: {event: delivered}}
conversion: {event: delivered}
"""


@pytest.fixture
def client():
    ws = parcours.open(":memory:")
    ws.ingest_events(
        events_frame(
            {
                "ann": [
                    ("2026-03-01 10:00", "web", "cart"),
                    ("2026-03-01 10:05", "web", "purchase"),
                    ("2026-03-03 09:00", "web", "delivered"),
                ],
                "bob": [("2026-03-01 11:00", "web", "cart")],
            }
        )
    )
    ws.save_map(JourneyMap.loads(CHILD))
    ws.save_map(JourneyMap.loads(PARENT))
    with TestClient(server_app(ws)) as made:
        made.app.state.dashboard.wait = LONG_WAIT
        yield made
    ws.close()


def test_canvas_page_lists_opportunities_and_links_the_submap(client):
    login(client)
    page = client.get("/?map=boutique&lang=fr")
    assert page.status_code == 200
    assert 'id="opportunities"' in page.text
    # ranked: nothing at stake on two persons, so by status (planned, then idea)
    assert page.text.index("Paiement en un clic") < page.text.index("Panier persistant")
    assert '<a class="submap" href="/?map=livraison&amp;lang=fr"' in page.text
    # the stage's persons (2) and the sub-map's within them (ann, who converts there)
    assert (
        "Livraison en détail — 1 des 2 personnes y entrent, 1 (100\xa0%) y convertissent"
        in page.text
    )
    child = client.get("/?map=livraison&lang=fr")
    assert child.status_code == 200 and "Livraison en détail" in child.text


def test_comment_written_as_the_server_user_and_shown_on_the_canvas(client):
    login(client)
    url = "/ui/maps/boutique/comments"
    body = {"element": "touchpoint:panier", "text": "Bob abandonne ici"}
    assert client.post(url, json=body).status_code == 403  # without the dashboard header
    made = client.post(url, json=body, headers=CHANGE)
    assert made.status_code == 201, made.json()
    assert made.json()["author"] == getpass.getuser()
    assert [c["text"] for c in client.get(url).json()] == ["Bob abandonne ici"]
    page = client.get("/?map=boutique&lang=fr")
    assert "Bob abandonne ici" in page.text and 'class="comments"' in page.text
    assert 'src="/static/comments.js"' in page.text
    wrong = client.post(url, json={"element": "stage:nope", "text": "?"}, headers=CHANGE)
    assert wrong.status_code == 422 and "stage:achat" in wrong.json()["detail"]


def test_a_key_session_comments_under_the_keys_name_and_deletes_only_its_own(client):
    with client.app.state.parcours.workspace() as ws:
        token = keys.create_key(ws.con, "read", "Claire (CX)")[0]
        other = ws.add_comment("boutique", "stage:achat", "Revue jeudi", "Marc")
    client.post("/login", data={"api_key": token, "next": "/"})
    url = "/ui/maps/boutique/comments"
    made = client.post(url, json={"element": "stage:achat", "text": "Vu"}, headers=CHANGE).json()
    assert made["author"] == "Claire (CX)"
    assert client.delete(f"{url}/{other.comment_id}", headers=CHANGE).status_code == 404
    assert client.delete(f"{url}/{made['comment_id']}", headers=CHANGE).status_code == 200
    assert [c["author"] for c in client.get(url).json()] == ["Marc"]
