"""What a workspace file holds, read in a blink (``parcours status``).

Opening a workspace the usual way loads the engine layers (Ibis, pandas, Arrow: a second or
two of CPU) and may do work: migrate an older schema, finish an interrupted erasure. A
status needs none of that when the file is current. :func:`quick_status` reads a DuckDB
workspace file read-only with the ``duckdb`` module alone, and says ``None`` whenever
the usual way is needed: another engine, an older or newer schema, an erasure to finish,
a file DuckDB cannot open (the usual way then explains why).

It never resolves identities: after an ingest, the persons are those of the last
resolution, and ``identities`` says the resolution is due.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from parcours.store import compact
from parcours.store.spool import spool_folder, waiting_in

# The data tables `status` counts, as parcours.store.schema.TABLES lists them, and the
# schema version this module reads (tests/store/test_status.py checks both against schema).
COUNTED = ("events", "customers", "feedback", "rejected", "batches", "maps", "identities")
SCHEMA_VERSION = 7


def quick_status(path: Path) -> dict[str, Any] | None:
    """``counts``, ``persons``, ``shared_identifiers``, ``maps``, ``identities_current``,
    ``spooled`` (events the collector acknowledged, not loaded yet) and ``notices`` of the
    workspace file at ``path``; None when the usual opening is needed."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return _read(con, path)
    except duckdb.Error:
        return None
    finally:
        con.close()


def read_open(con: Any, path: Path) -> dict[str, Any] | None:
    """:func:`quick_status` over a connection already open on the file (``con.execute(sql)``
    gives a cursor): what a server holding the file answers."""
    return _read(con, path)


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, Any] | None:
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("schema_version") != str(SCHEMA_VERSION) or compact.PENDING in meta:
        return None
    counts = {name: _one(con, f'SELECT count(*) FROM "{name}"') for name in COUNTED}
    persons = _one(con, "SELECT count(DISTINCT person_id) FROM identities WHERE NOT shared")
    shared = _one(con, "SELECT count(*) FROM identities WHERE shared")
    maps = [row[0] for row in con.execute("SELECT DISTINCT map_id FROM maps ORDER BY 1").fetchall()]
    notices = []
    row = con.execute(compact.USED_BLOCKS).fetchone()
    unused = max(compact.file_bytes(path) - compact.used_bytes(row), 0) if row else 0
    if compact.worth_it(path, unused):
        notices.append(compact.unused_notice(path, unused))
    return {
        "counts": counts,
        "persons": persons,
        "shared_identifiers": shared,
        "maps": maps,
        # Its language is read from it only when a command prints for a person.
        "map_yaml": _latest_map(con),
        "identities_current": "identities_current" in meta,
        "spooled": waiting_in(spool_folder(path)),
        "notices": notices,
    }


def engine_status(ws: Any) -> dict[str, Any]:
    """What :func:`quick_status` reads, asked of an open workspace's engine (a ``spark:DIR``
    workspace, an Ibis URL): the same fields, no spool and no unused space (a DuckDB file's
    notions)."""
    from parcours.store import schema

    con = ws.con
    counts = {name: int(con.table(name).count().to_pyarrow().as_py()) for name in COUNTED}
    identities = con.table("identities")
    maps = con.table("maps")
    latest = maps.order_by(maps.saved_at.desc()).limit(1).yaml.to_pyarrow().to_pylist()
    return {
        "counts": counts,
        "persons": int(
            identities.filter(~identities.shared).person_id.nunique().to_pyarrow().as_py()
        ),
        "shared_identifiers": int(identities.shared.sum().fill_null(0).to_pyarrow().as_py()),
        "maps": sorted(set(maps.map_id.to_pyarrow().to_pylist())),
        "map_yaml": latest[0] if latest else None,
        "identities_current": schema.read_meta(con, "identities_current") is not None,
        "spooled": 0,
        "notices": [],
    }


def _latest_map(con: duckdb.DuckDBPyConnection) -> str | None:
    """The YAML of the latest saved map, None without a map."""
    row = con.execute("SELECT yaml FROM maps ORDER BY saved_at DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def map_lang_of(yaml: str | None) -> str | None:
    """The language of a saved map (what the workspace's commands print in when the reader
    chose none), None without a map; read from its YAML, not by building the map (the
    model and its checks cost a tenth of a second to import, the YAML 50 ms to parse)."""
    if yaml is None:
        return None
    from ruamel.yaml import YAML

    declared = YAML(typ="safe").load(yaml).get("lang")
    if declared is None:  # the model's default
        from parcours.maps.model import JourneyMap

        declared = JourneyMap.model_fields["lang"].default
    return str(declared)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
