"""The memory identity resolution holds in Python, outside DuckDB's ``memory_limit``.

    python benchmarks/identity_memory.py                 # sets shaped like 100M events
    python benchmarks/identity_memory.py --sets 1300000  # like 10M

Identity resolution fetches the identifier sets' integer codes as NumPy columns and links
them with scipy (:func:`parcours.store.identity_graph.merged_labels`). That memory adds to
what DuckDB holds (up to its ``memory_limit``), so it decides whether the identity step's
process stays under the 4 GB the design aims at. The sets are generated as the benchmark's
10M workspace has them (13 % of 10M events: 1.3M sets, five code columns filled 36, 66,
33, 7 and 19 %, codes dense), at the size asked for. Printed: the columns' own size, the peak
NumPy and scipy allocate above them (``tracemalloc``, which sees NumPy's buffers), its ratio
to the columns, the CPU seconds, and the labels and components found.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from parcours.store.identity_graph import NONE, merged_labels

FILLED = (0.356, 0.658, 0.333, 0.074, 0.193)  # share of sets holding each code, at 10M


def sets_like_the_benchmark(count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    columns = []
    for share in FILLED:
        column = rng.integers(0, count, count, dtype=np.int64)
        column[rng.random(count) >= share] = NONE
        columns.append(column)
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=13_000_000, help="identifier sets")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    columns = sets_like_the_benchmark(args.sets, args.seed)
    size = sum(c.nbytes for c in columns)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    cpu = time.process_time()
    labels, smallest = merged_labels(columns)
    cpu = time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    print(f"{args.sets:,} identifier sets, {len(FILLED)} code columns: {size / 1e6:,.0f} MB")
    print(f"peak above them  {peak / 1e6:,.0f} MB  ({peak / size:.2f}x the columns)")
    print(f"CPU              {cpu:.1f} s")
    print(f"found            {len(labels):,} labels, {len(np.unique(smallest)):,} components")


if __name__ == "__main__":
    main()
