"""Turn source timestamps into UTC, in the engine.

Aware values (an ISO string with ``Z`` or an offset, a zoned timestamp column) are converted
to UTC. Naive ones are read as wall-clock time in the configured zone (Europe/Paris by
default). Across daylight-saving changes, a wall-clock time that does not exist (02:30 on the
spring-forward night) is moved forward by the gap, and one that occurs twice (02:30 on the
fall-back night) is read as the later, standard-time occurrence: the engine's ICU rules.
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


def to_utc(value: ir.Value, zone: str, fmt: str | None = None) -> ir.TimestampValue:
    """A naive UTC timestamp from a text, timestamp, date or epoch column."""
    dtype = value.type()
    if dtype.is_timestamp():
        if dtype.timezone is not None:
            return value.cast(NAIVE_TS)  # the session runs in UTC
        return _localize(zone, value).cast(NAIVE_TS)
    if dtype.is_date():
        return _localize(zone, value.cast(NAIVE_TS)).cast(NAIVE_TS)
    if dtype.is_numeric() or fmt in ("epoch_s", "epoch_ms"):
        seconds = value.cast("float64")
        if fmt == "epoch_ms":
            seconds = seconds / 1000
        return _from_epoch(seconds).cast(NAIVE_TS)
    text = value.cast("string").strip()
    if fmt:
        return _localize(zone, _try_strptime(text, fmt)).cast(NAIVE_TS)
    aware = text.re_search(_AWARE)
    return ibis.ifelse(
        aware,
        text.try_cast(UTC_TS),
        _localize(zone, text.try_cast(NAIVE_TS)),
    ).cast(NAIVE_TS)
