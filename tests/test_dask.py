"""The Dask engine: a partitioned dataset classified and reported on a local cluster of two
worker processes gives the same rows and the same report as the single-process commands."""

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from mention_insight.engines.dask import classify_dataset, report_dataset
from mention_insight.errors import ReportError
from mention_insight.impact import make_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "mentions_export.csv"
LABELLED = ROOT / "data" / "samples" / "mentions_labelled_sample.csv"
KEY = "00" * 32


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The bundled sample export split into three CSV files."""
    folder = tmp_path_factory.mktemp("dataset")
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    size = -(-len(rows) // 3)
    for i in range(3):
        with (folder / f"export_{i}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows[i * size : (i + 1) * size])
    return folder, len(rows)


def _read(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    files = sorted(path.glob("part.*.parquet")) if path.is_dir() else [path]
    return [row for f in files for row in pq.read_table(f).to_pylist()]


@pytest.fixture(scope="module")
def classified(dataset, client, tmp_path_factory):
    folder, _ = dataset
    out = tmp_path_factory.mktemp("out") / "classified"
    summary = classify_dataset(str(folder / "export_*.csv"), str(out), client=client)
    return out, summary


def test_the_dataset_is_classified_row_for_row_as_in_one_process(classified, dataset, sample_classified, tmp_path):
    out, summary = classified
    _, n = dataset
    assert (summary.rows, summary.partitions) == (n, 3)
    from click.testing import CliRunner

    from mention_insight.cli import cli

    single = tmp_path / "single.parquet"
    result = CliRunner().invoke(cli, ["classify", str(SAMPLE), "-o", str(single), "--no-progress"])
    assert result.exit_code == 0, result.output
    ours, theirs = _read(out), _read(single)
    assert len(ours) == len(theirs) == n
    keys = ["id", "text", "label", "labels", "score_complaint", "score_thanks", "model_id", "error"]
    assert [{k: r[k] for k in keys} for r in ours] == [{k: r[k] for k in keys} for r in theirs]
    assert summary.classified == sum(1 for r in theirs if r["error"] is None)


def test_the_report_from_partials_equals_the_single_process_report(classified, client, tmp_path):
    out, _ = classified
    key = tmp_path / "key"
    key.write_text(KEY)
    import pyarrow as pa
    import pyarrow.parquet as pq

    single_in = tmp_path / "all.parquet"  # the parts as one file, for the single-process report
    schema = pq.read_schema(sorted(out.glob("part.*.parquet"))[0])
    pq.write_table(pa.Table.from_pylist(_read(out), schema=schema), single_in)
    options = {"key_file": key, "labelled_sample": LABELLED, "formats": ("json",)}
    one = make_report(single_in, tmp_path / "one.html", **options)
    many = report_dataset(str(out), str(tmp_path / "many.html"), client=client, **options)
    a = json.loads((tmp_path / "one.json").read_text())
    b = json.loads((tmp_path / "many.json").read_text())
    a.pop("source"), b.pop("source")
    assert a == b
    assert many.summary.mentions == one.summary.mentions > 400
    assert a["overall"]["estimated"]["complaint"]["corrected"] is True


def test_an_unclassified_dataset_is_refused_with_the_fix(dataset, client, tmp_path):
    folder, _ = dataset
    with pytest.raises(ReportError, match="is not classified .* run classify with --engine dask first"):
        report_dataset(str(folder / "export_*.csv"), str(tmp_path / "r.html"), client=client, formats=("json",))


def test_a_folder_holding_files_is_not_overwritten_without_force(dataset, client, tmp_path):
    folder, _ = dataset
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ReportError, match="is not empty; give a new folder, or pass --force"):
        classify_dataset(str(folder / "export_*.csv"), str(tmp_path / "busy"), client=client)
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_the_cli_runs_both_commands_on_a_local_cluster(dataset, tmp_path):
    from click.testing import CliRunner

    from mention_insight.cli import cli

    folder, n = dataset
    out = tmp_path / "classified"
    run = CliRunner().invoke(
        cli, ["classify", str(folder / "export_*.csv"), "-o", str(out), "--engine", "dask", "--workers", "2"]
    )
    assert run.exit_code == 0, run.output
    assert f"{n} rows in 3 partition(s)" in run.output
    assert len(_read(out)) == n
    report = tmp_path / "r.html"
    run = CliRunner().invoke(cli, ["report", str(out), "-o", str(report), "--engine", "dask", "--formats", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads((tmp_path / "r.json").read_text())["totals"]["rows"] == n
