import pytest

from mention_insight import Prediction, classify, load_model
from mention_insight.api import MODEL_ENV, default_model_path
from mention_insight.errors import InputFormatError, ModelError


def test_classify_single_and_list_use_the_given_model(toy_model_dir):
    one = classify("please patrol the park tonight", model=toy_model_dir)
    assert isinstance(one, Prediction) and one.label == "visit_request"
    many = classify(["please patrol the park tonight", "lol"], model=str(toy_model_dir))
    assert [p.label for p in many] == ["visit_request", "other"]
    assert many[0] == one


def test_model_is_loaded_once_and_cached(toy_model_dir):
    assert load_model(toy_model_dir) is load_model(toy_model_dir)


def test_empty_text_and_wrong_type_are_refused(toy_model_dir):
    with pytest.raises(InputFormatError, match=r"cannot classify empty text \(items \[1\]\)"):
        classify(["ok", "  "], model=toy_model_dir)
    with pytest.raises(TypeError, match="expects strings"):
        classify([1], model=toy_model_dir)


def test_default_model_from_environment(monkeypatch, toy_model_dir):
    monkeypatch.setenv(MODEL_ENV, str(toy_model_dir))
    assert default_model_path() == toy_model_dir
    assert classify("lol").label == "other"


CODEBOOK_EXAMPLES = {
    "Thanks for popping round yesterday, really reassuring": "thanks",
    "Great work catching them": "thanks",
    "Cheers for the heads up": "thanks",
    "Could someone come round when you're on patrol?": "visit_request",
    "Please patrol Fog Lane park tonight": "visit_request",
    "Can you DM me, I need to report something": "visit_request",
    "Kids throwing eggs at houses on Wilmslow Rd again": "shared_info",
    "Street light out by the tram stop": "shared_info",
    "Rang 101 three times and nobody came": "complaint",
    "Pointless tweeting about it if you do nothing": "complaint",
    "What time is the match on?": "other",
    "lol": "other",
    "RT @someone: road closed": "other",
}


def test_bundled_default_model_gets_the_codebook_examples():
    # The codebook's own examples through the shipped model: a quality gate, not a metric.
    preds = classify(list(CODEBOOK_EXAMPLES))
    misses = {t: p.label for (t, want), p in zip(CODEBOOK_EXAMPLES.items(), preds) if p.label != want}
    assert len(misses) <= 1, misses


def test_missing_model_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no model directory"):
        classify("x", model=tmp_path / "none")


def test_loading_and_classifying_never_import_torch():
    """Inference is ONNX and spaCy's tokenizer: torch (imported by thinc when installed) stays out."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mention_insight import classify\n"
        "classify(['thanks for coming to the school', 'bikes stolen again on the estate'])\n"
        "from mention_insight.insight.themes import extract_themes\n"
        "extract_themes(['cars on the pavement at Fog Lane'], ['Fog Lane'])\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
