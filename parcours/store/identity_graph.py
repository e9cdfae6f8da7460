"""Connected components of identifier sets, as integer arrays (scipy on the embedded engine).

The identifier sets come as columns, one array per identifier column: a set's integer labels
at the same position in each, ``-1`` where a column holds none. Labels of one set belong to
one component; the components are those of the graph that links each set's labels to the
set's first label (a star per set: as many edges as labels, whatever the set's size). A label
stands for a node or for a whole component found earlier, which is how
:mod:`parcours.store.identity_incremental` merges components without reading their sets
again.

    >>> import numpy as np
    >>> columns = [np.array([7, -1, 5]), np.array([3, 9, -1]), np.array([-1, 3, -1])]
    >>> labels, smallest = merged_labels(columns)
    >>> dict(zip(labels.tolist(), smallest.tolist()))
    {3: 3, 5: 5, 7: 3, 9: 3}
    >>> merged_labels([np.empty(0, dtype=np.int64)] * 4)
    (array([], dtype=int64), array([], dtype=int64))

Memory: at 100M events there are about thirteen million sets. The work goes column by column
(never a copy of the whole table of sets), and the labels, the workspace's integer codes,
index the graph's nodes directly when they are dense (no sort of every edge's ends to
number them): see ``benchmarks/identity_memory.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NONE = -1  # no identifier in this column of the set
INT32 = np.iinfo(np.int32).max
# Labels index the nodes directly unless the largest is this many times their count or
# more (a small batch's labels among a large workspace's codes): then they are numbered.
SPARSE = 4


def star_edges(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)``: every label of a set linked to the set's first label (sets without a
    label give no edge; a single label gives its loop, so that it is a node)."""
    if not columns:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    first = np.full(len(columns[0]), NONE, dtype=np.int64)
    for column in columns:
        np.copyto(first, column, where=first == NONE)
    a = np.concatenate([column[column != NONE] for column in columns])
    b = np.concatenate([first[column != NONE] for column in columns])
    return a, b


def merged_labels(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, smallest)``: every label found in the sets' ``columns``, ascending, and the
    smallest label of its component."""
    from scipy.sparse import coo_matrix  # imported here: the CLI starts without scipy
    from scipy.sparse.csgraph import connected_components

    a, b = star_edges(columns)
    if not len(a):
        return a, a.copy()
    size = int(a.max()) + 1  # a set's first label is one of its labels: b holds no other
    dense = size < SPARSE * len(a)
    if dense:  # the labels are the nodes
        held = np.zeros(size, dtype=bool)
        held[a] = True
        labels = np.flatnonzero(held).astype(np.int64, copy=False)
        del held
    else:  # the labels are numbered: a graph of as many nodes as labels
        labels = np.unique(a)
        a, b = np.searchsorted(labels, a), np.searchsorted(labels, b)
        size = len(labels)
    node = np.int32 if size <= INT32 else np.int64  # scipy's own index type, when it fits
    a, b = a.astype(node), b.astype(node)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(size, size))
    del a, b
    _, component = connected_components(graph, directed=True, connection="weak")
    del graph
    of_label = component[labels] if dense else component
    # The smallest label of each component, among the labels found.
    smallest = np.full(int(of_label.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, of_label, labels)
    return labels, smallest[of_label]
