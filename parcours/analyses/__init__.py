"""One module per analysis, each a typed function over the journey table returning its own
result type; :data:`ANALYSES` lists them, in the order users meet them.

Everything that lists analyses derives from this one ordered table: the CLI commands, the
workspace's methods, the REST routes, the dashboard's navigation and the report's sections.
Modules whose name starts with ``_`` are shared helpers.

Naming the analyses imports none of them: an analysis module, and pandas, Ibis or SciPy with
it, loads when its analysis is first looked up (``REGISTRY[name]``, ``ANALYSES``), so that
``parcours --help`` and ``parcours status`` start in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from parcours.errors import InputError

if TYPE_CHECKING:
    from parcours.analyses.base import Context, Result, figure, table
    from parcours.analyses.registry import Analysis

    ANALYSES: tuple[Analysis, ...]

# Each analysis (its module and function are named alike) with the first paragraph of its
# docstring, in the order users meet them: what `parcours --help` lists without importing
# the module. tests/cli/test_fast_start.py keeps each line equal to the docstring.
SUMMARIES: dict[str, str] = {
    "frictions": "Friction points ranked: exits beyond the stage's baseline, bounces, calls for "
    "help, negative feedback.",
    "kpis": "Reach, conversion and exit rate per touchpoint or stage, against the map's goals.",
    "funnel": "Persons reaching each step in order within a conversion window.",
    "paths": "Top paths, Sankey flows step to step, and how often journeys loop, go back or skip.",
    "process": "What follows what: the transitions between touchpoints, their times and the journey variants.",
    "conformance": "How far journeys follow the map's designed flow: fitness and the main "
    "deviations.",
    "channels": "Channel mix per stage, channel switches, ROPO, showrooming, click & collect, "
    "and a multichannel / cross-channel / omnichannel reading.",
    "attribution": "Credit of each channel or touchpoint for conversions and revenue "
    "(multi-touch attribution).",
    "voice": "NPS, CSAT, CES and sentiment per touchpoint and stage; themes; emotion curve.",
    "retention": "Repeat purchases, cohort retention, lifecycle, stickiness, RFM segments and "
    "customer lifetime value.",
    "personas": "Declared personas measured, data-driven personas found by clustering, two "
    "compared.",
    "compare": "Two periods, segments or map versions side by side: conversion, frictions, NPS, "
    "with significance.",
}


class _Registry(Mapping[str, "Analysis"]):
    """Analyses by name, in :data:`SUMMARIES` order; a lookup imports that analysis' module."""

    def __getitem__(self, name: str) -> Analysis:
        if name not in SUMMARIES:
            raise KeyError(name)
        analysis: Analysis = import_module(f"{__name__}.{name}").ANALYSIS
        return analysis

    def __iter__(self) -> Iterator[str]:
        return iter(SUMMARIES)

    def __len__(self) -> int:
        return len(SUMMARIES)


REGISTRY: Mapping[str, Analysis] = _Registry()

# What these names need (pandas, Ibis) loads on first use, like the analyses themselves.
_LAZY = {
    "Context": "parcours.analyses.base",
    "Result": "parcours.analyses.base",
    "figure": "parcours.analyses.base",
    "table": "parcours.analyses.base",
    "Analysis": "parcours.analyses.registry",
}


def __getattr__(name: str) -> Any:
    if name == "ANALYSES":
        value: Any = tuple(REGISTRY.values())
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    globals()[name] = value  # later lookups find it without coming here
    return value


def get(name: str) -> Analysis:
    """The analysis called ``name``; the error lists those that exist."""
    if name not in REGISTRY:
        raise InputError(f"unknown analysis '{name}'; analyses: {', '.join(REGISTRY)}")
    return REGISTRY[name]


__all__ = [
    "ANALYSES",
    "REGISTRY",
    "SUMMARIES",
    "Analysis",
    "Context",
    "Result",
    "figure",
    "get",
    "table",
]
