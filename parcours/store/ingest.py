"""Ingestion of events, CRM customers and feedback into a workspace.

One pipeline for the three targets, driven by a small spec per target:

    source ──open──▶ raw table ──stage──▶ normalised fields + the reason a row is rejected
                                            │
               ┌────────────────────────────┼─────────────────────────────┐
               ▼                            ▼                             ▼
         rejected (reason, row, record)   the key judged (conflicts)   accepted rows (inserted)

Everything runs inside DuckDB (files are streamed, never read into pandas). The key of a
row (``event_id``, ``feedback_id``) comes from the data or is derived from the row's
content, so ingesting the same file twice adds nothing. The writes of one ingest happen
in one transaction: an exception or Ctrl-C leaves the workspace as it was.

Every input row ends in exactly one of: accepted, duplicate (its key is stored, or met
earlier in the source, with the same content), conflict (its key with other content) or
rejected (a value that breaks a rule). Conflicts and rejected rows are kept in the
``rejected`` table with their reason; the report counts each.

**Conflicts** (:mod:`parcours.store.conflicts`): the same ``event_id`` with other content
(another time, another event). The policy is the mapping option ``on_conflict``: ``first``
(default) keeps the version stored or met first; ``latest`` keeps the last received (the
lowest row of the file, the latest ingest), and the version it replaces goes to ``rejected``.

**Values** are checked in the engine, each failing row naming its row and field: a
timestamp must be readable and lie in the plausible window (``Settings.earliest_ts`` to
``latest_ts_ahead`` after now); a number is never guessed to be a time (declare its unit:
``ts: {column: t, unit: s}``); revenue and scores must be finite numbers; an identifier is
no true/false; a text holds no NUL byte. A CSV or NDJSON file DuckDB cannot read (a quote
never closed, CRLF and LF endings mixed, broken JSON) is read again line by line: each bad
line is set aside alone with its line number, the other rows go on
(:mod:`parcours.store.salvage`).

A rejected row is kept once per input row: ingesting the same input again adds nothing
to ``rejected``, but two identical bad rows of one input are two rows there.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from parcours.config import Settings
from parcours.errors import MappingError
from parcours.store import conflicts, normalize, timeparse
from parcours.store.boundary import map_exceptions
from parcours.store.engine import duckdb_connection, transaction
from parcours.store.mapping import IDENTIFIER_FIELDS, UNITS, ColumnMapping, Source
from parcours.store.schema import TABLES
from parcours.store.sources import READ_ERRORS, OpenedSource, describe, open_source

FEEDBACK_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}

MAX_REJECTIONS = 10_000

ISO_HINT = "an ISO 8601 date-time such as 2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00"
NUMBER_LIKE = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"


@dataclass
class IngestReport:
    """What one ingest did. Each input row is counted once: ``rows = accepted + duplicates
    + conflicts + rejected``; ``replaced`` counts stored rows a later version replaced
    (``on_conflict: latest``), now in ``rejected``."""

    target: str
    source: str
    batch_id: str
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    replaced: int = 0
    # Rows set aside per reason (its values left out), conflicts included.
    reasons: dict[str, int] = field(default_factory=dict)
    # Each rejected or conflicting row of this batch as (row number, reason), the first
    # MAX_REJECTIONS; rows already kept in `rejected` by an earlier batch are listed too.
    rejections: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self) -> str:
        head = (
            f"IngestReport({self.target} from {self.source}: {self.rows} rows, "
            f"{self.accepted} accepted, {self.duplicates} duplicates, "
            f"{self.conflicts} conflicts, {self.rejected} rejected"
            + (f", {self.replaced} replaced" if self.replaced else "")
            + ")"
        )
        if not self.reasons:
            return head
        lines = [f"  {n} x {reason}" for reason, n in self.reasons.items()]
        return head + "\n" + "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "source": self.source,
            "batch_id": self.batch_id,
            "rows": self.rows,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "replaced": self.replaced,
            "reasons": dict(self.reasons),
            "rejections": [{"row": row, "reason": reason} for row, reason in self.rejections],
            "seconds": round(self.seconds, 3),
        }


# -- staging: one expression per workspace field, plus a reason per rejected row ----------


@ibis.udf.scalar.builtin(name="chr")
def _chr(code: int) -> str:  # type: ignore[empty-body]  # a builtin: declared, not written
    """DuckDB's chr: the character of a code point (a NUL cannot be written in SQL text)."""


def _value(raw: ir.Table, src: Source) -> ir.Value:
    if src.value is not None:
        return ibis.literal(src.value)
    if len(src.columns) == 1:
        return raw[src.columns[0]]
    parts = [normalize.clean_text(raw[c]).fill_null("") for c in src.columns]
    return ibis.literal(src.sep).join(parts)


def _text(raw: ir.Table, fields: dict[str, Source], name: str) -> ir.StringValue:
    if name not in fields:
        return ibis.null("string")
    return normalize.clean_text(_value(raw, fields[name]))


def _number(text: ir.StringValue) -> ir.FloatingValue:
    # Accept a decimal comma ("12,50") as written by French spreadsheets.
    fixed = ibis.ifelse(text.contains(".") | ~text.contains(","), text, text.replace(",", "."))
    return fixed.try_cast("float64")


def _json_object(raw: ir.Table, columns: list[str]) -> ir.StringValue:
    if not columns:
        return ibis.literal("{}")
    return ibis.struct({c: raw[c] for c in columns}).cast("json").cast("string")


def _first_reason(checks: list[tuple[ir.BooleanValue, ir.StringValue | str]]) -> ir.StringValue:
    """The first failing check's message, or NULL when the row is valid."""
    case = ibis.cases(
        *[
            (failed.fill_null(False), ibis.literal(msg) if isinstance(msg, str) else msg)
            for failed, msg in checks
        ],
        else_=ibis.null("string"),
    )
    return case


def _quote(text: ir.StringValue) -> ir.StringValue:
    return ibis.literal("'") + text.substr(0, 60) + ibis.literal("'")


@dataclass(frozen=True)
class Staged:
    """A staged source: the raw columns, ``__row``, the normalised fields and ``__reason``.

    ``compared``: the fields two rows of one key must share to be the same row; empty when
    the key is derived from the content (the same key is then the same row)."""

    table: ir.Table
    fields: tuple[str, ...]
    key: str
    raw_columns: tuple[str, ...]
    compared: tuple[str, ...] = ()


def stage(
    target: str,
    raw: ir.Table,
    mapping: ColumnMapping,
    source_name: str,
    settings: Settings,
) -> Staged:
    """Build the staging expression for ``raw`` (nothing is executed here)."""
    columns = list(raw.columns)
    fields = mapping.resolve(columns, source_name)
    extra = mapping.leftover(columns, fields)
    zone = mapping.timezone or settings.timezone
    earliest = settings.earliest_ts
    latest = datetime.now(UTC).replace(tzinfo=None) + settings.latest_ts_ahead
    numbered = raw.mutate(__row=ibis.row_number() + 1)
    r = numbered
    out: dict[str, ir.Value] = {}
    checks: list[tuple[ir.BooleanValue, Any]] = []

    # A NUL byte is no text: a binary file, or a damaged one.
    for c in columns:
        if r[c].type().is_string():
            nul = f"column '{c}' holds a NUL byte; is the file binary or damaged?"
            checks.append((r[c].contains(_chr(0)), nul))
    for name in IDENTIFIER_FIELDS:  # True/False is no identifier (a flag column mapped)
        src = fields.get(name)
        if src is not None and len(src.columns) == 1 and r[src.columns[0]].type().is_boolean():
            flag = (
                f"{name} is true/false (column '{src.columns[0]}' holds booleans), not an "
                "identifier; map a column of identifiers"
            )
            checks.append((r[src.columns[0]].notnull(), flag))

    ids = {name: _text(r, fields, name) for name in IDENTIFIER_FIELDS}
    ids["email"] = ids["email"].lower()
    out.update({f"__{k}": v for k, v in ids.items()})
    has_id = ibis.or_(*[v.notnull() for v in ids.values()])

    def timestamp(name: str, required: bool) -> None:
        if name not in fields:
            if required:
                raise MappingError(
                    f"{source_name}: no column for '{name}'; map one (e.g. {name}: my_column) "
                    f"among: {', '.join(columns)}"
                )
            out[f"__{name}"] = ibis.null("timestamp")
            return
        src = fields[name]
        value = _value(r, src)
        unit = src.unit or timeparse.EPOCH_FORMATS.get(mapping.timestamp_format or "")
        fmt = None if unit else mapping.timestamp_format
        parsed = timeparse.to_utc(value, zone, fmt, unit)
        out[f"__{name}"] = parsed
        text = normalize.clean_text(value)
        if required:
            checks.append((text.isnull(), f"{name} is empty"))
        column = src.columns[0] if len(src.columns) == 1 else "COLUMN"
        declare = f"declare its unit in the mapping ({name}: {{column: {column}, unit: s|ms|us}})"
        problem: Any
        if unit:
            problem = f" is not a number of {UNITS[unit]} since 1970-01-01 (unit: {unit})"
        elif fmt:
            problem = " is not a timestamp; expected " + fmt
        elif value.type().is_numeric():
            problem = " is a number, not a date-time; " + declare
        else:
            problem = ibis.ifelse(
                text.re_search(NUMBER_LIKE),
                f" is a number, not a date-time; {declare} or its timestamp_format",
                " is not a timestamp; expected " + ISO_HINT,
            )
        checks.append((text.notnull() & parsed.isnull(), f"{name} " + _quote(text) + problem))
        outside = (parsed < ibis.literal(earliest, type=dt.timestamp)) | (
            parsed > ibis.literal(latest, type=dt.timestamp)
        )
        window = (
            f" (UTC) is outside the plausible window {earliest:%Y-%m-%d} to "
            f"{latest:%Y-%m-%d %H:%M} UTC; if it is right, widen Settings.earliest_ts "
            "or Settings.latest_ts_ahead"
        )
        checks.append((outside, f"{name} " + _quote(parsed.cast("string")) + window))

    def finite(name: str, text: ir.StringValue, number: ir.FloatingValue) -> None:
        checks.append(
            (text.notnull() & number.isnull(), name + " " + _quote(text) + " is not a number")
        )
        checks.append(
            (number.isnan() | number.isinf(), name + " " + _quote(text) + " is not a finite number")
        )

    if target == "events":
        timestamp("ts", required=True)
        checks.append((~has_id, "no identifier; need one of " + ", ".join(IDENTIFIER_FIELDS)))
        event, channel = _text(r, fields, "event"), _text(r, fields, "channel")
        for name, value in (("event", event), ("channel", channel)):
            if name not in fields:
                raise MappingError(
                    f"{source_name}: no column for '{name}'; map a column or a constant "
                    f"(e.g. {name}: {{value: web}}) among: {', '.join(columns)}"
                )
            checks.append((value.isnull(), f"{name} is empty"))
        out["__event"], out["__channel"] = event, channel.lower()
        revenue_text = _text(r, fields, "revenue")
        out["__revenue"] = _number(revenue_text)
        finite("revenue", revenue_text, out["__revenue"])
        out["__properties"] = _json_object(r, extra)
        key = _key(r, fields, "event_id", columns, mapping.duplicate_rows == "keep")
    elif target == "customers":
        checks.append((~has_id, "no identifier; need one of " + ", ".join(IDENTIFIER_FIELDS)))
        timestamp("updated_at", required=False)
        out["__attributes"] = _json_object(r, extra)
        key = _key(r, {}, "customer_row_id", columns)
    elif target == "feedback":
        timestamp("ts", required=True)
        kind = _text(r, fields, "kind").lower()
        score_text = _text(r, fields, "score")
        score = _number(score_text)
        out.update(
            __touchpoint=_text(r, fields, "touchpoint"),
            __stage=_text(r, fields, "stage"),
            __kind=kind,
            __score=score,
            __verbatim=_text(r, fields, "verbatim"),
            __language=_text(r, fields, "language").lower(),
            __properties=_json_object(r, extra),
        )
        kinds = ", ".join(FEEDBACK_SCALES)
        checks.append((kind.isnull(), f"kind is empty; allowed: {kinds}"))
        checks.append(
            (
                ~kind.isin(list(FEEDBACK_SCALES)),
                "kind " + _quote(kind) + f" is unknown; allowed: {kinds}",
            )
        )
        finite("score", score_text, score)
        for name, (low, high) in FEEDBACK_SCALES.items():
            out_of_range = (kind == name) & ((score < low) | (score > high))
            checks.append(
                (out_of_range, f"score out of range for {name}; allowed: {low} to {high}")
            )
        no_score = (kind != "review") & score.isnull()
        checks.append((no_score, "score is empty (only a review may have no score)"))
        key = _key(r, fields, "feedback_id", columns, mapping.duplicate_rows == "keep")
    else:  # pragma: no cover - ColumnMapping.parse refuses other targets
        raise MappingError(f"unknown target {target}")

    key_name, key_value, from_data = key
    out[f"__{key_name}"] = key_value
    out["__reason"] = _first_reason(checks)
    staged = numbered.mutate(**out)
    names = tuple(k.removeprefix("__") for k in out if k != "__reason")
    schema = TABLES[target]
    compared = tuple(n for n in names if n in schema.names and n != key_name) if from_data else ()
    return Staged(staged, names, key_name, tuple(columns), compared)


def _key(
    r: ir.Table,
    fields: dict[str, Source],
    name: str,
    columns: list[str],
    keep_duplicates: bool = False,
) -> tuple[str, ir.Value, bool]:
    """The dedupe key, and whether it comes from the data: taken from the data when mapped,
    else derived from the row content (and from the row's position in the source when
    identical rows are distinct events)."""
    parts = [normalize.clean_text(r[c]).fill_null("\x1e") for c in columns]
    if keep_duplicates:
        parts.append(r.__row.cast("string"))
    content = ibis.literal("\x1f").join(parts).hexdigest("md5")
    if name in fields:
        return name, normalize.clean_text(_value(r, fields[name])).fill_null(content), True
    return name, content, False


# -- execution ------------------------------------------------------------------------------


def ingest(
    con: Any,
    target: str,
    source: Any,
    mapping: ColumnMapping | dict | None = None,
    *,
    settings: Settings,
    on_progress: Callable[[float], None] | None = None,
    source_name: str | None = None,
    input_id: str | None = None,
) -> IngestReport:
    """Ingest ``source`` into ``target`` (events, customers or feedback); see module doc.

    ``source_name`` names the source in the tables and messages (default: the file path);
    ``input_id`` tells this input apart from other inputs of the same name (see
    :func:`rejected_rows`): the collector gives a digest of each batch."""
    started = time.perf_counter()
    if not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.parse(target, mapping)
    name = source_name or describe(source)
    batch_id = uuid.uuid4().hex[:16]
    report = IngestReport(target=target, source=name, batch_id=batch_id)
    scratch = (f"_stage_{batch_id}", f"_judged_{batch_id}")
    with map_exceptions(source=name):
        opened = open_source(con, source, delimiter=mapping.delimiter)
        opened.name = name
        try:
            staged = stage(target, opened.table, mapping, name, settings)
            _run_with_progress(
                con,
                lambda: _write(
                    con, target, opened, staged, scratch, mapping, settings, report, input_id
                ),
                on_progress,
            )
        finally:
            for table in scratch:
                con.raw_sql(f'DROP TABLE IF EXISTS "{table}"')
            opened.close()
    report.seconds = time.perf_counter() - started
    return report


def _write(
    con: Any,
    target: str,
    opened: OpenedSource,
    staged: Staged,
    scratch: tuple[str, str],
    mapping: ColumnMapping,
    settings: Settings,
    report: IngestReport,
    input_id: str | None,
) -> None:
    """Read the source into the stage table, then store it; a text file DuckDB cannot read
    is read again line by line (its bad lines set aside) and stored from there."""
    try:
        con.create_table(scratch[0], staged.table, temp=True)
    except READ_ERRORS:
        if opened.salvage is None:
            raise
        salvaged = opened.salvage()
        salvaged.name = opened.name
        try:
            staged = stage(target, salvaged.table, mapping, salvaged.name, settings)
            con.create_table(scratch[0], staged.table, temp=True, overwrite=True)
            _store(con, target, salvaged, staged, scratch, mapping, settings, report, input_id)
        finally:
            salvaged.close()
        return
    _store(con, target, opened, staged, scratch, mapping, settings, report, input_id)


def _store(
    con: Any,
    target: str,
    opened: OpenedSource,
    staged: Staged,
    scratch: tuple[str, str],
    mapping: ColumnMapping,
    settings: Settings,
    report: IngestReport,
    input_id: str | None,
) -> None:
    stage_name, judged_name = scratch
    t = _renumber(con.table(stage_name), opened.shifts)
    t = _normalise_phones(con, t, mapping.phone_region or settings.phone_region)
    if settings.hash_salt:
        t = t.mutate(
            **{
                f"__{k}": normalize.hash_identifier(t[f"__{k}"], k, settings.hash_salt)
                for k in IDENTIFIER_FIELDS
            }
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    schema, key = TABLES[target], staged.key
    kept = [name for name in staged.fields if name in schema.names]
    valid = t.filter(t.__reason.isnull()).select("__row", *[f"__{name}" for name in kept])
    # Kept apart: the rows to store or set aside, with the stored fields only (writing
    # every raw column, or the duplicates of a file ingested again, costs).
    judged = conflicts.judge(valid, con.table(target), key, staged.compared, mapping.on_conflict)
    judged = con.create_table(judged_name, judged.filter(judged.__fate != "duplicate"), temp=True)
    new = judged.filter(judged.__fate.isin(["new", "replace"]))
    provided = {name: new[f"__{name}"] for name in kept}
    provided["source"] = ibis.literal(opened.name)
    provided["batch_id"] = ibis.literal(report.batch_id)

    def record(rows: ir.Table) -> ir.StringValue:
        return ibis.struct({c: rows[c] for c in staged.raw_columns}).cast("json").cast("string")

    invalid = t.filter(t.__reason.notnull())
    told = judged.filter(judged.__fate == "conflict").select(__crow="__row", __cwhy="__why")
    conflicting = t.inner_join(told, t.__row == told.__crow)  # few rows: their raw columns
    parts = [
        rows.select(row=rows.__row, reason=why, record=record(rows))
        for rows, why in ((invalid, invalid.__reason), (conflicting, conflicting.__cwhy))
    ]
    if opened.rejects:  # lines the reader could not read as rows
        parts.append(
            ibis.memtable(
                {
                    "row": [r.row for r in opened.rejects],
                    "reason": [r.reason for r in opened.rejects],
                    "record": [
                        json.dumps({"line": r.line}, ensure_ascii=False) for r in opened.rejects
                    ],
                },
                schema={"row": "int64", "reason": "string", "record": "string"},
            )
        )
    bad = ibis.union(*[p.mutate(row=p.row.cast("int64")) for p in parts])
    meta = {"batch_id": report.batch_id, "target": target, "input_id": input_id, "now": now}

    fates = judged.group_by("__fate").aggregate(n=judged.count()).to_pyarrow().to_pylist()
    n = {row["__fate"]: int(row["n"]) for row in fates}
    counts = t.aggregate(n=t.count(), bad=t.__reason.notnull().sum()).to_pyarrow().to_pylist()[0]
    n["duplicate"] = int(counts["n"]) - int(counts["bad"] or 0) - sum(n.values())
    with transaction(con):
        if "seq" in schema.names:  # order of arrival, after every event already stored
            last = con.table(target).seq.max().to_pyarrow().as_py() or 0
            provided["seq"] = new.__row + last
        if n.get("replace"):  # on_conflict: latest; the stored versions go to rejected
            keep_rejected(con, _replaced(con.table(target), judged, key, opened.name), meta)
            con.raw_sql(
                f'DELETE FROM "{target}" WHERE "{key}" IN (SELECT "__{key}" FROM '
                f"\"{judged_name}\" WHERE __fate = 'replace')"
            )
        rows = new.select(
            **{
                name: (provided[name] if name in provided else ibis.null()).cast(
                    dtype.copy(nullable=True)
                )
                for name, dtype in schema.items()
            }
        )
        con.insert(target, rows)
        keep_rejected(con, bad.mutate(source=ibis.literal(opened.name)), meta)
        report.accepted = n.get("new", 0) + n.get("replace", 0)
        report.duplicates = n.get("duplicate", 0)
        report.conflicts = n.get("conflict", 0)
        report.replaced = n.get("replace", 0)
        report.rejected = int(counts["bad"] or 0) + len(opened.rejects)
        report.rows = report.accepted + report.duplicates + report.conflicts + report.rejected
        reasons = (
            bad.group_by(reason=_reason_family(bad.reason))
            .aggregate(n=bad.count())
            .order_by([ibis.desc("n"), "reason"])
            .to_pyarrow()
            .to_pylist()
        )
        report.reasons = {r["reason"]: int(r["n"]) for r in reasons}
        listed = bad.select("row", "reason").order_by("row").limit(MAX_REJECTIONS)
        report.rejections = [(int(r["row"]), r["reason"]) for r in listed.to_pyarrow().to_pylist()]
        con.insert(
            "batches",
            ibis.memtable(
                {
                    "batch_id": [report.batch_id],
                    "target": [target],
                    "source": [opened.name],
                    "started_at": [now],
                    "finished_at": [datetime.now(UTC).replace(tzinfo=None)],
                    "rows": [report.rows],
                    "accepted": [report.accepted],
                    "duplicates": [report.duplicates],
                    # Input rows set aside in `rejected`: invalid ones and conflicts.
                    "rejected": [report.rejected + report.conflicts],
                },
                schema=TABLES["batches"],
            ),
        )
        if target in ("events", "customers") and report.accepted:
            con.raw_sql("DELETE FROM meta WHERE key = 'identities_current'")


def _replaced(stored: ir.Table, judged: ir.Table, key: str, source: str) -> ir.Table:
    """The stored rows a later version replaces, as (row, reason, record, source)."""
    by = judged.filter(judged.__fate == "replace").select(
        __rk=judged[f"__{key}"], __rrow=judged.__row, __rwhy=judged.__replaces
    )
    old = stored.inner_join(by, stored[key] == by.__rk)
    record = ibis.struct({c: old[c] for c in stored.columns}).cast("json").cast("string")
    reason = (
        f"{key} '"
        + old[key].substr(0, 60)
        + "': this stored version was replaced by row "
        + old.__rrow.cast("string")
        + f" of {source}, which has another "
        + old.__rwhy
        + " (on_conflict: latest)"
    )
    return old.select(
        row=ibis.null("int64"), reason=reason, record=record, source=old.source.fill_null("")
    )


def rejected_rows(
    rows: ir.Table, *, batch_id: str, target: str, input_id: str | None, now: datetime
) -> ir.Table:
    """Rows of the ``rejected`` table from ``rows`` (``row``, ``reason``, ``record``,
    ``source``). ``record_id`` is the digest of the target, source, input, row number and
    record: one input row set aside again (the same file, a retried collector batch) is the
    same id; two equal bad rows of one input, or of two inputs, are two."""
    identity = ibis.literal("\x1f").join(
        [
            ibis.literal(target),
            rows.source.fill_null(""),
            ibis.literal(input_id or ""),
            rows.row.cast("string").fill_null(""),
            rows.record.fill_null(""),
        ]
    )
    return rows.select(
        batch_id=ibis.literal(batch_id),
        target=ibis.literal(target),
        source=rows.source,
        row_number=rows.row.cast("int64"),
        reason=rows.reason,
        record=rows.record,
        record_id=identity.hexdigest("md5"),
        rejected_at=ibis.literal(now, type=dt.timestamp),
    )


def keep_rejected(con: Any, rows: ir.Table, meta: dict[str, Any]) -> None:
    """Insert :func:`rejected_rows` of ``rows`` into ``rejected``, those not kept already.
    ``meta``: ``batch_id``, ``target``, ``input_id`` and ``now``."""
    new = rejected_rows(rows, **meta)
    kept = con.table("rejected")
    con.insert("rejected", new.anti_join(kept, new.record_id == kept.record_id))


def _reason_family(reason: ir.StringValue) -> ir.StringValue:
    """The reason without the offending value nor its row or line, to count rejected rows
    by kind."""
    return reason.re_replace(r"'[^']*'", "…").re_replace(r"\b(row|line) \d+", r"\1 …")


def _renumber(t: ir.Table, shifts: list[tuple[int, int]]) -> ir.Table:
    """Row numbers as in the source when its reader set rows aside: from each ``(position,
    shift)`` on, a row read at that position or later is ``shift`` rows further down."""
    if not shifts:
        return t
    thresholds = ibis.memtable(
        {"_from": [p for p, _ in shifts], "_shift": [s for _, s in shifts]},
        schema={"_from": "int64", "_shift": "int64"},
    )
    joined = t.asof_join(thresholds, on=t.__row >= thresholds._from)
    return joined.mutate(__row=joined.__row + joined._shift.fill_null(0)).drop("_from", "_shift")


def _normalise_phones(con: Any, t: ir.Table, region: str) -> ir.Table:
    """Phones to E.164, computed once per distinct raw value (a small set) in Python."""
    distinct = t.filter(t.__phone.notnull()).select(raw=t.__phone).distinct()
    raws = distinct.to_pyarrow().column(0).to_pylist()
    if not raws:
        return t
    lookup = ibis.memtable(
        {"raw": raws, "e164": [normalize.normalize_phone(p, region) for p in raws]},
        schema={"raw": "string", "e164": "string"},
    )
    joined = t.left_join(lookup, t.__phone == lookup.raw)
    bad_phone = joined.__phone.notnull() & joined.e164.isnull()
    reason = ibis.ifelse(
        joined.__reason.isnull() & bad_phone,
        ibis.literal("phone ")
        + _quote(joined.__phone)
        + f" is not a phone number (default region {region})",
        joined.__reason,
    )
    return joined.mutate(__phone=joined.e164, __reason=reason).drop("raw", "e164")


def _run_with_progress(
    con: Any, work: Callable[[], None], on_progress: Callable[[float], None] | None
) -> None:
    """Run ``work``; when a progress callback is given, run it in a thread and report the
    engine's progress. Ctrl-C interrupts the running query; the transaction rolls back."""
    if on_progress is None:
        work()
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)

    raw = duckdb_connection(con)  # progress and interrupt: no Ibis API (see engine)
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
            progress = raw.query_progress()
            if progress is not None and progress >= 0:
                on_progress(float(progress))
    except KeyboardInterrupt:
        raw.interrupt()
        thread.join()
        raise
    if failure:
        raise failure[0]
    on_progress(100.0)
