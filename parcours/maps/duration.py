"""Durations as a marketer writes them in a journey map: ``30d``, ``12h``, ``1d12h``.

A journey ends after the map's idle timeout, and goals such as time to convert are spans of
time; both are written in YAML as short strings. Every part carries its unit, so ``30`` alone
is refused: nobody should have to guess whether it meant seconds or days.

>>> parse_duration("1d12h")
datetime.timedelta(days=1, seconds=43200)
>>> format_duration(parse_duration("36h"))
'1d12h'
"""

from __future__ import annotations

import re
from datetime import timedelta

from parcours.errors import InputError

# Largest unit first: format_duration writes parts in this order.
UNITS: dict[str, int] = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}

ALLOWED = "a number followed by s, m, h, d or w, e.g. 30d, 12h, 45m or 1d12h"

_PART = re.compile(r"(\d+)([wdhms])")
_WHOLE = re.compile(r"(?:\d+[wdhms])+")


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``30d``, ``2w``, ``90s`` or ``1d12h`` (units may repeat in any order).

    Raises InputError, saying what is allowed, for anything else (a bare number, a negative or
    zero duration, an unknown unit).

    >>> parse_duration("2w").days
    14
    """
    if not isinstance(text, str):
        raise InputError(f"duration {text!r} is not valid: write {ALLOWED}")
    compact = text.strip().lower()
    if not _WHOLE.fullmatch(compact):
        raise InputError(f"duration {text!r} is not valid: write {ALLOWED}")
    seconds = sum(int(n) * UNITS[unit] for n, unit in _PART.findall(compact))
    if seconds == 0:
        raise InputError(f"duration {text!r} is zero: write {ALLOWED}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Write a positive whole-second duration in the shortest form ``parse_duration`` reads back.

    >>> format_duration(timedelta(days=14))
    '2w'
    >>> format_duration(timedelta(minutes=90))
    '1h30m'
    """
    total = delta.total_seconds()
    if total <= 0 or total != int(total):
        raise InputError(
            f"duration {delta} cannot be written: it must be a positive number of seconds"
        )
    rest = int(total)
    parts = []
    for unit, size in UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
