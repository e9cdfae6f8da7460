"""Analysis results kept in the workspace: an analysis asked again is read, not computed.

    >>> import ibis
    >>> from parcours.store import schema
    >>> con = ibis.duckdb.connect()
    >>> _ = schema.migrate(con)
    >>> parts = {"analysis": "kpis", "params": {"level": "stage"}, "data_version": 0}
    >>> key, request = result_key(parts), request_key(parts)
    >>> save(con, key, request, "kpis", 0, {"persons": 3}), load(con, key)
    (True, {'persons': 3})

A result is stored in the ``results`` table under a **key**: the digest of everything it
depends on, which the caller (:meth:`parcours.Workspace.analyze`) gives as a mapping — the
analysis, its parameters with their defaults filled in (:func:`canonical`: dates as ISO text,
enums as their values, tuples as lists), the split column, the language, the map's text, the
data version (:func:`parcours.store.schema.data_version`) and the result class — to which
:func:`result_key` adds the code that computes it (:func:`code_version`: parcours' version and
a digest of the source of its analyses, store and maps, and pandas' version), so that an
upgrade, or an edited analysis, never reads a result the new code would not give.

What invalidates a result, and when it goes:

* new data (an ingest that stored rows, an erasure) bumps the data version: a result of an
  older version is never read for the current one (its key holds the old version). It stays
  as the **latest answer** to its request (the same parts but the data version:
  :func:`request_key`) until a newer one replaces it, for a reader who accepts an answer
  computed a little earlier on the data as it was then (:func:`latest`; the dashboard, or
  ``--max-age`` on the command line, while a collector adds events every few seconds);
* an RGPD erasure deletes every result, in the erasure's own transaction: results can hold
  personal data (verbatims, person ids) (:func:`clear`, called by
  :func:`parcours.store.privacy.forget`), and a result computed before it is not kept after
  it (:func:`erased_since`);
* another map, other parameters, another language give another request;
* the table keeps at most :data:`KEEP` results, the most recently written.

The payload is the result object, pickled. Loading a pickle can run any code its writer
chose; here the writer is parcours on this workspace, and the workspace file is as trusted as
the data it holds — whoever can write to it can already change every figure it reports. Do
not open a workspace you would not trust with your data. A payload that fails to load (a file
written by another version of a library, a damaged row) counts as missing: the result is
computed again and replaces it.

Writing is never in the way of the answer: :func:`save` reports failure (a read-only
workspace, a write conflict, an object pickle cannot hold) by returning False, and the caller
returns the result it computed. On engines whose tables cannot be updated in place (Spark,
see :data:`parcours.store.engine.UPDATABLE`), a write rewrites the table's kept rows.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import importlib.metadata
import json
import logging
import pickle
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path, PurePath
from typing import Any

import ibis
import pandas as pd

from parcours.store.engine import UPDATABLE, transaction
from parcours.store.schema import DERIVED, read_meta

log = logging.getLogger("parcours.results")

TABLE = "results"
# Results kept at most; the oldest written go first.
KEEP = 200
# A result whose pickle is larger than this is not kept (computing it again is cheaper than
# filling the workspace file).
MAX_PAYLOAD = 64 * 2**20
# The meta key holding the data version of the last erasure (written by
# parcours.store.privacy.forget; see erased_since).
ERASED = "erased_version"
# The parts of the package whose code decides a result (see code_version).
CODE = ("analyses", "maps", "store", "config.py")


def canonical(value: Any) -> Any:
    """``value`` as plain JSON values that are equal when the parameters mean the same: ISO
    text for dates and times, an enum's value, a list for a tuple, a sorted list for a set,
    text for a path. A value with no canonical form raises ``TypeError`` (such a call is not
    kept: better computed again than read under a key that may not tell it apart).

    >>> canonical({"period": (date(2026, 3, 1), None), "kinds": {"nps", "csat"}})
    {'kinds': ['csat', 'nps'], 'period': ['2026-03-01', None]}
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a numpy scalar
        return canonical(value.item())
    raise TypeError(f"no canonical form for a {type(value).__name__}")


@functools.cache
def code_version() -> str:
    """parcours' version, a digest of the source that computes results (:data:`CODE`) and
    pandas' version (the payloads hold DataFrames); read once per process."""
    try:
        version = importlib.metadata.version("parcours")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in CODE:
        root = package / part
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(package)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return f"{version}+{digest.hexdigest()[:16]};pandas {pd.__version__}"


def result_key(parts: Mapping[str, Any]) -> str:
    """The key of a result: the digest of ``parts`` (see the module doc) and
    :func:`code_version`. ``TypeError`` when a part has no :func:`canonical` form."""
    text = json.dumps(
        {"parts": canonical(parts), "code": code_version()}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def request_key(parts: Mapping[str, Any]) -> str:
    """The key of what was asked, whatever the data: :func:`result_key` of ``parts``
    without their ``data_version``; the results of one request on successive data share it.

    >>> request_key({"analysis": "kpis", "data_version": 1}) == request_key(
    ...     {"analysis": "kpis", "data_version": 2})
    True
    """
    return result_key({k: v for k, v in parts.items() if k != "data_version"})


@dataclasses.dataclass(frozen=True)
class ResultKeys:
    """A result's :func:`result_key` and :func:`request_key`."""

    result: str
    request: str

    @classmethod
    def of(cls, parts: Mapping[str, Any]) -> ResultKeys:
        return cls(result_key(parts), request_key(parts))


def file_digest(path: str | Path) -> str | None:
    """The SHA-256 of a parameter file's bytes (a result read from a file depends on what it
    holds, not on its name); None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def load(con: Any, key: str) -> Any | None:
    """The result stored under ``key``, or None: none stored, no results table, or a payload
    that does not load (see the module doc)."""
    try:
        rows = READ.get(con.name, _read)(con, key)
    except Exception as exc:  # noqa: BLE001 - a store that cannot be read is a store without it
        log.info("results: not read (%s: %s)", type(exc).__name__, exc)
        return None
    if not rows:
        return None
    try:
        return pickle.loads(rows[0])  # noqa: S301 - the workspace's own results: see module doc
    except Exception as exc:  # noqa: BLE001 - a payload that does not load counts as missing
        log.info("results: payload %s does not load (%s); computing again", key[:12], exc)
        return None


@dataclasses.dataclass(frozen=True)
class Latest:
    """The latest answer kept for a request (:func:`latest`): the result, the data version
    it was computed on and when it was written (UTC)."""

    result: Any
    data_version: int
    created_at: datetime


def latest(con: Any, request: str, since: datetime) -> Latest | None:
    """The newest result kept for ``request`` (:func:`request_key`) on any data version,
    written at ``since`` (naive UTC) or later; None as :func:`load`."""
    try:
        table = con.table(TABLE)
        newest = (
            table.filter((table.request == request) & (table.created_at >= since))
            .order_by([ibis.desc("data_version"), ibis.desc("created_at")])
            .limit(1)
            .select("payload", "data_version", "created_at")
        )
        rows = newest.to_pyarrow().to_pylist()
    except Exception as exc:  # noqa: BLE001 - as in load
        log.info("results: not read (%s: %s)", type(exc).__name__, exc)
        return None
    if not rows:
        return None
    try:
        result = pickle.loads(rows[0]["payload"])  # noqa: S301 - see the module doc
    except Exception as exc:  # noqa: BLE001 - as in load
        log.info("results: payload of %s does not load (%s)", request[:12], exc)
        return None
    return Latest(result, int(rows[0]["data_version"]), rows[0]["created_at"])


def erased_since(con: Any, data_version: int) -> bool:
    """Has a person been erased after data version ``data_version``? A result computed on
    it may hold that person, and must not be kept."""
    return int(read_meta(con, ERASED) or 0) > data_version


def events_since(con: Any, moment: datetime) -> int:
    """Events stored by the batches that ended after ``moment`` (naive UTC): what a result
    written then does not count; 0 when the batches cannot be read."""
    try:
        batches = con.table("batches")
        later = batches.filter((batches.target == "events") & (batches.finished_at > moment))
        return int(later.accepted.sum().fill_null(0).to_pyarrow().as_py())
    except Exception as exc:  # noqa: BLE001 - a figure for the reader, never in the way
        log.info("results: events since %s not counted (%s)", moment, exc)
        return 0


def _read(con: Any, key: str) -> list[bytes]:
    table = con.table(TABLE)
    newest = table.filter(table.key == key).order_by(ibis.desc("created_at")).limit(1)
    payloads: list[bytes] = newest.select("payload").to_pyarrow().column(0).to_pylist()
    return payloads


def _read_sql(con: Any, key: str) -> list[bytes]:
    # One parameterised statement: a tenth of the time Ibis takes to build and compile it,
    # which counts when the whole answer should take a few milliseconds.
    found = con.raw_sql(
        f"SELECT payload FROM {TABLE} WHERE key = ? ORDER BY created_at DESC LIMIT 1",
        parameters=[key],
    ).fetchall()
    return [row[0] for row in found]


# Engine -> how to read one payload, where the engine has a faster way than Ibis' (_read).
READ = {"duckdb": _read_sql}


def save(con: Any, key: str, request: str, analysis: str, data_version: int, result: Any) -> bool:
    """Keep ``result`` under ``key``, as the latest answer to ``request`` (its answers on
    older data go), within the :data:`KEEP` bound; False (and the reason in the log) when it
    could not be kept."""
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) > MAX_PAYLOAD:
            log.info("results: %s not kept, %d bytes pickled", analysis, len(payload))
            return False
        row = {
            "key": key,
            "request": request,
            "analysis": analysis,
            "data_version": data_version,
            "created_at": datetime.now(UTC).replace(tzinfo=None),
            "payload": payload,
        }
        write = _write_in_place if con.name in UPDATABLE else _rewrite
        write(con, row)
    except Exception as exc:  # noqa: BLE001 - keeping a result must never fail the analysis
        log.info("results: %s not kept (%s: %s)", analysis, type(exc).__name__, exc)
        return False
    return True


def _write_in_place(con: Any, row: dict[str, Any]) -> None:
    with transaction(con):
        con.raw_sql(
            f"DELETE FROM {TABLE} WHERE key = ? OR (request = ? AND data_version < ?)",
            parameters=[row["key"], row["request"], row["data_version"]],
        )
        names = ", ".join(row)
        con.raw_sql(
            f"INSERT INTO {TABLE} ({names}) VALUES ({', '.join('?' for _ in row)})",
            parameters=list(row.values()),
        )
        con.raw_sql(
            f"DELETE FROM {TABLE} WHERE key NOT IN "
            f"(SELECT key FROM {TABLE} ORDER BY created_at DESC LIMIT ?)",
            parameters=[KEEP],
        )


def _rewrite(con: Any, row: dict[str, Any]) -> None:
    """For engines without DELETE: the kept rows and the new one replace the table."""
    table = con.table(TABLE)
    superseded = (table.key == row["key"]) | (
        (table.request == row["request"]) & (table.data_version < row["data_version"])
    )
    kept = table.filter(~superseded).order_by(ibis.desc("created_at")).limit(KEEP - 1).to_pandas()
    frame = pd.concat([pd.DataFrame([row]), kept], ignore_index=True)[list(DERIVED[TABLE].names)]
    con.insert(TABLE, ibis.memtable(frame, schema=DERIVED[TABLE]), overwrite=True)


def clear(con: Any) -> None:
    """Delete every stored result (RGPD erasure: results can hold personal data)."""
    if con.name in UPDATABLE:
        con.raw_sql(f"DELETE FROM {TABLE}")
    elif TABLE in con.list_tables():
        empty = DERIVED[TABLE].to_pyarrow().empty_table()
        con.insert(TABLE, ibis.memtable(empty), overwrite=True)


def stored(con: Any) -> pd.DataFrame:
    """What the table holds, without the payloads: ``key, request, analysis,
    data_version, created_at``, newest first."""
    table = con.table(TABLE)
    columns = table.select("key", "request", "analysis", "data_version", "created_at")
    return columns.order_by(ibis.desc("created_at")).to_pandas()
