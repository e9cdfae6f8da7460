"""`parcours forget` and `parcours compact` as a data protection officer runs them: the
check of docs/privacy.md (`grep -c` on the workspace folder) finds nothing afterwards."""

from __future__ import annotations

import io
import json

import pandas as pd

from tests.cli.test_cli import run

EVENTS = """ts,customer_id,anonymous_id,email,phone,channel,event,adresse
2026-03-01 10:00:00,,ck-zq-5f3e9a,,,web,product_view,
2026-03-01 10:03:00,CUST-ZQ-90817,ck-zq-5f3e9a,Zoe.Quintal@Exemple.FR,,web,purchase,17 rue des Quintaliers
2026-03-02 15:00:00,CUST-ZQ-90817,,,06 87 65 43 21,magasin,purchase,
2026-03-01 11:00:00,CL-1,ck-cl-1,claire@exemple.fr,,web,product_view,3 place Bellecour
pas une date,,,Zoe.Quintal@Exemple.FR,06 87 65 43 21,magasin,purchase,
"""
ZOE = (
    "Zoe.Quintal@Exemple.FR",
    "zoe.quintal@exemple.fr",
    "06 87 65 43 21",
    "+33687654321",
    "CUST-ZQ-90817",
    "ck-zq-5f3e9a",
    "17 rue des Quintaliers",
)


def grep_c(folder, value: str) -> int:
    """What `grep -c VALUE` counts over every file of the workspace folder (lines holding
    it), as docs/privacy.md tells a user to check."""
    return sum(
        sum(1 for line in p.read_bytes().split(b"\n") if value.encode() in line)
        for p in folder.rglob("*")
        if p.is_file()
    )


def test_forget_then_grep_finds_nothing_and_compact_reports_sizes(tmp_path):
    folder = tmp_path / "ws"
    (tmp_path / "events.csv").write_text(EVENTS)
    out = run("ingest", "events", "events.csv", "-w", "ws/w.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert all(grep_c(folder, v) for v in ZOE)  # as written, and normalised

    forget = ("forget", "email:zoe.quintal@exemple.fr", "--yes", "-w", "ws/w.duckdb")
    out = run(*forget, "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    erasure = json.loads(out.stdout)
    assert erasure["events"] == 3 and erasure["rejected"] == 1
    assert "rewritten" in erasure["physical"] and erasure["bytes_after"] > 0
    assert {v: grep_c(folder, v) for v in ZOE} == dict.fromkeys(ZOE, 0)
    assert [p.name for p in folder.iterdir()] == ["w.duckdb"]
    assert grep_c(folder, "claire@exemple.fr") and grep_c(folder, "3 place Bellecour")

    out = run("compact", "-w", "ws/w.duckdb", "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    sizes = json.loads(out.stdout)
    assert (
        sizes["bytes_before"] > 0 and sizes["bytes_after"] == (folder / "w.duckdb").stat().st_size
    )
    out = run("compact", "-w", "ws/w.duckdb", cwd=tmp_path)
    assert out.returncode == 0 and "MiB given back" in out.stdout, out.stderr


def test_an_erasure_left_for_later_is_finished_and_said_at_the_next_open(tmp_path):
    import parcours

    folder = tmp_path / "ws"
    ws = parcours.open(folder / "w.duckdb")
    ws.ingest_events(pd.read_csv(io.StringIO(EVENTS), dtype=str).iloc[:4])
    erasure = ws.forget("customer_id:CUST-ZQ-90817", rewrite=False)
    assert "still holds their bytes" in erasure.physical
    ws.close()
    assert grep_c(folder, "CUST-ZQ-90817")  # deleted, not yet erased

    out = run("status", "-w", "ws/w.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "finished the rewrite of an interrupted erasure" in out.stderr
    assert {v: grep_c(folder, v) for v in ZOE} == dict.fromkeys(ZOE, 0)


def test_compact_help_and_missing_workspace(tmp_path):
    helped = run("compact", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "Example:" in helped.stdout
    missing = run("compact", "-w", "absent.duckdb", cwd=tmp_path)
    assert missing.returncode == 2 and "nothing to compact" in missing.stderr
