"""One module per analysis, each a typed function over the journey table returning its own
result type; :data:`ANALYSES` lists them, in the order users meet them.

Everything that lists analyses derives from this one tuple: the CLI commands, the
workspace's methods, the REST routes, the dashboard's navigation and the report's sections.
Modules whose name starts with ``_`` are shared helpers.
"""

from parcours.analyses import (
    attribution,
    channels,
    compare,
    conformance,
    frictions,
    funnel,
    kpis,
    paths,
    personas,
    process,
    retention,
    voice,
)
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.errors import InputError

ANALYSES: tuple[Analysis, ...] = (
    frictions.ANALYSIS,
    kpis.ANALYSIS,
    funnel.ANALYSIS,
    paths.ANALYSIS,
    process.ANALYSIS,
    conformance.ANALYSIS,
    channels.ANALYSIS,
    attribution.ANALYSIS,
    voice.ANALYSIS,
    retention.ANALYSIS,
    personas.ANALYSIS,
    compare.ANALYSIS,
)
REGISTRY: dict[str, Analysis] = {a.name: a for a in ANALYSES}


def get(name: str) -> Analysis:
    """The analysis called ``name``; the error lists those that exist."""
    if name not in REGISTRY:
        raise InputError(f"unknown analysis '{name}'; analyses: {', '.join(REGISTRY)}")
    return REGISTRY[name]


__all__ = ["ANALYSES", "REGISTRY", "Analysis", "Context", "Result", "figure", "get", "table"]
