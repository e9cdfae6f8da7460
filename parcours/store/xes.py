"""Read an XES event log (the process-mining exchange format, IEEE 1849) into a table.

One row per event. Trace attributes become columns prefixed ``case:`` and event attributes
keep their keys, as pm4py names them (``case:concept:name``, ``concept:name``,
``time:timestamp``, ``lifecycle:transition``, ...), so one mapping fits both the XES file and
a CSV exported from it. The file is parsed incrementally and each finished trace is freed.
"""

from __future__ import annotations

import gzip
from io import BufferedIOBase
from pathlib import Path
from xml.etree.ElementTree import iterparse

import pandas as pd

from parcours.errors import SourceError

_VALUE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


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
        if tag in _VALUE_TAGS and "key" in elem.attrib:
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
