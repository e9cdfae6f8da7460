"""The CLI as a newcomer uses it: init, validate, ingest, status, demo; exit codes 0/2/1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parcours.maps import TEMPLATES


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "parcours", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
    )


def test_help_lists_commands_and_each_help_has_an_example(tmp_path):
    out = run("--help", cwd=tmp_path)
    assert out.returncode == 0
    for command in ("init", "validate", "ingest", "demo", "status", "kpis"):
        assert command in out.stdout
    for command in ("init", "validate", "ingest", "demo", "status", "kpis", "coverage"):
        helped = run(command, "--help", cwd=tmp_path)
        assert helped.returncode == 0 and "Example:" in helped.stdout, command


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_init_then_validate_every_template(tmp_path, template):
    out = run("init", "--template", template, "--lang", "en", "--out", "j.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    checked = run("validate", "j.yaml", "--format", "json", cwd=tmp_path)
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["valid"] is True


def test_invalid_map_exits_2_with_line_and_allowed_values(tmp_path):
    run("init", "--template", "cinq-phases", "--out", "j.yaml", cwd=tmp_path)
    path = tmp_path / "j.yaml"
    path.write_text(path.read_text().replace("stage: decision", "stage: decison", 1))
    out = run("validate", "j.yaml", cwd=tmp_path)
    assert out.returncode == 2
    assert "j.yaml:" in out.stderr and "unknown stage 'decison'" in out.stderr
    assert "allowed stages: decouverte" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_usage_and_bad_input_exit_2(tmp_path):
    assert run("init", "--template", "nope", cwd=tmp_path).returncode == 2
    missing = run("ingest", "events", "absent.csv", "-w", "w.duckdb", cwd=tmp_path)
    assert missing.returncode == 2 and "absent.csv: no such file" in missing.stderr
    existing = run("init", "--out", "j.yaml", cwd=tmp_path)
    assert existing.returncode == 0
    again = run("init", "--out", "j.yaml", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_ingest_reports_counts_and_rejected_rows(tmp_path):
    (tmp_path / "ev.csv").write_text(
        "ts,anonymous_id,channel,event\n2026-03-01 10:00:00,c1,web,page_view\nbad,c1,web,x\n"
    )
    out = run("ingest", "events", "ev.csv", "-w", "w.duckdb", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["accepted"], report["rejected"], report["duplicates"]) == (1, 1, 0)
    rejected = run("rejected", "-w", "w.duckdb", "--format", "csv", cwd=tmp_path)
    assert "ts 'bad' is not a timestamp" in rejected.stdout


def test_workspace_from_environment(tmp_path):
    (tmp_path / "ev.csv").write_text(
        "ts,anonymous_id,channel,event\n2026-03-01 10:00:00,c1,web,a\n"
    )
    env = {"PARCOURS_WORKSPACE": str(tmp_path / "env.duckdb")}
    assert run("ingest", "events", "ev.csv", cwd=tmp_path, env=env).returncode == 0
    status = run("status", "--format", "json", cwd=tmp_path, env=env)
    assert json.loads(status.stdout)["events"] == 1


def test_demo_small_then_status_and_kpis(tmp_path):
    out = run("demo", "--persons", "300", "--no-serve", "-w", "d.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Maison Lumière loaded into d.duckdb" in out.stdout
    assert "Next:" in out.stdout
    assert (tmp_path / "maison-lumiere.yaml").exists()
    # its version described in the map's language (French), not the reader's (English here)
    history = run("maps", "history", "maison-lumiere", "-w", "d.duckdb", cwd=tmp_path)
    assert "carte de la démo" in history.stdout and "demo map" not in history.stdout
    status = json.loads(run("status", "-w", "d.duckdb", "--format", "json", cwd=tmp_path).stdout)
    assert status["events"] > 3000 and status["shared_identifiers"] >= 1
    kpis = run("kpis", "-w", "d.duckdb", "--format", "json", cwd=tmp_path)
    assert kpis.returncode == 0, kpis.stderr
    table = json.loads(kpis.stdout)["table"]
    assert {row["id"] for row in table} >= {"paiement_web", "achat_magasin"}
    # Running the demo again adds nothing: ingestion is idempotent.
    again = run("demo", "--persons", "300", "--no-serve", "-w", "d.duckdb", cwd=tmp_path)
    assert "already there" in again.stdout
    status2 = json.loads(run("status", "-w", "d.duckdb", "--format", "json", cwd=tmp_path).stdout)
    assert status2["events"] == status["events"]


def test_internal_error_exits_1_without_traceback(tmp_path):
    (tmp_path / "w.duckdb").write_text("this is not a database")
    out = run("status", "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr


def test_maps_save_history_and_diff(tmp_path):
    run("init", "--template", "5a", "--out", "j.yaml", cwd=tmp_path)
    assert run("maps", "save", "j.yaml", "-w", "w.duckdb", cwd=tmp_path).returncode == 0
    path = tmp_path / "j.yaml"
    path.write_text(path.read_text().replace("stage: demande", "stage: action", 1))
    saved = run("maps", "save", "j.yaml", "--message", "moved", "-w", "w.duckdb", cwd=tmp_path)
    assert "version 2" in saved.stdout
    diff = run("maps", "diff", "5a", "--from", "1", "-w", "w.duckdb", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    # In the map's language (the template's: French), every word of it.
    said = diff.stdout.replace("\xa0", " ")
    assert "points de contact modifiés : avis_clients (stage)" in said
    english = run(
        "maps", "diff", "5a", "--from", "1", "-w", "w.duckdb", "--lang", "en", cwd=tmp_path
    )
    assert "touchpoints changed: avis_clients (stage)" in english.stdout
    assert "-    stage: demande" in diff.stdout and "+    stage: action" in diff.stdout
    assert "5a@v2" in diff.stdout
