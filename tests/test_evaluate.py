import numpy as np
import pytest

from mention_insight.evaluate import compute_metrics, label_and_primary_f1, primary_confusion

PRECEDENCE = ["visit_request", "complaint", "thanks", "other"]


def test_metrics_by_hand():
    true = [["visit_request"], ["complaint"], ["thanks"], ["other"], ["visit_request", "complaint"]]
    pred = [["visit_request"], ["thanks"], ["thanks"], ["other"], ["complaint"]]
    m = compute_metrics(true, pred, PRECEDENCE)
    vr, co = m["per_label"]["visit_request"], m["per_label"]["complaint"]
    assert (vr["tp"], vr["fp"], vr["fn"]) == (1, 0, 1) and vr["f1"] == pytest.approx(2 / 3)
    assert (co["tp"], co["fp"], co["fn"]) == (1, 0, 1) and co["f1"] == pytest.approx(2 / 3)
    assert m["per_label"]["thanks"]["precision"] == pytest.approx(0.5)
    assert m["per_label"]["other"]["f1"] == 1.0
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 2 / 3 + 1) / 4)
    # primary: vr, co, th, ot, vr  vs  vr, th, th, ot, co
    assert m["primary"]["confusion"]["matrix"] == [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert m["primary"]["accuracy"] == pytest.approx(3 / 5)
    assert m["primary"]["f1"]["visit_request"] == pytest.approx(2 / 3)
    assert m["primary"]["f1"]["complaint"] == 0.0
    assert m["primary"]["macro_f1"] == pytest.approx((2 / 3 + 0 + 2 / 3 + 1) / 4)
    assert m["exact_match"] == pytest.approx(3 / 5)


def test_an_empty_label_set_is_the_fallback():
    m = compute_metrics([[], ["thanks"]], [["other"], []], PRECEDENCE)
    assert m["per_label"]["other"]["tp"] == 1 and m["per_label"]["other"]["fp"] == 1
    assert m["per_label"]["thanks"]["fn"] == 1


def test_array_and_set_metrics_agree():
    rng = np.random.default_rng(0)
    true = rng.random((200, 3)) < 0.3
    pred = rng.random((200, 3)) < 0.3
    labels = PRECEDENCE[:3]

    def sets(mask):
        return [[labels[j] for j in np.flatnonzero(row)] for row in mask]

    m = compute_metrics(sets(true), sets(pred), PRECEDENCE[:3] + ["other"])
    assert label_and_primary_f1(true, pred) == pytest.approx((m["macro_f1"], m["primary"]["macro_f1"]))


def test_primary_confusion_puts_the_fallback_last():
    true = np.array([[1, 1], [0, 0]], dtype=bool)
    pred = np.array([[0, 1], [0, 0]], dtype=bool)
    assert primary_confusion(true, pred).tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 1]]
