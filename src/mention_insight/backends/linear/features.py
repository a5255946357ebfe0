"""Sparse features from normalised tokens: word 1-2-grams and in-word char n-grams.

The vocabulary is learned once (``fit``); ``transform`` is built for throughput: the
char n-gram ids of each distinct token are computed once and cached, so a batch costs a
few dictionary look-ups per token. The result equals scikit-learn's ``TfidfVectorizer``
with ``sublinear_tf=True`` and ``norm="l2"`` over the same features (a test checks it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

_CACHE_LIMIT = 500_000


def char_ngrams(token: str, min_n: int, max_n: int) -> list[str]:
    """Char n-grams of ``token`` padded with spaces, as scikit-learn's ``char_wb``."""
    padded = f" {token} "
    grams: list[str] = []
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
            df.update(set(analyse(tokens, (self.char_range[0], self.char_range[1]))))
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
    def _gram_ids(self, token: str) -> list[int]:
        """Columns of a token's char n-grams and unigram (with repeats)."""
        lo, hi = self.char_range
        ids = self._char_ids
        found = [ids[g] for g in char_ngrams(token, lo, hi) if g in ids] if hi else []
        word = self._word_ids.get(token)
        if word is not None:
            found.append(word)
        return found

    def _token_ids(self, token: str) -> list[int]:
        """Columns of a token's unigram and char n-grams (computed once per token)."""
        found = self._gram_ids(token)
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


class AdditiveFeatures(TfidfFeatures):
    """Each document is the l2-normalised sum of one unit vector per token and per bigram.

    A token's vector holds its word and in-word char n-grams, weighted by idf and
    l2-normalised; a known bigram adds a unit vector of its own. Because a document is a
    sum of per-token vectors, each distinct token's vector is built once and cached, and
    a batch becomes one sparse product (documents x tokens) @ (tokens x features): the
    per-mention Python work is a dictionary look-up per token. Same vocabulary and idf
    as :class:`TfidfFeatures`; only the weighting differs.
    """

    def _reset_cache(self) -> None:
        super()._reset_cache()
        self._rows: dict[str, int] = {}
        self._row_indices: list[np.ndarray] = []
        self._row_values: list[np.ndarray] = []

    def unit_vector(self, indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the unit vector for one token's or bigram's feature columns."""
        counts = Counter(indices)
        idx = np.fromiter(counts, dtype=np.int32, count=len(counts))
        val = np.fromiter(counts.values(), dtype=np.float32, count=len(counts)) * self.idf_[idx]
        norm = float(np.sqrt((val * val).sum()))
        if norm > 0:
            val /= norm
        return idx, val

    def token_vectors(self, tokens: Sequence[str]) -> sp.csr_matrix:
        """The unit vectors of many tokens at once, one row each (row ``i`` equals
        :meth:`unit_vector` of token ``i``'s columns; built in one go for speed)."""
        grams = [self._gram_ids(t) for t in tokens]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        columns = np.fromiter(chain.from_iterable(grams), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(grams)), lengths)
        X = sp.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), (rows, columns)), shape=(len(grams), self.n_features)
        )
        X.sum_duplicates()
        X.data *= self.idf_[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return (sp.diags((1.0 / norms).astype(np.float32)) @ X).tocsr()

    def _new_row(self, key: str, indices: list[int]) -> int:
        if len(self._rows) >= _CACHE_LIMIT:
            self._reset_cache_rows()
        idx, val = self.unit_vector(indices)
        row = len(self._row_indices)
        self._row_indices.append(idx)
        self._row_values.append(val)
        self._rows[key] = row
        return row

    def _reset_cache_rows(self) -> None:
        self._rows.clear()
        self._row_indices.clear()
        self._row_values.clear()

    def _token_row(self, token: str) -> int:
        return self._new_row(token, self._gram_ids(token))

    def transform(self, docs: Iterable[Sequence[str]]) -> sp.csr_matrix:
        A, U = self._units(docs)
        X = (A @ U).tocsr()
        normalize(X, norm="l2", copy=False)
        return X

    def _units(self, docs: Iterable[Sequence[str]]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(documents x units counts, units x features unit vectors) for ``docs``."""
        rows = self._rows
        get_row = rows.get
        get_word = self._word_ids.get
        token_row = self._token_row
        row_ids: list[int] = []
        append = row_ids.append
        indptr = [0]
        for tokens in docs:
            for tok in tokens:
                r = get_row(tok)
                append(r if r is not None else token_row(tok))
            for a, b in zip(tokens, tokens[1:]):
                key = f"{a} {b}"
                r = get_row(key)
                if r is None:
                    i = get_word(key)
                    if i is None:
                        continue
                    r = self._new_row(key, [i])
                append(r)
            indptr.append(len(row_ids))
        n_docs = len(indptr) - 1
        ids = np.asarray(row_ids, dtype=np.int64)
        uniq, inverse = np.unique(ids, return_inverse=True)
        if len(uniq):
            lengths = np.fromiter((len(self._row_indices[r]) for r in uniq), dtype=np.int64, count=len(uniq))
            u_ptr = np.zeros(len(uniq) + 1, dtype=np.int64)
            np.cumsum(lengths, out=u_ptr[1:])
            U = sp.csr_matrix(
                (
                    np.concatenate([self._row_values[r] for r in uniq]),
                    np.concatenate([self._row_indices[r] for r in uniq]),
                    u_ptr,
                ),
                shape=(len(uniq), self.n_features),
            )
        else:
            U = sp.csr_matrix((0, self.n_features), dtype=np.float32)
        A = sp.csr_matrix(
            (np.ones(len(ids), dtype=np.float32), inverse.astype(np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(n_docs, len(uniq)),
        )
        return A, U


class PooledFeatures(AdditiveFeatures):
    """The sum of the units' vectors (as :class:`AdditiveFeatures`) divided by the square
    root of the number of units, instead of by the sum's own l2 norm.

    A document with ``n`` units (tokens and known bigrams) is ``sum(v_u) / sqrt(n)``: with
    unit vectors that share no feature this is the l2-normalised sum; overlapping char
    n-grams make it a little longer. The point is that a linear model's score becomes
    ``sum(w . v_u) / sqrt(n) + b``, a sum of *per-unit* scores: :class:`~mention_insight.
    scorer.PooledScorer` caches one score vector per distinct token and scores a batch
    without building any sparse matrix. This class gives the same numbers the slow way
    (training uses it; a test checks both agree).
    """

    def transform(self, docs: Iterable[Sequence[str]]) -> sp.csr_matrix:
        A, U = self._units(docs)
        X = (A @ U).tocsr()
        n_units = np.asarray(A.sum(axis=1)).ravel()
        scale = 1.0 / np.sqrt(np.maximum(n_units, 1.0))
        X = sp.diags(scale.astype(np.float32)) @ X
        return X.tocsr()


FEATURES = {"tfidf": TfidfFeatures, "additive": AdditiveFeatures, "pooled": PooledFeatures}
