"""Identity resolution of a ``spark:DIR`` workspace, kept and updated as on DuckDB.

Persons depend only on the *distinct identifier sets* of the rows, and a workspace keeps
them with their persons (:mod:`parcours.store.identity_incremental`). On a warehouse the
work splits where the data shrinks:

- **Spark reads the rows**: the distinct identifier sets of the batches not folded in yet
  (of every row at a full recompute), with their counts, written as Parquet under the
  warehouse's ``_staging``. This is the step that reads events: a day's batch at a day's
  cost, and at a full recompute the one pass over every row.
- **The driver resolves the sets** with the code of a DuckDB workspace, on an in-memory
  DuckDB (bounded by ``Settings.memory_limit``, spilling under ``_staging``) holding a
  copy of the kept tables: the new sets, what they touch, the components merged with
  scipy. It never sees an event, only sets and identifiers.
- **One commit** writes the kept tables, ``identities`` (derived from ``identity_nodes``
  row for row, as DuckDB's view of it) and ``meta`` back to the warehouse: the resolution
  lands whole or not at all.

The rewrite of the kept tables costs their size (distinct identifiers, a fraction of the
events), against label propagation over every set on Spark at each batch
(:func:`parcours.store.identity.resolve_everything`): the same persons (the kept
resolution gives those of a full one; tests/store/test_spark_identity.py checks it on
this engine). An erasure empties the kept tables (:func:`erase`): the next resolution
is a full one.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.config import IDENTIFIERS, Settings
from parcours.store import schema, warehouse_duckdb
from parcours.store.identity_incremental import KEPT, Resolution, Resolver, ensure_tables
from parcours.store.warehouse import STAGING, WarehouseTables, conform

# The warehouse tables a resolution reads on the driver: copied, since it changes them.
COPIED = (*KEPT, "meta", "batches")
# Read only, as views of their files: what the resolution counts.
VIEWED = ("events", "customers")
# What one resolution writes back, in one commit.
WRITTEN = (*KEPT, "meta", "identities")


def resolve(
    con: WarehouseTables, settings: Settings, max_persons: int, *, full: bool
) -> Resolution:
    """Fold the rows of new batches into the kept sets of warehouse ``con`` (an engine
    that reads the rows: Spark) and update them (module doc)."""
    ensure_tables(con)
    catalog = con.catalog
    work = ibis.duckdb.connect()  # the driver's: a plain DuckDB, not the warehouse's views
    spill = warehouse_duckdb.configure(work, catalog, settings)
    folder = catalog.root / STAGING / f"identity-sets-{uuid.uuid4().hex[:8]}"
    run = _SetsFromEngine(work, max_persons, con, folder)
    try:
        work.raw_sql("SET TimeZone = 'UTC'")
        for name in COPIED + VIEWED:
            query = warehouse_duckdb.parts_query(catalog.schema(name), catalog.parts(name))
            kind = "TABLE" if name in COPIED else "VIEW"
            work.raw_sql(f'CREATE {kind} "{name}" AS {query}')
        result = run.execute(full)
        # Nothing folded in (no rows, nothing recomputed): only the batch lines and meta.
        changed = result.rows or result.full is not None
        with catalog.transaction():
            for name in WRITTEN if changed else ("identity_batches", "meta"):
                rows = (
                    work.sql(schema.IDENTITIES_VIEW) if name == "identities" else work.table(name)
                )
                table_schema = catalog.schema(name)
                part = catalog.new_part(name, _writer(work, conform(rows, table_schema)))
                catalog.put(name, table_schema, [] if part is None else [part])
        return result
    finally:
        run.drop_scratch()
        work.disconnect()
        shutil.rmtree(folder, ignore_errors=True)
        warehouse_duckdb.remove_spill(spill, settings)


def _writer(work: Any, expr: ir.Table) -> Callable[[Path], None]:
    """What writes ``expr``'s rows, computed by ``work``, into a new part's folder."""
    return lambda folder: warehouse_duckdb.write_part(work, expr, folder)


def erase(con: WarehouseTables) -> None:
    """Empty the kept tables, which hold an erased person's identifiers, and make the next
    resolution a full one (call it inside the erasure's commit). Parquet files are not
    updated in place: emptied, the files that held the person are removed at the commit."""
    ensure_tables(con)
    for name in KEPT:
        con.truncate_table(name)
    con.delete_rows("meta", lambda t: t.key == "identity_rows")


class _SetsFromEngine(Resolver):
    """A resolution on the driver's DuckDB ``work`` whose rows' sets the warehouse's own
    engine computes (Spark reads the events; the driver only their sets)."""

    def __init__(self, work: Any, max_persons: int, engine: WarehouseTables, folder: Path):
        super().__init__(work, max_persons)
        self.engine = engine
        self.folder = folder

    def sets_of_rows(self, batches: str, everything: bool) -> str:
        wanted = None
        if not everything:
            found = self.con.raw_sql(f"SELECT batch_id FROM {batches}").fetchall()
            wanted = [row[0] for row in found]
        sets = _distinct_sets(self.engine, wanted)
        if wanted == []:  # nothing new: no job
            return warehouse_duckdb.parts_query(sets.schema(), [])
        written = self.folder / uuid.uuid4().hex[:8]  # a full recompute may follow a look
        self.engine._write_part(sets, written)
        return warehouse_duckdb.parts_query(sets.schema(), [written])


def _distinct_sets(con: WarehouseTables, batch_ids: list[str] | None) -> ir.Table:
    """``(<identifiers>, n)``: the distinct identifier sets of the events and CRM rows of
    ``batch_ids`` (None: of every row) and how many rows hold each."""
    rows = []
    for name in ("events", "customers"):
        table = con.table(name)
        if batch_ids is not None:
            table = table.filter(table.batch_id.isin(batch_ids))
        rows.append(table.select(*IDENTIFIERS))
    every = ibis.union(*rows)
    return every.group_by(list(IDENTIFIERS)).aggregate(n=every.count())
