"""`parcours init --from-data`, then `validate` and `coverage`, as a newcomer with a log runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from parcours.maps import ANY_CHANNEL, JourneyMap
from parcours.render.canvas import journey_canvas

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "parcours", *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def coverage_share(cwd: Path, *args: str) -> float:
    out = run("coverage", "--format", "json", *args, cwd=cwd)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    return sum(r["mapped"] for r in rows) / sum(r["events"] for r in rows)


# A small permit log: the intake channel belongs to the case, T07-* drafts form a family.
LOG = """customer_id,ts,event,channel
{rows}"""


def permit_log() -> str:
    rows = []
    for case in range(60):
        channel = "desk" if case % 4 == 1 else "internet"
        steps = ["Confirmation of receipt", "T02 Check confirmation", "T04 Determine confirmation"]
        steps += [f"T07-{1 + case % 3} Draft advice"] if case % 2 else []
        steps += ["T06 Determine stop advice", "T10 Determine stop indication"]
        rows += [
            f"case-{case},2024-01-{1 + case % 20:02d} {8 + i:02d}:00:00,{step},{channel}"
            for i, step in enumerate(steps)
        ]
    return LOG.format(rows="\n".join(rows))


def test_a_drafted_map_validates_and_covers_the_log(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(permit_log())
    assert run("ingest", "events", "log.csv", "-w", "w.duckdb", cwd=tmp_path).returncode == 0
    out = run(
        "init", "--from-data", "--lang", "en", "--out", "j.yaml", "-w", "w.duckdb", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "parcours coverage --map j.yaml -w w.duckdb" in out.stdout
    checked = run("validate", "j.yaml", "--format", "json", cwd=tmp_path)
    assert checked.returncode == 0 and json.loads(checked.stdout)["valid"] is True
    assert coverage_share(tmp_path, "--map", "j.yaml", "-w", "w.duckdb") == 1.0

    jm = JourneyMap.load(tmp_path / "j.yaml")
    family = next(t for t in jm.touchpoints if t.match.patterns)
    assert family.match.patterns[0].prefixes == ["T07-"]
    assert {t.channel for t in jm.touchpoints} == {ANY_CHANNEL}  # the case's channel
    assert jm.conversion.events == ["T10 Determine stop indication"]
    # the canvas draws the touchpoints on any channel in one lane
    assert "Any channel" in journey_canvas(jm, lang="en").svg

    table = run("coverage", "--map", "j.yaml", "-w", "w.duckdb", cwd=tmp_path)
    assert "330 of 330 events mapped to a touchpoint (100.0%)" in table.stdout


def test_coverage_lists_the_biggest_unmatched_names(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(permit_log())
    run("ingest", "events", "log.csv", "-w", "w.duckdb", cwd=tmp_path)
    run("init", "--from-data", "--out", "j.yaml", "-w", "w.duckdb", cwd=tmp_path)
    path = tmp_path / "j.yaml"
    path.write_text(
        re.sub(r'match: \{event: \{prefix: "T07-"\}\}', 'match: {event: "nope"}', path.read_text())
    )
    # the drafted map is in French, so its coverage speaks French unless told otherwise
    french = run("coverage", "--map", "j.yaml", "-w", "w.duckdb", cwd=tmp_path)
    assert "300 événements sur 330 rattachés à un point de contact" in french.stdout
    out = run("--lang", "en", "coverage", "--map", "j.yaml", "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "300 of 330 events mapped" in out.stdout
    assert (
        "Biggest unmatched event names: T07-1 Draft advice (10), T07-2 Draft advice (10), "
        in out.stdout
    )


def test_drafting_needs_a_workspace_with_events(tmp_path: Path) -> None:
    absent = run("init", "--from-data", "-w", "absent.duckdb", cwd=tmp_path)
    assert absent.returncode == 2 and "absent.duckdb: no such workspace" in absent.stderr
    (tmp_path / "c.csv").write_text("customer_id,segment\nc1,B2C\n")
    run("ingest", "customers", "c.csv", "-w", "w.duckdb", cwd=tmp_path)
    empty = run("init", "--from-data", "-w", "w.duckdb", cwd=tmp_path)
    assert empty.returncode == 2 and "no events to draft a map from" in empty.stderr


def test_a_validation_example_in_brackets_is_printed_whole(tmp_path: Path) -> None:
    run("init", "--out", "j.yaml", cwd=tmp_path)
    path = tmp_path / "j.yaml"
    path.write_text(path.read_text().replace("channels:\n", "channels: 3\nold_channels:\n", 1))
    out = run("validate", "j.yaml", cwd=tmp_path)
    assert out.returncode == 2
    assert not re.search(r"e\.g\.\s*(\(|$)", out.stderr, re.M)  # every example is there


WABO = DATASETS / "wabo-receipt" / "receipt.csv"


@pytest.mark.shared_data
@pytest.mark.skipif(not WABO.exists(), reason=f"real data sets not present at {DATASETS}")
def test_the_wabo_permit_log_is_drafted_with_95_percent_coverage(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "events:\n  customer_id: case:concept:name\n  ts: time:timestamp\n"
        "  event: concept:name\n  channel: case:channel\n  event_id: concept:instance\n"
    )
    ingested = run(
        "ingest", "events", str(WABO), "--mapping", "m.yaml", "-w", "w.duckdb", cwd=tmp_path
    )
    assert ingested.returncode == 0, ingested.stderr
    out = run("init", "--from-data", "--out", "j.yaml", "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert run("validate", "j.yaml", cwd=tmp_path).returncode == 0
    assert coverage_share(tmp_path, "--map", "j.yaml", "-w", "w.duckdb") >= 0.95
    jm = JourneyMap.load(tmp_path / "j.yaml")
    assert any(t.match.patterns for t in jm.touchpoints)  # the T07-* and T09-* families
    assert any(t.channel == ANY_CHANNEL for t in jm.touchpoints)
