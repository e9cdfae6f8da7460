"""The workspace: connection, schema and migrations, ingestion, identity, journeys."""

from parcours.store.ingest import IngestReport
from parcours.store.mapping import ColumnMapping
from parcours.store.workspace import Workspace, open

__all__ = ["ColumnMapping", "IngestReport", "Workspace", "open"]
