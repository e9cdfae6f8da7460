"""The workspace: connection, schema and migrations, ingestion, identity, journeys.

The names below load the engine (Ibis, DuckDB, pandas) on first use: a module of this
package that needs none of it (``parcours.store.status``) stays light to import."""

import typing as _typing

from parcours._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from parcours.store.ingest import IngestReport
    from parcours.store.mapping import ColumnMapping
    from parcours.store.workspace import Store, connect, open

__all__ = ["ColumnMapping", "IngestReport", "Store", "connect", "open"]

_LAZY = {
    "ColumnMapping": "parcours.store.mapping",
    "IngestReport": "parcours.store.ingest",
    "Store": "parcours.store.workspace",
    "connect": "parcours.store.workspace",
    "open": "parcours.store.workspace",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
