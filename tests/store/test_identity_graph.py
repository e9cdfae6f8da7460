"""Connected components of identifier sets (parcours.store.identity_graph), against a
union-find written out here, on sets whose labels are dense (the workspace's codes) and on
a few labels among large codes (a small batch's)."""

from __future__ import annotations

import numpy as np
import pytest

from parcours.store.identity_graph import NONE, merged_labels


def _union_find(columns: list[np.ndarray]) -> dict[int, int]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in zip(*(c.tolist() for c in columns), strict=True):
        labels = [x for x in row if x != NONE]
        for x in labels:
            parent.setdefault(x, x)
        for x in labels[1:]:
            parent[root(x)] = root(labels[0])
    smallest: dict[int, int] = {}
    for x in parent:
        smallest[root(x)] = min(smallest.get(root(x), x), x)
    return {x: smallest[root(x)] for x in sorted(parent)}


def test_a_hand_made_case():
    columns = [np.array([7, -1, 5, -1]), np.array([3, 9, -1, -1]), np.array([-1, 3, -1, -1])]
    labels, smallest = merged_labels(columns)
    assert labels.tolist() == [3, 5, 7, 9]  # the set without a label gives nothing
    assert smallest.tolist() == [3, 5, 3, 3]


@pytest.mark.parametrize(
    ("rows", "largest"),
    [(2_000, 1_500), (2_000, 50), (300, 10**9), (5_000, 2**40)],
    ids=["dense", "dense, much linked", "sparse", "sparse, past int32"],
)
def test_components_equal_a_union_find(rows, largest):
    rng = np.random.default_rng(rows + largest % 97)
    columns = []
    for share in (0.4, 0.7, 0.3, 0.1, 0.2):
        column = rng.integers(0, largest, rows, dtype=np.int64)
        column[rng.random(rows) >= share] = NONE
        columns.append(column)
    labels, smallest = merged_labels(columns)
    expected = _union_find(columns)
    assert labels.tolist() == list(expected)
    assert smallest.tolist() == list(expected.values())
    assert len(set(smallest.tolist())) < len(labels)  # some sets did merge


def test_no_label_at_all():
    labels, smallest = merged_labels([np.full(3, NONE), np.full(3, NONE)])
    assert labels.tolist() == smallest.tolist() == []
