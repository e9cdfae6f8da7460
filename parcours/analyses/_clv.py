"""Customer lifetime value models fitted by maximum likelihood: BG/NBD and Gamma-Gamma.

* BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
  Science 24(2)): while alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each
  purchase they drop out with probability p ~ Beta(a, b). A customer is summarised by
  ``x`` (repeat purchases), ``t_x`` (time of the last purchase since the first) and ``T``
  (time from the first purchase to the end of the observation period).
* Gamma-Gamma (Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value curves", Journal of
  Marketing Research 42(4); Fader & Hardie 2013 note): the value of each repeat purchase is
  Gamma(p, ν) with ν ~ Gamma(q, γ); a customer is summarised by ``x`` and ``m``, the mean
  value of their repeat purchases.

Both likelihoods accept ``weights`` (how many customers share the same summary), so the
engine can send grouped rows instead of one row per customer. Parameters are fitted on
their logarithm with scipy's L-BFGS-B, polished by Nelder-Mead; on the CDNOW 1/10 sample
this gives the published r = 0.243, α = 4.414, a = 0.793, b = 2.426 (log-likelihood
-9582.4), as the ``lifetimes`` package does.

When the data show the same drop-out probability for every buyer, the likelihood keeps
rising as a and b grow together: the Beta has no spread. The fit then says so
(:attr:`BGNBD.fit` = ``"no_dropout_spread"``) and is replaced by the model's limit, one
drop-out probability p = a / (a + b) for everyone (a, b reported as infinite), fitted by
maximum likelihood as three parameters (r, α, p). Its formulas are the BG/NBD ones with
B(a, b + x) / B(a, b) -> (1 - p)^x, a / (b + x - 1) -> p / (1 - p) and
2F1(r + x, b + x; a + b + x - 1; z) -> (1 - (1 - p) z)^-(r + x). Any other parameter at its
bound is a fit that did not converge (``"diverged"``): no figure should be read from it.

    >>> import numpy as np
    >>> x, t_x, T = np.array([0, 2, 5]), np.array([0.0, 10.0, 30.0]), np.array([39.0] * 3)
    >>> round(bgnbd_log_likelihood((0.243, 4.414, 0.793, 2.426), x, t_x, T), 3)
    -26.757
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WEEKS_PER_MONTH = 365.25 / 12 / 7


def _arrays(*values: object) -> list[np.ndarray]:
    return [np.asarray(v, dtype="float64") for v in values]


def bgnbd_log_likelihood(
    params: tuple[float, float, float, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Sum of the BG/NBD log-likelihood (FHL 2005, equation 6) over customers."""
    from scipy import special  # in each function: importing this module should not load SciPy

    r, alpha, a, b = params
    x, t_x, T = _arrays(x, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = (
        special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    a4[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return float(np.sum(w * (a1 + a2 + np.logaddexp(a3, a4))))


def gamma_gamma_log_likelihood(
    params: tuple[float, float, float],
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Sum of the Gamma-Gamma log-likelihood of the mean repeat value ``m`` of ``x``
    purchases (customers with x >= 1 and m > 0 only)."""
    from scipy import special

    p, q, gamma = params
    x, m = _arrays(x, m)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    ll = (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + x * m)
    )
    return float(np.sum(w * ll))


# Log-parameters stay within e^±12 (6e-6 to 1.6e5): on data where the likelihood keeps
# rising as a and b grow together (every buyer drops out alike), the optimiser stops at the
# bound instead of wandering towards infinity for minutes.
LOG_BOUND = 12.0


def _fit(negative_ll, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimise over bounded log-parameters: L-BFGS-B, then Nelder-Mead to polish."""
    from scipy import optimize

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    first = optimize.minimize(negative_ll, start, method="L-BFGS-B", bounds=bounds)
    second = optimize.minimize(
        negative_ll,
        first.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5_000},
    )
    best = second if second.fun <= first.fun else first
    return np.exp(best.x), float(-best.fun)


FITTED = "converged"
NO_DROPOUT_SPREAD = "no_dropout_spread"  # a, b -> infinity: one drop-out probability
DIVERGED = "diverged"  # another parameter at its bound: the model does not fit
# A log-parameter this close to LOG_BOUND is at the bound (the optimiser was stopped there).
AT_BOUND = LOG_BOUND - 0.5


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model (time in the unit of ``t_x`` and ``T``, here weeks).

    ``dropout`` is set (and a, b are infinite) for the limit with one drop-out probability;
    ``fit`` says how the fit ended (:data:`FITTED`, :data:`NO_DROPOUT_SPREAD`, :data:`DIVERGED`).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    dropout: float | None = None
    fit: str = FITTED

    @property
    def params(self) -> tuple[float, float, float, float]:
        return (self.r, self.alpha, self.a, self.b)

    def _dropout_odds(self, x: np.ndarray) -> np.ndarray:
        """a / (b + x - 1), or p / (1 - p) in the limit."""
        if self.dropout is not None:
            return np.full_like(x, self.dropout / (1.0 - self.dropout))
        return self.a / (self.b + x - 1)

    def _alive_odds(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """a/(b+x-1) ((α+T)/(α+t_x))^(r+x) for x > 0, else 0."""
        r, alpha = self.r, self.alpha
        odds = np.zeros_like(x)
        k = x > 0
        odds[k] = np.exp(
            np.log(self._dropout_odds(x[k]))
            + (r + x[k]) * (np.log(alpha + T[k]) - np.log(alpha + t_x[k]))
        )
        return odds

    def p_alive(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Probability that the customer has not dropped out at T (FHL 2005, eq. 13)."""
        x, t_x, T = _arrays(x, t_x, T)
        return 1.0 / (1.0 + self._alive_odds(x, t_x, T))

    def expected_purchases(
        self, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        """Expected purchases in (T, T + t] given the customer's history (FHL 2005, eq. 10)."""
        from scipy import special

        r, alpha, a, b = self.params
        x, t_x, T = _arrays(x, t_x, T)
        t = np.asarray(t, dtype="float64")
        z = t / (alpha + T + t)
        if self.dropout is not None:  # the limit a, b -> infinity at a / (a + b) = p
            p = self.dropout
            hyp = (1.0 - (1.0 - p) * z) ** -(r + x)
            scale = np.full_like(x, 1.0 / p)
        else:
            hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
            scale = (a + b + x - 1) / (a - 1)
        bracket = 1.0 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
        return scale * bracket / (1.0 + self._alive_odds(x, t_x, T))

    def discounted_purchases(
        self,
        months: int,
        discount_rate: float,
        x: np.ndarray,
        t_x: np.ndarray,
        T: np.ndarray,
    ) -> np.ndarray:
        """Expected purchases in each of the next ``months`` months, each discounted by
        (1 + discount_rate)^month, summed (the CLV recipe of ``lifetimes``)."""
        x, t_x, T = _arrays(x, t_x, T)
        total = np.zeros_like(x)
        previous = np.zeros_like(x)
        for month in range(1, months + 1):
            cumulative = self.expected_purchases(month * WEEKS_PER_MONTH, x, t_x, T)
            total += (cumulative - previous) / (1.0 + discount_rate) ** month
            previous = cumulative
        return total


def fit_bgnbd(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None
) -> BGNBD:
    """Maximum-likelihood BG/NBD parameters for customers summarised by (x, t_x, T)."""
    x, t_x, T = _arrays(x, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    scale = max(float(np.sum(w * T) / np.sum(w)), 1e-9)

    def negative_ll(log_params: np.ndarray) -> float:
        value = bgnbd_log_likelihood(tuple(np.exp(log_params)), x, t_x, T, w)
        return -value / np.sum(w) if np.isfinite(value) else np.inf

    start = np.log([1.0, scale, 1.0, 1.0])
    params, mean_ll = _fit(negative_ll, start)
    r, alpha, a, b = (float(v) for v in params)
    at_bound = np.abs(np.log(params)) >= AT_BOUND
    if not at_bound.any() and min(a, b) <= DEGENERATE_BETA:
        return BGNBD(r, alpha, a, b, bgnbd_log_likelihood((r, alpha, a, b), x, t_x, T, w))
    if at_bound[:2].any() or not (a > DEGENERATE_BETA and b > DEGENERATE_BETA):
        return BGNBD(r, alpha, a, b, mean_ll * float(np.sum(w)), fit=DIVERGED)
    return _fit_without_dropout_spread(x, t_x, T, w, start=(r, alpha, a / (a + b)))


# Beyond this, a and b together describe a Beta with (almost) no spread.
DEGENERATE_BETA = 1e4


def limit_log_likelihood(
    params: tuple[float, float, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """The BG/NBD log-likelihood in the limit a, b -> infinity at a / (a + b) = p."""
    from scipy import special

    r, alpha, p = params
    x, t_x, T = _arrays(x, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a3 = x * np.log1p(-p) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    a4[repeat] = (
        np.log(p) + (x[repeat] - 1) * np.log1p(-p) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return float(np.sum(w * (a1 + np.logaddexp(a3, a4))))


def _fit_without_dropout_spread(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray, start: tuple[float, ...]
) -> BGNBD:
    """Fit (r, α, p) of the limit model: log r, log α and logit p."""

    def unpack(v: np.ndarray) -> tuple[float, float, float]:
        return (float(np.exp(v[0])), float(np.exp(v[1])), float(1.0 / (1.0 + np.exp(-v[2]))))

    def negative_ll(v: np.ndarray) -> float:
        value = limit_log_likelihood(unpack(v), x, t_x, T, w)
        return -value / np.sum(w) if np.isfinite(value) else np.inf

    r, alpha, p = start
    params, _ = _fit(negative_ll, np.array([np.log(r), np.log(alpha), np.log(p / (1 - p))]))
    r, alpha, p = unpack(np.log(params))
    fit = NO_DROPOUT_SPREAD
    if np.any(np.abs(np.log(params)[:2]) >= AT_BOUND) or not 1e-6 < p < 1 - 1e-6:
        fit = DIVERGED
    ll = limit_log_likelihood((r, alpha, p), x, t_x, T, w)
    return BGNBD(r, alpha, math.inf, math.inf, ll, dropout=p, fit=fit)


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model of the value of repeat purchases."""

    p: float
    q: float
    gamma: float
    log_likelihood: float

    @property
    def params(self) -> tuple[float, float, float]:
        return (self.p, self.q, self.gamma)

    @property
    def population_mean(self) -> float:
        """E[value of a purchase] for a customer with no repeat purchase: pγ/(q-1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("nan")


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters for repeat customers (x >= 1, m > 0)."""
    x, m = _arrays(x, m)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")

    def negative_ll(log_params: np.ndarray) -> float:
        value = gamma_gamma_log_likelihood(tuple(np.exp(log_params)), x, m, w)
        return -value / np.sum(w) if np.isfinite(value) else np.inf

    start = np.log([1.0, 1.0, max(float(np.average(m, weights=w)), 1e-9)])
    params, _ = _fit(negative_ll, start)
    p, q, gamma = (float(v) for v in params)
    return GammaGamma(p, q, gamma, gamma_gamma_log_likelihood((p, q, gamma), x, m, w))
