"""A warehouse directory: the tables of a ``spark:DIR`` workspace as Parquet files.

    >>> import tempfile, ibis
    >>> catalog = Catalog(tempfile.mkdtemp())
    >>> with catalog.transaction():
    ...     catalog.put("meta", ibis.schema({"key": "string", "value": "string"}), [])
    >>> catalog.names(), catalog.version
    (['meta'], 1)

Layout::

    DIR/_catalog.json        every table: its schema and the parts that hold its rows
    DIR/<table>/<part>/      one write's Parquet files (any engine's: Spark, DuckDB)
    DIR/_staging/<part>/     a part being written, invisible to readers
    DIR/_lock                held by the process that owns the workspace

A write is a **part**: its files go to ``_staging``, the folder is renamed into its
table's folder once complete, and the catalog names it only when the transaction commits
(the new ``_catalog.json`` is written beside the old one, then renamed over it: one atomic
step on a POSIX file system). Until then no reader sees it; a crash leaves parts no catalog
names, removed at the next open. So a batch (its events, rejected rows, batch line and
meta rows) lands whole or not at all, as in a DuckDB transaction. Replacing a table (an
overwrite, a delete) writes its new rows as one part; the parts no longer named are
removed after the commit, those the transaction wrote and replaced itself included.

Delta Lake and Iceberg would give the same guarantees with a transaction log, but their
Spark jars are fetched from Maven when the session starts (``delta-spark``'s wheel holds
the Python API only): nothing is downloaded at run time here, so the format is plain
Parquet and the catalog is this file. DIR must be a file system the driver and the
executors share, where a rename is atomic (a local disk, NFS, a mounted volume; not an
object store addressed by URL).

:class:`WarehouseTables` gives an Ibis backend these tables: its ``table``,
``create_table``, ``insert``, ``drop_table`` and ``list_tables`` go through the catalog;
each engine says how it writes a part and how it shows a table (:mod:`parcours.store.spark`,
:mod:`parcours.store.warehouse_duckdb`).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from parcours.errors import WorkspaceBusyError, WorkspaceError

CATALOG = "_catalog.json"
STAGING = "_staging"
LOCK = "_lock"
FORMAT = 1  # of _catalog.json


class Catalog:
    """The tables of one warehouse directory and its transactions (see module doc).

    One process owns a directory (``_lock``); within it, the backends of one workspace
    share this object, so that an engine sees what another one committed."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = self._hold()
        self._mutex = threading.RLock()
        self._state = self._read()
        self._pending: dict[str, Any] | None = None
        self._depth = 0
        self._written: list[Path] = []  # parts written by the open transaction
        self._listeners: list[Callable[[str], None]] = []
        self._remove_unnamed()

    # -- reading ----------------------------------------------------------------------------

    @property
    def _current(self) -> dict[str, Any]:
        return self._pending if self._pending is not None else self._state

    @property
    def version(self) -> int:
        """The number of commits so far."""
        return int(self._state["version"])

    def names(self) -> list[str]:
        return sorted(self._current["tables"])

    def __contains__(self, name: object) -> bool:
        return name in self._current["tables"]

    def schema(self, name: str) -> ibis.Schema:
        return ibis.schema(self._entry(name)["schema"])

    def parts(self, name: str) -> list[Path]:
        """The folders holding the table's rows, as the open transaction sees them."""
        return [self.root / part for part in self._entry(name)["parts"]]

    def stamp(self, name: str) -> tuple[str, ...]:
        """What a view of the table must be built again for when it changes."""
        entry = self._entry(name)
        return (json.dumps(entry["schema"]), *entry["parts"])

    def _entry(self, name: str) -> dict[str, Any]:
        try:
            entry: dict[str, Any] = self._current["tables"][name]
        except KeyError:
            raise WorkspaceError(
                f"no table '{name}' in the warehouse {self.root}; tables: "
                f"{', '.join(self.names()) or 'none'}"
            ) from None
        return entry

    # -- writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the writes inside into one commit; nested ones join the outer one. On an
        exception (Ctrl-C included) nothing is committed and the parts written go."""
        with self._mutex:
            self._depth += 1
            if self._depth == 1:
                self._pending = copy.deepcopy(self._state)
                self._written = []
            try:
                yield
            except BaseException:
                if self._depth == 1:
                    self._rollback()
                raise
            else:
                if self._depth == 1:
                    self._commit()
            finally:
                self._depth -= 1

    def put(self, name: str, schema: ibis.Schema, parts: list[Path]) -> None:
        """Make table ``name`` hold ``parts`` (made by :meth:`new_part`) with ``schema``."""
        with self.transaction():
            assert self._pending is not None
            self._pending["tables"][name] = {
                "schema": {column: str(dtype) for column, dtype in schema.items()},
                "parts": [str(p.relative_to(self.root)) for p in parts],
            }
        self._notify(name)

    def drop(self, name: str) -> None:
        with self.transaction():
            assert self._pending is not None
            self._pending["tables"].pop(name, None)
        self._notify(name)

    def new_part(self, table: str, write: Callable[[Path], None]) -> Path | None:
        """A new part of ``table``: ``write(folder)`` writes Parquet files into a folder
        that does not exist yet; None when it wrote no Parquet file (no rows)."""
        if self._depth == 0:
            raise WorkspaceError("a part is written inside a transaction (Catalog.transaction)")
        part = uuid.uuid4().hex[:16]
        staging = self.root / STAGING / part
        staging.parent.mkdir(parents=True, exist_ok=True)
        try:
            write(staging)
            if not any(staging.glob("*.parquet")):
                shutil.rmtree(staging, ignore_errors=True)
                return None
            folder = self.root / table / part
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(folder)  # complete, or not there
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._written.append(folder)
        return folder

    def listen(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(table)`` when the rows a reader sees of ``table`` change."""
        self._listeners.append(callback)

    def forget_listener(self, callback: Callable[[str], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(callback)

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None

    # -- inside -----------------------------------------------------------------------------

    def _commit(self) -> None:
        assert self._pending is not None
        if self._pending == self._state:
            self._pending = None
            self._remove_superseded()
            return
        self._pending["version"] = self.version + 1
        text = json.dumps(self._pending, indent=1, sort_keys=True)
        temporary = self.root / f"{CATALOG}.{uuid.uuid4().hex[:8]}"
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.root / CATALOG)  # the commit
        old = self._state
        self._state, self._pending = self._pending, None
        self._remove_unnamed(before=old)
        self._remove_superseded()

    def _remove_superseded(self) -> None:
        """Remove the parts this transaction wrote and replaced before it committed (a
        table written twice in one transaction: its first part is named by no catalog)."""
        named = self._named(self._state)
        for folder in self._written:
            if str(folder.relative_to(self.root)) not in named:
                shutil.rmtree(folder, ignore_errors=True)
        self._written = []

    def _rollback(self) -> None:
        changed = set(self._current["tables"]) | set(self._state["tables"])
        self._pending = None
        for folder in self._written:
            shutil.rmtree(folder, ignore_errors=True)
        self._written = []
        for name in changed:
            self._notify(name)

    def _notify(self, name: str) -> None:
        for callback in list(self._listeners):
            callback(name)

    def _named(self, state: dict[str, Any]) -> set[str]:
        return {part for entry in state["tables"].values() for part in entry["parts"]}

    def _remove_unnamed(self, before: dict[str, Any] | None = None) -> None:
        """Remove the parts the catalog no longer names: after a commit, those of
        ``before`` it replaced; at open, every folder an interrupted write left."""
        named = self._named(self._state)
        if before is not None:
            for part in self._named(before) - named:
                shutil.rmtree(self.root / part, ignore_errors=True)
            return
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.name.startswith("_"):
                continue
            for written in folder.iterdir():
                if str(written.relative_to(self.root)) not in named:
                    shutil.rmtree(written, ignore_errors=True)

    def _read(self) -> dict[str, Any]:
        path = self.root / CATALOG
        if not path.exists():
            if any(p for p in self.root.iterdir() if p.name != LOCK):
                raise WorkspaceError(
                    f"{self.root} is not empty and holds no {CATALOG}: not a parcours "
                    "warehouse; give an empty or new directory"
                )
            return {"format": FORMAT, "version": 0, "tables": {}}
        try:
            state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"{path} cannot be read as a parcours catalog: {exc}") from None
        if state.get("format") != FORMAT:
            raise WorkspaceError(
                f"{path} has catalog format {state.get('format')}; this parcours reads {FORMAT}"
            )
        return state

    def _hold(self) -> Any:
        handle = (self.root / LOCK).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise WorkspaceBusyError(
                f"this workspace is open already ({self.root / LOCK} is held, in this process "
                "or another); close it there first: one process owns a warehouse directory"
            ) from None
        return handle


def conform(expr: ir.Table, schema: ibis.Schema) -> ir.Table:
    """``expr`` as rows of a table of ``schema``: its columns by name when it has only
    columns of the table (the others NULL), else by position; each cast to the table's type."""
    if set(expr.columns) <= set(schema.names):
        values = {n: expr[n] if n in expr.columns else ibis.null() for n in schema.names}
    elif len(expr.columns) == len(schema.names):
        values = dict(zip(schema.names, (expr[c] for c in expr.columns), strict=True))
    else:
        raise WorkspaceError(
            f"cannot write columns {', '.join(expr.columns)} into a table of "
            f"{', '.join(schema.names)}"
        )
    return expr.select(
        **{name: values[name].cast(dtype.copy(nullable=True)) for name, dtype in schema.items()}
    )


class WarehouseTables:
    """Ibis backend methods over a :class:`Catalog`, mixed into an engine's backend.

    The engine gives three hooks: ``_write_part(expr, folder)`` writes an expression's
    rows as Parquet files into a new folder; ``_show(name, schema, parts)`` makes ``name``
    a view of those files (an empty one without parts); ``_create_temp(name, expr)``
    computes a temporary table. Names the catalog does not hold (temporary tables) go to
    the engine as usual."""

    catalog: Catalog

    def _attach(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._shown: dict[str, tuple[str, ...]] = {}
        catalog.listen(self._changed)

    def _detach(self) -> None:
        self.catalog.forget_listener(self._changed)

    def _changed(self, name: str) -> None:
        self._shown.pop(name, None)
        if name in self.catalog:
            self._refresh(name)
        else:
            self._hide(name)

    def _refresh(self, name: str) -> None:
        stamp = self.catalog.stamp(name)
        if self._shown.get(name) != stamp:
            self._show(name, self.catalog.schema(name), self.catalog.parts(name))
            self._shown[name] = stamp

    # hooks -------------------------------------------------------------------------------

    def _write_part(self, expr: ir.Table, folder: Path) -> None:
        raise NotImplementedError

    def _show(self, name: str, schema: ibis.Schema, parts: list[Path]) -> None:
        raise NotImplementedError

    def _hide(self, name: str) -> None:
        raise NotImplementedError

    def _create_temp(self, name: str, expr: ir.Table) -> ir.Table:
        raise NotImplementedError

    # the backend's methods ---------------------------------------------------------------

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """One commit for the writes inside (see :meth:`Catalog.transaction`)."""
        return self.catalog.transaction()

    def list_tables(self, *, like: str | None = None, database: Any = None) -> list[str]:
        names = self.catalog.names()
        return self._filter_with_like(names, like)  # type: ignore[attr-defined]

    def table(self, name: str, /, *, database: Any = None) -> ir.Table:
        if name not in self.catalog:
            return super().table(name, database=database)  # type: ignore[misc]
        self._refresh(name)
        # The catalog's schema (NOT NULL columns included: Parquet readers make every
        # column nullable), without asking the engine.
        return ops.DatabaseTable(
            name, schema=self.catalog.schema(name), source=self, namespace=ops.Namespace()
        ).to_expr()

    def create_table(
        self,
        name: str,
        /,
        obj: Any = None,
        *,
        schema: Any = None,
        database: Any = None,
        temp: bool | None = False,
        overwrite: bool = False,
        **kwargs: Any,
    ) -> ir.Table:
        expr = None if obj is None else obj if isinstance(obj, ir.Table) else ibis.memtable(obj)
        if temp:
            if expr is None:
                expr = ibis.memtable(ibis.schema(schema).to_pyarrow().empty_table())
            return self._create_temp(name, expr)
        if name in self.catalog and not overwrite:
            raise WorkspaceError(f"table '{name}' exists in the warehouse")
        table_schema = ibis.schema(schema) if schema is not None else expr.schema()  # type: ignore[union-attr]
        with self.catalog.transaction():
            parts = [] if expr is None else self._parts_of(name, conform(expr, table_schema))
            self.catalog.put(name, table_schema, parts)
        return self.table(name)

    def insert(
        self, name: str, /, obj: Any, *, database: Any = None, overwrite: bool = False
    ) -> None:
        if name not in self.catalog:
            super().insert(name, obj, database=database, overwrite=overwrite)  # type: ignore[misc]
            return
        expr = obj if isinstance(obj, ir.Table) else ibis.memtable(obj)
        schema = self.catalog.schema(name)
        with self.catalog.transaction():
            new = self._parts_of(name, conform(expr, schema))
            kept = [] if overwrite else self.catalog.parts(name)
            self.catalog.put(name, schema, kept + new)

    def truncate_table(self, name: str, /, *, database: Any = None) -> None:
        self.catalog.put(name, self.catalog.schema(name), [])

    def delete_rows(self, name: str, condition: Callable[[ir.Table], ir.BooleanValue]) -> None:
        """Delete the rows meeting ``condition``: the others are written again as the
        table's one part (Parquet files are not updated in place)."""
        table = self.table(name)
        self.insert(name, table.filter(~condition(table).fill_null(False)), overwrite=True)

    def drop_table(self, name: str, /, *, database: Any = None, force: bool = False) -> None:
        if name in self.catalog:
            self.catalog.drop(name)
            return
        self._drop_temp(name, force)

    def _drop_temp(self, name: str, force: bool) -> None:
        super().drop_table(name, force=force)  # type: ignore[misc]

    def read_arrow(self, name: str) -> pa.Table:
        """A small table's rows, read from its files in this process (no engine job)."""
        schema = self.catalog.schema(name).to_pyarrow()
        files = [f for part in self.catalog.parts(name) for f in sorted(part.glob("*.parquet"))]
        if not files:
            return schema.empty_table()
        return pa.concat_tables(pq.read_table(f).select(schema.names) for f in files).cast(schema)

    def write_arrow(self, name: str, rows: pa.Table) -> None:
        """Replace a small table's rows with ``rows``, written in this process."""

        def write(folder: Path) -> None:
            folder.mkdir(parents=True)
            pq.write_table(rows, folder / "part-0.parquet")

        with self.catalog.transaction():
            part = self.catalog.new_part(name, write)
            self.catalog.put(name, self.catalog.schema(name), [] if part is None else [part])

    def _parts_of(self, name: str, expr: ir.Table) -> list[Path]:
        part = self.catalog.new_part(name, lambda folder: self._write_part(expr, folder))
        return [] if part is None else [part]
