"""`parcours ingest` (issue 15): conflicts and their policy, input errors that exit with 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.store.test_results import MAP

HEADER = "event_id,ts,customer_id,channel,event\n"


def test_unknown_timezone_exits_2_saying_what_to_change(tmp_path: Path):
    (tmp_path / "ev.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\n")
    out = run(
        "ingest", "events", "ev.csv", "--timezone", "Mars/Olympus", "-w", "w.duckdb", cwd=tmp_path
    )
    assert out.returncode == 2, out.stderr
    assert "time zone 'Mars/Olympus' is not known; give an IANA zone name" in out.stderr
    assert "Internal error" not in out.stderr and "Traceback" not in out.stderr


def test_on_conflict_latest_with_a_mapping_file(tmp_path: Path):
    (tmp_path / "a.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,view\n")
    (tmp_path / "b.csv").write_text(
        HEADER + "e1,2026-03-01 10:00:00,k,web,purchase\ne1,2026-03-01 10:00:00,k,web,refund\n"
    )
    (tmp_path / "m.yaml").write_text("events:\n  timezone: UTC\n")
    assert run("ingest", "events", "a.csv", "-w", "w.duckdb", cwd=tmp_path).returncode == 0
    first = run("ingest", "events", "b.csv", "-w", "w.duckdb", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 conflicts" in first.stdout  # the stored version is kept
    latest = run(
        "ingest", "events", "b.csv", "--mapping", "m.yaml", "--on-conflict", "latest",
        "-w", "w.duckdb", "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert latest.returncode == 0, latest.stderr
    report = json.loads(latest.stdout)
    assert (report["accepted"], report["conflicts"], report["replaced"]) == (1, 1, 1)
    shown = run("rejected", "-w", "w.duckdb", "--format", "csv", cwd=tmp_path).stdout
    assert "this stored version was replaced by row 2 of b.csv" in shown
    bad = run("ingest", "events", "b.csv", "--on-conflict", "last", "-w", "w.duckdb", cwd=tmp_path)
    assert bad.returncode == 2 and "'last' is not one of 'first', 'latest'" in bad.stderr


def test_a_file_uri_keeps_its_slashes_and_is_read_by_a_spark_workspace_only(tmp_path: Path):
    (tmp_path / "ev.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\n")
    uri = (tmp_path / "ev.csv").as_uri()  # file:///…: a Path would make it file:/…
    out = run("--lang", "fr", "ingest", "events", uri, "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert f"{uri} : une URI de fichier est lue par les systèmes de fichiers de Spark" in (
        " ".join(out.stderr.split())
    )
    assert "Traceback" not in out.stderr


@pytest.mark.spark
def test_a_spark_workspace_ingests_a_file_uri_and_a_directory_uri(tmp_path: Path):
    (tmp_path / "ev.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\ne2,soon,k,web,b\n")
    uri = (tmp_path / "ev.csv").as_uri()
    out = run("ingest", "events", uri, "-w", "spark:wh", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["source"], report["accepted"], report["rejected"]) == (uri, 1, 1)
    shown = run("rejected", "-w", "spark:wh", "--format", "json", cwd=tmp_path)
    (row,) = json.loads(shown.stdout)
    assert (row["source"], row["row_number"]) == (uri, 2)
    # A directory as a Spark job leaves it: its part files, one batch each.
    lake = tmp_path / "lake"
    lake.mkdir()
    for name, rows in (("part-00001.csv", "e4,2026-03-02 10:00:00,k,app,b\n"),
                       ("part-00000.csv", "e3,2026-03-02 09:00:00,k,app,a\n")):  # fmt: skip
        (lake / name).write_text(HEADER + rows)
    (lake / "_SUCCESS").touch()
    (lake / ".part-00000.csv.crc").touch()
    out = run("ingest", "events", lake.as_uri(), "-w", "spark:wh", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    reports = json.loads(out.stdout)
    assert [(r["source"], r["accepted"]) for r in reports] == [
        ((lake / "part-00000.csv").as_uri(), 1),
        ((lake / "part-00001.csv").as_uri(), 1),
    ]
    status = json.loads(run("status", "-w", "spark:wh", "--format", "json", cwd=tmp_path).stdout)
    assert (status["events"], status["rejected"], status["batches"]) == (3, 1, 3)


def test_a_folder_is_ingested_file_by_file_in_name_order(tmp_path: Path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "2026-03-02.csv").write_text(HEADER + "e2,2026-03-02 10:00:00,k,web,a\nbad\n")
    (exports / "2026-03-01.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\n")
    (exports / "_SUCCESS").touch()
    out = run("--lang", "fr", "ingest", "events", "exports", "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stdout.split())
    assert (
        "événements de exports/2026-03-01.csv : 1 ligne — 1 acceptée, 0 doublon, 0 refusée" in said
    )
    assert said.index("2026-03-01.csv") < said.index("2026-03-02.csv")
    assert "événements de exports/2026-03-02.csv : 2 lignes — 1 acceptée, 0 doublon, 1 refusée" in (
        said
    )
    again = run("ingest", "events", "exports", "-w", "w.duckdb", "--format", "csv", cwd=tmp_path)
    lines = again.stdout.splitlines()
    assert lines[0].startswith("target,source,batch_id,rows,accepted,duplicates,")
    assert [line.split(",")[1:2] + line.split(",")[4:6] for line in lines[1:]] == [
        ["exports/2026-03-01.csv", "0", "1"],
        ["exports/2026-03-02.csv", "0", "1"],
    ]


def test_a_folder_holding_other_files_is_refused_before_anything_is_read(tmp_path: Path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "2026-03-01.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\n")
    (exports / "LISEZMOI.md").write_text("les exports du site\n")
    out = run("--lang", "fr", "ingest", "events", "exports", "-w", "w.duckdb", cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert "exports : contient des fichiers d'un type inconnu (LISEZMOI.md)" in out.stderr
    status = run("status", "-w", "w.duckdb", "--format", "json", cwd=tmp_path)
    assert json.loads(status.stdout)["events"] == 0  # the CSV beside it was not read either
    (exports / "LISEZMOI.md").unlink()
    (exports / "2026-03-01.csv").unlink()
    empty = run("ingest", "events", "exports", "-w", "w.duckdb", cwd=tmp_path)
    assert empty.returncode == 2 and "exports: holds no file to ingest" in empty.stderr


def test_an_analysis_error_names_the_commands_flags(tmp_path: Path):
    (tmp_path / "ev.csv").write_text(HEADER + "e1,2026-03-01 10:00:00,k,web,a\n")
    (tmp_path / "map.yaml").write_text(MAP)
    assert run("ingest", "events", "ev.csv", "-w", "w.duckdb", cwd=tmp_path).returncode == 0
    out = run(
        "--lang", "fr", "compare", "--period-a", "2026-03-01..2026-03-31", "--map", "map.yaml",
        "-w", "w.duckdb", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "compare : donnez --period-a et --period-b à la fois" in out.stderr
