"""Soft targets (a teacher's probabilities) in the linear backend: exactly the soft log-loss."""

from __future__ import annotations

import numpy as np

from conftest import toy_data
from mention_insight.backends.linear import LinearBackend


def _fit(texts, Y, weights=None, class_weight=None):
    return LinearBackend(class_weight=class_weight, min_df=1).fit(texts, np.asarray(Y), sample_weight=weights)


def test_a_soft_row_equals_a_positive_and_a_negative_copy_weighted_p_and_1_minus_p():
    texts, labels = toy_data()
    classes = sorted({c for ls in labels for c in ls} - {"other"})
    Y = np.array([[float(c in ls) for c in classes] for ls in labels])
    soft_text, p = "thank you for coming to the school today", np.array([0.8, 0.1, 0.3, 0.6][: len(classes)])
    soft = _fit(texts + [soft_text], np.vstack([Y, p]))
    # the same loss written out by hand: each label's copies as hard rows with weights
    scores = []
    for j in range(len(classes)):
        y = np.concatenate([Y[:, j], [1.0, 0.0]])
        w = np.concatenate([np.ones(len(texts)), [p[j], 1 - p[j]]])
        hard = _fit(texts + [soft_text, soft_text], np.column_stack([y] * len(classes)), w)
        scores.append(hard.decision_function([soft_text, texts[0]])[:, j])
    # Not bit-equal: the hand-written copies count the text twice in the features' document
    # frequencies, and the solver stops at its tolerance; a wrong expansion moves scores by ~1.
    np.testing.assert_allclose(soft.decision_function([soft_text, texts[0]]), np.column_stack(scores), atol=5e-3)


def test_soft_targets_pull_scores_towards_the_teacher():
    texts, labels = toy_data()
    classes = sorted({c for ls in labels for c in ls} - {"other"})
    Y = np.array([[float(c in ls) for c in classes] for ls in labels])
    j = classes.index("thanks")
    unseen = "cheers officer, brilliant work with the kids at the youth club"
    low, high = (np.vstack([Y, np.where(np.arange(len(classes)) == j, p, 0.05)]) for p in (0.05, 0.95))
    before = _fit(texts + [unseen], low, class_weight="balanced").decision_function([unseen])[0, j]
    after = _fit(texts + [unseen], high, class_weight="balanced").decision_function([unseen])[0, j]
    assert after > before + 0.5


def test_hard_targets_fit_as_before():
    texts, labels = toy_data()
    classes = sorted({c for ls in labels for c in ls} - {"other"})
    Y = np.array([[int(c in ls) for c in classes] for ls in labels])
    a = _fit(texts, Y, class_weight="balanced").decision_function(texts)
    b = _fit(texts, Y.astype(np.float32), class_weight="balanced").decision_function(texts)
    np.testing.assert_array_equal(a, b)


def test_a_cascade_can_be_assembled_from_fitted_parts():
    """from_parts: a (distilled) linear model in front of another fitted backend, cut on validation."""
    from mention_insight.backends.cascade import CascadeBackend

    texts, labels = toy_data()
    classes = sorted({c for ls in labels for c in ls} - {"other"})
    Y = np.array([[int(c in ls) for c in classes] for ls in labels])
    first = _fit(texts[::2], Y[::2], class_weight="balanced")
    second = _fit(texts, Y, class_weight="balanced")
    none = CascadeBackend.from_parts(first, second, (texts, Y), max_transformer_share=0.0)
    assert none.cutoff_ == 0.0 and not none.route(texts)[1].any()
    fixed = CascadeBackend.from_parts(first, second, (texts, Y), cutoff=float("inf"))
    scores, unsure = fixed.route(texts)
    assert unsure.all()
    np.testing.assert_allclose(scores, fixed.transformer_calibration_.relative(second.decision_function(texts)))
