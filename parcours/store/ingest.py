"""Ingestion of events, CRM customers and feedback into a workspace.

One pipeline for the three targets, driven by a small spec per target:

    source ──open──▶ raw table ──stage──▶ normalised fields + the reason a row is rejected
                                            │
               ┌────────────────────────────┼───────────────────────────┐
               ▼                            ▼                           ▼
         rejected (reason, row, record)   duplicates (counted)    accepted rows (inserted)

Everything runs inside DuckDB (files are streamed, never read into pandas). The key of a
row (``event_id``, ``feedback_id``) comes from the data or is derived from the row's
content, so ingesting the same file twice adds nothing. The writes of one ingest happen
in one transaction: an exception or Ctrl-C leaves the workspace as it was.
"""

from __future__ import annotations

import hashlib
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
import pandas as pd

from parcours.config import Settings
from parcours.errors import MappingError
from parcours.store import normalize, timeparse
from parcours.store.engine import duckdb_connection
from parcours.store.mapping import IDENTIFIER_FIELDS, ColumnMapping, Source
from parcours.store.schema import TABLES
from parcours.store.sources import OpenedSource, csv_rejects, open_source

FEEDBACK_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}

MAX_REJECTIONS = 10_000

ISO_HINT = "an ISO 8601 date-time such as 2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00"


@dataclass
class IngestReport:
    """What one ingest did: counts, and rejected rows per reason."""

    target: str
    source: str
    batch_id: str
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # Each rejected row of this batch as (row number, reason), the first MAX_REJECTIONS;
    # rows already kept in `rejected` by an earlier batch are listed too.
    rejections: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self) -> str:
        head = (
            f"IngestReport({self.target} from {self.source}: {self.rows} rows, "
            f"{self.accepted} accepted, {self.duplicates} duplicates, {self.rejected} rejected)"
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
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "rejections": [{"row": row, "reason": reason} for row, reason in self.rejections],
            "seconds": round(self.seconds, 3),
        }


# -- staging: one expression per workspace field, plus a reason per rejected row ----------


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
    """A staged source: the raw columns, ``__row``, the normalised fields and ``__reason``."""

    table: ir.Table
    fields: tuple[str, ...]
    key: str
    raw_columns: tuple[str, ...]


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
    numbered = raw.mutate(__row=ibis.row_number() + 1)
    r = numbered
    out: dict[str, ir.Value] = {}
    checks: list[tuple[ir.BooleanValue, Any]] = []

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
        value = _value(r, fields[name])
        parsed = timeparse.to_utc(value, zone, mapping.timestamp_format)
        out[f"__{name}"] = parsed
        text = normalize.clean_text(value)
        if required:
            checks.append((text.isnull(), f"{name} is empty"))
        checks.append(
            (
                text.notnull() & parsed.isnull(),
                f"{name} "
                + _quote(text)
                + " is not a timestamp; expected "
                + (mapping.timestamp_format or ISO_HINT),
            )
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
        checks.append(
            (
                revenue_text.notnull() & out["__revenue"].isnull(),
                "revenue " + _quote(revenue_text) + " is not a number",
            )
        )
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
        checks.append(
            (
                score_text.notnull() & score.isnull(),
                "score " + _quote(score_text) + " is not a number",
            )
        )
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

    out[f"__{key[0]}"] = key[1]
    out["__reason"] = _first_reason(checks)
    staged = numbered.mutate(**out)
    return Staged(
        staged, tuple(k.removeprefix("__") for k in out if k != "__reason"), key[0], tuple(columns)
    )


def _key(
    r: ir.Table,
    fields: dict[str, Source],
    name: str,
    columns: list[str],
    keep_duplicates: bool = False,
) -> tuple[str, ir.Value]:
    """The dedupe key: taken from the data when mapped, else derived from the row content
    (and from the row's position in the source when identical rows are distinct events)."""
    parts = [normalize.clean_text(r[c]).fill_null("\x1e") for c in columns]
    if keep_duplicates:
        parts.append(r.__row.cast("string"))
    content = ibis.literal("\x1f").join(parts).hexdigest("md5")
    if name in fields:
        return name, normalize.clean_text(_value(r, fields[name])).fill_null(content)
    return name, content


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
) -> IngestReport:
    """Ingest ``source`` into ``target`` (events, customers or feedback); see module doc.

    ``source_name`` names the source in the tables and messages (default: the file path)."""
    started = time.perf_counter()
    if not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.parse(target, mapping)
    opened = open_source(con, source, delimiter=mapping.delimiter)
    if source_name:
        opened.name = source_name
    staged = stage(target, opened.table, mapping, opened.name, settings)
    batch_id = uuid.uuid4().hex[:16]
    report = IngestReport(target=target, source=opened.name, batch_id=batch_id)
    stage_name = f"_stage_{batch_id}"
    try:
        _run_with_progress(
            con,
            lambda: _write(con, target, opened, staged, stage_name, mapping, settings, report),
            on_progress,
        )
    finally:
        con.raw_sql(f'DROP TABLE IF EXISTS "{stage_name}"')
    report.seconds = time.perf_counter() - started
    return report


def _write(
    con: Any,
    target: str,
    opened: OpenedSource,
    staged: Staged,
    stage_name: str,
    mapping: ColumnMapping,
    settings: Settings,
    report: IngestReport,
) -> None:
    con.create_table(stage_name, staged.table, temp=True)
    malformed = csv_rejects(con) if opened.csv_rejects else pd.DataFrame()
    t = _renumber_after_malformed(con.table(stage_name), malformed)
    t = _normalise_phones(con, t, mapping.phone_region or settings.phone_region)
    if settings.hash_salt:
        t = t.mutate(
            **{
                f"__{k}": normalize.hash_identifier(t[f"__{k}"], k, settings.hash_salt)
                for k in IDENTIFIER_FIELDS
            }
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    schema = TABLES[target]
    valid = t.filter(t.__reason.isnull())
    first = valid.mutate(
        __dup=ibis.row_number().over(group_by=valid[f"__{staged.key}"], order_by=valid.__row)
    ).filter(lambda x: x.__dup == 0)
    existing = con.table(target)
    new = first.anti_join(existing, first[f"__{staged.key}"] == existing[staged.key])
    provided = {name: new[f"__{name}"] for name in staged.fields if name in schema.names}
    if "seq" in schema.names:  # order of arrival, after every event already stored
        last = con.table(target).seq.max().to_pyarrow().as_py() or 0
        provided["seq"] = new.__row + last
    provided["source"] = ibis.literal(opened.name)
    provided["batch_id"] = ibis.literal(report.batch_id)
    rows = new.select(
        **{
            name: (provided[name] if name in provided else ibis.null()).cast(
                dtype.copy(nullable=True)
            )
            for name, dtype in schema.items()
        }
    )
    bad = t.filter(t.__reason.notnull())
    record = ibis.struct({c: bad[c] for c in staged.raw_columns}).cast("json").cast("string")
    rejected_rows = bad.select(
        batch_id=ibis.literal(report.batch_id),
        target=ibis.literal(target),
        source=ibis.literal(opened.name),
        row_number=bad.__row.cast("int64"),
        reason=bad.__reason,
        record=record,
        record_id=(ibis.literal(target + ":") + record).hexdigest("md5"),
        rejected_at=ibis.literal(now, type=dt.timestamp),
    )

    counts = t.aggregate(n=t.count(), bad=t.__reason.notnull().sum()).to_pyarrow().to_pylist()[0]
    with transaction(con):
        before = con.table(target).count().to_pyarrow().as_py()
        con.insert(target, rows)
        after = con.table(target).count().to_pyarrow().as_py()
        sets = [rejected_rows]
        if len(malformed):
            sets.append(_malformed_rows(malformed, report.batch_id, target, opened.name, now))
        for bad_rows in sets:
            kept = con.table("rejected")
            con.insert("rejected", bad_rows.anti_join(kept, bad_rows.record_id == kept.record_id))
        report.rows = int(counts["n"]) + len(malformed)
        report.rejected = int(counts["bad"] or 0) + len(malformed)
        report.accepted = after - before
        report.duplicates = report.rows - report.rejected - report.accepted
        reasons = (
            bad.group_by(reason=_reason_family(bad.__reason))
            .aggregate(n=bad.count())
            .order_by(ibis.desc("n"))
            .to_pyarrow()
            .to_pylist()
        )
        report.reasons = {r["reason"]: int(r["n"]) for r in reasons}
        if len(malformed):
            report.reasons["malformed CSV line"] = len(malformed)
        listed = (
            bad.select(row=bad.__row, reason=bad.__reason).order_by("row").limit(MAX_REJECTIONS)
        )
        report.rejections = [(int(r["row"]), r["reason"]) for r in listed.to_pyarrow().to_pylist()]
        report.rejections += [
            (int(line) - 1, f"malformed CSV line: {message}")
            for line, message in zip(
                malformed.get("line", []), malformed.get("error_message", []), strict=False
            )
        ]
        report.rejections.sort()
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
                    "rejected": [report.rejected],
                },
                schema=TABLES["batches"],
            ),
        )
        if target in ("events", "customers") and report.accepted:
            con.raw_sql("DELETE FROM meta WHERE key = 'identities_current'")


def _reason_family(reason: ir.StringValue) -> ir.StringValue:
    """The reason without the offending value, to count rejected rows by kind."""
    return reason.re_replace(r"'[^']*'", "…")


def _renumber_after_malformed(t: ir.Table, malformed: pd.DataFrame) -> ir.Table:
    """Row numbers as in the file: DuckDB skips malformed lines, so a row read after k of
    them is k rows further down the file than its position among the rows read."""
    if not len(malformed):
        return t
    data_rows = sorted(int(line) - 1 for line in malformed["line"])  # line 1 is the header
    # The i-th malformed row (0-based) shifts every read row from position m_i - i onwards.
    thresholds = ibis.memtable(
        {
            "_from": [m - i for i, m in enumerate(data_rows)],
            "_shift": list(range(1, len(data_rows) + 1)),
        }
    )
    joined = t.asof_join(thresholds, on=t.__row >= thresholds._from)
    return joined.mutate(__row=joined.__row + joined._shift.fill_null(0)).drop("_from", "_shift")


def _malformed_rows(
    malformed: pd.DataFrame, batch_id: str, target: str, source: str, now: datetime
) -> ir.Table:
    records = malformed["csv_line"].astype(str).map(lambda s: '{"line": ' + _json_str(s) + "}")
    return ibis.memtable(
        pd.DataFrame(
            {
                "batch_id": batch_id,
                "target": target,
                "source": source,
                # DuckDB counts the header as line 1; rows are numbered from the first data line.
                "row_number": malformed["line"].astype("int64") - 1,
                "reason": "malformed CSV line: " + malformed["error_message"].astype(str),
                "record": records,
                "record_id": [hashlib.md5(f"{target}:{r}".encode()).hexdigest() for r in records],
                "rejected_at": now,
            }
        ),
        schema=TABLES["rejected"],
    )


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


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


class transaction:
    """DuckDB transaction as a context manager: commit on success, roll back on any error
    (KeyboardInterrupt included)."""

    def __init__(self, con: Any):
        self.con = con

    def __enter__(self) -> None:
        self.con.raw_sql("BEGIN TRANSACTION")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.con.raw_sql("COMMIT" if exc_type is None else "ROLLBACK")


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
