"""Adjusted classify-and-count: correct predicted label counts for the classifier's held-out errors.

The report no longer uses this correction: its intervals cover the truth far less often
than they promise (``python -m training.coverage_study``: 50-94% for a nominal 95%), and
the report's counts are prediction-powered (:mod:`.sample`). It stays as the baseline of
that study, and :class:`ErrorRates` describe the model's held-out errors in the report.

Method (adjusted classify-and-count, per label, multi-label labels treated one by one):

* From the model's held-out evaluation, each label has a true-positive rate
  ``tpr = tp / (tp + fn)`` and a false-positive rate ``fpr = fp / (n - support)``.
* If ``k`` of ``N`` mentions are predicted to carry the label, the expected number is
  ``k = tpr * T + fpr * (N - T)``, so the estimated true count is
  ``T = (k - fpr * N) / (tpr - fpr)``, clipped to ``[0, N]``.
* The 95% interval comes from a parametric bootstrap: each replicate draws ``tpr`` and
  ``fpr`` from their Beta posteriors (uniform prior, held-out counts), simulates the
  classifier on ``N`` mentions of which ``T`` are true
  (``k* = Binomial(T, tpr) + Binomial(N - T, fpr)``) and re-estimates. The interval is
  the 2.5th-97.5th percentile of the replicates: it covers both the uncertainty in the
  error rates (few held-out examples) and the classifier's item-by-item noise on this
  set of mentions. A perfect classifier gives the observed count with a near-zero width.

It assumes the held-out error rates carry over to the mentions being counted; when the
export differs a lot from the held-out data (another force, another platform) the
correction is only as good as that assumption, which the report says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Below this tpr - fpr the correction divides by almost nothing; counts are left as observed.
MIN_SEPARATION = 0.05


@dataclass(frozen=True)
class ErrorRates:
    """One label's held-out confusion counts."""

    tp: int
    fp: int
    fn: int
    n: int  # held-out size

    @property
    def negatives(self) -> int:
        return self.n - (self.tp + self.fn)

    @property
    def tpr(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / self.negatives if self.negatives else 0.0


@dataclass(frozen=True)
class Estimate:
    """A label's count: as predicted, as estimated after correction, and a 95% interval."""

    observed: int
    estimate: float
    low: float
    high: float
    corrected: bool  # False when there is nothing to correct with (the predicted count shown as is)
    method: str = "adjusted classify-and-count"
    labelled: int | None = None  # labelled mentions in this count's domain (prediction-powered)

    def as_dict(self) -> dict:
        out = {
            "predicted": self.observed,
            "estimated": round(self.estimate, 1),
            "low": round(self.low, 1),
            "high": round(self.high, 1),
            "corrected": self.corrected,
            "method": self.method if self.corrected else "none",
        }
        if self.labelled is not None:
            out["labelled_in_domain"] = self.labelled
        return out


def error_rates_from_config(config: dict) -> dict[str, ErrorRates]:
    """Per-label :class:`ErrorRates` from a model config's held-out metrics ({} if absent)."""
    held = (config or {}).get("metrics", {}).get("held_out", {})
    n = held.get("n")
    out = {}
    for label, m in (held.get("per_label") or {}).items():
        if n and all(k in m for k in ("tp", "fp", "fn")):
            out[label] = ErrorRates(int(m["tp"]), int(m["fp"]), int(m["fn"]), int(n))
    return out


def error_rates_from_metrics(metrics: dict) -> dict[str, ErrorRates]:
    """Per-label :class:`ErrorRates` from :func:`mention_insight.evaluate.compute_metrics`' result."""
    return error_rates_from_config({"metrics": {"held_out": metrics}})


def point_estimate(observed: int, total: int, tpr: float, fpr: float) -> float:
    if total <= 0:
        return 0.0
    if tpr - fpr < MIN_SEPARATION:
        return float(observed)
    return float(np.clip((observed - fpr * total) / (tpr - fpr), 0, total))


def estimate_count(
    observed: int, total: int, rates: ErrorRates | None, *, n_boot: int = 2000, seed: int = 0
) -> Estimate:
    """Corrected count of one label among ``total`` mentions, ``observed`` predicted positive."""
    if observed < 0 or observed > total:
        raise ValueError(f"observed count {observed} must be between 0 and the total {total}")
    if (
        rates is None
        or total == 0
        or rates.tp + rates.fn == 0
        or rates.negatives <= 0
        or rates.tpr - rates.fpr < MIN_SEPARATION
    ):
        return Estimate(observed, float(observed), float(observed), float(observed), False)
    est = point_estimate(observed, total, rates.tpr, rates.fpr)
    rng = np.random.default_rng(seed)
    tpr = rng.beta(rates.tp + 1, rates.fn + 1, n_boot)
    fpr = rng.beta(rates.fp + 1, rates.negatives - rates.fp + 1, n_boot)
    true_n = int(round(est))
    k = rng.binomial(true_n, tpr) + rng.binomial(total - true_n, fpr)
    sep = tpr - fpr
    safe = np.where(sep < MIN_SEPARATION, np.nan, sep)
    reps = np.clip((k - fpr * total) / safe, 0, total)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return Estimate(observed, est, est, est, True)
    low, high = np.percentile(reps, [2.5, 97.5])
    return Estimate(observed, est, float(min(low, est)), float(max(high, est)), True)
