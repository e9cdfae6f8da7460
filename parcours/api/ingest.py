"""Data in over HTTP: file uploads, and the collector that takes live events as JSON.

The collector (``POST /v1/events``) takes ``{"events": [...]}``. Each event is an object
with the fields of an ingested event (``event_id``, ``ts``, identifiers, ``channel``,
``event``, ``revenue``) and an optional ``properties`` object; any other key is kept as a
property, as for a file. Each event is checked by the ingest's own rules
(:mod:`parcours.store.collector`, no workspace needed), then the batch is appended to the
spool beside the workspace and fsynced (:mod:`parcours.store.spool`) before the answer
leaves: an acknowledged event survives a crash. A loader thread moves spooled batches into
the workspace in bulk through :meth:`Workspace.ingest_events` (:mod:`parcours.api.loader`);
the invalid events are kept in ``rejected`` (row = position in the batch, from 1) and
listed in the answer with their position (``index``, from 0) and reason. Events are keyed
by ``event_id`` (or, without one, by their content), so a client whose request timed out
may send the same batch again: nothing is stored twice. An ``event_id`` sent again with
other content is a conflict, judged when loaded and kept in ``rejected`` (the first
version stays: see :mod:`parcours.store.conflicts`). Each invalid event is kept once per
batch it came in: a retried batch adds nothing, the same bad event in another batch is
another row of ``rejected``. Past the spool's limit (``PARCOURS_SPOOL_LIMIT``) the
collector answers 503 with ``Retry-After``: it never queues in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, File, HTTPException, UploadFile
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from parcours.api.auth import State, Writer
from parcours.errors import InputError
from parcours.store import collector
from parcours.store.collector import canonical
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
    for name, value in row.items():
        if not _unicode(name) or (value is not None and not _unicode(value)):
            return None, (
                f"'{name}' holds a lone surrogate (an escape such as \\ud800 with no pair): "
                "send text as valid UTF-8"
            )
    spellings.update(seen)
    return row, None


# Half of a UTF-16 pair alone: JSON can write one (\ud800), UTF-8 cannot store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode(text: str) -> bool:
    return text.isascii() or _SURROGATE.search(text) is None


def _digest(events: list[Any]) -> str:
    """What tells one batch from another (a retried batch has the same)."""
    text = json.dumps(events, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _record(event: Any) -> str:
    """A refused event as sent, as JSON (escaped where it is not valid Unicode)."""
    text = json.dumps(event, ensure_ascii=False, default=str)
    return text if _unicode(text) else json.dumps(event, default=str)


class _Refusal(TypedDict):
    index: int  # the event's position in the batch, from 0
    event_id: Any  # as sent (any JSON value), or None
    reason: str


@router.post(
    "/events",
    summary="Collect a batch of events",
    responses={503: {"description": "The spool is full: send again after Retry-After"}},
)
def collect(batch: EventBatch, state: State, key: Writer) -> dict[str, Any]:
    """Check each event of a batch, keep the batch durably, and say why each refused event
    was refused.

    The answer comes once the batch is on disk in the server's spool; the events are in the
    workspace a moment later (``spooled`` in ``/v1/status`` counts those still waiting). It
    counts ``accepted`` (valid events kept) and ``rejected``, and lists ``errors`` as
    ``{index, event_id, reason}`` with ``index`` the event's position in ``events`` from 0.
    An event already stored (a retry) is stored once; one whose ``event_id`` is stored with
    other content is a conflict, kept in ``rejected`` with the first version in ``events``.
    When the spool is full the answer is 503 with ``Retry-After``: send the batch again then.
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
    refused: list[tuple[int, str]] = []
    spellings = {name: name for name in REQUIRED}
    for index, event in enumerate(batch.events):
        row, problem = _flatten(event, spellings)
        if problem:
            refused.append((index, problem))
        elif row is not None:  # always: _flatten gives a row or the reason it has none
            rows.append(canonical(row))
            positions.append(index)
    kept = collector.Batch(f"collector:{key.key_id}", _digest(batch.events))
    for position, row, reason in zip(positions, rows, state.checker.check(rows), strict=True):
        if reason is None:
            kept.rows.append((position, row))
        else:
            refused.append((position, reason))
    refused.sort()
    kept.refused = [(i, _record(batch.events[i]), why) for i, why in refused]
    if not state.spool.append(kept.encode(), len(kept.rows)):
        wait = state.settings.collector.retry_after
        raise HTTPException(
            status_code=503,
            detail={
                "error": "collector busy",
                "detail": f"the spool holds {state.spool.limit:,} bytes waiting to be loaded "
                f"(PARCOURS_SPOOL_LIMIT); send this batch again in {wait} s",
            },
            headers={"Retry-After": str(wait)},
        )
    errors: list[_Refusal] = []
    for index, reason in refused:
        event = batch.events[index]
        event_id = event.get("event_id") if isinstance(event, dict) else None
        errors.append({"index": index, "event_id": event_id, "reason": reason})
    return {
        "received": len(batch.events),
        "accepted": len(kept.rows),
        "rejected": len(refused),
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
