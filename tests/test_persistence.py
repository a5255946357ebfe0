import json
import shutil

import pytest

from mention_insight import load_model
from mention_insight.errors import ModelError, OutputPathError
from mention_insight.persistence import FORMAT_VERSION


@pytest.fixture
def model_copy(toy_model_dir, tmp_path):
    path = tmp_path / "copy"
    shutil.copytree(toy_model_dir, path)
    return path


def test_directory_holds_config_weights_and_card(toy_model_dir):
    config = json.loads((toy_model_dir / "config.json").read_text())
    assert config["format_version"] == FORMAT_VERSION
    assert config["labels"] == ["visit_request", "complaint", "shared_info", "thanks"]
    assert config["precedence"][-1] == "other"
    assert set(config["files"]) == {"vocab.json", "weights.npz"}
    assert len(config["training"]["data_fingerprint"]) == 64
    assert "scikit-learn" in config["package_versions"]
    card = (toy_model_dir / "README.md").read_text()
    assert card.startswith(f"# Model card: `{config['model_id']}`")


def test_tampered_weights_are_refused(model_copy):
    with open(model_copy / "weights.npz", "r+b") as fh:
        fh.seek(200)
        fh.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match=r"weights.npz does not match the SHA-256 recorded in config.json"):
        load_model(model_copy, cache=False)


def test_truncated_weights_are_refused(model_copy):
    data = (model_copy / "vocab.json").read_bytes()
    (model_copy / "vocab.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="vocab.json does not match"):
        load_model(model_copy, cache=False)


def test_missing_file_is_refused(model_copy):
    (model_copy / "weights.npz").unlink()
    with pytest.raises(ModelError, match="is missing weights.npz"):
        load_model(model_copy, cache=False)


def test_newer_format_is_refused_with_upgrade_advice(model_copy):
    config = json.loads((model_copy / "config.json").read_text())
    config["format_version"] = FORMAT_VERSION + 1
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ModelError, match=f"uses model format {FORMAT_VERSION + 1}, newer than this mention_insight reads"
    ):
        load_model(model_copy, cache=False)


def test_corrupt_config_is_refused(model_copy):
    (model_copy / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="config.json is not valid JSON"):
        load_model(model_copy, cache=False)


def test_not_a_model_directory(tmp_path):
    with pytest.raises(ModelError, match="no model directory at"):
        load_model(tmp_path / "nothing", cache=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="has no config.json"):
        load_model(tmp_path / "empty", cache=False)


def test_version_mismatch_warns(model_copy):
    config = json.loads((model_copy / "config.json").read_text())
    config["package_versions"]["scikit-learn"] = "0.1.0"
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.warns(UserWarning, match="saved with scikit-learn 0.1.0"):
        load_model(model_copy, cache=False)


def test_save_is_atomic_and_does_not_change_the_model(toy_model, tmp_path):
    before = dict(toy_model.thresholds_)
    toy_model.save(tmp_path / "m")
    toy_model.save(tmp_path / "m", overwrite=True)  # replacing an existing model, when told to
    assert toy_model.thresholds_ == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    with pytest.raises(OutputPathError, match="a model already exists at .*pass --force to replace it"):
        toy_model.save(tmp_path / "m")


def test_other_normalizer_version_warns(model_copy):
    config = json.loads((model_copy / "config.json").read_text())
    config["normalizer_version"] = 1
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.warns(UserWarning, match="trained with text normalisation version 1"):
        load_model(model_copy, cache=False)
