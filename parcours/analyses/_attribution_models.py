"""Attribution models over aggregated paths: pure functions on a small pandas frame.

A *paths* frame has one row per distinct path: ``path`` (a tuple of channel or touchpoint
names, in time order, the conversion itself left out), ``conversions``, ``value`` and
``nulls`` (journeys with this path that ended without a conversion). Every model returns
one row per channel with the ``conversions`` and ``value`` it credits to that channel; the
credits of every model add up to the conversions and value of the paths (paths with no
touchpoint are not credited: the caller reports them).

>>> paths = pd.DataFrame({"path": [("a", "b"), ("a",), ("b",)], "conversions": [1.0, 0, 1],
...                       "value": [10.0, 0, 4], "nulls": [0.0, 1, 0]})
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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import splu

PATH_COLUMNS = ("path", "conversions", "value", "nulls")


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


def touches(paths: pd.DataFrame) -> Touches:
    lengths = paths["path"].map(len).to_numpy()
    path_no = np.repeat(np.arange(len(paths)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    flat = [c for p in paths["path"] for c in p]
    code, names = pd.factorize(pd.Series(flat, dtype=object), sort=True)
    return Touches(
        path_no=path_no,
        pos=np.arange(len(path_no)) - starts,
        n=lengths[path_no],
        code=code,
        names=np.asarray(names, dtype=object),
        conversions=paths["conversions"].to_numpy(float)[path_no],
        value=paths["value"].to_numpy(float)[path_no],
    )


def _touches(paths: pd.DataFrame | Touches) -> Touches:
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


def first_touch(paths: pd.DataFrame | Touches) -> pd.DataFrame:
    """All the credit to the first touch of each path."""
    t = _touches(paths)
    return _credit(t, (t.pos == 0).astype(float))


def last_touch(paths: pd.DataFrame | Touches) -> pd.DataFrame:
    """All the credit to the last touch before the conversion."""
    t = _touches(paths)
    return _credit(t, (t.pos == t.n - 1).astype(float))


def linear(paths: pd.DataFrame | Touches) -> pd.DataFrame:
    """Equal credit to every touch of the path (a channel met twice gets two shares)."""
    t = _touches(paths)
    return _credit(t, 1.0 / t.n)


def position_based(
    paths: pd.DataFrame | Touches, first: float = 0.4, last: float = 0.4
) -> pd.DataFrame:
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


def shapley(
    paths: pd.DataFrame | Touches, ordered: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    _, first_index = np.unique(key, return_index=True)
    keep = np.sort(first_index)  # first touch of each channel in each path, in path order
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


def _states(path: tuple[str, ...], order: int) -> list[tuple[str, ...]]:
    """ChannelAttribution's order-k states: sliding windows of k touches (the whole path if
    shorter), consecutive equal states collapsed."""
    if len(path) <= order:
        windows = [tuple(path)]
    else:
        windows = [tuple(path[i : i + order]) for i in range(len(path) - order + 1)]
    out = [windows[0]]
    for w in windows[1:]:
        if w != out[-1]:
            out.append(w)
    return out


def markov(paths: pd.DataFrame, order: int = 1) -> MarkovResult:
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
    index: dict[tuple[str, ...], int] = {(): 0}  # 0 is (start)
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    last_conv: list[tuple[int, float, float, float]] = []  # state, conversions, value, nulls
    for path, c, v, n in zip(
        paths["path"], paths["conversions"], paths["value"], paths["nulls"], strict=True
    ):
        if not path or c + n <= 0:
            continue
        ids = [index.setdefault(s, len(index)) for s in _states(path, order)]
        chain = [0, *ids]
        src.extend(chain[:-1])
        dst.extend(chain[1:])
        weight.extend([c + n] * len(ids))
        last_conv.append((ids[-1], c, v, n))
    size = len(index)
    ends = np.array(last_conv, dtype=float).reshape(-1, 4)
    last = ends[:, 0].astype(int)
    to_conv = np.bincount(last, weights=ends[:, 1], minlength=size)
    to_null = np.bincount(last, weights=ends[:, 3], minlength=size)
    value_at = np.bincount(last, weights=ends[:, 2], minlength=size)
    counts = sp.coo_matrix((weight, (src, dst)), shape=(size, size)).tocsr()
    counts.sum_duplicates()
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
    visits = splu(system).solve(start)
    base_conv = float(visits @ conv_w)
    base_value = float(visits @ value_w)

    states = list(index)
    channels = sorted({ch for s in states for ch in s}, key=lambda ch: ch)
    holds = {ch: np.array([ch in s for s in states]) for ch in channels}
    re_conv = np.zeros(len(channels))
    re_value = np.zeros(len(channels))
    for i, ch in enumerate(channels):
        keep = np.flatnonzero(~holds[ch])  # the start state never holds a channel
        sub = system[keep][:, keep].tocsc()
        e = np.zeros(len(keep))
        e[0] = 1.0
        x = splu(sub).solve(e)
        re_conv[i] = 1.0 - float(x @ conv_w[keep]) / base_conv if base_conv > 0 else 0.0
        re_value[i] = 1.0 - float(x @ value_w[keep]) / base_value if base_value > 0 else 0.0

    credited = paths[paths["path"].map(len) > 0]
    total_conv = float(credited["conversions"].sum())
    total_value = float(credited["value"].sum())

    def share(re: np.ndarray, total: float) -> np.ndarray:
        s = re.sum()
        return re / s * total if s > 0 else np.zeros_like(re)

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
    names = ["(start)", *(" > ".join(s) for s in states[1:])]
    coo = q.tocoo()
    transitions = pd.DataFrame(
        {
            "state_from": [names[i] for i in coo.row],
            "state_to": [names[j] for j in coo.col],
            "probability": coo.data,
        }
    )
    ends_frame = pd.DataFrame(
        {
            "state_from": names + names,
            "state_to": ["(conversion)"] * size + ["(null)"] * size,
            "probability": np.concatenate([p_conv, to_null / out_total]),
        }
    )
    transitions = pd.concat(
        [transitions, ends_frame[ends_frame["probability"] > 0]], ignore_index=True
    )
    return MarkovResult(credit, removal, transitions, base_conv, size - 1)
