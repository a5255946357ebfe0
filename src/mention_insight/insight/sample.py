"""Counting with or without a labelled sample: what the report's estimated counts come from.

* :class:`PredictionPowered`: a random sample of the export's own mentions has been labelled
  by hand (:class:`LabelledSample`). Every count (a label in the whole export, in one
  period, in one account or area) and every change between two periods is estimated from
  the model's scores on *all* the mentions, corrected by the sample
  (:mod:`.ppi`), with a 95% interval that holds its promise (``python -m
  training.coverage_study``).
* :class:`Uncorrected`: no sample. The counts are the model's predictions as they are, and
  :func:`labels_needed` says how many random mentions to label for a useful interval.

Both answer :meth:`count` and :meth:`change` for any :class:`Domain` (a group, a period), so
:func:`.counts.group_summary` does not care which it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .estimate import ErrorRates, Estimate
from .mentions import Mention
from .ppi import domain_count, domain_difference, rectifier_variance_from_rates, sample_size

METHOD = "prediction-powered"


@dataclass(frozen=True)
class LabelledSample:
    """Hand labels for some of the export's mentions (matched to them by id or by text)."""

    name: str  # where the labels came from, for the report's notes
    rows: int  # labelled rows read
    truth: tuple[tuple[Any, frozenset[str]], ...]  # matched rows (:class:`.partial.Candidate`) and their hand labels
    unmatched: int  # labelled rows found nowhere in the export


def score(m: Mention, label: str) -> float:
    """The model's calibrated score for ``label``; 1/0 from the labels when scores are absent."""
    value = m.scores.get(label)
    if value is None:
        return 1.0 if label in m.labels else 0.0
    return min(max(float(value), 0.0), 1.0)


@dataclass
class Domain:
    """Some of the counted mentions (a group, a period, or both): their number, how many
    carry each label, the sum of each label's scores, and which labelled mentions are among
    them (``group``/``period`` None: any)."""

    size: int
    observed: dict[str, int]
    score_sums: dict[str, float]
    group: str | None = None
    period: str | None = None


class Uncorrected:
    """No labelled sample: counts are predicted counts, with no interval."""

    corrected = False

    def count(self, label: str, domain: Domain) -> Estimate:
        k = domain.observed.get(label, 0)
        return Estimate(k, float(k), float(k), float(k), False, method="none")

    def change(self, label: str, before: Domain, after: Domain) -> dict | None:
        return None


@dataclass(frozen=True)
class Member:
    """A labelled mention among those counted: its model scores, hand labels, group and period."""

    scores: dict[str, float]
    truth: frozenset[str]
    group: str
    period: str


class PredictionPowered:
    """Counts over a population of ``population`` mentions, corrected by the labelled
    ``members`` among them (labelled mentions outside it, the accounts' own posts or
    mentions outside --since/--until, are left out before: the rest is still a random
    sample of the population)."""

    corrected = True

    def __init__(self, members: Sequence[Member], population: int, labels: Sequence[str], name: str = "the sample"):
        if len(members) < 2:
            raise ValueError(
                f"only {len(members)} of the labelled mentions in {name} are among the mentions counted; "
                "label a random sample of this export's public mentions (keep their id column)."
            )
        self.population = population
        self.n = len(members)
        self.y = {lab: np.array([lab in m.truth for m in members], dtype=float) for lab in labels}
        self.f = {lab: np.array([min(max(float(m.scores.get(lab, 0.0)), 0.0), 1.0) for m in members]) for lab in labels}
        self._groups = np.array([m.group for m in members], dtype=object)
        self._periods = np.array([m.period for m in members], dtype=object)

    def _in(self, domain: Domain) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        if domain.group is not None:
            mask &= self._groups == domain.group
        if domain.period is not None:
            mask &= self._periods == domain.period
        return mask

    def count(self, label: str, domain: Domain) -> Estimate:
        c = domain_count(
            self.y[label],
            self.f[label],
            domain.score_sums.get(label, 0.0),
            self.population,
            domain_size=domain.size,
            in_domain_sample=self._in(domain),
        )
        observed = domain.observed.get(label, 0)
        return Estimate(observed, c.estimate, c.low, c.high, True, method=METHOD, labelled=c.n_labelled)

    def change(self, label: str, before: Domain, after: Domain) -> dict | None:
        d = domain_difference(
            self.y[label],
            self.f[label],
            self._in(after),
            self._in(before),
            after.score_sums.get(label, 0.0),
            before.score_sums.get(label, 0.0),
            self.population,
        )
        return d.as_dict()


def labels_needed(rates: dict[str, ErrorRates], mentions: int, share_points: float = 5.0) -> int | None:
    """Random mentions to label so that every label's share comes within about +-``share_points``
    percentage points (95%), judged from the model's held-out errors; None without them."""
    if not rates or mentions <= 0:
        return None
    width = mentions * share_points / 100
    need = [
        sample_size(width, mentions, rectifier_variance_from_rates(r.tp, r.fp, r.fn, r.n))
        for r in rates.values()
        if r.n > 0
    ]
    return max(need, default=None)
