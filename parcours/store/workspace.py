"""The store of a workspace: one Ibis backend holding the tables of a brand's journeys.

    >>> from parcours.store import open
    >>> ws = open(":memory:")
    >>> sorted(ws.counts())
    ['batches', 'customers', 'events', 'feedback', 'identities', 'maps', 'rejected']

The default is an embedded DuckDB file. Any Ibis connection URL works for reading and
analysing (``ws.journeys(jm)`` is a plain Ibis expression); ingestion streams files through
DuckDB and needs a DuckDB workspace.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from parcours.config import Settings
from parcours.errors import InputError, NotFoundError, SourceError, WorkspaceError
from parcours.maps import JourneyMap, nesting
from parcours.maps.diff import map_diff
from parcours.store import comments as map_comments
from parcours.store import (
    compact,
    identity,
    ingest_compiled,
    journey_store,
    journeys,
    privacy,
    schema,
    sources,
    spark,
    spark_csv,
    spark_files,
    spark_ndjson,
    spark_parquet,
    spark_xes,
)
from parcours.store.boundary import map_exceptions
from parcours.store.compact import Compaction
from parcours.store.engine import PARAMETERISED, first_row, transaction, writing
from parcours.store.ingest import IngestReport, ingest
from parcours.store.mapping import ColumnMapping
from parcours.store.privacy import Erasure
from parcours.store.sources import OpenedSource, open_source
from parcours.store.warehouse import STAGING, WarehouseTables


def connect(url: str | Path, settings: Settings | None = None) -> Any:
    """The Ibis backend of a workspace: a DuckDB file path, ``:memory:``, ``spark:DIR`` (a
    warehouse directory worked on by Spark, see :mod:`parcours.store.spark`) or an Ibis URL."""
    text = str(url)
    if spark.is_spark_url(text):
        return spark.connect(text, settings or Settings())
    with map_exceptions(workspace=text):  # held by another process, not a database, ...
        if "://" in text and not text.startswith("duckdb://"):
            con = ibis.connect(text)
        else:
            path = text.removeprefix("duckdb://")
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = ibis.duckdb.connect(path)
    return con


def open(url: str | Path = "parcours.duckdb", *, settings: Settings | None = None) -> Store:  # noqa: A001
    """Open (or create) the store of a workspace (``parcours.open`` adds the analyses)."""
    settings = settings or Settings()
    return Store(connect(url, settings), str(url), settings)


class Store:
    """Tables, ingestion, identity resolution and the journey table of one workspace."""

    def __init__(self, con: Any, url: str, settings: Settings):
        self.con = con
        self.url = url
        self.settings = settings
        self._map: JourneyMap | None = None
        # Journey tables of engines that cannot store them (see journey_store).
        self._journey_cache: dict[str, ir.Table] = {}
        self._journey_lock = threading.RLock()
        # What opening found and did that the user should hear about (the CLI prints them).
        self.notices: list[str] = []
        if con.name == "duckdb":
            self._configure()
            file = compact.database_file(con)
            if file is not None:  # we hold DuckDB's lock: no rewrite of this file is running
                compact.remove_leftovers(file)
                compact.remove_stale_spill(con, file)
            with transaction(con):
                self.previous_version = schema.migrate(con)
            if file is not None:
                self._check_file(file)
        else:
            with writing(con):  # a warehouse: one commit
                self.previous_version = schema.migrate(con)

    def _configure(self) -> None:
        """DuckDB's resources from the settings: its memory (past it, sorts, joins and
        temporary tables spill to disk), its threads, and where it spills."""
        # Progress is tracked (ingest shows its own bar) but DuckDB's own bar is not printed.
        self.con.raw_sql("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
        import tempfile  # here: the rest of this module needs neither
        import uuid

        settings, sql = self.settings, self.con.raw_sql
        sql(f"SET memory_limit = '{settings.memory_limit}'")  # checked by Settings
        if settings.threads is not None:
            sql(f"SET threads = {int(settings.threads)}")
        folder = settings.temp_directory
        if folder is None and compact.database_file(self.con) is None:
            # In memory DuckDB would spill into ./.tmp: a folder of its own in the system's
            # temporary folder instead (DuckDB makes it when it spills, removes it on close).
            folder = str(Path(tempfile.gettempdir()) / f"parcours-{uuid.uuid4().hex[:12]}.tmp")
        current = sql("SELECT current_setting('temp_directory')").fetchone()[0]
        if folder is not None and folder != current:  # the same: a second Store of the file
            sql("SET temp_directory = '" + folder.replace("'", "''") + "'")

    def _check_file(self, file: Path) -> None:
        """Finish an erasure whose rewrite was interrupted; point out space worth reclaiming."""
        if schema.read_meta(self.con, compact.PENDING) is not None:
            try:
                self.compact()
                self.notices.append(
                    f"{file}: finished the rewrite of an interrupted erasure (`parcours forget`)"
                )
            except WorkspaceError as exc:
                self.notices.append(f"an erasure is not yet out of the file's bytes: {exc}")
            return
        unused = compact.worth_compacting(self.con)
        if unused is not None:
            self.notices.append(compact.unused_notice(file, unused))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, {self.counts()})"

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tables ---------------------------------------------------------------------------

    def table(self, name: str) -> ir.Table:
        if name not in schema.TABLES:
            raise InputError(f"unknown table '{name}'; tables: {', '.join(schema.TABLES)}")
        return self.con.table(name)

    @property
    def events(self) -> ir.Table:
        return self.con.table("events")

    @property
    def customers(self) -> ir.Table:
        return self.con.table("customers")

    @property
    def feedback(self) -> ir.Table:
        return self.con.table("feedback")

    @property
    def rejected(self) -> ir.Table:
        return self.con.table("rejected")

    def counts(self) -> dict[str, int]:
        names = [n for n in schema.TABLES if n != "meta"]
        return {n: int(self.con.table(n).count().to_pyarrow().as_py()) for n in names}

    # -- ingestion ------------------------------------------------------------------------

    def _ingest(
        self,
        target: str,
        source: Any,
        mapping: ColumnMapping | dict[str, Any] | str | Path | None,
        fields: dict[str, Any],
        on_progress: Callable[[float], None] | None,
        source_name: str | None = None,
        input_id: str | None = None,
    ) -> IngestReport:
        if isinstance(mapping, (str, Path)):
            parsed = ColumnMapping.load(target, mapping, overrides=fields)
        elif isinstance(mapping, ColumnMapping):
            parsed = mapping
        else:
            parsed = ColumnMapping.parse(target, mapping, overrides=fields)
        opener = self._spark_reader(source, parsed)
        if opener is not None:
            con, done = self.con, lambda: None
        elif spark_files.is_uri(source):
            with self._fetched(source) as local:
                try:
                    return self._ingest(
                        target, local, parsed, fields, on_progress, source_name or source, input_id
                    )
                except SourceError as error:  # named by its URI, not by the copy's path
                    raise SourceError(str(error).replace(str(local), source)) from None
        else:
            (con, done), opener = self._ingest_connection(), open_source
        try:
            self._check_salt()
            return ingest(
                con,
                target,
                source,
                parsed,
                settings=self.settings,
                on_progress=on_progress,
                source_name=source_name,
                input_id=input_id,
                opener=opener,
            )
        finally:
            done()

    def files_at(self, location: str | Path) -> list[str] | list[Path]:
        """The files an ingest of ``location`` reads, one batch each: the file itself, or the
        files of a folder in name order (a folder of daily exports; a table as Spark writes
        it, its part files without its _SUCCESS and .crc files), a folder holding files of
        another type refused. On a ``spark:DIR`` workspace ``location`` may be a URI
        (``s3a://``, ``hdfs://``), listed by the Spark session's file systems."""
        if spark_files.is_uri(location):
            uri = str(location)
            if not isinstance(self.con, WarehouseTables):
                raise spark_files.not_on_this_engine(uri)
            names = spark_files.names_in(spark.session(self.settings), uri)
            if names is None:
                return [uri]
            return [uri.rstrip("/") + "/" + n for n in sources.folder_files(uri, names)]
        return sources.local_files(Path(location))

    def _spark_reader(
        self, source: Any, mapping: ColumnMapping
    ) -> Callable[..., OpenedSource] | None:
        """How Spark reads ``source`` where it lies, on a ``spark:DIR`` workspace: a Parquet
        file (:mod:`parcours.store.spark_parquet`), a CSV file whose every line is a whole
        record (:mod:`parcours.store.spark_csv`), an NDJSON file of flat objects
        (:mod:`parcours.store.spark_ndjson`), an XES log of flat attributes
        (:mod:`parcours.store.spark_xes`). None: the file is copied beside the driver and
        read there (a type, line or element Spark cannot read as the driver does)."""
        if not (isinstance(self.con, WarehouseTables) and spark_files.is_uri(source)):
            return None
        session = spark.session(self.settings)
        if spark_parquet.is_parquet_uri(source):
            return (
                spark_parquet.open_parquet if spark_parquet.spark_reads(session, source) else None
            )
        found: spark_csv.CsvLayout | spark_ndjson.NdjsonLayout | spark_xes.XesLayout | None = None
        if spark_csv.is_csv_uri(source):
            found = spark_csv.layout(session, source, mapping.delimiter)
        elif spark_ndjson.is_ndjson_uri(source):
            found = spark_ndjson.layout(session, source)
        elif spark_xes.is_xes_uri(source):
            found = spark_xes.layout(session, source)
        return found.read if found is not None else None

    def _fetched(self, uri: str) -> AbstractContextManager[Path]:
        """The file at ``uri`` (``s3a://``, ``hdfs://``…) copied beside this process by the
        Spark session's file systems (see :mod:`parcours.store.spark_files`)."""
        if not isinstance(self.con, WarehouseTables):
            raise spark_files.not_on_this_engine(uri)
        staging = self.settings.temp_directory or self.con.catalog.root / STAGING
        return spark_files.fetched(spark.session(self.settings), uri, Path(staging))

    def _ingest_connection(self) -> tuple[Any, Callable[[], None]]:
        """The DuckDB connection an ingest runs on, and what to do once it is over. A
        ``spark:DIR`` workspace ingests through an in-memory DuckDB that writes its
        warehouse (see :mod:`parcours.store.warehouse_duckdb`)."""
        con = self.con
        if isinstance(con, WarehouseTables):  # spark:DIR (see parcours.store.spark)
            from parcours.store import warehouse_duckdb

            side, spill = warehouse_duckdb.connect(con.catalog, self.settings)

            def done() -> None:
                side.disconnect()
                warehouse_duckdb.remove_spill(spill, self.settings)

            return side, done
        if self.con.name != "duckdb":
            raise WorkspaceError(
                f"ingestion streams files through DuckDB; this workspace runs on {self.con.name}. "
                "Ingest into a DuckDB or spark: workspace, or load the tables with your "
                "engine's tools"
            )
        return self.con, lambda: None

    def ingest_events(
        self,
        source: Any,
        mapping: Any = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        source_name: str | None = None,
        input_id: str | None = None,
        **fields: Any,
    ) -> IngestReport:
        """Ingest events from a file, a pandas DataFrame or an Arrow table; on a
        ``spark:DIR`` workspace also from a file URI (``s3a://``, ``hdfs://``: see
        :mod:`parcours.store.spark_files`).

        ``mapping`` is a mapping file, a dict, or keyword arguments (``ts="time"``,
        ``channel={"value": "web"}``, ``on_conflict="latest"``), which win over the mapping's
        keys; see :mod:`parcours.store.mapping`. ``input_id`` tells this input apart from
        others of the same source name (the collector gives a digest of each batch).
        """
        return self._ingest("events", source, mapping, fields, on_progress, source_name, input_id)

    def ingest_collected(self, table: pa.Table, *, source_name: str, input_id: str) -> IngestReport:
        """Ingest events the collector checked (a table of text columns, the default
        mapping) as :meth:`ingest_events` does, through SQL compiled once per shape of
        table (:mod:`parcours.store.ingest_compiled`): a load costs the time of running
        it, not of compiling it. A ``spark:DIR`` workspace ingests them the usual way."""
        if isinstance(self.con, WarehouseTables) or self.con.name != "duckdb":
            return self.ingest_events(table, source_name=source_name, input_id=input_id)
        self._check_salt()
        return ingest_compiled.ingest_events(
            self.con, table, settings=self.settings, source_name=source_name, input_id=input_id
        )

    def ingest_customers(
        self,
        source: Any,
        mapping: Any = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        source_name: str | None = None,
        **fields: Any,
    ) -> IngestReport:
        """Ingest CRM rows: identifiers, and every other column as an attribute."""
        return self._ingest("customers", source, mapping, fields, on_progress, source_name)

    def ingest_feedback(
        self,
        source: Any,
        mapping: Any = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        source_name: str | None = None,
        **fields: Any,
    ) -> IngestReport:
        """Ingest survey answers and reviews (kind nps, csat, ces or review; a score)."""
        return self._ingest("feedback", source, mapping, fields, on_progress, source_name)

    def _check_salt(self) -> None:
        mode = schema.read_meta(self.con, "identifiers")
        salt = self.settings.hash_salt
        check = hashlib.sha256(f"parcours:{salt}".encode()).hexdigest() if salt else None
        if mode is None:
            has_rows = (
                self.events.count().to_pyarrow().as_py()
                or self.customers.count().to_pyarrow().as_py()
            )
            if not has_rows:
                schema.write_meta(self.con, "identifiers", "hashed" if salt else "clear")
                if check:
                    schema.write_meta(self.con, "salt_check", check)
                return
            mode = "clear"
        if mode == "clear" and salt:
            raise WorkspaceError(
                "this workspace stores identifiers in clear; hashing cannot be switched on "
                "for new rows only (they would no longer match). Start a new workspace with a salt"
            )
        if mode == "hashed" and schema.read_meta(self.con, "salt_check") != check:
            raise WorkspaceError(
                "this workspace stores identifiers hashed with a salt; give the same salt "
                "(PARCOURS_HASH_SALT) to ingest into it"
            )

    # -- identities and journeys ----------------------------------------------------------

    def resolve_identities(self, *, full: bool = False) -> ir.Table:
        """Bring persons up to date with the events and CRM rows, and store them.

        On DuckDB and ``spark:DIR`` only the batches not folded in yet are read and only
        what they touch is resolved again (``full=True`` recomputes everything; see
        :mod:`parcours.store.identity_incremental` and
        :mod:`parcours.store.identity_warehouse`); other engines recompute everything."""
        max_persons = self.settings.max_persons_per_identifier
        if isinstance(self.con, WarehouseTables):  # spark:DIR
            from parcours.store import identity_warehouse  # numpy, scipy: on use

            identity_warehouse.resolve(self.con, self.settings, max_persons, full=full)
            return self.con.table("identities")
        if self.con.name != "duckdb":
            return identity.resolve_everything(self.con, max_persons)
        from parcours.store.identity_incremental import resolve  # numpy, scipy: on use

        resolve(self.con, max_persons, full=full)
        return self.con.table("identities")

    def identities(self) -> ir.Table:
        """The identity table, resolved again first if events or customers changed."""
        if schema.read_meta(self.con, "identities_current") is None:
            return self.resolve_identities()
        return self.con.table("identities")

    def shared_identifiers(self) -> ir.Table:
        ids = self.identities()
        return ids.filter(ids.shared).order_by(ibis.desc("persons"))

    def journeys(self, jm: JourneyMap) -> ir.Table:
        """The journey table of ``jm``: see :mod:`parcours.store.journeys`."""
        return journeys.journey_table(self.events, self.identities(), jm, self.customers)

    def journey_table(self, jm: JourneyMap | None = None) -> ir.Table:
        """The journey table of ``jm`` (default: :meth:`default_map`) as stored in the
        workspace, brought up to date first when events or customers changed; see
        :mod:`parcours.store.journey_store`."""
        jm = jm or self.default_map()
        with self._journey_lock:  # two requests of a server must not build it twice
            return journey_store.stored_journeys(self, jm)

    def use_map(self, jm: JourneyMap) -> None:
        """Make ``jm`` the map analyses use when none is given."""
        self._map = jm

    def default_map(self) -> JourneyMap:
        """The map set with :meth:`use_map`, else the most recently saved map."""
        if self._map is not None:
            return self._map
        if self.con.name in PARAMETERISED:  # read on every request: no Ibis compile
            row = first_row(self.con, "SELECT map_id FROM maps ORDER BY saved_at DESC LIMIT 1", [])
            latest = [] if row is None else [{"map_id": row[0]}]
        else:
            maps = self.con.table("maps")
            latest = maps.order_by(ibis.desc("saved_at")).limit(1).to_pyarrow().to_pylist()
        if not latest:
            raise InputError(
                "no journey map: pass one (map=JourneyMap.load(...), or --map FILE), "
                "or save one in the workspace (`parcours maps save FILE`)"
            )
        return self.load_map(latest[0]["map_id"])

    def map_lang(self) -> str | None:
        """The language of :meth:`default_map`, None when the workspace has no map: what a
        command that reads no map prints in, when its reader chose none."""
        try:
            return self.default_map().lang
        except InputError:
            return None

    def coverage(self, jm: JourneyMap) -> pd.DataFrame:
        """How many events of each name and channel the map's touchpoints cover."""
        return journeys.mapping_coverage(self.journeys(jm)).to_pandas()

    def forget(self, identifier: str, kind: str | None = None, *, rewrite: bool = True) -> Erasure:
        """RGPD erasure of the person holding ``identifier`` (``email:alice@example.fr``)
        across every table and out of the file's bytes; see :mod:`parcours.store.privacy`.

        Each erasure rewrites the file; for many in a row, pass ``rewrite=False`` to all but
        the last (until then, the next open rewrites it). On a ``spark:DIR`` workspace the
        Parquet files that held the person are written again without them."""
        return privacy.forget(self, identifier, kind, rewrite=rewrite)

    def compact(self) -> Compaction:
        """Rewrite the workspace file with its live rows only: deleted rows' bytes and the
        space of ingests that did not finish go; see :mod:`parcours.store.compact`.

        The workspace keeps working on the new file, stored journey tables included."""
        self._journey_cache.clear()
        try:
            return compact.compact(self.con)
        finally:
            if self.con.name == "duckdb":
                self._configure()

    # -- maps -----------------------------------------------------------------------------

    def save_map(self, jm: JourneyMap, message: str | None = None) -> int:
        """Store a new version of ``jm``; return its version number. A map whose sub-maps
        (``submap:``) are not saved here, or open it again (a cycle), is refused (MapError)."""
        nesting.resolve(jm, self.load_map)
        maps = self.con.table("maps")
        last = maps.filter(maps.map_id == jm.map).version.max().to_pyarrow().as_py()
        version = int(last or 0) + 1
        row = ibis.memtable(
            {
                "map_id": [jm.map],
                "version": [version],
                "saved_at": [datetime.now(UTC).replace(tzinfo=None)],
                "yaml": [jm.dumps()],
                "message": [message],
            },
            schema=schema.TABLES["maps"],
        )
        with writing(self.con):
            self.con.insert("maps", row)
        return version

    def save_map_if_changed(self, jm: JourneyMap, message: str | None = None) -> tuple[int, bool]:
        """Store ``jm`` unless its latest version has the same text: ``(version, created)``."""
        maps = self.con.table("maps")
        if maps.filter(maps.map_id == jm.map).count().to_pyarrow().as_py():
            latest = self.map_record(jm.map)
            if latest["yaml"] == jm.dumps():
                return int(latest["version"]), False
        return self.save_map(jm, message), True

    def maps(self) -> pd.DataFrame:
        """Every map of the workspace: ``map_id, latest_version, last_saved``."""
        maps = self.con.table("maps")
        summary = maps.group_by("map_id").aggregate(
            latest_version=maps.version.max(), last_saved=maps.saved_at.max()
        )
        return summary.order_by("map_id").to_pandas()

    def map_record(self, map_id: str, version: int | None = None) -> dict[str, Any]:
        """One saved version (default: the latest) as ``map_id, version, saved_at, yaml,
        message``; :class:`NotFoundError` lists the versions or maps that exist."""
        if self.con.name in PARAMETERISED and version is None:  # the common read, fast
            row = first_row(
                self.con,
                "SELECT map_id, version, saved_at, yaml, message FROM maps WHERE map_id = ? "
                "ORDER BY version DESC LIMIT 1",
                [map_id],
            )
            if row is not None:
                return dict(
                    zip(("map_id", "version", "saved_at", "yaml", "message"), row, strict=True)
                )
        maps = self.con.table("maps")
        rows = maps.filter(maps.map_id == map_id)
        if version is not None:
            rows = rows.filter(rows.version == version)
        found = rows.order_by(ibis.desc("version")).limit(1).to_pyarrow().to_pylist()
        if found:
            record: dict[str, Any] = found[0]
            return record
        versions = maps.filter(maps.map_id == map_id).version.to_pyarrow().to_pylist()
        if versions:
            listed = ", ".join(str(v) for v in sorted(versions))
            raise NotFoundError(f"map '{map_id}' has no version {version}; versions: {listed}")
        known = sorted(set(maps.map_id.to_pyarrow().to_pylist()))
        raise NotFoundError(
            f"no map '{map_id}' in this workspace; maps: {', '.join(known) or 'none'}"
        )

    def load_map(self, map_id: str, version: int | None = None) -> JourneyMap:
        record = self.map_record(map_id, version)
        return JourneyMap.loads(record["yaml"], source=f"{map_id}@v{record['version']}")

    def map_versions(self, map_id: str) -> pd.DataFrame:
        """The versions of a map, oldest first: ``version, saved_at, message``."""
        self.map_record(map_id)  # NotFoundError naming the maps that exist
        maps = self.con.table("maps")
        rows = maps.filter(maps.map_id == map_id).select("version", "saved_at", "message")
        return rows.order_by("version").to_pandas()

    def comments(
        self, map_id: str, version: int | None = None, element: str | None = None
    ) -> list[map_comments.Comment]:
        """The comments version ``version`` (default: the latest) of a map shows: those on
        its elements, carried from earlier versions; see :mod:`parcours.store.comments`."""
        record = self.map_record(map_id, version)
        jm = self.load_map(map_id, record["version"])
        return map_comments.listed(self.con, jm, record["version"], element)

    def add_comment(
        self, map_id: str, element: str, text: str, author: str
    ) -> map_comments.Comment:
        """Comment on ``element`` (``stage:livraison``) of the latest version of a map."""
        record = self.map_record(map_id)
        jm = self.load_map(map_id, record["version"])
        return map_comments.add(self.con, jm, record["version"], element, text, author)

    def delete_comment(
        self, map_id: str, comment_id: str, author: str | None = None
    ) -> map_comments.Comment:
        """Delete a comment (with ``author``: only one that author wrote)."""
        return map_comments.delete(self.con, map_id, comment_id, author)

    def map_diff(
        self, map_id: str, from_version: int | None = None, to_version: int | None = None
    ) -> dict[str, Any]:
        """What changed between two versions (default: the latest and the one before), as
        :func:`parcours.maps.diff.map_diff` says, with ``from`` and ``to`` version numbers."""
        new = self.map_record(map_id, to_version)
        old_version = from_version if from_version is not None else max(new["version"] - 1, 1)
        old = self.map_record(map_id, old_version)
        names = [f"{map_id}@v{row['version']}" for row in (old, new)]
        result = map_diff(
            JourneyMap.loads(old["yaml"], source=names[0]),
            JourneyMap.loads(new["yaml"], source=names[1]),
            *names,
        )
        return {"map_id": map_id, "from": old["version"], "to": new["version"], **result}
