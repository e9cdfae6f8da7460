"""The garbage collector's pauses in a server process while the collector's loads decode rows.

    python benchmarks/gc_pauses.py            # both ways, each in a fresh process, twice

A pass of Python's cyclic garbage collector over its oldest generation walks every object
the process holds (a server's: parcours, pandas, Ibis, Plotly, DuckDB, FastAPI) while it
holds the interpreter: every request waits meanwhile. A load of the collector decodes
25,000 spooled rows (as many small dicts), which sets such passes off every few loads. The
server freezes what it holds once started (``gc.freeze()`` in ``parcours.api.app``), so that
those passes walk the new objects only. This script builds the server's app in memory, then
decodes 40 loads of 25,000 rows (the last two kept alive, as a loader would), without and
with the freeze, and prints the passes over the oldest generation: how many, the longest,
their total (wall seconds: the machine is shared, repeat it).
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time

LOADS, BATCHES, ROWS = 40, 250, 100


def one_run(freeze: bool) -> str:
    from parcours.cli.serve import server_app
    from parcours.store.collector import Batch

    server_app(":memory:")  # the server's modules and state, as `parcours serve` holds them
    if freeze:
        gc.collect()
        gc.freeze()
    pauses: list[tuple[int, float]] = []
    began: dict[str, float] = {}

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            began["at"] = time.perf_counter()
        else:
            pauses.append((info["generation"], time.perf_counter() - began["at"]))

    rows = [
        (i, {"event_id": f"e{i}", "ts": "2026-11-30T10:00:00Z", "customer_id": f"c{i % 500}",
             "channel": "web", "event": "page_view"})
        for i in range(ROWS)
    ]  # fmt: skip
    payloads = [Batch("collector", f"d{b}", rows, []).encode() for b in range(BATCHES)]
    gc.callbacks.append(watch)
    kept: list = []
    for _ in range(LOADS):
        kept = [*kept, [Batch.decode(p) for p in payloads]][-2:]
    gc.callbacks.remove(watch)
    oldest = [seconds for generation, seconds in pauses if generation == 2]
    return (
        f"{'frozen    ' if freeze else 'not frozen'}: {len(oldest)} passes over the oldest "
        f"generation, longest {1000 * max(oldest, default=0):4.0f} ms, total "
        f"{1000 * sum(oldest):5.0f} ms, over {LOADS * BATCHES * ROWS:,} rows decoded"
    )


def main() -> None:
    if len(sys.argv) > 1:
        print(one_run(sys.argv[1] == "freeze"))
        return
    for _ in range(2):
        for way in ("no-freeze", "freeze"):
            subprocess.run([sys.executable, __file__, way], check=True)


if __name__ == "__main__":
    main()
