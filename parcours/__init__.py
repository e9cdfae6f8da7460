"""parcours: customer journey maps as code, measured against real omnichannel data.

>>> import parcours
>>> ws = parcours.open("parcours.duckdb")                 # doctest: +SKIP
>>> ws.ingest_events("events.csv")                        # doctest: +SKIP
>>> jm = parcours.JourneyMap.load("journey.yaml")         # doctest: +SKIP
>>> ws.journeys(jm).to_pandas()                           # doctest: +SKIP
"""

import typing as _typing
from importlib import import_module as _import_module

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


def __getattr__(name: str) -> _typing.Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'parcours' has no attribute '{name}'")
    value = getattr(_import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
