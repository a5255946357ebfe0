"""A model adapted to one account: the base model's scores stacked with the account's own words.

``mention-insight train my_labels.csv --base default`` fits this backend on a few hundred
labelled mentions of the user's account. Its features for a mention are

* the base model's calibrated score for each of the base's labels, as log-odds (what the
  base knows from thousands of mentions of other accounts), and
* TF-IDF word uni- and bigrams of the account's own labelled mentions (its place names,
  its slang, its recurring topics),

and one logistic regression per label (class-balanced) learns how far to trust each.
``base_scale`` multiplies the base's log-odds (a larger scale costs the regression less to
keep them, pulling it towards the base); ``python -m training.adaptation_study`` measures
what it gains (docs/adaptation.md): so far little, and with 50-200 labels it is often below
the base, which is why ``train --base`` refuses a candidate its cross-validation does not
find better. New labels (categories the base
does not have) are learned the same way. No base training text is needed, so it runs
where only the installed package is. The base model is copied into the adapted model's
directory (``base/``, with its own hashes) so the adapted model stands alone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from .._params import ParamsMixin
from ..errors import ModelError

BASE_DIR = "base"
#: A copy of the base model's checksums, hashed with the adapted model's own files: it ties the
#: base's files (verified against their checksums when loaded) to the adapted model's id.
BASE_MANIFEST = "base.sha256"
WEIGHTS_FILE = "adapted.npz"
VOCAB_FILE = "adapted_vocab.json"


#: Base-model scores already computed, per (base model id, text): adapting fits the backend
#: many times on the same labelled texts (cross-validation), and the base never changes.
_BASE_SCORES: dict[tuple[str, str], np.ndarray] = {}
_BASE_SCORES_LIMIT = 200_000


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class AdaptedBackend(ParamsMixin):
    """Logistic regression per label over [base model log-odds, the account's TF-IDF n-grams]."""

    name: ClassVar[str] = "adapted"
    uses_validation: ClassVar[bool] = False

    def __init__(
        self,
        base: str | None = None,
        C: float = 1.0,
        base_scale: float = 1.0,
        balanced: bool = True,
        max_features: int = 20000,
        random_state: int = 0,
    ):
        self.base = base
        self.C = C
        self.base_scale = base_scale
        self.balanced = balanced
        self.max_features = max_features
        self.random_state = random_state

    # -- features -----------------------------------------------------------------
    def _base_features(self, texts: Sequence[str]) -> np.ndarray:
        model_id = self.base_model_.model_id
        missing = list(dict.fromkeys(t for t in texts if (model_id, t) not in _BASE_SCORES))
        if missing:
            if len(_BASE_SCORES) + len(missing) > _BASE_SCORES_LIMIT:
                _BASE_SCORES.clear()
            for t, row in zip(missing, _logit(self.base_model_.predict_proba(missing))):
                _BASE_SCORES[(model_id, t)] = row
        return self.base_scale * np.array([_BASE_SCORES[(model_id, t)] for t in texts])

    def _features(self, texts: Sequence[str]):
        from scipy import sparse

        words = self.vectorizer_.transform(list(texts))
        return sparse.hstack([sparse.csr_matrix(self._base_features(texts)), words]).tocsr()

    # -- the contract -----------------------------------------------------------------
    def fit(self, texts, Y, sample_weight=None, validation=None) -> AdaptedBackend:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from ..api import load_model

        if not self.base:
            raise ModelError("an adapted model needs a base model: pass --base default or --base DIR.")
        self.base_dir_ = self.base_model_path()
        self.base_model_ = load_model(self.base_dir_, cache=False)
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, max_features=self.max_features, lowercase=True
        ).fit(list(texts))
        X = self._features(texts)
        Y = np.asarray(Y, dtype=float)
        hard = (Y >= 0.5).astype(int)
        k = Y.shape[1]
        self.coef_ = np.zeros((k, X.shape[1]))
        self.intercept_ = np.zeros(k)
        for j in range(k):
            if hard[:, j].min() == hard[:, j].max():  # one class only: a constant score
                self.intercept_[j] = 8.0 if hard[0, j] else -8.0
                continue
            lr = LogisticRegression(
                C=self.C,
                max_iter=2000,
                class_weight="balanced" if self.balanced else None,
                random_state=self.random_state,
            )
            lr.fit(X, hard[:, j], sample_weight=sample_weight)
            self.coef_[j], self.intercept_[j] = lr.coef_[0], lr.intercept_[0]
        return self

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, len(self.intercept_)))
        X = self._features(texts)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def to_disk(self, path: Path) -> list[str]:
        path = Path(path)
        source = Path(self.base_dir_)
        target = path / BASE_DIR
        shutil.copytree(source, target)
        (path / BASE_MANIFEST).write_bytes((target / "checksums.sha256").read_bytes())
        np.savez(path / WEIGHTS_FILE, coef=self.coef_, intercept=self.intercept_, idf=self.vectorizer_.idf_)
        vocab = {t: int(i) for t, i in self.vectorizer_.vocabulary_.items()}
        (path / VOCAB_FILE).write_text(json.dumps({"vocabulary": vocab, "base_model_id": self.base_model_.model_id}))
        return [BASE_MANIFEST, WEIGHTS_FILE, VOCAB_FILE]

    def base_model_path(self) -> Path:
        from ..api import default_model_path

        return default_model_path() if self.base in (None, "default") else Path(str(self.base))

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> AdaptedBackend:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from ..api import load_model

        backend = cls(**params)
        path = Path(path)
        backend.base_dir_ = path / BASE_DIR
        manifest = backend.base_dir_ / "checksums.sha256"
        if not manifest.is_file() or manifest.read_bytes() != (path / BASE_MANIFEST).read_bytes():
            raise ModelError(
                f"the base model inside {path} ({BASE_DIR}/) is missing or was changed after the model was saved; "
                "retrain the adapted model or restore a copy."
            )
        backend.base_model_ = load_model(backend.base_dir_, cache=False)
        weights = np.load(path / WEIGHTS_FILE, allow_pickle=False)
        backend.coef_, backend.intercept_ = weights["coef"], weights["intercept"]
        state = json.loads((path / VOCAB_FILE).read_text("utf-8"))
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        vec.vocabulary_ = state["vocabulary"]
        vec.idf_ = weights["idf"]
        backend.vectorizer_ = vec
        return backend
