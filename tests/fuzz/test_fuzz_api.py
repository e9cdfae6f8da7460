"""Every operation of the REST API, fuzzed from its own OpenAPI schema with schemathesis.

The app runs in process (ASGI) over an in-memory workspace holding the demo map (and no
data until the fuzzed requests send some), with an admin key: valid and invalid requests
alike must get an answer that is no server error (5xx) and, where the schema declares the
answer's body, conforms to it.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import parcours
from parcours.api import create_app
from parcours.demo.load import demo_map
from parcours.store import keys
from tests.fuzz import budget

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def app_and_key():
    workspace = parcours.open(":memory:")
    workspace.save_map(demo_map(), "the demo map")
    token, _ = keys.create_key(workspace.con, "admin", "fuzz")
    yield create_app(workspace), token
    workspace.close()


# The schema is read from an app over an empty workspace (the routes do not depend on the
# data); each request goes to the module's app (``app=``). An analysis runs for up to a
# second, and so does a batch of events: they skip the coverage phase (a hundred
# deterministic requests for an analysis) and the analyses draw fewer examples.
ANALYSES = "^/v1/analyses/"
NO_COVERAGE = {"phases": {"coverage": {"enabled": False}}}
CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {"include-path-regex": ANALYSES, **NO_COVERAGE},
            {"include-path": "/v1/events", **NO_COVERAGE},  # a valid batch is an ingest
        ]
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(":memory:"), config=CONFIG)


def call(case, app_and_key) -> None:
    app, token = app_and_key
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@schema.exclude(path_regex=ANALYSES).parametrize()
@budget(examples=6, seconds=30)
def test_no_operation_answers_a_server_error(case, app_and_key):
    call(case, app_and_key)


@schema.exclude(path_regex=f"^(?!{ANALYSES[1:]})").parametrize()
@budget(examples=2, seconds=30)
def test_no_analysis_answers_a_server_error(case, app_and_key):
    call(case, app_and_key)
