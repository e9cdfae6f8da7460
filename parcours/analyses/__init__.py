"""One module per analysis, each a typed function over the journey table returning a Result.

Importing this package imports every module in it, and each module registers its analysis
in :data:`REGISTRY` (modules whose name starts with ``_`` are shared helpers).
"""

import importlib
import pkgutil

from parcours.analyses.base import Context, Result
from parcours.analyses.registry import REGISTRY, Analysis, analysis, get

_FRAMEWORK = {"base", "registry"}

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.name not in _FRAMEWORK and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "Analysis", "Context", "Result", "analysis", "get"]
