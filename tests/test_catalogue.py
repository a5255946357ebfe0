"""mention-insight models: every model directory with its id, lineage and held-out figures."""

import json
import shutil

from click.testing import CliRunner

from mention_insight.cli import cli


def test_models_lists_each_directory_and_flags_a_changed_one(tmp_path, toy_model_dir):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copytree(toy_model_dir, folder / "mine")
    shutil.copytree(toy_model_dir, folder / "tampered")
    config = json.loads((folder / "tampered" / "config.json").read_text())
    config["thresholds"] = {k: 0.0 for k in config["thresholds"]}
    (folder / "tampered" / "config.json").write_text(json.dumps(config))
    (folder / "notes").mkdir()  # not a model: left out
    result = CliRunner().invoke(cli, ["models", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.output.splitlines()]
    assert [e["path"].rsplit("/", 1)[-1] for e in entries] == ["mine", "tampered"]
    mine, tampered = entries
    assert mine["model_id"].startswith("toy@") and mine["problem"] is None and mine["backend"] == "linear"
    assert mine["n_train"] > 0
    assert "config.json" in tampered["problem"]
    table = CliRunner().invoke(cli, ["models", str(folder)])
    assert table.output.splitlines()[0].split()[:3] == ["model", "id", "backend"]
    assert "! " in table.output


def test_models_in_a_missing_folder_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["models", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no folder" in result.output and "pass the folder that holds your model directories" in result.output
