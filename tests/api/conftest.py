"""A server over a fresh workspace file, a client, and one key per scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from parcours.api import ApiSettings, create_app
from parcours.store import keys


@dataclass
class Server:
    client: TestClient
    tokens: dict[str, str]  # scope -> token

    def as_(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}

    def workspace(self):
        return self.client.app.state.parcours.workspace()


def make_server(workspace=":memory:", settings: ApiSettings | None = None) -> Server:
    app = create_app(workspace, settings)
    with app.state.parcours.workspace() as ws:
        tokens = {
            scope: keys.create_key(ws.con, scope, f"test {scope}")[0] for scope in keys.SCOPES
        }
    return Server(TestClient(app), tokens)


@pytest.fixture
def server():
    made = make_server()
    with made.client:
        yield made


@pytest.fixture(scope="module")
def shared_server():
    """For tests that only read, or whose writes do not matter to the others."""
    made = make_server()
    with made.client:
        yield made
