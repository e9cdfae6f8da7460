"""A YAML bomb in the dashboard's editor: validation (a read session is enough) and saving
answer at once with the limit passed."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.cli.serve import server_app
from parcours.demo.load import demo_map_text
from parcours.maps import JourneyMap
from parcours.store import keys
from parcours.web.session import CSRF_HEADER
from tests.yaml_bombs import BOMB_MAP, DEEP_MAP, FAST_SECONDS

LIMIT = "the aliases expand the document to more than 100,000 values; at most 100,000 are allowed"
# The dashboard's editor speaks French by default, its counts in French digits (a narrow
# no-break space between thousands); the API's detail above stays English.
LIMIT_FR = (
    "les alias déploient le document en plus de 100\u202f000 valeurs ; "
    "100\u202f000 au plus sont permises"
)


@pytest.fixture
def client():
    ws = parcours.open(":memory:")
    ws.save_map(JourneyMap.loads(demo_map_text()), "demo map")
    with TestClient(server_app(ws)) as client:
        yield client
    ws.close()


def admin_session(client: TestClient) -> TestClient:
    token = client.app.state.dashboard.sessions.login_token  # the address `parcours serve` prints
    assert client.get(f"/?token={token}", follow_redirects=False).status_code == 303
    return client


def read_session(client: TestClient) -> TestClient:
    with client.app.state.parcours.workspace() as ws:
        token = keys.create_key(ws.con, "read", "reader")[0]
    answer = client.post("/login", data={"api_key": token, "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303
    return client


def test_validating_a_bomb_with_a_read_session_answers_at_once(client):
    read_session(client)
    started = time.perf_counter()
    answer = client.post("/ui/maps/validate", json={"yaml": BOMB_MAP})
    assert time.perf_counter() - started < 2 * FAST_SECONDS
    body = answer.json()
    assert body["valid"] is False
    assert [(p["line"], p["message"]) for p in body["problems"]] == [(8, LIMIT_FR)]


def test_validating_deep_nesting_names_the_limit(client):
    read_session(client)
    body = client.post("/ui/maps/validate", json={"yaml": DEEP_MAP}).json()
    assert body["valid"] is False
    assert "imbriqués sur plus de 50 niveaux" in body["problems"][0]["message"]


def test_saving_a_bomb_is_a_422_at_once(client):
    admin_session(client)
    started = time.perf_counter()
    answer = client.post(
        "/ui/maps/maison-lumiere/versions", json={"yaml": BOMB_MAP}, headers={CSRF_HEADER: "1"}
    )
    assert time.perf_counter() - started < 2 * FAST_SECONDS
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid map" and LIMIT in answer.json()["detail"]
