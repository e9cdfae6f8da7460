"""Materialised scratch tables (parcours.store.engine.materialize) on DuckDB."""

from __future__ import annotations

import ibis

from parcours.store.engine import materialize, release


class _Recording:
    """The DuckDB connection under an Ibis backend, recording each statement it runs."""

    def __init__(self, inner, statements: list[str]):
        self._inner, self._statements = inner, statements

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def execute(self, query, *args, **kwargs):
        self._statements.append(" ".join(str(query).split()))
        out = self._inner.execute(query, *args, **kwargs)
        return self if out is self._inner else out  # a statement run on the result too


def test_materialize_keeps_the_rows_and_replaces_a_table_of_the_same_name():
    con = ibis.duckdb.connect()
    con.create_table("events", ibis.memtable({"x": [1, 2, 3]}))
    events = con.table("events")
    first = materialize(events.filter(events.x > 1), "_scratch_a")
    assert sorted(first.x.to_pyarrow().to_pylist()) == [2, 3]
    again = materialize(events.filter(events.x == 1), "_scratch_a")
    assert again.x.to_pyarrow().to_pylist() == [1]
    release(again, "_scratch_a")
    assert "_scratch_a" not in con.list_tables()


def test_materialize_writes_the_rows_once():
    """The rows go straight into the named table: no copy of a table of Ibis' own under
    the name (what create_table(overwrite=True) does, writing every row twice)."""
    con = ibis.duckdb.connect()
    con.create_table("events", ibis.memtable({"x": [1, 2, 3, 4]}))
    statements: list[str] = []
    con.con = _Recording(con.con, statements)
    events = con.table("events")
    kept = materialize(events.filter(events.x % 2 == 0), "_scratch_even")
    assert sorted(kept.x.to_pyarrow().to_pylist()) == [2, 4]
    writes = [s for s in statements if s.startswith(("INSERT", "CREATE"))]
    assert len(writes) == 2, writes  # the table, then its rows
    assert writes[1].startswith('INSERT INTO "temp"."main"."_scratch_even"')
