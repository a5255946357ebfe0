"""Sparse TF-IDF features from normalised tokens: word 1-2-grams and in-word char n-grams.

The vocabulary is learned once (``fit``); ``transform`` is built for throughput: the
char n-gram ids of each distinct token are computed once and cached, so a batch costs a
few dictionary look-ups per token. The result equals scikit-learn's ``TfidfVectorizer``
with ``sublinear_tf=True`` and ``norm="l2"`` over the same features (a test checks it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

_CACHE_LIMIT = 500_000


def char_ngrams(token: str, min_n: int, max_n: int) -> list[str]:
    """Char n-grams of ``token`` padded with spaces, as scikit-learn's ``char_wb``."""
    padded = f" {token} "
    grams = []
    for n in range(min_n, max_n + 1):
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        if len(padded) <= n:
            break
    return grams


def word_ngrams(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams (joined by a space) of ``tokens``."""
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def analyse(tokens: Sequence[str], char_range: tuple[int, int]) -> list[str]:
    """Every feature string of one document (the slow reference path, used in fit)."""
    feats = ["w:" + f for f in word_ngrams(tokens)]
    lo, hi = char_range
    if hi:
        for token in tokens:
            feats.extend("c:" + g for g in char_ngrams(token, lo, hi))
    return feats


class TfidfFeatures:
    """Word and char n-gram TF-IDF features over token lists.

    Parameters are stored as given; the vocabulary (``vocabulary_``, feature string ->
    column) and ``idf_`` are learned by :meth:`fit`.
    """

    def __init__(self, char_range: tuple[int, int] = (2, 5), min_df: int = 2, max_features: int = 200_000):
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.max_features = max_features

    # -- learning ---------------------------------------------------------
    def fit(self, docs: Iterable[Sequence[str]]) -> TfidfFeatures:
        df: Counter[str] = Counter()
        n_docs = 0
        for tokens in docs:
            n_docs += 1
            df.update(set(analyse(tokens, self.char_range)))
        kept = [(f, c) for f, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda fc: (-fc[1], fc[0]))
        kept = kept[: self.max_features]
        kept.sort(key=lambda fc: fc[0])
        self.vocabulary_ = {f: i for i, (f, _) in enumerate(kept)}
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + n_docs) / (1 + counts)) + 1).astype(np.float32)
        self._reset_cache()
        return self

    def _reset_cache(self) -> None:
        vocab = self.vocabulary_
        self._word_ids = {f[2:]: i for f, i in vocab.items() if f.startswith("w:")}
        self._char_ids = {f[2:]: i for f, i in vocab.items() if f.startswith("c:")}
        self._token_cache: dict[str, list[int]] = {}

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_)

    def feature_names(self) -> list[str]:
        names = [""] * len(self.vocabulary_)
        for f, i in self.vocabulary_.items():
            names[i] = f
        return names

    @classmethod
    def from_state(cls, names: list[str], idf: np.ndarray, char_range, min_df, max_features) -> TfidfFeatures:
        feats = cls(tuple(char_range), min_df, max_features)
        feats.vocabulary_ = {f: i for i, f in enumerate(names)}
        feats.idf_ = np.asarray(idf, dtype=np.float32)
        feats._reset_cache()
        return feats

    # -- transforming -----------------------------------------------------
    def _token_ids(self, token: str) -> list[int]:
        """Columns of a token's unigram and char n-grams (computed once per token)."""
        lo, hi = self.char_range
        ids = self._char_ids
        found = [ids[g] for g in char_ngrams(token, lo, hi) if g in ids] if hi else []
        word = self._word_ids.get(token)
        if word is not None:
            found.append(word)
        if len(self._token_cache) >= _CACHE_LIMIT:
            self._token_cache.clear()
        self._token_cache[token] = found
        return found

    def transform(self, docs: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """A CSR matrix, one l2-normalised row per token list."""
        indices: list[int] = []
        indptr = [0]
        get_word = self._word_ids.get
        get_token = self._token_cache.get
        token_ids = self._token_ids
        extend = indices.extend
        for tokens in docs:
            for tok in tokens:
                ids = get_token(tok)
                extend(ids if ids is not None else token_ids(tok))
            for a, b in zip(tokens, tokens[1:]):
                i = get_word(f"{a} {b}")
                if i is not None:
                    indices.append(i)
            indptr.append(len(indices))
        n_rows = len(indptr) - 1
        idx = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        data = np.ones(len(idx), dtype=np.float32)
        X = sp.csr_matrix((data, idx, ptr), shape=(n_rows, self.n_features))
        X.sum_duplicates()
        np.log(X.data, out=X.data)
        X.data += 1.0
        X.data *= self.idf_[X.indices]
        normalize(X, norm="l2", copy=False)
        return X
