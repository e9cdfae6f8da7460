"""Ibis' PySpark backend over a warehouse directory (see :mod:`parcours.store.spark`).

Kept apart from :mod:`parcours.store.spark` because importing it imports PySpark, an
optional dependency that a DuckDB workspace never loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends.pyspark import Backend as PySparkBackend
from ibis.backends.pyspark.datatypes import PySparkSchema

from parcours.errors import WorkspaceError
from parcours.store import spark_sql
from parcours.store.warehouse import Catalog, WarehouseTables


class SparkWarehouse(WarehouseTables, PySparkBackend):
    """Ibis' PySpark backend whose tables are a warehouse directory's (see
    :mod:`parcours.store.warehouse`); every other table is a temporary view. Its SQL
    gives DuckDB's answers where the ingest's checks ask (:mod:`parcours.store.spark_sql`)."""

    compiler = spark_sql.compiler

    def do_connect(
        self, session: Any = None, catalog: Catalog | None = None, **kwargs: Any
    ) -> None:
        # Ibis registers ``ibis.options.pyspark`` only when ``ibis.pyspark`` is first read,
        # which parcours never does: without it, compiling a float column fails.
        self.register_options()
        super().do_connect(session, **kwargs)
        self._checkpoints: dict[str, Any] = {}  # temporary tables' rows (see _release)
        # Parquet's standard timestamps (instants in UTC), which DuckDB reads and writes too.
        self._session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        assert catalog is not None
        self._attach(catalog)

    def _write_part(self, expr: ir.Table, folder: Path) -> None:
        self._run_pre_execute_hooks(expr)  # memtables and UDFs
        frame = self._session.sql(self.compile(expr))
        frame.write.mode("errorifexists").parquet(str(folder))

    def _show(self, name: str, schema: ibis.Schema, parts: list[Path]) -> None:
        fields = PySparkSchema.from_ibis(
            ibis.schema({n: t.copy(nullable=True) for n, t in schema.items()})
        )
        if parts:
            frame = self._session.read.schema(fields).parquet(*[str(p) for p in parts])
        else:
            frame = self._session.createDataFrame([], fields)
        frame.createOrReplaceTempView(name)

    def _hide(self, name: str) -> None:
        self._session.catalog.dropTempView(name)

    def _create_temp(self, name: str, expr: ir.Table) -> ir.Table:
        # Computed now, its lineage cut (see parcours.store.engine.materialize).
        self._run_pre_execute_hooks(expr)
        kept = self._session.sql(self.compile(expr)).localCheckpoint()
        self._release(name)  # the table it replaces
        kept.createOrReplaceTempView(name)
        self._checkpoints[name] = kept
        return self.table(name)

    def _drop_temp(self, name: str, force: bool) -> None:
        self._release(name)
        if not self._session.catalog.dropTempView(name) and not force:
            raise WorkspaceError(f"no temporary table '{name}'")

    def _release(self, name: str) -> None:
        """Let a temporary table's rows go from the executors' memory now: a checkpoint's
        blocks stay until the JVM collects its last reference, and an ingest's tables held
        450 MB of a 2g local session's memory at 1M events after it was over."""
        kept = self._checkpoints.pop(name, None)
        if kept is not None:
            kept._jdf.queryExecution().analyzed().rdd().unpersist(False)

    def disconnect(self) -> None:
        """Let the workspace's views go and the directory's lock; the session keeps running."""
        for name in self.catalog.names():
            self._session.catalog.dropTempView(name)
        self._detach()
        self.catalog.close()
