"""Prediction-powered counts: the model's scores on every mention, corrected by a labelled sample.

The question the report answers is a count over *these* mentions: how many of the ``N``
mentions in an export (or in one period, account or area of it) carry a label. The model
gives every mention a calibrated score ``f`` in [0, 1]; a simple random sample of ``n`` of the
mentions has been labelled by hand (truth ``y`` in {0, 1}). For a domain ``g`` (the whole
export, a period, an account) the estimator is the model-assisted difference estimator of
survey sampling with a tuned coefficient, which is prediction-powered inference (PPI++,
Angelopoulos, Duchi & Zrnic 2023) for a finite population:

    T_g = lam * sum_{i in g} f_i  +  (N / n) * sum_{j in sample} 1[j in g] * (y_j - lam * f_j)

* ``lam = 1`` is plain PPI (the scores' sum plus the sample's estimate of their error);
  ``lam = 0`` is the labelled sample alone (``N / n`` times its count in ``g``). The tuned
  ``lam`` minimises the estimator's variance (the sample regression slope of ``1[g] y`` on
  ``1[g] f``, clipped to [0, 1]), so the interval is never wider than the sample-only one
  by more than the noise of that choice, and much narrower when the model is good.
* Its variance under simple random sampling without replacement is
  ``N^2 (1 - n/N) s^2 / n`` with ``s^2`` the sample variance of
  ``d_j = 1[j in g] (y_j - lam f_j)``; the interval is ``T_g +- t * sqrt(var)``, with
  Student's ``t`` on one degree of freedom fewer than the domain's labelled mentions (a small
  period gets a wider interval than the normal approximation would give), then kept
  within what is known for certain: at least the labelled positives in ``g``, at most the
  domain's size minus its labelled negatives.
* A difference between two domains (this month against last) uses
  ``d_j = 1[j in a] (y_j - lam_a f_j) - 1[j in b] (y_j - lam_b f_j)`` from the same sample,
  so the covariance between the two counts is accounted for.
* With few labelled mentions in a domain, ``s^2`` can come out near zero by chance (no
  labelled error, no labelled positive of a rare label); a floor from a Jeffreys-smoothed
  error rate (the domain's or the whole sample's, the larger) keeps the interval from
  collapsing. ``python -m training.coverage_study`` checks the coverage on real tweets.

The labelled sample must be a *random* sample of the same export (``mention-insight
suggest``'s random share is one); a sample chosen by hand, or from another export, breaks
the method's guarantee. :func:`sample_size` answers "how many mentions should I label for an
interval of +- w?" from the same formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

#: The report's intervals are 95% intervals.
CONFIDENCE = 0.95


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class Count:
    """An estimated count in a domain, with its interval and how it was made."""

    estimate: float
    low: float
    high: float
    se: float
    lam: float  # 0: the labelled sample alone; 1: plain PPI
    n_labelled: int  # labelled mentions in the domain


def _as_arrays(y, f_sample, in_domain_sample) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    f = np.asarray(f_sample, dtype=float)
    g = np.ones_like(y, dtype=bool) if in_domain_sample is None else np.asarray(in_domain_sample, dtype=bool)
    if not (y.shape == f.shape == g.shape) or y.ndim != 1:
        raise ValueError("the sample's truth, scores and domain flags must be 1-d arrays of the same length")
    if y.size < 2:
        raise ValueError("a labelled sample needs at least 2 mentions")
    if np.any((y != 0) & (y != 1)):
        raise ValueError("the sample's truth must be 0 or 1")
    if np.any((f < 0) | (f > 1)) or np.any(np.isnan(f)):
        raise ValueError("scores must lie in [0, 1]")
    return y, f, g


def tuned_lambda(y, f, g) -> float:
    """The variance-minimising coefficient on the sample, clipped to [0, 1]."""
    a, b = g * y, g * f
    var_b = float(np.var(b, ddof=1))
    if var_b <= 0:
        return 0.0
    cov = float(np.cov(a, b, ddof=1)[0, 1])
    return float(np.clip(cov / var_b, 0.0, 1.0))


def _variance_floor(y, f, g, n: int, lam: float) -> float:
    """A floor on s^2 from a Jeffreys-smoothed rate among the labelled mentions.

    The rate is of the model's errors (score on the wrong side of 0.5), or of positives when
    the model is not used (``lam == 0``), in the domain or in the whole sample, whichever is
    larger. It keeps a domain whose few labelled mentions show no error (a rare label, a
    small period) from getting a near-zero-width interval: 0 errors in ``m`` still leave a
    rate of about ``0.5 / m``, and errors seen elsewhere in the sample may happen here too."""
    m = int(np.sum(g))
    if m == 0:
        return 0.0
    hit = y if lam == 0 else (y != (f >= 0.5)).astype(float)
    r = max((float(np.sum(hit[g])) + 0.5) / (m + 1.0), (float(np.sum(hit)) + 0.5) / (n + 1.0))
    return (m / n) * r * (1 - r)


def _quantile(confidence: float, labelled_in_domain: int) -> float:
    """Student's t with one degree of freedom fewer than the domain's labelled mentions: a
    domain with few of them gets a wider interval than the normal one."""
    from scipy.stats import t

    _z(confidence)  # refuses a confidence outside (0, 1)
    df = max(labelled_in_domain - 1, 1)
    return float(t.ppf(0.5 + confidence / 2, df))


def domain_count(
    y: ArrayLike,
    f_sample: ArrayLike,
    f_domain_sum: float,
    population: int,
    *,
    domain_size: int | None = None,
    in_domain_sample: ArrayLike | None = None,
    lam: float | None = None,
    confidence: float = CONFIDENCE,
) -> Count:
    """The count of a label in one domain of an export of ``population`` mentions.

    ``y``, ``f_sample``: truth (0/1) and model score of each labelled mention (a simple random
    sample of the whole export); ``in_domain_sample``: which of them fall in the domain (all,
    if ``None``); ``f_domain_sum``: the sum of the scores of *every* mention in the domain,
    labelled ones included; ``domain_size``: mentions in the domain (``population`` if
    ``None``). ``lam=None`` tunes the coefficient; 1 is plain PPI, 0 the sample alone.
    """
    y, f, g = _as_arrays(y, f_sample, in_domain_sample)
    n, N = y.size, int(population)
    if n > N:
        raise ValueError(f"the export has {N} mentions but {n} are labelled: the sample must come from the export")
    size = N if domain_size is None else int(domain_size)
    lam = tuned_lambda(y, f, g) if lam is None else float(lam)
    d = g * (y - lam * f)
    est = lam * float(f_domain_sum) + N * float(d.mean())
    s2 = max(float(np.var(d, ddof=1)), _variance_floor(y, f, g, n, lam))
    se = N * np.sqrt((1 - n / N) * s2 / n)
    z = _quantile(confidence, int(np.sum(g)))
    known_pos = float(np.sum(y[g]))
    known_neg = float(np.sum(g)) - known_pos
    lo_bound, hi_bound = known_pos, size - known_neg
    clipped = min(max(est, lo_bound), hi_bound)
    low = min(max(est - z * se, lo_bound), clipped)
    high = max(min(est + z * se, hi_bound), clipped)
    return Count(clipped, low, high, float(se), lam, int(np.sum(g)))


@dataclass(frozen=True)
class Difference:
    """The change in a label's count between two domains (e.g. two periods)."""

    estimate: float
    low: float
    high: float
    se: float

    @property
    def clear(self) -> bool:
        """True when the interval excludes zero: a change the sample cannot explain by chance."""
        return self.low > 0 or self.high < 0

    def as_dict(self) -> dict:
        return {
            "estimated": round(self.estimate, 1),
            "low": round(self.low, 1),
            "high": round(self.high, 1),
            "se": round(self.se, 2),
            "clear": self.clear,
        }


def domain_difference(
    y: ArrayLike,
    f_sample: ArrayLike,
    in_a: ArrayLike,
    in_b: ArrayLike,
    f_sum_a: float,
    f_sum_b: float,
    population: int,
    *,
    confidence: float = CONFIDENCE,
) -> Difference:
    """Count in domain ``a`` minus count in domain ``b`` (disjoint or not), from one sample."""
    y, f, ga = _as_arrays(y, f_sample, in_a)
    gb = np.asarray(in_b, dtype=bool)
    n, N = y.size, int(population)
    la, lb = tuned_lambda(y, f, ga), tuned_lambda(y, f, gb)
    d = ga * (y - la * f) - gb * (y - lb * f)
    est = la * f_sum_a - lb * f_sum_b + N * float(d.mean())
    s2 = max(float(np.var(d, ddof=1)), _variance_floor(y, f, ga, n, la) + _variance_floor(y, f, gb, n, lb))
    se = float(N * np.sqrt((1 - n / N) * s2 / n))
    z = _quantile(confidence, min(int(np.sum(ga)), int(np.sum(gb))))
    return Difference(est, est - z * se, est + z * se, se)


def rectifier_variance_from_rates(tp: int, fp: int, fn: int, n: int) -> float:
    """Variance of ``y - prediction`` implied by held-out confusion counts (no sample yet)."""
    if n <= 0:
        raise ValueError("held-out counts need n > 0")
    p_fn, p_fp = fn / n, fp / n
    return p_fn + p_fp - (p_fn - p_fp) ** 2


def sample_size(
    half_width: float, population: int, rectifier_variance: float, *, confidence: float = CONFIDENCE
) -> int:
    """Labelled mentions needed for a count of the whole export to within +- ``half_width``.

    ``rectifier_variance``: the variance of ``y - lam f`` per mention, from a pilot sample or
    from the model's held-out error rates (:func:`rectifier_variance_from_rates`). Solves
    ``z^2 N^2 (1 - n/N) s^2 / n = w^2`` for ``n``.
    """
    if half_width <= 0:
        raise ValueError("the half-width must be positive")
    N, z = int(population), _z(confidence)
    if N <= 0:
        return 0
    n0 = (z * N) ** 2 * rectifier_variance / half_width**2
    return int(min(N, np.ceil(n0 / (1 + n0 / N))))
