"""mention-insight promote: a candidate replaces the model in use only when the gate found it better."""

import csv
import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mention_insight import MentionClassifier, load_model
from mention_insight.adapt import adapt
from mention_insight.cli import cli
from mention_insight.promote import promote
from mention_insight.train import train
from mention_insight.versions import read_log

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
LABELLED = SAMPLES / "mentions_labelled_sample.csv"  # a random half of the sample's mentions, labelled


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["id", "text", "labels"])
        w.writeheader()
        w.writerows({k: r[k] for k in ("id", "text", "labels")} for r in rows)
    return path


def _the_other_half() -> list[dict]:
    """The sample's hand-labelled mentions that are not in LABELLED."""
    seen = {r["id"] for r in _rows(LABELLED)}
    key = {r["id"]: r["labels"] for r in _rows(SAMPLES / "mentions_labels.csv")}
    return [
        {**r, "labels": key[r["id"]]} for r in _rows(SAMPLES / "mentions_export.csv") if r["id"] in key.keys() - seen
    ]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A model in use (linear, trained on LABELLED), a candidate adapted from it on other mentions
    that passed the gate, and one that failed it (adapted on deliberately shuffled labels, saved
    with force); and labelled mentions none of them was trained on."""
    folder = tmp_path_factory.mktemp("promote")
    in_use = train(LABELLED, folder / "models" / "ours", min_examples=5).path
    rest = _the_other_half()
    better = adapt(_write(folder / "mine.csv", rest[:100]), folder / "better", base=str(in_use), folds=3)
    labels = [r["labels"] for r in rest[:60]]
    random.Random(1).shuffle(labels)
    damaged = _write(folder / "damaged.csv", [{**r, "labels": lab} for r, lab in zip(rest[:60], labels)])
    worse = adapt(damaged, folder / "worse", base=str(in_use), folds=3, force=True)
    assert better.gate.better and not worse.gate.better
    return {
        "in_use": in_use,
        "in_use_id": load_model(in_use, cache=False).model_id,
        "better": better.path,
        "better_id": load_model(better.path, cache=False).model_id,
        "better_n": better.gate.n,
        "worse": worse.path,
        "worse_id": load_model(worse.path, cache=False).model_id,
        "worse_gate": json.loads((worse.path / "config.json").read_text("utf-8"))["training"]["gate"],
        "held_out": _write(folder / "held_out.csv", rest[100:]),
        "held_out_n": len(rest) - 100,
    }


@pytest.fixture
def target(tmp_path, made):
    """A fresh copy of the models folder, with the model in use at models/ours."""
    path = tmp_path / "models" / "ours"
    shutil.copytree(made["in_use"], path)
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _promote(*args):
    return CliRunner().invoke(cli, ["promote", *[str(a) for a in args]])


def test_a_better_candidate_is_promoted_and_classify_names_its_model_id(made, target, tmp_path):
    result = _promote(made["better"], "--to", target)
    assert result.exit_code == 0, result.output
    kept = target.parent / "ours.history" / made["in_use_id"]
    assert (
        f"gate (cross-validation at training): on your {made['better_n']} labelled mentions (3-fold cross-validation), "
        f"primary macro-F1: {made['better_id']} " in result.output
    )
    assert f"promoted {made['better_id']} to {target}; use it with --model {target}" in result.output
    assert (
        f"the model it replaced, {made['in_use_id']}, is kept in {kept} (to go back: mention-insight promote "
        f"{kept} --to {target} --force)" in result.output
    )
    mentions = tmp_path / "mentions.csv"
    mentions.write_text("id,text\n1,thank you so much for coming round\n2,please patrol the park tonight\n", "utf-8")
    out = tmp_path / "classified.csv"
    classified = CliRunner().invoke(cli, ["classify", str(mentions), "-o", str(out), "--model", str(target)])
    assert classified.exit_code == 0, classified.output
    assert [r["model_id"] for r in _rows(out)] == [made["better_id"]] * 2
    previous = load_model(kept, cache=False)  # the replaced model, untouched and still loadable
    assert previous.model_id == made["in_use_id"]
    texts = ["please patrol the park tonight", "thank you so much for coming round"]
    assert previous.predict(texts) == load_model(made["in_use"], cache=False).predict(texts)
    (record,) = read_log(target)
    assert (record.model_id, record.replaced, record.kept_at) == (made["better_id"], made["in_use_id"], kept.name)
    assert record.forced is False and record.gate["difference"] > 0


def test_models_says_which_model_is_in_use_and_lists_the_kept_ones(made, target):
    assert _promote(made["better"], "--to", target).exit_code == 0
    listing = CliRunner().invoke(cli, ["models", str(target.parent), "--json"])
    assert listing.exit_code == 0, listing.output
    entries = {json.loads(line)["model_id"]: json.loads(line) for line in listing.output.splitlines()}
    assert entries[made["better_id"]]["status"].startswith("in use: promoted ")
    assert entries[made["in_use_id"]]["status"].startswith("replaced at ours on ")
    table = CliRunner().invoke(cli, ["models", str(target.parent)]).output
    assert f"{target}  (in use: promoted " in table


def test_a_candidate_that_failed_the_gate_is_refused_with_the_figures(made, target):
    before = _snapshot(target.parent)
    result = _promote(made["worse"], "--to", target)
    assert result.exit_code == 1
    g, wid = made["worse_gate"], made["worse_id"]
    assert result.output == (
        f"error: {wid} is not better than {made['in_use_id']}: on your 60 labelled mentions (3-fold "
        f"cross-validation), primary macro-F1: {wid} {g['candidate_f1']:.3f}, base {made['in_use_id']} "
        f"{g['base_f1']:.3f}; difference {g['difference']:+.3f} (95% interval {g['low']:+.3f} to {g['high']:+.3f}). "
        f"Label more mentions (mention-insight suggest) and adapt again, or pass --force to promote it anyway. "
        f"{target} was not changed.\n"
    )
    assert _snapshot(target.parent) == before


def test_force_promotes_it_anyway_and_says_so(made, target):
    result = _promote(made["worse"], "--to", target, "--force")
    assert result.exit_code == 0, result.output
    assert f"promoted despite the gate (--force): {made['worse_id']} is not better than" in result.output
    assert load_model(target, cache=False).model_id == made["worse_id"]
    assert load_model(target.parent / "ours.history" / made["in_use_id"], cache=False).model_id == made["in_use_id"]
    assert read_log(target)[-1].forced is True
    listing = CliRunner().invoke(cli, ["models", str(target), "--json"]).output
    assert "forced past the gate" in listing


@pytest.mark.parametrize(
    "damage, found",
    [
        ("adapted.npz", "adapted.npz changed since it was saved"),
        ("base/config.json", "base/config.json changed since it was saved"),
        ("README.md", "README.md changed since it was saved"),
    ],
)
def test_a_corrupt_candidate_is_refused(made, target, tmp_path, damage, found):
    candidate = tmp_path / "candidate"
    shutil.copytree(made["better"], candidate)
    with (candidate / damage).open("ab") as fh:
        fh.write(b"\n ")
    before = _snapshot(target.parent)
    result = _promote(candidate, "--to", target)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {candidate} cannot be promoted: {found} (checked against checksums.sha256 and the model id). "
        f"Retrain it or restore a copy; {target} was not changed.\n"
    )
    assert _snapshot(target.parent) == before


def test_a_candidate_that_is_not_a_model_is_refused(target, tmp_path):
    (tmp_path / "empty").mkdir()
    result = _promote(tmp_path / "empty", "--to", target)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path / 'empty'} is not a model directory (it has no config.json); pass the directory "
        f"'mention-insight train' wrote. {target} was not changed.\n"
    )


def test_a_candidate_missing_a_file_is_refused(made, target, tmp_path):
    candidate = tmp_path / "candidate"
    shutil.copytree(made["better"], candidate)
    (candidate / "adapted_vocab.json").unlink()
    result = _promote(candidate, "--to", target)
    assert result.exit_code == 1
    assert f"{candidate} cannot be promoted: {candidate} is missing adapted_vocab.json" in result.output
    assert load_model(target, cache=False).model_id == made["in_use_id"]


def test_a_target_that_is_not_a_model_directory_is_refused(made, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", "utf-8")
    result = _promote(made["better"], "--to", a_file)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {a_file} is a file, not a model directory; pass the model directory in use (e.g. --to "
        "models/ours). Nothing was changed.\n"
    )
    assert a_file.read_text("utf-8") == "mine"
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "labels.csv").write_text("id,text,labels\n", "utf-8")
    result = _promote(made["better"], "--to", folder)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {folder} is a folder of other files, not a model directory (it has no config.json); pass the "
        "model directory in use, e.g. --to models/ours. Nothing was changed.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "work"]


def test_a_changed_model_in_use_is_replaced_only_with_force_and_kept(made, target):
    with (target / "weights.npz").open("ab") as fh:
        fh.write(b" ")
    before = _snapshot(target.parent)
    result = _promote(made["better"], "--to", target)
    assert result.exit_code == 1
    assert result.output == (
        f"error: the model at {target} fails its checks (weights.npz changed since it was saved), so nothing can be "
        f"compared with it; restore it from a copy, or pass --force to promote it anyway (the changed model is then "
        f"kept in {target.parent / 'ours.history'}/). {target} was not changed.\n"
    )
    assert _snapshot(target.parent) == before
    assert _promote(made["better"], "--to", target, "--force").exit_code == 0
    kept = target.parent / "ours.history" / made["in_use_id"]
    assert (kept / "weights.npz").read_bytes() == (made["in_use"] / "weights.npz").read_bytes() + b" "


def test_the_bundled_default_model_is_never_replaced(made):
    from mention_insight.api import default_model_path

    result = _promote(made["better"], "--to", default_model_path())
    assert result.exit_code == 1
    assert "is the bundled default model, which promote never replaces; promote to a directory of your own" in (
        result.output
    )


def test_a_candidate_checked_against_another_model_is_refused_unless_held_out_labels_say_better(made, tmp_path):
    from conftest import toy_data

    texts, labels = toy_data(n_per_label=12, seed=3)
    other = tmp_path / "models" / "theirs"
    MentionClassifier(random_state=3).fit(texts, labels, validation=(texts, labels)).save(other)
    other_id = load_model(other, cache=False).model_id
    before = _snapshot(other.parent)
    result = _promote(made["better"], "--to", other)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {made['better_id']} was checked against {made['in_use_id']}, not against the model at {other} "
        f"({other_id}); adapt the model in use instead (mention-insight train LABELS --base {other} -o DIR), "
        "check this one with --held-out FILE (labelled mentions neither model was trained on), or pass --force "
        f"to promote it anyway. {other} was not changed.\n"
    )
    assert _snapshot(other.parent) == before
    held_out = made["held_out"]
    result = _promote(made["better"], "--to", other, "--held-out", held_out)
    assert result.exit_code == 0, result.output
    assert (
        f"gate (held-out labels {held_out}): on your {made['held_out_n']} labelled mentions, primary macro-F1: "
        f"{made['better_id']} " in result.output
    )
    record = read_log(other)[-1]
    assert record.checked_on == f"held-out labels {held_out}" and len(record.gate["labelled_sha256"]) == 64


def test_a_model_without_a_gate_record_needs_held_out_labels_or_force(made, target, toy_model_dir):
    result = _promote(toy_model_dir, "--to", target.parent / "fresh")
    assert result.exit_code == 1
    assert "has no quality-gate record (only 'mention-insight train --base' makes one)" in result.output
    assert "--held-out FILE" in result.output and "--force" in result.output
    assert not (target.parent / "fresh").exists() and not (target.parent / "fresh.history").exists()


def test_a_new_target_is_created_and_going_back_needs_force(made, target):
    fresh = target.parent / "fresh"
    result = _promote(made["better"], "--to", fresh)
    assert result.exit_code == 0, result.output
    assert "the model it replaced" not in result.output
    assert load_model(fresh, cache=False).model_id == made["better_id"]
    assert _promote(made["better"], "--to", fresh).output.endswith(
        f"{made['better_id']} is already the model at {fresh}; nothing was changed.\n"
    )
    # back to the previous model at models/ours: promote the better one there, then the kept one back
    assert _promote(made["better"], "--to", target).exit_code == 0
    kept = target.parent / "ours.history" / made["in_use_id"]
    assert _promote(kept, "--to", target).exit_code == 1
    back = _promote(kept, "--to", target, "--force")
    assert back.exit_code == 0, back.output
    assert load_model(target, cache=False).model_id == made["in_use_id"]
    assert load_model(target.parent / "ours.history" / made["better_id"], cache=False).model_id == made["better_id"]


def test_a_failed_swap_leaves_the_target_as_it_was(made, target, monkeypatch):
    import os

    import mention_insight.promote as promote_module

    real = os.replace

    def failing(src, dst):
        if Path(dst) == target and Path(src).name.endswith(".tmp"):
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(promote_module.os, "replace", failing)
    with pytest.raises(OSError):
        promote(made["better"], target)
    monkeypatch.undo()
    assert load_model(target, cache=False).model_id == made["in_use_id"]
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    assert not (target.parent / "ours.history" / made["in_use_id"]).exists()
