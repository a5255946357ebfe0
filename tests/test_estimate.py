import numpy as np
import pytest

from mention_insight.insight.estimate import ErrorRates, error_rates_from_config, estimate_count, point_estimate
from mention_insight.report.prose import estimate_phrase


def test_perfect_classifier_returns_the_observed_count_with_a_near_zero_interval():
    perfect = ErrorRates(tp=2000, fp=0, fn=0, n=4000)
    est = estimate_count(40, 100, perfect, seed=1)
    assert est.corrected is True
    assert est.estimate == pytest.approx(40.0)
    assert est.high - est.low <= 1.5  # about one mention: only the Beta draws of tpr, fpr vary
    assert est.low <= 40 <= est.high


def test_known_bias_is_corrected_exactly_at_the_expected_count():
    # tpr 0.6, fpr 0.2: 300 true of 1000 -> 0.6*300 + 0.2*700 = 320 predicted.
    rates = ErrorRates(tp=600, fp=200, fn=400, n=2000)
    assert rates.tpr == 0.6 and rates.fpr == 0.2
    est = estimate_count(320, 1000, rates)
    assert est.estimate == pytest.approx(300.0)
    assert est.low < 300 < est.high


def test_correction_moves_towards_the_truth_on_simulated_classifier_output():
    rng = np.random.default_rng(7)
    rates = ErrorRates(tp=160, fp=90, fn=40, n=1000)  # tpr 0.8, fpr 0.1125
    covered, closer = 0, 0
    for _ in range(20):
        truth = rng.random(600) < 0.15
        predicted = np.where(truth, rng.random(600) < rates.tpr, rng.random(600) < rates.fpr)
        est = estimate_count(int(predicted.sum()), 600, rates, n_boot=500)
        true_n = int(truth.sum())
        closer += abs(est.estimate - true_n) < abs(int(predicted.sum()) - true_n)
        covered += est.low <= true_n <= est.high
    assert closer >= 17  # the raw count overshoots by ~ fpr * 510 = 57; the correction removes most of it
    assert covered >= 17  # 95% intervals cover the truth in (nearly) every run


def test_estimates_are_clipped_to_zero_and_the_total():
    rates = ErrorRates(tp=80, fp=100, fn=20, n=1100)  # fpr 0.1
    assert estimate_count(2, 100, rates).estimate == 0.0
    assert point_estimate(100, 100, 0.8, 0.1) == 100.0


def test_no_error_rates_leaves_the_count_uncorrected():
    est = estimate_count(12, 50, None)
    assert (est.observed, est.estimate, est.low, est.high, est.corrected) == (12, 12.0, 12.0, 12.0, False)
    assert estimate_phrase(est, "thanks") == "thanks: 12 predicted (not corrected: no labelled sample)"


def test_phrase_reads_like_the_issue_asks():
    rates = ErrorRates(tp=600, fp=200, fn=400, n=2000)
    phrase = estimate_phrase(estimate_count(320, 1000, rates), "visit requests")
    assert phrase.startswith("visit requests: about 300, likely between ")
    assert phrase.endswith(" (320 predicted)")


def test_observed_above_total_is_refused():
    with pytest.raises(ValueError, match="observed count 5 must be between 0 and the total 4"):
        estimate_count(5, 4, None)


def test_error_rates_from_a_model_config():
    config = {
        "metrics": {
            "held_out": {
                "n": 100,
                "per_label": {
                    "thanks": {"tp": 8, "fp": 3, "fn": 2, "support": 10},
                    "other": {"precision": 0.5},
                },
            }
        }
    }
    rates = error_rates_from_config(config)
    assert list(rates) == ["thanks"]
    assert rates["thanks"].tpr == 0.8
    assert rates["thanks"].fpr == pytest.approx(3 / 90)
    assert error_rates_from_config({}) == {}
