"""Runs the hostile-input corpus (``cases.py``) and the cases that need more than a command line:
full disks, read-only folders, concurrent writers, an interrupt, and hostile API calls.

Every command-line case asserts: its exit code; on failure exactly one ``error:`` line on
stderr matching its pattern; no traceback; the output's row count (rows in = rows out);
every input file byte-identical afterwards; no temporary file left behind.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cases import ALL_CASES, MODEL, Case
from click.testing import CliRunner

from mention_insight import classify, load_model
from mention_insight.batch import classify_file
from mention_insight.cli import cli
from mention_insight.errors import InputFormatError, ModelError

TEMP_NAME = re.compile(r"^\..*(\.tmp|\.old-\d+)$")


def snapshot(folder: Path, names) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in names if (folder / n).is_file()}


def leftovers(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if TEMP_NAME.match(p.name)]


def count_rows(path: Path) -> int:
    if path.suffix in (".jsonl", ".json"):
        return sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def run_case(case: Case, folder: Path, model_dir: Path, monkeypatch) -> tuple:
    folder.mkdir()
    monkeypatch.chdir(folder)
    model_arg = str(model_dir)
    if case.tamper is not None:
        shutil.copytree(model_dir, folder / "model")
        case.tamper(folder / "model")
        model_arg = "model"
    args = [model_arg if a == MODEL else a for a in case.setup(folder)]
    before = snapshot(folder, case.inputs)
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    return args, before, result


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_hostile_case(case: Case, tmp_path, toy_model_dir, monkeypatch):
    folder = tmp_path / "work"
    args, before, result = run_case(case, folder, toy_model_dir, monkeypatch)
    where = f"{case.entry} {' '.join(args)}\nstdout: {result.stdout[-800:]}\nstderr: {result.stderr[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}\n{where}"
    )
    assert "Traceback" not in result.stderr + result.stdout, where
    assert result.exit_code == case.exit_code, where
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if case.exit_code != 0:
        others = [line for line in result.stderr.strip().splitlines() if not line.startswith(("error:", "warning:"))]
        assert len(errors) == 1 and others == [], where
        assert re.search(case.stderr, errors[0]), where
    if case.rows_out is not None:
        assert count_rows(folder / case.output) == case.rows_out, where
    assert snapshot(folder, case.inputs) == before, f"an input file changed\n{where}"
    assert set(before) == {n for n in case.inputs if (folder / n).is_file()}, where
    assert leftovers(folder) == [], where


def test_the_corpus_covers_every_entry_point():
    by_entry: dict[str, int] = {}
    for case in ALL_CASES:
        by_entry[case.entry] = by_entry.get(case.entry, 0) + 1
    assert len(ALL_CASES) >= 60 and len({c.name for c in ALL_CASES}) == len(ALL_CASES)
    assert set(by_entry) >= {"classify", "model", "train", "report", "evaluate"}


def test_rows_come_out_in_input_order(tmp_path, toy_model_dir):
    rows = "text,id\n" + "".join(f"mention {i},{i}\n" if i % 7 else f",{i}\n" for i in range(500))
    (tmp_path / "in.csv").write_text(rows, "utf-8")
    classify_file(tmp_path / "in.csv", tmp_path / "out.csv", model=load_model(toy_model_dir), batch_size=64)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        out = list(csv.DictReader(fh))
    assert [r["id"] for r in out] == [str(i) for i in range(500)]
    assert all((r["error"] == "empty text") == (int(r["id"]) % 7 == 0) for r in out)


# -- faults of the file system ---------------------------------------------------------------
def _fail_with(code: int, message: str):
    def fail(*args, **kwargs):
        raise OSError(code, message)

    return fail


@pytest.mark.parametrize(
    "command",
    [
        ["classify", "in.csv", "-o", "out.csv"],
        ["report", "in.csv", "-o", "r.html"],
    ],
    ids=["classify", "report"],
)
@pytest.mark.parametrize(
    "fault, message",
    [
        ("fsync", "No space left on device"),  # a full disk surfaces when the data is flushed
        ("mkstemp", "Read-only file system"),  # a read-only folder refuses the temporary file
    ],
    ids=["disk-full", "read-only"],
)
def test_file_system_faults_are_one_line_and_leave_nothing(
    command, fault, message, tmp_path, toy_model_dir, monkeypatch
):
    from mention_insight.io import atomic

    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("text,author\nthanks for your help,@a\n", "utf-8")
    (tmp_path / "r.html.key").write_text("ab" * 32 + "\n", "ascii")
    code = errno.ENOSPC if fault == "fsync" else errno.EROFS
    if fault == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", _fail_with(code, message))
    else:
        monkeypatch.setattr(atomic.tempfile, "mkstemp", _fail_with(code, message))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, [*command, "--model", str(toy_model_dir)], catch_exceptions=True)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.stderr
    assert (
        result.stderr.strip()
        == f"error: {message}; nothing was written or replaced. Free some space or choose a writable path."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_concurrent_writers_leave_one_whole_output(tmp_path, toy_model_dir):
    model = load_model(toy_model_dir)
    (tmp_path / "in.csv").write_text("text\n" + "".join(f"mention {i}\n" for i in range(3000)), "utf-8")
    errors: list[BaseException] = []

    def work():
        try:
            classify_file(tmp_path / "in.csv", tmp_path / "out.csv", model=model, batch_size=100)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count_rows(tmp_path / "out.csv") == 3000
    assert leftovers(tmp_path) == []


def test_an_interrupt_leaves_no_output_and_no_temp_file(tmp_path, toy_model_dir):
    big = tmp_path / "in.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("text\n")
        for i in range(400_000):
            fh.write(f"some mention about the park number {i}\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mention_insight",
            "classify",
            str(big),
            "-o",
            str(tmp_path / "out.csv"),
            "--model",
            str(toy_model_dir),
            "--no-progress",
            "--batch-size",
            "256",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not leftovers(tmp_path) and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0 and "400000 rows read" in err:  # seen once on CI: the last batch raced the signal
        pytest.skip("the run finished before the interrupt reached it")
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted; no output file was written or replaced."
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists() and leftovers(tmp_path) == []


# -- hostile API calls ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "texts, error, message",
    [
        ("", InputFormatError, r"cannot classify empty text \(items \[0\]\)"),
        ("   \n", InputFormatError, r"cannot classify empty text"),
        ([1, 2], TypeError, r"classify\(\) expects strings; items \[0, 1\] are not \(e\.g\. int\)"),
        (["ok", None], TypeError, r"items \[1\] are not \(e\.g\. NoneType\)"),
        ([b"bytes"], TypeError, r"e\.g\. bytes"),
    ],
    ids=["empty", "whitespace", "ints", "none", "bytes"],
)
def test_hostile_api_calls_raise_plain_errors(texts, error, message, toy_model):
    with pytest.raises(error, match=message):
        classify(texts, model=toy_model)


def test_api_lone_surrogate_and_huge_text_still_classify(toy_model):
    preds = classify(["hi \ud800 there", "word " * 50_000], model=toy_model)
    assert len(preds) == 2 and all(p.label in toy_model.all_labels for p in preds)


def test_api_refuses_a_tampered_model(toy_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(toy_model_dir, copy)
    config = json.loads((copy / "config.json").read_text())
    config["thresholds"] = {k: 0.0 for k in config["thresholds"]}
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="config.json changed since the model was saved"):
        classify("hello", model=str(copy))


def test_rows_writer_output_is_readable_after_hostile_text(tmp_path, toy_model_dir):
    text = 'a "quoted", multi\nline\r\ntext with =formula and \x00 nul'
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": text}) + "\n", "utf-8")
    classify_file(tmp_path / "in.jsonl", tmp_path / "out.csv", model=load_model(toy_model_dir))
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["text"] == text and row["error"] == ""
    io.StringIO(row["text"])  # a plain str came back
