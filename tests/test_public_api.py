"""The public surface of ``import parcours`` is exactly what ``__all__`` says."""

from __future__ import annotations

from types import ModuleType

import parcours

EXPECTED = {
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
}


def test_all_is_exactly_the_public_surface():
    assert set(parcours.__all__) == EXPECTED
    public = {name for name in dir(parcours) if not name.startswith("_")} | {"__version__"}
    # Submodules are importable (and appear here once something imported them) but are not
    # part of the flat surface.
    public -= {name for name in public if isinstance(getattr(parcours, name), ModuleType)}
    assert public == EXPECTED


def test_errors_are_catchable_as_builtins():
    assert issubclass(parcours.InputError, ValueError)
    assert issubclass(parcours.MapError, parcours.InputError)
    assert issubclass(parcours.MappingError, ValueError)


def test_every_analysis_is_a_workspace_method(ws):
    from parcours.analyses import REGISTRY

    for name in REGISTRY:
        assert name in dir(ws)
        assert callable(getattr(ws, name))
