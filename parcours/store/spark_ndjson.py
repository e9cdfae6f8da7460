"""An NDJSON file on the cluster's storage, read and checked by Spark.

``parcours ingest events s3a://lake/app/2026-12-01.ndjson -w spark:/mnt/parcours``: the
executors read the file where it lies, a line per row, and the ingest's checks run as Spark
jobs, as for a Parquet or CSV file (:mod:`parcours.store.spark_parquet`). The rows,
rejected rows and reasons are DuckDB's; ``tests/store/test_spark_ndjson.py`` ingests the same
files on both engines and compares.

DuckDB gives each key of the file a type read over every line (``sources.JSON_OPTIONS``),
and the ingest works from those types (a property ``2`` stays a number, ``"2"`` a text). A
file is read by Spark when its keys have types Spark reads exactly as DuckDB does: each
key's values, over the whole file, all whole numbers of 64 bits (BIGINT), all numbers
(DOUBLE), all booleans, or all texts (VARCHAR; texts all written as UUIDs are DuckDB's UUID,
which it writes in lower case, and so are they here), nulls aside. Two jobs over its lines
check it (Spark 4's ``parse_json``, which is as strict as DuckDB's reader: no NaN, no
trailing comma, no leading zero, no raw control character, no lone surrogate):

1. every line is one JSON object, in UTF-8, or blank (JSON whitespace: no row, as for
   DuckDB); the lines are numbered (:mod:`parcours.store.spark_lines`);
2. each key's kinds of value, and where it first appears: DuckDB's columns are the keys in
   that order.

The rows are then parsed with those types (``from_json``, FAILFAST: nothing unchecked
passes silently). Any other file is copied beside the driver and read there
(:mod:`parcours.store.spark_files`), where DuckDB's reader and its salvage line by line
name each bad line: a line that is not one object (broken JSON, two objects, an array), a
key whose values are of several kinds (DuckDB's JSON type), nested objects or lists
(DuckDB's STRUCT and LIST), whole numbers over 64 bits, an infinite number, texts that may
all be times (DuckDB's TIME), a key empty or holding a NUL byte, two keys differing only in
case, or keys so many or so rarely present that DuckDB would read the lines as MAPs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parcours.store import spark_files, spark_lines
from parcours.store.sources import JSON_SUFFIXES, OpenedSource
from parcours.store.spark_parquet import POSITION

# DuckDB reads the objects as MAPs (and refuses them as records) with 200 keys or more, or
# when the keys are present in 10% of the lines or fewer on average: far from those bounds.
MAX_KEYS = 150
MIN_PRESENCE = 0.15
BLANK = r"\A[ \t\r]*\z"  # JSON whitespace only: DuckDB skips the line
UUID = r"\A\p{XDigit}{8}-\p{XDigit}{4}-\p{XDigit}{4}-\p{XDigit}{4}-\p{XDigit}{12}\z"
# A text DuckDB may read as a time of day (12:30, 1:02:03.5, not 2024-05-01 12:30): a
# little wider than its rule.
TIME_LIKE = r"\A\s*[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:\.[0-9]*)?)?\s*\z"
# The Spark type of a key whose values (nulls aside) are of these kinds, as DuckDB types it.
TYPES = {
    frozenset(): "string",  # only nulls: DuckDB's JSON, null in every row
    frozenset({"whole"}): "bigint",
    frozenset({"number"}): "double",
    frozenset({"whole", "number"}): "double",
    frozenset({"flag"}): "boolean",
    frozenset({"text"}): "string",
}


def is_ndjson_uri(source: Any) -> bool:
    """Whether ``source`` is a JSON file named by a URI (read by Spark, see module doc)."""
    return spark_files.is_uri(source) and str(source).lower().endswith(JSON_SUFFIXES)


@dataclass(frozen=True)
class NdjsonLayout:
    """What the check of an NDJSON file found, for reading its rows with their numbers."""

    uri: str
    columns: dict[str, str]  # each key's Spark type, in DuckDB's order of the columns
    uuids: frozenset[str]  # keys whose texts are all UUIDs: DuckDB writes them in lower case
    numbering: spark_lines.Numbering

    def read(self, con: Any, source: str, *, delimiter: str | None = None) -> OpenedSource:
        """The file's rows as a temporary view of ``con``'s Spark session, with each row's
        position (from 0). ``delimiter`` is a CSV setting: unused."""
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        session = con._session
        lines = spark_lines.lines(session, self.uri)
        rows = lines.select(self.numbering.line().alias("line"), spark_lines.unmarked()).filter(
            ~F.col("value").rlike(BLANK)
        )
        spark_types = {
            "bigint": T.LongType(),
            "double": T.DoubleType(),
            "boolean": T.BooleanType(),
            "string": T.StringType(),
        }
        schema = T.StructType([T.StructField(k, spark_types[t]) for k, t in self.columns.items()])
        record = F.from_json("value", schema, {"mode": "FAILFAST"})
        position = self.numbering.position(F.col("line"), first=0)
        fields = [
            F.lower(record[key]) if key in self.uuids else record[key] for key in self.columns
        ]
        parsed = rows.select(*fields, position.alias(POSITION))
        return spark_lines.opened(con, parsed.toDF(*self.columns, POSITION), source)


def layout(session: Any, uri: str) -> NdjsonLayout | None:
    """The layout of the NDJSON file ``uri`` when Spark reads it as DuckDB does (see the
    module doc), else None: the file is then read on the driver."""
    from pyspark.sql import functions as F

    if int(session.version.split(".")[0]) < 4:
        return None  # parse_json and is_valid_utf8 are Spark 4's
    spark_files.check_file(session, uri)
    lines = spark_lines.lines(session, uri)
    if not lines.select("value").head(1):
        return None  # an empty file is said so by the driver's reader
    blank = F.col("value").rlike(BLANK)
    # Wrapped in [ ]: a line holding more than one value is no longer JSON.
    one = F.expr("try_variant_get(try_parse_json('[' || value || ']'), '$', 'array<variant>')")
    objects = lines.select("block", "place", spark_lines.unmarked()).select("*", one.alias("one"))
    alone = (F.size("one") == 1) & F.expr("schema_of_variant(one[0])").startswith("OBJECT<")
    bad = ~blank & (~F.expr("is_valid_utf8(value)") | ~F.coalesce(alone, F.lit(False)))
    numbering = spark_lines.numbering(objects, bad, blank)
    if numbering is None:
        return None
    keys = _keys(objects.filter(~blank))
    rows = numbering.count - len(numbering.blank_lines)
    columns, uuids = {}, set()
    for key in keys:
        kinds = frozenset(key.kinds) - {"null"}
        if kinds not in TYPES or key.infinite or (key.texts and key.times == key.texts):
            return None
        columns[key.name] = TYPES[kinds]
        if key.texts and key.uuids == key.texts:
            uuids.add(key.name)
    names = list(columns)
    lowered = {name.lower() for name in names}
    if (
        not names
        or len(names) > MAX_KEYS
        or sum(key.present for key in keys) < MIN_PRESENCE * len(names) * rows
        or any(not name or "\x00" in name for name in names)
        or len(lowered) < len(names)  # DuckDB tells them apart as Event_1: read there
        or POSITION in lowered
    ):
        return None
    return NdjsonLayout(uri, columns, frozenset(uuids), numbering)


@dataclass
class _Key:
    """What the values of one key are, over the whole file."""

    name: str
    first: tuple[int, int] = (1 << 62, 0)  # (block, place and position in the line)
    present: int = 0  # lines holding it
    kinds: set[str] = field(default_factory=set)
    texts: int = 0
    uuids: int = 0  # texts written as UUIDs
    times: int = 0  # texts like a time of day
    infinite: int = 0  # numbers


# Where a key is in its line, kept below 2^10 (a file with more than MAX_KEYS keys is read on
# the driver anyway).
_POSITION_BITS = 10


def _keys(objects: Any) -> list[_Key]:
    """Per key of the objects (the lines ``value``, each one JSON object), in the order they
    first appear: how often it is there, the kinds of its values, how many texts, how many
    UUIDs, how many like a time of day, how many infinite numbers. The key-value pairs are
    counted by key, kind, those tests and block: a few rows per key to collect."""
    from pyspark.sql import functions as F

    # A map keeps the keys in the line's order (a variant object sorts them).
    pairs = objects.select(
        "block",
        "place",
        F.posexplode(F.map_entries(F.from_json("value", "map<string, variant>"))),
    ).select("block", "place", "pos", "col.key", "col.value")
    pairs = pairs.withColumn("kind", _kind(F.expr("schema_of_variant(value)")))
    text = F.when(F.col("kind") == "text", F.expr("try_variant_get(value, '$', 'string')"))
    number = F.when(F.col("kind") == "number", F.expr("try_variant_get(value, '$', 'double')"))
    place = F.col("place") * (1 << _POSITION_BITS) + F.least(
        "pos", F.lit((1 << _POSITION_BITS) - 1)
    )
    counted = (
        pairs.select(
            "key",
            "kind",
            "block",
            place.alias("place"),
            F.coalesce(text.rlike(UUID), F.lit(False)).alias("uuid"),
            F.coalesce(text.rlike(TIME_LIKE), F.lit(False)).alias("time"),
            F.coalesce(F.abs(number) == float("inf"), F.lit(False)).alias("infinite"),
        )
        .groupBy("key", "kind", "uuid", "time", "infinite", "block")
        .agg(F.count("*").alias("n"), F.min("place").alias("first"))
        .collect()
    )
    keys: dict[str, _Key] = {}
    for row in counted:
        key = keys.setdefault(row.key, _Key(row.key))
        key.first = min(key.first, (int(row.block), int(row.first)))
        key.present += row.n
        key.kinds.add(row.kind)
        key.texts += row.n if row.kind == "text" else 0
        key.uuids += row.n if row.uuid else 0
        key.times += row.n if row.time else 0
        key.infinite += row.n if row.infinite else 0
    return sorted(keys.values(), key=lambda key: key.first)


def _kind(variant_type: Any) -> Any:
    """The kind of a value, from the name of its variant type (``schema_of_variant``): a
    whole number of 64 bits is a BIGINT (or smaller); a DECIMAL of scale 0 is a number
    written with a point (1.0) when it has at most 18 digits, else maybe one over 64 bits.
    (No regular expression: this runs for every value of the file.)"""
    from pyspark.sql import functions as F

    whole_decimal = variant_type.startswith("DECIMAL(") & variant_type.endswith(",0)")
    # DECIMAL(19,0) to DECIMAL(38,0): as long as DECIMAL(10,0), and after it in text order.
    huge = whole_decimal & (F.length(variant_type) == 13) & (variant_type >= "DECIMAL(19,0)")
    return (
        F.when(variant_type == "STRING", "text")
        .when(variant_type == "VOID", "null")
        .when(variant_type.isin("BIGINT", "INT", "SMALLINT", "TINYINT"), "whole")
        .when(huge, "huge")
        .when(variant_type.isin("DOUBLE", "FLOAT") | variant_type.startswith("DECIMAL("), "number")
        .when(variant_type == "BOOLEAN", "flag")
        .otherwise("other")
    )
