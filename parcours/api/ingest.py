"""Data in over HTTP: file uploads, and the collector that takes live events as JSON.

The collector (``POST /v1/events``) takes ``{"events": [...]}``. Each event is an object
with the fields of an ingested event (``event_id``, ``ts``, identifiers, ``channel``,
``event``, ``revenue``) and an optional ``properties`` object; any other key is kept as a
property, as for a file. A batch is handled like a small NDJSON file through
:meth:`Workspace.ingest_events`: each event is validated, the valid ones are committed
before the answer leaves, the invalid ones are kept in ``rejected`` (row = position in the
batch, from 1) and listed in the answer with their position (``index``, from 0) and reason.
Events are keyed by ``event_id`` (or, without one, by their content), so a client whose
request timed out may send the same batch again: nothing is stored twice. An ``event_id``
sent again with other content is a conflict, counted apart and kept in ``rejected`` (the
first version stays: see :mod:`parcours.store.conflicts`). Each invalid event is kept once
per batch it came in: a retried batch adds nothing, the same bad event in another batch is
another row of ``rejected``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypedDict

import ibis
import pyarrow as pa
from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from parcours.api.auth import State, Writer
from parcours.errors import InputError
from parcours.store.engine import transaction
from parcours.store.ingest import keep_rejected
from parcours.store.mapping import ALIASES, FIELDS

router = APIRouter(prefix="/v1", tags=["ingestion"])

EVENT_FIELDS = FIELDS["events"]
# Names a property may not take: they would be read as the event's own fields.
RESERVED_NAMES = frozenset(EVENT_FIELDS) | {a for names in ALIASES.values() for a in names}
# Columns the table of a batch always has (or an alias of them).
REQUIRED = ("ts", "channel", "event")

EXAMPLE: JsonDict = {
    "events": [
        {
            "event_id": "web-8f14e45f",
            "ts": "2026-03-01T14:05:00+01:00",
            "anonymous_id": "c-1a2b3c",
            "customer_id": "C1042",
            "channel": "web",
            "event": "product_view",
            "properties": {"sku": "ROBE-311", "page": "/robes/311"},
        },
        {
            "event_id": "web-8f14e460",
            "ts": "2026-03-01T14:09:30+01:00",
            "customer_id": "C1042",
            "channel": "web",
            "event": "purchase",
            "revenue": 89.9,
        },
    ]
}


class EventBatch(BaseModel):
    events: list[Any] = Field(
        description="Events: objects with event_id, ts (ISO 8601, with an offset or Z), at "
        "least one identifier (customer_id, anonymous_id, email, phone, loyalty_id), channel, "
        "event, optional revenue and a properties object.",
    )

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flatten(
    event: Any, spellings: dict[str, str]
) -> tuple[dict[str, str | None] | None, str | None]:
    """One event as a row of text cells, or the reason it cannot be one.

    Its names become the columns of one table with those of the other events, where names
    are told apart without regard to case: ``spellings`` holds the names met so far
    (REQUIRED first) by their lower case, and gets this event's when it is a row."""
    if not isinstance(event, dict):
        return None, f"an event is a JSON object; got {type(event).__name__}"
    row = {k: _text(v) for k, v in event.items() if k != "properties"}
    properties = event.get("properties") or {}
    if not isinstance(properties, dict):
        return None, "properties must be a JSON object of name: value"
    for key, value in properties.items():
        if key in RESERVED_NAMES or key in row:
            return None, (
                f"property '{key}' has the name of an event field; send it at the top level "
                f"or rename it (reserved: {', '.join(sorted(RESERVED_NAMES))})"
            )
        row[key] = _text(value)
    seen = dict(spellings)
    for name in row:
        if not name or "\x00" in name:
            return None, f"a name must be non-empty text without NUL characters; got {name!r}"
        other = seen.setdefault(name.lower(), name)
        if other != name:
            return None, (
                f"name '{name}' differs only in case from '{other}' (an event field, or a name "
                "in this batch); names are compared without regard to case: use one spelling"
            )
    spellings.update(seen)
    return row, None


def _table(rows: list[dict[str, str | None]]) -> pa.Table:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    for name in REQUIRED:  # so that a missing one is a per-event reason
        if not ({name, *ALIASES.get(name, ())} & columns.keys()):
            columns[name] = None
    return pa.table({c: pa.array([row.get(c) for row in rows], type=pa.string()) for c in columns})


def _digest(events: list[Any]) -> str:
    """What tells one batch from another (a retried batch has the same)."""
    text = json.dumps(events, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _keep_malformed(
    con: Any,
    batch_id: str,
    source: str,
    input_id: str,
    malformed: list[tuple[int, Any, str]],
    positions: list[int],
) -> None:
    """Keep events that are not even rows (not an object, bad properties) in ``rejected``,
    and number every rejected event of the batch by its position in the request."""
    if positions:  # ingestion numbered the rows it saw; give them their batch position
        con.raw_sql(
            "UPDATE rejected SET row_number = m.batch_row FROM "
            "(SELECT unnest(?) AS table_row, unnest(?) AS batch_row) AS m "
            "WHERE rejected.batch_id = ? AND rejected.row_number = m.table_row",
            parameters=[list(range(1, len(positions) + 1)), [p + 1 for p in positions], batch_id],
        )
    if malformed:
        rows = ibis.memtable(
            {
                "row": [index + 1 for index, _, _ in malformed],
                "reason": [reason for _, _, reason in malformed],
                "record": [json.dumps(e, ensure_ascii=False, default=str) for _, e, _ in malformed],
                "source": [source] * len(malformed),
            },
            schema={"row": "int64", "reason": "string", "record": "string", "source": "string"},
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        meta = {"batch_id": batch_id, "target": "events", "input_id": input_id, "now": now}
        keep_rejected(con, rows, meta)
    con.raw_sql(
        "UPDATE batches SET rows = rows + ?, rejected = rejected + ? WHERE batch_id = ?",
        parameters=[len(malformed), len(malformed), batch_id],
    )


class _Refusal(TypedDict):
    index: int  # the event's position in the batch, from 0
    event_id: Any  # as sent (any JSON value), or None
    reason: str


@router.post("/events", summary="Collect a batch of events")
def collect(batch: EventBatch, state: State, key: Writer) -> dict[str, Any]:
    """Store the valid events of a batch durably, and say why each other one was refused.

    The answer counts ``accepted`` (new events stored), ``duplicates`` (already stored:
    a retried batch is all duplicates), ``conflicts`` (an ``event_id`` already stored or sent
    with other content; the first version is kept) and ``rejected``, and lists ``errors`` (the
    rejected and conflicting events) as ``{index, event_id, reason}`` with ``index`` the
    event's position in ``events`` from 0.
    """
    limit = state.settings.max_batch
    if not batch.events:
        raise InputError(f"events is empty; send 1 to {limit:,} events")
    if len(batch.events) > limit:
        raise InputError(
            f"{len(batch.events):,} events in one request; at most {limit:,} are allowed "
            "(PARCOURS_API_MAX_BATCH): split the batch"
        )
    rows: list[dict[str, str | None]] = []
    positions: list[int] = []
    malformed: list[tuple[int, Any, str]] = []
    spellings = {name: name for name in REQUIRED}
    for index, event in enumerate(batch.events):
        row, problem = _flatten(event, spellings)
        if problem:
            malformed.append((index, event, problem))
        elif row is not None:  # always: _flatten gives a row or the reason it has none
            rows.append(row)
            positions.append(index)
    table = _table(rows)
    source = f"collector:{key.key_id}"
    input_id = _digest(batch.events)
    with state.workspace() as ws:
        report = ws.ingest_events(table, source_name=source, input_id=input_id)
        if malformed:
            with transaction(ws.con):
                _keep_malformed(ws.con, report.batch_id, source, input_id, malformed, positions)
    errors: list[_Refusal] = [
        {"index": i, "event_id": e.get("event_id") if isinstance(e, dict) else None, "reason": r}
        for i, e, r in malformed
    ]
    # Ingestion numbers the rows of the table from 1; give each its place in the request.
    for row_number, reason in report.rejections:
        position = positions[row_number - 1]
        errors.append(
            {"index": position, "event_id": rows[row_number - 1].get("event_id"), "reason": reason}
        )
    errors.sort(key=lambda e: e["index"])
    return {
        "batch_id": report.batch_id,
        "received": len(batch.events),
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "conflicts": report.conflicts,
        "rejected": report.rejected + len(malformed),
        "errors": errors,
    }


class Target(StrEnum):
    events = "events"
    customers = "customers"
    feedback = "feedback"


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _save(upload: UploadFile, folder: Path, fallback: str) -> Path:
    name = _SAFE.sub("_", Path(upload.filename or fallback).name).lstrip(".") or fallback
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)
    return path


@router.post("/ingest/{target}", summary="Upload a file of events, customers or feedback")
def upload(
    target: Target,
    state: State,
    key: Writer,
    file: Annotated[UploadFile, File(description="CSV, TSV, Parquet, NDJSON/JSON or XES.")],
    mapping: Annotated[
        UploadFile | None,
        File(description="Optional column mapping (YAML), as for `parcours ingest --mapping`."),
    ] = None,
) -> dict[str, Any]:
    """Ingest an uploaded file, as `parcours ingest` does; return the ingest report
    (rows, accepted, duplicates, rejected and the rejected rows' reasons)."""
    with tempfile.TemporaryDirectory(prefix="parcours-upload-") as tmp:
        folder = Path(tmp)
        path = _save(file, folder, f"upload.{target.value}")
        mapping_path = None
        if mapping is not None:
            (folder / "mapping").mkdir()
            mapping_path = _save(mapping, folder / "mapping", "mapping.yaml")
        with state.workspace() as ws:
            ingest = getattr(ws, f"ingest_{target.value}")
            report = ingest(
                str(path),
                mapping=str(mapping_path) if mapping_path else None,
                source_name=f"upload:{path.name}",
            )
    return {**report.to_dict(), "source": f"upload:{path.name}"}
