"""An XES event log on the cluster's storage, read and checked by Spark.

``parcours ingest events s3a://lake/bpm/loans.xes.gz -w spark:/mnt/parcours``: the executors
read the log where it lies, and the ingest's checks run as Spark jobs, as for a Parquet,
CSV or NDJSON file. The rows are those of the driver's reader (:func:`parcours.store.xes.
read_xes`): one per event, of text values, the trace's attributes first (their keys
prefixed ``case:``), then the event's, the columns in the order they first appear;
``tests/store/test_spark_xes.py`` ingests the same logs both ways and compares.

The file is read as records that each end with ``</trace>`` (Spark's text reader with that
separator: a trace is read whole by one task, wherever it lies in the file). Each record is
the blank (or, first, the log's header) before a ``<trace>`` element, which Spark's
``xpath`` (Java's XML parser) reads: its attributes' keys and values in document order,
the events among them. Two jobs check the file:

1. the log is well formed around its traces: a header that is UTF-8 XML 1.0 and holds no
   event, blanks only between the traces, ``</log>`` last; and each trace is as the
   driver's reader reads it (see below). The events are counted, per block of the file:
   each event's position is the events before its trace plus its place in it;
2. the keys, in the order they first appear: the columns.

A log whose traces hold anything else is copied beside the driver and read there
(:mod:`parcours.store.spark_files`), with the same rows or the same error: nested
attributes (lists, containers, an attribute inside another), an attribute without a key
or a value, an element of another kind or namespace, a trace's attribute after its first
event, a key twice in a row, comments, CDATA and processing instructions inside a trace,
an XML encoding other than UTF-8, bytes that are not UTF-8, more than MAX_COLUMNS keys,
two keys differing only in case, or a trace that is not XML (said by the driver with its
line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcours.store import spark_files, spark_lines
from parcours.store.sources import XES_SUFFIXES, OpenedSource
from parcours.store.spark_parquet import POSITION
from parcours.store.xes import VALUE_TAGS

MAX_COLUMNS = 1000  # keys collected by the check; a log with more is read on the driver
END = "</trace>"  # what ends a record
_VALUE = " or ".join(f"self::{tag}" for tag in VALUE_TAGS)
_TRACE = "/trace/*[not(self::event)]"  # a trace's attributes
_EVENT = "/trace/event/*"  # its events' attributes
# The keys (values) of the trace's attributes, then each event (a null: an element has no
# value of its own) followed by the keys (values) of its attributes, in document order.
_KEYS = f"{_TRACE}/@key | /trace/event | {_EVENT}/@key"
_VALUES = f"{_TRACE}/@value | /trace/event | {_EVENT}/@value"
# What the driver reads otherwise than the above: elements that are no attribute, nested
# attributes, attributes without key or value, a trace's attribute after an event.
_ODD = " | ".join(
    (
        f"{_TRACE}[not({_VALUE})]",
        f"{_EVENT}[not({_VALUE})]",
        f"{_TRACE}/*",
        f"{_EVENT}/*",
        f"{_TRACE}[not(@key) or not(@value)]",
        f"{_EVENT}[not(@key) or not(@value)]",
        "/trace/event[1]/following-sibling::*[not(self::event)]",
    )
)
# Inside a trace: comments, CDATA, processing instructions, namespaces (a declaration, a
# prefixed name: Spark's parser reads no namespace).
_UNREAD = r"<[!?]|xmlns|</?[^\s/>=]*:"
# The XML declaration Java's parser and the driver's read alike: XML 1.0 in UTF-8.
_DECLARATION = (
    r"\A(?:<\?xml\s+version\s*=\s*(['\"])1\.0\1"
    r"(?:\s+encoding\s*=\s*(['\"])(?i:utf-8)\2)?"
    r"(?:\s+standalone\s*=\s*(['\"])(?:yes|no)\3)?\s*\?>|(?!<\?xml))"
)


def is_xes_uri(source: Any) -> bool:
    """Whether ``source`` is an XES log named by a URI (read by Spark, see module doc)."""
    return spark_files.is_uri(source) and str(source).lower().endswith(XES_SUFFIXES)


@dataclass(frozen=True)
class XesLayout:
    """What the check of an XES log found, for reading its events with their positions."""

    uri: str
    columns: list[str]  # in the order they first appear, as the driver's reader orders them
    events_before: dict[int, int]  # per block of the file (its start): the events before it

    def read(self, con: Any, source: str, *, delimiter: str | None = None) -> OpenedSource:
        """The log's events as a temporary view of ``con``'s Spark session, with each
        event's position (from 0). ``delimiter`` is a CSV setting: unused."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        traces = _with_events(_traces(con._session, self.uri).filter("start > 0"))
        earlier = (
            Window.partitionBy("block").orderBy("place").rowsBetween(Window.unboundedPreceding, -1)
        )
        before = F.create_map(*(F.lit(v) for kv in self.events_before.items() for v in kv))
        first = F.element_at(before, F.col("block")) + F.coalesce(
            F.sum(F.size("events")).over(earlier), F.lit(0)
        )
        # _outer: for posexplode, Spark adds a filter (events not empty) that it moves before
        # the columns it uses, each then computed inline: the trace parsed once per event.
        # Two steps: in one, Spark would sum over the exploded rows.
        events = (
            traces.select(first.alias("first"), "events")
            .select("first", F.posexplode_outer("events").alias("pos", "pairs"))
            .filter(F.col("pos").isNotNull())
        )
        row = events.select(
            (F.col("first") + F.col("pos")).alias(POSITION),
            F.map_from_entries("pairs").alias("row"),
        )
        fields = [F.try_element_at("row", F.lit(key)) for key in self.columns]
        parsed = row.select(*fields, POSITION).toDF(*self.columns, POSITION)
        return spark_lines.opened(con, parsed, source)


def layout(session: Any, uri: str) -> XesLayout | None:
    """The layout of the XES log ``uri`` when Spark reads it as the driver does (see the
    module doc), else None: the log is then read on the driver."""
    from py4j.protocol import Py4JJavaError

    if int(session.version.split(".")[0]) < 4:
        return None  # try_element_at, is_valid_utf8 are Spark 4's
    spark_files.check_file(session, uri)
    try:
        return _checked(session, uri)
    except Py4JJavaError as error:
        if "UDFXPathUtil" in str(error):
            return None  # a trace Java's XML parser cannot read: the driver says where
        raise


def _checked(session: Any, uri: str) -> XesLayout | None:
    from pyspark.sql import functions as F

    traces = _with_events(_traces(session, uri))
    first = (F.col("block") == 0) & (F.col("place") == 0)
    has_trace = F.col("start") > 0
    head_ok = F.when(
        first,
        F.col("head").rlike(_DECLARATION)
        & (
            F.expr(
                "xpath_int(head || '</log>', "
                '\'count(//*[local-name() = "event" or local-name() = "trace"])\')'
            )
            == 0
        ),
    ).otherwise(F.col("head").rlike(r"\A\s*\z"))
    events = F.col("events")
    trace_ok = (
        head_ok
        & ~F.col("trace").rlike(_UNREAD)
        & (F.expr(f"xpath_int(trace, 'count({_ODD})')") == 0)
        & ~F.exists(events, lambda pairs: F.size(F.array_distinct(pairs.k)) < F.size(pairs))
    )
    tail = ~has_trace & F.col("value").rlike(r"\A\s*</log>\s*\z")
    ok = F.expr("is_valid_utf8(value)") & F.when(has_trace, trace_ok).otherwise(tail)
    checked = traces.select(
        "block",
        "place",
        ok.alias("ok"),
        tail.alias("tail"),
        F.when(has_trace, F.size(events)).otherwise(0).alias("events"),
    )
    blocks = (
        checked.groupBy("block")
        .agg(
            F.sum((~F.col("ok")).cast("int")).alias("bad"),
            F.sum(F.col("tail").cast("int")).alias("tails"),
            F.max("place").alias("last"),
            F.max(F.when(F.col("tail"), F.col("place"))).alias("tail_place"),
            F.sum("events").alias("events"),
        )
        .orderBy("block")
        .collect()
    )
    if not blocks or any(b.bad for b in blocks) or sum(b.tails for b in blocks) != 1:
        return None
    if blocks[-1].tail_place != blocks[-1].last:
        return None  # </log> is not last
    events_before, seen = {}, 0
    for b in blocks:
        events_before[int(b.block)] = seen
        seen += int(b.events)
    if not seen:
        return None  # the driver's reader says the log holds no event
    columns = _columns(traces.filter(has_trace))
    lowered = {name.lower() for name in columns or []}
    if (
        columns is None
        or len(lowered) < len(columns)  # told apart by the driver's reader only
        or "" in lowered
        or POSITION in lowered
    ):
        return None
    return XesLayout(uri, columns, events_before)


def _traces(session: Any, uri: str) -> Any:
    """The file's records (each ending with ``</trace>``), each with its block, its place,
    where its ``<trace`` starts (0: none), the text before it (``head``) and the trace."""
    from pyspark.sql import functions as F

    records = spark_lines.lines(session, uri, END)
    records = records.select("block", "place", spark_lines.unmarked())
    located = records.select("*", F.locate("<trace", "value").alias("start"))
    return located.select(
        "*",
        F.when(F.col("start") > 0, F.expr("substring(value, 1, start - 1)"))
        .otherwise(F.col("value"))
        .alias("head"),
        F.when(F.col("start") > 0, F.concat(F.expr("substring(value, start)"), F.lit(END))).alias(
            "trace"
        ),
    )


def _with_events(traces: Any) -> Any:
    """``traces`` with the events of each record's trace (``events``), each as its row's
    (k, v) pairs: the trace's attributes (keys prefixed ``case:``), then the event's. One
    step per column: a lambda would compute again, for each event, a column it names."""
    from pyspark.sql import functions as F

    pairs = F.expr(f"arrays_zip(xpath(trace, '{_KEYS}'), xpath(trace, '{_VALUES}'))")
    named = F.transform(pairs, lambda p: F.struct(p["0"].alias("k"), p["1"].alias("v")))
    # Where each event is among the pairs (its element has no key), from 0.
    marks = F.filter(
        F.transform("pairs", lambda p, i: F.when(p.k.isNull(), i).otherwise(-1)), lambda i: i >= 0
    )
    ahead = F.coalesce(F.try_element_at("marks", F.lit(1)), F.size("pairs"))
    case = F.transform(
        F.slice("pairs", F.lit(1), ahead),
        lambda p: F.struct(F.concat(F.lit("case:"), p.k).alias("k"), p.v.alias("v")),
    )

    def event(mark: Any, j: Any) -> Any:
        end = F.coalesce(F.try_element_at("marks", j + 2), F.size("pairs"))
        return F.concat("case", F.slice("pairs", mark + 2, end - mark - 1))

    return (
        traces.withColumn("pairs", named)
        .withColumn("marks", marks)
        .withColumn("case", case)
        .withColumn("events", F.transform("marks", event))
        .drop("pairs", "marks", "case")
    )


def _columns(traces: Any) -> list[str] | None:
    """The keys of the events of ``traces`` (from :func:`_with_events`) in the order they
    first appear (by event, then place in it), as pandas orders rows' keys; None when
    there are more than MAX_COLUMNS."""
    from pyspark.sql import functions as F

    # Each trace's keys in the order they first appear in it: a few per trace to group.
    keys = F.array_distinct(F.flatten(F.transform("events", lambda pairs: pairs.k)))
    found = (
        traces.select("block", "place", F.posexplode_outer(keys).alias("at", "key"))
        .filter(F.col("key").isNotNull())  # _outer: see XesLayout.read
        .groupBy("key")
        .agg(F.min(F.struct("block", "place", "at")).alias("first"))
        .limit(MAX_COLUMNS + 1)
        .collect()
    )
    if len(found) > MAX_COLUMNS:
        return None
    return [row.key for row in sorted(found, key=lambda row: tuple(row.first))]
