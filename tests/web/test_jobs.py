"""The dashboard's background jobs on their own: one job per key, DuckDB's progress read while
a query runs, and a running query interrupted when the app stops (a server stopping never
waits for a long analysis)."""

from __future__ import annotations

import time

import anyio
import anyio.to_thread
import duckdb

from parcours.web.jobs import Jobs

# A query that runs for hours unless interrupted; DuckDB estimates its progress from the
# scan of table t (a scan of range() alone has no estimate).
ENDLESS = "SELECT sum(t.i * r.j) FROM range(10000000) r(j), t"


class Cursor:
    """What a server's reader offers a job: a DuckDB cursor's progress and interrupt."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
        self.con.execute("CREATE TABLE t AS SELECT range AS i FROM range(2000000)")

    def query_progress(self) -> float | None:
        reading = self.con.query_progress()
        return reading if reading >= 0 else None

    def interrupt(self) -> None:
        self.con.interrupt()


def test_the_same_key_is_one_job_until_it_lingered():
    jobs = Jobs(linger=0.05)
    runs = []
    first = jobs.start("page", lambda job: runs.append(1) or "drawn")
    assert jobs.start("page", lambda job: runs.append(2)) is first
    assert (first.state, first.value, jobs.get(first.id)) == ("done", "drawn", first)
    time.sleep(0.1)
    assert jobs.get(first.id) is None  # gone: the next visit computes (or reads) again
    assert jobs.start("page", lambda job: runs.append(3)) is not first
    assert runs == [1, 3]


def test_a_failure_is_kept_as_the_outcome():
    jobs = Jobs()
    job = jobs.start("page", lambda job: 1 / 0)
    assert job.state == "failed" and isinstance(job.error, ZeroDivisionError)


def test_progress_is_read_while_it_runs_and_stopping_interrupts_it():
    jobs, cursor, readings = Jobs(), Cursor(), []

    def work(job):
        job.watch(cursor)
        return cursor.con.execute(ENDLESS).fetchall()

    async def serve():
        async with jobs.running():
            job = await anyio.to_thread.run_sync(jobs.start, "page", work)
            deadline = time.monotonic() + 60
            while not readings and time.monotonic() < deadline:
                await anyio.sleep(0.1)
                reading = job.percent()
                if reading is not None:
                    readings.append(reading)
            stopping = time.monotonic()
        return job, time.monotonic() - stopping

    job, stopped_in = anyio.run(serve)
    assert readings and 0 <= readings[0] < 100
    assert job.state == "failed" and isinstance(job.error, duckdb.InterruptException)
    assert stopped_in < 30, f"stopping waited {stopped_in:.0f} s for the query"
    assert job.percent() is None  # nothing runs any more


def test_a_job_waiting_for_a_place_says_it_is_queued():
    jobs, cursor = Jobs(limit=1), Cursor()
    states = []

    def long(job):
        job.watch(cursor)
        return cursor.con.execute(ENDLESS).fetchall()

    async def serve():
        async with jobs.running():
            first = await anyio.to_thread.run_sync(jobs.start, "one", long)
            while first.state != "running":
                await anyio.sleep(0.05)
            second = await anyio.to_thread.run_sync(jobs.start, "two", lambda job: "quick")
            await anyio.sleep(0.2)
            states.append(second.state)
        return first, second

    first, second = anyio.run(serve)
    assert states == ["queued"]  # every place was taken by the long one
    assert first.state == "failed" and second.state == "done"


def test_a_job_that_gets_its_place_as_the_app_stops_is_interrupted_at_once():
    # The server stopping must not wait for the pages queued behind the running ones: each
    # is interrupted as soon as it watches the workspace it reads (its first query fails).
    jobs, cursor = Jobs(limit=1), Cursor()

    class Watched:
        interrupted = False

        def interrupt(self) -> None:
            self.interrupted = True

    def queued(job):
        watched = Watched()
        job.watch(watched)
        return watched.interrupted

    async def serve():
        async with jobs.running():
            first = await anyio.to_thread.run_sync(
                jobs.start, "one", lambda job: job.watch(cursor) or cursor.con.execute(ENDLESS)
            )
            while first.state != "running":
                await anyio.sleep(0.05)
            second = await anyio.to_thread.run_sync(jobs.start, "two", queued)
            assert second.state in ("starting", "queued")
        return first, second

    first, second = anyio.run(serve)
    assert first.state == "failed" and isinstance(first.error, duckdb.InterruptException)
    assert (second.state, second.value) == ("done", True)


class Reader:
    """What a server's reader offers a look: ``kept_only``, and ``refused`` once it would
    have computed (as parcours.api.state.ReadingWorkspace does)."""

    def __init__(self, kept: dict[str, int]) -> None:
        self.kept = kept
        self.kept_only = False
        self.refused = False

    def analyze(self, name: str) -> int:
        if name in self.kept:
            return self.kept[name]
        if self.kept_only:
            self.refused = True
            raise LookupError(f"{name} is not kept")
        return 100  # computed


def looked(work) -> tuple[Jobs, object]:
    """``work`` started with look_first while the app runs, and its job once finished."""
    jobs = Jobs(limit=1)

    async def serve():
        async with jobs.running():
            job = await anyio.to_thread.run_sync(lambda: jobs.start("page", work, look_first=True))
            while not job.finished:
                await anyio.sleep(0.01)
            return job

    return jobs, anyio.run(serve)


def test_a_look_answers_from_what_is_kept_in_the_request():
    runs: list[str] = []

    def work(job):
        runs.append("look" if job.look else "job")
        reader = Reader({"funnel": 42})
        job.watch(reader)
        return reader.analyze("funnel")

    jobs, job = looked(work)
    assert (job.state, job.value, job.look, runs) == ("done", 42, True, ["look"])
    assert jobs.get(job.id) is None  # a look is not shared: the next visit looks again


def test_a_look_that_must_compute_leaves_it_to_the_job_even_when_the_work_caught_it():
    runs: list[str] = []

    def work(job):
        runs.append("look" if job.look else "job")
        reader = Reader({"kpis": 1})
        job.watch(reader)
        drawn = []
        for name in ("kpis", "frictions"):
            try:
                drawn.append(reader.analyze(name))
            except LookupError:  # as the canvas does: drawn without that analysis
                drawn.append(None)
        return drawn

    _, job = looked(work)
    assert (job.state, job.value, job.look, runs) == ("done", [1, 100], False, ["look", "job"])


def test_a_workspace_that_cannot_refuse_to_compute_is_left_to_the_job():
    runs: list[str] = []

    def work(job):
        runs.append("look" if job.look else "job")
        job.watch(object())  # no kept_only: a look could compute on it
        return "drawn"

    _, job = looked(work)
    assert (job.state, job.value, runs) == ("done", "drawn", ["look", "job"])
