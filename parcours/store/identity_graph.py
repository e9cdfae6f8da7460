"""Connected components of identifier sets, as integer arrays (scipy on the embedded engine).

Each row of ``sets`` is one distinct identifier set: the integer labels of its identifiers,
``-1`` where a column holds none. Labels on one row belong to one component; the components
are those of the graph that links each row's labels to the row's first label (a star per
row: as many edges as labels, whatever the row's size). A label stands for a node or for a
whole component found earlier, which is how :mod:`parcours.store.identity_incremental`
merges components without reading their sets again.

    >>> import numpy as np
    >>> labels, smallest = merged_labels(np.array([[7, 3, -1], [-1, 9, 3], [5, -1, -1]]))
    >>> dict(zip(labels.tolist(), smallest.tolist()))
    {3: 3, 5: 5, 7: 3, 9: 3}
    >>> merged_labels(np.empty((0, 4), dtype=np.int64))
    (array([], dtype=int64), array([], dtype=int64))
"""

from __future__ import annotations

import numpy as np

NONE = -1  # no identifier in this column of the set


def star_edges(sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)``: every label of a row linked to the row's first label (rows without a
    label give no edge; a single label gives its loop, so that it is a node)."""
    sets = np.atleast_2d(np.asarray(sets, dtype=np.int64))
    present = sets != NONE
    has_any = present.any(axis=1)
    sets, present = sets[has_any], present[has_any]
    first = sets[np.arange(len(sets)), present.argmax(axis=1)]
    return sets[present], np.repeat(first, present.sum(axis=1))


def merged_labels(sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, smallest)``: every label found in ``sets``, ascending, and the smallest
    label of its component."""
    from scipy.sparse import coo_matrix  # imported here: the CLI starts without scipy
    from scipy.sparse.csgraph import connected_components

    a, b = star_edges(sets)
    labels, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    if not len(labels):
        return labels, labels.copy()
    ia, ib = index[: len(a)], index[len(a) :]
    graph = coo_matrix((np.ones(len(ia), dtype=np.int8), (ia, ib)), shape=(len(labels),) * 2)
    _, component = connected_components(graph, directed=True, connection="weak")
    # labels ascend, so a component's first position holds its smallest label
    found, first = np.unique(component, return_index=True)
    smallest = np.empty(len(found), dtype=np.int64)
    smallest[found] = labels[first]
    return labels, smallest[component]
