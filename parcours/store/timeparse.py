"""Turn source timestamps into UTC, in the engine.

Aware values (an ISO string with ``Z`` or an offset, a zoned timestamp column) are converted
to UTC. Naive ones are read as wall-clock time in the configured zone (Europe/Paris by
default). Across daylight-saving changes, a wall-clock time that does not exist (02:30 on the
spring-forward night) is moved forward by the gap, and one that occurs twice (02:30 on the
fall-back night) is read as the later, standard-time occurrence: the engine's ICU rules.
A number is read as a time only when its unit is declared (seconds, milliseconds or
microseconds since 1970-01-01 UTC): 1700000000 could be any of them, so it is never guessed.
An unreadable value gives NULL, which the ingestion turns into a rejected row.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

UTC_TS = dt.Timestamp(timezone="UTC")
NAIVE_TS = dt.Timestamp()

# A time of day followed by a zone designator: Z, UTC, +01, +0100 or +01:00.
_AWARE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|UTC|[+-]\d\d(:?\d\d)?)$"


@ibis.udf.scalar.builtin(name="timezone")
def _localize(zone: dt.String(), ts: NAIVE_TS) -> UTC_TS:  # type: ignore[valid-type]
    """DuckDB's timezone(zone, naive) reads a wall-clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime(text: dt.String(), fmt: dt.String()) -> NAIVE_TS:  # type: ignore[valid-type]
    """DuckDB's strptime that yields NULL instead of failing on a bad value."""


@ibis.udf.scalar.builtin(name="to_timestamp")
def _from_epoch(seconds: dt.Float64()) -> UTC_TS:  # type: ignore[valid-type]
    """DuckDB's to_timestamp(seconds since 1970-01-01 UTC)."""


# A unit -> how many of it make a second. Past |MAX_EPOCH_SECONDS| (the year 5138) the engine
# cannot make a timestamp: such a number is unreadable (NULL), not an error.
PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000}
MAX_EPOCH_SECONDS = 1e11
EPOCH_FORMATS = {"epoch_s": "s", "epoch_ms": "ms"}  # timestamp_format spellings of a unit


def to_utc(
    value: ir.Value, zone: str, fmt: str | None = None, unit: str | None = None
) -> ir.TimestampValue:
    """A naive UTC timestamp from a text, timestamp or date column, or from numbers of
    ``unit`` (s, ms, us) since 1970-01-01 UTC. A number without a unit gives NULL."""
    dtype = value.type()
    unit = unit or EPOCH_FORMATS.get(fmt or "")
    if unit is not None:
        number = value.cast("float64") if dtype.is_numeric() else value.cast("string").strip()
        seconds = number.try_cast("float64") / PER_SECOND[unit]
        readable = seconds.notnull() & ~seconds.isnan() & (seconds.abs() < MAX_EPOCH_SECONDS)
        return _from_epoch(ibis.ifelse(readable, seconds, ibis.null("float64"))).cast(NAIVE_TS)
    if dtype.is_timestamp():
        if dtype.timezone is not None:
            return value.cast(NAIVE_TS)  # the session runs in UTC
        return _localize(zone, value).cast(NAIVE_TS)
    if dtype.is_date():
        return _localize(zone, value.cast(NAIVE_TS)).cast(NAIVE_TS)
    if dtype.is_numeric() and not fmt:
        return ibis.null(NAIVE_TS)
    text = value.cast("string").strip()
    if fmt:
        return _localize(zone, _try_strptime(text, fmt)).cast(NAIVE_TS)
    aware = text.re_search(_AWARE)
    return ibis.ifelse(
        aware,
        text.try_cast(UTC_TS),
        _localize(zone, text.try_cast(NAIVE_TS)),
    ).cast(NAIVE_TS)
