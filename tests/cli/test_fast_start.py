"""`parcours --help`, `status` and `validate` start fast: they leave the heavy libraries
unimported. Untimed (benchmarks/start.py measures the seconds): each command runs in a fresh
process, which then lists the packages it loaded."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import parcours
from parcours.maps import render_template

# What only an analysis, the report or the server needs.
STATS_AND_SERVER = {"scipy", "sklearn", "statsmodels", "plotly", "fastapi", "uvicorn"}
# The engine of the workspace: a map needs none of it; `status` only duckdb.
ENGINE = {"pandas", "numpy", "pyarrow", "duckdb"}

RUN = """
import json, sys
from parcours.cli import main
sys.argv = ["parcours", *sys.argv[1:]]
try:
    main()
except SystemExit as end:
    assert not end.code, f"exit code {end.code}"
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def loaded_by(*args: str | Path) -> set[str]:
    """The top-level packages imported by `parcours ARGS`, run in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def journey_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "journey.yaml"
    path.write_text(render_template("cinq-phases", "en"), encoding="utf-8")
    return path


def test_help_imports_no_engine_and_no_analysis():
    loaded = loaded_by("--help")
    assert not loaded & (STATS_AND_SERVER | ENGINE | {"ibis", "pydantic"})


def test_validate_imports_no_engine(journey_file):
    loaded = loaded_by("validate", journey_file)
    assert not loaded & (STATS_AND_SERVER | ENGINE)


def test_validate_imports_no_ibis(journey_file):
    assert "ibis" not in loaded_by("validate", journey_file)


def test_status_reads_the_file_with_duckdb_alone(tmp_path):
    workspace = tmp_path / "w.duckdb"
    parcours.open(workspace).close()
    loaded = loaded_by("status", "--workspace", workspace)
    assert "duckdb" in loaded
    assert not loaded & (STATS_AND_SERVER | {"ibis", "pandas", "numpy", "pyarrow"})


def test_each_summary_is_its_analysis_docstring():
    from parcours.analyses import ANALYSES, SUMMARIES

    assert list(SUMMARIES) == [a.name for a in ANALYSES]
    for analysis in ANALYSES:
        first = analysis.doc.split("\n\n")[0]
        assert SUMMARIES[analysis.name] == " ".join(first.split()), analysis.name


def test_each_lazy_command_is_listed_with_its_own_help():
    from parcours.cli.app import app
    from parcours.cli.lazy import LazyCommand

    lazy = [c for c in app.registered_commands if c.cls and issubclass(c.cls, LazyCommand)]
    assert {c.name for c in lazy} >= {"init", "funnel"}
    for info in lazy:
        assert info.cls is not None and issubclass(info.cls, LazyCommand)
        first = (inspect.getdoc(info.cls.load()) or "").split("\n\n")[0]
        assert info.help == " ".join(first.split()), info.name
