"""Ingestion into a ``spark:DIR`` workspace: the DuckDB pipeline, writing the warehouse.

An ingest reads, validates, judges and stores its source with
:func:`parcours.store.ingest.ingest` as on a DuckDB workspace: the same readers (CSV,
Parquet, NDJSON, XES, a DataFrame; a broken text file read line by line), the same checks,
``rejected`` rows and reasons, the same dedupe on ``event_id``. It runs on an in-memory
DuckDB beside the Spark session (the driver), streaming its source in bounded memory
(``Settings.memory_limit``, spilling under the warehouse's ``_staging``), and whose
workspace tables are the warehouse's: each a view of its Parquet files, each write a new
part (:mod:`parcours.store.warehouse`). The ingest's writes (new rows, rejected rows, the
batch line, phone numbers, meta) are one transaction of the catalog: the batch lands whole
or not at all, and Spark reads it as soon as it is committed.

A Parquet file on the cluster's storage is Spark's work instead
(:mod:`parcours.store.spark_parquet`), and so are a CSV file there whose every line is a
whole record (:mod:`parcours.store.spark_csv`), an NDJSON file of flat objects
(:mod:`parcours.store.spark_ndjson`) and an XES log of flat attributes
(:mod:`parcours.store.spark_xes`). Other text files stay here: DuckDB reads a broken
file again line by line, setting each bad line aside with its number
(:mod:`parcours.store.salvage`), a judgement that follows the lines in order; it types
nested and mixed NDJSON values as Spark does not; and nested XES attributes are read here. What runs here is one process's work,
bounded in memory: a file that one machine reads.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend
from ibis.backends.sql.datatypes import DuckDBType

from parcours.config import Settings
from parcours.store.warehouse import STAGING, Catalog, WarehouseTables

UTC_TS = dt.Timestamp(timezone="UTC")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_part(con: DuckDBBackend, expr: ir.Table, folder: Path) -> None:
    """Write ``expr``'s rows, computed by the DuckDB ``con``, as a part's Parquet file into
    the new ``folder`` (none without rows: see :meth:`Catalog.new_part`)."""
    folder.mkdir(parents=True)
    instants = {
        name: expr[name].cast(UTC_TS)
        for name, dtype in expr.schema().items()
        if dtype.is_timestamp() and dtype.timezone is None
    }
    expr = expr.mutate(**instants) if instants else expr
    con._run_pre_execute_hooks(expr)  # memtables
    file = folder / "part-0.parquet"
    written = con.raw_sql(f"COPY ({con.compile(expr)}) TO {_quoted(str(file))} (FORMAT parquet)")
    if not written.fetchone()[0]:  # no rows: no part (see Catalog.new_part)
        file.unlink()


def parts_query(schema: ibis.Schema, parts: list[Path]) -> str:
    """DuckDB's query of a warehouse table's rows: its ``parts``' files, typed as ``schema``."""
    columns = ", ".join(
        f'CAST("{column}" AS {DuckDBType.to_string(dtype)}) AS "{column}"'
        for column, dtype in schema.items()
    )
    files = [str(f) for part in parts for f in sorted(part.glob("*.parquet"))]
    if files:
        listed = ", ".join(_quoted(f) for f in files)
        # By name: a part written before a migration added a column has it NULL.
        return f"SELECT {columns} FROM read_parquet([{listed}], union_by_name = true)"
    nulls = ", ".join(
        f'CAST(NULL AS {DuckDBType.to_string(dtype)}) AS "{column}"'
        for column, dtype in schema.items()
    )
    return f"SELECT {nulls} WHERE false"


class DuckDBWarehouse(WarehouseTables, DuckDBBackend):
    """Ibis' DuckDB backend (in memory) whose workspace tables are a warehouse's."""

    def do_connect(self, catalog: Catalog | None = None, **config: Any) -> None:
        super().do_connect(":memory:", **config)
        # Times are written as instants in UTC (as Spark writes them) and read back naive.
        self.raw_sql("SET TimeZone = 'UTC'")
        assert catalog is not None
        self._attach(catalog)
        for name in catalog.names():  # raw SQL reads them by name (schema.read_meta)
            self._refresh(name)

    def _write_part(self, expr: ir.Table, folder: Path) -> None:
        write_part(self, expr, folder)

    def _show(self, name: str, schema: ibis.Schema, parts: list[Path]) -> None:
        self.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {parts_query(schema, parts)}')

    def _hide(self, name: str) -> None:
        self.raw_sql(f'DROP VIEW IF EXISTS "{name}"')

    def _create_temp(self, name: str, expr: ir.Table) -> ir.Table:
        table: ir.Table = DuckDBBackend.create_table(self, name, expr, temp=True, overwrite=True)
        return table

    def disconnect(self) -> None:
        """Close this DuckDB; the catalog stays with the workspace that owns it."""
        self._detach()
        super().disconnect()


def connect(catalog: Catalog, settings: Settings) -> tuple[DuckDBWarehouse, Path]:
    """An in-memory DuckDB over ``catalog``'s tables, with the memory, threads and spill
    folder of ``settings``; and the spill folder to remove once done."""
    con: DuckDBWarehouse = DuckDBWarehouse().connect(catalog=catalog)
    return con, configure(con, catalog, settings)


def configure(con: DuckDBBackend, catalog: Catalog, settings: Settings) -> Path:
    """Give the in-memory DuckDB ``con`` the memory, threads and spill folder of
    ``settings`` (a folder of its own under the warehouse's ``_staging`` unless
    ``temp_directory`` is set); the spill folder."""
    spill = (
        Path(settings.temp_directory)
        if settings.temp_directory
        else catalog.root / STAGING / f"spill-{uuid.uuid4().hex[:8]}"
    )
    con.raw_sql(f"SET memory_limit = {_quoted(settings.memory_limit)}")
    if settings.threads is not None:
        con.raw_sql(f"SET threads = {int(settings.threads)}")
    con.raw_sql(f"SET temp_directory = {_quoted(str(spill))}")
    con.raw_sql("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    return spill


def remove_spill(spill: Path, settings: Settings) -> None:
    if not settings.temp_directory:  # a folder of its own: the user's is left alone
        shutil.rmtree(spill, ignore_errors=True)
