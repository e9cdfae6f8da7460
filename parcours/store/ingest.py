"""Ingestion of events, CRM customers and feedback into a workspace.

One pipeline for the three targets, driven by a small spec per target:

    source ──open──▶ raw table ──stage──▶ row number, normalised fields, the reason a row is
                                            │ rejected (no raw column)
               ┌────────────────────────────┼─────────────────────────────┐
               ▼                            ▼                             ▼
         rejected (reason, row, record)   the key judged (conflicts)   accepted rows (inserted)
         (record: the source read again,
          for those rows only)

Everything runs inside DuckDB, in bounded memory: the source is streamed (never read into
pandas, never held whole), and what is kept while the ingest runs (the stage, the rows
whose key must be judged, the rows set aside) is temporary tables that DuckDB spills to
disk past ``Settings.memory_limit``. The key of a row (``event_id``, ``feedback_id``)
comes from the data or is derived from the row's content (hashed for the rows without a
key only), so ingesting the same file twice adds nothing. Phone numbers are parsed once
per workspace (``phone_numbers``: :func:`normalize.lookup_phones`). The writes of one ingest happen in
one transaction: an exception or Ctrl-C leaves the workspace as it was.

Every input row ends in exactly one of: accepted, duplicate (its key is stored, or met
earlier in the source, with the same content), conflict (its key with other content),
rejected (a value that breaks a rule) or, for survey answers, skipped (a score the mapping's
``not_applicable`` lists, an empty cell of a wide survey). Conflicts and rejected rows are
kept in the ``rejected`` table with their reason; the report counts each, skipped ones per
reason.

**Shaping** (the mapping, see docs/mapping.md), in the engine like the rest: values recoded
into ids (:func:`recode`: a table, or :func:`slug`); a wide survey read as one row per
answer (:func:`shaped`: a UNION ALL of one select per column); feedback without a date
dated by another column or the ingest's time (``default_ts``).

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
from typing import Any, NamedTuple

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from parcours.config import Settings
from parcours.errors import MappingError
from parcours.store import conflicts, normalize, timeparse
from parcours.store.boundary import map_exceptions
from parcours.store.engine import delete_rows, duckdb_connection, writing
from parcours.store.mapping import (
    ANSWER_NAME,
    ANSWER_VALUE,
    IDENTIFIER_FIELDS,
    INGEST_TIME,
    UNITS,
    ColumnMapping,
    Source,
)
from parcours.store.schema import TABLES, bump_data_version
from parcours.store.sources import (
    READ_ERRORS,
    OpenedSource,
    describe,
    external,
    internal,
    open_source,
)

FEEDBACK_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}

MAX_REJECTIONS = 10_000

ISO_HINT = "an ISO 8601 date-time such as 2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00"
NUMBER_LIKE = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"


@dataclass
class IngestReport:
    """What one ingest did. Each input row (each answer of a wide survey) is counted once:
    ``rows = accepted + duplicates + conflicts + rejected + skipped``; ``replaced`` counts stored rows a later version replaced
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
    # Answers skipped, not stored and not rejected: a score meaning "not applicable" (the
    # mapping's not_applicable), an empty cell of a wide survey (unpivot); per reason.
    skipped: int = 0
    skips: dict[str, int] = field(default_factory=dict)
    # Rows set aside per reason (its values left out), conflicts included.
    reasons: dict[str, int] = field(default_factory=dict)
    # Each rejected or conflicting row of this batch as (row number, reason), the first
    # MAX_REJECTIONS; rows already kept in `rejected` by an earlier batch are listed too.
    rejections: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def count_duplicates(self, read: int, invalid: int) -> None:
        """Set ``duplicates`` (rows already stored, or twice in the batch) and ``rows`` from
        the other counts, ``read`` rows having been read and ``invalid`` of them refused at
        the stage: every row read is in exactly one of the counts."""
        self.duplicates = read - invalid - self.skipped - self.accepted - self.conflicts
        self.rows = self.accepted + self.duplicates + self.conflicts + self.rejected + self.skipped

    def __repr__(self) -> str:
        head = (
            f"IngestReport({self.target} from {self.source}: {self.rows} rows, "
            f"{self.accepted} accepted, {self.duplicates} duplicates, "
            f"{self.conflicts} conflicts, {self.rejected} rejected"
            + (f", {self.replaced} replaced" if self.replaced else "")
            + (f", {self.skipped} skipped" if self.skipped else "")
            + ")"
        )
        if not self.reasons and not self.skips:
            return head
        lines = [f"  {n} x {reason}" for reason, n in self.reasons.items()]
        lines += [f"  {n} skipped: {reason}" for reason, n in self.skips.items()]
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
            "skipped": self.skipped,
            "skips": dict(self.skips),
            "reasons": dict(self.reasons),
            "rejections": [{"row": row, "reason": reason} for row, reason in self.rejections],
            "seconds": round(self.seconds, 3),
        }


# -- staging: one expression per workspace field, plus a reason per rejected row ----------


@ibis.udf.scalar.builtin(name="chr")
def _chr(code: int) -> str:  # type: ignore[empty-body]  # a builtin: declared, not written
    """DuckDB's chr: the character of a code point (a NUL cannot be written in SQL text)."""


@ibis.udf.scalar.builtin(name="strip_accents")
def _strip_accents(text: str) -> str:  # type: ignore[empty-body]  # a builtin
    """DuckDB's strip_accents: é -> e."""


def _column(raw: ir.Table, name: str) -> ir.Value:
    """A source column (see :func:`sources.internal`), or an answer's of an unpivot."""
    return raw[name] if name in (ANSWER_NAME, ANSWER_VALUE) else raw[internal(name)]


def _value(raw: ir.Table, src: Source) -> ir.Value:
    if src.value is not None:
        return ibis.literal(src.value)
    if len(src.columns) == 1:
        return _column(raw, src.columns[0])
    parts = [normalize.clean_text(_column(raw, c)).fill_null("") for c in src.columns]
    return ibis.literal(src.sep).join(parts)


def slug(text: ir.StringValue) -> ir.StringValue:
    """An id from a label: lower case, accents removed, each run of other characters than
    a-z and 0-9 one ``_``, none at either end ("Équipement reçu !" -> equipement_recu);
    NULL when nothing is left."""
    lowered = _strip_accents(text.lower()).re_replace(r"[^a-z0-9]+", "_")
    return lowered.re_replace(r"^_+|_+$", "").nullif("")


def recode(text: ir.StringValue, src: Source) -> ir.StringValue:
    """``text`` (trimmed) recoded as ``src`` says: a value of its table becomes its id; any
    other its slug (``slug: true``) or stays as written."""
    other = slug(text) if src.slug else text
    if not src.values:
        return other
    return text.substitute(dict(src.values), else_=other)


def _text(raw: ir.Table, fields: dict[str, Source], name: str) -> ir.StringValue:
    if name not in fields:
        return ibis.null("string")
    src = fields[name]
    text = normalize.clean_text(_value(raw, src))
    return recode(text, src) if src.values or src.slug else text


def shaped(numbered: ir.Table, mapping: ColumnMapping, source_name: str = "") -> ir.Table:
    """The source as the stage reads it: ``numbered`` (its columns and ``__row``) with
    ``__answer``, the answer's number in its row: 0, or with ``unpivot`` (a wide survey)
    one row per unpivoted column (1, 2, ...), holding the column's name and its cell
    (``ANSWER_NAME``, ``ANSWER_VALUE``) next to every column of the row."""
    unpivot = mapping.unpivot
    if unpivot is None:
        return numbered.mutate(__answer=ibis.literal(0, type="int64"))
    columns = [external(c) for c in numbered.columns if c != "__row"]
    missing = [c for c in unpivot.columns if c not in columns]
    if missing:
        raise MappingError(
            f"{source_name}: unpivot names {', '.join(map(repr, missing))}, not a column of "
            f"the source; its columns are: {', '.join(columns)}"
        )
    parts = [
        numbered.mutate(
            __answer=ibis.literal(number, type="int64"),
            **{
                ANSWER_NAME: ibis.literal(column),
                ANSWER_VALUE: _column(numbered, column).cast("string"),
            },
        )
        for number, column in enumerate(unpivot.columns, start=1)
    ]
    return ibis.union(*parts, distinct=False)


# The spaces that group digits: a space, a no-break space, a narrow no-break space (French).
_DIGIT_GROUPING = "[ \u00a0\u202f]"


def _number(text: ir.StringValue) -> ir.FloatingValue:
    # Accept a number as a French spreadsheet writes it: digits grouped by spaces and a
    # decimal comma ("1 234,50").
    compact = text.re_replace(_DIGIT_GROUPING, "")
    fixed = ibis.ifelse(
        compact.contains(".") | ~compact.contains(","), compact, compact.replace(",", ".")
    )
    return fixed.try_cast("float64")


def _json_object(raw: ir.Table, columns: list[str]) -> ir.StringValue:
    if not columns:
        return ibis.literal("{}")
    return ibis.struct({c: raw[internal(c)] for c in columns}).cast("json").cast("string")


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


# Reasons that are also given outside the engine (the collector checks a batch before it
# answers: parcours.store.collector), written once here.


def nul_reason(column: str) -> str:
    return f"column '{column}' holds a NUL byte; is the file binary or damaged?"


def not_a_phone(quoted: Any, region: str) -> Any:
    """The reason for a phone that is no phone number; ``quoted``: the value as
    :func:`_quote` gives it (an expression) or :func:`quote_text` (a text)."""
    return "phone " + quoted + f" is not a phone number (default region {region})"


def quote_text(text: str) -> str:
    """:func:`_quote` of a Python text."""
    return "'" + text[:60] + "'"


@dataclass(frozen=True)
class Staged:
    """A staged source: ``__row``, the normalised fields and ``__reason``; not the raw
    columns (``raw_columns`` names them: a rejected row's record is read again from the
    source, see :func:`_records`).

    ``compared``: the fields two rows of one key must share to be the same row; empty when
    the key is derived from the content (the same key is then the same row)."""

    table: ir.Table
    fields: tuple[str, ...]
    key: str
    raw_columns: tuple[str, ...]
    compared: tuple[str, ...] = ()


# A check reads the table of computed values (raw columns, __row, fields, texts) and gives
# (failed, message) pairs: each value is computed once, then the checks read it.
Check = Callable[[ir.Table], list[tuple[ir.BooleanValue, ir.StringValue | str]]]


def stage(
    target: str,
    raw: ir.Table,
    mapping: ColumnMapping,
    source_name: str,
    settings: Settings,
    clock: tuple[ir.TimestampValue, ir.TimestampValue] | None = None,
) -> Staged:
    """Build the staging expression for ``raw``, the source's columns and ``__row`` (see
    :meth:`OpenedSource.numbered`), read as :func:`shaped` (a wide survey: one row per
    answer); nothing is executed here. ``clock``: the ingest's time and the latest
    plausible one as expressions, for SQL compiled once and run at other times
    (:mod:`parcours.store.ingest_compiled`); by default the time now, as literals.

    Two steps: the fields (and the texts the checks read) are computed once per row, next
    to the row number; the key and the reason a row is rejected are then computed from
    them. Checks written over the raw columns would compute them again: the engine does
    not share work between the branches of the CASE that picks the first failing check."""
    raw = shaped(raw, mapping, source_name)
    own = ("__row", "__answer", ANSWER_NAME, ANSWER_VALUE)  # see shaped()
    columns = [external(c) for c in raw.columns if c not in own]
    fields = mapping.resolve(columns, source_name)
    extra = mapping.leftover(columns, fields)
    zone = mapping.timezone or settings.timezone
    earliest = settings.earliest_ts
    now: ir.TimestampValue
    latest: ir.TimestampValue
    latest_text: str | ir.StringValue
    if clock is None:
        at = datetime.now(UTC).replace(tzinfo=None)
        now = ibis.literal(at, type=dt.timestamp)
        latest = ibis.literal(at + settings.latest_ts_ahead, type=dt.timestamp)
        latest_text = f"{at + settings.latest_ts_ahead:%Y-%m-%d %H:%M}"
    else:
        now, latest = clock
        latest_text = latest.strftime("%Y-%m-%d %H:%M")
    r = raw
    out: dict[str, ir.Value] = {}  # the fields, in order
    texts: dict[str, ir.Value] = {}  # values the checks read, not kept
    checks: list[Check] = []
    skips: list[Check] = []  # why an answer is skipped (counted, neither kept nor rejected)

    # A NUL byte is no text: a binary file, or a damaged one.
    strings = [c for c in columns if r[internal(c)].type().is_string()]
    checks.append(
        lambda s: [
            (
                s[internal(c)].contains(_chr(0)),
                nul_reason(c),
            )
            for c in strings
        ]
    )
    flags = []  # True/False is no identifier (a flag column mapped)
    for name in IDENTIFIER_FIELDS:
        src = fields.get(name)
        column = internal(src.columns[0]) if src is not None and len(src.columns) == 1 else None
        if column is not None and r[column].type().is_boolean():
            flag = (
                f"{name} is true/false (column '{external(column)}' holds booleans), not an "
                "identifier; map a column of identifiers"
            )
            flags.append((external(column), flag))
    checks.append(lambda s: [(s[internal(c)].notnull(), flag) for c, flag in flags])

    ids = {name: _text(r, fields, name) for name in IDENTIFIER_FIELDS}
    ids["email"] = ids["email"].lower()
    out.update({f"__{k}": v for k, v in ids.items()})

    def identified(s: ir.Table) -> list[tuple[ir.BooleanValue, ir.StringValue | str]]:
        has_id = ibis.or_(*[s[f"__{k}"].notnull() for k in IDENTIFIER_FIELDS])
        return [(~has_id, "no identifier; need one of " + ", ".join(IDENTIFIER_FIELDS))]

    def timestamp(name: str, required: bool, default: str | Source | None = None) -> None:
        """The time ``name``; ``default`` (feedback's default_ts) dates the rows without
        one: the time of the ingest, or another column."""
        src = fields.get(name)
        if src is None and isinstance(default, Source):
            src, default = default, None
        if src is None:
            if default == INGEST_TIME:
                out[f"__{name}"] = now
                return
            if required:
                raise MappingError(
                    f"{source_name}: no column for '{name}'; map one (e.g. {name}: my_column) "
                    f"among: {', '.join(columns)}"
                    + ("; or date every row with default_ts" if target == "feedback" else "")
                )
            out[f"__{name}"] = ibis.null("timestamp")
            return
        value = _value(r, src)
        if isinstance(default, Source):  # the other column where this one is empty
            value = ibis.coalesce(
                normalize.clean_text(value), normalize.clean_text(_value(r, default))
            )
        unit = src.unit or timeparse.EPOCH_FORMATS.get(mapping.timestamp_format or "")
        fmt = None if unit else mapping.timestamp_format
        out[f"__{name}"] = timeparse.to_utc(value, zone, fmt, unit)
        if default == INGEST_TIME:  # the rows without a time: the time of the ingest
            empty = normalize.clean_text(value).isnull()
            out[f"__{name}"] = ibis.ifelse(empty, now, out[f"__{name}"])
            required = False
        # A typed time is empty when NULL, and always readable: its text (costly to
        # write) is not needed.
        typed = (value.type().is_timestamp() or value.type().is_date()) and not (
            unit or fmt or default
        )
        if not typed:
            texts[f"__text_{name}"] = normalize.clean_text(value)
        column = src.columns[0] if len(src.columns) == 1 else "COLUMN"
        declare = f"declare its unit in the mapping ({name}: {{column: {column}, unit: s|ms|us}})"
        numeric = value.type().is_numeric()
        window = (
            f" (UTC) is outside the plausible window {earliest:%Y-%m-%d} to "
            + latest_text
            + " UTC; if it is right, widen Settings.earliest_ts or Settings.latest_ts_ahead"
        )

        def judged(s: ir.Table) -> list[tuple[ir.BooleanValue, ir.StringValue | str]]:
            parsed = s[f"__{name}"]
            found: list[tuple[ir.BooleanValue, ir.StringValue | str]] = []
            if typed:
                if required:
                    found.append((s[internal(src.columns[0])].isnull(), f"{name} is empty"))
            else:
                text = s[f"__text_{name}"]
                if required:
                    found.append((text.isnull(), f"{name} is empty"))
                problem: Any
                if unit:
                    problem = f" is not a number of {UNITS[unit]} since 1970-01-01 (unit: {unit})"
                elif fmt:
                    problem = " is not a timestamp; expected " + fmt
                elif numeric:
                    problem = " is a number, not a date-time; " + declare
                else:
                    problem = ibis.ifelse(
                        text.re_search(NUMBER_LIKE),
                        f" is a number, not a date-time; {declare} or its timestamp_format",
                        " is not a timestamp; expected " + ISO_HINT,
                    )
                found.append(
                    (text.notnull() & parsed.isnull(), f"{name} " + _quote(text) + problem)
                )
            outside = (parsed < ibis.literal(earliest, type=dt.timestamp)) | (parsed > latest)
            found.append((outside, f"{name} " + _quote(parsed.cast("string")) + window))
            return found

        checks.append(judged)

    def finite(name: str) -> Check:
        def judged(s: ir.Table) -> list[tuple[ir.BooleanValue, ir.StringValue | str]]:
            text, number = s[f"__text_{name}"], s[f"__{name}"]
            return [
                (text.notnull() & number.isnull(), name + " " + _quote(text) + " is not a number"),
                (
                    number.isnan() | number.isinf(),
                    name + " " + _quote(text) + " is not a finite number",
                ),
            ]

        return judged

    if target == "events":
        timestamp("ts", required=True)
        checks.append(identified)
        for name in ("event", "channel"):
            if name not in fields:
                raise MappingError(
                    f"{source_name}: no column for '{name}'; map a column or a constant "
                    f"(e.g. {name}: {{value: web}}) among: {', '.join(columns)}"
                )
        out["__event"] = _text(r, fields, "event")
        out["__channel"] = _text(r, fields, "channel").lower()
        checks.append(
            lambda s: [(s[f"__{n}"].isnull(), f"{n} is empty") for n in ("event", "channel")]
        )
        texts["__text_revenue"] = _text(r, fields, "revenue")
        out["__revenue"] = _number(texts["__text_revenue"])
        checks.append(finite("revenue"))
        out["__properties"] = _json_object(r, extra)
        key_name, key_field = "event_id", fields
    elif target == "customers":
        checks.append(identified)
        timestamp("updated_at", required=False)
        out["__attributes"] = _json_object(r, extra)
        key_name, key_field = "customer_row_id", {}
    elif target == "feedback":
        timestamp("ts", required=True, default=mapping.default_ts)
        texts["__text_score"] = _text(r, fields, "score")
        out.update(
            __touchpoint=_text(r, fields, "touchpoint"),
            __stage=_text(r, fields, "stage"),
            __kind=_text(r, fields, "kind").lower(),
            __score=_number(texts["__text_score"]),
            __verbatim=_text(r, fields, "verbatim"),
            __language=_text(r, fields, "language").lower(),
            __properties=_json_object(r, extra),
        )

        def answered(s: ir.Table) -> list[tuple[ir.BooleanValue, ir.StringValue | str]]:
            kind, score = s.__kind, s.__score
            kinds = ", ".join(FEEDBACK_SCALES)
            found: list[tuple[ir.BooleanValue, ir.StringValue | str]] = [
                (kind.isnull(), f"kind is empty; allowed: {kinds}"),
                (
                    ~kind.isin(list(FEEDBACK_SCALES)),
                    "kind " + _quote(kind) + f" is unknown; allowed: {kinds}",
                ),
            ]
            found += finite("score")(s)
            for name, (low, high) in FEEDBACK_SCALES.items():
                out_of_range = (kind == name) & ((score < low) | (score > high))
                found.append(
                    (out_of_range, f"score out of range for {name}; allowed: {low} to {high}")
                )
            no_score = (kind != "review") & score.isnull()
            found.append((no_score, "score is empty (only a review may have no score)"))
            return found

        checks.append(answered)
        key_name, key_field = "feedback_id", fields

        def not_applicable(s: ir.Table) -> list[tuple[ir.BooleanValue, ir.StringValue | str]]:
            found: list[tuple[ir.BooleanValue, ir.StringValue | str]] = []
            if mapping.unpivot is not None:
                empty = normalize.clean_text(s[ANSWER_VALUE]).isnull()
                found.append((empty, "no answer in column " + _quote(s[ANSWER_NAME])))
            text, score = s.__text_score, s.__score
            for rule in mapping.not_applicable:
                means = ibis.or_(
                    score.isin(list(rule.numbers)) if rule.numbers else ibis.literal(False),
                    text.lower().isin(list(rule.texts)) if rule.texts else ibis.literal(False),
                )
                if rule.kind is not None:
                    means = means & (s.__kind == rule.kind)
                label = f" ({rule.kind})" if rule.kind else ""
                found.append((means, "score " + _quote(text) + f" means not applicable{label}"))
            return found

        skips.append(not_applicable)
    else:  # pragma: no cover - ColumnMapping.parse refuses other targets
        raise MappingError(f"unknown target {target}")

    # The values next to the row number, in a select of their own (a view: Ibis would
    # merge it into the next one), computed once.
    values = raw.mutate(**out, **texts).view()
    answer = mapping.unpivot is not None
    key_value, from_data = _key(
        values, key_field, key_name, columns, mapping.duplicate_rows == "keep", answer
    )
    reason = _first_reason([found for check in checks for found in check(values)])
    skipping = [found for check in skips for found in check(values)]
    skip = _first_reason(skipping) if skipping else ibis.null("string")
    if answer:  # which answer of the row
        reason = reason + " (answer in column " + _quote(values[ANSWER_NAME]) + ")"
    staged = values.select(  # the raw columns stay in the source
        "__row",
        "__answer",
        *out,
        **{f"__{key_name}": key_value},
        __reason=ibis.ifelse(skip.isnull(), reason, ibis.null("string")),
        __skip=skip,
    )
    names = (*(k.removeprefix("__") for k in out), key_name)
    schema = TABLES[target]
    # A time the ingest gave is no content: ingested again, the row is the same row.
    dated = ("ts",) if mapping.default_ts == INGEST_TIME else ()
    compared = (
        tuple(n for n in names if n in schema.names and n != key_name and n not in dated)
        if from_data
        else ()
    )
    return Staged(staged, names, key_name, tuple(columns), compared)


def _key(
    r: ir.Table,
    fields: dict[str, Source],
    name: str,
    columns: list[str],
    keep_duplicates: bool = False,
    answer: bool = False,
) -> tuple[ir.Value, bool]:
    """The dedupe key, and whether it comes from the data: taken from the data when mapped,
    else derived from the row content (and from the row's position in the source when
    identical rows are distinct events). With ``answer`` (an unpivoted wide survey), each
    answer of a row has its own key: the given one followed by ``:`` and the answer's
    column (R17:Livraison), or a digest of the row with that column's name."""
    parts = [normalize.clean_text(r[internal(c)]).fill_null("\x1e") for c in columns]
    if answer:
        parts.append(r[ANSWER_NAME])
    if keep_duplicates:
        parts.append(r.__row.cast("string"))
    content = ibis.literal("\x1f").join(parts).hexdigest("md5")
    if name in fields:
        given = normalize.clean_text(_value(r, fields[name]))
        if answer:
            given = given + ":" + r[ANSWER_NAME]
        # A CASE, not COALESCE: only the rows without a key then trim and hash their
        # columns. DuckDB's common-subexpression pass would take the trimmed text of every
        # column out of a COALESCE, computed for every row; it leaves CASE branches alone.
        return ibis.cases((given.isnull(), content), else_=given), True
    return content, False


# -- execution ------------------------------------------------------------------------------


class TempTables(NamedTuple):
    """The temporary tables of one ingest, dropped at its end (see :func:`_store`)."""

    stage: str  # __row, the normalised fields, __reason: one row per input row
    known: str  # the keys given twice in the source, or stored already (to judge or not)
    judged: str  # the rows whose key was judged, with their fate (but the duplicates)
    phones: str  # each distinct phone of the source, with its form in phone_numbers
    aside: str  # row number and reason of each row set aside (invalid, or a conflict)
    records: str  # the same rows with their record, read again from the source


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
    opener: Callable[..., OpenedSource] = open_source,
) -> IngestReport:
    """Ingest ``source`` into ``target`` (events, customers or feedback); see module doc.

    ``source_name`` names the source in the tables and messages (default: the file path);
    ``input_id`` tells this input apart from other inputs of the same name (see
    :func:`rejected_rows`): the collector gives a digest of each batch. ``opener`` opens
    the source on ``con`` (Spark's reader of a Parquet file on a cluster's storage: see
    :mod:`parcours.store.spark_parquet`)."""
    started = time.perf_counter()
    if not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.parse(target, mapping)
    name = source_name or describe(source)
    batch_id = uuid.uuid4().hex[:16]
    report = IngestReport(target=target, source=name, batch_id=batch_id)
    scratch = TempTables(*(f"_{part}_{batch_id}" for part in TempTables._fields))
    with map_exceptions(source=name):
        opened = opener(con, source, delimiter=mapping.delimiter)
        opened.name = name
        try:
            staged = stage(target, opened.numbered(), mapping, name, settings)
            _run_with_progress(
                con,
                lambda: _write(
                    con, target, opened, staged, scratch, mapping, settings, report, input_id
                ),
                on_progress,
            )
        finally:
            for table in scratch:
                _drop_scratch(con, table)
            opened.close()
    report.seconds = time.perf_counter() - started
    return report


def _write(
    con: Any,
    target: str,
    opened: OpenedSource,
    staged: Staged,
    scratch: TempTables,
    mapping: ColumnMapping,
    settings: Settings,
    report: IngestReport,
    input_id: str | None,
) -> None:
    """Read the source into the stage table, then store it; a text file DuckDB cannot read
    is read again line by line (its bad lines set aside) and stored from there."""
    try:
        con.create_table(scratch.stage, staged.table, temp=True)
    except READ_ERRORS:
        if opened.salvage is None:
            raise
        salvaged = opened.salvage()
        salvaged.name = opened.name
        try:
            staged = stage(target, salvaged.numbered(), mapping, salvaged.name, settings)
            con.create_table(scratch.stage, staged.table, temp=True, overwrite=True)
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
    scratch: TempTables,
    mapping: ColumnMapping,
    settings: Settings,
    report: IngestReport,
    input_id: str | None,
) -> None:
    """Judge the staged rows and write them, with the rows set aside, in one transaction.

    The new rows are written from the stage; kept apart as temporary tables (spilled to
    disk past ``Settings.memory_limit``, like the stage) are the rows whose key had to be
    judged, and the rows set aside with their records."""
    stage_table = con.table(scratch.stage)
    t = _renumber(stage_table, opened.shifts)
    region = mapping.phone_region or settings.phone_region
    phones = normalize.lookup_phones(con, t.__phone, region, settings.hash_salt, scratch.phones)
    if phones is not None:
        t = _with_phones(t, phones.lookup, region)
    if settings.hash_salt:  # phones come hashed from their lookup
        t = t.mutate(
            **{
                f"__{k}": normalize.hash_identifier(t[f"__{k}"], k, settings.hash_salt)
                for k in IDENTIFIER_FIELDS
                if k != "phone"
            }
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    schema, key = TABLES[target], staged.key
    kept = [name for name in staged.fields if name in schema.names]
    valid = t.filter(t.__reason.isnull() & t.__skip.isnull())
    valid = valid.select("__row", "__answer", *[f"__{name}" for name in kept])
    fresh, judged = _judge(con, valid, target, staged, mapping.on_conflict, scratch)

    invalid = t.filter(t.__reason.notnull())
    told = judged.filter(judged.__fate == "conflict")
    aside = con.create_table(
        scratch.aside,
        ibis.union(
            invalid.select(__arow=invalid.__row, __aans=invalid.__answer, __awhy=invalid.__reason),
            told.select(__arow=told.__row, __aans=told.__answer, __awhy=told.__why),
        ),
        temp=True,
    )
    fates = judged.group_by("__fate").aggregate(n=judged.count()).to_pyarrow().to_pylist()
    n = {row["__fate"]: int(row["n"]) for row in fates}
    total = int(stage_table.count().to_pyarrow().as_py())
    set_aside = int(aside.count().to_pyarrow().as_py())
    n_invalid = set_aside - n.get("conflict", 0)
    skipped = t.filter(t.__skip.notnull())
    skips = skipped.group_by(reason=skipped.__skip).aggregate(n=skipped.count())
    skips = skips.order_by([ibis.desc("n"), "reason"]).to_pyarrow().to_pylist()
    n_skipped = sum(int(row["n"]) for row in skips)
    bad = _records(
        con, opened, mapping, staged.raw_columns, aside if set_aside else None, scratch.records
    )
    meta = {"batch_id": report.batch_id, "target": target, "input_id": input_id, "now": now}

    def stored_rows(rows: ir.Table, last: int) -> ir.Table:
        return stored_fields(rows, target, kept, opened.name, report.batch_id, last)

    with writing(con):  # a DuckDB transaction, or one commit of a warehouse (spark:DIR)
        stored = con.table(target)
        last = (stored.seq.max().to_pyarrow().as_py() or 0) if "seq" in schema.names else 0
        if n.get("replace"):  # on_conflict: latest; the stored versions go to rejected
            keep_rejected(con, _replaced(stored, judged, key, opened.name), meta)
            replaced = judged.filter(judged.__fate == "replace")[f"__{key}"]
            delete_rows(
                con,
                target,
                lambda rows: rows[key].isin(replaced),
                f'DELETE FROM "{target}" WHERE "{key}" IN (SELECT "__{key}" FROM '
                f"\"{scratch.judged}\" WHERE __fate = 'replace')",
            )
        # The new rows are counted as written: counting them first would read them twice.
        before = int(stored.count().to_pyarrow().as_py())
        con.insert(target, stored_rows(fresh, last))
        n["new"] = n.get("new", 0) + int(stored.count().to_pyarrow().as_py()) - before
        con.insert(target, stored_rows(judged.filter(judged.__fate.isin(["new", "replace"])), last))
        if bad is not None:
            keep_rejected(con, bad.mutate(source=ibis.literal(opened.name)), meta)
        if phones is not None and phones.fresh is not None:
            normalize.remember_phones(con, phones.fresh)
        report.accepted = n.get("new", 0) + n.get("replace", 0)
        report.conflicts = n.get("conflict", 0)
        report.replaced = n.get("replace", 0)
        report.rejected = n_invalid + len(opened.rejects)
        report.skipped = n_skipped
        report.skips = {row["reason"]: int(row["n"]) for row in skips}
        report.count_duplicates(total, n_invalid)
        if bad is not None:
            reasons = (
                bad.group_by(reason=_reason_family(bad.reason))
                .aggregate(n=bad.count())
                .order_by([ibis.desc("n"), "reason"])
                .to_pyarrow()
                .to_pylist()
            )
            report.reasons = {r["reason"]: int(r["n"]) for r in reasons}
            listed = bad.select("row", "reason").order_by("row").limit(MAX_REJECTIONS)
            report.rejections = [
                (int(r["row"]), r["reason"]) for r in listed.to_pyarrow().to_pylist()
            ]
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
        if report.accepted:
            bump_data_version(con)
        if target in ("events", "customers") and report.accepted:
            delete_rows(
                con,
                "meta",
                lambda rows: rows.key == "identities_current",
                "DELETE FROM meta WHERE key = 'identities_current'",
            )


def stored_fields(
    rows: ir.Table,
    target: str,
    kept: list[str],
    source: str | ir.StringValue,
    batch_id: str | ir.StringValue,
    last: int | ir.IntegerValue,
) -> ir.Table:
    """``rows`` (``__row``, ``__<field>`` of the fields ``kept``) as rows of ``target``;
    ``last``: the highest ``seq`` stored. ``source``, ``batch_id`` and ``last`` are values
    or expressions (see :mod:`parcours.store.ingest_compiled`)."""
    provided = {name: rows[f"__{name}"] for name in kept}
    provided["source"] = _as_value(source)
    provided["batch_id"] = _as_value(batch_id)
    provided["seq"] = rows.__row + last  # order of arrival, after every event stored
    return rows.select(
        **{
            name: (provided[name] if name in provided else ibis.null()).cast(
                dtype.copy(nullable=True)
            )
            for name, dtype in TABLES[target].items()
        }
    )


def _as_value(value: Any, type: Any = None) -> ir.Value:
    """``value`` as an expression: itself when it is one, else a literal."""
    return value if isinstance(value, ir.Value) else ibis.literal(value, type=type)


def _judge(
    con: Any, valid: ir.Table, target: str, staged: Staged, policy: str, scratch: TempTables
) -> tuple[ir.Table, ir.Table]:
    """The valid rows that are new, and the others judged.

    Most keys need no judge: a key given once in the source and not stored is new; one
    given once and stored with the same content (its digest) is a duplicate. Only the
    others (a key given twice, or stored with other content) go through
    :func:`conflicts.judge`, a window and joins that hold every field of the rows they
    judge at once; they are kept, but for the duplicates, as a temporary table with their
    ``__fate``, ``__why`` and ``__replaces``. So the judge and its joins, the costly part
    of ingesting a file again, see the few rows whose fate is in doubt."""
    stored = con.table(target)
    known = con.create_table(scratch.known, known_keys(valid, stored, target, staged), temp=True)
    doubtful = int(known.filter(known.__judge).count().to_pyarrow().as_py()) > 0
    judged = judged_rows(valid, known, stored, staged, policy, doubtful)
    judged = con.create_table(scratch.judged, judged, temp=True)
    key = f"__{staged.key}"
    return valid.anti_join(known, valid[key] == known[key]), judged


def known_keys(valid: ir.Table, stored: ir.Table, target: str, staged: Staged) -> ir.Table:
    """The keys of ``valid`` given twice, or stored already, with ``__judge``: whether
    their fate is in doubt (see :func:`_judge`)."""
    key, schema = f"__{staged.key}", TABLES[target]
    keys = valid.select(key)
    twice = keys.group_by(key).having(keys.count() > 1).aggregate(__judge=ibis.literal(True))
    old = stored.semi_join(keys, stored[staged.key] == keys[key])
    old = old.select(__old=old[staged.key], __was=_digest(old, staged.compared, "", schema))
    met = valid.inner_join(old, valid[key] == old.__old)  # digests of the rows met only
    met = met.select(key, __judge=_digest(met, staged.compared, "__", schema) != met.__was)
    return ibis.union(twice, met).group_by(key).aggregate(__judge=ibis._.__judge.max())


def judged_rows(
    valid: ir.Table,
    known: ir.Table,
    stored: ir.Table,
    staged: Staged,
    policy: str,
    doubtful: bool,
) -> ir.Table:
    """The rows of ``valid`` whose key is in doubt (``known``), judged, but the duplicates;
    ``doubtful``: whether there is any (else no judge is built)."""
    key = f"__{staged.key}"
    if doubtful:
        doubt = known.filter(known.__judge)
        judged = conflicts.judge(
            valid.semi_join(doubt, valid[key] == doubt[key]),
            stored,
            staged.key,
            staged.compared,
            policy,
        )
    else:  # the judge's columns only: building and compiling it is half a small ingest
        nothing = ibis.null("string")
        judged = valid.limit(0).mutate(__fate=nothing, __why=nothing, __replaces=nothing)
    # The duplicates of a file ingested again are left out: writing them costs.
    return judged.filter(judged.__fate != "duplicate")


def _digest(t: ir.Table, names: tuple[str, ...], prefix: str, schema: ibis.Schema) -> ir.Value:
    """The MD5 of a row's fields ``names`` (``prefix + name`` in ``t``), as stored: equal
    digests are equal fields (a JSON object of them: every value quoted, NULL apart)."""
    if not names:
        return ibis.literal("")
    values = {name: t[prefix + name].cast(schema[name].copy(nullable=True)) for name in names}
    return ibis.struct(values).cast("json").cast("string").hexdigest("md5")


def _records(
    con: Any,
    opened: OpenedSource,
    mapping: ColumnMapping,
    raw_columns: tuple[str, ...],
    aside: ir.Table | None,
    name: str,
) -> ir.Table | None:
    """:func:`records_of` kept as the temporary table ``name``; None when there is none."""
    bad = records_of(opened, mapping, raw_columns, aside)
    return None if bad is None else con.create_table(name, bad, temp=True)


def records_of(
    opened: OpenedSource,
    mapping: ColumnMapping,
    raw_columns: tuple[str, ...],
    aside: ir.Table | None,
) -> ir.Table | None:
    """``(row, reason, record)`` of each row set aside; None when there is none. ``aside``
    (``__arow``, ``__awhy``) holds the rows
    the stage or the judge set aside: their records, the raw columns as a JSON object, are
    read again from the source for those rows only (the stage does not keep them). The
    lines the reader could not read as rows come as read (``{"line": ...}``). An answer
    of a wide survey (unpivot) has the columns of its row but the other answers'."""
    parts = []
    if aside is not None:
        source = _renumber(shaped(opened.numbered(), mapping), opened.shifts)
        same = (source.__row == aside.__arow) & (source.__answer == aside.__aans)
        rows = source.inner_join(aside, same)
        wide = set(mapping.unpivot.columns) if mapping.unpivot is not None else set()
        mine = {c: rows[internal(c)] for c in raw_columns if c not in wide}
        record = ibis.struct(mine).cast("json") if mine else ibis.literal("{}").cast("json")
        if wide:
            record = _json_patch(record, _json_pair(rows[ANSWER_NAME], rows[ANSWER_VALUE]))
        record = record.cast("json").cast("string")
        parts.append(rows.select(row=rows.__row, reason=rows.__awhy, record=record))
    if opened.rejects:
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
    if not parts:
        return None
    return ibis.union(*[p.mutate(row=p.row.cast("int64")) for p in parts])


@ibis.udf.scalar.builtin(name="json_object")
def _json_pair(key: dt.String(), value: dt.String()) -> dt.JSON():  # type: ignore[valid-type]
    """DuckDB's json_object(key, value): an object of one key named by a column."""


@ibis.udf.scalar.builtin(name="json_merge_patch")
def _json_patch(a: dt.JSON(), b: dt.JSON()) -> dt.JSON():  # type: ignore[valid-type]
    """DuckDB's json_merge_patch: ``a`` with the keys of ``b``."""


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
    rows: ir.Table,
    *,
    batch_id: str | ir.StringValue,
    target: str,
    input_id: str | ir.StringValue | None,
    now: datetime | ir.TimestampValue,
) -> ir.Table:
    """Rows of the ``rejected`` table from ``rows`` (``row``, ``reason``, ``record``,
    ``source``, and ``input_id`` when each row tells its own input: then ``input_id`` is
    not read). ``record_id`` is the digest of the target, source, input, row number and
    record: one input row set aside again (the same file, a retried collector batch) is the
    same id; two equal bad rows of one input, or of two inputs, are two. ``batch_id``,
    ``input_id`` and ``now`` are values or expressions."""
    identity = ibis.literal("\x1f").join(
        [
            ibis.literal(target),
            rows.source.fill_null(""),
            rows.input_id.fill_null("")
            if "input_id" in rows.columns
            else _as_value("" if input_id is None else input_id, "string"),
            rows.row.cast("string").fill_null(""),
            rows.record.fill_null(""),
        ]
    )
    return rows.select(
        batch_id=_as_value(batch_id),
        target=ibis.literal(target),
        source=rows.source,
        row_number=rows.row.cast("int64"),
        reason=rows.reason,
        record=rows.record,
        record_id=identity.hexdigest("md5"),
        rejected_at=_as_value(now, dt.timestamp),
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


def _with_phones(t: ir.Table, lookup: ir.Table, region: str) -> ir.Table:
    """``t`` with each phone in its stored form, and a row whose phone is no phone number
    rejected (when nothing else rejects it)."""
    joined = t.left_join(lookup, t.__phone == lookup.__raw)
    bad_phone = joined.__phone.notnull() & joined.__stored.isnull()
    reason = ibis.ifelse(
        joined.__reason.isnull() & bad_phone,
        not_a_phone(_quote(joined.__phone), region),
        joined.__reason,
    )
    return joined.mutate(__phone=joined.__stored, __reason=reason).drop("__raw", "__stored")


def _drop_scratch(con: Any, table: str) -> None:
    if con.name == "duckdb":
        con.raw_sql(f'DROP TABLE IF EXISTS "{table}"')
    else:  # Spark: a temporary view
        con.drop_table(table, force=True)


def _run_with_progress(
    con: Any, work: Callable[[], None], on_progress: Callable[[float], None] | None
) -> None:
    """Run ``work``; when a progress callback is given, run it in a thread and report the
    engine's progress. Ctrl-C interrupts the running query; the transaction rolls back."""
    if on_progress is None or con.name != "duckdb":  # Spark: no progress to read
        work()
        if on_progress is not None:
            on_progress(100.0)
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
