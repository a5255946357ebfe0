"""Counting with or without a labelled sample: what the report's estimated counts come from.

* :class:`PredictionPowered`: a random sample of the export's own mentions has been labelled
  by hand (:class:`LabelledSample`). Every count (a label in the whole export, in one
  period, in one account or area) and every change between two periods is estimated from
  the model's scores on *all* the mentions, corrected by the sample
  (:mod:`.ppi`), with a 95% interval that holds its promise (``python -m
  training.coverage_study``).
* :class:`Uncorrected`: no sample. The counts are the model's predictions as they are, and
  :func:`labels_needed` says how many random mentions to label for a useful interval.

Both answer :meth:`count` and :meth:`change` for any list of mentions, so
:func:`.counts.group_summary` does not care which it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    truth: tuple[tuple[Mention, frozenset[str]], ...]  # matched mentions and their hand labels
    unmatched: int  # labelled rows found nowhere in the export


def score(m: Mention, label: str) -> float:
    """The model's calibrated score for ``label``; 1/0 from the labels when scores are absent."""
    value = m.scores.get(label)
    if value is None:
        return 1.0 if label in m.labels else 0.0
    return min(max(float(value), 0.0), 1.0)


class Uncorrected:
    """No labelled sample: counts are predicted counts, with no interval."""

    corrected = False

    def count(self, label: str, members: Sequence[Mention]) -> Estimate:
        k = sum(label in m.labels for m in members)
        return Estimate(k, float(k), float(k), float(k), False, method="none")

    def change(self, label: str, before: Sequence[Mention], after: Sequence[Mention]) -> dict | None:
        return None


class PredictionPowered:
    """Counts over ``population`` (the mentions the report counts), corrected by ``sample``.

    Labelled mentions outside the population (the accounts' own posts, mentions outside
    --since/--until) are left out: the rest is still a random sample of the population.
    """

    corrected = True

    def __init__(self, sample: LabelledSample, population: Sequence[Mention], labels: Sequence[str]):
        inside = {id(m) for m in population}
        kept = [(m, t) for m, t in sample.truth if id(m) in inside]
        if len(kept) < 2:
            raise ValueError(
                f"only {len(kept)} of the labelled mentions in {sample.name} are among the mentions counted; "
                "label a random sample of this export's public mentions (keep their id column)."
            )
        self.population = len(population)
        self.sample_ids = [id(m) for m, _ in kept]
        self.n = len(kept)
        self.y = {lab: np.array([lab in t for _, t in kept], dtype=float) for lab in labels}
        self.f = {lab: np.array([score(m, lab) for m, _ in kept]) for lab in labels}
        self._masks: dict[int, tuple[Sequence[Mention], np.ndarray]] = {}

    def _in(self, members: Sequence[Mention]) -> np.ndarray:
        """Which labelled mentions are among ``members`` (worked out once per list: every label
        of a group or period asks for the same one)."""
        hit = self._masks.get(id(members))
        if hit is not None and hit[0] is members:
            return hit[1]
        ids = {id(m) for m in members}
        mask = np.array([i in ids for i in self.sample_ids], dtype=bool)
        if len(self._masks) > 256:
            self._masks.clear()
        self._masks[id(members)] = (members, mask)
        return mask

    def count(self, label: str, members: Sequence[Mention]) -> Estimate:
        c = domain_count(
            self.y[label],
            self.f[label],
            sum(score(m, label) for m in members),
            self.population,
            domain_size=len(members),
            in_domain_sample=self._in(members),
        )
        observed = sum(label in m.labels for m in members)
        return Estimate(observed, c.estimate, c.low, c.high, True, method=METHOD, labelled=c.n_labelled)

    def change(self, label: str, before: Sequence[Mention], after: Sequence[Mention]) -> dict | None:
        d = domain_difference(
            self.y[label],
            self.f[label],
            self._in(after),
            self._in(before),
            sum(score(m, label) for m in after),
            sum(score(m, label) for m in before),
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
