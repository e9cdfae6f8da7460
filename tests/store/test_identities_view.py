"""On DuckDB, ``identities`` is a view of ``identity_nodes`` (schema 7): a resolution writes
the nodes only, and a workspace of schema 6 (a table of the same rows) is migrated to it."""

from __future__ import annotations

import ibis
import pandas as pd

import parcours
from parcours.store import schema
from tests.store.test_identity_incremental import canon, reference, rows_frame


def persons(ws) -> pd.DataFrame:
    return canon(ws.identities())


def as_schema_6(path, *, nodes_kept: bool) -> None:
    """The file as parcours of schema 6 left it: ``identities`` a table of the same rows
    (without the nodes, as a resolution before schema 4 left it, when not ``nodes_kept``)."""
    con = ibis.duckdb.connect(str(path))
    rows = con.table("identities").to_pyarrow()
    con.raw_sql("DROP VIEW identities")
    con.create_table("identities", schema=schema.TABLES["identities"])
    con.insert("identities", rows)
    if not nodes_kept:
        for name in ("identity_nodes", "identifier_sets", "identity_batches"):
            con.raw_sql(f"DELETE FROM {name}")
    schema.write_meta(con, "schema_version", "6")
    con.disconnect()


def test_identities_are_the_nodes_seen_as_identifiers(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}, {"email": "b@x"}]))
    ws.resolve_identities()
    kinds = ws.con.raw_sql(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'identities'"
    ).fetchall()
    assert kinds == [("VIEW",)]
    pd.testing.assert_frame_equal(persons(ws), reference(ws))
    nodes = ws.con.table("identity_nodes").count().to_pyarrow().as_py()
    assert ws.con.table("identities").count().to_pyarrow().as_py() == nodes == 3


def test_a_schema_6_workspace_gets_the_view_and_the_same_persons(tmp_path):
    for nodes_kept in (True, False):
        path = tmp_path / f"kept_{nodes_kept}.duckdb"
        with parcours.open(path) as ws:
            ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}, {"email": "b@x"}]))
            before = persons(ws)
        as_schema_6(path, nodes_kept=nodes_kept)
        with parcours.open(path) as ws:
            assert ws.previous_version == 6
            assert schema.read_meta(ws.con, "identities_current") is None  # resolved on read
            pd.testing.assert_frame_equal(persons(ws), before)
            pd.testing.assert_frame_equal(persons(ws), reference(ws))
