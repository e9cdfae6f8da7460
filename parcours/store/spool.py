"""The collector's spool: acknowledged batches, on disk, until they are in the workspace.

A folder beside the workspace file (``parcours.duckdb.spool/``) holds segment files
(``000000000001.seg``, ...) written in order; each record is one batch, framed so that a
record cut short by a crash is told from a whole one::

    b"PSP1" | payload length (u32) | valid events (u32) | CRC-32 of the payload (u32) | payload

A writer appends a record and fsyncs before the collector answers (:meth:`Spool.append`);
writers that arrive while an fsync runs share the next one (group commit). The loader seals
the current segment (:meth:`Spool.seal`: fsynced, closed, a new one started), loads the
sealed ones and deletes them once the load is committed (:meth:`Spool.remove`). On start,
the segments left by a process that stopped are read again (:func:`read_segment`): a last
record cut short, or whose checksum fails, was being written when the process died, so its
batch was never acknowledged; it is dropped, and what follows it in that segment too.

    >>> import tempfile
    >>> spool = Spool(Path(tempfile.mkdtemp()) / "w.duckdb.spool", limit=1_000_000)
    >>> spool.append(b'{"rows": []}', events=3)
    True
    >>> spool.waiting()
    (3, 28)
    >>> [segment.events for segment in map(read_segment, spool.seal())]
    [3]
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("parcours.spool")

MAGIC = b"PSP1"
HEADER = struct.Struct(">4sIII")  # magic, payload length, valid events, CRC-32
SUFFIX = ".seg"


def frame(payload: bytes, events: int) -> bytes:
    """One record: the header, then ``payload``."""
    return HEADER.pack(MAGIC, len(payload), events, zlib.crc32(payload)) + payload


def spool_folder(workspace_file: str | Path) -> Path:
    """Where the spool of a workspace file lives: beside it."""
    path = Path(workspace_file)
    return path.with_name(path.name + ".spool")


@dataclass(frozen=True)
class Record:
    payload: bytes
    events: int


@dataclass
class Segment:
    """What one segment file held: its whole records, and the bytes after the last one
    (a record cut short or damaged: never acknowledged, dropped)."""

    path: Path
    records: list[Record] = field(default_factory=list)
    size: int = 0
    dropped: int = 0

    @property
    def events(self) -> int:
        return sum(r.events for r in self.records)


def _whole_records(data: bytes) -> tuple[list[Record], int]:
    """The whole records at the start of ``data``, and where they end."""
    records, offset = [], 0
    while len(data) - offset >= HEADER.size:
        magic, length, events, crc = HEADER.unpack_from(data, offset)
        start, end = offset + HEADER.size, offset + HEADER.size + length
        if magic != MAGIC or end > len(data) or zlib.crc32(data[start:end]) != crc:
            break
        records.append(Record(data[start:end], events))
        offset = end
    return records, offset


def read_segment(path: Path) -> Segment:
    """The whole records of a segment file, in the order they were written."""
    data = path.read_bytes()
    records, end = _whole_records(data)
    segment = Segment(path, records, size=len(data), dropped=len(data) - end)
    if segment.dropped:
        log.warning(
            "spool %s: the last %d bytes are a record cut short by a stop (never "
            "acknowledged); dropped",
            path,
            segment.dropped,
        )
    return segment


def waiting_in(folder: Path) -> int:
    """Valid events in the whole records of a spool folder, for a status (a record being
    written meanwhile is not counted yet)."""
    total = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.glob("*" + SUFFIX)):
        try:
            records, _ = _whole_records(path.read_bytes())
        except FileNotFoundError:  # loaded and removed meanwhile
            continue
        total += sum(r.events for r in records)
    return total


class _Open:
    """The segment being written: its file, what was written and what is on disk."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.written = 0  # bytes written (under Spool._lock)
        self.synced = 0  # bytes known to be on disk (under sync)
        self.events = 0
        self.sync = threading.Lock()

    def flush_to(self, end: int) -> None:
        """Return once the first ``end`` bytes are on disk; one fsync serves every writer
        waiting meanwhile."""
        with self.sync:
            if self.synced >= end:
                return
            target = self.written
            os.fsync(self.fd)
            self.synced = target

    def close(self) -> None:
        with self.sync:
            os.fsync(self.fd)
            self.synced = self.written
            os.close(self.fd)


class Spool:
    """The spool folder of one server: appends by many request threads, seals and removals
    by one loader. ``limit``: the bytes the spool may hold before :meth:`append` refuses."""

    def __init__(self, folder: Path, limit: int):
        self.folder = folder
        self.limit = limit
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._current: _Open | None = None
        found = self.segments()
        self._number = int(found[-1].stem) if found else 0
        # What waits, counted when appended and when removed (left segments: read at start).
        self._events = waiting_in(folder)
        self._bytes = sum(p.stat().st_size for p in found)
        self.appended = threading.Event()  # set by each append: the loader waits on it

    def segments(self) -> list[Path]:
        """The segment files on disk, oldest first (the one being written last)."""
        return sorted(self.folder.glob("*" + SUFFIX))

    def waiting(self) -> tuple[int, int]:
        """Valid events, and bytes, in the spool."""
        with self._lock:
            return self._events, self._bytes

    def append(self, payload: bytes, events: int) -> bool:
        """Write one record and return once it is on disk; False (nothing written) when the
        spool would pass its limit."""
        record = frame(payload, events)
        with self._lock:
            if self._bytes + len(record) > self.limit and self._bytes:
                return False
            current = self._current or self._start()
            view = memoryview(record)
            while view:  # os.write may write less than asked
                view = view[os.write(current.fd, view) :]
            current.written += len(record)
            current.events += events
            end = current.written
            self._bytes += len(record)
            self._events += events
        current.flush_to(end)
        self.appended.set()
        return True

    def _start(self) -> _Open:
        self._number += 1
        self._current = _Open(self.folder / f"{self._number:012d}{SUFFIX}")
        _sync_folder(self.folder)  # the new file's name on disk before a record is answered
        return self._current

    def seal(self) -> list[Path]:
        """Close the segment being written (the next append starts another) and return every
        segment not yet removed, oldest first: what the loader loads now."""
        with self._lock:
            current, self._current = self._current, None
            sealed = self._number  # a segment started after this is not the loader's
        if current is not None:
            current.close()
        return [p for p in self.segments() if int(p.stem) <= sealed]

    def remove(self, loaded: list[Segment]) -> None:
        """Delete segments whose batches are committed to the workspace."""
        for segment in loaded:
            segment.path.unlink()
            with self._lock:
                self._bytes -= segment.size
                self._events -= segment.events

    def close(self) -> None:
        self.seal()


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
