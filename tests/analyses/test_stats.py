"""Shared statistics: pinned to published numbers (Newcombe 1998) and to scipy/statsmodels
computed another way on the same counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency, fisher_exact, ttest_ind
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio

from parcours.analyses import _stats
from parcours.errors import InputError

# Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Stat Med 17,
# 857-872, Table I, method 3 (Wilson score).
WILSON_PUBLISHED = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]

# Newcombe RG (1998), Interval estimation for the difference between independent
# proportions, Stat Med 17, 873-890, Table II, method 10 (hybrid score).
NEWCOMBE_PUBLISHED = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
]


@pytest.mark.parametrize(("x", "n", "low", "high"), WILSON_PUBLISHED)
def test_wilson_matches_newcombe_table_1(x, n, low, high):
    got_low, got_high = _stats.wilson_interval(x, n)
    assert round(float(got_low), 4) == low
    assert round(float(got_high), 4) == high


def test_wilson_is_vectorised_and_nan_on_empty_groups():
    low, high = _stats.wilson_interval([81, 3], [263, 0])
    assert round(low[0], 4) == 0.2553 and np.isnan(low[1]) and np.isnan(high[1])


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "low", "high"), NEWCOMBE_PUBLISHED)
def test_newcombe_matches_table_2_method_10(x1, n1, x2, n2, low, high):
    got_low, got_high = _stats.newcombe_interval(x1, n1, x2, n2)
    assert round(float(got_low), 4) == low
    assert round(float(got_high), 4) == high


def test_newcombe_is_nan_when_a_group_is_empty():
    low, high = _stats.newcombe_interval([56, 1], [70, 0], [48, 2], [80, 5])
    assert np.isnan(low[1]) and np.isnan(high[1]) and round(low[0], 4) == 0.0524


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(56, 70, 48, 80), (30, 1000, 45, 1000)])
def test_two_proportion_test_equals_pearson_chi_square(x1, n1, x2, n2):
    z, p = _stats.two_proportion_test(x1, n1, x2, n2)
    chi2, chi_p, _, _ = chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    assert float(z) ** 2 == pytest.approx(chi2)
    assert float(p) == pytest.approx(chi_p)
    assert np.sign(z) == np.sign(x1 / n1 - x2 / n2)


def test_two_proportion_test_on_identical_all_or_nothing_groups_is_not_significant():
    z, p = _stats.two_proportion_test([0, 5], [10, 5], [0, 7], [12, 7])
    assert list(p) == [1.0, 1.0] and list(z) == [0.0, 0.0]


def test_odds_ratio_matches_scipy_sample_odds_ratio_and_fisher():
    table = [[29, 157], [9, 1008]]
    mine = _stats.odds_ratio(29, 157, 9, 1008)
    theirs = scipy_odds_ratio(table, kind="sample")
    ci = theirs.confidence_interval(0.95)
    assert mine.odds_ratio == pytest.approx(theirs.statistic)
    assert (mine.low, mine.high) == pytest.approx((ci.low, ci.high))
    assert mine.p_value == pytest.approx(fisher_exact(table).pvalue)


def test_odds_ratio_of_posthog_docstring_example():
    # PostHog's funnel correlation docstring: watched video 5 success / 1 failure, not
    # watched 2 / 10: odds ratio (5/1) / (2/10) = 25.
    assert _stats.odds_ratio(5, 1, 2, 10).odds_ratio == 25.0


def test_odds_ratio_with_an_empty_cell_adds_one_half():
    r = _stats.odds_ratio(10, 0, 5, 5)
    assert r.odds_ratio == pytest.approx((10.5 / 0.5) / (5.5 / 5.5))
    assert r.p_value == pytest.approx(fisher_exact([[10, 0], [5, 5]]).pvalue)


def test_nps_is_promoters_minus_detractors():
    assert list(_stats.nps([50, 0], [20, 0], [100, 0])[:1]) == [30.0]
    assert np.isnan(_stats.nps(0, 0, 0))


def test_nps_test_equals_welch_on_the_coded_answers():
    a = np.array([1] * 50 + [0] * 30 + [-1] * 20)
    b = np.array([1] * 70 + [0] * 20 + [-1] * 10)
    r = _stats.nps_test(50, 20, 100, 70, 10, 100)
    welch = ttest_ind(b, a, equal_var=False)
    assert (r.nps_a, r.nps_b, r.difference) == (30.0, 60.0, 30.0)
    assert r.p_value == pytest.approx(welch.pvalue)
    ci = welch.confidence_interval(0.95)
    assert (r.low, r.high) == pytest.approx((100 * ci.low, 100 * ci.high))


def test_adjusted_p_values_are_benjamini_hochberg():
    q = _stats.adjust_p_values([0.01, 0.04, np.nan, 0.03])
    assert q[0] == pytest.approx(0.03) and q[1] == pytest.approx(0.04) and np.isnan(q[2])


def test_confidence_outside_zero_one_is_refused():
    with pytest.raises(InputError, match="between 0 and 1"):
        _stats.wilson_interval(1, 2, confidence=95)
