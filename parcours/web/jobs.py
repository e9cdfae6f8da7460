"""Page computations run in the background, so that a page answers at once and fills in later.

    >>> jobs = Jobs()
    >>> job = jobs.start("page", lambda job: 6 * 7)  # no running app: computed right here
    >>> job.state, job.value, jobs.start("page", lambda job: 0) is job
    ('done', 42, True)

A page asks :meth:`Jobs.start` for its computation under a key that says what the page
shows (its address, language, map and data version). The first visitor starts it; whoever
asks for the same key meanwhile gets the same :class:`Job`: one computation, however many
pages wait for it. A finished job stays :data:`LINGER` seconds, so that the pages waiting
for it read its outcome (a result that could not be kept in the results store included),
then goes; the next visit starts again (and reads the kept result at once).

While the app runs (its lifespan, :meth:`Jobs.running`), the work runs in the server's own
worker threads (anyio's, which FastAPI's routes use), started in the app's task group; at
most :attr:`Jobs.limit` at once (an anyio ``CapacityLimiter``), so that the routes keep the
rest of the threadpool; a job waiting for a place is ``queued``. Without a running app (a
test client used without ``with``) the work runs in the request, as a page did before.

The work reports how far it is: :meth:`Job.watch` gives the job the workspace it reads
(its ``query_progress()``: DuckDB's percentage of the query running), ``job.step`` names what
it computes now. When the app stops, the jobs still running are interrupted (the workspace's
``interrupt()``: DuckDB stops the query), so that stopping the server never waits for them.

A page whose results are kept waits for no place. Asked with ``look_first``, a new job is
first tried right in the request, as a **look** (:attr:`Job.look`): every workspace the work
watches is told to compute nothing (its ``kept_only``: the server's readers have it), so the
look reads the results store and the dashboard's memory, and fails (:class:`NotAtHand`, or
the workspace's own refusal) as soon as an analysis, a journey table or the identities would
have to be computed. Only then does the job take its turn for a place. A look that succeeded
is a finished job of its own, not shared: the next visit looks again.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from anyio.abc import TaskGroup

log = logging.getLogger("parcours.web")

# How long a finished job's outcome stays for the pages waiting for it, in seconds.
LINGER = 60.0
# Page computations running at once; the others wait for a place.
LIMIT = 4


class NotAtHand(LookupError):
    """A look (see the module's docstring) met something that must be computed."""


class Job:
    """One page's computation: ``starting`` (``queued`` while every place is taken),
    ``running``, then ``done`` (its ``value``) or ``failed`` (its ``error``). A ``look``
    reads only what is kept (see the module's docstring)."""

    def __init__(
        self,
        key: str,
        work: Callable[[Job], Any],
        look: bool = False,
        stopping: threading.Event | None = None,
    ):
        self.key = key
        # Set when the app stops: a workspace watched from then on is interrupted at once.
        self._stopping = stopping or threading.Event()
        self.look = look
        self.id = secrets.token_urlsafe(12)
        self.state = "starting"
        self.value: Any = None
        self.error: Exception | None = None
        # What it computes now (an analysis' name), set by the work.
        self.step: str | None = None
        self.began = time.monotonic()
        self.ended: float | None = None
        self._work = work
        self._watched: Any = None
        # The workspaces a look watched: one that refused to compute fails the look.
        self._looked: list[Any] = []
        self._finished = threading.Event()

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def watch(self, workspace: Any) -> None:
        """Follow the work on ``workspace``: its ``query_progress()`` (the percentage of the
        query it runs now, or None) and ``interrupt()``, when it has them (a reader of the
        server's DuckDB file has). A look tells ``workspace`` to compute nothing (its
        ``kept_only``); a workspace that cannot be told so ends the look (NotAtHand)."""
        if self.look:
            if not hasattr(workspace, "kept_only"):
                raise NotAtHand("this workspace cannot answer from what is kept only")
            workspace.kept_only = True
            self._looked.append(workspace)
        self._watched = workspace
        if self._stopping.is_set():  # a job that got its place as the server stops
            self.interrupt()

    def check(self) -> None:
        """Raise NotAtHand when this look met something that must be computed, even if the
        work caught the refusal (the canvas draws without an analysis that fails): what it
        drew then must not be shown, nor remembered."""
        if any(getattr(workspace, "refused", False) for workspace in self._looked):
            raise NotAtHand("a look met something that must be computed")

    def percent(self) -> float | None:
        reading = getattr(self._watched, "query_progress", None)
        if reading is None or self.finished:
            return None
        try:
            return reading()
        except Exception:  # noqa: BLE001 - a progress reading never fails the page
            return None

    def interrupt(self) -> None:
        """Stop the query the work runs now (it then fails), when the workspace can."""
        stop = getattr(self._watched, "interrupt", None)
        if stop is not None and not self.finished:
            stop()

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.began

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the outcome; True when it is there."""
        return self._finished.wait(timeout)

    def run(self) -> None:
        """Do the work (in a worker thread) and keep its outcome."""
        self.state = "running"
        try:
            self.value = self._work(self)
            self.check()
            self.state = "done"
        except Exception as exc:  # the page shows it; the details go to the server log
            if self.look:  # the job computes it, and says what went wrong if anything did
                log.debug("look %s: not at hand (%s: %s)", self.key, type(exc).__name__, exc)
            else:
                log.exception("background computation %s failed", self.key)
            self.error = exc
            self.state = "failed"
        finally:
            self._watched = None
            self._looked = []
            self.ended = time.monotonic()
            self._finished.set()


class Jobs:
    """The page computations of one server, by key and by id (see the module's docstring)."""

    def __init__(self, limit: int = LIMIT, linger: float = LINGER):
        self.limit = limit
        self.linger = linger
        self._by_key: dict[str, Job] = {}
        self._by_id: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._group: TaskGroup | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._stopping = threading.Event()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The app's life: jobs run in its task group; at the end, those still running are
        interrupted, those waiting for a place are as soon as they watch a workspace (their
        first query fails), and the group waits for their threads to return."""
        async with anyio.create_task_group() as group:
            self._limiter = anyio.CapacityLimiter(self.limit)
            self._stopping.clear()
            self._group = group
            try:
                yield
            finally:
                self._group = None
                with self._lock:
                    running = [job for job in self._by_key.values() if not job.finished]
                self._stopping.set()  # and those waiting for a place, as they start
                for job in running:
                    job.interrupt()

    def start(self, key: str, work: Callable[[Job], Any], look_first: bool = False) -> Job:
        """The job computing ``key``: the one under way (or just finished), else a new one
        running ``work(job)`` in the background. With ``look_first``, a new one is first
        tried as a look, here (see the module's docstring): ``work`` must then have every
        workspace it reads watched (:meth:`Job.watch`) before it reads. Call it from a
        route's worker thread."""
        with self._lock:
            self._forget_finished()
            job = self._by_key.get(key)
            if job is not None:
                return job
        if look_first and self._group is not None:
            look = Job(key, work, look=True)
            look.run()
            if look.state == "done":
                return look
        with self._lock:
            job = self._by_key.get(key)
            if job is not None:  # another visit started it while this one looked
                return job
            job = Job(key, work, stopping=self._stopping)
            self._by_key[key] = job
            self._by_id[job.id] = job
        group = self._group
        if group is None:
            job.run()
        else:
            anyio.from_thread.run_sync(group.start_soon, self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            self._forget_finished()
            return self._by_id.get(job_id)

    async def _run(self, job: Job) -> None:
        if self._limiter is not None and self._limiter.available_tokens < 1:
            job.state = "queued"  # every place is taken: it waits for one
        await anyio.to_thread.run_sync(job.run, limiter=self._limiter)

    def _forget_finished(self) -> None:
        now = time.monotonic()
        for job in list(self._by_key.values()):
            if job.ended is not None and now - job.ended > self.linger:
                del self._by_key[job.key]
                del self._by_id[job.id]
