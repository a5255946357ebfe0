"""The mention classifier: multi-label probabilities, tuned thresholds, a primary label.

:class:`MentionClassifier` follows scikit-learn's estimator contract: ``__init__`` only
stores settings, :meth:`~MentionClassifier.fit` returns ``self``, and learned state ends
in ``_`` (``classes_``, ``thresholds_``, ``calibration_``). Probability columns follow
``classes_``. The raw scores come from a *backend* (``linear``, ``transformer`` or
``cascade``, the linear model in front of the transformer); the
calibration (one Platt scaling per label), the thresholds (chosen on validation data to
maximise each label's F1) and the primary label (the codebook's precedence) are the
same for every backend.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._gc import gc_paused
from .errors import BackendUnavailableError, LabelError, MentionInsightError, NotFittedError
from .labels import FALLBACK_LABEL, primary_label, resolve_precedence

#: Labels with fewer validation positives than this keep the default threshold.
MIN_POSITIVES_TO_TUNE = 3
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Prediction:
    """One mention's result: the primary ``label``, every label that applies, and scores.

    ``scores`` maps each label of the model to its calibrated probability; the fallback
    label's score is ``1 - max(other scores)``, the model's confidence that nothing else
    applies.
    """

    label: str
    labels: tuple[str, ...]
    scores: dict[str, float] = field(hash=False)


def _prediction(label: str, labels: tuple[str, ...], scores: dict[str, float]) -> Prediction:
    """``Prediction(label, labels, scores)`` without the frozen dataclass's slower ``__init__``
    (used for large batches; the fields are set exactly as ``__init__`` sets them)."""
    p = _new(Prediction)
    p.__dict__.update(label=label, labels=labels, scores=scores)
    return p


_new = object.__new__


def make_backend(name: str, params: dict | None = None):
    """A fresh, unfitted backend by name."""
    params = dict(params or {})
    if name == "linear":
        from .linear import LinearBackend

        return LinearBackend(**params)
    if name == "transformer":
        try:
            from .transformer import TransformerBackend
        except ImportError as exc:  # torch / transformers / onnxruntime missing
            raise BackendUnavailableError(
                f"the transformer backend needs optional packages ({exc.name} is missing). "
                "Install them with: pip install 'mention_insight[transformer]'"
            ) from exc
        return TransformerBackend(**params)
    if name == "cascade":
        from .cascade import CascadeBackend

        return CascadeBackend(**params)
    raise MentionInsightError(f"unknown backend {name!r}: expected 'linear', 'transformer' or 'cascade'.")


def backend_from_disk(name: str, path, params: dict):
    """A fitted backend read from a model directory."""
    return type(make_backend(name, params)).from_disk(path, params)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a * score + b) to validation labels (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
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


def _objective(proba: np.ndarray, Y: np.ndarray, thresholds: np.ndarray) -> float:
    """Mean of multi-label macro-F1 and primary-label macro-F1 (columns in precedence order).

    Both count the fallback as a class: a row with no label passing is predicted
    ``fallback``; a row with no true label is ``fallback``.
    """
    n, k = Y.shape
    passed = proba >= thresholds
    pred_set = np.hstack([passed, ~passed.any(axis=1, keepdims=True)])
    true_set = np.hstack([Y.astype(bool), ~Y.any(axis=1, keepdims=True)])
    tp = (pred_set & true_set).sum(0)
    denom = pred_set.sum(0) + true_set.sum(0)
    present = true_set.sum(0) > 0
    label_f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)[present].mean()
    pred_primary = np.argmax(pred_set, axis=1)  # first True in precedence order
    true_primary = np.argmax(true_set, axis=1)
    conf = np.bincount(true_primary * (k + 1) + pred_primary, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)
    diag = np.diag(conf)
    denom = conf.sum(0) + conf.sum(1)
    primary_f1 = np.where(denom > 0, 2 * diag / np.maximum(denom, 1), 0.0)[present].mean()
    return float((label_f1 + primary_f1) / 2)


def _joint_thresholds(proba: np.ndarray, Y: np.ndarray, start: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Coordinate ascent on every label's threshold for :func:`_objective`.

    Per-label F1 thresholds ignore that a lenient threshold on a high-precedence label
    steals the primary label from the labels below it; this tunes them jointly.
    """
    t = start.copy()
    best = _objective(proba, Y, t)
    grid = np.linspace(0.05, 0.95, 37)
    for _ in range(rounds):
        for j in range(Y.shape[1]):
            if Y[:, j].sum() < MIN_POSITIVES_TO_TUNE:
                continue
            for cand in grid:
                trial = t.copy()
                trial[j] = cand
                score = _objective(proba, Y, trial)
                if score > best + 1e-9:
                    best, t = score, trial
    return t


def fingerprint(texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> str:
    """A SHA-256 of the training examples, to tell which data a model saw."""
    h = hashlib.sha256()
    for text, labels in zip(texts, label_sets):
        h.update(text.encode("utf-8"))
        h.update(b"\t" + ";".join(sorted(labels)).encode("utf-8") + b"\n")
    return h.hexdigest()


class MentionClassifier:
    """Multi-label mention classifier with a primary label.

    Parameters
    ----------
    backend:
        ``"linear"`` (scikit-learn, the default), ``"transformer"`` (fine-tuned MiniLM served
        as int8 ONNX; optional extra) or ``"cascade"`` (linear first, transformer for the
        mentions the linear model is unsure of).
    precedence:
        Label order for the primary label; labels it does not name come after it.
        Defaults to the codebook's ``visit_request > complaint > shared_info > thanks``.
    fallback_label:
        The label given when no other label passes its threshold.
    validation_fraction:
        Share of the training data held out to calibrate and tune thresholds when
        ``fit`` gets no ``validation`` set.
    backend_params:
        Settings passed to the backend (e.g. ``{"C": 4.0}`` for ``linear``).
    """

    def __init__(
        self,
        backend: str = "linear",
        precedence: Sequence[str] | None = None,
        fallback_label: str = FALLBACK_LABEL,
        validation_fraction: float = 0.2,
        random_state: int = 0,
        backend_params: dict | None = None,
    ):
        self.backend = backend
        self.precedence = precedence
        self.fallback_label = fallback_label
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.backend_params = backend_params

    def get_params(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "precedence": list(self.precedence) if self.precedence is not None else None,
            "fallback_label": self.fallback_label,
            "validation_fraction": self.validation_fraction,
            "random_state": self.random_state,
            "backend_params": dict(self.backend_params or {}),
        }

    # -- fitting --------------------------------------------------------------
    def _label_matrix(self, label_sets: Sequence[Sequence[str]]) -> np.ndarray:
        index = {c: j for j, c in enumerate(self.classes_)}
        Y = np.zeros((len(label_sets), len(self.classes_)), dtype=np.int8)
        for i, labels in enumerate(label_sets):
            for label in labels:
                if label in index:
                    Y[i, index[label]] = 1
        return Y

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Sequence[str]],
        *,
        validation: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> MentionClassifier:
        """Learn from ``texts`` and their label sets; return ``self``.

        ``validation`` (texts, label sets) calibrates the scores and tunes the
        thresholds; without it, ``validation_fraction`` of the data is held out for that.
        """
        texts = list(texts)
        label_sets = [list(ls) for ls in labels]
        if len(texts) != len(label_sets):
            raise LabelError(f"got {len(texts)} texts but {len(label_sets)} label sets; give one label set per text.")
        if not texts:
            raise LabelError("no training examples: give at least one text per label.")
        found = {label for ls in label_sets for label in ls}
        self.precedence_ = resolve_precedence(found, self.precedence, self.fallback_label)
        self.classes_ = tuple(c for c in self.precedence_ if c != self.fallback_label)
        if not self.classes_:
            raise LabelError(
                f"the training data has no label other than {self.fallback_label!r}; "
                "give examples of the categories to learn."
            )
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if validation is None:
            from sklearn.model_selection import train_test_split

            primary = [primary_label(ls, self.precedence_, self.fallback_label) for ls in label_sets]
            idx = np.arange(len(texts))
            try:
                tr, va = train_test_split(
                    idx, test_size=self.validation_fraction, random_state=self.random_state, stratify=primary
                )
            except ValueError:  # a class too small to stratify
                tr, va = train_test_split(idx, test_size=self.validation_fraction, random_state=self.random_state)
            val_texts = [texts[i] for i in va]
            val_labels = [label_sets[i] for i in va]
            texts = [texts[i] for i in tr]
            label_sets = [label_sets[i] for i in tr]
            if weights is not None:
                weights = weights[tr]
        else:
            val_texts, val_labels = list(validation[0]), [list(v) for v in validation[1]]
        Y = self._label_matrix(label_sets)
        for j, c in enumerate(self.classes_):
            if Y[:, j].sum() == 0 or Y[:, j].sum() == len(Y):
                raise LabelError(
                    f"label {c!r} is on {'no' if Y[:, j].sum() == 0 else 'every'} training example "
                    "after the validation split; a label needs both positive and negative examples."
                )
        self.data_fingerprint_ = fingerprint(texts, label_sets)
        self.n_train_ = len(texts)
        self.n_validation_ = len(val_texts)
        self.backend_ = make_backend(self.backend, self.backend_params)
        if getattr(self.backend_, "uses_validation", False):  # the cascade calibrates its parts on it
            self.backend_.fit(texts, Y, sample_weight=weights, validation=(val_texts, self._label_matrix(val_labels)))
        else:
            self.backend_.fit(texts, Y, sample_weight=weights)
        self._tune(val_texts, val_labels)
        return self

    def _tune(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> None:
        raw = self.backend_.decision_function(texts) if texts else np.zeros((0, len(self.classes_)))
        Yv = self._label_matrix(label_sets)
        self.calibration_ = np.array(
            [_platt(raw[:, j], Yv[:, j]) if len(Yv) else (1.0, 0.0) for j in range(len(self.classes_))],
            dtype=np.float64,
        )
        proba = self._calibrate(raw)
        start = np.array(
            [_best_threshold(proba[:, j], Yv[:, j]) if len(Yv) else DEFAULT_THRESHOLD for j in range(len(self.classes_))]
        )
        tuned = _joint_thresholds(proba, Yv, start) if len(Yv) else start
        self.thresholds_ = {c: float(tuned[j]) for j, c in enumerate(self.classes_)}
        untuned = [c for j, c in enumerate(self.classes_) if Yv[:, j].sum() < MIN_POSITIVES_TO_TUNE]
        if untuned:
            warnings.warn(
                f"labels {untuned} have fewer than {MIN_POSITIVES_TO_TUNE} validation examples; "
                f"their thresholds stay at {DEFAULT_THRESHOLD}. Add labelled examples to tune them.",
                stacklevel=3,
            )
        self._threshold_array = np.array([self.thresholds_[c] for c in self.classes_])

    def _calibrate(self, raw: np.ndarray) -> np.ndarray:
        a, b = self.calibration_[:, 0], self.calibration_[:, 1]
        return 1.0 / (1.0 + np.exp(-(raw * a + b)))

    # -- predicting -------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "backend_"):
            raise NotFittedError("this MentionClassifier is not fitted yet: call fit() or load_model() first.")

    def predict_proba(self, texts: Sequence[str], batch_size: int = 4096) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(classes_))``."""
        self._check_fitted()
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        chunks = [
            self._calibrate(self.backend_.decision_function(texts[i : i + batch_size]))
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(chunks)

    def predictions_from_proba(self, proba: np.ndarray) -> list[Prediction]:
        """Turn probability rows into :class:`Prediction` objects."""
        proba = np.asarray(proba, dtype=np.float64)
        n, n_classes = proba.shape
        if n == 0:
            return []
        passed = proba >= self._threshold_array
        # The label tuple of each distinct row of passing labels is built once (classes_
        # follow precedence, so [0] is primary); rows then pick theirs by index.
        packed = np.packbits(passed, axis=1)  # each row's pattern as bytes: one fast 1-D unique
        _, first, inverse = np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel(),
                                      return_index=True, return_inverse=True)
        label_sets = [
            tuple(c for c, hit in zip(self.classes_, row) if hit) or (self.fallback_label,)
            for row in passed[first].tolist()
        ]
        full = np.empty((n, n_classes + 1))
        full[:, :n_classes] = proba
        full[:, n_classes] = 1.0 - proba.max(axis=1)  # the fallback's score
        names = (*self.classes_, self.fallback_label)
        make = _prediction
        per_row = map(label_sets.__getitem__, inverse.ravel().tolist())
        return [make(ls[0], ls, dict(zip(names, row))) for ls, row in zip(per_row, full.tolist())]

    def predict(self, texts: Sequence[str], batch_size: int = 4096) -> list[Prediction]:
        """One :class:`Prediction` per text, in order."""
        with gc_paused():
            return self.predictions_from_proba(self.predict_proba(texts, batch_size))

    @property
    def all_labels(self) -> tuple[str, ...]:
        """Every label the model can give, the fallback last."""
        self._check_fitted()
        return self.precedence_

    # -- persistence ----------------------------------------------------------
    def save(self, path, *, metrics: dict | None = None, training: dict | None = None, overwrite: bool = True):
        """Write the model directory atomically (see :func:`mention_insight.persistence.save_model`)."""
        from .persistence import save_model

        return save_model(self, path, metrics=metrics, training=training, overwrite=overwrite)
