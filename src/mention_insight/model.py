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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import persistence
from ._gc import gc_paused
from ._params import ParamsMixin
from .backends import backend_class, make_backend
from .calibration import Calibration, fit_calibration
from .errors import LabelError, MentionInsightError, ModelError, NotFittedError
from .evaluate import label_mask
from .io.jsontext import without_lone_surrogates
from .io.safety import check_model_output
from .labels import FALLBACK_LABEL, primary_label, resolve_precedence, stratified_split


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


def fingerprint(texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> str:
    """A SHA-256 of the training examples, to tell which data a model saw."""
    h = hashlib.sha256()
    for text, labels in zip(texts, label_sets):
        h.update(text.encode("utf-8"))
        h.update(b"\t" + ";".join(sorted(labels)).encode("utf-8") + b"\n")
    return h.hexdigest()


class MentionClassifier(ParamsMixin):
    """Multi-label mention classifier with a primary label.

    Parameters
    ----------
    backend:
        A name from the backend registry (:data:`mention_insight.backends.BACKENDS`):
        ``"linear"`` (the default), ``"transformer"`` or ``"cascade"``.
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

    #: Set by :meth:`load`: the model directory's config and path.
    config_: dict
    path_: Path

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

    # -- fitting --------------------------------------------------------------
    def _label_matrix(self, label_sets: Sequence[Sequence[str]]) -> np.ndarray:
        return label_mask(label_sets, self.classes_).astype(np.int8)

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
            primary = [primary_label(ls, self.precedence_, self.fallback_label) for ls in label_sets]
            tr, va = stratified_split(primary, self.validation_fraction, self.random_state)
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
        self.tune(val_texts, val_labels)
        return self

    def tune(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]]) -> MentionClassifier:
        """(Re)fit the calibration and thresholds on validation data; return ``self``.

        :meth:`fit` calls it; call it again after changing the fitted backend (e.g. a
        cascade's cut-off, or a transformer re-exported in float) to keep the thresholds
        honest for what now scores.
        """
        self._check_fitted()
        raw = self.backend_.decision_function(texts) if len(texts) else np.zeros((0, len(self.classes_)))
        self._set_calibration(fit_calibration(raw, self._label_matrix(label_sets), self.classes_))
        return self

    def calibrate_out_of_fold(
        self, texts: Sequence[str], label_sets: Sequence[Sequence[str]], folds: int = 5
    ) -> MentionClassifier:
        """Refit the calibration and thresholds on out-of-fold scores of ``texts`` (the data the
        backend was fitted on): ``folds`` backends, each fitted without one fold, score it.

        For a few hundred labels, where a held-out fifth would leave too few to tune on; the
        backend itself stays the one fitted on everything. Returns ``self``."""
        self._check_fitted()
        texts = list(texts)
        Y = self._label_matrix(label_sets)
        raw = np.zeros(Y.shape)
        fold = np.random.default_rng(self.random_state).permutation(len(texts)) % folds
        for f in range(folds):
            train_idx, held = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
            part = make_backend(self.backend, self.backend_params)
            part.fit([texts[i] for i in train_idx], Y[train_idx])
            raw[held] = part.decision_function([texts[i] for i in held])
        self._set_calibration(fit_calibration(raw, Y, self.classes_))
        self.n_validation_ = len(texts)
        return self

    def _set_calibration(self, cal: Calibration) -> None:
        self.calibration_ = np.asarray(cal.platt, dtype=np.float64)
        self.thresholds_ = {c: float(t) for c, t in zip(self.classes_, cal.thresholds)}
        self._threshold_array = np.array([self.thresholds_[c] for c in self.classes_])
        self._calibration = Calibration(self.calibration_, self._threshold_array)

    @classmethod
    def from_fitted(
        cls,
        backend_: Any,
        *,
        params: dict,
        classes: Sequence[str],
        precedence: Sequence[str],
        calibration: Calibration,
        training: dict | None = None,
    ) -> MentionClassifier:
        """A fitted classifier from a fitted backend and its calibration: the one place that
        assembles a classifier's learned state (used by :meth:`load` and :meth:`cascade_part`)."""
        clf = cls(**params)
        clf.backend_ = backend_
        clf.classes_ = tuple(classes)
        clf.precedence_ = tuple(precedence)
        clf._set_calibration(calibration)
        training = training or {}
        clf.n_train_ = training.get("n_train", 0)
        clf.n_validation_ = training.get("n_validation", 0)
        clf.data_fingerprint_ = training.get("data_fingerprint", "")
        return clf

    def cascade_part(self, part: str) -> MentionClassifier:
        """A fitted single-backend classifier (``"linear"`` or ``"transformer"``) taken out of a cascade.

        It keeps the part's own calibration and thresholds (fitted on the same validation
        data the cascade used), so it predicts exactly as that part does inside the
        cascade; it can be saved and shipped like any other model.
        """
        self._check_fitted()
        if self.backend != "cascade":
            raise MentionInsightError(f"cascade_part() needs a cascade classifier; this one is {self.backend!r}.")
        sub, cal = self.backend_.part(part)
        params = {**self.get_params(), "backend": part, "backend_params": sub.get_params()}
        training = {
            "n_train": self.n_train_,
            "n_validation": self.n_validation_,
            "data_fingerprint": self.data_fingerprint_,
        }
        return type(self).from_fitted(
            sub, params=params, classes=self.classes_, precedence=self.precedence_, calibration=cal, training=training
        )

    # -- predicting -------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "backend_"):
            raise NotFittedError("this MentionClassifier is not fitted yet: call fit() or load_model() first.")

    @property
    def model_id(self) -> str:
        """The saved model's id (``name@weights-hash``), or ``"unsaved"``."""
        return getattr(self, "config_", {}).get("model_id", "unsaved")

    def predict_proba(self, texts: Sequence[str], batch_size: int = 4096) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(classes_))``."""
        self._check_fitted()
        texts = without_lone_surrogates(list(texts))
        if not texts:
            return np.zeros((0, len(self.classes_)))
        chunks = [
            self._calibration.proba(self.backend_.decision_function(texts[i : i + batch_size]))
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
        _, first, inverse = np.unique(
            packed.view(np.dtype((np.void, packed.shape[1]))).ravel(), return_index=True, return_inverse=True
        )
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
    def save(self, path, *, metrics: dict | None = None, training: dict | None = None, overwrite: bool = False) -> Path:
        """Write the model directory atomically; never changes ``self``.

        An existing model directory is replaced only with ``overwrite=True`` (the old one is
        kept until the new one is complete); anything else already at ``path`` is an error.
        """
        self._check_fitted()
        check_model_output(path, force=overwrite)
        config = {
            "backend": self.backend,
            "labels": list(self.classes_),
            "fallback_label": self.fallback_label,
            "precedence": list(self.precedence_),
            "thresholds": {c: round(float(t), 6) for c, t in self.thresholds_.items()},
            "calibration": {c: [float(a), float(b)] for c, (a, b) in zip(self.classes_, self.calibration_)},
            "params": self.get_params(),
            "backend_params": self.backend_.get_params(),
            "training": {
                "n_train": self.n_train_,
                "n_validation": self.n_validation_,
                "data_fingerprint": self.data_fingerprint_,
                **(training or {}),
            },
            "metrics": metrics or {},
        }
        return persistence.write_model_dir(path, config, self.backend_.to_disk, overwrite=overwrite)

    @classmethod
    def load(cls, path, *, trust_modified: bool = False) -> MentionClassifier:
        """Load a model directory, checking its format version and every file's hash first
        (``trust_modified``: load a changed model under a new id instead of refusing it)."""
        path = Path(path)
        config = persistence.open_model_dir(path, trust_modified=trust_modified)
        params = {k: v for k, v in config.get("params", {}).items() if k in cls.param_names()}
        params["backend"] = config["backend"]
        classes = tuple(config["labels"])
        try:
            calibration = Calibration(
                np.array([config["calibration"][c] for c in classes], dtype=np.float64).reshape(len(classes), 2),
                np.array([float(config["thresholds"][c]) for c in classes]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"{path}/config.json has no usable threshold or calibration for every label ({exc!r}); "
                "the model is corrupt: retrain it or restore a copy."
            ) from None
        try:
            backend_params = dict(config.get("backend_params", {}))
            backend_ = backend_class(config["backend"]).from_disk(path, backend_params)
        except MentionInsightError:
            raise
        except Exception as exc:  # hash matched but the content is unusable
            raise ModelError(
                f"could not read the weights in {path}: {exc}. Retrain the model or restore a copy."
            ) from exc
        clf = cls.from_fitted(
            backend_,
            params=params,
            classes=classes,
            precedence=config["precedence"],
            calibration=calibration,
            training=config.get("training", {}),
        )
        clf.fallback_label = config.get("fallback_label", clf.fallback_label)
        clf.config_ = config
        clf.path_ = path
        return clf
