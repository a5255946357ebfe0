import numpy as np
import pytest

from mention_insight.calibration import (
    DEFAULT_THRESHOLD,
    Calibration,
    best_threshold,
    fit_calibration,
    joint_thresholds,
    objective,
)


def test_best_threshold_separates_perfectly_separable_scores():
    proba = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.1])
    y = np.array([1, 1, 1, 0, 0, 0])
    t = best_threshold(proba, y)
    assert 0.4 < t < 0.7
    assert t == pytest.approx(0.55)  # midway between the last positive and the next score


def test_best_threshold_keeps_the_default_with_too_few_positives():
    assert best_threshold(np.array([0.9, 0.1, 0.2]), np.array([1, 0, 0])) == DEFAULT_THRESHOLD


def test_equal_scores_fall_on_one_side_of_the_cut():
    proba = np.array([0.8, 0.6, 0.6, 0.6, 0.2])
    y = np.array([1, 1, 0, 1, 0])
    t = best_threshold(proba, y)
    assert not (np.isclose(t, 0.6))
    assert ((proba >= t) == (proba >= 0.6)).all() or ((proba >= t) == (proba >= 0.8)).all()


def test_joint_thresholds_never_lower_the_objective():
    rng = np.random.default_rng(1)
    Y = (rng.random((300, 3)) < 0.3).astype(int)
    proba = np.clip(Y * 0.5 + rng.random((300, 3)) * 0.6, 0, 1)
    start = np.full(3, 0.5)
    tuned = joint_thresholds(proba, Y, start)
    assert objective(proba, Y, tuned) >= objective(proba, Y, start)


def test_fit_calibration_learns_a_monotone_scaling_and_useful_thresholds():
    rng = np.random.default_rng(2)
    Y = (rng.random((400, 2)) < 0.4).astype(int)
    raw = Y * 3.0 + rng.normal(0, 1, (400, 2)) - 1.5
    cal = fit_calibration(raw, Y)
    assert isinstance(cal, Calibration)
    assert (cal.platt[:, 0] > 0).all()  # higher raw score, higher probability
    decided = cal.proba(raw) >= cal.thresholds
    assert (decided == Y.astype(bool)).mean() > 0.85
    assert (cal.relative(raw) >= 0).tolist() == decided.tolist()


def test_fit_calibration_warns_about_labels_it_could_not_tune():
    Y = np.array([[1, 0], [0, 0], [1, 1], [0, 0], [1, 0]])
    raw = Y.astype(float)
    with pytest.warns(UserWarning, match=r"labels \['b'\] have fewer than 3 validation examples"):
        cal = fit_calibration(raw, Y, ("a", "b"))
    assert cal.thresholds[1] == DEFAULT_THRESHOLD
