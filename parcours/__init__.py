"""parcours: customer journey maps as code, measured against real omnichannel data.

>>> import parcours
>>> ws = parcours.open("parcours.duckdb")                 # doctest: +SKIP
>>> ws.ingest_events("events.csv")                        # doctest: +SKIP
>>> jm = parcours.JourneyMap.load("journey.yaml")         # doctest: +SKIP
>>> ws.journeys(jm).to_pandas()                           # doctest: +SKIP
"""

import typing as _typing

from parcours._lazy import lazy_names as _lazy_names
from parcours.config import Settings
from parcours.errors import (
    InputError,
    MapError,
    MappingError,
    ParcoursError,
    SourceError,
    WorkspaceError,
)

if _typing.TYPE_CHECKING:
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

# Names whose module loads the engine (Ibis, DuckDB, pandas, Pydantic): imported on first
# use, because every `parcours.*` import runs this file, `parcours --help` included.
_LAZY = {
    "ColumnMapping": "parcours.store",
    "IngestReport": "parcours.store",
    "JourneyMap": "parcours.maps",
    "Workspace": "parcours.workspace",
    "open": "parcours.workspace",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
