"""The linear backend: TF-IDF word and char n-grams with one logistic regression per label.

A backend maps texts to one raw score per label (``decision_function``); turning scores
into calibrated probabilities, thresholds and labels is :class:`~mention_insight.model.
MentionClassifier`'s job, the same for every backend. Weights are stored as a JSON
vocabulary and a NumPy ``.npz`` archive: loading them never runs code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..._params import ParamsMixin
from ...text import Normalizer
from .features import FEATURES, PooledFeatures
from .scorer import PooledScorer

VOCAB_FILE = "vocab.json"
ARRAYS_FILE = "weights.npz"


def _soft_expansion(X, y: np.ndarray, soft: np.ndarray, sample_weight, balanced: bool):
    """Rows, 0/1 targets and weights whose weighted log-loss equals the soft-target log-loss.

    A row with target ``p`` strictly between 0 and 1 becomes a positive copy weighted
    ``p`` and a negative copy weighted ``1 - p`` (times its own weight). With
    ``balanced``, the two classes are weighted by their total (soft) mass, as
    ``class_weight="balanced"`` does with counts.
    """
    import scipy.sparse as sp

    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    idx = np.flatnonzero(soft)
    p = y[idx].astype(np.float64)
    X2 = sp.vstack([X, X[idx]], format="csr")
    t = np.concatenate([(y >= 0.5).astype(np.int8), np.zeros(len(idx), np.int8)])
    t[idx] = 1  # the positive copy stays in place; the appended rows are the negative copies
    w2 = np.concatenate([w, w[idx] * (1 - p)])
    w2[idx] = w[idx] * p
    if balanced:
        pos, neg = w2[t == 1].sum(), w2[t == 0].sum()
        total = pos + neg
        w2 = np.where(t == 1, w2 * total / (2 * pos), w2 * total / (2 * neg))
    return X2, t, w2


class LinearBackend(ParamsMixin):
    """Word + char n-gram features and a one-vs-rest logistic regression."""

    name = "linear"
    uses_validation = False

    def __init__(
        self,
        C: float = 4.0,
        char_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_features: int = 200_000,
        class_weight: str | None = "balanced",
        random_state: int = 0,
        features: str = "pooled",
    ):
        # The token caches behind decision_function are filled as texts arrive; one call at a
        # time per model keeps them consistent when threads share it (classify()'s cached model).
        self._lock = threading.Lock()
        self.C = C
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.random_state = random_state
        self.features = features
        self._normalizer = Normalizer()

    def _feature_class(self):
        if self.features not in FEATURES:
            raise ValueError(f"unknown features {self.features!r}: expected one of {', '.join(FEATURES)}")
        return FEATURES[self.features]

    def _features(self, texts: Sequence[str]):
        return self.features_.transform(self._normalizer.pipe(texts))

    def fit(
        self, texts: Sequence[str], Y: np.ndarray, sample_weight: np.ndarray | None = None, validation=None
    ) -> LinearBackend:
        from sklearn.linear_model import LogisticRegression

        docs = list(self._normalizer.pipe(texts))
        self.features_ = self._feature_class()(self.char_range, self.min_df, self.max_features).fit(docs)
        X = self.features_.transform(docs)
        Y = np.asarray(Y)
        coefs, intercepts = [], []
        for j in range(Y.shape[1]):
            lr = LogisticRegression(
                C=self.C,
                solver="liblinear",
                class_weight=self.class_weight,
                random_state=self.random_state,
                max_iter=1000,
            )
            soft = (Y[:, j] > 0) & (Y[:, j] < 1)
            if soft.any():  # soft targets (e.g. a teacher's probabilities)
                lr.set_params(class_weight=None)
                lr.fit(*_soft_expansion(X, Y[:, j], soft, sample_weight, self.class_weight == "balanced"))
            else:
                lr.fit(X, Y[:, j], sample_weight=sample_weight)
            coefs.append(lr.coef_[0])
            intercepts.append(lr.intercept_[0])
        # Stored transposed and in float32: one sparse x dense product scores every label.
        self.coef_ = np.ascontiguousarray(np.array(coefs, dtype=np.float32).T)
        self.intercept_ = np.array(intercepts, dtype=np.float32)
        self._scorer: PooledScorer | None = None
        return self

    def _fast_scorer(self) -> PooledScorer | None:
        """The cached-score path, for pooled features (built once per fitted model)."""
        if not isinstance(self.features_, PooledFeatures):
            return None
        if getattr(self, "_scorer", None) is None:
            self._scorer = PooledScorer(self._normalizer, self.features_, self.coef_, self.intercept_)
        return self._scorer

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            scorer = self._fast_scorer()
            if scorer is not None:  # cached per-token scores, no sparse matrix
                return scorer.decision_function(texts)
            X = self._features(texts)
        return np.asarray(X @ self.coef_) + self.intercept_

    # -- persistence ----------------------------------------------------------
    def to_disk(self, path: Path) -> list[str]:
        """Write the weights into ``path``; return the file names written."""
        (path / VOCAB_FILE).write_text(json.dumps(self.features_.feature_names(), ensure_ascii=False), "utf-8")
        with open(path / ARRAYS_FILE, "wb") as fh:
            np.savez(fh, idf=self.features_.idf_, coef=self.coef_, intercept=self.intercept_)
        return [VOCAB_FILE, ARRAYS_FILE]

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> LinearBackend:
        backend = cls(**params)
        names = json.loads((path / VOCAB_FILE).read_text("utf-8"))
        with np.load(path / ARRAYS_FILE, allow_pickle=False) as arrays:
            idf, coef, intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
        if len(names) != len(idf) or coef.shape[0] != len(names):
            raise ValueError(f"vocabulary has {len(names)} entries but the weights have {coef.shape[0]} rows")
        backend.features_ = backend._feature_class().from_state(
            names, idf, backend.char_range, backend.min_df, backend.max_features
        )
        backend.coef_ = np.ascontiguousarray(coef, dtype=np.float32)
        backend.intercept_ = intercept.astype(np.float32)
        backend._normalizer.warm_up()  # so that the first classify() call is not the slow one
        backend._fast_scorer()
        return backend
