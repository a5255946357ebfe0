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
   looking the codes up, all at once, in a hash table of the vocabulary's bigram codes
   (:class:`CodeTable`).

The per-mention Python work is a ``str.split`` and a C-level map over the chunk cache.
The result equals ``features.transform(normalizer.pipe(texts)) @ coef + intercept``
(a test checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from ...text import ALLCAPS_MIN_WORDS, ALLCAPS_TOKEN, Normalizer, split_chunks

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
        self._starts_bigram = np.zeros(1024, dtype=bool)
        self._chunks = _ChunkCache(self._learn_chunk)
        self._shouted: dict[str, int] = {}  # chunks with shouted words, and how many
        # The vocabulary's bigrams, coded as (first token id << 32) | second token id.
        codes, columns = [], []
        for name, column in self._features._word_ids.items():
            first, space, second = name.partition(" ")
            if space:
                codes.append((self._id(first) << 32) | self._id(second))
                columns.append(column)
        # Which tokens start a known bigram (new tokens never do): only their pairs are looked up.
        codes_array = np.asarray(codes, dtype=np.int64)
        self._starts_bigram[codes_array >> 32] = True
        self._bigrams = CodeTable(codes_array)
        self._bigram_scores = (
            self._coef[np.asarray(columns, dtype=np.int64)] if codes else np.zeros((0, n_labels), dtype=np.float32)
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
                self._starts_bigram = np.concatenate([self._starts_bigram, np.zeros(grow, dtype=bool)])
        return i

    def _learn_chunk(self, chunk: str) -> tuple[int, ...]:
        """Normalise one chunk not seen before, cache and return its token ids."""
        tokens, shouted = self._normalizer._chunk(chunk)
        ids = tuple(map(self._id, tokens))
        self._chunks[chunk] = ids
        if shouted:
            self._shouted[chunk] = shouted
        return ids

    def _score_tokens(self, ids: np.ndarray) -> None:
        """Compute the score vectors of the tokens among ``ids`` not scored yet, all at once."""
        new = np.unique(ids[~self._scored[ids]])
        vectors = self._features.token_vectors([self._token_names[i] for i in new.tolist()])
        self._token_scores[new] = np.asarray(vectors @ self._coef, dtype=np.float32)
        self._scored[new] = True

    # -- scoring ----------------------------------------------------------------
    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The token ids of all texts, concatenated, and where each text's ids end.

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
        ends: list[int] = []
        end = ends.append
        for chunks in map(split_chunks, texts):  # the same chunks and rule as Normalizer.tokens
            extend(chain.from_iterable(map(get, chunks)))
            if not shouted_keys.isdisjoint(chunks) and sum(shouted.get(c, 0) for c in chunks) >= ALLCAPS_MIN_WORDS:
                flat.append(self._allcaps)
            end(len(flat))
        return np.array(flat, dtype=np.int64), np.array(ends, dtype=np.int64)

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        flat, ends = self.token_ids(texts)
        n_docs = len(ends)
        n_labels = self._coef.shape[1]
        total = len(flat)
        out = np.zeros((n_docs, n_labels), dtype=np.float32)
        if total:
            if not self._scored[flat].all():
                self._score_tokens(flat)
            starts = np.concatenate(([0], ends[:-1]))
            lengths = ends - starts
            nonempty = lengths > 0
            out[nonempty] = np.add.reduceat(self._token_scores[flat], starts[nonempty], axis=0)
            units = lengths.astype(np.float32)
            if total > 1 and len(self._bigrams):
                first = flat[:-1]
                candidates = self._starts_bigram[first]
                candidates[ends[(ends > 0) & (ends < total)] - 1] = False  # pairs that straddle two documents
                at = np.flatnonzero(candidates)
                rows = self._bigrams.lookup((first[at] << 32) | flat[at + 1])
                hit = rows >= 0
                if hit.any():
                    doc_of = np.repeat(np.arange(n_docs), lengths)[at[hit]]
                    bigram_scores = self._bigram_scores[rows[hit]]
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


class CodeTable:
    """A read-only hash table from non-negative int64 codes to their row (position in the
    ``codes`` it was built from), looked up for a whole array of codes at once.

    Open addressing with linear probing in a table at least 8 times the number of codes;
    a lookup is one NumPy pass per probe, and builds record the longest probe sequence
    (chosen over ``searchsorted`` on a sorted array, which was slower for a batch's bigrams).
    """

    _EMPTY = -1
    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, codes: np.ndarray):
        codes = np.asarray(codes, dtype=np.int64)
        bits = max(4, int(np.ceil(np.log2(max(len(codes), 1) * 8))))
        self._mask = (1 << bits) - 1
        self._shift = np.uint64(64 - bits)
        keys = [self._EMPTY] * (1 << bits)
        rows = [self._EMPTY] * (1 << bits)
        longest = 0
        for row, (code, slot) in enumerate(zip(codes.tolist(), self._slots(codes).tolist())):
            probe = 0
            while keys[(slot + probe) & self._mask] != self._EMPTY:
                if keys[(slot + probe) & self._mask] == code:
                    raise ValueError(f"code {code} appears twice")
                probe += 1
            keys[(slot + probe) & self._mask] = code
            rows[(slot + probe) & self._mask] = row
            longest = max(longest, probe)
        self._keys = np.asarray(keys, dtype=np.int64)
        self._rows = np.asarray(rows, dtype=np.int64)
        self._probes = longest + 1
        self._size = len(codes)

    def __len__(self) -> int:
        return self._size

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.astype(np.uint64) * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """The row of each code, or -1 where the table does not hold it."""
        codes = np.asarray(codes, dtype=np.int64)
        out = np.full(len(codes), self._EMPTY, dtype=np.int64)
        if not len(codes) or not self._size:
            return out
        slots = self._slots(codes)
        for probe in range(self._probes):
            at = (slots + probe) & self._mask
            hit = self._keys[at] == codes
            out[hit] = self._rows[at[hit]]
        return out
