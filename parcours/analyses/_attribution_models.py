"""Attribution models over aggregated paths: vectorised numpy on flat arrays.

A :class:`Paths` holds the distinct paths as flat arrays: the touches of path ``p`` are
``code[offsets[p]:offsets[p + 1]]`` (indices into the sorted ``names``, in time order, the
conversion itself left out), and each path has its ``conversions``, ``value`` and ``nulls``
(journeys with this path that ended without a conversion). Every model returns one row per
channel with the ``conversions`` and ``value`` it credits to that channel; the credits of
every model add up to the conversions and value of the paths (paths with no touchpoint are
not credited: the caller reports them). No model loops over paths or states in Python: a
loop runs over the channels or over the order of the chain at most.

>>> paths = Paths.from_lists([("a", "b"), ("a",), ("b",)], conversions=[1, 0, 1],
...                          value=[10, 0, 4], nulls=[0, 1, 0])
>>> linear(paths).set_index("channel").conversions.to_dict()
{'a': 0.5, 'b': 1.5}
>>> float(round(markov(paths).credit.set_index("channel").conversions["a"], 6))
0.666667

Heuristic models follow the ChannelAttribution package's ``heuristic_models`` exactly
(first touch, last touch, linear where a channel met twice counts twice). The Markov model
follows ChannelAttribution's chain (order-k states are sliding windows of k channels,
consecutive repeats of a state collapsed) but computes the removal effects exactly by
solving the absorbing chain's linear systems instead of simulating journeys. Shapley values
follow Zhao et al. 2018 ("Shapley value methods for attribution modeling in online
advertising").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# -- paths as flat arrays -------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    """Distinct paths as flat arrays (see the module doc)."""

    offsets: np.ndarray  # int64, one more than the paths: path p is code[offsets[p]:offsets[p+1]]
    code: np.ndarray  # intp, one per touch: index into names
    names: np.ndarray  # object (str), sorted
    conversions: np.ndarray  # float, one per path
    value: np.ndarray
    nulls: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.conversions)

    @classmethod
    def from_arrow(
        cls,
        path: pa.Array | pa.ChunkedArray,
        conversions: np.ndarray | Sequence[float],
        value: np.ndarray | Sequence[float],
        nulls: np.ndarray | Sequence[float],
    ) -> Paths:
        """Paths from a list array of names (a null list is an empty path). Names are read as
        text with surrounding whitespace removed; empty names are dropped."""
        if isinstance(path, pa.ChunkedArray):
            path = path.combine_chunks() if path.num_chunks else pa.array([], pa.list_(pa.string()))
        flat = pc.utf8_trim_whitespace(path.flatten().cast(pa.string()))
        keep = pc.fill_null(pc.greater(pc.utf8_length(flat), 0), False)
        owner = pc.list_parent_indices(path).to_numpy()[keep.to_numpy(zero_copy_only=False)]
        counts = np.bincount(owner, minlength=len(path))
        encoded = flat.filter(keep).dictionary_encode()
        dictionary = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        order = np.argsort(dictionary, kind="stable")  # few names: Python's str order
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        return cls(
            offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            code=rank[indices],
            names=dictionary[order],
            conversions=np.asarray(conversions, dtype=float),
            value=np.asarray(value, dtype=float),
            nulls=np.asarray(nulls, dtype=float),
        )

    @classmethod
    def from_lists(
        cls,
        paths: Sequence[Sequence[str]],
        conversions: Sequence[float],
        value: Sequence[float],
        nulls: Sequence[float],
    ) -> Paths:
        """Paths from Python sequences of names (for examples and tests)."""
        array = pa.array([list(p) for p in paths], type=pa.list_(pa.string()))
        return cls.from_arrow(array, conversions, value, nulls)

    def label(self, rows: np.ndarray) -> list[str]:
        """The paths ``rows`` as text, "a > b" (for a few rows: the top paths)."""
        return [
            " > ".join(self.names[self.code[self.offsets[r] : self.offsets[r + 1]]]) for r in rows
        ]


# -- heuristics -----------------------------------------------------------------------------


@dataclass
class Touches:
    """One entry per touch of the paths, as numpy arrays: path number, position (0-based),
    path length, channel code (into ``names``), and the path's conversions and value."""

    path_no: np.ndarray
    pos: np.ndarray
    n: np.ndarray
    code: np.ndarray
    names: np.ndarray
    conversions: np.ndarray
    value: np.ndarray


def touches(paths: Paths) -> Touches:
    lengths = paths.lengths
    path_no = np.repeat(np.arange(len(paths)), lengths)
    return Touches(
        path_no=path_no,
        pos=np.arange(len(path_no)) - paths.offsets[path_no],
        n=lengths[path_no],
        code=paths.code,
        names=paths.names,
        conversions=paths.conversions[path_no],
        value=paths.value[path_no],
    )


def _touches(paths: Paths | Touches) -> Touches:
    return paths if isinstance(paths, Touches) else touches(paths)


def _credit(t: Touches, weight: np.ndarray, keep: np.ndarray | None = None) -> pd.DataFrame:
    code = t.code if keep is None else t.code[keep]
    conv = t.conversions if keep is None else t.conversions[keep]
    value = t.value if keep is None else t.value[keep]
    size = len(t.names)
    out = pd.DataFrame(
        {
            "channel": t.names,
            "conversions": np.bincount(code, weights=conv * weight, minlength=size),
            "value": np.bincount(code, weights=value * weight, minlength=size),
        }
    )
    return out


def first_touch(paths: Paths | Touches) -> pd.DataFrame:
    """All the credit to the first touch of each path."""
    t = _touches(paths)
    return _credit(t, (t.pos == 0).astype(float))


def last_touch(paths: Paths | Touches) -> pd.DataFrame:
    """All the credit to the last touch before the conversion."""
    t = _touches(paths)
    return _credit(t, (t.pos == t.n - 1).astype(float))


def linear(paths: Paths | Touches) -> pd.DataFrame:
    """Equal credit to every touch of the path (a channel met twice gets two shares)."""
    t = _touches(paths)
    return _credit(t, 1.0 / t.n)


def position_based(paths: Paths | Touches, first: float = 0.4, last: float = 0.4) -> pd.DataFrame:
    """``first`` of the credit to the first touch, ``last`` to the last one, the rest shared
    equally by the touches in between. A path of two touches splits the credit
    ``first : last``; a path of one touch gives it all."""
    t = _touches(paths)
    n, pos = t.n, t.pos
    middle = (1.0 - first - last) / np.maximum(n - 2, 1)
    weight = np.where(pos == 0, first, np.where(pos == n - 1, last, middle))
    two = first / (first + last) if first + last > 0 else 0.5
    weight = np.where(n == 2, np.where(pos == 0, two, 1.0 - two), weight)
    weight = np.where(n == 1, 1.0, weight)
    return _credit(t, weight)


# -- Shapley ------------------------------------------------------------------------------


def shapley(paths: Paths | Touches, ordered: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shapley values of the game v(S) = conversions (or value) of the journeys whose channels
    all belong to coalition S (Zhao et al. 2018).

    v is a sum of unanimity games, one per path, so its Shapley value is exact in closed
    form: each path's conversions are shared equally by its distinct channels. This is the
    value the coalition formula gives (see the tests), at any number of channels, without
    enumerating 2^n coalitions. ``ordered`` also splits each channel's value by the position
    (1-based, among the path's distinct channels in order of first touch) at which it came:
    the ordered Shapley value of the same paper, whose positions add up to the unordered one.

    Returns the credit per channel and the (channel, position) table (empty if not ordered).
    """
    t = _touches(paths)
    key = t.path_no.astype(np.int64) * len(t.names) + t.code
    space = (int(t.path_no[-1]) + 1 if len(key) else 0) * len(t.names)
    keep = np.flatnonzero(_first_occurrences(key, space))  # each channel's first touch in a path
    path_no = t.path_no[keep]
    distinct = np.bincount(path_no, minlength=int(path_no.max()) + 1 if len(path_no) else 0)
    weight = 1.0 / distinct[path_no]
    credit = _credit(t, weight, keep)
    columns = ["channel", "position", "conversions", "value"]
    if not ordered:
        return credit, pd.DataFrame(columns=columns)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(path_no)) + 1])
    position = np.arange(len(keep)) - np.repeat(starts, np.diff(np.append(starts, len(keep))))
    table = (
        pd.DataFrame(
            {
                "channel": t.names[t.code[keep]],
                "position": position + 1,
                "conversions": t.conversions[keep] * weight,
                "value": t.value[keep] * weight,
            }
        )
        .groupby(["channel", "position"], sort=True)[["conversions", "value"]]
        .sum()
        .reset_index()
    )
    return credit, table


# -- Markov ---------------------------------------------------------------------------------


@dataclass
class MarkovResult:
    credit: pd.DataFrame  # channel, conversions, value
    removal: pd.DataFrame  # channel, removal_effect, removal_effect_value
    transitions: pd.DataFrame  # state_from, state_to, probability
    conversion_probability: float  # P(conversion) from the start state
    states: int  # transient states of the chain (start excluded)


@dataclass
class Visits:
    """The chain's states visited by some paths, in order: ``row`` (which of the paths) and
    ``state`` (0-based, numbered in order of first visit) per visit; ``table`` holds each
    state's channel codes (``order`` columns, -1 past the end of a state shorter than the
    order)."""

    row: np.ndarray
    state: np.ndarray
    table: np.ndarray


def visits(paths: Paths, order: int, rows: np.ndarray | None = None) -> Visits:
    """ChannelAttribution's order-k states of the paths ``rows`` (all by default; each must
    have a touch): sliding windows of k touches (the whole path if shorter), consecutive
    equal states collapsed.

    >>> p = Paths.from_lists([("a", "a", "a", "b"), ("b",)], [1, 0], [0, 0], [0, 1])
    >>> v = visits(p, 2)
    >>> v.row.tolist(), v.state.tolist(), v.table.tolist()
    ([0, 0, 1], [0, 1, 2], [[0, 0], [0, 1], [1, -1]])
    """
    rows = np.arange(len(paths)) if rows is None else rows
    lengths = paths.lengths[rows]
    windows = np.maximum(lengths - order + 1, 1)
    row = np.repeat(np.arange(len(rows)), windows)
    step = np.arange(len(row)) - np.repeat(np.cumsum(windows) - windows, windows)
    at = paths.offsets[rows][row] + step  # first touch of each window
    width = np.minimum(lengths, order)[row]
    table = np.empty((len(row), order), dtype=np.int64)
    last = len(paths.code) - 1
    for j in range(order):
        table[:, j] = np.where(j < width, paths.code[np.minimum(at + j, last)], -1)
    # number the distinct windows, folding in one column at a time (kept dense: no overflow)
    key, distinct = np.zeros(len(row), dtype=np.int64), 1
    for j in range(order):
        base = len(paths.names) + 1
        numbers, key = _distinct(key * base + table[:, j] + 1, distinct * base)
        distinct = len(numbers)
    changed = np.ones(len(row), dtype=bool)
    changed[1:] = (row[1:] != row[:-1]) | (key[1:] != key[:-1])
    row, key, table = row[changed], key[changed], table[changed]
    first = np.full(distinct, len(key))  # every window number is still there after collapsing
    np.minimum.at(first, key, np.arange(len(key)))
    seen = np.argsort(first)
    number = np.empty(distinct, dtype=np.int64)
    number[seen] = np.arange(distinct)
    return Visits(row=rows[row], state=number[key], table=table[first[seen]])


def _distinct(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys in [0, space), sorted, and the number of each key among them (as
    ``np.unique(key, return_inverse=True)``, with a lookup table instead of a sort when the
    space is small enough)."""
    if space <= 8 * len(key) + 4096:
        present = np.zeros(space, dtype=bool)
        present[key] = True
        return np.flatnonzero(present), (np.cumsum(present) - 1)[key]
    distinct, inverse = np.unique(key, return_inverse=True)
    return distinct, inverse.reshape(-1)


def _first_occurrences(key: np.ndarray, space: int) -> np.ndarray:
    """Where each key in [0, space) occurs first: a mask over ``key``."""
    mask = np.zeros(len(key), dtype=bool)
    if space <= 8 * len(key) + 4096:
        first = np.full(space, len(key))
        np.minimum.at(first, key, np.arange(len(key)))
        mask[first[first < len(key)]] = True
    else:
        mask[np.unique(key, return_index=True)[1]] = True
    return mask


def _state_names(names: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each state as text, "a > b"."""
    if not len(table):
        return np.array([], dtype=object)
    columns = [
        pa.array(names[np.maximum(table[:, j], 0)], type=pa.string(), mask=table[:, j] < 0)
        for j in range(table.shape[1])
    ]
    joined = pc.binary_join_element_wise(*columns, " > ", null_handling="skip")
    return np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)


def markov(paths: Paths, order: int = 1) -> MarkovResult:
    """Markov chain removal effects, computed exactly on the absorbing chain.

    States are (start), the order-k states of the paths, (conversion) and (null); the
    transition probabilities are the observed transitions, each path weighted by its
    journeys (conversions + nulls). The removal effect of a channel is the share of the
    chain's conversions lost when every state holding that channel leads to (null):
    RE(c) = 1 - P_without_c(conversion) / P(conversion) = P(conversion and c visited) /
    P(conversion). Channels are credited RE(c) / sum of RE times the total conversions.

    For value, each conversion is worth the mean value of the conversions that came from the
    same last state (as ChannelAttribution draws it), and RE is computed on expected value.

    Each P is one sparse linear solve: the expected visits x of the transient states from
    the start solve (I - Q)^T x = e_start, and P(conversion via s) = x_s * P(s -> conversion).
    """
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    journeys = paths.conversions + paths.nulls
    chained = np.flatnonzero((paths.lengths > 0) & (journeys > 0))
    v = visits(paths, order, chained)
    size = len(v.table) + 1  # 0 is (start)
    ids = v.state + 1
    first = np.ones(len(ids), dtype=bool)
    first[1:] = v.row[1:] != v.row[:-1]
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = v.row[1:] != v.row[:-1]
    src = np.where(first, 0, np.roll(ids, 1))
    end, ended = ids[last], v.row[last]
    to_conv = np.bincount(end, weights=paths.conversions[ended], minlength=size)
    to_null = np.bincount(end, weights=paths.nulls[ended], minlength=size)
    value_at = np.bincount(end, weights=paths.value[ended], minlength=size)
    pair, inverse = _distinct(src * size + ids, size * size)
    weights = np.bincount(inverse, weights=journeys[v.row], minlength=len(pair))
    counts = sp.csr_matrix((weights, (pair // size, pair % size)), shape=(size, size))
    out_total = np.asarray(counts.sum(axis=1)).ravel() + to_conv + to_null
    out_total[out_total == 0] = 1.0
    q = sp.diags(1.0 / out_total) @ counts
    p_conv = to_conv / out_total
    mean_value = np.divide(value_at, to_conv, out=np.zeros(size), where=to_conv > 0)
    conv_w = p_conv
    value_w = p_conv * mean_value

    system = (sp.identity(size, format="csc") - q.T.tocsc()).tocsc()
    start = np.zeros(size)
    start[0] = 1.0
    expected = splu(system).solve(start)
    base_conv = float(expected @ conv_w)
    base_value = float(expected @ value_w)

    table = np.vstack([np.full((1, order), -1, dtype=np.int64), v.table])  # (start) first
    codes = np.unique(v.table[v.table >= 0])  # the channels of the chain, sorted
    re_conv = np.zeros(len(codes))
    re_value = np.zeros(len(codes))
    for i, code in enumerate(codes):
        keep = np.flatnonzero(~(table == code).any(axis=1))  # the start never holds a channel
        sub = system[keep][:, keep].tocsc()
        e = np.zeros(len(keep))
        e[0] = 1.0
        x = splu(sub).solve(e)
        re_conv[i] = 1.0 - float(x @ conv_w[keep]) / base_conv if base_conv > 0 else 0.0
        re_value[i] = 1.0 - float(x @ value_w[keep]) / base_value if base_value > 0 else 0.0

    credited = paths.lengths > 0
    total_conv = float(paths.conversions[credited].sum())
    total_value = float(paths.value[credited].sum())

    def share(re: np.ndarray, total: float) -> np.ndarray:
        s = re.sum()
        return re / s * total if s > 0 else np.zeros_like(re)

    channels = paths.names[codes]
    credit = pd.DataFrame(
        {
            "channel": channels,
            "conversions": share(re_conv, total_conv),
            "value": share(re_value, total_value),
        }
    )
    removal = pd.DataFrame(
        {"channel": channels, "removal_effect": re_conv, "removal_effect_value": re_value}
    )
    names = np.concatenate(
        [np.array(["(start)"], dtype=object), _state_names(paths.names, v.table)]
    )
    coo = q.tocoo()
    transitions = pd.DataFrame(
        {"state_from": names[coo.row], "state_to": names[coo.col], "probability": coo.data}
    )
    p_null = to_null / out_total
    ends = [
        pd.DataFrame({"state_from": names[s], "state_to": to, "probability": p[s]})
        for to, p in (("(conversion)", p_conv), ("(null)", p_null))
        for s in [np.flatnonzero(p > 0)]
    ]
    transitions = pd.concat([transitions, *ends], ignore_index=True)
    return MarkovResult(credit, removal, transitions, base_conv, size - 1)
