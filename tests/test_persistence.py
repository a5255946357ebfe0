import json
import shutil

import pytest

from mention_insight import load_model
from mention_insight.errors import ModelError, OutputPathError
from mention_insight.persistence import FORMAT_VERSION, content_hash, seal, sha256_file


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
    with pytest.raises(ModelError, match=r"copy: weights.npz changed since the model was saved .*--trust-modified"):
        load_model(model_copy, cache=False)


def test_truncated_weights_are_refused(model_copy):
    data = (model_copy / "vocab.json").read_bytes()
    (model_copy / "vocab.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="vocab.json changed since the model was saved"):
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
    seal(model_copy, config)  # as if it had been saved with that version
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
    seal(model_copy, config)
    with pytest.warns(UserWarning, match="trained with text normalisation version 1"):
        load_model(model_copy, cache=False)


# -- tamper evidence: every file, config.json included, and an id that derives from the content


def test_the_model_id_derives_from_the_content(toy_model_dir, model_copy):
    config = json.loads((toy_model_dir / "config.json").read_text())
    name, _, digest = config["model_id"].partition("@")
    assert name == "toy-model" or name == toy_model_dir.name
    assert digest == content_hash(config) and len(digest) == 12
    listed = dict(line.split("  ")[::-1] for line in (toy_model_dir / "checksums.sha256").read_text().splitlines())
    assert set(listed) == {"config.json", "README.md", "vocab.json", "weights.npz"}


@pytest.mark.parametrize(
    "edit, changed",
    [
        (lambda c: c["thresholds"].update({k: 0.0 for k in c["thresholds"]}), "config.json"),
        (lambda c: c["calibration"].update({"thanks": [9.0, 9.0]}), "config.json"),
        (lambda c: c.update(precedence=list(reversed(c["precedence"]))), "config.json"),
    ],
    ids=["thresholds-zeroed", "calibration-swapped", "precedence-reversed"],
)
def test_an_edited_config_is_refused_and_named(model_copy, edit, changed):
    config = json.loads((model_copy / "config.json").read_text())
    edit(config)
    (model_copy / "config.json").write_text(json.dumps(config, indent=2))
    with pytest.raises(ModelError, match=rf"copy: {changed} changed since the model was saved"):
        load_model(model_copy, cache=False)


def test_swapped_weights_with_their_hash_updated_are_still_refused(model_copy, toy_model_dir):
    """Replacing the weights and writing their new hash into config.json breaks the id."""
    with open(model_copy / "weights.npz", "r+b") as fh:
        fh.seek(200)
        fh.write(b"\x00\x01\x02")
    config = json.loads((model_copy / "config.json").read_text())
    config["files"]["weights.npz"] = sha256_file(model_copy / "weights.npz")
    (model_copy / "config.json").write_text(json.dumps(config, indent=2))
    with pytest.raises(ModelError, match=r"config.json, weights.npz changed since the model was saved"):
        load_model(model_copy, cache=False)


def test_trust_modified_loads_under_a_new_id(model_copy, toy_model_dir):
    original = json.loads((toy_model_dir / "config.json").read_text())["model_id"]
    config = json.loads((model_copy / "config.json").read_text())
    config["thresholds"] = {k: 0.99 for k in config["thresholds"]}
    (model_copy / "config.json").write_text(json.dumps(config, indent=2))
    with pytest.warns(UserWarning, match=r"was modified after it was saved \(config.json\); loading it as "):
        model = load_model(model_copy, trust_modified=True)
    assert model.model_id != original and model.model_id.split("@")[0] == original.split("@")[0]
    assert model.thresholds_ == {k: 0.99 for k in config["thresholds"]}


def test_an_edited_card_is_named(model_copy):
    (model_copy / "README.md").write_text("# my notes\n")
    with pytest.raises(ModelError, match="README.md changed since the model was saved"):
        load_model(model_copy, cache=False)


def test_a_config_without_a_threshold_is_refused_plainly(model_copy):
    config = json.loads((model_copy / "config.json").read_text())
    del config["thresholds"]["thanks"]
    seal(model_copy, config)
    with pytest.raises(ModelError, match="has no usable threshold or calibration for every label"):
        load_model(model_copy, cache=False)


def test_an_unknown_backend_parameter_is_refused_plainly(model_copy):
    config = json.loads((model_copy / "config.json").read_text())
    config["backend_params"]["warp_speed"] = 9
    seal(model_copy, config)
    with pytest.raises(ModelError, match="could not read the weights in .*warp_speed"):
        load_model(model_copy, cache=False)


def test_versions_warn_only_outside_the_range_known_to_work():
    from mention_insight.persistence import compatible

    assert compatible("1.9.1", "1.10.0")  # scikit-learn minor releases read the saved arrays
    assert not compatible("1.9.1", "2.0.0")
    assert compatible("0.23.3", "0.23.9")
    assert not compatible("0.23.3", "0.24.0")  # 0.x minor releases may break
    assert not compatible("3.8.18", "4.0.0")
