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

# A French reader writes a day "j" (jour): read as "d", never written.
_READ = {**UNITS, "j": UNITS["d"]}
_PART = re.compile(r"(\d+)([wdjhms])")
_WHOLE = re.compile(r"(?:\d+[wdjhms])+")

# Longer than any journey, window or result age means a typing slip; past it, a date plus the
# duration would leave the calendar (Python's and the engines').
LONGEST = timedelta(days=36525)


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``30d``, ``2w``, ``90s`` or ``1d12h`` (units may repeat in any order).

    Raises InputError, saying what is allowed, for anything else (a bare number, a negative or
    zero duration, an unknown unit, more than 100 years).

    >>> parse_duration("2w").days
    14
    >>> parse_duration("30j") == parse_duration("30d")
    True
    """
    if not isinstance(text, str):
        raise InputError(f"duration {text!r} is not valid: write {ALLOWED}")
    compact = text.strip().lower()
    if not _WHOLE.fullmatch(compact):
        raise InputError(f"duration {text!r} is not valid: write {ALLOWED}")
    seconds = sum(int(n) * _READ[unit] for n, unit in _PART.findall(compact))
    if seconds == 0:
        raise InputError(f"duration {text!r} is zero: write {ALLOWED}")
    if seconds > LONGEST.total_seconds():
        raise InputError(f"duration {text!r} is longer than 100 years (36525d): write {ALLOWED}")
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


def duration_for(text: str, lang: str) -> str:
    """A duration as a reader of ``lang`` writes it, read back the same: in French, days
    in "j" and weeks as days (``2w`` -> ``14j``); any other text as it is.

    >>> duration_for("1d12h", "fr"), duration_for("2w", "fr"), duration_for("2w", "en")
    ('1j12h', '14j', '2w')
    """
    compact = text.strip().lower()
    if lang != "fr" or not _WHOLE.fullmatch(compact):
        return text
    found = _PART.findall(compact)
    days = sum(int(n) * _READ[unit] // UNITS["d"] for n, unit in found if unit in "wdj")
    rest = "".join(n + unit for n, unit in found if unit not in "wdj")
    return (f"{days}j" if days else "") + rest
