"""What every check of a journey map is built on: a place in the map (``FieldPath``), the
function that turns a message and a place into a located problem (``Locate``), the shape of a
check, and the problem of an id given twice. The checks (:mod:`parcours.maps.checks`,
:mod:`parcours.maps.experience_checks`, :mod:`parcours.maps.opportunity_checks`) import it;
it imports none of them.

    >>> field_path(("touchpoints", 3, "stage"))
    'touchpoints[3].stage'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from parcours.errors import Problem

FieldPath = tuple[str | int, ...]
Locate = Callable[[str, FieldPath], Problem]
Check = Callable[[Mapping[str, Any], Locate], Iterator[Problem]]


def field_path(path: Sequence[str | int]) -> str:
    """``("touchpoints", 3, "stage")`` -> ``touchpoints[3].stage``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def duplicate_id(
    noun: str,
    ident: str,
    path: FieldPath,
    earlier: FieldPath,
    locate: Locate,
    shown: FieldPath | None = None,
) -> Problem:
    """The problem of an id given twice: ``path`` the second, ``earlier`` the first (named
    as ``shown``, by default ``earlier`` itself, with its line)."""
    line = locate("", earlier).line
    where = field_path(earlier if shown is None else shown) + (f", line {line}" if line else "")
    return locate(
        f"duplicate {noun} id '{ident}' (already used by {where}); give each its own "
        f"id, e.g. {ident}_2",
        path,
    )
