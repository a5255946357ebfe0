"""The command line: exit codes, one-line errors, help with examples, every row kept."""

import csv
import json

import pytest
from click.testing import CliRunner

from mention_insight.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"mention-insight {command}" in result.output


def test_classify_keeps_every_row_in_order_with_errors(run, tmp_path, toy_model_dir):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,text,label\n1,please patrol the park tonight,x\n2,,\n3,lol,y\n4,too,many,fields\n5,thanks so much 🙏,z\n",
        "utf-8",
    )
    out = tmp_path / "out.csv"
    result = run("classify", src, "-o", out, "--model", toy_model_dir)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["label"] == "visit_request" and rows[0]["labels"] == "visit_request"
    assert rows[0]["input_label"] == "x"  # an input column that collides with ours is kept, renamed
    assert rows[1]["error"] == "empty text" and rows[1]["label"] == ""
    assert rows[2]["label"] == "other"
    assert rows[3]["error"].startswith("line 5: 4 fields but the header has 3 (extra: ['fields'])")
    assert rows[4]["label"] == "thanks"
    assert {f"score_{c}" for c in ("visit_request", "complaint", "shared_info", "thanks", "other")} <= set(rows[0])
    assert rows[0]["model_id"].startswith("toy@")
    assert "5 rows read (csv), 3 classified, 2 with an error" in result.stderr


def test_classify_jsonl_from_stdin_to_stdout(run, toy_model_dir):
    lines = '{"id": 1, "full_text": "lol", "meta": {"a": 1}}\n{"id": 2, "full_text": "please come round"}\n{oops\n'
    result = run("classify", "-", "-o", "-", "--output-format", "jsonl", "--model", toy_model_dir, input=lines)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, 2, None]
    assert out[0]["meta"] == {"a": 1} and out[0]["labels"] == ["other"]
    assert out[2]["_raw"] == "{oops" and out[2]["error"].startswith("line 3: invalid JSON")


def test_jsonl_to_csv_keeps_late_columns(run, tmp_path, toy_model_dir):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "lol"}\n{"text": "ta", "area": "Didsbury"}\n', "utf-8")
    out = tmp_path / "out.csv"
    assert run("classify", src, "-o", out, "--model", toy_model_dir).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[1]["area"] == "Didsbury" and rows[0]["area"] == ""


def test_bad_encoding_is_one_line_exit_1_and_no_output(run, tmp_path, toy_model_dir):
    src = tmp_path / "in.csv"
    src.write_bytes(b"text\ncaf\xe9\n")
    out = tmp_path / "out.csv"
    result = run("classify", src, "-o", out, "--model", toy_model_dir)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {src}, line 2: byte 0xe9 at column 4 cannot be decoded as utf-8. The file is probably in another "
        "encoding: exports from Excel on Windows are often cp1252, so try --encoding cp1252 (or --encoding latin-1)."
    ]
    assert not out.exists() and list(tmp_path.iterdir()) == [src]
    assert run("classify", src, "-o", out, "--model", toy_model_dir, "--encoding", "cp1252").exit_code == 0


def test_missing_text_column_and_missing_model(run, tmp_path, toy_model_dir):
    src = tmp_path / "in.csv"
    src.write_text("id,body2\n1,hi\n", "utf-8")
    result = run("classify", src, "-o", tmp_path / "o.csv", "--model", toy_model_dir)
    assert result.exit_code == 1 and "expected a text column" in result.stderr and "Traceback" not in result.stderr
    result = run("classify", src, "-o", tmp_path / "o.csv", "--model", tmp_path / "nope", "--text-column", "body2")
    assert result.exit_code == 1 and result.stderr.startswith("error: no model directory at")


def test_corrupt_model_is_refused_by_the_cli(run, tmp_path, toy_model_dir):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(toy_model_dir, model)
    (model / "weights.npz").write_bytes(b"garbage")
    src = tmp_path / "in.csv"
    src.write_text("text\nhi\n", "utf-8")
    result = run("classify", src, "-o", tmp_path / "o.csv", "--model", model)
    assert result.exit_code == 1 and "weights.npz changed since the model was saved" in result.stderr


def test_train_then_evaluate_round_trip(run, tmp_path):
    from conftest import toy_data

    texts, labels = toy_data(20)
    src = tmp_path / "labelled.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "labels"])
        for t, ls in zip(texts, labels):
            w.writerow([t, ";".join(ls)])
    result = run("train", src, "-o", tmp_path / "m", "--seed", 1)
    assert result.exit_code == 0, result.output
    assert "| visit_request |" in result.stdout and "macro-F1" in result.stdout
    result = run("evaluate", src, "--model", tmp_path / "m", "--json")
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 100 and set(metrics["per_label"]) >= {"thanks", "other"}


def test_train_with_too_rare_label_exits_1(run, tmp_path):
    src = tmp_path / "labelled.csv"
    src.write_text(
        "text,labels\n" + "".join(f"text {i},thanks\n" for i in range(12)) + "odd one,lost_property\n", "utf-8"
    )
    result = run("train", src, "-o", tmp_path / "m")
    assert result.exit_code == 1
    assert "label 'lost_property' has only 1 examples (lines 14)" in result.stderr
    assert not (tmp_path / "m").exists()


def test_version_and_module_entry_point():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "mention_insight", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("mention-insight, version ")
