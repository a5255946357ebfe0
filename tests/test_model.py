import numpy as np
import pytest

from conftest import TOY, toy_data
from mention_insight import MentionClassifier, Prediction, load_model
from mention_insight.errors import LabelError, NotFittedError


def test_learns_the_toy_mentions_and_survives_save_and_reload(tmp_path):
    texts, labels = toy_data()
    clf = MentionClassifier(random_state=0).fit(texts, labels, validation=(texts, labels))
    preds = clf.predict(texts)
    assert [p.label for p in preds] == [ls[0] for ls in labels]
    clf.save(tmp_path / "m")
    again = load_model(tmp_path / "m", cache=False)
    np.testing.assert_allclose(again.predict_proba(texts), clf.predict_proba(texts), rtol=1e-5, atol=1e-6)
    assert [p.labels for p in again.predict(texts)] == [p.labels for p in preds]


def test_batch_equals_one_at_a_time(toy_model):
    texts = [t for examples in TOY.values() for t in examples] + ["a brand new text 🙏", "x"]
    batch = toy_model.predict(texts)
    single = [toy_model.predict([t])[0] for t in texts]
    assert [p.labels for p in batch] == [p.labels for p in single]
    for b, s in zip(batch, single):
        assert b.scores == pytest.approx(s.scores, abs=1e-9)


def test_prediction_shape_and_scores(toy_model):
    pred = toy_model.predict(["please patrol the park tonight"])[0]
    assert isinstance(pred, Prediction)
    assert pred.label == "visit_request" and pred.labels[0] == pred.label
    assert set(pred.scores) == set(toy_model.all_labels)
    assert pred.scores["other"] == pytest.approx(1 - max(v for k, v in pred.scores.items() if k != "other"))
    with pytest.raises(AttributeError):
        pred.label = "thanks"


def test_nothing_passing_gives_the_fallback(toy_model):
    proba = np.zeros((1, len(toy_model.classes_)))
    assert toy_model.predictions_from_proba(proba)[0].labels == ("other",)


def test_multi_label_order_follows_precedence(toy_model):
    proba = np.ones((1, len(toy_model.classes_)))
    pred = toy_model.predictions_from_proba(proba)[0]
    assert pred.labels == ("visit_request", "complaint", "shared_info", "thanks")
    assert pred.label == "visit_request"


def test_user_categories_are_learned_and_ranked_after_the_codebook():
    texts, labels = toy_data()
    extra = [f"found a wallet on the bus number {i}" for i in range(24)]
    clf = MentionClassifier(random_state=0).fit(
        texts + extra,
        labels + [["lost_property"]] * len(extra),
        validation=(texts + extra, labels + [["lost_property"]] * 24),
    )
    assert clf.classes_ == ("visit_request", "complaint", "shared_info", "thanks", "lost_property")
    assert clf.predict(["found a wallet on the bus number 99"])[0].label == "lost_property"


def test_internal_validation_split_when_none_is_given():
    texts, labels = toy_data()
    clf = MentionClassifier(random_state=0, validation_fraction=0.25).fit(texts, labels)
    assert clf.n_validation_ == 30 and clf.n_train_ == 90
    assert set(clf.thresholds_) == set(clf.classes_)


def test_fit_refuses_bad_input():
    with pytest.raises(LabelError, match="got 2 texts but 1 label sets"):
        MentionClassifier().fit(["a", "b"], [["thanks"]])
    with pytest.raises(LabelError, match="no label other than 'other'"):
        MentionClassifier().fit(["a", "b"], [["other"], ["other"]])
    with pytest.raises(NotFittedError, match="call fit"):
        MentionClassifier().predict(["a"])


def test_fit_returns_self_and_init_only_stores():
    clf = MentionClassifier(backend_params={"C": 2.0})
    assert clf.get_params()["backend_params"] == {"C": 2.0}
    assert not hasattr(clf, "classes_")
    texts, labels = toy_data(12)
    assert clf.fit(texts, labels, validation=(texts, labels)) is clf


def test_predict_leaves_the_garbage_collector_as_it_found_it():
    import gc

    from mention_insight.model import MentionClassifier

    texts, labels = toy_data()
    clf = MentionClassifier().fit(texts, labels)
    assert gc.isenabled()
    clf.predict(texts)
    assert gc.isenabled()
    gc.disable()
    try:
        clf.predict(texts[:3])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_predictions_from_proba_with_more_labels_than_one_byte_holds():
    clf = MentionClassifier()
    clf.classes_ = tuple(f"l{i}" for i in range(11))  # in precedence order
    clf.fallback_label = "other"
    clf._threshold_array = np.full(11, 0.5)
    proba = np.full((4, 11), 0.1)
    proba[0, 9] = proba[0, 10] = 0.9
    proba[1, 2] = 0.7
    proba[3, 9] = proba[3, 10] = 0.6
    preds = clf.predictions_from_proba(proba)
    assert [p.labels for p in preds] == [("l9", "l10"), ("l2",), ("other",), ("l9", "l10")]
    assert [p.label for p in preds] == ["l9", "l2", "other", "l9"]
    assert preds[2].scores["other"] == pytest.approx(0.9)
