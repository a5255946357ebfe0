"""Adapt a model to an account's own labels, and promote it only if it is better.

:func:`adapt` (``mention-insight train my_labels.csv --base default -o models/mine``):

1. **The gate.** The candidate (:class:`~mention_insight.backends.adapted.AdaptedBackend`:
   the base model's scores stacked with the account's words) is cross-validated on the
   user's labels (``folds`` folds, stratified by primary label): each fold is predicted by a
   candidate trained on the other folds. The base model predicts the same mentions (it
   never saw them). Primary-label macro-F1 of both, and a paired bootstrap interval on the
   difference, decide: a candidate that is not better than the base is refused, with the
   figures, and nothing is written (``force=True`` writes it anyway). When the file says
   why each mention was labelled (``suggest``'s ``why`` column), the figures are taken on
   its ``random`` rows alone: the rows the model picked because it was unsure of them are
   its hardest cases, not the account's mentions, and scoring on them favours the candidate
   (which trains on such cases) over the base. Every row still trains the candidate.
2. **The model.** Trained on all the labels, its calibration and thresholds fitted on
   out-of-fold scores (:meth:`~mention_insight.model.MentionClassifier.calibrate_out_of_fold`:
   with a few hundred labels a held-out fifth is too few to tune on), and saved as a new
   model directory whose card reports the cross-validated figures and whose ``config.json``
   carries its lineage: the base model's id, the labelled file's SHA-256, row counts, the
   date and the gate's figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .api import load_model
from .errors import MentionInsightError
from .evaluate import compute_metrics
from .io.safety import check_model_output
from .labels import primary_label, resolve_precedence
from .model import MentionClassifier
from .train import LabelledData, check_labels, read_labelled


class GateError(MentionInsightError):
    """The adapted candidate is not better than the model it would replace."""


def fit_adapted(data: LabelledData, params: dict, seed: int = 0, folds: int = 5) -> MentionClassifier:
    """An adapted classifier fitted on all of ``data``, calibrated on out-of-fold scores."""
    clf = MentionClassifier(backend="adapted", backend_params=params, random_state=seed)
    clf.fit(data.texts, data.labels, validation=(data.texts, data.labels))
    return clf.calibrate_out_of_fold(data.texts, data.labels, folds=folds)


@dataclass
class GateResult:
    base_id: str
    n: int
    folds: int
    candidate_f1: float  # primary macro-F1, out of fold
    base_f1: float
    difference: float
    low: float  # 95% paired bootstrap interval on the difference
    high: float
    metrics: dict | None = None  # the candidate's out-of-fold metrics (the card's held-out figures)
    scored_on: str = "all"  # "random": the figures are on the randomly picked rows only (n of them)

    @property
    def better(self) -> bool:
        return self.difference > 0

    def as_dict(self) -> dict:
        # six decimals: a figure read back from config.json prints as it did when it was measured
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items() if k != "metrics"}

    @classmethod
    def recorded(cls, config: dict) -> GateResult | None:
        """The gate ``train --base`` recorded in a model's ``config.json`` (None if it has none)."""
        gate = (config.get("training") or {}).get("gate")
        if not isinstance(gate, dict):
            return None
        try:
            return cls(**{k: gate[k] for k in cls.__dataclass_fields__ if k != "metrics" and k in gate})
        except (KeyError, TypeError):
            return None

    def text(self, candidate: str = "adapted") -> str:
        how = f" ({self.folds}-fold cross-validation)" if self.folds else ""
        other = "base " if self.folds else ""
        which = " randomly picked" if self.scored_on == "random" else ""
        return (
            f"on your {self.n}{which} labelled mentions{how}, primary macro-F1: {candidate} {self.candidate_f1:.3f}, "
            f"{other}{self.base_id} {self.base_f1:.3f}; difference {self.difference:+.3f} "
            f"(95% interval {self.low:+.3f} to {self.high:+.3f})"
        )


def _folds(primaries: list[str], k: int, seed: int) -> list[np.ndarray]:
    """Stratified fold indices (each label's mentions dealt round-robin after a shuffle)."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(primaries), dtype=int)
    for lab in sorted(set(primaries)):
        idx = np.array([i for i, p in enumerate(primaries) if p == lab])
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(fold == f) for f in range(k)]


def paired_comparison(
    truth: list, pred_a: list, pred_b: list, order, *, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float, float, float]:
    """Primary macro-F1 of two predictions of the same mentions, and a 95% paired bootstrap
    interval on their difference (the mentions resampled together)."""

    def f1s(idx) -> tuple[float, float]:
        t = [truth[i] for i in idx]
        a = compute_metrics(t, [pred_a[i] for i in idx], order)["primary"]["macro_f1"]
        b = compute_metrics(t, [pred_b[i] for i in idx], order)["primary"]["macro_f1"]
        return a, b

    a, b = f1s(np.arange(len(truth)))
    rng = np.random.default_rng(seed)
    diffs = [float(np.subtract(*f1s(rng.integers(0, len(truth), len(truth))))) for _ in range(n_boot)]
    low, high = np.percentile(diffs, [2.5, 97.5])
    return a, b, float(low), float(high)


def compare(labelled, model_a, model_b, *, n_boot: int = 1000, seed: int = 0) -> GateResult:
    """Two saved models on the same labelled mentions (neither trained on them): primary
    macro-F1 of each and a paired bootstrap interval on the difference (``a - b``)."""
    data = labelled if isinstance(labelled, LabelledData) else read_labelled(labelled)
    a_model = model_a if isinstance(model_a, MentionClassifier) else load_model(model_a)
    b_model = model_b if isinstance(model_b, MentionClassifier) else load_model(model_b)
    digest = file_sha256(labelled) if not isinstance(labelled, LabelledData) else None
    for m in (a_model, b_model):
        if digest and (getattr(m, "config_", {}) or {}).get("training", {}).get("labelled_sha256") == digest:
            raise MentionInsightError(
                f"{m.model_id} was adapted on these very labels, so its figures on them would flatter it; compare "
                "on labels it never saw (its card gives its cross-validated figures on these)."
            )
    order = resolve_precedence(data.label_counts(), None)
    pa = [p.labels for p in a_model.predict(data.texts)]
    pb = [p.labels for p in b_model.predict(data.texts)]
    a, b, low, high = paired_comparison(list(data.labels), pa, pb, order, n_boot=n_boot, seed=seed)
    return GateResult(b_model.model_id, len(data), 0, a, b, a - b, low, high, None)


def gate(
    data: LabelledData, base, *, folds: int = 5, seed: int = 0, n_boot: int = 1000, backend_params: dict | None = None
) -> GateResult:
    """Cross-validated primary macro-F1 of the adapted candidate against ``base`` on ``data``."""
    base_model = base if isinstance(base, MentionClassifier) else load_model(None if base == "default" else base)
    order = resolve_precedence(data.label_counts(), None)
    primaries = [primary_label(ls, order) for ls in data.labels]
    predicted: list[tuple[str, ...] | None] = [None] * len(data)
    params = {"base": str(base), **(backend_params or {})}
    for held in _folds(primaries, folds, seed):
        keep = np.setdiff1d(np.arange(len(data)), held)
        clf = fit_adapted(data.subset(keep.tolist()), params, seed)
        for i, p in zip(held, clf.predict([data.texts[i] for i in held])):
            predicted[i] = p.labels
    base_pred = [p.labels for p in base_model.predict(data.texts)]
    cand = [p or ("other",) for p in predicted]
    scored = scored_rows(data)
    truth = [data.labels[i] for i in scored]
    cand_s, base_s = [cand[i] for i in scored], [base_pred[i] for i in scored]
    a, b, low, high = paired_comparison(truth, cand_s, base_s, order, n_boot=n_boot, seed=seed)
    metrics = compute_metrics(truth, cand_s, order)
    on = "random" if len(scored) < len(data) else "all"
    return GateResult(base_model.model_id, len(scored), folds, a, b, a - b, low, high, metrics, on)


#: Fewest randomly picked rows the gate is scored on; with fewer it says it cannot judge.
MIN_RANDOM = 30


def scored_rows(data: LabelledData) -> list[int]:
    """The rows the gate is scored on: the randomly picked ones when the file says which
    (``suggest``'s ``why`` column), else all of them."""
    if data.why is None or all(w in ("", "random") for w in data.why):
        return list(range(len(data)))
    chosen = [i for i, w in enumerate(data.why) if w in ("", "random")]
    if len(chosen) < MIN_RANDOM:
        raise MentionInsightError(
            f"only {len(chosen)} of the {len(data)} labelled mentions were picked at random (why = random); the "
            f"others were picked because the model was unsure of them, which would flatter the adapted model. Label "
            f"at least {MIN_RANDOM} random ones (mention-insight suggest --random-share 0.3 or more) to check it."
        )
    return chosen


@dataclass
class AdaptResult:
    gate: GateResult
    model: MentionClassifier
    path: Path | None


def file_sha256(path) -> str | None:
    p = Path(path)
    if not p.is_file():
        return None
    return hashlib.sha256(p.read_bytes()).hexdigest()


def adapt(
    labelled,
    output_dir,
    *,
    base: str = "default",
    folds: int = 5,
    seed: int = 0,
    force: bool = False,
    min_examples: int = 5,
    text_column: str | None = None,
    labels_column: str | None = None,
) -> AdaptResult:
    """Adapt ``base`` to the labels in ``labelled`` and save it to ``output_dir`` if it passes the gate.

    ``force``: replace an existing model at ``output_dir``, and save the candidate even when
    the gate finds it no better than the base."""
    check_model_output(output_dir, [labelled if not isinstance(labelled, LabelledData) else None], force=force)
    data = (
        labelled
        if isinstance(labelled, LabelledData)
        else read_labelled(labelled, text_column=text_column, labels_column=labels_column)
    )
    check_labels(data, min_examples=min_examples)
    if len(data) < 4 * folds:
        raise MentionInsightError(
            f"{len(data)} labelled mentions are too few to adapt and check a model; label at least {4 * folds} "
            "(a few hundred give a useful model: mention-insight suggest picks them)."
        )
    result = gate(data, base, folds=folds, seed=seed)
    if not result.better and not force:
        raise GateError(
            f"the adapted model is not better than {result.base_id}: {result.text()}. Nothing was written; label "
            "more mentions (mention-insight suggest), check the labels, or pass --force to save it anyway."
        )
    lineage = {
        "base_model": result.base_id,
        "labelled_file": str(labelled) if not isinstance(labelled, LabelledData) else data.source,
        "labelled_sha256": file_sha256(labelled) if not isinstance(labelled, LabelledData) else None,
        "labelled_rows": len(data),
        "adapted_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "gate": result.as_dict(),
    }
    why = (
        f"Adapted from {result.base_id} to {len(data)} labelled mentions; {result.text()}. The held-out figures "
        f"below are that {folds}-fold cross-validation's (each mention predicted by a model that did not see it)."
    )
    clf = fit_adapted(data, {"base": str(base)}, seed, folds)
    training = {"seed": seed, "sources": [data.source], "why": why, "held_out_is": f"{folds}-fold cross-validation"}
    path = None
    if output_dir is not None:
        path = clf.save(
            output_dir, metrics={"held_out": result.metrics}, training={**training, **lineage}, overwrite=force
        )
    return AdaptResult(result, clf, path)
