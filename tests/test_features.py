import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from mention_insight.backends.linear.features import TfidfFeatures, analyse
from mention_insight.text import Normalizer


def test_fast_transform_equals_scikit_learn_tfidf():
    texts = [
        "thanks for coming round",
        "please patrol the park!!",
        "car stolen last night",
        "",
        "lol",
        "car stolen again 😡",
    ]
    docs = list(Normalizer().pipe(texts))
    feats = TfidfFeatures(min_df=1).fit(docs)
    ref = TfidfVectorizer(analyzer=lambda d: analyse(d, (2, 5)), sublinear_tf=True, vocabulary=feats.vocabulary_)
    ref.fit(docs)
    np.testing.assert_allclose(feats.transform(docs).toarray(), ref.transform(docs).toarray(), atol=1e-6)
    np.testing.assert_allclose(feats.idf_, ref.idf_, rtol=1e-6)


def test_unseen_tokens_and_empty_docs_give_finite_rows():
    feats = TfidfFeatures(min_df=1).fit([["thanks", "mate"]])
    X = feats.transform([["zzz"], [], ["thanks"]])
    assert X.shape == (3, feats.n_features)
    assert np.isfinite(X.toarray()).all()
    assert X[2].nnz > 0 and X[1].nnz == 0


def test_state_round_trip_gives_the_same_matrix():
    docs = [["please", "patrol"], ["thanks", "mate"], ["please", "come"]]
    feats = TfidfFeatures(min_df=1).fit(docs)
    again = TfidfFeatures.from_state(feats.feature_names(), feats.idf_, (2, 5), 1, 100)
    assert (feats.transform(docs) != again.transform(docs)).nnz == 0


def _additive_reference(feats, docs):
    """The additive representation computed the slow, obvious way (dense)."""
    from collections import Counter

    from mention_insight.backends.linear.features import char_ngrams

    out = np.zeros((len(docs), feats.n_features))
    for r, tokens in enumerate(docs):
        for tok in tokens:
            counts = Counter(
                feats.vocabulary_["c:" + g] for g in char_ngrams(tok, 2, 5) if "c:" + g in feats.vocabulary_
            )
            if "w:" + tok in feats.vocabulary_:
                counts[feats.vocabulary_["w:" + tok]] += 1
            v = np.zeros(feats.n_features)
            for i, c in counts.items():
                v[i] = c * feats.idf_[i]
            if np.linalg.norm(v):
                out[r] += v / np.linalg.norm(v)
        for a, b in zip(tokens, tokens[1:]):
            if f"w:{a} {b}" in feats.vocabulary_:
                out[r, feats.vocabulary_[f"w:{a} {b}"]] += 1
        if np.linalg.norm(out[r]):
            out[r] /= np.linalg.norm(out[r])
    return out


def test_additive_features_equal_the_reference_and_do_not_depend_on_the_batch():
    from mention_insight.backends.linear.features import AdditiveFeatures

    texts = [
        "thanks for coming round",
        "please patrol the park!!",
        "car stolen last night",
        "",
        "lol lol",
        "car stolen again 😡",
    ]
    docs = list(Normalizer().pipe(texts))
    feats = AdditiveFeatures(min_df=1).fit(docs)
    X = feats.transform(docs).toarray()
    np.testing.assert_allclose(X, _additive_reference(feats, docs), atol=1e-6)
    one_by_one = np.vstack([feats.transform([d]).toarray() for d in reversed(docs)])[::-1]
    np.testing.assert_allclose(one_by_one, X, atol=1e-6)


def test_pooled_features_divide_the_sum_by_the_square_root_of_the_unit_count():
    from mention_insight.backends.linear.features import AdditiveFeatures, PooledFeatures

    docs = [["thanks", "for", "coming"], ["lol"], [], ["thanks", "thanks"]]
    pooled = PooledFeatures(min_df=1).fit(docs)
    additive = AdditiveFeatures(min_df=1).fit(docs)
    A, U = pooled._units(docs)
    units = np.asarray(A.sum(axis=1)).ravel()  # tokens plus known bigrams
    assert units.tolist() == [5, 1, 0, 3]  # "thanks for", "for coming"; "thanks thanks"
    summed = (A @ U).toarray()
    np.testing.assert_allclose(
        pooled.transform(docs).toarray(), summed / np.sqrt(np.maximum(units, 1))[:, None], atol=1e-6
    )
    # Same direction as the l2-normalised sum: only the length differs.
    X_add = additive.transform(docs).toarray()
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    np.testing.assert_allclose(X_add, np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0), atol=1e-6)


def test_token_vectors_in_one_go_equal_each_unit_vector():
    from mention_insight.backends.linear.features import AdditiveFeatures

    docs = list(Normalizer().pipe(["thanks for coming round", "please patrol the park!!", "zzz thanks"]))
    feats = AdditiveFeatures(min_df=1).fit(docs)
    tokens = ["thanks", "park", "zzzq", "", "patrol"]
    X = feats.token_vectors(tokens).toarray()
    for row, token in zip(X, tokens):
        idx, val = feats.unit_vector(feats._gram_ids(token))
        expected = np.zeros(feats.n_features, dtype=np.float32)
        expected[idx] = val
        np.testing.assert_allclose(row, expected, atol=1e-6)
