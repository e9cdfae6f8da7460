"""The collector's loader: a thread that moves spooled batches into the workspace.

The collector answers once a batch is in the spool (:mod:`parcours.store.spool`); this
thread seals the segment being written, loads every batch of the sealed segments through the
server's writer in bulk (:func:`parcours.store.collector.load`: many batches per ingest),
and deletes the segments only after the load is committed. A stop anywhere in between
leaves the segments on disk: they are loaded again when the server starts
(:meth:`Loader.replay`, before it serves), and loading again adds nothing.

A load that fails (a full disk, a workspace that refuses) is logged and tried again a few
seconds later; meanwhile the spool fills and the collector answers 503 past its limit, so
nothing is held in memory and nothing acknowledged is lost. A batch the ingest refuses as a
whole (an :class:`InputError`: it should not happen, the collector checked each event) would
block every load behind it: the batches of that load are then loaded one by one, and the
one refused is written to ``refused/`` in the spool folder with the reason in the log.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from parcours.errors import InputError
from parcours.store import collector
from parcours.store.spool import Segment, Spool, read_segment

log = logging.getLogger("parcours.api")

RETRY_SECONDS = 5.0


class Loader:
    """Loads ``spool`` through ``writer`` (the server's writer: a context manager giving
    the workspace), at most ``load_bytes`` of segments per load."""

    def __init__(
        self,
        spool: Spool,
        writer: Callable[[], AbstractContextManager[Any]],
        load_bytes: int,
        load_every: float = 0.0,
    ):
        self.spool = spool
        self.writer = writer
        self.load_bytes = load_bytes
        self.load_every = load_every
        self._stop = threading.Event()
        self._hurry = threading.Event()  # set while someone waits for the spool to empty
        self._thread: threading.Thread | None = None
        self.failing = False  # the last load failed; it is tried again

    def replay(self) -> collector.LoadReport:
        """Load what a previous run left in the spool, now (before the server serves)."""
        total = collector.LoadReport()
        while True:
            done = self.load_once()
            if done is None:
                return total
            for name in ("batches", "accepted", "duplicates", "conflicts", "rejected"):
                setattr(total, name, getattr(total, name) + getattr(done, name))

    def load_once(self) -> collector.LoadReport | None:
        """Load the oldest sealed segments (up to ``load_bytes``, one at least) and remove
        them; None when the spool is empty."""
        paths = self.spool.seal()
        if not paths:
            return None
        segments: list[Segment] = []
        size = 0
        for path in paths:
            if segments and size + path.stat().st_size > self.load_bytes:
                break
            segments.append(read_segment(path))
            size += segments[-1].size
        batches = [collector.Batch.decode(r.payload) for s in segments for r in s.records]
        report = collector.LoadReport()
        if batches:
            try:
                with self.writer() as ws:
                    report = collector.load(ws, batches)
            except InputError:
                report = self._one_by_one(batches)
        self.spool.remove(segments)
        return report

    def _one_by_one(self, batches: list[collector.Batch]) -> collector.LoadReport:
        """Load ``batches`` one at a time; set aside in ``refused/`` those the ingest
        refuses as a whole."""
        total = collector.LoadReport()
        for batch in batches:
            try:
                with self.writer() as ws:
                    done = collector.load(ws, [batch])
            except InputError as exc:
                folder = self.spool.folder / "refused"
                folder.mkdir(mode=0o700, exist_ok=True)
                path = folder / f"{batch.digest}.json"
                with path.open("wb") as out:  # on disk before its segment is removed
                    out.write(batch.encode())
                    out.flush()
                    os.fsync(out.fileno())
                log.error(
                    "collector: a batch the ingest refuses was set aside in %s: %s", path, exc
                )
                continue
            for name in ("batches", "accepted", "duplicates", "conflicts", "rejected"):
                setattr(total, name, getattr(total, name) + getattr(done, name))
        return total

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="parcours-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.spool.appended.wait(timeout=1.0)
            self.spool.appended.clear()
            started = time.monotonic()
            try:
                while not self._stop.is_set() and self.load_once() is not None:
                    self._pause(started)
                    started = time.monotonic()
                self.failing = False
            except Exception:
                self.failing = True
                log.exception("collector: loading the spool failed; trying again shortly")
                self._stop.wait(RETRY_SECONDS)

    def _pause(self, started: float) -> None:
        """Wait until ``load_every`` seconds after the start of the last load, or until the
        spool is half full, or a stop."""
        until = started + self.load_every
        while not self._stop.is_set() and time.monotonic() < until:
            if self.spool.waiting()[1] * 2 > self.spool.limit or self._hurry.is_set():
                return
            self._stop.wait(min(0.05, max(0.0, until - time.monotonic())))

    def wait_empty(self, timeout: float = 60.0) -> bool:
        """Wait until every batch spooled so far is loaded (tests, a clean stop)."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        try:
            while self.spool.waiting()[1]:
                if time.monotonic() > deadline:
                    return False
                self.spool.appended.set()  # wake the loader should it wait
                time.sleep(0.02)
            return True
        finally:
            self._hurry.clear()

    def stop(self) -> None:
        """Stop the thread; what it had not loaded stays in the spool for the next start,
        but a last load is tried first."""
        self._stop.set()
        self.spool.appended.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            self.replay()
        except Exception:
            log.exception("collector: the spool is kept for the next start")
