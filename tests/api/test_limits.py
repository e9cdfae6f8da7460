"""Bodies over the limit are refused with 413 and a JSON error that names the limit."""

from __future__ import annotations

import pytest

from parcours.api import ApiSettings
from tests.api.conftest import make_server

EVENT = {"ts": "2026-03-01T10:00:00Z", "customer_id": "a", "channel": "web", "event": "view"}


@pytest.fixture
def small():
    server = make_server(settings=ApiSettings(body_limit=2_000, upload_limit=5_000))
    with server.client:
        yield server


def test_oversized_json_body_is_413(small):
    answer = small.client.post(
        "/v1/events", headers=small.as_("write"), json={"events": [EVENT] * 40}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "request too large"
    assert "limited to 2,000 bytes" in answer.json()["detail"]
    with small.workspace() as ws:
        assert ws.counts()["events"] == 0
    fits = small.client.post("/v1/events", headers=small.as_("write"), json={"events": [EVENT] * 5})
    assert fits.status_code == 200


def test_oversized_body_without_length_is_counted_as_it_arrives(small):
    def chunks():
        yield b'{"events": ['
        for _ in range(60):
            yield b'{"ts": "2026-03-01T10:00:00Z", "customer_id": "a", "channel": "web", "event": "view"},'
        yield b"{}]}"

    answer = small.client.post(
        "/v1/events",
        headers={**small.as_("write"), "Content-Type": "application/json"},
        content=chunks(),
    )
    assert answer.status_code == 413
    assert "limited to 2,000 bytes" in answer.json()["detail"]


def test_uploads_have_their_own_limit(small):
    row = "2026-03-01T10:00:00Z,a,web,view\n"
    fits = "ts,customer_id,channel,event\n" + row * 100  # 3.3 kB: over the JSON limit
    answer = small.client.post(
        "/v1/ingest/events", headers=small.as_("write"), files={"file": ("e.csv", fits.encode())}
    )
    assert answer.status_code == 200, answer.json()
    big = "ts,customer_id,channel,event\n" + row * 200
    answer = small.client.post(
        "/v1/ingest/events", headers=small.as_("write"), files={"file": ("e.csv", big.encode())}
    )
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("upload bodies are limited to 5,000 bytes")


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("PARCOURS_API_BODY_LIMIT", "1234")
    assert ApiSettings.from_env().body_limit == 1234
    monkeypatch.setenv("PARCOURS_API_MAX_BATCH", "-3")
    with pytest.raises(ValueError, match="PARCOURS_API_MAX_BATCH='-3' is not allowed"):
        ApiSettings.from_env()
