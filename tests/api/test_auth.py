"""Every data endpoint needs a key: 401 without a known one, 403 when its scope falls short."""

from __future__ import annotations

import pytest

from parcours.store import keys


def test_no_key_is_401_with_a_json_error(shared_server):
    answer = shared_server.client.get("/v1/maps")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"] == "missing API key"
    assert "parcours keys create" in answer.json()["detail"]


@pytest.mark.parametrize(
    "token",
    ["pk_00000000_" + "x" * 43, "not-a-token", ""],
    ids=["unknown_key", "malformed_token", "empty_token"],
)
def test_unknown_or_malformed_key_is_401(shared_server, token):
    answer = shared_server.client.get("/v1/maps", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert set(answer.json()) == {"error", "detail"}


def test_right_secret_of_another_key_id_is_401(shared_server):
    server = shared_server
    # The key id is public; the secret of one key must not open another.
    read, write = server.tokens["read"], server.tokens["write"]
    forged = write.split("_")[0] + "_" + write.split("_")[1] + "_" + read.split("_", 2)[2]
    answer = server.client.get("/v1/maps", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/maps", {"read", "admin"}),
        ("GET", "/v1/analyses", {"read", "admin"}),
        ("GET", "/v1/status", {"read", "admin"}),
        ("POST", "/v1/events", {"write", "admin"}),
        ("POST", "/v1/maps", {"admin"}),
        ("GET", "/v1/keys", {"admin"}),
    ],
)
def test_scopes(shared_server, method, path, allowed):
    server = shared_server
    body = {
        "events": [
            {"ts": "2026-03-01T10:00:00Z", "customer_id": "a", "channel": "web", "event": "view"}
        ]
    }
    for scope in keys.SCOPES:
        answer = server.client.request(
            method,
            path,
            headers=server.as_(scope),
            json=body if path == "/v1/events" else None,
        )
        if scope in allowed:
            assert answer.status_code not in (401, 403), (scope, answer.json())
        else:
            assert answer.status_code == 403, (scope, answer.json())
            assert answer.json()["error"] == "insufficient scope"
            assert f"has scope '{scope}'" in answer.json()["detail"]


def test_revoked_key_is_refused(server):
    key_id = "_".join(server.tokens["read"].split("_")[:2])
    assert server.client.get("/v1/maps", headers=server.as_("read")).status_code == 200
    revoked = server.client.delete(f"/v1/keys/{key_id}", headers=server.as_("admin"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert server.client.get("/v1/maps", headers=server.as_("read")).status_code == 401


def test_key_made_over_the_api_works_once_shown(server):
    made = server.client.post(
        "/v1/keys", headers=server.as_("admin"), json={"scope": "read", "name": "dashboard"}
    )
    assert made.status_code == 201
    token = made.json()["token"]
    listed = server.client.get("/v1/keys", headers=server.as_("admin")).json()
    assert made.json()["key_id"] in [k["key_id"] for k in listed]
    assert all("token" not in k for k in listed)
    answer = server.client.get("/v1/analyses", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_health_and_docs_need_no_key(shared_server):
    server = shared_server
    assert server.client.get("/health").json() == {"status": "ok"}
    docs = server.client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text  # Swagger UI is served from the app itself
    script = [s for s in docs.text.split('"') if s.endswith("swagger-ui-bundle.js")][0]
    assert server.client.get(script).status_code == 200
    assert server.client.get("/openapi.json").json()["info"]["title"] == "parcours"
