"""The CLI and ``parcours.open`` while `parcours serve` holds the workspace: they go
through the server (parcours.remote), reads and writes, with the results of opening the
file itself; a stale server file is ignored; a holder that is not a parcours server is
named, with exit code 2."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import parcours
from parcours import remote
from parcours.errors import NotFoundError

EVENTS = """event_id,ts,customer_id,channel,event
r1,2026-03-01T10:00:00Z,RC1,web,product_view
r2,2026-03-01T10:05:00Z,RC1,web,purchase
r3,not a date,RC1,web,purchase
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "parcours", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workspace: Path, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parcours",
            "serve",
            "-w",
            str(workspace),
            "--port",
            str(free_port()),
        ],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while remote.find_server(workspace, wait=1.0) is None:
        assert process.poll() is None, "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.5)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A small demo workspace served by `parcours serve`, and a copy of it (opened directly)."""
    from parcours.demo.load import load_demo

    folder = tmp_path_factory.mktemp("served")
    path = folder / "ws.duckdb"
    with parcours.open(path) as ws:
        load_demo(ws, persons=300, seed=3)
        ws.resolve_identities()
    copy = folder / "copy" / "ws.duckdb"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    process = start_server(path, folder)
    yield folder, path, copy
    stop(process)
    assert not remote.server_file(path).exists(), "the server removes its file when it stops"


def test_server_file_is_private_and_names_the_server(served):
    _, path, _ = served
    file = remote.server_file(path)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    info = json.loads(file.read_text())
    assert set(info) == {"url", "pid", "token", "workspace"}
    assert info["workspace"] == str(path.resolve())


@pytest.mark.parametrize(
    "command",
    [
        ("status", "-f", "json"),
        ("frictions", "-f", "json"),
        ("rejected", "-f", "csv"),
        ("identities", "-f", "json"),
        ("maps", "list", "-f", "json"),
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_reads_through_the_server_equal_direct_reads(served, command):
    folder, path, copy = served
    through = cli(*command, "-w", str(path), cwd=folder)
    direct = cli(*command, "-w", str(copy), cwd=folder)
    assert through.returncode == 0, through.stderr
    assert direct.returncode == 0, direct.stderr
    assert through.stdout.replace(str(path), "WS") == direct.stdout.replace(str(copy), "WS")


def test_writes_through_the_server(served):
    folder, path, copy = served
    for workspace in (path, copy):
        out = cli("ingest", "events", "events.csv", "-w", str(workspace), "-f", "json", cwd=folder)
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert (report["accepted"], report["rejected"]) == (2, 1)
    again = cli("ingest", "events", "events.csv", "-w", str(path), "-f", "json", cwd=folder)
    assert json.loads(again.stdout)["duplicates"] == 2  # the server's dedupe, as directly
    counts = [
        json.loads(cli("status", "-w", str(w), "-f", "json", cwd=folder).stdout)
        for w in (path, copy)
    ]
    for key in ("events", "rejected", "customers", "feedback"):
        assert counts[0][key] == counts[1][key]
    saved = cli("maps", "save", str(folder / "map.yaml"), "-w", str(path), cwd=folder)
    assert saved.returncode == 2 and "map.yaml" in saved.stderr  # an input error stays one
    shown = cli("maps", "show", "maison-lumiere", "-w", str(path), cwd=folder)
    (folder / "map.yaml").write_text(shown.stdout, encoding="utf-8")
    saved = cli(
        "maps", "save", "map.yaml", "--message", "via the server", "-w", str(path), cwd=folder
    )
    assert saved.returncode == 0 and "version 2" in saved.stdout, saved.stderr
    made = cli("keys", "create", "--scope", "read", "--name", "cli", "-w", str(path), cwd=folder)
    assert made.returncode == 0, made.stderr
    listed = json.loads(cli("keys", "list", "-w", str(path), "-f", "json", cwd=folder).stdout)
    assert [k["name"] for k in listed] == ["cli"]


def test_python_open_goes_through_the_server(served):
    _, path, copy = served
    ws = parcours.open(path)
    assert isinstance(ws, remote.RemoteWorkspace)
    with parcours.open(copy) as direct:
        steps = ["panier", "paiement_web"]
        through, own = ws.funnel(steps), direct.funnel(steps)
        assert json.dumps(through.to_dict(), default=str) == json.dumps(own.to_dict(), default=str)
        # An Ibis value held by the server: a recipe, run there when its result is asked.
        ids = ws.identities()
        persons = ids.filter(~ids.shared).person_id.nunique().to_pyarrow().as_py()
        own = direct.identities()
        assert persons == own.filter(~own.shared).person_id.nunique().to_pyarrow().as_py()
    with pytest.raises(NotFoundError, match="maps: maison-lumiere"):
        ws.load_map("nope")  # the server's error, with its class


def test_serve_twice_is_refused(served):
    folder, path, _ = served
    out = cli("serve", "-w", str(path), "--port", str(free_port()), cwd=folder)
    assert out.returncode == 2
    assert "already serves this workspace" in out.stderr


def test_a_stale_server_file_is_ignored_and_removed(tmp_path):
    path = tmp_path / "ws.duckdb"
    parcours.open(path).close()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    file = remote.server_file(path)
    file.write_text(
        json.dumps(
            {"url": "http://127.0.0.1:9", "pid": gone.pid, "token": "x", "workspace": str(path)}
        )
    )
    out = cli("maps", "list", "-w", str(path), "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
    assert not file.exists()


def test_a_holder_that_is_not_a_parcours_server_is_named(tmp_path):
    path = tmp_path / "ws.duckdb"
    parcours.open(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ok', flush=True);"
            " time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        out = cli("maps", "list", "-w", str(path), cwd=tmp_path)
        assert out.returncode == 2
        message = " ".join(out.stderr.split())
        assert f"PID {holder.pid}" in message
        assert "is not a parcours server" in message and "parcours serve" in message
    finally:
        holder.kill()
        holder.wait()


def test_a_map_drafted_from_data_through_the_server(served):
    folder, path, copy = served
    for workspace, out in ((path, "served.yaml"), (copy, "direct.yaml")):
        made = cli("init", "--from-data", "--out", out, "-w", str(workspace), cwd=folder)
        assert made.returncode == 0, made.stderr
    # The same map (its comments quote shares, whose ties may come in either order).
    drafted = [parcours.JourneyMap.load(folder / f) for f in ("served.yaml", "direct.yaml")]
    assert drafted[0] == drafted[1]


def test_report_through_the_server_prints_a_line_per_analysis(served):
    import re

    from parcours.analyses import REGISTRY
    from parcours.render.i18n import t

    folder, path, _ = served
    out = cli("report", "--out", "r.html", "-w", str(path), "--lang", "en", cwd=folder)
    assert out.returncode == 0, out.stderr
    # "  [3/12] Conversion funnel: 0.4 s", a line per section as it is done
    lines = re.findall(r"^  \[\d+/\d+\] (.+): [\d.]+ s$", out.stderr, re.M)
    assert lines == [t(f"section.{name}", "en") for name in REGISTRY]
    # the report written through the server is the one written on the file itself: its
    # blueprint, experience and canvas measured in the server, not left unavailable
    _, _, copy = served
    here = cli("report", "--out", "direct.html", "-w", str(copy), "--lang", "en", cwd=folder)
    assert here.returncode == 0, here.stderr
    through, direct = _report_text(folder / "r.html"), _report_text(folder / "direct.html")
    assert "Not available" not in direct
    assert through == direct


def _report_text(path: Path) -> str:
    """What a reader reads in a report: its text, without the charts' code."""
    import html
    import re

    page = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return "\n".join(
        line.strip()
        for line in html.unescape(re.sub(r"<[^>]+>", "\n", page)).split("\n")
        if line.strip()
    )


# What a forwarded analysis command must not import: the server computes and prints it.
ENGINE = {"pandas", "numpy", "pyarrow", "duckdb", "ibis", "scipy", "plotly", "typer"}
LOADED = """
import json, runpy, sys
sys.argv = ["parcours", *sys.argv[1:]]
try:
    runpy.run_module("parcours", run_name="__main__")
finally:
    print(json.dumps(sorted({m.partition(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def cli_loaded(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """`parcours ARGS` in a fresh process, and the top-level packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=300,
    )
    *said, loaded = done.stderr.strip().splitlines()
    done.stderr = "\n".join(said)
    return done, set(json.loads(loaded))


@pytest.mark.parametrize(
    "command",
    [
        ("kpis", "-f", "json"),
        ("--lang", "en", "kpis"),
        ("funnel", "panier", "paiement_web", "--window", "7d", "-f", "csv"),
        ("frictions", "--all"),
    ],
    ids=lambda c: "-".join(c),
)
def test_an_analysis_is_printed_by_the_server(served, command):
    folder, path, copy = served
    through, loaded = cli_loaded(*command, "-w", str(path), cwd=folder)
    direct = cli(*command, "-w", str(copy), cwd=folder)
    assert through.returncode == 0, through.stderr
    assert direct.returncode == 0, direct.stderr
    assert through.stdout == direct.stdout
    # Nothing of the engine was imported: the server computed and printed it.
    assert not loaded & ENGINE, loaded & ENGINE


def test_an_analysis_refused_by_the_server_ends_as_it_would_here(served):
    folder, path, copy = served
    for command in (
        ("funnel", "panier", "paiement_web", "--window", "zz"),  # the analysis' InputError
        ("funnel",),  # a usage error: said by the caller, as Typer says it
        ("kpis", "--nope"),
    ):
        through = cli(*command, "-w", str(path), "--lang", "en", cwd=folder)
        direct = cli(*command, "-w", str(copy), "--lang", "en", cwd=folder)
        assert (through.returncode, through.stdout) == (2, "")
        assert direct.returncode == 2
        assert through.stderr == direct.stderr


def test_a_map_given_by_a_relative_path_is_read_from_the_callers_folder(served):
    folder, path, copy = served
    shown = cli("maps", "show", "maison-lumiere", "-w", str(copy), cwd=folder)
    (folder / "mine").mkdir(exist_ok=True)
    (folder / "mine" / "journey.yaml").write_text(shown.stdout, encoding="utf-8")
    command = ("kpis", "-m", "journey.yaml", "-f", "json")
    through, loaded = cli_loaded(*command, "-w", str(path), cwd=folder / "mine")
    direct = cli(*command, "-w", str(copy), cwd=folder / "mine")
    assert through.returncode == 0, through.stderr
    assert through.stdout == direct.stdout
    assert "pandas" not in loaded


def test_a_personas_map_drawn_through_the_server(served):
    """`report map --persona` while the server runs: the segment (its feedback placed among
    the identities) is made in the server, and the canvas is the one drawn from the file."""
    folder, path, copy = served
    common = ("report", "map", "--persona", "ropo", "--lang", "fr")
    through = cli(*common, "--out", "through.html", "-w", str(path), cwd=folder)
    assert through.returncode == 0, through.stderr
    direct = cli(*common, "--out", "direct.html", "-w", str(copy), cwd=folder)
    assert direct.returncode == 0, direct.stderr
    text = _report_text(folder / "through.html")
    assert "ROPO" in text or "ropo" in text.lower()
    assert text == _report_text(folder / "direct.html")
