"""Read an XES event log (the process-mining exchange format, IEEE 1849) into a table, and
write the journey table as one.

Reading: one row per event. Trace attributes become columns prefixed ``case:`` and event attributes
keep their keys, as pm4py names them (``case:concept:name``, ``concept:name``,
``time:timestamp``, ``lifecycle:transition``, ...), so one mapping fits both the XES file and
a CSV exported from it. The file is parsed incrementally and each finished trace is freed.

Writing (:func:`write_xes`): one trace per case (a person, the default, or a journey), its
events in the journey table's order (time, then order of arrival). Each event's
``concept:name`` is its touchpoint, stage, channel or event name (``level``), the others
are kept as attributes (``event``, ``touchpoint``, ``stage``, ``channel``, ``journey``,
``parcours:event_id``), with ``time:timestamp`` and ``revenue``, and its properties as
string attributes (the lifecycle of a log read from XES comes back). pm4py reads the file
back with the same directly-follows graph as ``parcours process`` with the same case and
level and ``unmapped`` kept (``tests/analyses/test_process.py``). The file is written in batches;
a ``.gz`` name is gzipped.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from datetime import datetime
from io import BufferedIOBase
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import quoteattr

import ibis.expr.types as ir
import pandas as pd

from parcours.errors import InputError, SourceError

# The elements of an attribute (its key and value); lists and containers hold these.
VALUE_TAGS = ("string", "date", "int", "float", "boolean", "id")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xes(path: str | Path) -> pd.DataFrame:
    """Events of an XES log (plain or gzipped) as a DataFrame of text values.

    Values stay text (timestamps keep their ISO offset): parsing is the ingestion's job,
    so that a bad value rejects one row with its reason instead of failing the file.
    """
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    rows: list[dict[str, str]] = []
    try:
        with opener(path, "rb") as handle:
            rows = _parse(handle)
    except (OSError, SyntaxError) as exc:
        raise SourceError(f"{path}: not a readable XES file: {exc}") from None
    if not rows:
        raise SourceError(f"{path}: the XES log holds no event")
    return pd.DataFrame(rows)


def _parse(handle: BufferedIOBase) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    trace: dict[str, str] = {}
    event: dict[str, str] | None = None
    for action, elem in iterparse(handle, events=("start", "end")):
        tag = _local(elem.tag)
        if action == "start":
            if tag == "trace":
                trace = {}
            elif tag == "event":
                event = {}
            continue
        if tag in VALUE_TAGS and "key" in elem.attrib:
            key, value = elem.attrib["key"], elem.attrib.get("value", "")
            if event is not None:
                event[key] = value
            else:  # log-level attributes are overwritten when the next trace starts
                trace[f"case:{key}"] = value
        elif tag == "event" and event is not None:
            # Trace attributes come before the events in XES, so they are known here.
            rows.append({**trace, **event})
            event = None
            elem.clear()
        elif tag == "trace":
            elem.clear()
    return rows


# -- writing --------------------------------------------------------------------------------

XES_CASES = ("person", "journey")
XES_LEVELS = ("touchpoint", "stage", "channel", "event")
_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace"><string key="concept:name" value=""/></global>
  <global scope="event">
    <string key="concept:name" value=""/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value={name}/>
"""
# Attributes of each event from the journey table's columns, after concept:name.
_COLUMNS = ("event", "touchpoint", "stage", "channel", "journey_id", "event_id")
_NAMES = {"journey_id": "journey", "event_id": "parcours:event_id"}


def write_xes(
    journeys: ir.Table,
    path: str | Path,
    *,
    case: str = "person",
    level: str = "touchpoint",
    name: str = "parcours",
) -> int:
    """Write the journey table as an XES log at ``path``; return the number of events.

    case: person or journey, what a trace is. level: what an event's concept:name is
    (touchpoint, stage, channel or event name; a stage-less event's stage is ``unmapped``).
    """
    if case not in XES_CASES:
        raise InputError(f"XES export: case '{case}' is not known; allowed: {', '.join(XES_CASES)}")
    if level not in XES_LEVELS:
        raise InputError(
            f"XES export: level '{level}' is not known; allowed: {', '.join(XES_LEVELS)}"
        )
    t = journeys
    activity = t[level].fill_null("unmapped") if level == "stage" else t[level]
    t = t.select(
        "ts", "revenue", "properties", "journey_seq", "step", *_COLUMNS,
        case_id=t.person_id if case == "person" else t.journey_id,
        activity=activity,
    )  # fmt: skip
    t = t.order_by(["case_id", "journey_seq", "step"])  # a journey's journey_seq is constant
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        return _write(out, _rows(t), name)


def _rows(t: ir.Table) -> Iterator[dict]:
    for batch in t.to_pyarrow_batches(chunk_size=50_000):
        yield from batch.to_pylist()


def _date(value: datetime | pd.Timestamp) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.isoformat(timespec="microseconds")


def _write(out: IO[str], rows: Iterator[dict], name: str) -> int:
    out.write(_HEADER.format(name=quoteattr(name)))
    current: object = None
    events = 0
    for row in rows:
        if row["case_id"] != current or events == 0:
            if events:
                out.write("  </trace>\n")
            current = row["case_id"]
            out.write(
                f'  <trace>\n    <string key="concept:name" value={quoteattr(str(current))}/>\n'
            )
        out.write(_event(row))
        events += 1
    if events:
        out.write("  </trace>\n")
    out.write("</log>\n")
    return events


def _event(row: dict) -> str:
    parts = ["    <event>\n"]
    known = {"concept:name", "time:timestamp", "revenue"}
    attrs: list[tuple[str, str, str]] = [("string", "concept:name", str(row["activity"]))]
    attrs.append(("date", "time:timestamp", _date(row["ts"])))
    for column in _COLUMNS:
        if row[column] is not None:
            key = _NAMES.get(column, column)
            known.add(key)
            attrs.append(("string", key, str(row[column])))
    revenue = row["revenue"]
    if revenue is not None and not (isinstance(revenue, float) and math.isnan(revenue)):
        attrs.append(("float", "revenue", repr(float(revenue))))
    if row["properties"]:
        for key, value in json.loads(row["properties"]).items():
            if key not in known and value is not None:
                text = value if isinstance(value, str) else json.dumps(value)
                attrs.append(("string", str(key), text))
    for kind, key, value in attrs:
        parts.append(f"      <{kind} key={quoteattr(key)} value={quoteattr(value)}/>\n")
    parts.append("    </event>\n")
    return "".join(parts)


def export_journeys(
    ws: Any,
    jm: Any,
    path: str | Path,
    *,
    format: str = "xes",  # noqa: A002
    case: str = "person",
    level: str = "touchpoint",
) -> int:
    """Write the journey table of map ``jm`` in workspace ``ws`` to ``path`` as XES
    (:func:`write_xes`) or CSV (one row per event, the journey table's columns, in its
    order); return the number of events. A module function, so that a workspace held by a
    server runs it there (``RemoteWorkspace.call``)."""
    journeys = ws.journey_table(jm)
    if format == "xes":
        return write_xes(journeys, path, case=case, level=level, name=jm.map)
    if format == "csv":
        journeys.order_by(["person_id", "journey_seq", "step"]).to_csv(Path(path))
        return int(journeys.count().to_pyarrow().as_py())
    raise InputError(f"export: format '{format}' is not known; allowed: xes, csv")
