import pytest

from conftest import toy_data
from mention_insight import train
from mention_insight.errors import ColumnError, DataWarning, LabelError
from mention_insight.train import LabelledData, check_labels, read_labelled


def write(tmp_path, text, name="l.csv"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_reads_semicolon_labels(tmp_path):
    data = read_labelled(write(tmp_path, "text,labels\nplease come round,visit_request;complaint\nlol,other\n"))
    assert data.texts == ["please come round", "lol"]
    assert data.labels == [["visit_request", "complaint"], ["other"]]
    assert data.rows == [2, 3]


def test_jsonl_list_labels(tmp_path):
    path = write(tmp_path, '{"text": "ta", "labels": ["thanks"]}\n{"text": "x", "labels": "other"}\n', "l.jsonl")
    data = read_labelled(path)
    assert data.labels == [["thanks"], ["other"]]


def test_empty_labels_are_an_error_with_rows(tmp_path):
    path = write(tmp_path, "text,labels\na,thanks\nb,\nc, \n")
    with pytest.raises(LabelError, match=r"2 rows have no labels \(lines 3, 4\)"):
        read_labelled(path)


def test_other_mixed_with_a_label_is_an_error(tmp_path):
    path = write(tmp_path, "text,labels\na,thanks;other\n")
    with pytest.raises(LabelError, match=r"'other' is combined with other labels at lines 2"):
        read_labelled(path)


def test_missing_labels_column(tmp_path):
    with pytest.raises(ColumnError, match=r"expected a labels column \(one of: labels, label"):
        read_labelled(write(tmp_path, "text,tag\na,b\n"))


def test_duplicates_and_empty_texts_warn_with_rows(tmp_path):
    path = write(tmp_path, "text,labels\nsame text,thanks\n,thanks\nSame  text,thanks\nsame text,complaint\n")
    with pytest.warns(DataWarning) as caught:
        data = read_labelled(path)
    messages = " | ".join(str(w.message) for w in caught)
    assert "skipped 1 rows with empty text (lines 3)" in messages
    assert "merged 1 duplicate texts" in messages
    assert "1 texts appear again with different labels (first/repeat lines 2/5)" in messages
    assert data.texts == ["same text"] and data.labels == [["thanks"]]


def test_too_few_examples_and_typo_hint():
    texts, labels = toy_data(12)
    data = LabelledData(texts + ["x", "y"], labels + [["thank"], ["thank"]], source="mine.csv")
    with pytest.raises(LabelError, match=r"label 'thank' has only 2 examples \(lines 61, 62\).*typo of 'thanks'"):
        check_labels(data)


def test_unknown_label_with_allowed_list():
    texts, labels = toy_data(12)
    data = LabelledData(texts, labels, source="mine.csv")
    with pytest.raises(LabelError, match=r"unknown label 'visit_request'.*Did you mean"):
        check_labels(data, allowed=["thanks", "complaint", "shared_info", "visit_requests"])


def test_train_reports_held_out_metrics_and_saves_them(tmp_path):
    texts, labels = toy_data(30)
    result = train(LabelledData(texts, labels, source="toy"), tmp_path / "m", seed=3)
    assert result.sizes == {"train": 97, "validation": 23, "test": 30}
    assert set(result.metrics["per_label"]) == {"visit_request", "complaint", "shared_info", "thanks", "other"}
    assert result.metrics["n"] == 30
    assert result.metrics["macro_f1"] > 0.8  # the toy labels are learnable
    import json

    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["metrics"]["held_out"]["n"] == 30
    assert config["training"]["split_sizes"] == result.sizes
    assert "Held-out mentions: 30" in (tmp_path / "m" / "README.md").read_text()


def test_split_is_stratified_and_reproducible():
    from mention_insight.labels import DEFAULT_PRECEDENCE
    from mention_insight.train import split

    texts, labels = toy_data(20)
    data = LabelledData(texts, labels)
    a_train, a_test = split(data, 0.25, 7, DEFAULT_PRECEDENCE)
    b_train, b_test = split(data, 0.25, 7, DEFAULT_PRECEDENCE)
    assert a_test.texts == b_test.texts
    from collections import Counter

    assert Counter(ls[0] for ls in a_test.labels) == {
        k: 5 for k in ("thanks", "visit_request", "shared_info", "complaint", "other")
    }
