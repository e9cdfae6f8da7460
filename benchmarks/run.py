"""Journey analytics at scale: parcours against DuckDB by hand, step by step, in one run.

    python benchmarks/run.py                                   # 1M and 10M events
    python benchmarks/run.py --sizes 1M,10M,30M,100M --markdown
    python benchmarks/run.py --sizes 10M --keep --steps analyses,hand

For each size, ``benchmarks/generate.py`` writes demo-like events as Parquet and an increment
of 1 % more events, later in time (both cached under benchmarks/data/). Then each step runs in
a fresh process (``benchmarks/measure.py``) that reports its wall seconds, its CPU seconds (user
+ system, all threads) and its peak resident memory:

  ingest      ws.ingest_events(file), columns recognised by name as in the demo
  identity    ws.resolve_identities()
  journeys    ws.journey_table(demo map): the journey table's build
  analyses    ws.analyze(name) for funnel, paths, process, attribution, kpis, channels; then
              the same request again in the same process (answered from the results store?)
  increment   a copy of the workspace takes the 1 % file: ingest, identity, journey table
  raw         DuckDB by hand on the same file: read + sort by person and time; a 30-minute
              sessionisation with LAG and a running SUM
  hand        the hand-written query of each analysis (benchmarks/hand_queries.py), on the
              journey table stored in the workspace

The raw and hand steps run with DuckDB's defaults (a memory limit of 80 % of the RAM), or
with ``--raw-memory-limit``: the sort of 100M events at DuckDB's default drove a 24 GB
machine shared with other work into page reclaim, so that size is measured with the
workspace's own limit (the same resources on both sides).

The table per size gives each step's figures, its raw equivalent's CPU seconds, their ratio,
and the growth of CPU seconds from the previous size divided by the growth of events (1 =
linear). The issue's targets follow, met or missed, with their figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
for _path in (HERE, ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import steps  # noqa: E402
from generate import events_file, increment_file, parse_fraction, parse_size  # noqa: E402
from measure import Figure, in_fresh_process, total  # noqa: E402

STEP_NAMES = ("ingest", "identity", "journeys", "analyses", "increment", "raw", "hand")
RESULTS = HERE / "RESULTS.md"

# The targets.
MAX_PEAK_MB = 4096  # at 100M events, every step
LOAD_VS_RAW = 2.5  # ingest + identity + journeys against read + sort + sessionisation (CPU)
INCREMENT_SHARE = 0.05  # a 1 % increment against the first load (CPU)
AGAIN_SECONDS = 0.1  # the same request a second time (wall)
VS_HAND = {"process": 1.2}  # an analysis against its hand-written query (CPU); others:
VS_HAND_DEFAULT = 1.5
LINEAR = 1.25  # growth factor tolerated before calling a step's cost more than linear
NOISE_CPU = 0.5  # steps under this many CPU seconds are left out of the linearity reading


# -- running -------------------------------------------------------------------------------------


class Run:
    """The figures of one size, by label, and how to print as they come."""

    def __init__(self, events: int, say: Callable[..., None]):
        self.events = events
        self.figures: dict[str, Figure] = {}
        self.say = say

    def add(self, figures: list[Figure]) -> None:
        for f in figures:
            self.figures[f.label] = f
            if f.error:
                self.say(f"  {f.label}: FAILED {f.error}", progress=True)
            else:
                self.say(f"  {f.label}: {f.wall:.2f} s wall, {f.cpu:.2f} s CPU, {f.peak_mb:,.0f} MB", progress=True)  # fmt: skip

    def get(self, label: str) -> Figure | None:
        return self.figures.get(label)


def measure_size(size: int, args: argparse.Namespace, say: Callable[..., None]) -> Run:
    parquet = events_file(size, args.seed, verbose=True)
    meta = json.loads(parquet.with_suffix(".json").read_text())
    run = Run(meta["events"], say)
    workspace = DATA / f"bench_{size}.duckdb"
    record = DATA / f"bench_{size}.json"
    todo = set(args.steps)
    limit = args.timeout or None

    def step(label: str, func: Callable[..., list[Figure]], *a: Any) -> list[Figure]:
        figures = in_fresh_process(label, func, *map(str, a), timeout=limit)
        run.add(figures)
        return figures

    say(f"\n== {run.events:,} events ({parquet.name}) ==")
    kept = _kept(record, workspace, parquet) if args.keep else None
    if kept:
        say(f"  kept {workspace.name}: ingest and identity figures from {kept[0].detail}")
        for f in kept[1:]:
            run.figures[f.label] = f
    else:
        if "ingest" in todo:
            _remove(workspace)
            record.unlink(missing_ok=True)
            step("ingest", steps.ingest, parquet, workspace)
        if "identity" in todo:
            step("identity", steps.identity, workspace)
        built = [run.get("ingest"), run.get("identity")]
        if all(f is not None and not f.error for f in built):
            stamp = Figure("built", detail=f"{dt.datetime.now():%Y-%m-%d %H:%M}, {parquet.name}")
            record.write_text(json.dumps([f.to_dict() for f in (stamp, *built)], indent=1))
    if "journeys" in todo:
        step("journey table", steps.journeys, workspace)
    if "analyses" in todo:
        for name in args.analyses:
            step(f"analysis {name}", steps.analysis, workspace, name)
    if "increment" in todo:
        extra = increment_file(size, args.increment, args.seed, verbose=True)
        copy = DATA / f"bench_{size}_increment.duckdb"
        _remove(copy)
        step("increment", steps.increment, workspace, extra, copy)
        _remove(copy)
    if "raw" in todo:
        scratch = DATA / f"raw_{size}.duckdb"
        step("raw read + sort", steps.raw_sort, parquet, scratch, args.raw_memory_limit)
        step("raw sessionisation", steps.raw_sessions, parquet, scratch, args.raw_memory_limit)
        _remove(scratch)
    if "hand" in todo:
        names = _hand_queries(say)
        if names is not None:
            stored = step("journey table stored", steps.store_journeys, workspace)
            if not stored[0].error:
                for name in args.analyses:
                    if name in names:
                        step(f"hand {name}", steps.hand, workspace, name, args.raw_memory_limit)
                    else:
                        say(f"  hand {name}: no hand query for it in hand_queries.py")
    _totals(run)
    return run


TOTALS = {
    "first load": ("ingest", "identity", "journey table"),
    "raw load": ("raw read + sort", "raw sessionisation"),
    "increment": ("increment ingest", "increment identity", "increment journeys"),
}


def _totals(run: Run) -> None:
    """The sums of TOTALS, where every part ran."""
    for label, parts in TOTALS.items():
        if all(p in run.figures for p in parts):
            detail = f"the {len(parts)} steps above"
            run.figures[label] = total(label, [run.figures[p] for p in parts], detail)


def _kept(record: Path, workspace: Path, parquet: Path) -> list[Figure] | None:
    """The figures of the build of a workspace kept from an earlier run, if it is complete."""
    if not (record.exists() and workspace.exists()):
        return None
    figures = [Figure.from_dict(d) for d in json.loads(record.read_text())]
    if not figures[0].detail.endswith(parquet.name):
        return None
    for f in figures[1:]:
        f.kept = True
    return figures


def _remove(path: Path) -> None:
    for suffix in ("", ".wal", ".tmp"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _hand_queries(say: Callable[..., None]) -> set[str] | None:
    if not (HERE / "hand_queries.py").exists():
        say("  benchmarks/hand_queries.py is missing: analysis / hand-query ratios not measured")
        return None
    try:
        from hand_queries import HAND_QUERIES
    except Exception as exc:
        say(f"  benchmarks/hand_queries.py does not import ({type(exc).__name__}: {exc}): "
            "analysis / hand-query ratios not measured")  # fmt: skip
        return None
    return set(HAND_QUERIES)


# -- the table of one size -----------------------------------------------------------------------

# Each row: the step, and the raw step it is compared with.
ROWS: list[tuple[str, str | None]] = [
    ("ingest", "raw read + sort"),
    ("identity", None),
    ("journey table", "raw sessionisation"),
    ("first load", "raw load"),
    *[
        row
        for name in steps.ANALYSES
        for row in ((f"analysis {name}", f"hand {name}"), (f"analysis {name} again", None))
    ],
    ("increment ingest", None),
    ("increment identity", None),
    ("increment journeys", None),
    ("increment", None),
    ("raw read + sort", None),
    ("raw sessionisation", None),
    ("raw load", None),
    *[(f"hand {name}", None) for name in steps.ANALYSES],
]
HEADER = ("step", "wall s", "CPU s", "peak MB", "raw CPU s", "ratio", "growth", "note")


def growth(run: Run, previous: Run | None, label: str) -> float | None:
    """CPU growth from the previous size over the growth of events: 1 is linear."""
    now = run.get(label)
    before = previous.get(label) if previous else None
    if not (now and before and now.cpu and before.cpu and not now.error and not before.error):
        return None
    return (now.cpu / before.cpu) / (run.events / previous.events)


def table(run: Run, previous: Run | None) -> list[str]:
    rows = []
    for label, raw_label in ROWS:
        f = run.get(label)
        if f is None:
            continue
        raw = run.get(raw_label) if raw_label else None
        raw_cpu = raw.cpu if raw and not raw.error else None
        if f.error:
            rows.append((label, "-", "-", "-", "-", "-", "-", f"failed: {f.error}"))
            continue
        note = f.detail
        if label == "increment" and _ok(run.get("first load")):
            note = f"{f.cpu / run.figures['first load'].cpu:.1%} of the first load's CPU"
        g = growth(run, previous, label)
        rows.append(
            (
                label + (" *" if f.kept else ""),
                f"{f.wall:.2f}",
                f"{f.cpu:.2f}",
                f"{f.peak_mb:,.0f}" if f.peak_mb is not None else "-",
                f"{raw_cpu:.2f}" if raw_cpu else "",
                f"{f.cpu / raw_cpu:.2f}" if raw_cpu else "",
                f"{g:.2f}" if g is not None else "",
                note,
            )
        )
    widths = [max(len(str(r[i])) for r in [HEADER, *rows]) for i in range(len(HEADER) - 1)]
    lines = []
    for r in [HEADER, *rows]:
        cells = [str(r[0]).ljust(widths[0])]
        cells += [str(c).rjust(w) for c, w in zip(r[1:-1], widths[1:], strict=True)]
        lines.append("  ".join([*cells, str(r[-1])]).rstrip())
    lines.append(
        "ratio: CPU s / raw CPU s; growth: CPU growth from the previous size / events growth "
        "(1 = linear); peak MB: the step's process"
    )
    if any(f.kept for f in run.figures.values()):
        lines.append("* kept from an earlier run (--keep)")
    return lines


def _ours(label: str) -> bool:
    """A step of parcours (not DuckDB by hand)."""
    return not label.startswith(("raw ", "hand "))


def _ok(f: Figure | None) -> bool:
    return f is not None and not f.error and f.cpu is not None


# -- targets -------------------------------------------------------------------------------------


def targets(runs: list[Run]) -> list[str]:
    lines = ["", "== targets (issue 9, item 7) =="]

    def verdict(name: str, status: str, figures: list[str]) -> None:
        lines.append(f"[{status}] {name}")
        lines.extend(f"      {x}" for x in figures)

    # 1. Memory at 100M.
    big = max(runs, key=lambda r: r.events)
    peaks = [(f.peak_mb, lab) for lab, f in big.figures.items() if _ours(lab) and _ok(f) and f.peak_mb]  # fmt: skip
    name = f"peak RSS of every step < {MAX_PEAK_MB / 1024:g} GB at 100M events"
    if peaks:
        peak, where = max(peaks)
        figure = f"{_size(big.events)}: highest {peak:,.0f} MB ({where})"
        if big.events >= 95_000_000:
            verdict(name, "met" if peak < MAX_PEAK_MB else "missed", [figure])
        else:
            verdict(name, "not measured", [figure + "; run --sizes 100M"])
    else:
        verdict(name, "not measured", [])

    # 2. First load against the raw load.
    name = f"ingest + identity + journeys CPU <= {LOAD_VS_RAW}x raw read + sort + sessionisation"
    rows, status = _cpu_against(runs, "first load", "raw load", LOAD_VS_RAW, "{:.2f}x")
    verdict(name, _status(status), rows)

    # 3. Increment.
    name = f"a 1 % increment CPU <= {INCREMENT_SHARE:.0%} of the first load"
    rows, status = _cpu_against(runs, "increment", "first load", INCREMENT_SHARE, "{:.1%}")
    verdict(name, _status(status), rows)

    # 4. Linear growth.
    name = f"linear growth: CPU growth / events growth <= {LINEAR} for every parcours step"
    rows, status = [], []
    for prev, r in zip(runs, runs[1:], strict=False):
        factors = [
            (g, lab)
            for lab, _ in ROWS
            if _ours(lab)
            and not lab.endswith("again")
            and (g := growth(r, prev, lab)) is not None
            and (r.get(lab).cpu or 0) >= NOISE_CPU
        ]
        if factors:
            worst, where = max(factors)
            status.append(worst <= LINEAR)
            rows.append(f"{_size(prev.events)} -> {_size(r.events)}: worst {worst:.2f} ({where})")
    verdict(name, _status(status), rows)

    # 5. Second request.
    name = f"the same analysis asked again < {AGAIN_SECONDS * 1000:.0f} ms"
    rows, status = [], []
    for r in runs:
        again = [(f.wall, f.cpu, lab) for lab, f in r.figures.items() if lab.endswith(" again") and _ok(f)]  # fmt: skip
        if again:
            slowest, cpu, where = max(again)
            status.append(slowest < AGAIN_SECONDS)
            rows.append(f"{_size(r.events)}: slowest {slowest * 1000:,.0f} ms wall, {cpu * 1000:,.0f} ms CPU ({where})")  # fmt: skip
    verdict(name, _status(status), rows)

    # 6. Analyses against their hand queries.
    name = (f"each analysis CPU <= {VS_HAND_DEFAULT}x its hand query "
            f"(process <= {VS_HAND['process']}x)")  # fmt: skip
    rows, status = [], []
    for r in runs:
        parts = []
        for a in steps.ANALYSES:
            ours, hand = r.get(f"analysis {a}"), r.get(f"hand {a}")
            if _ok(ours) and _ok(hand):
                ratio = ours.cpu / hand.cpu
                ok = ratio <= VS_HAND.get(a, VS_HAND_DEFAULT)
                status.append(ok)
                parts.append(f"{a} {ratio:.2f}x" + ("" if ok else " (missed)"))
        if parts:
            rows.append(f"{_size(r.events)}: " + ", ".join(parts))
    verdict(name, _status(status), rows)
    return lines


def _cpu_against(
    runs: list[Any], step: str, base: str, limit: float, shown: str
) -> tuple[list[str], list[bool]]:
    """Per size, ``step``'s CPU against ``base``'s: the lines to print, and whether each
    share is within ``limit``."""
    rows, status = [], []
    for r in runs:
        a, b = r.get(step), r.get(base)
        if _ok(a) and _ok(b):
            share = a.cpu / b.cpu
            status.append(share <= limit)
            rows.append(f"{_size(r.events)}: {a.cpu:.1f} s against {b.cpu:.1f} s = " + shown.format(share))  # fmt: skip
    return rows, status


def _status(results: list[bool]) -> str:
    if not results:
        return "not measured"
    return "met" if all(results) else "missed"


def _size(events: int) -> str:
    for scale, suffix in ((1_000_000, "M"), (1_000, "k")):
        if events >= scale:
            return f"{events / scale:.3g}{suffix}"
    return str(events)


# -- the machine, for the record -----------------------------------------------------------------


def machine() -> str:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    ram_kb = first("/proc/meminfo", "MemTotal").split()[0]
    ram = f"{int(ram_kb) / 2**20:.0f} GB" if ram_kb.isdigit() else "?"
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        rev = ""
    import duckdb
    import ibis
    import pyarrow

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{dt.datetime.now():%Y-%m-%d %H:%M}; {os.cpu_count()} CPUs "
        f"({first('/proc/cpuinfo', 'model name')}), {ram} RAM, load average {load} at the start; "
        f"parcours {rev or '?'}; Python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"ibis {ibis.__version__}, pyarrow {pyarrow.__version__}"
    )


def write_markdown(lines: list[str], sizes: str) -> None:
    head = "# Benchmark results\n\nWritten by `python benchmarks/run.py --markdown`; newest last.\n"
    text = RESULTS.read_text() if RESULTS.exists() else head
    section = f"\n## {dt.date.today()}: {sizes}\n\n```text\n" + "\n".join(lines).strip("\n") + "\n```\n"  # fmt: skip
    RESULTS.write_text(text.rstrip("\n") + "\n" + section)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1M,10M", help="event counts (default: %(default)s)")
    parser.add_argument(
        "--steps", default=",".join(STEP_NAMES), help="steps to run (default: %(default)s)"
    )
    parser.add_argument(
        "--analyses", default=",".join(steps.ANALYSES), help="analyses (default: %(default)s)"
    )
    parser.add_argument("--increment", default="1%", help="increment size (default: %(default)s)")
    parser.add_argument(
        "--keep", action="store_true",
        help="reuse the workspace already built for a size: skip ingest and identity",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=0, help="seconds per step (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--raw-memory-limit", default="",
        help="DuckDB's memory_limit for the raw and hand queries (default: DuckDB's own, "
        "80%% of the RAM; at 100M on a shared 24 GB machine, give the workspace's, 2.5GB)",
    )  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help=f"append the output to {RESULTS.name}")  # fmt: skip
    args = parser.parse_args()
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    args.analyses = [a.strip() for a in args.analyses.split(",") if a.strip()]
    args.increment = parse_fraction(args.increment)
    unknown = sorted(set(args.steps) - set(STEP_NAMES))
    if unknown:
        parser.error(f"unknown steps {unknown}; steps: {', '.join(STEP_NAMES)}")
    from parcours.analyses import REGISTRY

    bad = sorted(set(args.analyses) - set(REGISTRY))
    if bad:
        parser.error(f"unknown analyses {bad}; analyses: {', '.join(REGISTRY)}")

    lines: list[str] = []

    def say(text: str, progress: bool = False) -> None:
        print(text, flush=True)
        if not progress:  # the record keeps the tables, not the progress
            lines.append(text)

    say(machine())
    runs: list[Run] = []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        run = measure_size(size, args, say)
        say("")
        for line in table(run, runs[-1] if runs else None):
            say(line)
        runs.append(run)
    for line in targets(runs):
        say(line)
    if args.markdown:
        write_markdown(lines, args.sizes)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
