"""Rewrite a DuckDB workspace file so that it holds its live rows and nothing else.

DuckDB does not give back the bytes of a deleted row: they stay in the file's freed blocks
until a later write happens to reuse them. An ingest that never committed (killed, or rolled
back on an error or Ctrl-C) also leaves behind the blocks it had already written, so the file
stays larger with no data added. Both are solved the same way: write the live rows into a
fresh file beside it, then swap the fresh file in.

The fresh file is written by a fresh process. DuckDB writes the unused tail of a compressed
string segment's buffer as it is in memory (duckdb/duckdb#23382: uninitialised bytes), so a
file written by a process that read the deleted rows may carry pieces of them; a copy made
in place (``COPY FROM DATABASE``) did, in one run of three on a demo workspace. Here, with
the workspace's connection closed, one new Python process exports the live rows
(``EXPORT DATABASE``: Parquet files holding only the rows' values), and another, which has
read nothing else, imports them into the fresh file: what its buffers can hold, and so leave
in the file, is live data. The workspace's own process does not read the old file meanwhile.

    parcours.duckdb                    the workspace, locked by its open connection
    parcours.duckdb.compacting.export  the live rows exported (a folder), while it runs
    parcours.duckdb.compacting         the fresh file being written, while it runs

The swap survives a kill at any moment:

1. the connection closes: DuckDB checkpoints the workspace and removes its WAL. A WAL still
   there stops the rewrite (it would be replayed onto the wrong file), and so does another
   connection of this process to the file (it would keep writing to the old one);
2. the rows are exported, the fresh file written, checkpointed (it has no WAL) and fsynced
   beside the workspace (the exporting process holds the workspace read-only: no one writes);
3. with an exclusive lock on the workspace (DuckDB's own kind: no process opened it since),
   ``os.replace`` swaps the names atomically, then the folder is fsynced;
4. the connection reopens the same path, now the new file (:meth:`ibis.BaseBackend.reconnect`:
   the backend object stays, so expressions built on it keep working; temporary tables and
   memtables already used on the old connection are gone).

Killed before step 3, the workspace is the old file, whole, and the export and the fresh file
are leftovers that the next open removes (:func:`remove_leftovers`). Killed after it, the
workspace is the new file, whole (fsynced before it was renamed). Never a half-written one.

An erasure (:mod:`parcours.store.privacy`) deletes the person's rows and writes
``erasure_pending`` in ``meta`` in the same transaction, then compacts; the fresh file is
written without that key. A workspace opened with the key still set had its rewrite
interrupted: the open finishes it (:class:`parcours.store.Store`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from parcours.errors import WorkspaceError

# Beside the workspace file while it is rewritten (DuckDB's own ``.wal`` and ``.tmp`` differ).
SUFFIX = ".compacting"
PENDING = "erasure_pending"  # meta key: an erasure's rows are deleted, its bytes not yet

# At open, say so when at least this much of the file holds no live data, and at least this
# share of it: below that, a rewrite costs more than it gives back.
NOTICE_BYTES = 32 * 1024 * 1024
NOTICE_SHARE = 0.25

# Run by a new Python process: export the workspace's rows (read-only: its temporary tables
# and anything else of another process are not there).
EXPORT = """
import sys
import duckdb

source, export = sys.argv[1], sys.argv[2]
con = duckdb.connect(source, read_only=True)
con.execute("EXPORT DATABASE '" + export.replace("'", "''") + "' (FORMAT parquet)")
con.close()
"""

# Run by another new Python process: import the exported rows into the fresh file, without
# the pending-erasure mark, and close it checkpointed (no WAL).
IMPORT = f"""
import sys
import duckdb

target, export = sys.argv[1], sys.argv[2]
con = duckdb.connect(target)
con.execute("IMPORT DATABASE '" + export.replace("'", "''") + "'")
con.execute("DELETE FROM meta WHERE key = '{PENDING}'")
con.execute("CHECKPOINT")
con.close()
"""


@dataclass(frozen=True)
class Compaction:
    """One rewrite of a workspace file: its size before (with its WAL) and after, in bytes."""

    path: str
    before: int
    after: int
    seconds: float

    @property
    def reclaimed(self) -> int:
        return self.before - self.after

    def __repr__(self) -> str:
        return (
            f"Compaction({self.path}: {self.before:,} -> {self.after:,} bytes, "
            f"{self.reclaimed:,} reclaimed, {self.seconds:.1f} s)"
        )


def database_file(con: Any) -> Path | None:
    """The file behind a DuckDB workspace; None in memory or on another engine."""
    if con.name != "duckdb":
        return None
    row = con.raw_sql(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None


def leftovers(path: Path) -> list[Path]:
    """What a rewrite of ``path`` writes beside it (present only while it runs): the fresh
    file, its WAL, the export folder."""
    fresh = path.with_name(path.name + SUFFIX)
    return [fresh, fresh.with_name(fresh.name + ".wal"), fresh.with_name(fresh.name + ".export")]


def remove_leftovers(path: Path) -> list[Path]:
    """Remove what a killed rewrite left beside ``path``; return what was removed.

    Call it holding the workspace open: DuckDB's lock then says no rewrite is running."""
    removed = []
    for leftover in leftovers(path):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
        else:
            continue
        removed.append(leftover)
    return removed


def remove_stale_spill(con: Any, path: Path) -> list[Path]:
    """Remove the spill files a killed process left in DuckDB's temporary folder beside
    ``path`` (``path.tmp``: rows it was sorting or joining, personal data among them);
    the files this database uses now are kept. A folder set elsewhere is not touched.

    Call it holding the workspace open: no other process then spills into that folder."""
    folder = Path(con.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0] or "")
    if folder != path.with_name(path.name + ".tmp") or not folder.is_dir():
        return []
    in_use = {
        Path(row[0]) for row in con.raw_sql("SELECT path FROM duckdb_temporary_files()").fetchall()
    }
    stale = [f for f in folder.glob("duckdb_temp_*") if f.is_file() and f not in in_use]
    for f in stale:
        f.unlink()
    return stale


def file_bytes(path: Path) -> int:
    """The size of a workspace file and of its WAL, if any."""
    wal = path.with_name(path.name + ".wal")
    return sum(p.stat().st_size for p in (path, wal) if p.exists())


def unused_bytes(con: Any) -> int | None:
    """How many bytes of the workspace file hold no live data (freed blocks, blocks of an
    ingest that never committed); None in memory or on another engine."""
    path = database_file(con)
    if path is None:
        return None
    return max(file_bytes(path) - used_bytes(con.raw_sql(USED_BLOCKS).fetchone()), 0)


# The bytes of the blocks a database uses, as DuckDB counts them: (block size, blocks).
USED_BLOCKS = (
    "SELECT block_size, used_blocks FROM pragma_database_size() "
    "WHERE database_name = current_database()"
)


def used_bytes(row: tuple[Any, Any]) -> int:
    block_size, used = row
    return int(block_size) * int(used)


def unused_notice(path: Path, unused: int) -> str:
    return (
        f"{path}: {unused / 2**20:,.0f} MiB of the file are free space, left by rows "
        "deleted or rewritten (kept persons and journeys brought up to date) or by an ingest "
        "that did not finish; DuckDB fills it again as it writes, `parcours compact` gives "
        "it back to the disk now"
    )


def worth_it(path: Path, unused: int) -> bool:
    """Whether ``unused`` bytes of the file at ``path`` are worth a rewrite."""
    return unused >= NOTICE_BYTES and unused >= NOTICE_SHARE * file_bytes(path)


def worth_compacting(con: Any) -> int | None:
    """The unused bytes when they pass :data:`NOTICE_BYTES` and :data:`NOTICE_SHARE`."""
    path, unused = database_file(con), unused_bytes(con)
    if path is None or unused is None:
        return None
    return unused if worth_it(path, unused) else None


def compact(con: Any) -> Compaction:
    """Rewrite the DuckDB file behind ``con`` with its live rows only, and reconnect ``con``
    to it; see the module doc for why a kill at any moment leaves a whole workspace.

    The connection must hold no open transaction; temporary tables do not survive."""
    path = database_file(con)
    if path is None:
        where = "in memory" if con.name == "duckdb" else f"on {con.name}"
        raise WorkspaceError(
            f"this workspace runs {where}: there is no DuckDB file to rewrite; "
            "compaction needs a workspace file (parcours.duckdb)"
        )
    started = time.perf_counter()
    before = file_bytes(path)
    fresh, _, export = leftovers(path)
    remove_leftovers(path)
    con.disconnect()
    try:
        _alone(path)
        _run(EXPORT, path, export)
        _run(IMPORT, fresh, export)
        shutil.rmtree(export)
        _fsync(fresh)
        with _locked(path):
            os.replace(fresh, path)
            _fsync(path.parent)
            con.reconnect()
    except BaseException:
        con.reconnect()  # the old file, or the new one if the swap happened
        raise
    finally:
        remove_leftovers(path)
    return Compaction(str(path), before, file_bytes(path), time.perf_counter() - started)


def _refused(path: Path, why: str) -> WorkspaceError:
    return WorkspaceError(
        f"{path} was not rewritten: {why}. Close every other connection to it (another "
        "parcours.open of the same file, a server), then run `parcours compact`"
    )


def _alone(path: Path) -> None:
    """Refuse when this process still has ``path`` open (its connection closed), or when
    its WAL is still there."""
    try:  # another connection of this process shares its database, with another config
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        raise _refused(path, f"it is open elsewhere ({exc})") from None
    if path.with_name(path.name + ".wal").exists():
        raise _refused(path, "its write-ahead log was not checkpointed on close")


def _run(script: str, *paths: Path) -> None:
    """Run one step of the rewrite in a new Python process (see the module doc)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)], capture_output=True, text=True
    )
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "Error" in line]
        reason = (errors or done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise WorkspaceError(f"the rewrite of {paths[0]} failed: {reason}")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold ``path`` while it is swapped: refuse when another process opened it meanwhile."""
    if sys.platform == "win32":  # os.replace itself fails there on a file open elsewhere
        yield
        return
    import fcntl

    with path.open("r+b") as handle:
        try:  # DuckDB locks with fcntl too: another process opening it now is refused
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _refused(path, "another process opened it") from None
        yield


def _fsync(path: Path) -> None:
    """Flush a file (or a folder, for a rename) to disk."""
    if sys.platform == "win32" and path.is_dir():
        return  # folders cannot be opened there; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
