"""Validation of a journey map, with every problem located at its YAML line.

A marketer who mistypes a stage id should read one line that says where (file, line, field),
what is wrong and what is allowed, and should see every problem at once rather than one per
attempt. The checks themselves live in :mod:`parcours.maps.checks`; these are the entry
points, also reached as ``JourneyMap.load`` and ``JourneyMap.loads``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcours.errors import Problem
from parcours.maps.checks import CHECKS, problems_in
from parcours.maps.model import JourneyMap

__all__ = ["CHECKS", "find_problems", "validate_data", "validate_file", "validate_text"]


def find_problems(data: Any, file: str | None = None) -> list[Problem]:
    """Every problem in a map given as data (a ruamel document gives line numbers)."""
    return problems_in(data, file, JourneyMap)[0]


def validate_data(data: Any, file: str | None = None) -> JourneyMap:
    """The map, or one MapError carrying every problem found."""
    return JourneyMap.from_data(data, file)


def validate_text(text: str, source: str = "<string>") -> JourneyMap:
    """Parse and validate YAML text; the map keeps its document so that ``dumps`` round-trips."""
    return JourneyMap.loads(text, source)


def validate_file(path: str | Path) -> JourneyMap:
    """Read, parse and validate a map file."""
    return JourneyMap.load(path)
