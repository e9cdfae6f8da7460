"""parcours: customer journey maps as code, measured against real omnichannel data.

>>> import parcours
>>> ws = parcours.open("parcours.duckdb")                 # doctest: +SKIP
>>> ws.ingest_events("events.csv")                        # doctest: +SKIP
>>> jm = parcours.JourneyMap.load("journey.yaml")         # doctest: +SKIP
>>> ws.journeys(jm).to_pandas()                           # doctest: +SKIP
"""

from parcours.config import Settings
from parcours.errors import (
    InputError,
    MapError,
    MappingError,
    ParcoursError,
    SourceError,
    WorkspaceError,
)
from parcours.maps import JourneyMap
from parcours.store import ColumnMapping, IngestReport
from parcours.workspace import Workspace, open

__version__ = "0.1.0"

__all__ = [
    "ColumnMapping",
    "IngestReport",
    "InputError",
    "JourneyMap",
    "MapError",
    "MappingError",
    "ParcoursError",
    "Settings",
    "SourceError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "open",
]
