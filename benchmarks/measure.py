"""What one benchmark step costs: wall time, CPU time and peak memory, in a fresh process.

    figures = in_fresh_process("ingest", steps.ingest, "events.parquet", "bench.duckdb")

A step is a function that does its setup (imports, opening the workspace), times only its
work with a :class:`Clock`, and returns one :class:`Figure` per timed part. It runs in a new
process (``spawn``: nothing inherited from the parent), so that:

* CPU seconds are the process' own, every thread included (``getrusage(RUSAGE_SELF)``,
  user + system, taken before and after the work);
* peak memory is the process' high-water mark of resident memory (``VmHWM`` in
  ``/proc/self/status``, imports included). Not ``ru_maxrss``: a spawned child may inherit
  its parent's, and the parent may have just generated events.

A step that raises, dies (out of memory) or runs past its time limit gives a figure with
its error; the run goes on with the next step.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """What one timed part of a step cost. ``None``: not measured."""

    label: str
    wall: float | None = None  # seconds
    cpu: float | None = None  # seconds, user + system, all threads of the process
    peak_mb: float | None = None  # the process' peak resident memory, MB
    detail: str = ""
    error: str | None = None
    kept: bool = False  # measured by an earlier run (--keep)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        return cls(**data)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process' peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds spent inside its ``with`` blocks (it can be entered again)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += cpu_seconds() - self._cpu

    def figure(self, label: str, detail: str = "") -> Figure:
        return Figure(label, self.wall, self.cpu, detail=detail)


def total(label: str, parts: list[Figure | None], detail: str = "") -> Figure:
    """The sum of ``parts`` (peak: the highest); an error if one is missing or failed."""
    missing = [p for p in parts if p is None or p.error or p.cpu is None]
    if missing:
        return Figure(label, error="not measured: a part failed or was not run")
    done = [p for p in parts if p is not None]
    return Figure(
        label,
        wall=sum(p.wall or 0.0 for p in done),
        cpu=sum(p.cpu or 0.0 for p in done),
        peak_mb=max((p.peak_mb or 0.0 for p in done), default=None),
        detail=detail,
        kept=any(p.kept for p in done),
    )


def _child(results: mp.Queue, func: Callable[..., list[Figure]], args: tuple) -> None:
    try:
        figures = func(*args)
        peak = peak_rss_mb()
        for f in figures:
            f.peak_mb = peak
        results.put(("ok", figures))
    except BaseException as exc:  # report everything, KeyboardInterrupt included
        where = traceback.extract_tb(exc.__traceback__)[-1]
        place = f" ({Path(where.filename).name}:{where.lineno})"
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        results.put(("error", message[:400] + place))


def in_fresh_process(
    label: str, func: Callable[..., list[Figure]], *args: Any, timeout: float | None = None
) -> list[Figure]:
    """Run ``func(*args)`` in a new process; its figures, or one figure with the error."""
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(results, func, args), daemon=True)
    start = time.perf_counter()
    proc.start()
    try:
        while True:
            try:
                status, payload = results.get(timeout=1.0)
                break
            except queue.Empty:
                if not proc.is_alive():
                    code = proc.exitcode
                    why = " (killed: out of memory?)" if code is not None and code < 0 else ""
                    return [Figure(label, error=f"the process ended with code {code}{why}")]
                if timeout and time.perf_counter() - start > timeout:
                    proc.kill()
                    return [Figure(label, error=f"stopped after the {timeout:g} s time limit")]
    finally:
        proc.join(timeout=60)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if status == "error":
        return [Figure(label, error=payload)]
    return payload
