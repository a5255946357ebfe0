"""Prediction-powered counts: formulas against ppi-python and survey sampling, bounds, coverage."""

import math

import numpy as np
import pytest

from mention_insight.insight.ppi import (
    domain_count,
    domain_difference,
    rectifier_variance_from_rates,
    sample_size,
    tuned_lambda,
)


def _export(rng, N=2000, share=0.3, noise=0.25):
    """Truth and a noisy calibrated-ish score for N mentions."""
    y = rng.random(N) < share
    f = np.clip(np.where(y, 0.75, 0.2) + rng.normal(0, noise, N), 0, 1)
    return y.astype(float), f


def test_point_estimate_equals_ppi_python_for_a_fixed_coefficient():
    ppi_py = pytest.importorskip("ppi_py")
    rng = np.random.default_rng(0)
    y, f = _export(rng)
    s = rng.choice(y.size, 150, replace=False)
    for lam in (0.0, 0.5, 1.0):
        ours = domain_count(y[s], f[s], f.sum(), y.size, lam=lam)
        theirs = ppi_py.ppi_mean_pointestimate(y[s], f[s], f, lam=lam)
        assert ours.estimate == pytest.approx(float(np.ravel(theirs)[0]) * y.size, rel=1e-9)


def test_coefficient_zero_is_the_classical_survey_interval():
    # N p-hat with the finite-population correction and Student's t on n - 1 degrees of freedom
    y = np.array([1, 0, 0, 1, 1, 0, 0, 0, 1, 0] * 10, dtype=float)  # 40 of 100 labelled are positive
    N, n = 1000, y.size
    c = domain_count(y, np.full(n, 0.5), 500.0, N, lam=0.0)
    p = 0.4
    se = N * math.sqrt((1 - n / N) * p * (1 - p) * n / (n - 1) / n)
    assert c.estimate == pytest.approx(400.0)
    assert c.se == pytest.approx(se)
    t99 = 1.984217  # Student's t, 99 degrees of freedom, 97.5th percentile
    assert (c.low, c.high) == pytest.approx((400 - t99 * se, 400 + t99 * se), rel=1e-5)


def test_a_perfect_model_gives_the_true_count_with_a_narrow_interval():
    rng = np.random.default_rng(1)
    y, _ = _export(rng)
    s = rng.choice(y.size, 100, replace=False)
    c = domain_count(y[s], y[s], y.sum(), y.size)
    assert c.lam == pytest.approx(1.0)
    assert c.estimate == pytest.approx(y.sum())
    # 0 errors in 100 labels still allow an error rate of a few percent: the interval says so
    assert 0 < c.high - c.low < 0.06 * y.size


def test_tuning_ignores_useless_scores_and_trusts_good_ones():
    rng = np.random.default_rng(2)
    y, good = _export(rng, noise=0.05)
    useless = rng.random(y.size)
    s = rng.choice(y.size, 300, replace=False)
    assert tuned_lambda(y[s], useless[s], np.ones(300, bool)) < 0.2
    assert tuned_lambda(y[s], good[s], np.ones(300, bool)) > 0.8
    with_model = domain_count(y[s], good[s], good.sum(), y.size)
    alone = domain_count(y[s], good[s], good.sum(), y.size, lam=0.0)
    assert with_model.high - with_model.low < 0.5 * (alone.high - alone.low)


def test_the_interval_keeps_to_what_the_sample_proves():
    # Every labelled mention is positive and the model says nothing: the count is at least those.
    y = np.ones(20)
    c = domain_count(y, np.zeros(20), 0.0, 25)
    assert c.low >= 20
    assert c.high <= 25
    assert c.low <= c.estimate <= c.high


def test_a_domain_uses_only_its_labelled_mentions_and_its_own_scores():
    rng = np.random.default_rng(3)
    y, f = _export(rng)
    week = rng.integers(0, 4, y.size)
    s = rng.choice(y.size, 200, replace=False)
    c = domain_count(
        y[s], f[s], f[week == 0].sum(), y.size, domain_size=int((week == 0).sum()), in_domain_sample=week[s] == 0
    )
    assert c.n_labelled == int((week[s] == 0).sum())
    assert abs(c.estimate - y[week == 0].sum()) < 3 * c.se


def test_no_labelled_positive_still_gives_an_interval():
    y = np.zeros(100)
    f = np.full(100, 0.02)
    c = domain_count(y, f, 2000 * 0.02, 2000)
    assert c.high > c.low


@pytest.mark.parametrize("n", [100, 300])
def test_intervals_cover_the_truth_about_95_percent_of_the_time(n):
    rng = np.random.default_rng(4)
    hits = diff_hits = 0
    reps = 400
    for _ in range(reps):
        y, f = _export(rng, N=1000, share=0.15)
        week = rng.integers(0, 2, y.size)
        s = rng.choice(y.size, n, replace=False)
        c = domain_count(y[s], f[s], f.sum(), y.size)
        hits += c.low <= y.sum() <= c.high
        d = domain_difference(y[s], f[s], week[s] == 0, week[s] == 1, f[week == 0].sum(), f[week == 1].sum(), y.size)
        diff_hits += d.low <= y[week == 0].sum() - y[week == 1].sum() <= d.high
    assert hits / reps >= 0.92
    assert diff_hits / reps >= 0.92


def test_a_difference_between_a_domain_and_itself_is_zero():
    rng = np.random.default_rng(5)
    y, f = _export(rng)
    s = rng.choice(y.size, 150, replace=False)
    g = np.ones(150, bool)
    d = domain_difference(y[s], f[s], g, g, f.sum(), f.sum(), y.size)
    assert d.estimate == pytest.approx(0.0, abs=1e-9)
    assert not d.clear


def test_sample_size_reaches_the_asked_width():
    var = rectifier_variance_from_rates(tp=80, fp=20, fn=20, n=1000)
    assert var == pytest.approx(0.04)
    n = sample_size(50, 5000, var)
    achieved = 1.959964 * 5000 * math.sqrt((1 - n / 5000) * var / n)
    assert achieved <= 50 < 1.959964 * 5000 * math.sqrt((1 - (n - 1) / 5000) * var / (n - 1))
    assert sample_size(0.001, 300, 0.2) == 300  # never more than the export


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="the export has 5 mentions but 10 are labelled"):
        domain_count(np.ones(10), np.ones(10), 5.0, 5)
    with pytest.raises(ValueError, match="truth must be 0 or 1"):
        domain_count(np.array([0, 2.0]), np.ones(2), 5.0, 50)
    with pytest.raises(ValueError, match=r"scores must lie in \[0, 1\]"):
        domain_count(np.array([0, 1.0]), np.array([0.5, 1.5]), 5.0, 50)
