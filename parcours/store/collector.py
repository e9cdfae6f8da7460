"""The collector's side of the store: a batch checked by the ingest's own rules before it is
answered, and spooled batches loaded in bulk.

**Checking** (:func:`check_rows`). The rules an event must pass are those of the ingest
(:func:`parcours.store.ingest.stage`), written once, as Ibis expressions. The collector
compiles them once for a table of the event fields (and again each minute, as the window
of plausible timestamps moves), and runs that SQL over each batch on an in-memory DuckDB
connection: no workspace, no writer. Binding and planning that query is most of its cost:
it is prepared once, and the batches of requests that arrive together are checked in one
run (:class:`Checker`). What the stage reads outside the fields (a NUL byte in a property,
a phone that is no phone number) is checked here with the ingest's own messages. So the
reasons a collector answers are the reasons the same events get from ``parcours ingest``.

**Loading** (:func:`load`). The loader hands over many spooled batches at once. Their valid
events go through :meth:`Workspace.ingest_collected` (the ingest, its SQL compiled once per
shape: :mod:`parcours.store.ingest_compiled`) in one table per source and per list of
names (an event's properties are its own, in its order: no column of another event is added
to it, and the content key of an event without ``event_id`` does not depend on the batches
loaded with it): one ingest, one transaction, for many batches; the dedupe on ``event_id``
is the ingest's, exact. A batch sent twice and loaded in one go is loaded once. The events
refused at the door go to ``rejected`` with the reason they were answered, numbered by their
position in their request (from 1), keyed by their batch as before: a retried batch adds
nothing there. Loading the same batches again (after a stop between the commit and the
removal of the spool segment) adds nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import duckdb
import ibis
import orjson
import pyarrow as pa

from parcours.config import Settings
from parcours.store import ingest_compiled
from parcours.store.ingest import not_a_phone, nul_reason, quote_text, stage
from parcours.store.mapping import ALIASES, FIELDS, ColumnMapping
from parcours.store.normalize import normalize_phone

EVENT_FIELDS = FIELDS["events"]
_BATCH = "collector_batch"  # the name the compiled rules read

Row = dict[str, str | None]  # an event as a row of text cells (see parcours.api.ingest)


def canonical(row: Row) -> Row:
    """``row`` with its time under ``ts`` when it came under an alias (``timestamp``,
    ``time``, ``date``: the first one present), as a file's column would be read."""
    for name, aliases in ALIASES.items():
        if name in row:
            continue
        found = next((a for a in aliases if a in row), None)
        if found is not None:
            row = {(name if k == found else k): v for k, v in row.items()}
    return row


# How long compiled rules serve: the latest plausible time is the time of compiling plus
# Settings.latest_ts_ahead.
RULES_SECONDS = 60


@lru_cache(maxsize=4)
def _rules(settings: Settings, period: int) -> str:
    """The SQL of the ingest's rules over a batch of event fields, compiled for the period
    ``period`` (a number of :data:`RULES_SECONDS` since 1970)."""
    raw = ibis.table({**dict.fromkeys(EVENT_FIELDS, "string"), "__row": "int64"}, name=_BATCH)
    staged = stage("events", raw, ColumnMapping.parse("events", None), "collector", settings)
    checked = staged.table.select("__row", "__reason", "__phone")
    return str(ibis.to_sql(checked, dialect="duckdb"))


class _Rules:
    """The rules ready to run: an in-memory DuckDB in UTC (as a workspace's session is),
    the batch as its temporary table, and the rules prepared over it (binding and planning
    them is most of their cost: done once per period, not per batch).

    The batch goes into the table through a relation (``from_arrow``), not a registered
    view: registering or dropping a view changes the connection's catalog, and DuckDB then
    binds and plans every prepared statement again (three times the cost of running the
    rules over a request of 100 events)."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'; SET memory_limit = '256MB'; SET threads = 1")
        columns = ", ".join(f'"{n}" VARCHAR' for n in EVENT_FIELDS)
        self.con.execute(f"CREATE TEMP TABLE {_BATCH} ({columns}, __row BIGINT)")
        self.prepared: str | None = None

    def run(self, table: pa.Table, sql: str) -> list[tuple[Any, ...]]:
        if sql != self.prepared:
            if self.prepared is not None:
                self.con.execute("DEALLOCATE rules")
            self.con.execute("PREPARE rules AS " + sql)
            self.prepared = sql
        self.con.execute(f"DELETE FROM {_BATCH}")
        self.con.from_arrow(table).insert_into(_BATCH)
        return self.con.execute("EXECUTE rules").fetchall()

    def close(self) -> None:
        self.con.close()


class Checker:
    """:func:`check_rows` for the request threads of a server, their batches checked
    together: running the rules costs a fixed part and little per row, so whoever finds
    the checker free checks every batch waiting at that moment, its own among them, and
    hands each its reasons."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._waiting: list[tuple[list[Row], Future[list[str | None]]]] = []
        self._waiting_lock = threading.Lock()
        self._running = threading.Lock()
        self._runner: _Rules | None = None
        # The compiled rules and their period; compiled again beside the requests (a second
        # of CPU) when the period is over, the old ones serving meanwhile.
        self._rules: tuple[int, str] | None = None
        self._compiling = threading.Lock()

    def warm(self) -> None:
        """Compile the rules now and prepare them on the checker's connection (the server
        does before it serves: its first requests do not wait for either)."""
        with self._running:
            if self._runner is None:
                self._runner = _Rules()
            self._runner.run(_batch_table([]), self._compile())

    def _compile(self) -> str:
        period = _period()
        self._rules = (period, _rules(self.settings, period))
        return self._rules[1]

    def _current_rules(self) -> str:
        """The rules' SQL (a check holds ``_running``: prepared by the runner, not here)."""
        if self._rules is None:
            self._compile()
        assert self._rules is not None
        period, sql = self._rules
        if period != _period() and self._compiling.acquire(blocking=False):

            def compile_again() -> None:
                try:
                    self._compile()
                finally:
                    self._compiling.release()

            threading.Thread(target=compile_again, name="parcours-rules", daemon=True).start()
        return sql

    def check(self, rows: list[Row]) -> list[str | None]:
        mine: Future[list[str | None]] = Future()
        with self._waiting_lock:
            self._waiting.append((rows, mine))
        with self._running:
            if not mine.done():  # not checked by the one who ran before: check all waiting
                with self._waiting_lock:
                    taken, self._waiting = self._waiting, []
                self._run(taken)
        return mine.result()

    def _run(self, taken: list[tuple[list[Row], Future[list[str | None]]]]) -> None:
        try:
            if self._runner is None:
                self._runner = _Rules()
            every = [r for rows, _ in taken for r in rows]
            reasons = check_rows(every, self.settings, self._runner, self._current_rules())
        except BaseException as exc:  # each waiting request answers it
            for _, future in taken:
                future.set_exception(exc)
            return
        start = 0
        for rows, future in taken:
            future.set_result(reasons[start : start + len(rows)])
            start += len(rows)

    def close(self) -> None:
        with self._running:
            if self._runner is not None:
                self._runner.close()
                self._runner = None


def _period() -> int:
    return int(time.time() // RULES_SECONDS)


def check_rows(
    rows: list[Row],
    settings: Settings,
    runner: _Rules | None = None,
    sql: str | None = None,
) -> list[str | None]:
    """For each row (canonical: see :func:`canonical`), the reason the ingest would reject
    it, or None. ``runner`` and ``sql``: the rules ready to run, and their SQL (made here
    when not given)."""
    if not rows:
        return []
    reasons: list[str | None] = [
        next((nul_reason(k) for k, v in row.items() if v and "\x00" in v), None) for row in rows
    ]
    table = _batch_table(rows)
    own = runner is None
    runner = runner or _Rules()
    try:
        checked = runner.run(table, sql or _rules(settings, _period()))
    finally:
        if own:
            runner.close()
    region = settings.phone_region
    for number, reason, phone in checked:
        index = number - 1
        if reasons[index] is not None:
            continue
        if reason is None and phone is not None and normalize_phone(phone, region) is None:
            reason = not_a_phone(quote_text(phone), region)
        reasons[index] = reason
    return reasons


def _batch_table(rows: list[Row]) -> pa.Table:
    """The rows as the rules read them: the event fields as text, and each row's number."""
    return pa.table(
        {
            **{n: pa.array([row.get(n) for row in rows], pa.string()) for n in EVENT_FIELDS},
            "__row": pa.array(range(1, len(rows) + 1), pa.int64()),
        }
    )


# -- what the spool holds -----------------------------------------------------------------


@dataclass
class Batch:
    """One acknowledged request: its valid events as rows with their position in the
    request (from 0), and the events refused with their record (as sent) and reason."""

    source: str
    digest: str  # what tells this request from another (a retry has the same)
    rows: list[tuple[int, Row]] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)

    def encode(self) -> bytes:
        body = {"source": self.source, "digest": self.digest, "rows": self.rows}
        body["refused"] = self.refused
        return orjson.dumps(body)  # the JSON json.dumps writes, in a fifth of its time

    @classmethod
    def decode(cls, payload: bytes) -> Batch:
        body = orjson.loads(payload)
        rows = [(int(p), r) for p, r in body["rows"]]
        refused = [(int(p), rec, why) for p, rec, why in body["refused"]]
        return cls(body["source"], body["digest"], rows, refused)


@dataclass
class LoadReport:
    """What one load did: batches loaded (a batch sent twice in the load counts once),
    events stored, duplicates, conflicts and rejected rows (refused at the door, or by the
    ingest)."""

    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0


def load(ws: Any, batches: list[Batch]) -> LoadReport:
    """Store ``batches`` in the workspace ``ws`` (the server's writer): see module doc."""
    unique: dict[tuple[str, str], Batch] = {}
    for batch in batches:
        unique.setdefault((batch.source, batch.digest), batch)
    report = LoadReport(batches=len(unique))
    by_source: dict[str, list[Batch]] = {}
    for batch in unique.values():
        by_source.setdefault(batch.source, []).append(batch)
    for source, group in by_source.items():
        report.rejected += _keep_refused(ws.con, source, group)
        shapes: dict[tuple[str, ...], list[tuple[int, Row]]] = {}
        for batch in group:
            for position, row in batch.rows:
                shapes.setdefault(tuple(row), []).append((position, row))
        for names, rows in shapes.items():
            table = pa.table(
                {n: pa.array([row.get(n) for _, row in rows], pa.string()) for n in names}
            )
            digest = hashlib.sha256("\x1f".join(b.digest for b in group).encode()).hexdigest()
            done = ws.ingest_collected(table, source_name=source, input_id=digest[:32])
            if done.rejections:  # number them by their place in their request
                _renumber(ws.con, done.batch_id, [position + 1 for position, _ in rows])
            report.accepted += done.accepted
            report.duplicates += done.duplicates
            report.conflicts += done.conflicts
            report.rejected += done.rejected
    return report


def _keep_refused(con: Any, source: str, group: list[Batch]) -> int:
    """Keep the events refused at the door in ``rejected``, with a ``batches`` row."""
    refused = [(b.digest, p, rec, why) for b in group for p, rec, why in b.refused]
    if not refused:
        return 0
    rows = pa.table(
        {
            "row": [p + 1 for _, p, _, _ in refused],
            "reason": [why for _, _, _, why in refused],
            "record": [rec for _, _, rec, _ in refused],
            "source": [source] * len(refused),
            "input_id": [digest for digest, _, _, _ in refused],
        }
    )
    ingest_compiled.keep_refused(con, rows, source)
    return len(refused)


def _renumber(con: Any, batch_id: str, positions: list[int]) -> None:
    """The rows an ingest of a load set aside, numbered as in their request."""
    con.raw_sql(
        "UPDATE rejected SET row_number = m.batch_row FROM "
        "(SELECT unnest(?) AS table_row, unnest(?) AS batch_row) AS m "
        "WHERE rejected.batch_id = ? AND rejected.row_number = m.table_row",
        parameters=[list(range(1, len(positions) + 1)), positions, batch_id],
    )
