"""The CPU of the collector's loads, in one process: no server, no clients.

    python benchmarks/collector_load.py

Makes a fresh workspace, then loads spooled batches as the server's loader does
(:func:`parcours.store.collector.load`): batches of 100 events made as
``benchmarks/collector.py`` makes them (2 % refused at the door by the collector's check),
one of them sent twice in the load. A first load (2 batches) comes first, unmeasured: it
compiles the ingest's SQL for the batches' shape. Then five loads of 200 events and three
of 20,000, each of new events; printed: the CPU seconds of each (the process's, DuckDB's
threads included), their median, and what the last one did. CPU seconds depend little on
what else runs on the machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import parcours
from parcours.api.ingest import _flatten
from parcours.store import collector

sys.path.insert(0, str(Path(__file__).parent))
from collector import batch_of  # noqa: E402  # benchmarks/collector.py, beside this file


def batches(ws: parcours.Workspace, client: int, count: int, rng: random.Random) -> list:
    """``count`` batches of 100 events as the collector spools them."""
    made = []
    for number in range(count):
        events, _ = batch_of(client, number, 100, 0.02, rng)
        rows = [collector.canonical(_flatten(event, {})[0]) for event in events]
        batch = collector.Batch("collector:bench", f"c{client}-b{number}")
        for position, (row, why) in enumerate(
            zip(rows, collector.check_rows(rows, ws.settings), strict=True)
        ):
            if why is None:
                batch.rows.append((position, row))
            else:
                batch.refused.append((position, "{}", why))
        made.append(batch)
    return made


def main() -> None:
    ws = parcours.open(Path(tempfile.mkdtemp()) / "load.duckdb", direct=True)
    rng = random.Random(9)
    collector.load(ws, batches(ws, 0, 2, rng))  # the SQL compiled for this shape
    client = 0
    for count, runs in ((2, 5), (200, 3)):
        cpu = []
        for _ in range(runs):
            client += 1
            load = batches(ws, client, count, rng)
            load.append(load[0])  # a retry in the same load
            started = time.process_time()
            done = collector.load(ws, load)
            cpu.append(time.process_time() - started)
        shown = " ".join(f"{c:.3f}" for c in cpu)
        print(
            f"a load of {count * 100:,} events: CPU {shown} s, median "
            f"{statistics.median(cpu):.3f} s; the last: {done}"
        )


if __name__ == "__main__":
    main()
