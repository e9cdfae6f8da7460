"""The workspace: connection, schema and migrations, ingestion, identity, journeys."""

from parcours.store.ingest import IngestReport
from parcours.store.mapping import ColumnMapping
from parcours.store.workspace import Store, connect, open

__all__ = ["ColumnMapping", "IngestReport", "Store", "connect", "open"]
