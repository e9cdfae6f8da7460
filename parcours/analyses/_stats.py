"""Statistics shared by the analyses: intervals, tests and odds ratios on small aggregates.

Every function takes counts (numbers or numpy arrays of the same shape) and delegates the
statistics to statsmodels or scipy; what is written here is only the plumbing that makes
them safe on empty groups (a rate over 0 is NaN, never an error).

* :func:`wilson_interval` — Wilson score interval of a proportion.
* :func:`newcombe_interval` — Newcombe's hybrid score interval of a difference of two
  proportions (method 10 of Newcombe 1998).
* :func:`two_proportion_test` — the pooled two-proportion z-test (equal to Pearson's
  chi-square on the 2x2 table, without continuity correction).
* :func:`odds_ratio` — odds ratio of a 2x2 table with Woolf's (logit) interval and Fisher's
  exact p-value; 0.5 is added to every cell when one is zero (Haldane-Anscombe).
* :func:`nps_test` — NPS of two groups, and Welch's test on the promoter +1 / passive 0 /
  detractor -1 coding whose mean is the NPS.

    >>> low, high = wilson_interval(81, 263)
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


def _alpha(confidence: float) -> float:
    if not 0 < confidence < 1:
        from parcours.errors import InputError

        raise InputError(f"confidence {confidence} is not allowed: give a level between 0 and 1")
    return 1 - confidence


def _arrays(*values: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(v, dtype="float64") for v in np.broadcast_arrays(*values)]


def _nan_where(mask: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.where(mask, np.nan, v) for v in values)


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes / n``; NaN where ``n`` is 0."""
    from statsmodels.stats.proportion import proportion_confint

    x, total = _arrays(successes, n)
    empty = total <= 0
    safe = np.where(empty, 1.0, total)
    low, high = proportion_confint(
        np.where(empty, 0.0, x), safe, alpha=_alpha(confidence), method="wilson"
    )
    return _nan_where(empty, np.asarray(low, float), np.asarray(high, float))  # type: ignore[return-value]


def newcombe_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of ``x1/n1 - x2/n2`` (Newcombe's hybrid score); NaN where a group is empty."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    a, na, b, nb = _arrays(x1, n1, x2, n2)
    empty = (na <= 0) | (nb <= 0)
    na_safe, nb_safe = np.where(empty, 1.0, na), np.where(empty, 1.0, nb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = confint_proportions_2indep(
            np.where(empty, 0.0, a),
            na_safe,
            np.where(empty, 0.0, b),
            nb_safe,
            method="newcomb",
            compare="diff",
            alpha=_alpha(confidence),
        )
    return _nan_where(empty, np.asarray(low, float), np.asarray(high, float))  # type: ignore[return-value]


def two_proportion_test(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z-test of ``x1/n1 == x2/n2``: (z, two-sided p-value).

    NaN where a group is empty; p is 1 where both groups are all successes or all failures
    (nothing differs)."""
    from statsmodels.stats.proportion import test_proportions_2indep

    a, na, b, nb = _arrays(x1, n1, x2, n2)
    empty = (na <= 0) | (nb <= 0)
    pooled = np.where(empty, 0.5, (a + b) / np.where(empty, 1.0, na + nb))
    degenerate = ~empty & ((pooled <= 0) | (pooled >= 1))
    bad = empty | degenerate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = test_proportions_2indep(
            np.where(bad, 1.0, a),
            np.where(bad, 2.0, na),
            np.where(bad, 1.0, b),
            np.where(bad, 2.0, nb),
            method="score",
            correction=False,
            compare="diff",
        )
    z = np.where(degenerate, 0.0, np.asarray(result.statistic, float))
    p = np.where(degenerate, 1.0, np.asarray(result.pvalue, float))
    return _nan_where(empty, z, p)  # type: ignore[return-value]


@dataclass(frozen=True)
class OddsRatio:
    """Odds ratio of a 2x2 table [[a, b], [c, d]]: (a/b) / (c/d)."""

    odds_ratio: float
    low: float
    high: float
    p_value: float


def odds_ratio(a: int, b: int, c: int, d: int, confidence: float = 0.95) -> OddsRatio:
    """Odds ratio of [[a, b], [c, d]] with Woolf's interval and Fisher's exact p-value.

    Rows are exposed / not exposed, columns outcome / no outcome: ``a`` exposed with the
    outcome, ``b`` exposed without, ``c`` not exposed with, ``d`` not exposed without.

    >>> r = odds_ratio(5, 1, 2, 10)
    >>> r.odds_ratio, round(r.p_value, 4)
    (25.0, 0.0128)
    """
    from scipy.stats import fisher_exact
    from statsmodels.stats.contingency_tables import Table2x2

    cells = np.array([[a, b], [c, d]], dtype="float64")
    if (cells < 0).any() or cells.sum(axis=1).min() == 0 or cells.sum(axis=0).min() == 0:
        return OddsRatio(np.nan, np.nan, np.nan, np.nan)
    if (cells == 0).any():  # Haldane-Anscombe; statsmodels' shift_zeros only fills the zeros
        cells = cells + 0.5
    table = Table2x2(cells, shift_zeros=False)
    low, high = table.oddsratio_confint(alpha=_alpha(confidence))
    p_value = fisher_exact(np.array([[a, b], [c, d]], dtype="int64")).pvalue
    return OddsRatio(float(table.oddsratio), float(low), float(high), float(p_value))


def adjust_p_values(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg false discovery rate adjustment (NaN stay NaN)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype="float64")
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return out


@dataclass(frozen=True)
class NpsTest:
    """NPS of two groups (on -100..100), their difference with its interval and p-value."""

    nps_a: float
    nps_b: float
    difference: float
    low: float
    high: float
    p_value: float


def nps(promoters: ArrayLike, detractors: ArrayLike, n: ArrayLike) -> np.ndarray:
    """NPS = % promoters (9-10) - % detractors (0-6), on -100..100; NaN without answers."""
    pro, det, total = _arrays(promoters, detractors, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100 * (pro - det) / total, np.nan)


def nps_test(
    promoters_a: int,
    detractors_a: int,
    n_a: int,
    promoters_b: int,
    detractors_b: int,
    n_b: int,
    confidence: float = 0.95,
) -> NpsTest:
    """NPS of A and B, and Welch's test of B - A on the +1 / 0 / -1 coding of each answer.

    The NPS is 100 times the mean of that coding, so its standard error is the coding's
    standard deviation over the square root of n (scipy's ``ttest_ind_from_stats``).

    >>> r = nps_test(50, 20, 100, 70, 10, 100)
    >>> r.nps_a, r.nps_b, r.difference
    (30.0, 60.0, 30.0)
    """
    from scipy.stats import t, ttest_ind_from_stats

    def moments(pro: int, det: int, n: int) -> tuple[float, float]:
        if n <= 0:
            return np.nan, np.nan
        mean = (pro - det) / n
        second = (pro + det) / n
        variance = max(second - mean**2, 0.0) * n / max(n - 1, 1)  # sample variance
        return mean, float(np.sqrt(variance))

    mean_a, sd_a = moments(promoters_a, detractors_a, n_a)
    mean_b, sd_b = moments(promoters_b, detractors_b, n_b)
    difference = 100 * (mean_b - mean_a)
    if n_a < 2 or n_b < 2:
        return NpsTest(100 * mean_a, 100 * mean_b, difference, np.nan, np.nan, np.nan)
    se2_a, se2_b = sd_a**2 / n_a, sd_b**2 / n_b
    se = float(np.sqrt(se2_a + se2_b))
    if se == 0:
        p_value = 1.0 if difference == 0 else 0.0
        return NpsTest(100 * mean_a, 100 * mean_b, difference, difference, difference, p_value)
    result = ttest_ind_from_stats(mean_b, sd_b, n_b, mean_a, sd_a, n_a, equal_var=False)
    dof = (se2_a + se2_b) ** 2 / (se2_a**2 / (n_a - 1) + se2_b**2 / (n_b - 1))
    half = float(t.ppf(1 - _alpha(confidence) / 2, dof)) * se * 100
    return NpsTest(
        100 * mean_a,
        100 * mean_b,
        difference,
        difference - half,
        difference + half,
        float(result.pvalue),
    )
