"""A workspace file as an older parcours left it, for the migration tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis

from parcours.store import schema


def workspace_of_version(path: Path, version: int) -> Any:
    """A DuckDB file at schema ``version`` (the migrations up to it, run as parcours ran
    them); its open connection, for the test to add the rows of that time and disconnect."""
    con = ibis.duckdb.connect(str(path))
    con.create_table("meta", schema=schema.TABLES["meta"])
    for step in range(1, version + 1):
        schema.MIGRATIONS[step](con)
    schema.write_meta(con, "schema_version", str(version))
    return con
