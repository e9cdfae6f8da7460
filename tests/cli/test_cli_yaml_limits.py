"""A YAML bomb given to the CLI: exit 2 with the limit passed, at once and without traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.yaml_bombs import BOMB_MAP, DEEP_MAP


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without limits the bomb runs for minutes: the timeout makes that a failure.
    return subprocess.run(
        [sys.executable, "-m", "parcours", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("command", "text", "message"),
    [
        (("validate", "j.yaml"), BOMB_MAP, "j.yaml:8: the aliases expand the document to more"),
        (("maps", "save", "j.yaml", "-w", "w.duckdb"), BOMB_MAP, "at most 100,000 are allowed"),
        (("validate", "j.yaml"), DEEP_MAP, "nested deeper than 50 levels; at most 50 are allowed"),
    ],
    ids=["validate-bomb", "maps-save-bomb", "validate-deep"],
)
def test_map_past_a_limit_exits_2_with_the_limit(tmp_path, command, text, message):
    (tmp_path / "j.yaml").write_text(text, encoding="utf-8")
    out = run(*command, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
