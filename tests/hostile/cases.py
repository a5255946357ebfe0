"""The hostile-input corpus: every case is generated here, none is stored as a file.

A :class:`Case` builds its inputs in a fresh folder (``setup(folder) -> args``), names the
command line to run, and says what must happen: the exit code, a pattern the one stderr
line must match, and how many rows the output must hold (the input's rows, in order).
``tests/hostile/test_hostile.py`` runs each one and checks, beyond that: no traceback,
every input file byte-identical afterwards, and no temporary file left behind.

``MODEL`` in an argument list is replaced by a small trained model directory; ``TAMPER``
cases get their own copy of it to damage.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MODEL = "<model>"
TOY_ROWS = "text,author,created_at\nthanks for coming to the school,@a,2026-08-03T09:00:00Z\nbikes nicked again,@b,2026-08-04T10:00:00Z\n"


@dataclass
class Case:
    name: str
    entry: str  # classify | report | train | evaluate | model | api
    setup: Callable[[Path], list[str]]
    exit_code: int
    stderr: str = ""  # a regex the (single) stderr error line must match; "" for success
    rows_out: int | None = None  # rows the classified output must hold
    output: str = "out.csv"  # the output whose rows are counted
    inputs: tuple[str, ...] = ("in.csv",)  # files that must be unchanged afterwards
    tamper: Callable[[Path], None] | None = None  # damages the model copy
    env: dict = field(default_factory=dict)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def classify_case(name, data: bytes | str, exit_code=0, stderr="", rows_out=None, extra=(), infile="in.csv", **kw):
    def setup(folder: Path) -> list[str]:
        write(folder, infile, data)
        return ["classify", infile, "-o", "out.csv", "--model", MODEL, "--no-progress", *extra]

    return Case(name, "classify", setup, exit_code, stderr, rows_out, inputs=(infile,), **kw)


def _csv(n: int, text=lambda i: f"mention number {i} about parking") -> str:
    return "text,author\n" + "".join(f'"{text(i)}",@u{i}\n' for i in range(n))


# -- classify: what the bytes can do -------------------------------------------------
CLASSIFY_INPUTS = [
    classify_case("plain-csv", _csv(5), rows_out=5),
    classify_case("utf8-bom", b"\xef\xbb\xbf" + _csv(3).encode(), rows_out=3),
    classify_case("utf16-with-bom", _csv(3).encode("utf-16"), rows_out=3, extra=("--encoding", "utf-16")),
    classify_case(
        "cp1252-bytes-as-utf8",
        "text\ncaf\xe9 on the corner\n".encode("cp1252"),
        1,
        r"^error: in.csv, line 2: byte 0xe9 at column 4 cannot be decoded as utf-8\. .*--encoding cp1252",
    ),
    classify_case(
        "cp1252-declared",
        "text\ncaf\xe9 \u201cquoted\u201d\n".encode("cp1252"),
        rows_out=1,
        extra=("--encoding", "cp1252"),
    ),
    classify_case("unknown-encoding", _csv(2), 1, r"^error: .*encoding", extra=("--encoding", "klingon-8")),
    classify_case("crlf-endings", _csv(4).replace("\n", "\r\n"), rows_out=4),
    classify_case("cr-only-endings", _csv(4).replace("\n", "\r"), rows_out=4),
    classify_case("mixed-endings", "text\r\nfirst one\rsecond one\nthird one\r\n", rows_out=3),
    classify_case("no-final-newline", "text\nonly row", rows_out=1),
    classify_case("empty-file", b"", 1, r"^error: in.csv is empty"),
    classify_case("header-only", "text,author\n", rows_out=0),
    classify_case("blank-lines-between", "text\n\nfirst\n\n\nsecond\n", rows_out=2),
    classify_case("empty-text-cells", "text,author\n,@a\n   ,@b\nreal text,@c\n", rows_out=3),
    classify_case("no-text-column", "id,when\n1,2026-01-01\n2,2026-01-02\n", 1, r"^error: .*text column"),
    classify_case("ragged-rows", "text,author\nshort\ntoo,many,fields,here\nfine,@c\n", rows_out=3),
    classify_case("unclosed-quote", 'text,author\n"never closed,@a\nnext,@b\nlast,@c\n', rows_out=3),
    classify_case("multiline-quoted", 'text,author\n"two\nlines",@a\nnext,@b\n', rows_out=2),
    classify_case("field-over-1mib", "text,author\n" + "x" * (1 << 20 + 1) + ",@a\nsmall,@b\n", rows_out=2),
    classify_case("nul-bytes", b"text\nhello\x00world\nplain\n", rows_out=2),
    classify_case("semicolon-delimited", "text;author\nhello there;@a\nbye;@b\n", rows_out=2),
    classify_case("tab-delimited", "text\tauthor\nhello there\t@a\n", rows_out=1, infile="in.tsv"),
    classify_case("formula-text", 'text,author\n"=HYPERLINK(""http://x"",""click"")",@a\n+cmd,=evil\n', rows_out=2),
    classify_case("emoji-and-rtl", "text\nthank you 👮‍♀️🙏 شكرا\n", rows_out=1),
    classify_case("very-long-text", "text\n" + "word " * 20000 + "\n", rows_out=1),
    classify_case("duplicate-columns", "text,text,author\na,b,@a\n", rows_out=1),
    classify_case("collides-with-output-columns", "text,label,error\nhello,x,y\n", rows_out=1),
    classify_case("jsonl-plain", '{"text": "hello"}\n{"text": "there"}\n', rows_out=2, infile="in.jsonl"),
    classify_case(
        "jsonl-invalid-line", '{"text": "ok"}\n{broken\n[1,2]\n{"text": "fine"}\n', rows_out=4, infile="in.jsonl"
    ),
    classify_case(
        "jsonl-lone-surrogate", '{"text": "hi \\ud800 there"}\n{"text": "two"}\n', rows_out=2, infile="in.jsonl"
    ),
    classify_case(
        "jsonl-huge-integer",
        '{"text": "ok", "id": ' + "9" * 5000 + '}\n{"text": "two"}\n',
        rows_out=2,
        infile="in.jsonl",
    ),
    classify_case(
        "jsonl-deep-nesting",
        '{"text": "x", "n": ' + "[" * 5000 + "]" * 5000 + '}\n{"text": "y"}\n',
        rows_out=2,
        infile="in.jsonl",
    ),
    classify_case(
        "jsonl-text-not-string", '{"text": 42}\n{"text": null}\n{"text": ["a"]}\n', rows_out=3, infile="in.jsonl"
    ),
    classify_case(
        "json-deep-document",
        "[" * 100000 + "]" * 100000,
        1,
        r"^error: in.json: JSON nested too deeply",
        infile="in.json",
    ),
    classify_case(
        "json-truncated", '[{"text": "a"}, {"text": ', 1, r"^error: in.json, line 1: invalid JSON", infile="in.json"
    ),
    classify_case("json-scalar", "42", 1, r"^error: expected a text column", infile="in.json"),
    classify_case("binary-garbage", os.urandom(0) + bytes(range(256)) * 8, 1, r"^error: "),
]


# -- classify: options and output paths ------------------------------------------------
def _setup_with(files: dict[str, bytes | str], args: list[str]):
    def setup(folder: Path) -> list[str]:
        for name, data in files.items():
            write(folder, name, data)
        return args

    return setup


def _out_dir(folder: Path) -> list[str]:
    write(folder, "in.csv", _csv(2))
    (folder / "outdir").mkdir()
    return ["classify", "in.csv", "-o", "outdir", "--model", MODEL]


def _out_under_file(folder: Path) -> list[str]:
    write(folder, "in.csv", _csv(2))
    write(folder, "afile", "x")
    return ["classify", "in.csv", "-o", "afile/out.csv", "--model", MODEL]


def _same_by_other_name(folder: Path) -> list[str]:
    write(folder, "in.csv", _csv(2))
    (folder / "sub").mkdir()
    return ["classify", "in.csv", "-o", "sub/../in.csv", "--model", MODEL]


def _symlink_to_input(folder: Path) -> list[str]:
    write(folder, "in.csv", _csv(2))
    os.symlink(folder / "in.csv", folder / "link.csv")
    return ["classify", "in.csv", "-o", "link.csv", "--model", MODEL]


def _previous_output(folder: Path) -> list[str]:
    write(folder, "in.csv", _csv(3))
    write(folder, "out.csv", "text,label,labels,model_id,error\nold,thanks,thanks,x@1,\n")
    return ["classify", "in.csv", "-o", "out.csv", "--model", MODEL]


def _stale_temp(folder: Path) -> list[str]:
    """A temp file left by a writer killed outright (its process is gone)."""
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    write(folder, f".out.csv.{dead.stdout.strip()}.abc123.tmp", "half a file")
    write(folder, "in.csv", _csv(2))
    return ["classify", "in.csv", "-o", "out.csv", "--model", MODEL]


CLASSIFY_PATHS = [
    Case(
        "output-is-input",
        "classify",
        _setup_with({"in.csv": _csv(2)}, ["classify", "in.csv", "-o", "in.csv", "--model", MODEL]),
        1,
        r"^error: the output path in.csv is the input file in.csv",
    ),
    Case(
        "output-is-input-other-spelling",
        "classify",
        _same_by_other_name,
        1,
        r"^error: the output path sub/../in.csv is the input file",
    ),
    Case(
        "output-is-symlink-to-input",
        "classify",
        _symlink_to_input,
        1,
        r"^error: the output path link.csv is the input file",
    ),
    Case("output-is-directory", "classify", _out_dir, 1, r"^error: the output path outdir is a directory"),
    Case("output-parent-is-file", "classify", _out_under_file, 1, r"^error: .*afile"),
    Case(
        "output-is-foreign-file",
        "classify",
        _setup_with(
            {"in.csv": _csv(2), "notes.csv": "my,own\nprecious,data\n"},
            ["classify", "in.csv", "-o", "notes.csv", "--model", MODEL],
        ),
        1,
        r"^error: notes.csv exists and was not written by mention-insight; .*--force",
        inputs=("in.csv", "notes.csv"),
    ),
    Case(
        "output-is-foreign-file-forced",
        "classify",
        _setup_with(
            {"in.csv": _csv(2), "notes.csv": "my,own\n"},
            ["classify", "in.csv", "-o", "notes.csv", "--model", MODEL, "--force"],
        ),
        0,
        rows_out=2,
        output="notes.csv",
    ),
    Case("output-is-previous-output", "classify", _previous_output, 0, rows_out=3),
    Case("stale-temp-from-killed-run", "classify", _stale_temp, 0, rows_out=2),
    classify_case(
        "batch-size-zero",
        _csv(2),
        2,
        r"^error: Invalid value for '--batch-size': 0 is not in the range",
        extra=("--batch-size", "0"),
    ),
    classify_case(
        "batch-size-negative", _csv(2), 2, r"^error: Invalid value for '--batch-size'", extra=("--batch-size", "-5")
    ),
    classify_case(
        "batch-size-text", _csv(2), 2, r"^error: Invalid value for '--batch-size'", extra=("--batch-size", "lots")
    ),
    classify_case("batch-size-one", _csv(3), rows_out=3, extra=("--batch-size", "1")),
    classify_case("unknown-format", _csv(2), 2, r"^error: Invalid value for '--format'", extra=("--format", "xls")),
    classify_case("text-column-missing", _csv(2), 1, r"^error: .*nope", extra=("--text-column", "nope")),
    classify_case("raw-csv-opt-out", "text\n=1+1\n", rows_out=1, extra=("--raw-csv",)),
    Case(
        "missing-input",
        "classify",
        _setup_with({}, ["classify", "absent.csv", "-o", "out.csv", "--model", MODEL]),
        1,
        r"^error: no such file: absent.csv",
        inputs=(),
    ),
    Case(
        "input-is-directory",
        "classify",
        lambda f: (f / "d").mkdir() or ["classify", "d", "-o", "out.csv", "--model", MODEL],
        1,
        r"^error: no such file: d",
        inputs=(),
    ),
    Case(
        "model-missing",
        "classify",
        _setup_with({"in.csv": _csv(1)}, ["classify", "in.csv", "-o", "out.csv", "--model", "nomodel"]),
        1,
        r"^error: no model directory at nomodel",
    ),
]


# -- tampered and truncated models ----------------------------------------------------------
def _edit_config(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def tamper(model: Path) -> None:
        config = json.loads((model / "config.json").read_text("utf-8"))
        change(config)
        (model / "config.json").write_text(json.dumps(config, indent=2), "utf-8")

    return tamper


def _truncate(name: str) -> Callable[[Path], None]:
    def tamper(model: Path) -> None:
        data = (model / name).read_bytes()
        (model / name).write_bytes(data[: len(data) // 3])

    return tamper


def _model_case(name: str, tamper: Callable[[Path], None], stderr: str, exit_code: int = 1, extra=()) -> Case:
    return Case(
        name,
        "model",
        _setup_with({"in.csv": _csv(2)}, ["classify", "in.csv", "-o", "out.csv", "--model", MODEL, *extra]),
        exit_code,
        stderr,
        rows_out=2 if exit_code == 0 else None,
        tamper=tamper,
    )


def _zero_thresholds(c: dict) -> None:
    c["thresholds"] = {k: 0 for k in c["thresholds"]}


MODEL_CASES = [
    _model_case(
        "thresholds-zeroed",
        _edit_config(_zero_thresholds),
        r"^error: .*: config.json changed since the model was saved",
    ),
    _model_case("thresholds-zeroed-trusted", _edit_config(_zero_thresholds), "", 0, extra=("--trust-modified",)),
    _model_case(
        "calibration-edited",
        _edit_config(lambda c: c["calibration"].update({c["labels"][0]: [5, 5]})),
        r"config.json changed",
    ),
    _model_case(
        "labels-renamed", _edit_config(lambda c: c.update(labels=["a", "b", "c", "d"])), r"config.json changed"
    ),
    _model_case(
        "threshold-removed", _edit_config(lambda c: c["thresholds"].pop(c["labels"][0])), r"config.json changed"
    ),
    _model_case(
        "unknown-parameter", _edit_config(lambda c: c["backend_params"].update(warp=9)), r"config.json changed"
    ),
    _model_case(
        "format-from-the-future",
        _edit_config(lambda c: c.update(format_version=99)),
        r"uses model format 99, newer than",
    ),
    _model_case(
        "config-not-json", lambda m: (m / "config.json").write_text("{oops", "utf-8"), r"config.json is not valid JSON"
    ),
    _model_case("config-empty", lambda m: (m / "config.json").write_bytes(b""), r"config.json is not valid JSON"),
    _model_case("config-a-list", lambda m: (m / "config.json").write_text("[]", "utf-8"), r"no integer format_version"),
    _model_case("weights-truncated", _truncate("weights.npz"), r"weights.npz changed since the model was saved"),
    _model_case("vocab-truncated", _truncate("vocab.json"), r"vocab.json changed since the model was saved"),
    _model_case("weights-deleted", lambda m: (m / "weights.npz").unlink(), r"is missing weights.npz"),
    _model_case("checksums-deleted", lambda m: (m / "checksums.sha256").unlink(), r"has no checksums.sha256"),
    _model_case("card-edited", lambda m: (m / "README.md").write_text("# mine\n", "utf-8"), r"README.md changed"),
    _model_case(
        "weights-swapped-with-hash", lambda m: _swap_weights(m), r"config.json, weights.npz changed|config.json changed"
    ),
]


def _swap_weights(model: Path) -> None:
    from mention_insight.persistence import sha256_file

    with open(model / "weights.npz", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00" * 8)
    config = json.loads((model / "config.json").read_text("utf-8"))
    config["files"]["weights.npz"] = sha256_file(model / "weights.npz")
    (model / "config.json").write_text(json.dumps(config, indent=2), "utf-8")


# -- train --------------------------------------------------------------------------------
def _labelled(n_per: int = 12) -> str:
    rows = ["text,labels"]
    examples = {
        "thanks": "thank you so much officers for your help {}",
        "complaint": "nobody came when we called about the noise again {}",
        "visit_request": "please could someone come round to the estate {}",
        "shared_info": "there is a white van parked on the pavement at the corner {}",
        "other": "what time does the match start today {}",
    }
    for label, template in examples.items():
        rows += [f'"{template.format(i)}",{label}' for i in range(n_per)]
    return "\n".join(rows) + "\n"


def _train_setup(extra_files: dict, args: list[str]):
    def setup(folder: Path) -> list[str]:
        write(folder, "labelled.csv", _labelled())
        for name, data in extra_files.items():
            write(folder, name, data)
        return args

    return setup


def _untouched(model: Path) -> None:
    """A copy of the model, left as it is (for cases that need one to exist)."""


TRAIN_CASES = [
    Case(
        "train-into-existing-file",
        "train",
        _train_setup({"existing.csv": "keep,me\n"}, ["train", "labelled.csv", "-o", "existing.csv"]),
        1,
        r"^error: existing.csv is an existing file, not a model directory",
        inputs=("labelled.csv", "existing.csv"),
    ),
    Case(
        "train-into-its-input",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", "labelled.csv"]),
        1,
        r"^error: .*labelled.csv",
        inputs=("labelled.csv",),
    ),
    Case(
        "train-into-full-directory",
        "train",
        _train_setup({"mine/notes.txt": "hello"}, ["train", "labelled.csv", "-o", "mine"]),
        1,
        r"^error: mine is a directory that holds other files, not a model",
        inputs=("labelled.csv", "mine/notes.txt"),
    ),
    Case(
        "train-over-existing-model",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", MODEL]),
        1,
        r"^error: a model already exists at model; .*--force",
        inputs=("labelled.csv", "model/config.json", "model/weights.npz"),
        tamper=_untouched,
    ),
    Case(
        "train-over-existing-model-forced",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", MODEL, "--force"]),
        0,
        inputs=("labelled.csv",),
        tamper=_untouched,
    ),
    Case(
        "train-test-size-above-one",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", "m", "--test-size", "1.5"]),
        2,
        r"^error: Invalid value for '--test-size'",
        inputs=("labelled.csv",),
    ),
    Case(
        "train-test-size-zero",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", "m", "--test-size", "0"]),
        2,
        r"^error: Invalid value for '--test-size'",
        inputs=("labelled.csv",),
    ),
    Case(
        "train-min-examples-zero",
        "train",
        _train_setup({}, ["train", "labelled.csv", "-o", "m", "--min-examples", "0"]),
        2,
        r"^error: Invalid value for '--min-examples'",
        inputs=("labelled.csv",),
    ),
    Case(
        "train-no-labels-column",
        "train",
        _setup_with({"labelled.csv": "text\nhello\n"}, ["train", "labelled.csv", "-o", "m"]),
        1,
        r"^error: .*labels",
        inputs=("labelled.csv",),
    ),
    Case(
        "train-one-label-only",
        "train",
        _setup_with(
            {"labelled.csv": "text,labels\n" + "hello there,thanks\n" * 30}, ["train", "labelled.csv", "-o", "m"]
        ),
        1,
        r"^error: ",
        inputs=("labelled.csv",),
    ),
]


# -- report -------------------------------------------------------------------------------
def _report_setup(files: dict, args: list[str]):
    return _setup_with({"in.csv": TOY_ROWS, **files}, args)


REPORT_CASES = [
    Case(
        "report-over-its-input",
        "report",
        _report_setup({}, ["report", "in.csv", "-o", "in.csv", "--model", MODEL]),
        1,
        r"^error: .*in.csv",
    ),
    Case(
        "report-json-over-input",
        "report",
        _setup_with(
            {"in.json": json.dumps([{"text": "hi", "author": "@a"}])},
            ["report", "in.json", "-o", "in.html", "--model", MODEL],
        ),
        1,
        r"^error: the report path in.json is the input file",
        inputs=("in.json",),
    ),
    Case(
        "report-over-foreign-html",
        "report",
        _report_setup({"r.html": "<html>mine</html>"}, ["report", "in.csv", "-o", "r.html", "--model", MODEL]),
        1,
        r"^error: r.html exists and was not written by mention-insight",
        inputs=("in.csv", "r.html"),
    ),
    Case(
        "report-key-file-is-directory",
        "report",
        lambda f: (
            (f / "keys").mkdir()
            or write(f, "in.csv", TOY_ROWS)
            and ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--key-file", "keys"]
        ),
        1,
        r"^error: --key-file keys is a directory",
    ),
    Case(
        "report-key-file-not-hex",
        "report",
        _report_setup(
            {"k.key": "not hex at all"}, ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--key-file", "k.key"]
        ),
        1,
        r"^error: key file k.key should hold a hex key",
        inputs=("in.csv", "k.key"),
    ),
    Case(
        "report-unknown-period",
        "report",
        _report_setup({}, ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--period", "fortnight"]),
        1,
        r"^error: unknown period 'fortnight'",
    ),
    Case(
        "report-since-after-until",
        "report",
        _report_setup(
            {}, ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--since", "2026-09-01", "--until", "2026-01-01"]
        ),
        1,
        r"^error: --since 2026-09-01 is after --until",
    ),
    Case(
        "report-bad-since",
        "report",
        _report_setup({}, ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--since", "yesterday"]),
        1,
        r"^error: --since expects a date",
    ),
    Case(
        "report-unknown-timezone",
        "report",
        _report_setup({}, ["report", "in.csv", "-o", "r.html", "--model", MODEL, "--timezone", "Mars/Olympus"]),
        1,
        r"^error: unknown time zone",
    ),
    Case(
        "report-stdout",
        "report",
        _report_setup({}, ["report", "in.csv", "-o", "-", "--model", MODEL]),
        1,
        r"^error: the report needs a file name",
    ),
    Case(
        "report-extreme-years",
        "report",
        _report_setup(
            {
                "y.csv": "text,created_at,author\nhello,0001-01-01T00:00:00+05:00,@a\nhi,9999-12-31T23:59:59-05:00,@b\nok,2026-01-01T10:00:00Z,@c\n"
            },
            ["report", "y.csv", "-o", "r.html", "--model", MODEL, "--timezone", "Europe/London"],
        ),
        0,
        inputs=("y.csv",),
    ),
    Case(
        "report-mistyped-year-by-day",
        "report",
        _report_setup(
            {
                "y.csv": "text,created_at,author\n"
                + "".join(f"msg {i},2026-03-{1 + i % 28:02d}T10:00:00Z,@a{i}\n" for i in range(40))
                + "typo,2062-01-01T10:00:00Z,@z\n"
            },
            ["report", "y.csv", "-o", "r.html", "--model", MODEL, "--period", "day"],
        ),
        0,
        inputs=("y.csv",),
    ),
    Case(
        "report-html-in-text-and-account",
        "report",
        _report_setup(
            {"x.csv": "text,author,account\n<script>alert(1)</script> thanks,@a,<b>NPT</b>\n"},
            ["report", "x.csv", "-o", "r.html", "--model", MODEL],
        ),
        0,
        inputs=("x.csv",),
    ),
]


# -- evaluate --------------------------------------------------------------------------------
EVALUATE_CASES = [
    Case(
        "evaluate-no-labels",
        "evaluate",
        _setup_with({"in.csv": _csv(3)}, ["evaluate", "in.csv", "--model", MODEL]),
        1,
        r"^error: .*labels",
    ),
    Case(
        "evaluate-missing-file",
        "evaluate",
        _setup_with({}, ["evaluate", "none.csv", "--model", MODEL]),
        1,
        r"^error: no such file: none.csv",
        inputs=(),
    ),
]

ALL_CASES: list[Case] = CLASSIFY_INPUTS + CLASSIFY_PATHS + MODEL_CASES + TRAIN_CASES + REPORT_CASES + EVALUATE_CASES
