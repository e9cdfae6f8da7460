"""BG/NBD and Gamma-Gamma against the published CDNOW figures and the ``lifetimes`` package.

The peer output is recorded in ``tests/fixtures/lifetimes_cdnow.json`` by running this file:

    .venv/bin/pip install lifetimes
    .venv/bin/python tests/analyses/test_clv.py

It uses only lifetimes 0.11.3 and the CDNOW files it ships:

* ``sample``: the 1/10 sample of Fader, Hardie & Lee (2005), 39-week calibration, as
  summarised by lifetimes (``cdnow_customers_summary_with_transactions.csv``): grouped
  (x, t_x, T) with counts, repeat buyers' (x, mean repeat value), lifetimes' fitted BG/NBD and
  Gamma-Gamma parameters, its log-likelihood at the published parameters, its predictions
  for a few customers, and the master ids of the sample's customers;
* ``master``: the 23,570 customers of ``CDNOW_master.txt`` summarised by lifetimes up to
  1997-09-30 (days / 7 = weeks), fitted the same way, and the 12-month CLV total at 1 %.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parcours.analyses import _clv

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lifetimes_cdnow.json"
CASES = [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.0), (1, 2.0, 35.0), (20, 30.0, 31.0)]
# Fader, Hardie & Lee (2005), table 1 / section 5.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
# Fader, Hardie & Lee (2005b) / Fader & Hardie (2013) Gamma-Gamma note on the same sample.
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def peer() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _triples(peer: dict) -> tuple[np.ndarray, ...]:
    t = peer["sample"]["triples"]
    return tuple(np.array(t[k], dtype="float64") for k in ("x", "t_x", "T", "n"))


def test_log_likelihood_at_published_parameters(peer):
    x, t_x, T, n = _triples(peer)
    value = _clv.bgnbd_log_likelihood(tuple(PUBLISHED.values()), x, t_x, T, n)
    assert value == pytest.approx(PUBLISHED_LL, abs=0.05)
    assert value == pytest.approx(peer["sample"]["bgnbd_log_likelihood_at_published"], rel=1e-9)


def test_weights_equal_repeated_rows(peer):
    x, t_x, T, n = _triples(peer)
    reps = n.astype(int)
    grouped = _clv.bgnbd_log_likelihood((0.3, 5.0, 0.9, 2.0), x, t_x, T, n)
    expanded = _clv.bgnbd_log_likelihood(
        (0.3, 5.0, 0.9, 2.0), np.repeat(x, reps), np.repeat(t_x, reps), np.repeat(T, reps)
    )
    assert grouped == pytest.approx(expanded, rel=1e-12)


def test_fit_bgnbd_cdnow_sample_within_one_percent(peer):
    model = _clv.fit_bgnbd(*_triples(peer))
    for name, value in peer["sample"]["bgnbd"].items():
        assert getattr(model, name) == pytest.approx(value, rel=0.01), name
        assert round(getattr(model, name), 3) == PUBLISHED[name], name
    assert model.log_likelihood == pytest.approx(peer["sample"]["bgnbd_log_likelihood"], abs=1e-3)


def test_fit_gamma_gamma_cdnow_sample_within_one_percent(peer):
    rv = peer["sample"]["repeat_values"]
    model = _clv.fit_gamma_gamma(np.array(rv["x"]), np.array(rv["m"]), np.array(rv["n"]))
    for name, value in peer["sample"]["gamma_gamma"].items():
        assert getattr(model, name) == pytest.approx(value, rel=0.01), name
        assert getattr(model, name) == pytest.approx(PUBLISHED_GG[name], abs=0.01), name


def test_predictions_match_lifetimes(peer):
    model = _clv.BGNBD(**peer["sample"]["bgnbd"], log_likelihood=0.0)
    cases = peer["sample"]["cases"]
    x, t_x, T = (np.array(cases[k], dtype="float64") for k in ("x", "t_x", "T"))
    expected = model.expected_purchases(39, x, t_x, T)
    np.testing.assert_allclose(expected, cases["expected_purchases_39_weeks"], rtol=1e-9)
    np.testing.assert_allclose(model.p_alive(x, t_x, T), cases["p_alive"], rtol=1e-12)


def test_discounted_purchases_without_discount_is_the_horizon_forecast():
    model = _clv.BGNBD(0.243, 4.414, 0.793, 2.426, 0.0)
    x, t_x, T = np.array([0.0, 3.0]), np.array([0.0, 20.0]), np.array([30.0, 30.0])
    total = model.discounted_purchases(12, 0.0, x, t_x, T)
    np.testing.assert_allclose(
        total, model.expected_purchases(12 * _clv.WEEKS_PER_MONTH, x, t_x, T)
    )
    assert (model.discounted_purchases(12, 0.05, x, t_x, T) < total).all()


def test_live_lifetimes_fit_on_simulated_buyers():
    """A fresh comparison with lifetimes itself, on data it has never seen."""
    lifetimes = pytest.importorskip("lifetimes", reason="lifetimes is a peer, not a dependency")
    rng = np.random.default_rng(3)
    n = 3_000
    lam = rng.gamma(0.5, 1 / 3.0, n)
    p = rng.beta(1.2, 4.0, n)
    T = rng.uniform(20, 52, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):  # a tiny simulator written for the test, per customer by design
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = lifetimes.BetaGeoFitter().fit(x, t_x, T)
    ours = _clv.fit_bgnbd(x, t_x, T)
    for name, value in peer.params_.items():
        assert getattr(ours, name) == pytest.approx(value, rel=0.01), name


def _simulate(rng, lam, p, T):
    """Purchases of BG/NBD customers: Poisson rate lam while alive, drop-out p after each."""
    x, t_x = np.zeros(len(T)), np.zeros(len(T))
    for i in range(len(T)):  # a tiny simulator written for the test, per customer by design
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
    return x, t_x


def test_limit_likelihood_is_the_bgnbd_one_at_huge_a_and_b(peer):
    """a, b -> infinity at a / (a + b) = p: the BG/NBD likelihood tends to the limit's."""
    x, t_x, T, n = _triples(peer)
    p = 0.3
    limit = _clv.limit_log_likelihood((0.25, 4.0, p), x, t_x, T, n)
    huge = _clv.bgnbd_log_likelihood((0.25, 4.0, p * 1e9, (1 - p) * 1e9), x, t_x, T, n)
    assert limit == pytest.approx(huge, rel=1e-6)


def test_limit_predictions_are_the_bgnbd_ones_at_huge_a_and_b():
    x, t_x, T = np.array([0.0, 1, 4, 10]), np.array([0.0, 5, 20, 30]), np.array([40.0] * 4)
    limit = _clv.BGNBD(0.4, 3.0, math.inf, math.inf, 0.0, dropout=0.2)
    huge = _clv.BGNBD(0.4, 3.0, 0.2 * 1e8, 0.8 * 1e8, 0.0)
    assert limit.p_alive(x, t_x, T) == pytest.approx(huge.p_alive(x, t_x, T), rel=1e-6)
    got = limit.expected_purchases(26.0, x, t_x, T)
    assert got == pytest.approx(huge.expected_purchases(26.0, x, t_x, T), rel=1e-5)
    # by hand for x = 0: p_alive = 1, E = (1/p) (1 - ((a+T)/(a+T+t))^r (1 - (1-p) z)^-r)
    z = 26 / (3 + 40 + 26)
    by_hand = 5 * (1 - (43 / 69) ** 0.4 * (1 - 0.8 * z) ** -0.4)
    assert got[0] == pytest.approx(by_hand, rel=1e-12)


def test_one_dropout_probability_for_all_is_fitted_at_the_limit():
    """Buyers who all drop out with p = 0.4: a and b diverge; the limit recovers p."""
    rng = np.random.default_rng(11)
    n = 4_000
    T = rng.uniform(20, 52, n)
    x, t_x = _simulate(rng, rng.gamma(0.6, 1 / 4.0, n), np.full(n, 0.4), T)
    model = _clv.fit_bgnbd(x, t_x, T)
    assert model.fit == _clv.NO_DROPOUT_SPREAD
    assert math.isinf(model.a) and math.isinf(model.b)
    assert model.dropout == pytest.approx(0.4, abs=0.05)
    assert (model.r, model.alpha) == (pytest.approx(0.6, rel=0.2), pytest.approx(4.0, rel=0.25))
    assert _clv.fit_bgnbd(x, t_x, T) == model  # the same fit, run after run


def test_cdnow_fit_converges(peer):
    model = _clv.fit_bgnbd(*_triples(peer))
    assert (model.fit, model.dropout) == (_clv.FITTED, None)


def test_fit_that_runs_to_the_bounds_says_it_diverged():
    """Every buyer buys exactly once a week until the end: no Gamma spread in the rate
    either; r and alpha run to their bounds together."""
    T = np.arange(10.0, 50.0)
    model = _clv.fit_bgnbd(np.floor(T), np.floor(T), T)
    assert model.fit == _clv.DIVERGED


# -- recording the fixture (python tests/analyses/test_clv.py) -----------------------------


def _log_likelihood(bg, frame: pd.DataFrame, params: list[float]) -> float:
    """lifetimes' BG/NBD log-likelihood (it returns the mean negative one) summed."""
    mean_negative = bg._negative_log_likelihood(
        np.log(np.array(params)),
        frame.frequency.to_numpy("float64"),
        frame.recency.to_numpy("float64"),
        frame["T"].to_numpy("float64"),
        np.ones(len(frame)),
        0.0,
    )
    return float(-mean_negative * len(frame))


def _fit(frame: pd.DataFrame, repeat: pd.DataFrame, value_column: str) -> dict:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    bg = BetaGeoFitter().fit(frame.frequency, frame.recency, frame["T"])
    gg = GammaGammaFitter().fit(repeat.frequency, repeat[value_column])
    return (
        {
            "bgnbd": {k: float(v) for k, v in bg.params_.items()},
            "bgnbd_log_likelihood": _log_likelihood(bg, frame, list(bg.params_.values)),
            "gamma_gamma": {
                "p": float(gg.params_["p"]),
                "q": float(gg.params_["q"]),
                "gamma": float(gg.params_["v"]),
            },
        },
        bg,
        gg,
    )


def main() -> None:
    warnings.filterwarnings("ignore")
    import lifetimes
    from lifetimes.datasets import load_dataset
    from lifetimes.utils import summary_data_from_transaction_data

    data = Path(lifetimes.__file__).parent / "datasets"
    summary = load_dataset("cdnow_customers_summary_with_transactions.csv")
    summary = summary.rename(columns={"x": "frequency", "t_x": "recency"})
    fitted, bg, gg = _fit(summary, summary[summary.frequency > 0], "zbar")
    ll_published = _log_likelihood(bg, summary, [0.243, 4.414, 0.793, 2.426])
    grouped = summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    repeat = summary[summary.frequency > 0]
    repeat_grouped = repeat.groupby(["frequency", "zbar"]).size().reset_index(name="n")
    freq, rec, T = (np.array([c[i] for c in CASES]) for i in range(3))
    sample_ids = pd.read_csv(data / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str)[0]
    sample = {
        "lifetimes_version": lifetimes.__version__,
        "customers": len(summary),
        **fitted,
        "bgnbd_log_likelihood_at_published": float(ll_published),
        "triples": {
            "x": grouped.frequency.astype(int).tolist(),
            "t_x": grouped.recency.tolist(),
            "T": grouped["T"].tolist(),
            "n": grouped.n.astype(int).tolist(),
        },
        "repeat_values": {
            "x": repeat_grouped.frequency.astype(int).tolist(),
            "m": repeat_grouped.zbar.tolist(),
            "n": repeat_grouped.n.astype(int).tolist(),
        },
        "cases": {
            "x": freq.tolist(),
            "t_x": rec.tolist(),
            "T": T.tolist(),
            "expected_purchases_39_weeks": bg.conditional_expected_number_of_purchases_up_to_time(
                39, freq, rec, T
            ).tolist(),
            "p_alive": bg.conditional_probability_alive(freq, rec, T).tolist(),
        },
        "master_ids": sorted({int(i) for i in sample_ids}),
    }

    master = pd.read_csv(data / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})
    master["date"] = pd.to_datetime(master.date.astype(str), format="%Y%m%d")
    per = summary_data_from_transaction_data(
        master,
        "customer_id",
        "date",
        monetary_value_col="dollar_value",
        observation_period_end="1997-09-30",
        freq="D",
    )
    per["recency"] /= 7
    per["T"] /= 7
    positive = per[(per.frequency > 0) & (per.monetary_value > 0)]
    fitted_master, bg_m, gg_m = _fit(per, positive, "monetary_value")
    clv = gg_m.customer_lifetime_value(
        bg_m,
        per.frequency,
        per.recency,
        per["T"],
        per.monetary_value.where(per.frequency > 0, 0.0),
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    result = {
        "about": __doc__.strip().splitlines()[0],
        "sample": sample,
        "master": {
            "calibration_end": "1997-09-30",
            "transactions": len(master),
            "customers": len(per),
            "repeat_customers": int((per.frequency > 0).sum()),
            **fitted_master,
            "clv_12_months_1pct_total": float(clv.sum()),
        },
    }
    text = json.dumps(result, indent=1)
    # Lists of numbers on one line each: the file stays short and readable.
    text = re.sub(
        r"\[\s*([-0-9.,\se]+?)\s*\]", lambda m: "[" + re.sub(r"\s+", " ", m[1]) + "]", text
    )
    FIXTURE.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
