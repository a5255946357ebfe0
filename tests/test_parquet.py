"""Parquet in and out: streamed reading, typed classify output, the same results as the CSV path."""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from mention_insight.batch import classify_file
from mention_insight.cli import cli
from mention_insight.errors import InputFormatError, MissingDependencyError, OutputPathError
from mention_insight.impact import load_mentions
from mention_insight.io import detect_format, open_mentions
from mention_insight.io.rows import is_classified, labels_of, read_result

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

CSV_IN = (
    "id,text,created_at\n"
    "1,please patrol the park tonight,2026-08-03T09:14:22Z\n"
    "2,,2026-08-03T10:00:00Z\n"
    "3,thanks so much for coming round,2026-08-04T11:30:00Z\n"
    "4,too,many,fields\n"
    "5,\"=cmd|' /C calc'!A0\",2026-08-05T12:00:00Z\n"
    "6,rang 101 three times nobody came,2026-08-06T08:00:00Z\n"
)


def _write(path, columns: dict, **kw):
    pq.write_table(pa.table(columns), path, **kw)
    return path


def _results(path):
    source = open_mentions(path)
    assert is_classified(source.columns)
    labels = labels_of(source.columns)
    return [(rec.data["id"], *read_result(rec.data, labels)) for rec in source]


def test_classify_to_parquet_reads_back_as_the_csv_does(tmp_path, toy_model):
    src = tmp_path / "in.csv"
    src.write_text(CSV_IN, "utf-8")
    classify_file(src, tmp_path / "out.csv", model=toy_model)
    summary = classify_file(src, tmp_path / "out.parquet", model=toy_model)
    assert summary.rows == 6 and summary.classified == 4

    from_csv, from_parquet = _results(tmp_path / "out.csv"), _results(tmp_path / "out.parquet")
    assert [r[0] for r in from_parquet] == ["1", "2", "3", "4", "5", "6"]
    assert from_parquet == from_csv  # ids, labels, scores and errors, row for row
    assert from_parquet[0][1] == "visit_request" and from_parquet[1][4] == "empty text"

    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == next(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert table.schema.field("score_thanks").type == pa.float64()
    assert table.schema.field("labels").type == pa.list_(pa.string())
    assert table.column("text")[4].as_py() == "=cmd|' /C calc'!A0"  # no spreadsheet escaping in Parquet


def test_report_reads_a_classified_parquet_like_the_csv(tmp_path, toy_model):
    src = tmp_path / "in.csv"
    src.write_text(CSV_IN, "utf-8")
    classify_file(src, tmp_path / "out.csv", model=toy_model)
    classify_file(src, tmp_path / "out.parquet", model=toy_model)

    def seen(path):
        return [
            (m.id, m.label, m.labels, m.scores, m.created_at) for m in load_mentions(path, model=toy_model).mentions
        ]

    assert seen(tmp_path / "out.parquet") == seen(tmp_path / "out.csv")


def test_a_text_column_under_another_name_is_found_or_named(tmp_path):
    path = _write(tmp_path / "in.parquet", {"post_id": [7], "Hit Sentence": ["street light out by the tram stop"]})
    source = open_mentions(path)
    assert source.format == "parquet" and source.mapping.text == "Hit Sentence" and source.mapping.id == "post_id"
    odd = _write(tmp_path / "odd.parquet", {"n": [1], "what_they_said": ["street light out by the tram stop"]})
    assert open_mentions(odd, text_column="what_they_said").mapping.text == "what_they_said"
    with pytest.raises(InputFormatError, match=r"Its values look like text: use --text-column what_they_said\."):
        open_mentions(odd)


def test_null_and_empty_text_rows_keep_their_place_with_an_error(tmp_path, toy_model):
    path = _write(tmp_path / "in.parquet", {"id": [1, 2, 3], "text": ["please patrol the park tonight", None, " "]})
    classify_file(path, tmp_path / "out.csv", model=toy_model)
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [(r["id"], r["error"]) for r in rows] == [("1", ""), ("2", "empty text"), ("3", "empty text")]
    assert rows[0]["label"] == "visit_request"


def test_cells_come_through_as_from_json_with_timestamps_as_iso_text(tmp_path):
    when = datetime(2026, 8, 3, 9, 14, 22, tzinfo=UTC)
    path = _write(
        tmp_path / "in.parquet",
        {
            "id": pa.array([1234567890123456789], pa.int64()),
            "text": ["hi"],
            "created_at": pa.array([when], pa.timestamp("ns", tz="UTC")),
            "naive": pa.array([when.replace(tzinfo=None)], pa.timestamp("ms")),
            "day": pa.array([when.date()], pa.date32()),
            "area": pa.array(["Didsbury"]).dictionary_encode(),
        },
    )
    (rec,) = open_mentions(path)
    assert rec.line == 1 and rec.error is None
    assert rec.data == {
        "id": 1234567890123456789,
        "text": "hi",
        "created_at": "2026-08-03T09:14:22+00:00",
        "naive": "2026-08-03T09:14:22",
        "day": "2026-08-03",
        "area": "Didsbury",
    }


def test_rows_are_streamed_a_batch_at_a_time_in_order(tmp_path, monkeypatch):
    n = 50
    rows = {"id": list(range(n)), "text": [f"mention {i}" for i in range(n)]}
    path = _write(tmp_path / "in.parquet", rows, row_group_size=7)
    assert pq.ParquetFile(path).metadata.num_row_groups == 8
    batches: list[int] = []
    real = pq.ParquetFile.iter_batches

    def counted(self, batch_size, **kwargs):
        for batch in real(self, batch_size=5, **kwargs):  # smaller batches than the reader's
            batches.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", counted)
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: pytest.fail("read the whole table"))
    source = open_mentions(path)
    first = next(iter(source))
    assert (first.line, first.data["id"]) == (1, 0) and len(batches) == 1  # one batch read, not the file
    rest = list(source)
    assert [r.line for r in rest] == list(range(2, n + 1))
    assert [r.data["id"] for r in rest] == list(range(1, n))
    assert sum(batches) == n and max(batches) <= 5


def test_a_corrupt_parquet_file_says_so_and_how_to_fix_it(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not really parquet")
    message = (
        f"{bad} is not a readable Parquet file (Parquet magic bytes not found in footer. Either the file is "
        "corrupted or this is not a parquet file.); it may be truncated or not Parquet at all: write it again "
        "(e.g. pandas DataFrame.to_parquet), or export it as CSV and read that."
    )
    with pytest.raises(InputFormatError, match=f"^{re.escape(message)}$"):
        open_mentions(bad)
    good = _write(tmp_path / "good.parquet", {"text": ["hello there"] * 100})
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-20])  # a truncated download
    with pytest.raises(InputFormatError, match=r"cut\.parquet is not a readable Parquet file \("):
        open_mentions(cut)
    result = CliRunner().invoke(cli, ["classify", str(bad), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1 and f"error: {message}" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_an_empty_parquet_file_is_refused(tmp_path):
    path = _write(tmp_path / "empty.parquet", {"text": pa.array([], pa.string())})
    with pytest.raises(InputFormatError, match=r"empty\.parquet holds no rows: expected a Parquet file"):
        open_mentions(path)


def test_parquet_is_detected_by_its_magic_bytes_or_its_name():
    assert detect_format("PAR1\x15\x04", "export.bin") == "parquet"
    assert detect_format("", "export.PARQUET") == "parquet"


def test_parquet_read_from_a_pipe(tmp_path):
    path = _write(tmp_path / "in.parquet", {"text": ["one", "two"]})

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes):
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buf) -> int:
            chunk = self._data.read(len(buf))
            buf[: len(chunk)] = chunk
            return len(chunk)

    source = open_mentions(Pipe(path.read_bytes()))
    assert source.format == "parquet" and [r.data["text"] for r in source] == ["one", "two"]


def test_without_pyarrow_the_error_says_how_to_install_it(tmp_path, monkeypatch, toy_model):
    path = _write(tmp_path / "in.parquet", {"text": ["hi"]})
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(
        MissingDependencyError, match=r"reading Parquet needs pyarrow, .*pip install 'mention_insight\[parquet\]'"
    ):
        open_mentions(path)
    src = tmp_path / "in.csv"
    src.write_text("text\nhi\n", "utf-8")
    with pytest.raises(MissingDependencyError, match=r"writing Parquet needs pyarrow"):
        classify_file(src, tmp_path / "out.parquet", model=toy_model)
    assert not (tmp_path / "out.parquet").exists()


def test_cli_classify_parquet_in_csv_out(tmp_path, toy_model_dir):
    path = _write(tmp_path / "in.parquet", {"id": [1, 2], "message": ["please patrol the park tonight", "lol"]})
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["classify", str(path), "-o", str(out), "--model", str(toy_model_dir)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["label"]) for r in rows] == [("1", "visit_request"), ("2", "other")]
    assert "2 rows read (parquet), 2 classified" in result.stderr


def test_cli_classify_to_parquet_on_stdout(tmp_path, toy_model_dir):
    result = CliRunner().invoke(
        cli,
        ["classify", "-", "-o", "-", "--output-format", "parquet", "--model", str(toy_model_dir)],
        input="text\nlol\n",
    )
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(pa.BufferReader(result.stdout_bytes))
    assert table.column("label").to_pylist() == ["other"] and table.column("labels").to_pylist() == [["other"]]


def test_parquet_output_follows_the_output_safety_rules(tmp_path, toy_model):
    src = _write(tmp_path / "in.parquet", {"text": ["lol"]})
    with pytest.raises(OutputPathError, match=r"is the input file"):
        classify_file(src, src, model=toy_model)
    out = tmp_path / "out.parquet"
    classify_file(src, out, model=toy_model)
    classify_file(src, out, model=toy_model)  # ours: replaced without --force
    theirs = _write(tmp_path / "theirs.parquet", {"text": ["keep me"]})
    with pytest.raises(OutputPathError, match=r"exists and was not written by mention-insight"):
        classify_file(src, theirs, model=toy_model)
    classify_file(src, theirs, model=toy_model, force=True)
    assert pq.read_table(theirs).column("label").to_pylist() == ["other"]
