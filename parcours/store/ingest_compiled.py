"""The collector's ingest: the SQL of :func:`parcours.store.ingest.ingest`, compiled once
per shape of input and run again at each load.

A load of the collector (:func:`parcours.store.collector.load`) ingests a table of text
columns with the default mapping of events, many times a minute. Building the ingest's Ibis
expressions and compiling them to SQL (about twenty statements) costs far more CPU than
running them on a few thousand events, and holds the interpreter's lock while requests wait.
Here the same expressions (the stage, the judge of keys, the rows set aside and their
records, the rows stored: the builders of :mod:`parcours.store.ingest`) are compiled once
for a **shape** (the source's column names, the workspace's settings, whether the workspace
has its table of phone numbers yet) over tables of fixed names, and what changes from one
load to the next (the time, the batch id, the source's name, the input id, the last ``seq``
stored) is read from DuckDB variables (``getvariable``, bound as constants when a statement
is planned). A load sets the variables, registers its table and runs the cached SQL, with the
same steps, branches and single transaction as the ingest: the same rows end in ``events``,
``rejected`` and ``batches``, with the same reasons (``tests/store/test_ingest_compiled.py``
compares both).

One difference of form, none of result: the distinct phones of the source and their stored
form are always kept as a table that the stage is joined to, empty when the source holds no
phone (the ingest leaves the join out then).

The fixed names (temporary tables, the registered source) are safe because a load runs
under the server's writer, alone on the workspace's connection.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.dataset as ds
import sqlglot as sg
import sqlglot.expressions as sge

from parcours.config import Settings
from parcours.store import ingest as base
from parcours.store import normalize
from parcours.store.boundary import map_exceptions
from parcours.store.engine import duckdb_connection
from parcours.store.mapping import IDENTIFIER_FIELDS, ColumnMapping
from parcours.store.normalize import PHONES, normalize_phone
from parcours.store.schema import DERIVED, TABLES
from parcours.store.sources import OpenedSource

TARGET = "events"
PREFIX = "_ingest_compiled_"  # the temporary tables and registered views of a load
SOURCE, PARSED = PREFIX + "source", PREFIX + "parsed_phones"
STAGE, LOOKED, LOOKUP = PREFIX + "stage", PREFIX + "phones", PREFIX + "phone_lookup"
KNOWN, JUDGED, ASIDE, RECORDS = (PREFIX + n for n in ("known", "judged", "aside", "records"))
TEMP_TABLES = (STAGE, LOOKED, LOOKUP, KNOWN, JUDGED, ASIDE, RECORDS)


# -- what changes from one load to the next: DuckDB variables ----------------------------


@ibis.udf.scalar.builtin(name="getvariable")
def _text_variable(variable: str) -> str:  # type: ignore[empty-body]  # a builtin: declared
    """DuckDB's getvariable: the value of ``SET VARIABLE variable``, a constant when planned."""


@ibis.udf.scalar.builtin(name="getvariable")
def _time_variable(variable: str) -> dt.Timestamp():  # type: ignore[valid-type]
    """getvariable of a timestamp."""


@ibis.udf.scalar.builtin(name="getvariable")
def _int_variable(variable: str) -> int:  # type: ignore[empty-body]
    """getvariable of an integer."""


# name -> (its expression in the compiled SQL, its DuckDB type)
VARIABLES: dict[str, tuple[Callable[[str], ir.Value], str]] = {
    "parcours_ingest_now": (_time_variable, "TIMESTAMP"),
    "parcours_ingest_latest": (_time_variable, "TIMESTAMP"),
    "parcours_ingest_batch": (_text_variable, "VARCHAR"),
    "parcours_ingest_source": (_text_variable, "VARCHAR"),
    "parcours_ingest_input": (_text_variable, "VARCHAR"),
    "parcours_ingest_last": (_int_variable, "BIGINT"),
}


def _var(name: str) -> Any:
    make, _ = VARIABLES[name]
    return make(name)


# -- the statements of a shape ------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What the SQL of a load depends on."""

    columns: tuple[str, ...]  # the source's, all text
    settings: Settings
    phones_table: bool  # the workspace has its phone_numbers table (an older one may not)


def _sql(expr: ir.Table) -> str:
    return str(ibis.to_sql(expr, dialect="duckdb"))


def _create(name: str, expr: ir.Table) -> tuple[str, str]:
    """A temporary table ``name`` of ``expr``'s rows, as Ibis's ``create_table`` makes
    it: its columns typed by the expression (NOT NULL included), then filled."""
    table = sg.table(name, quoted=True)
    columns = expr.schema().to_sqlglot_column_defs("duckdb")
    create = sge.Create(
        kind="TABLE",
        this=sge.Schema(this=table, expressions=columns),
        properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
        replace=True,
    ).sql("duckdb")
    return create, _insert(name, expr)


def _insert(name: str, expr: ir.Table) -> str:
    columns = ", ".join(f'"{c}"' for c in expr.columns)
    return f'INSERT INTO "{name}" ({columns}) {_sql(expr)}'


def _unbound(name: str, expr: ir.Table) -> ir.Table:
    """The temporary table ``name`` made of ``expr``, as later statements read it."""
    return ibis.table(expr.schema(), name=name)


class Plan:
    """The compiled statements of one :class:`Shape`; those only some loads need (the
    judge of keys in doubt, the records of rows set aside) compiled on first need.
    Statements are SQL texts; a pair makes a temporary table (create, then fill)."""

    # The expressions later statements are built from (see _compile).
    opened: OpenedSource
    staged: base.Staged
    kept: list[str]
    valid: ir.Table
    events: ir.Table
    known_table: ir.Table
    aside_table: ir.Table
    # The statements, in the order a load runs them (see _load).
    stage: tuple[str, str]
    looked: tuple[str, str]
    missing: str
    lookup: tuple[str, str]
    known: tuple[str, str]
    doubtful: str
    judged_clear: tuple[str, str, ibis.Schema]
    aside: tuple[str, str]
    fates: str
    total: str
    set_aside: str
    skips: str
    last_seq: str
    count: str
    insert_fresh: str
    insert_judged: str
    remember_phones: str

    def __init__(self, shape: Shape):
        self.shape = shape
        settings = shape.settings
        self.mapping = ColumnMapping.parse(TARGET, None)
        self.region = self.mapping.phone_region or settings.phone_region
        self._lock = threading.Lock()
        self._later: dict[str, Any] = {}
        _compile(self)

    def judged(self, doubtful: bool) -> tuple[str, str]:
        """The statements that make the table of judged rows: with the judge of keys when
        some are in doubt (compiled on first need)."""
        if not doubtful:
            return self.judged_clear[0], self.judged_clear[1]
        found = self._later_part("judge", lambda: _compile_judged(self, doubtful=True))
        if found[2] != self.judged_clear[2]:  # both variants are read as one table
            raise AssertionError("the judged rows of both variants must share their columns")
        return found[0], found[1]

    def records(self) -> dict[str, Any]:
        """The statements of the rows set aside, their records read again from the
        source: made, kept in ``rejected``, counted by reason, listed."""

        records: dict[str, Any] = self._later_part("records", lambda: _compile_records(self))
        return records

    def _later_part(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._later:
                self._later[name] = build()
            return self._later[name]


def _compile(self: Plan) -> None:
    """Compile the statements every load runs (module level: Ibis reads the
    columns ``__row`` and the like as attributes, which a class body would mangle)."""
    shape, settings = self.shape, self.shape.settings
    salt = settings.hash_salt

    source = ibis.table(dict.fromkeys(shape.columns, "string"), name=SOURCE)
    self.opened = OpenedSource(source, "")
    clock = (_var("parcours_ingest_now"), _var("parcours_ingest_latest"))
    self.staged = base.stage(TARGET, self.opened.numbered(), self.mapping, "", settings, clock)
    self.stage = _create(STAGE, self.staged.table)
    stage = _unbound(STAGE, self.staged.table)

    # The distinct phones, those phone_numbers knows in their stored form (see
    # normalize.lookup_phones, written as one lookup table, parsed ones added).
    raws = stage.__phone.name("__raw").as_table()
    distinct = raws.filter(raws.__raw.notnull()).distinct()
    keyed = distinct.mutate(__key=normalize.phone_key(distinct.__raw, salt))
    if shape.phones_table:
        known = ibis.table(DERIVED[PHONES], name=PHONES)
        known = known.filter(known.region == self.region).semi_join(keyed, known.raw == keyed.__key)
        known = known.group_by(__known=known.raw).aggregate(__e164=known.e164.max())
        joined = keyed.left_join(known, keyed.__key == known.__known)
        keyed = joined.select("__raw", "__e164")
    else:
        keyed = keyed.select("__raw", __e164=ibis.null("string"))
    self.looked = _create(LOOKED, keyed)
    looked = _unbound(LOOKED, keyed)
    self.missing = _sql(looked.filter(looked.__e164.isnull()).select("__raw"))
    parsed = ibis.table({"__raw": "string", "__e164": "string"}, name=PARSED)
    stored = normalize.hash_identifier(parsed.__e164, "phone", salt) if salt else parsed.__e164
    parsed = parsed.mutate(__stored=stored)
    found = looked.filter(looked.__e164.notnull()).select("__raw", __stored=looked.__e164)
    lookup = found.union(parsed.select("__raw", "__stored"))
    self.lookup = _create(LOOKUP, lookup)
    fresh_phones = parsed.filter(parsed.__stored.notnull()).select(
        raw=normalize.phone_key(parsed.__raw, salt),
        region=ibis.literal(self.region),
        e164=parsed.__stored,
    )
    phones = ibis.table(DERIVED[PHONES], name=PHONES)
    same = (fresh_phones.raw == phones.raw) & (fresh_phones.region == phones.region)
    self.remember_phones = _insert(PHONES, fresh_phones.anti_join(phones, same))

    # The stage as _store reads it: phones in their stored form, identifiers hashed.
    t = base._with_phones(stage, _unbound(LOOKUP, lookup), self.region)
    if salt:
        hashed = {
            f"__{k}": normalize.hash_identifier(t[f"__{k}"], k, salt)
            for k in IDENTIFIER_FIELDS
            if k != "phone"
        }
        t = t.mutate(**hashed)
    schema = TABLES[TARGET]
    self.kept = [name for name in self.staged.fields if name in schema.names]
    valid = t.filter(t.__reason.isnull() & t.__skip.isnull())
    self.valid = valid.select("__row", "__answer", *[f"__{name}" for name in self.kept])
    self.events = ibis.table(schema, name=TARGET)
    known_keys = base.known_keys(self.valid, self.events, TARGET, self.staged)
    self.known = _create(KNOWN, known_keys)
    self.known_table = _unbound(KNOWN, known_keys)
    self.doubtful = _sql(self.known_table.filter(self.known_table.__judge).count().as_table())
    self.judged_clear = _compile_judged(self, doubtful=False)
    judged = ibis.table(self.judged_clear[2], name=JUDGED)

    invalid = t.filter(t.__reason.notnull())
    told = judged.filter(judged.__fate == "conflict")
    aside = ibis.union(
        invalid.select(__arow=invalid.__row, __aans=invalid.__answer, __awhy=invalid.__reason),
        told.select(__arow=told.__row, __aans=told.__answer, __awhy=told.__why),
    )
    self.aside = _create(ASIDE, aside)
    self.aside_table = _unbound(ASIDE, aside)
    self.fates = _sql(judged.group_by("__fate").aggregate(n=judged.count()))
    self.total = _sql(stage.count().as_table())
    self.set_aside = _sql(self.aside_table.count().as_table())
    skipped = t.filter(t.__skip.notnull())
    skips = skipped.group_by(reason=skipped.__skip).aggregate(n=skipped.count())
    self.skips = _sql(skips.order_by([ibis.desc("n"), "reason"]))

    self.last_seq = _sql(self.events.seq.max().as_table())
    self.count = _sql(self.events.count().as_table())
    source_name, batch = _var("parcours_ingest_source"), _var("parcours_ingest_batch")
    last = _var("parcours_ingest_last")
    fresh = self.valid.anti_join(
        self.known_table,
        self.valid[f"__{self.staged.key}"] == self.known_table[f"__{self.staged.key}"],
    )
    stored_new = base.stored_fields(fresh, TARGET, self.kept, source_name, batch, last)
    self.insert_fresh = _insert(TARGET, stored_new)
    judged_new = judged.filter(judged.__fate.isin(["new", "replace"]))
    self.insert_judged = _insert(
        TARGET, base.stored_fields(judged_new, TARGET, self.kept, source_name, batch, last)
    )


def _compile_judged(self: Plan, doubtful: bool) -> tuple[str, str, ibis.Schema]:
    judged = base.judged_rows(
        self.valid,
        self.known_table,
        self.events,
        self.staged,
        self.mapping.on_conflict,
        doubtful,
    )
    return (*_create(JUDGED, judged), judged.schema())


def _compile_records(self: Plan) -> dict[str, Any]:
    bad = base.records_of(self.opened, self.mapping, self.staged.raw_columns, self.aside_table)
    assert bad is not None
    table = _unbound(RECORDS, bad)
    named = table.mutate(source=_var("parcours_ingest_source"))
    new = base.rejected_rows(
        named,
        batch_id=_var("parcours_ingest_batch"),
        target=TARGET,
        input_id=_var("parcours_ingest_input"),
        now=_var("parcours_ingest_now"),
    )
    kept = ibis.table(TABLES["rejected"], name="rejected")
    reasons = (
        table.group_by(reason=base._reason_family(table.reason))
        .aggregate(n=table.count())
        .order_by([ibis.desc("n"), "reason"])
    )
    listed = table.select("row", "reason").order_by("row").limit(base.MAX_REJECTIONS)
    return {
        "create": _create(RECORDS, bad),
        "keep": _insert("rejected", new.anti_join(kept, new.record_id == kept.record_id)),
        "reasons": _sql(reasons),
        "listed": _sql(listed),
    }


@lru_cache(maxsize=64)
def plan(shape: Shape) -> Plan:
    """The statements of ``shape``, compiled on its first load. A site's events come in a
    few shapes (the properties of a page view, of a purchase...): the last 64 are kept."""
    return Plan(shape)


# -- a load -------------------------------------------------------------------------------


def ingest_events(
    con: Any,
    table: pa.Table,
    *,
    settings: Settings,
    source_name: str,
    input_id: str | None,
) -> base.IngestReport:
    """Ingest ``table`` (text columns) into ``events`` with the default mapping, as
    :func:`parcours.store.ingest.ingest` does, running the SQL compiled for its shape.
    ``con``: a workspace's Ibis DuckDB connection, used by no one else meanwhile."""
    started = time.perf_counter()
    raw = duckdb_connection(con)
    table = table.cast(pa.schema([(n, pa.string()) for n in table.column_names]))
    shape = Shape(tuple(table.column_names), settings, _has_table(raw, PHONES))
    report = base.IngestReport(TARGET, source_name, uuid.uuid4().hex[:16])
    with map_exceptions(source=source_name):
        compiled = plan(shape)
        raw.register(SOURCE, ds.dataset(table))
        try:
            _load(raw, compiled, report, input_id)
        finally:
            for name in TEMP_TABLES:
                raw.execute(f'DROP TABLE IF EXISTS "{name}"')
            raw.unregister(SOURCE)
            raw.unregister(PARSED)
    report.seconds = time.perf_counter() - started
    return report


def _has_table(raw: Any, name: str) -> bool:
    """Whether the workspace has the table ``name`` (as Ibis's ``list_tables`` sees it,
    without compiling a query)."""
    found = raw.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary "
        "AND database_name = current_database() AND schema_name = current_schema()",
        [name],
    ).fetchone()
    return bool(found[0])


def _set(raw: Any, name: str, value: Any) -> None:
    _, kind = VARIABLES[name]
    raw.execute(f"SET VARIABLE {name} = CAST(? AS {kind})", [value])


def _one(raw: Any, sql: str) -> Any:
    return raw.execute(sql).fetchone()[0]


def _rows(raw: Any, sql: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = raw.execute(sql).fetch_arrow_table().to_pylist()
    return rows


def _run(raw: Any, statements: tuple[str, ...]) -> None:
    for sql in statements:
        raw.execute(sql)


def _load(raw: Any, plan: Plan, report: base.IngestReport, input_id: str | None) -> None:
    """The steps of :func:`parcours.store.ingest._store`, in its order."""
    at = datetime.now(UTC).replace(tzinfo=None)
    _set(raw, "parcours_ingest_now", at)
    _set(raw, "parcours_ingest_latest", at + plan.shape.settings.latest_ts_ahead)
    _set(raw, "parcours_ingest_batch", report.batch_id)
    _set(raw, "parcours_ingest_source", report.source)
    _set(raw, "parcours_ingest_input", input_id or "")
    _run(raw, plan.stage)

    _run(raw, plan.looked)
    missing = [row[0] for row in raw.execute(plan.missing).fetchall()]
    parsed = pa.table(
        {
            "__raw": pa.array(missing, pa.string()),
            "__e164": pa.array([normalize_phone(p, plan.region) for p in missing], pa.string()),
        }
    )
    raw.register(PARSED, parsed)
    _run(raw, plan.lookup)

    _run(raw, plan.known)
    doubtful = int(_one(raw, plan.doubtful)) > 0
    _run(raw, plan.judged(doubtful))
    _run(raw, plan.aside)
    n = {row["__fate"]: int(row["n"]) for row in _rows(raw, plan.fates)}
    if n.get("replace"):  # pragma: no cover - the default mapping keeps the first version
        raise AssertionError("on_conflict: latest is not compiled")
    total = int(_one(raw, plan.total))
    set_aside = int(_one(raw, plan.set_aside))
    n_invalid = set_aside - n.get("conflict", 0)
    skips = _rows(raw, plan.skips)
    n_skipped = sum(int(row["n"]) for row in skips)
    records = plan.records() if set_aside else None
    if records is not None:
        _run(raw, records["create"])

    raw.execute("BEGIN TRANSACTION")
    try:
        _set(raw, "parcours_ingest_last", _one(raw, plan.last_seq) or 0)
        before = int(_one(raw, plan.count))
        raw.execute(plan.insert_fresh)
        n["new"] = n.get("new", 0) + int(_one(raw, plan.count)) - before
        raw.execute(plan.insert_judged)
        if records is not None:
            raw.execute(records["keep"])
        if len(parsed):
            if not plan.shape.phones_table:  # made on first use, as remember_phones does
                columns = DERIVED[PHONES].to_sqlglot_column_defs("duckdb")
                raw.execute(
                    sge.Create(
                        kind="TABLE",
                        this=sge.Schema(this=sg.table(PHONES, quoted=True), expressions=columns),
                        exists=True,
                    ).sql("duckdb")
                )
            raw.execute(plan.remember_phones)
        report.accepted = n.get("new", 0)
        report.conflicts = n.get("conflict", 0)
        report.rejected = n_invalid
        report.skipped = n_skipped
        report.skips = {row["reason"]: int(row["n"]) for row in skips}
        report.count_duplicates(total, n_invalid)
        if records is not None:
            reasons = _rows(raw, records["reasons"])
            report.reasons = {r["reason"]: int(r["n"]) for r in reasons}
            report.rejections = [
                (int(r["row"]), r["reason"]) for r in _rows(raw, records["listed"])
            ]
        _insert_batch(raw, report, at)
        if report.accepted:
            _bump_data_version(raw)
            raw.execute("DELETE FROM meta WHERE key = 'identities_current'")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")


def _insert_batch(raw: Any, report: base.IngestReport, started: datetime) -> None:
    """The ``batches`` row of the ingest (as :func:`parcours.store.ingest._store` writes)."""
    _insert_row(
        raw,
        "batches",
        {
            "batch_id": report.batch_id,
            "target": TARGET,
            "source": report.source,
            "started_at": started,
            "finished_at": datetime.now(UTC).replace(tzinfo=None),
            "rows": report.rows,
            "accepted": report.accepted,
            "duplicates": report.duplicates,
            # Input rows set aside in `rejected`: invalid ones and conflicts.
            "rejected": report.rejected + report.conflicts,
        },
    )


def _insert_row(raw: Any, name: str, values: dict[str, Any]) -> None:
    columns = TABLES[name].names
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    raw.execute(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', [values[c] for c in columns])


def _bump_data_version(raw: Any) -> None:
    """:func:`parcours.store.schema.bump_data_version`, in plain statements."""
    found = raw.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    version = int(found[0] if found is not None and found[0] is not None else 0) + 1
    raw.execute("DELETE FROM meta WHERE key = 'data_version'")
    raw.execute("INSERT INTO meta (key, value) VALUES ('data_version', ?)", [str(version)])


# -- the events the collector refused at the door -----------------------------------------

REFUSED = PREFIX + "refused"
REFUSED_SCHEMA = ibis.schema(
    {
        "row": "int64",
        "reason": "string",
        "record": "string",
        "source": "string",
        "input_id": "string",
    }
)


@lru_cache(maxsize=1)
def _keep_refused_sql() -> str:
    rows = ibis.table(REFUSED_SCHEMA, name=REFUSED)
    new = base.rejected_rows(
        rows,
        batch_id=_var("parcours_ingest_batch"),
        target=TARGET,
        input_id=None,  # each row tells its own
        now=_var("parcours_ingest_now"),
    )
    kept = ibis.table(TABLES["rejected"], name="rejected")
    return _insert("rejected", new.anti_join(kept, new.record_id == kept.record_id))


def keep_refused(con: Any, rows: pa.Table, source_name: str) -> None:
    """Keep ``rows`` (the columns of :data:`REFUSED_SCHEMA`: events refused at the door,
    each with the input it came in) in ``rejected`` as
    :func:`parcours.store.ingest.keep_rejected` does, those not kept already, with a
    ``batches`` row, in one transaction; through SQL compiled once."""
    raw = duckdb_connection(con)
    batch_id = uuid.uuid4().hex[:16]
    now = datetime.now(UTC).replace(tzinfo=None)
    raw.register(REFUSED, ds.dataset(rows.cast(REFUSED_SCHEMA.to_pyarrow())))
    try:
        _set(raw, "parcours_ingest_batch", batch_id)
        _set(raw, "parcours_ingest_now", now)
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(_keep_refused_sql())
            _insert_row(
                raw,
                "batches",
                {
                    "batch_id": batch_id,
                    "target": TARGET,
                    "source": source_name,
                    "started_at": now,
                    "finished_at": datetime.now(UTC).replace(tzinfo=None),
                    "rows": len(rows),
                    "accepted": 0,
                    "duplicates": 0,
                    "rejected": len(rows),
                },
            )
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")
    finally:
        raw.unregister(REFUSED)
