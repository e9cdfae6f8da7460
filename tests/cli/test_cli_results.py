"""An analysis command run again prints the result the workspace keeps, without computing it;
``--fresh`` computes it again; ``--max-age`` reads one of earlier data, and says so."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.counting import count_calls
from tests.store.test_results import FIRST, MAP, SECOND, STEPS
from tests.timelines import events_frame


@pytest.fixture
def path(tmp_path):
    """The shop of tests/store/test_results in a workspace file."""
    path = tmp_path / "shop.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(FIRST))
        ws.save_map(JourneyMap.loads(MAP), "test map")
    return path


def test_a_command_run_again_reads_the_kept_result(path, monkeypatch):
    calls = count_calls(monkeypatch)
    command = ["funnel", *STEPS, "--workspace", str(path), "--format", "json"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, command)
    assert again.output == first.output and calls == {"funnel": 1}
    fresh = CliRunner().invoke(app, [*command, "--fresh"])
    assert fresh.output == first.output and calls == {"funnel": 2}
    with parcours.open(path) as ws:  # Python reads what the CLI kept
        assert ws.funnel(STEPS).entered == 3
    assert calls == {"funnel": 2}


def test_max_age_reads_the_result_of_earlier_data_and_says_so(path, monkeypatch):
    calls = count_calls(monkeypatch)
    command = ["funnel", *STEPS, "--workspace", str(path), "--lang", "en"]
    assert CliRunner().invoke(app, command).exit_code == 0
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(SECOND))
    earlier = CliRunner().invoke(app, [*command, "--max-age", "1h"], env={"COLUMNS": "200"})
    assert earlier.exit_code == 0 and calls == {"funnel": 1}
    assert "on the data of then: 2 events have arrived since. Without --max-age" in earlier.output
    now = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert "arrived since" not in now.output and calls == {"funnel": 2}
    wrong = CliRunner().invoke(app, [*command, "--max-age", "soon"])
    assert isinstance(wrong.exception, InputError)  # exit code 2 (parcours.cli.main)
    assert str(wrong.exception).startswith("--max-age: duration 'soon' is not valid: write a")


def sections_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="(\w+)"[^>]*>(.*?)</section>', html, re.S))


def test_report_with_max_age_reads_earlier_results_and_says_so(path, tmp_path, monkeypatch):
    out = tmp_path / "report.html"
    command = ["report", "--workspace", str(path), "--out", str(out), "--lang", "en"]
    assert CliRunner().invoke(app, command).exit_code == 0
    failed = {n for n, text in sections_of(out.read_text()).items() if "unavailable" in text}
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(SECOND))
    calls = count_calls(monkeypatch)

    earlier = CliRunner().invoke(app, [*command, "--max-age", "1h"], env={"COLUMNS": "200"})
    assert earlier.exit_code == 0, earlier.output
    # Every section from the results the first report kept; only a failure is tried again
    # (this shop's map has no flow, it has too few persons for four personas...).
    assert {"conformance", "personas"} <= failed and set(calls) <= failed
    assert "2 events have arrived since. Without --max-age" in earlier.stdout
    sections = sections_of(out.read_text())
    for name in ("frictions", "funnel", "kpis", "canvas"):
        assert re.search(r'<p class="as-of">Computed on .* UTC on the data of then: 2 events had '
                         r"arrived since when this report was written\.</p>", sections[name]), name  # fmt: skip

    now = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert now.exit_code == 0 and calls["funnel"] == 1
    assert "arrived since" not in now.stdout and 'class="as-of"' not in out.read_text()
