"""The workspace: connection, schema and migrations, ingestion, identity, journeys.

The names below load the engine (Ibis, DuckDB, pandas) on first use: a module of this
package that needs none of it (``parcours.store.status``) stays light to import."""

import typing as _typing
from importlib import import_module as _import_module

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


def __getattr__(name: str) -> _typing.Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'parcours.store' has no attribute '{name}'")
    value = getattr(_import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
