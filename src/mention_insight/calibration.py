"""Calibration and thresholds: from a backend's raw scores to probabilities and label decisions.

:func:`fit_calibration` is the one entry point: given raw validation scores (one column
per label, columns in precedence order) and the true label matrix, it fits one Platt
scaling per label and then the thresholds: each label's F1-best cut-off first, then a
joint coordinate ascent on the mean of label macro-F1 and primary-label macro-F1 (a
lenient threshold on a high-precedence label steals the primary label from the labels
below it, which per-label F1 does not see). Every backend, and each part of the
cascade, is calibrated by it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .evaluate import label_and_primary_f1

#: Labels with fewer validation positives than this keep the default threshold.
MIN_POSITIVES_TO_TUNE = 3
DEFAULT_THRESHOLD = 0.5
_EPS = 1e-6


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Calibration:
    """Per-label Platt parameters ``(a, b)`` (shape ``(k, 2)``) and probability thresholds (``(k,)``)."""

    platt: np.ndarray
    thresholds: np.ndarray

    def proba(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of raw scores."""
        return sigmoid(raw * self.platt[:, 0] + self.platt[:, 1])

    def relative(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated log-odds minus each threshold's log-odds: >= 0 means the label passes."""
        return logit(self.proba(raw)) - logit(self.thresholds)

    def untuned(self, Y: np.ndarray) -> list[int]:
        """Columns with too few validation positives to have been tuned."""
        return [j for j in range(Y.shape[1]) if Y[:, j].sum() < MIN_POSITIVES_TO_TUNE]


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a * score + b) to validation labels (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    if len(y) == 0 or y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The probability cut-off with the best F1 on validation data (ties: nearest 0.5)."""
    if y.sum() < MIN_POSITIVES_TO_TUNE:
        return DEFAULT_THRESHOLD
    order = np.argsort(-proba, kind="stable")
    p_sorted, y_sorted = proba[order], y[order]
    tp = np.cumsum(y_sorted)
    k = np.arange(1, len(y) + 1)
    f1 = 2 * tp / (k + y.sum())
    # Only cut where the probability changes, so equal scores fall on one side.
    last_of_run = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    f1 = np.where(last_of_run, f1, -1)
    best = f1.max()
    candidates = np.flatnonzero(f1 >= best - 1e-12)
    cut = candidates[np.argmin(np.abs(p_sorted[candidates] - DEFAULT_THRESHOLD))]
    # Midway between the last included score and the next one down.
    nxt = p_sorted[cut + 1] if cut + 1 < len(p_sorted) else 0.0
    return float(np.clip((p_sorted[cut] + nxt) / 2, 0.02, 0.98))


def objective(proba: np.ndarray, Y: np.ndarray, thresholds: np.ndarray) -> float:
    """Mean of multi-label macro-F1 and primary-label macro-F1 at these thresholds."""
    label_f1, primary_f1 = label_and_primary_f1(Y.astype(bool), proba >= thresholds)
    return (label_f1 + primary_f1) / 2


def joint_thresholds(proba: np.ndarray, Y: np.ndarray, start: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Coordinate ascent on every label's threshold for :func:`objective`."""
    t = start.copy()
    best = objective(proba, Y, t)
    grid = np.linspace(0.05, 0.95, 37)
    for _ in range(rounds):
        for j in range(Y.shape[1]):
            if Y[:, j].sum() < MIN_POSITIVES_TO_TUNE:
                continue
            for cand in grid:
                trial = t.copy()
                trial[j] = cand
                score = objective(proba, Y, trial)
                if score > best + 1e-9:
                    best, t = score, trial
    return t


def fit_calibration(raw: np.ndarray, Y: np.ndarray, names: tuple[str, ...] | None = None) -> Calibration:
    """Platt scaling and jointly tuned thresholds from validation scores ``raw`` and labels ``Y``.

    Columns are labels in precedence order. Labels with fewer than
    :data:`MIN_POSITIVES_TO_TUNE` validation positives keep :data:`DEFAULT_THRESHOLD`, with a
    warning naming them (``names``, when given).
    """
    raw = np.asarray(raw, dtype=np.float64)
    Y = np.asarray(Y)
    k = Y.shape[1]
    params = np.array([platt(raw[:, j], Y[:, j]) for j in range(k)], dtype=np.float64).reshape(k, 2)
    cal = Calibration(params, np.full(k, DEFAULT_THRESHOLD))
    if len(Y) == 0:
        return cal
    proba = cal.proba(raw)
    start = np.array([best_threshold(proba[:, j], Y[:, j]) for j in range(k)])
    tuned = joint_thresholds(proba, Y, start)
    untuned = cal.untuned(Y)
    if untuned and names is not None:
        warnings.warn(
            f"labels {[names[j] for j in untuned]} have fewer than {MIN_POSITIVES_TO_TUNE} validation examples; "
            f"their thresholds stay at {DEFAULT_THRESHOLD}. Add labelled examples to tune them.",
            stacklevel=3,
        )
    return Calibration(params, tuned)
