"""Durations in human bins: the one binning of the process map's transition times and the
funnel's times to convert.

A duration of ``s`` seconds falls in the bin whose lower bound is at most ``s`` and whose
upper bound is above it: ``< 1 min``, ``1 min – 10 min``, ``10 min – 1 h``, ``1 h – 6 h``,
``6 h – 1 d``, ``1 d – 7 d``, ``7 d – 30 d``, ``≥ 30 d``. The bin is computed in the engine
(one CASE), the counts by the GROUP BY the analysis makes anyway.

>>> bin_labels()[:3]
['< 1 min', '1 min – 10 min', '10 min – 1 h']
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

# Upper bounds of the bins, in seconds, with their names; the last bin has no upper bound.
BOUNDS: tuple[tuple[int, str], ...] = (
    (60, "1 min"),
    (600, "10 min"),
    (3_600, "1 h"),
    (6 * 3_600, "6 h"),
    (86_400, "1 d"),
    (7 * 86_400, "7 d"),
    (30 * 86_400, "30 d"),
)


def bin_labels(day: str = "d") -> list[str]:
    """The names of the bins, shortest first; ``day``: the unit a day is written with (j
    in French: ``6 h – 1 j``).

    >>> bin_labels("j")[-2:]
    ['7 j – 30 j', '≥ 30 j']
    """
    names = [name.removesuffix(" d") + f" {day}" if name.endswith(" d") else name
             for _, name in BOUNDS]  # fmt: skip
    middle = [f"{a} – {b}" for a, b in zip(names, names[1:], strict=False)]
    return [f"< {names[0]}", *middle, f"≥ {names[-1]}"]


def duration_bin(seconds: ir.NumericValue) -> ir.IntegerValue:
    """The bin index (0 for ``< 1 min``) of a duration in seconds; NULL stays NULL."""
    cases = [(seconds < upper, i) for i, (upper, _) in enumerate(BOUNDS)]
    bin_ = ibis.cases(*cases, else_=len(BOUNDS))
    return ibis.ifelse(seconds.isnull(), ibis.null("int64"), bin_.cast("int64"))


def bin_counts(seconds: ir.NumericValue, prefix: str = "_bin") -> dict[str, ir.IntegerScalar]:
    """Aggregates counting the durations of each bin (``_bin0``, ``_bin1``, ...), to add to
    a GROUP BY that is made anyway: the distribution costs no second pass."""
    b = duration_bin(seconds)
    return {
        f"{prefix}{i}": (b == i).fill_null(False).cast("int64").sum()
        for i in range(len(BOUNDS) + 1)
    }


def distribution(
    frame: pd.DataFrame, keys: list[str], name: str, prefix: str = "_bin"
) -> pd.DataFrame:
    """The ``_bin*`` columns of an aggregate made with :func:`bin_counts`, one row per key
    and bin: ``*keys, bin, label, lower_s, <name>, share`` (share: part of the key's
    durations; every bin listed, zeros included)."""
    labels = bin_labels()
    lower = [0, *(upper for upper, _ in BOUNDS)]
    columns = [f"{prefix}{i}" for i in range(len(labels))]
    long = frame[[*keys, *columns]].melt(id_vars=keys, var_name="bin", value_name=name)
    long["bin"] = long["bin"].str.removeprefix(prefix).astype("int64")
    long[name] = pd.to_numeric(long[name], errors="coerce").fillna(0).astype("int64")
    long["label"] = [labels[b] for b in long["bin"]]
    long["lower_s"] = [lower[b] for b in long["bin"]]
    if keys:
        totals = long.groupby(keys)[name].transform("sum")
    else:
        totals = pd.Series(long[name].sum(), index=long.index)
    long["share"] = (long[name] / totals).where(totals > 0)
    long = long.sort_values([*keys, "bin"]).reset_index(drop=True)
    return long[[*keys, "bin", "label", "lower_s", name, "share"]]


def without_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the ``_bin*`` columns of :func:`bin_counts`."""
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_bin")])
