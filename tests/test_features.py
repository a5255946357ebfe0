import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from mention_insight.features import TfidfFeatures, analyse
from mention_insight.text import Normalizer


def test_fast_transform_equals_scikit_learn_tfidf():
    texts = ["thanks for coming round", "please patrol the park!!", "car stolen last night", "", "lol", "car stolen again 😡"]
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
