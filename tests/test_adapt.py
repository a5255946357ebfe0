"""train --base: adapt a model to an account's labels, behind a cross-validated quality gate."""

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from mention_insight import load_model
from mention_insight.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _labelled(path: Path, shuffle: bool = False) -> Path:
    with (SAMPLES / "mentions_labels.csv").open(newline="", encoding="utf-8") as fh:
        key = {r["id"]: r["labels"] for r in csv.DictReader(fh)}
    with (SAMPLES / "mentions_export.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["id"] in key]
    labels = [key[r["id"]] for r in rows]
    if shuffle:  # a deliberately damaged file: every label moved to another mention
        random.Random(1).shuffle(labels)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "labels"])
        for r, lab in zip(rows, labels):
            w.writerow([r["id"], r["text"], lab])
    return path


@pytest.fixture(scope="module")
def adapted(tmp_path_factory, toy_model_dir):
    folder = tmp_path_factory.mktemp("adapt")
    labelled = _labelled(folder / "mine.csv")
    out = folder / "mine-adapted"
    result = CliRunner().invoke(cli, ["train", str(labelled), "--base", str(toy_model_dir), "-o", str(out)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code == 0, result.output
    return out, labelled, result.output


def test_the_adapted_model_beats_its_base_on_the_accounts_labels(adapted):
    _, _, output = adapted
    gate = next(line for line in output.splitlines() if line.startswith("gate: "))
    adapted_f1 = float(gate.split("adapted ")[1].split(",")[0])
    base_f1 = float(gate.split("base toy@")[1].split(" ")[1].split(";")[0])
    assert adapted_f1 > base_f1 + 0.1


def test_the_adapted_model_records_its_lineage_and_stands_alone(adapted, toy_model_dir):
    out, labelled, _ = adapted
    config = json.loads((out / "config.json").read_text())
    training = config["training"]
    assert training["base_model"] == load_model(toy_model_dir, cache=False).model_id
    assert training["labelled_rows"] == 406 and len(training["labelled_sha256"]) == 64
    assert training["gate"]["folds"] == 5 and training["gate"]["difference"] > 0
    assert "Adapted from toy@" in (out / "README.md").read_text()
    model = load_model(out, cache=False)
    assert model.predict(["@NPT_Didsbury thank you so much for coming round to the school"])[0].label == "thanks"


def test_a_changed_base_inside_the_adapted_model_is_refused(adapted, tmp_path):
    import shutil

    out, _, _ = adapted
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "base" / "checksums.sha256").write_text("0" * 64 + "  config.json\n")
    with pytest.raises(Exception, match="the base model inside .* was changed after the model was saved"):
        load_model(copy, cache=False)


def test_a_worse_candidate_is_refused_and_nothing_is_written(tmp_path, toy_model_dir):
    damaged = _labelled(tmp_path / "damaged.csv", shuffle=True)
    out = tmp_path / "worse"
    result = CliRunner().invoke(cli, ["train", str(damaged), "--base", "default", "-o", str(out)])
    assert result.exit_code == 1
    assert "the adapted model is not better than default@" in result.output
    assert "Nothing was written" in result.output
    assert not out.exists()


def test_an_existing_model_is_not_replaced_without_force(adapted, toy_model_dir):
    out, labelled, _ = adapted
    result = CliRunner().invoke(cli, ["train", str(labelled), "--base", str(toy_model_dir), "-o", str(out)])
    assert result.exit_code == 1 and "--force" in result.output


def test_compare_says_which_model_is_better_on_labels_neither_saw(tmp_path, toy_model_dir):
    labelled = _labelled(tmp_path / "held_out.csv")
    result = CliRunner().invoke(cli, ["compare", str(labelled), "--model", str(toy_model_dir), "--against", "default"])
    assert result.exit_code == 1  # the toy model is the worse one
    assert result.output.startswith("on your 406 labelled mentions, primary macro-F1: toy@")
    assert "default@" in result.output and "95% interval" in result.output


def test_compare_refuses_a_model_adapted_on_the_same_labels(adapted):
    out, labelled, _ = adapted
    result = CliRunner().invoke(cli, ["compare", str(labelled), "--model", str(out)])
    assert result.exit_code == 1
    assert "was adapted on these very labels, so its figures on them would flatter it" in result.output


def _with_why(path: Path, random_rows: int) -> Path:
    """The labelled sample as suggest writes it: the first ``random_rows`` picked at random, the rest by the model."""
    rows = list(csv.reader(_labelled(path).open(newline="", encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*rows[0], "why"])
        for i, r in enumerate(rows[1:]):
            w.writerow([*r, "random" if i < random_rows else ("uncertain" if i % 2 else "diverse")])
    return path


def test_the_gate_is_scored_on_the_randomly_picked_rows_only(tmp_path, toy_model_dir):
    from mention_insight.adapt import gate
    from mention_insight.train import read_labelled

    data = read_labelled(_with_why(tmp_path / "suggested.csv", 120))
    result = gate(data, str(toy_model_dir), n_boot=50)
    assert (result.n, result.scored_on) == (120, "random")
    assert result.metrics["n"] == 120
    assert result.text().startswith("on your 120 randomly picked labelled mentions (5-fold cross-validation)")
    assert len(data) == 406  # every row still trains the candidate


def test_too_few_random_rows_cannot_check_the_candidate(tmp_path, toy_model_dir):
    labelled = _with_why(tmp_path / "suggested.csv", 12)
    result = CliRunner().invoke(cli, ["train", str(labelled), "--base", str(toy_model_dir), "-o", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert (
        "only 12 of the 406 labelled mentions were picked at random (why = random); the others were picked "
        "because the model was unsure of them, which would flatter the adapted model. Label at least 30 random "
        "ones (mention-insight suggest --random-share 0.3 or more) to check it." in result.output
    )
    assert not (tmp_path / "m").exists()
