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

    def settle(self) -> None:
        """Wait until the collector's loader has loaded what was spooled: the collector
        answers once a batch is on disk, the events are in the workspace a moment later."""
        state = self.client.app.state.parcours
        assert state.loader.wait_empty(timeout=120), "the collector's spool was not loaded"

    def workspace(self):
        """The server's writer, once what the collector spooled is loaded."""
        self.settle()
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
