"""What the server holds: its settings and one workspace, shared by requests running at once.

The server opens ONE workspace and keeps it for its life (its connection, its caches). Two
kinds of use share it:

* **Writes** (ingestion, map saves, keys, an erasure, everything the local channel runs that
  is not a read) go through one writer: :meth:`ServerState.workspace`, the workspace's own
  connection under a lock. Their order matters (ingestion is an anti-join then an insert,
  for idempotence: two requests carrying the same event must not both find it new), so
  they never interleave.
* **Reads** (analyses, the dashboard's pages, map reads, the CLI's analyses) run in
  parallel, each on a DuckDB cursor of its own (``con.cursor()``: another connection to
  the same database, as DuckDB wants one per thread) wrapped in an Ibis backend
  (:meth:`ServerState.reader`, a :class:`ReadingWorkspace`). FastAPI runs each request in
  its threadpool; DuckDB's MVCC gives each analysis a consistent snapshot (one
  transaction) while writes commit beside it. A long analysis holds no lock: it never
  blocks another request.

An analysis is not a pure read: it may need the journey table built or brought up to date
(derived tables, written to the file) and it keeps its result in the results store. Both go
through the writer: the journey table is brought up to date there first, then the analysis
computes on its cursor, then its result is kept under the writer lock, only when the data
did not change meanwhile (see :meth:`ReadingWorkspace.analyze`).

One write needs the file to itself: the rewrite of an erasure (``forget``, ``compact``)
closes the connection and swaps the file, which an open cursor forbids. It waits until the
readers running have finished and lets no new one start meanwhile
(:meth:`ServerState.exclusive`).

While it serves, the server also answers the CLI and ``parcours.open`` of this machine on
its local channel (:mod:`parcours.api.local`, :mod:`parcours.remote`): a call that reads
(an analysis, a table) runs as a reader, any other through the writer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import ibis

import parcours
from parcours import remote
from parcours.analyses import REGISTRY, Analysis, Result, get
from parcours.api.loader import Loader
from parcours.config import CollectorSettings, Settings, from_env
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store import collector, identity, journey_store, keys, results, schema
from parcours.store.engine import duckdb_connection, first_row
from parcours.store.keys import ApiKey
from parcours.store.results import ResultKeys
from parcours.store.spool import Spool, spool_folder

log = logging.getLogger("parcours.api")

MB = 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    """Settings of the REST server.

    body_limit: largest JSON body accepted (the collector's batches), in bytes.
    upload_limit: largest file upload accepted, in bytes.
    max_batch: most events one collector request may carry.
    collector: the collector's spool (:class:`parcours.config.CollectorSettings`).
    """

    body_limit: int = 10 * MB
    upload_limit: int = 512 * MB
    max_batch: int = 10_000
    collector: CollectorSettings = dataclasses.field(default_factory=CollectorSettings)

    @classmethod
    def from_env(cls) -> ApiSettings:
        """Defaults with ``PARCOURS_API_BODY_LIMIT``, ``PARCOURS_API_UPLOAD_LIMIT`` and
        ``PARCOURS_API_MAX_BATCH`` applied (numbers of bytes, or of events)."""
        values = {}
        for field, var in (
            ("body_limit", "PARCOURS_API_BODY_LIMIT"),
            ("upload_limit", "PARCOURS_API_UPLOAD_LIMIT"),
            ("max_batch", "PARCOURS_API_MAX_BATCH"),
        ):
            raw = os.environ.get(var)
            if raw is None:
                continue
            if not raw.isdigit() or int(raw) <= 0:
                raise InputError(f"{var}={raw!r} is not allowed; give a positive whole number")
            values[field] = int(raw)
        return cls(**values, collector=CollectorSettings.from_env())


# What the local channel runs as a reader: the analyses and the workspace's reads. Any other
# call (ingest, save_map, keys through ``apply``, ...) goes through the writer.
LOCAL_READS = frozenset(REGISTRY) | {
    "analyze",
    "journey_table",
    "journeys",
    "identities",
    "shared_identifiers",
    "events",
    "customers",
    "feedback",
    "rejected",
    "table",
    "counts",
    "coverage",
    "maps",
    "map_record",
    "load_map",
    "map_versions",
    "map_diff",
    "default_map",
    # ``parcours status`` applies this function to the connection (remote.served_status)
    "con.apply:parcours.remote._status_in_server",
}
# Local calls that rewrite the file: no cursor may be open meanwhile.
LOCAL_EXCLUSIVE = frozenset({"forget", "compact"})

# DuckDB's progress bar, computed but not printed: query_progress() reads it.
PROGRESS_ON = "SET enable_progress_bar = true; SET enable_progress_bar_print = false"

# How often an analysis computes again when a write moved the data on between bringing
# the journey table up to date and taking its snapshot, before it runs under the writer.
ATTEMPTS = 3


class NotKept(LookupError):
    """What a reader asked for only what is kept (its ``kept_only``) would have to compute."""


class ServerState:
    """The server's workspace: one writer (:meth:`workspace`), readers on their own
    cursors (:meth:`reader`)."""

    def __init__(
        self,
        workspace: str | Path | parcours.Workspace,
        settings: ApiSettings,
        workspace_settings: Settings | None = None,
    ):
        # A path is opened (and closed) here; an open workspace stays its caller's.
        self._workspace: parcours.Workspace
        if isinstance(workspace, parcours.Workspace):
            self.owned = False
            self._workspace = workspace
        else:
            self.owned = True
            self._workspace = parcours.open(
                workspace, settings=workspace_settings or from_env(), direct=True
            )
        self.settings = settings
        # The file the server holds (None in memory), and the credential of the local
        # channel that the CLI uses meanwhile (see parcours.remote).
        url = self._workspace.url
        self.workspace_path = (
            str(Path(url.removeprefix("duckdb://")).resolve()) if remote.is_file_path(url) else None
        )
        self.local_token = remote.new_token()
        # Where this server answers on the machine, once it serves (parcours.cli.serve sets
        # it): the app writes the server file while it runs (see announced).
        self.local_url: str | None = None
        # The writer: whoever holds it uses the workspace's own connection.
        self.lock = threading.RLock()
        # Readers running, and rewrites of the file waiting for them to finish.
        self._gate = threading.Condition()
        self._readers = 0
        self._exclusive = 0
        # Cursors exist on DuckDB only; on another engine every use goes through the writer.
        self.concurrent = self._workspace.con.name == "duckdb"
        if self.concurrent:  # DuckDB keeps query_progress() current only with this on
            self._workspace.con.raw_sql(PROGRESS_ON)
        # Saved maps already read by the readers (see ReadingWorkspace.load_map).
        self.read_maps: dict[tuple[str, str], JourneyMap] = {}
        self.read_maps_lock = threading.Lock()
        # Keys already checked, by the SHA-256 of their token (only keys that passed: an
        # unknown token is looked up each time, so guessing cannot fill the memory). While
        # the server runs it holds the workspace file, so keys change only through
        # /v1/keys or the local channel (the CLI), which both call forget_keys().
        self.known_keys: dict[str, ApiKey] = {}
        # The collector: batches checked together, spooled beside the workspace file (in
        # a folder of its own for an in-memory workspace), loaded by a thread.
        self.checker = collector.Checker(self._workspace.settings)
        self._spool_temp = None
        if self.workspace_path is not None:
            folder = spool_folder(self.workspace_path)
        else:
            self._spool_temp = tempfile.TemporaryDirectory(prefix="parcours-spool-")
            folder = Path(self._spool_temp.name) / "memory.spool"
        self.spool = Spool(folder, settings.collector.spool_limit)
        spooling = settings.collector
        self.loader = Loader(self.spool, self.workspace, spooling.load_bytes, spooling.load_every)

    def start_collector(self) -> None:
        """Load what the spool holds from a previous run, then start the loader: before
        the server serves. The rules and the keys are made ready first (milliseconds), so
        that the first requests (a site's tag sending as the server comes back) find them."""
        self.checker.warm()
        self.know_keys()
        replayed = self.loader.replay()
        if replayed.batches:
            log.info(
                "collector: %d batches left in the spool loaded (%d events stored)",
                replayed.batches,
                replayed.accepted,
            )
        self.loader.start()

    @contextmanager
    def workspace(self) -> Iterator[parcours.Workspace]:
        """The writer: the workspace's own connection, for the time of one ``with`` block,
        with no other writer using it (readers go on, on their cursors)."""
        with self.lock:
            yield self._workspace

    @contextmanager
    def reader(self) -> Iterator[parcours.Workspace]:
        """A workspace for reading, for the time of one ``with`` block: its own DuckDB
        cursor (closed at the end), no lock held (see :class:`ReadingWorkspace`)."""
        if not self.concurrent:
            with self.workspace() as ws:
                yield ws
            return
        with self._gate:
            self._gate.wait_for(lambda: not self._exclusive)
            self._readers += 1
        cursor = None
        try:
            cursor = duckdb_connection(self._workspace.con).cursor()
            yield ReadingWorkspace(self, cursor)
        finally:
            if cursor is not None:
                cursor.close()
            with self._gate:
                self._readers -= 1
                self._gate.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[parcours.Workspace]:
        """The writer, once every reader running has finished, with no new one started
        until the block ends: for a rewrite of the file (no cursor may be open on it)."""
        with self._gate:
            self._exclusive += 1
            self._gate.wait_for(lambda: self._readers == 0)
        try:
            with self.workspace() as ws:
                yield ws
        finally:
            with self._gate:
                self._exclusive -= 1
                self._gate.notify_all()

    def keep_result(self, keys: ResultKeys, analysis: str, version: int, result: Result) -> bool:
        """Keep a result a reader computed on data version ``version``, through the writer.
        When events came in meanwhile it is kept under its own version (the latest answer to
        its request, for a reader who accepts one a little older: a collector moves the data
        on every few seconds); not when a person was erased meanwhile (their rows must not
        come back in a result computed before)."""
        with self.workspace() as ws:
            if results.erased_since(ws.con, version):
                log.info("results: %s not kept, a person was erased while it ran", analysis)
                return False
            return results.save(ws.con, keys.result, keys.request, analysis, version, result)

    def announced(self) -> AbstractContextManager[None]:
        """Say beside the workspace file that this server holds it, for the time of a
        ``with`` block (the app's life): the CLI and ``parcours.open`` then go through it."""
        if self.local_url is None or self.workspace_path is None:
            return nullcontext()
        return remote.announced(self.workspace_path, self.local_url, self.local_token)

    async def run_local(self, body: bytes) -> bytes:
        """A call of the local channel (:func:`parcours.remote.serve_call`), in a worker
        thread: as a reader when it reads (:data:`LOCAL_READS`), else through the writer.
        It may have changed the keys: they are checked again from now on."""
        from fastapi.concurrency import run_in_threadpool

        name = _local_method(body)
        if name in LOCAL_READS:
            use: Callable[[], AbstractContextManager[Any]] = self.reader
        elif name in LOCAL_EXCLUSIVE:
            use = self.exclusive
        else:
            use = self.workspace

        def run() -> bytes:
            if name in LOCAL_EXCLUSIVE:  # an erasure: the events acknowledged before it first
                self.loader.wait_empty()
            with use() as ws:
                return remote.serve_call(ws, body)

        try:
            return await run_in_threadpool(run)
        finally:
            if name not in LOCAL_READS:
                self.forget_keys()

    def verify(self, token: str) -> ApiKey | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        if digest in self.known_keys:
            return self.known_keys[digest]
        with self.reader() as ws:
            key = keys.verify_key(ws.con, token)
        if key is not None:
            self.known_keys[digest] = key
        return key

    def forget_keys(self) -> None:
        self.known_keys.clear()

    def know_keys(self) -> None:
        """Every active key, by its token's digest, as :meth:`verify` would find them."""
        with self.reader() as ws:
            self.known_keys.update(keys.active_by_digest(ws.con))

    def close(self) -> None:
        # The app may serve again after its stop (a test client started twice): the spool
        # folder of an in-memory workspace stays until the state is collected.
        self.loader.stop()
        self.spool.close()
        self.checker.close()
        if self.owned:
            with self.exclusive():
                self._workspace.close()


def _local_method(body: bytes) -> str | None:
    """The workspace method a local call starts with (``ws.funnel(...)``: ``funnel``), or
    the function it applies to the connection (``con.apply:module.function``), read without
    running it; None when it starts otherwise or does not load."""
    try:
        steps = remote._Unpickler(body, lambda steps: None).load()
        first = steps[0]
        if first == ("getattr", "con") and steps[1][0] == "apply":
            function = steps[1][1]
            return f"con.apply:{function.__module__}.{function.__qualname__}"
    except Exception:  # noqa: BLE001 - serve_call answers with the error itself
        return None
    return first[1] if first[0] == "getattr" and isinstance(first[1], str) else None


class StoppableCursor:
    """A reader's DuckDB cursor that refuses any new use once :attr:`stopped` (it raises
    DuckDB's own ``InterruptException``, as an interrupted query does), save reading its
    progress, interrupting it and closing it."""

    ALWAYS = frozenset({"interrupt", "query_progress", "close"})

    def __init__(self, cursor: Any):
        self._cursor = cursor
        self.stopped = False

    def __getattr__(self, name: str) -> Any:
        if self.stopped and name not in self.ALWAYS:
            raise duckdb.InterruptException("the server is stopping: this reader was interrupted")
        return getattr(self._cursor, name)


class ReadingWorkspace(parcours.Workspace):
    """The server's workspace seen through one DuckDB cursor, for one reader.

    It reads as the workspace does (the same tables, maps and kept results) on a
    connection of its own; what an analysis would write goes through the server's writer:
    the identities and the journey table are brought up to date there (on the writer's
    connection, then read here), and a result is kept there (:meth:`ServerState.keep_result`).
    Do not write through it: ingestion, map saves and erasures belong to the writer."""

    def __init__(self, state: ServerState, cursor: Any):
        # What the server's workspace holds (url, settings, map in use, ...), but not its
        # connection nor its per-connection caches.
        self.__dict__.update(state._workspace.__dict__)
        self._stoppable = StoppableCursor(cursor)
        self.con = ibis.duckdb.from_connection(self._stoppable)
        self.con.raw_sql(PROGRESS_ON)
        # The connection running this reader's query now: its cursor, or the writer's while
        # it brings the journey table up to date for it (see query_progress).
        self._working = cursor
        self._journey_cache = {}
        self._journey_lock = threading.RLock()
        self._read_maps = state.read_maps
        self._state = state
        self._in_snapshot = False
        # How a computed result is kept: through the writer, now (the REST route defers it
        # until its answer is sent).
        self.keep: Callable[[ResultKeys, str, int, Result], Any] = state.keep_result
        # Set by a caller that may only read what is kept (the dashboard's look before it
        # queues a page, see parcours.web.jobs): computing an analysis or bringing a table
        # up to date raises NotKept instead, and ``refused`` stays True afterwards (a caller
        # such as the canvas may have caught the error and drawn without that analysis).
        self.kept_only = False
        self.refused = False

    def load_map(self, map_id: str, version: int | None = None) -> JourneyMap:
        # The maps read are shared by the readers of every thread.
        with self._state.read_maps_lock:
            return super().load_map(map_id, version)

    # -- what the writer brings up to date ----------------------------------------------

    def _current(self, jm: JourneyMap) -> bool:
        """Are the identities resolved and the journey table of ``jm`` stored for them?"""
        if schema.read_meta(self.con, "identities_current") is None:
            return False
        row = first_row(
            self.con,
            "SELECT j.identity_version FROM journey_tables j JOIN duckdb_tables() t "
            "ON t.table_name = j.name AND NOT t.temporary WHERE j.name = ?",
            [journey_store.table_name(jm)],
        )
        return row is not None and int(row[0]) == identity.identity_version(self.con)

    def _refuse_when_kept_only(self, what: str) -> None:
        if self.kept_only:
            self.refused = True
            raise NotKept(f"{what} is not kept for this data: it must be computed")

    def _bring_up_to_date(self, jm: JourneyMap | None) -> None:
        """Resolve the identities and store the journey table of ``jm``, through the writer
        (a second reader asking meanwhile finds them done)."""
        self._refuse_when_kept_only("the journey table" if jm else "the identities")
        with self._state.workspace() as ws:
            self._working = duckdb_connection(ws.con)
            try:
                if jm is None:
                    ws.identities()
                else:
                    ws.journey_table(jm)
            finally:
                self._working = duckdb_connection(self.con)

    def query_progress(self) -> float | None:
        """How far the query run for this reader is, in percent (DuckDB's own estimate, per
        query: an analysis runs several): on its cursor, or on the writer's connection while
        it brings the journey table up to date; None when none runs or DuckDB cannot tell.
        Safe to call from another thread while the reader works."""
        reading = self._working.query_progress()
        return reading if reading >= 0 else None

    def interrupt(self) -> None:
        """Stop the query run for this reader now (it raises in the reader's thread), and
        refuse the next ones on its cursor: the server stopping does not wait for a long
        analysis (an analysis runs many queries; DuckDB's interrupt ends one)."""
        self._stoppable.stopped = True
        self._working.interrupt()

    def identities(self) -> ibis.Table:
        if schema.read_meta(self.con, "identities_current") is None and not self._in_snapshot:
            self._bring_up_to_date(None)
        return self.con.table("identities")

    def journey_table(self, jm: JourneyMap | None = None) -> ibis.Table:
        jm = jm or self.default_map()
        if not self._in_snapshot and not self._current(jm):
            self._bring_up_to_date(jm)
        stored = self.con.table(journey_store.table_name(jm))
        return stored.drop(journey_store.SET)

    # -- analyses -----------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One transaction on this cursor: every read of the block sees the same data,
        whatever the writer commits meanwhile. It writes nothing to keep (temporary tables
        at most): rolled back at the end."""
        if self._in_snapshot:
            yield
            return
        self.con.raw_sql("BEGIN TRANSACTION")
        self._in_snapshot = True
        try:
            yield
        finally:
            self._in_snapshot = False
            self.con.raw_sql("ROLLBACK")

    def analyze(
        self,
        name: str,
        map: JourneyMap | None = None,  # noqa: A002
        by: str | None = None,
        lang: str | None = None,
        *,
        scope: Any = None,
        fresh: bool = False,
        max_age: timedelta | float | None = None,
        **params: Any,
    ) -> Result:
        """As :meth:`parcours.Workspace.analyze` (a kept result read, else computed and
        kept), on this cursor's snapshot: the journey table is brought up to date through
        the writer first; the result is computed in one snapshot holding that table, and
        kept through the writer (:attr:`keep`)."""
        analysis = get(name)
        jm = map or self.default_map()
        for _ in range(ATTEMPTS):
            with self.snapshot():
                keys, version, found = self._kept_result(
                    analysis, jm, by, lang, scope, params, fresh, max_age
                )
                if found is not None:
                    return found
                if self._current(jm):
                    result = self._compute(analysis, jm, by, lang, scope, params)
                    break
            # Not stored for this data yet (or a write came in between): the writer stores it.
            self._bring_up_to_date(jm)
        else:  # the data keeps moving: run it on the writer's connection
            with self._state.workspace() as ws:
                return ws.analyze(name, jm, by, lang, scope=scope, fresh=fresh, **params)
        if keys is not None:
            self._keep_result(keys, name, version, result)
        return result

    def _compute(
        self,
        analysis: Analysis,
        jm: JourneyMap,
        by: str | None,
        lang: str | None,
        scope: Any,
        params: dict[str, Any],
    ) -> Result:
        self._refuse_when_kept_only(f"analysis '{analysis.name}'")
        return super()._compute(analysis, jm, by, lang, scope, params)

    def _keep_result(self, keys: ResultKeys, name: str, version: int, result: Result) -> None:
        self.keep(keys, name, version, result)  # through the writer (see __init__)
