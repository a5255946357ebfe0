"""The cached-score path of the linear backend gives exactly the sparse path's scores."""

import numpy as np
import pytest

from mention_insight.backends.linear.features import PooledFeatures
from mention_insight.backends.linear.scorer import PooledScorer
from mention_insight.text import Normalizer

TRAIN = [
    "thanks for coming round",
    "please patrol the park!!",
    "car stolen last night",
    "thanks thanks THANK YOU SO MUCH",
    "#ThankYou @gmp_didsbury 🙏 https://t.co/abc",
    "rang 101 nobody came &amp; waited",
]
TEXTS = TRAIN + [
    "",
    "   ",
    "zzzz qqqq",
    "park park park",
    "please patrol",
    "THANKS FOR NOTHING MATE",
    "A&amp;E was rammed",
    "car stolen\nlast night",
    "coming round? thanks!!",
    "😡😡 nobody came",
    "patrol the park please thanks for coming",
]


@pytest.fixture()
def scored():
    norm = Normalizer()
    docs = list(norm.pipe(TRAIN))
    feats = PooledFeatures(min_df=1).fit(docs)
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(feats.n_features, 3)).astype(np.float32)
    intercept = np.array([0.1, -0.2, 0.3], dtype=np.float32)

    def slow(texts):
        return np.asarray(feats.transform(norm.pipe(texts)) @ coef) + intercept

    return PooledScorer(norm, feats, coef, intercept), slow


def test_scores_equal_the_sparse_path(scored):
    scorer, slow = scored
    np.testing.assert_allclose(scorer.decision_function(TEXTS), slow(TEXTS), rtol=1e-5, atol=1e-5)


def test_batch_equals_one_at_a_time_and_order_does_not_matter(scored):
    scorer, _ = scored
    batch = scorer.decision_function(TEXTS)
    single = np.vstack([scorer.decision_function([t]) for t in reversed(TEXTS)])[::-1]
    assert np.array_equal(batch, single)


def test_bigrams_never_straddle_two_mentions(scored):
    scorer, slow = scored
    # "please" ends one mention and "patrol" starts the next: "please patrol" must not count.
    texts = ["thanks please", "patrol the park"]
    np.testing.assert_allclose(scorer.decision_function(texts), slow(texts), rtol=1e-5, atol=1e-5)


def test_empty_text_scores_the_intercept(scored):
    scorer, _ = scored
    np.testing.assert_allclose(scorer.decision_function(["", " \n"]), [[0.1, -0.2, 0.3]] * 2, atol=1e-7)


def test_full_caches_are_emptied_between_batches_without_changing_scores(scored, monkeypatch):
    import mention_insight.backends.linear.scorer as module

    scorer, slow = scored
    monkeypatch.setattr(module, "CACHE_LIMIT", 5)
    first = scorer.decision_function(TEXTS)
    assert len(scorer._chunks) > 5  # filled past the limit within the batch...
    again = scorer.decision_function(TEXTS)  # ...and emptied before the next one
    assert np.array_equal(first, again)
    np.testing.assert_allclose(again, slow(TEXTS), rtol=1e-5, atol=1e-5)


def test_linear_backend_uses_the_fast_path_for_pooled_features_only():
    from mention_insight.backends.linear import LinearBackend

    Y = np.array([[1, 0], [0, 1], [0, 1], [1, 0], [1, 0], [0, 1]])
    fast = LinearBackend(features="pooled", min_df=1).fit(TRAIN, Y)
    assert fast._fast_scorer() is not None
    slow = np.asarray(fast._features(TEXTS) @ fast.coef_) + fast.intercept_
    np.testing.assert_allclose(fast.decision_function(TEXTS), slow, rtol=1e-5, atol=1e-5)
    assert LinearBackend(features="additive", min_df=1).fit(TRAIN, Y)._fast_scorer() is None


def test_code_table_finds_every_code_and_nothing_else():
    from mention_insight.backends.linear.scorer import CodeTable

    rng = np.random.default_rng(0)
    codes = np.unique(rng.integers(0, 2**62, size=5000))
    rng.shuffle(codes)
    table = CodeTable(codes)
    assert len(table) == len(codes)
    assert np.array_equal(table.lookup(codes), np.arange(len(codes)))
    absent = np.setdiff1d(rng.integers(0, 2**62, size=5000), codes)
    assert (table.lookup(absent) == -1).all()
    assert table.lookup(np.array([], dtype=np.int64)).shape == (0,)
    assert (CodeTable(np.array([], dtype=np.int64)).lookup(codes[:3]) == -1).all()
    with pytest.raises(ValueError, match="appears twice"):
        CodeTable(np.array([7, 7]))


def test_threads_sharing_one_model_get_the_answers_one_thread_gets(toy_model_dir):
    """classify() shares its cached model between threads: the token caches must stay whole."""
    import random
    import threading

    from mention_insight import load_model

    rng = random.Random(0)
    words = [
        f"{rng.choice('bcdfghklmnprstvw')}{rng.choice('aeiou')}{rng.choice('bcdfgklmnprst')}{i}" for i in range(3000)
    ]
    texts = [" ".join(rng.sample(words, 8)) for _ in range(800)]
    shared = load_model(toy_model_dir, cache=False)
    results: dict[int, list] = {}

    def work(k: int) -> None:
        part = texts[k::8]
        results[k] = [p.scores for p in (shared.predict([t])[0] for t in part)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone = load_model(toy_model_dir, cache=False)
    for k in range(8):
        assert results[k] == [p.scores for p in alone.predict(texts[k::8])]
