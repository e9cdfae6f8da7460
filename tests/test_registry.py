"""One registry: every analysis of ANALYSES appears in the CLI, the Python API, the REST API,
the dashboard and the report, with a title in both languages and a typed result."""

from __future__ import annotations

import dataclasses
import typing

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.analyses import ANALYSES, REGISTRY, Result
from parcours.cli.serve import server_app
from parcours.demo.load import demo_map_text
from parcours.maps import JourneyMap
from parcours.render.i18n import STRINGS
from parcours.render.report import SECTIONS

NAMES = [a.name for a in ANALYSES]


def test_registry_is_one_ordered_tuple_of_unique_names():
    assert len(NAMES) == len(set(NAMES)) == len(REGISTRY)
    assert list(REGISTRY) == NAMES


@pytest.mark.parametrize("analysis", ANALYSES, ids=NAMES)
def test_each_analysis_returns_its_own_typed_result(analysis):
    result = analysis.result_type
    assert issubclass(result, Result) and result is not Result
    assert result.analysis == analysis.name
    hints = typing.get_type_hints(result)
    for f in result.figure_fields():
        assert f.metadata["label"], f"{analysis.name}.{f.name} has no label"
        assert hints[f.name] is not typing.Any, f"{analysis.name}.{f.name} is untyped"
    for f in result.table_fields():
        assert hints[f.name] in (pd.DataFrame, pd.DataFrame | None), f.name
    assert not {f.name for f in dataclasses.fields(result)} & {"summary", "tables", "figures"}


@pytest.mark.parametrize("analysis", ANALYSES, ids=NAMES)
def test_each_analysis_has_a_title_in_french_and_english(analysis):
    entry = STRINGS[f"section.{analysis.name}"]
    assert entry["fr"] and entry["en"]


def test_each_analysis_is_a_cli_command():
    from parcours.cli.app import app

    commands = {c.name for c in app.registered_commands}
    assert set(NAMES) <= commands


def test_each_analysis_is_a_workspace_method():
    ws = parcours.open(":memory:")
    try:
        for name in NAMES:
            assert name in dir(ws) and callable(getattr(ws, name))
    finally:
        ws.close()


def test_each_analysis_is_a_rest_route_a_dashboard_page_and_a_report_section():
    ws = parcours.open(":memory:")
    ws.save_map(JourneyMap.loads(demo_map_text()), "demo map")
    with TestClient(server_app(ws)) as client:
        paths = client.app.openapi()["paths"]
        token = client.app.state.dashboard.sessions.login_token
        client.get(f"/?token={token}", follow_redirects=False)
        index = client.get("/analyses").text
    ws.close()
    for name in NAMES:
        assert f"/v1/analyses/{name}" in paths
        assert f'href="/analyses/{name}' in index
        assert name in SECTIONS
    # The REST answer is typed from the result class: its figures, field by field.
    funnel = paths["/v1/analyses/funnel"]["post"]["responses"]["200"]["content"]
    assert funnel["application/json"]["schema"]["$ref"].endswith("FunnelResponse")
