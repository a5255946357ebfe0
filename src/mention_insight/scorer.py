"""Fast scoring for a linear model over :class:`~mention_insight.features.PooledFeatures`.

Over pooled features a document's score is ``sum(w . v_u) / sqrt(n) + b``, where the
``v_u`` are the vectors of its ``n`` units (each token, and each bigram the vocabulary
knows). So each distinct token's score vector ``w . v_u`` (one float per label) is worked
out once and cached, and a batch is scored without building any sparse matrix:

1. each whitespace-separated chunk maps, through a cache, to the ids of its normalised
   tokens (spaCy and the normaliser run once per distinct chunk);
2. the token ids of a whole batch go into one array; unigram scores are gathered and
   summed per document with NumPy;
3. bigrams are found by coding each neighbouring pair of token ids as one integer and
   looking the codes up in the sorted codes of the vocabulary's bigrams (``searchsorted``).

The per-mention Python work is a ``str.split`` and a C-level map over the chunk cache.
The result equals ``features.transform(normalizer.pipe(texts)) @ coef + intercept``
(a test checks it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from .text import ALLCAPS_TOKEN, Normalizer

#: Distinct tokens (or chunks) cached before the cache is rebuilt from scratch.
CACHE_LIMIT = 500_000


class PooledScorer:
    """Raw linear scores, ``(n_texts, n_labels)``, for a model over pooled features."""

    def __init__(self, normalizer: Normalizer, features, coef: np.ndarray, intercept: np.ndarray):
        self._normalizer = normalizer
        self._features = features
        self._coef = np.ascontiguousarray(coef, dtype=np.float32)
        self._intercept = np.asarray(intercept, dtype=np.float32)
        self._reset()

    # -- caches -----------------------------------------------------------------
    def _reset(self) -> None:
        n_labels = self._coef.shape[1]
        self._token_ids: dict[str, int] = {}
        self._token_names: list[str] = []
        self._token_scores = np.zeros((1024, n_labels), dtype=np.float32)
        self._scored = np.zeros(1024, dtype=bool)
        self._chunks = _ChunkCache(self._learn_chunk)
        self._shouted: dict[str, int] = {}  # chunks with shouted words, and how many
        # The vocabulary's bigrams, coded as (first token id << 32) | second token id.
        codes, columns = [], []
        for name, column in self._features._word_ids.items():
            first, space, second = name.partition(" ")
            if space:
                codes.append((self._id(first) << 32) | self._id(second))
                columns.append(column)
        order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
        self._bigram_codes = np.asarray(codes, dtype=np.int64)[order]
        self._bigram_scores = self._coef[np.asarray(columns, dtype=np.int64)[order]] if codes else np.zeros(
            (0, n_labels), dtype=np.float32
        )
        self._allcaps = self._id(ALLCAPS_TOKEN)

    def _id(self, token: str) -> int:
        """The id of ``token``, registering it (its score is computed when first used)."""
        i = self._token_ids.get(token)
        if i is None:
            i = len(self._token_names)
            self._token_ids[token] = i
            self._token_names.append(token)
            if i >= len(self._scored):
                grow = len(self._scored)
                self._token_scores = np.vstack([self._token_scores, np.zeros_like(self._token_scores[:grow])])
                self._scored = np.concatenate([self._scored, np.zeros(grow, dtype=bool)])
        return i

    def _learn_chunk(self, chunk: str) -> tuple[int, ...]:
        """Normalise one chunk not seen before, cache and return its token ids."""
        tokens, shouted = self._normalizer._chunk(chunk)
        ids = tuple(map(self._id, tokens))
        dict.__setitem__(self._chunks, chunk, ids)
        if shouted:
            self._shouted[chunk] = shouted
        return ids

    def _score_tokens(self, ids: np.ndarray) -> None:
        """Compute the score vectors of the tokens among ``ids`` not scored yet, all at once."""
        new = np.unique(ids[~self._scored[ids]])
        names = self._token_names
        grams = [self._features._gram_ids(names[i]) for i in new.tolist()]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        columns = np.fromiter(chain.from_iterable(grams), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(grams)), lengths)
        # Each token's vector: idf-weighted n-gram counts, l2-normalised (as features.unit_vector).
        X = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), (rows, columns)),
                          shape=(len(grams), self._coef.shape[0]))
        X.sum_duplicates()
        X.data *= self._features.idf_[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X = sp.diags((1.0 / norms).astype(np.float32)) @ X
        self._token_scores[new] = np.asarray(X @ self._coef, dtype=np.float32)
        self._scored[new] = True

    # -- scoring ----------------------------------------------------------------
    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The token ids of all texts, concatenated, and each text's number of tokens.

        The caches are emptied, if they are full, before a batch and never during one, so
        every id in the result refers to the same table.
        """
        if len(self._chunks) >= CACHE_LIMIT or len(self._token_names) >= CACHE_LIMIT:
            self._reset()
        get = self._chunks.__getitem__  # a miss normalises the chunk (_ChunkCache.__missing__)
        shouted = self._shouted
        shouted_keys = shouted.keys()
        flat: list[int] = []
        extend = flat.extend
        ends = []
        end = ends.append
        for text in texts:
            if "&" in text:
                text = html.unescape(text)
            chunks = text.split()
            extend(chain.from_iterable(map(get, chunks)))
            if not shouted_keys.isdisjoint(chunks) and sum(shouted.get(c, 0) for c in chunks) >= 2:
                flat.append(self._allcaps)
            end(len(flat))
        ends_array = np.array(ends, dtype=np.int64)
        lengths = np.diff(ends_array, prepend=0) if len(ends) else ends_array
        return np.array(flat, dtype=np.int64), lengths

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        flat, lengths = self.token_ids(texts)
        n_docs = len(lengths)
        n_labels = self._coef.shape[1]
        total = int(lengths.sum())
        out = np.zeros((n_docs, n_labels), dtype=np.float32)
        if total:
            if not self._scored[flat].all():
                self._score_tokens(flat)
            ends = np.cumsum(lengths)
            starts = ends - lengths
            nonempty = lengths > 0
            out[nonempty] = np.add.reduceat(self._token_scores[flat], starts[nonempty], axis=0)
            units = lengths.astype(np.float32)
            if total > 1 and len(self._bigram_codes):
                codes = (flat[:-1] << 32) | flat[1:]
                pos = np.searchsorted(self._bigram_codes, codes)
                np.minimum(pos, len(self._bigram_codes) - 1, out=pos)
                hit = self._bigram_codes[pos] == codes
                last = ends[(ends > 0) & (ends < total)] - 1  # pairs that straddle two documents
                hit[last] = False
                if hit.any():
                    doc_of = np.repeat(np.arange(n_docs), lengths)[:-1][hit]
                    bigram_scores = self._bigram_scores[pos[hit]]
                    for j in range(n_labels):
                        out[:, j] += np.bincount(doc_of, weights=bigram_scores[:, j], minlength=n_docs)
                    units += np.bincount(doc_of, minlength=n_docs)
            out /= np.sqrt(np.maximum(units, 1.0))[:, None]
        out += self._intercept
        return out


class _ChunkCache(dict):
    """chunk -> token ids; looking up a missing chunk normalises and caches it.

    ``dict.__getitem__`` calls ``__missing__`` on a miss, so a batch's look-ups stay one
    C-level ``map`` over its chunks whether or not every chunk was seen before.
    """

    def __init__(self, learn):
        super().__init__()
        self._learn = learn

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        return self._learn(chunk)
