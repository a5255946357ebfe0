"""Past one machine: classify and report a partitioned dataset on Dask.

    from mention_insight.engines.dask import classify_dataset, report_dataset
    from distributed import Client
    client = Client("tcp://scheduler:8786")            # or None: a local cluster of --workers processes
    classify_dataset("exports/*.csv", "classified/", client=client)
    report_dataset("classified/", "report.html", client=client)

The dataset is read with :mod:`dask.dataframe` (a CSV glob, or a Parquet file, folder or
glob), one partition per task. Each worker loads the model once (:func:`~mention_insight.api.load_model`
caches it in the worker process) and classifies its partitions with the same code as the
single-process ``classify`` (:func:`~mention_insight.batch.classify_records`), writing one
``part.N.parquet`` (or ``.csv``) per partition; the client receives only counts.

``report_dataset`` turns each partition of a classified dataset into a
:class:`~mention_insight.insight.partial.Partial` on the workers, merges the partials on the
client and writes the same report ``mention-insight report`` writes from one file: how dates
are written and whose voice the export is are decided once, on the client, from the first
rows, exactly as the single-process reader decides them, and passed to every worker.

The same partials run on Spark: ``df.mapInPandas`` over partitions with a function that
streams its rows into a ``Partial`` and yields it pickled in one binary cell, then
``collect()`` and merge on the driver (see docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import glob
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch import ClassifySummary
from ..errors import InputFormatError, MissingDependencyError, ReportError

#: How CSV files are split: ``None``, one partition per file. Splitting one file by size
#: (e.g. "64MB") is faster on a cluster but cuts quoted texts that hold line breaks, which
#: tweets often do: only for exports known to have none.
CSV_BLOCKSIZE: str | int | None = None


def _require() -> tuple[Any, Any]:
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:
        raise MissingDependencyError(
            "the Dask engine needs dask and distributed: pip install 'mention_insight[dask]'"
        ) from None
    return dask, dd


def _files(path: str) -> list[str]:
    p = Path(path)
    if p.is_dir():
        return sorted(str(f) for f in p.iterdir() if f.suffix.lower() in (".parquet", ".csv", ".tsv"))
    return sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else ([path] if p.exists() else [])


def read_dataset(path: str, *, blocksize: str | int | None = CSV_BLOCKSIZE):
    """A :mod:`dask.dataframe` of a CSV glob or a Parquet file/folder/glob; every CSV cell
    is read as text (as the single-process reader reads it), Parquet cells keep their types."""
    _, dd = _require()
    files = _files(str(path))
    if not files:
        raise InputFormatError(f"no files match {path}: give a CSV or Parquet file, a folder of them, or a glob.")
    kinds = {Path(f).suffix.lower() for f in files}
    if kinds == {".parquet"}:
        # partitions of about 32 MB of row groups: a worker holds one at a time as a pandas frame
        return dd.read_parquet(files, split_row_groups="adaptive", blocksize="32MiB")
    if kinds <= {".csv", ".tsv"}:
        return dd.read_csv(
            files,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            blocksize=blocksize,
            sep="\t" if kinds == {".tsv"} else ",",
            encoding="utf-8",
        )
    raise InputFormatError(f"{path} mixes file kinds ({', '.join(sorted(kinds))}); keep one format per dataset.")


def _cells(frame) -> Iterator[dict]:
    """A pandas partition's rows as the single-process readers give them (text as text,
    nulls as None; Parquet timestamps as ISO text)."""
    import pyarrow as pa

    from ..io.parquet import _rows

    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = list(frame.columns)
    for batch in table.to_batches(max_chunksize=4096):
        for cells in _rows(batch):
            yield dict(zip(columns, cells))


def _source(frame, mapping, name: str):
    from ..io.records import MentionSource, Record

    records = (Record(i + 1, row) for i, row in enumerate(_cells(frame)))
    return MentionSource("dask", [str(c) for c in frame.columns], mapping, records, name)


def _classify_part(
    frame, index: int, model_path: str, mapping, out_dir: str, fmt: str, threads: int | None
) -> ClassifySummary:
    import os

    from ..api import load_model
    from ..backends.transformer.serving import THREADS_ENV

    if threads:  # before the worker's first load: its ONNX session keeps the setting
        os.environ[THREADS_ENV] = str(threads)
    from ..batch import classify_records
    from ..io.rows import column_kinds, output_columns
    from ..io.writer import row_writer

    clf = load_model(model_path)  # once per worker process: cached there
    labels = clf.all_labels
    source = _source(frame, mapping, f"part {index}")
    header, rename = output_columns(source.columns, labels)
    result = ClassifySummary(model_id=clf.model_id)  # counts go back to the client, never rows
    target = Path(out_dir) / f"part.{index:05d}.{fmt}"
    with row_writer(target, fmt, header, kinds=column_kinds(labels)) as writer:
        for rec, added in classify_records(source, clf):
            row = {rename.get(k, k): v for k, v in rec.data.items()}
            row.update(added)
            writer.write(row)
            result.count(added)
    return result


@contextlib.contextmanager
def _client(client=None, scheduler: str | None = None, workers: int = 2):
    """The Dask client: the one given, one connected to ``scheduler``, or a local cluster
    of ``workers`` single-threaded processes (closed afterwards)."""
    if client is not None:
        yield client
        return
    _require()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError(
            "the Dask engine needs dask and distributed: pip install 'mention_insight[dask]'"
        ) from None
    if scheduler:
        with Client(scheduler) as c:
            yield c
        return
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@dataclass
class DatasetSummary(ClassifySummary):
    """A dataset's classify run: the parts' counts added up, and where they went."""

    partitions: int = 0
    output: str = ""


def classify_dataset(
    input: str,
    output: str,
    *,
    model: str | None = None,
    client=None,
    scheduler: str | None = None,
    workers: int = 2,
    text_column: str | None = None,
    output_format: str = "parquet",
    force: bool = False,
    blocksize: str | int | None = CSV_BLOCKSIZE,
    threads: int | None = None,
) -> DatasetSummary:
    """Classify every row of a partitioned dataset into ``output`` (a folder: one
    ``part.N.parquet`` or ``part.N.csv`` per partition, in order).

    ``threads``: ONNX Runtime threads per worker; by default the machine's cores shared
    among the workers of a local cluster, and 1 per worker on a cluster (``scheduler`` or
    ``client``), so that workers do not fight over the cores."""
    dask, _ = _require()
    from ..api import default_model_path
    from ..io.columns import map_columns
    from ..persistence import read_config

    if output_format not in ("parquet", "csv"):
        raise ReportError(f"unknown output format {output_format!r} for a dataset: expected parquet or csv.")
    out = Path(output)
    inputs = {str(Path(f).resolve()) for f in _files(str(input))}
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out} is a file; a dataset is written to a folder: give a folder name.")
    existing = [f for f in out.glob("*")] if out.is_dir() else []
    if any(str(f.resolve()) in inputs for f in existing):
        raise ReportError(f"{out} holds the input; write the classified dataset to another folder.")
    if existing and not force:
        raise ReportError(f"{out} is not empty; give a new folder, or pass --force to replace its part files.")
    for stale in existing:
        if stale.name.startswith("part.") and stale.is_file():
            stale.unlink()
    out.mkdir(parents=True, exist_ok=True)
    model_path = str(Path(model).resolve()) if model else str(default_model_path().resolve())
    model_id = read_config(model_path).get("model_id", "unknown")
    ddf = read_dataset(input, blocksize=blocksize)
    mapping = map_columns([str(c) for c in ddf.columns], {"text": text_column} if text_column else None)
    parts = ddf.to_delayed()
    if threads is None:
        import os

        threads = 1 if (client is not None or scheduler) else max(1, (os.cpu_count() or 1) // workers)
    tasks = [
        dask.delayed(_classify_part)(part, i, model_path, mapping, str(out), output_format, threads)
        for i, part in enumerate(parts)
    ]
    with _client(client, scheduler, workers) as c:
        results = c.compute(tasks, sync=True)
    total = DatasetSummary(model_id=model_id, input_format="dataset", partitions=len(parts), output=str(out))
    for r in results:
        total.merge(r)
    return total


@dataclass(frozen=True)
class _Reading:
    """How the whole dataset is read, decided once on the client from its first rows."""

    mapping: Any
    labels: list[str]
    dayfirst: bool
    accounts: Any  # insight.accounts.Accounts
    options: dict


def _stream(frame, index: int, reading: _Reading, date_format: str | None):
    from ..impact import MentionStream, _results

    source = _source(frame, reading.mapping, f"part {index}")
    return MentionStream(
        source,
        _results(source, None, reading.labels),
        classified=True,
        dayfirst=reading.dayfirst,
        date_format=date_format,
        decided_accounts=reading.accounts,
    )


def _partial_of(frame, index: int, reading: _Reading, date_format: str | None, sample_keys):
    from ..insight.summary import new_partial

    partial = new_partial(reading.labels, sample_keys=sample_keys, chunk=index, **reading.options)
    stream = _stream(frame, index, reading, date_format)
    for m in stream:
        partial.add(m)
    return partial, stream.model_id


def report_dataset(
    input: str,
    output: str,
    *,
    period: str = "week",
    by: str = "account",
    since: str | None = None,
    until: str | None = None,
    timezone: str | None = None,
    model: str | None = None,
    key_file: str | Path | None = None,
    places_file: str | Path | None = None,
    labelled_sample: str | Path | None = None,
    formats: Sequence[str] = ("html", "md", "json", "csv"),
    dayfirst: bool | None = None,
    date_format: str | None = None,
    accounts: Sequence[str] = (),
    client=None,
    scheduler: str | None = None,
    workers: int = 2,
    force: bool = False,
):
    """The report of a classified dataset (the output of :func:`classify_dataset`, or of
    ``mention-insight classify`` split in parts), from per-partition partials."""
    dask, _ = _require()
    from .. import impact
    from ..insight.accounts import Accounts
    from ..insight.summary import summarise
    from ..io import rows as row_schema
    from ..io.columns import describe_mapping, map_columns
    from ..report import write_report

    setup = impact.prepare_report(
        [str(input)], output, period, by, since, until, timezone, key_file, places_file, formats, force
    )
    ddf = read_dataset(input)
    columns = [str(c) for c in ddf.columns]
    if not row_schema.is_classified(columns):
        raise ReportError(
            f"{input} is not classified (no label and labels columns): run classify with --engine dask first."
        )
    labels = row_schema.labels_of(columns)
    mapping = map_columns(columns)
    head = ddf.head(impact.HEAD_ROWS, npartitions=-1)
    first = impact.MentionStream(
        _source(head, mapping, str(input)),
        impact._results(_source(head, mapping, str(input)), None, labels),
        classified=True,
        dayfirst=dayfirst,
        date_format=date_format,
        accounts=accounts,
    )
    decided = first.accounts if first.accounts.how != "column" else Accounts((), "column", {})
    reading = _Reading(
        mapping,
        labels,
        first.dates.dayfirst,
        decided,
        {"by": by, "tz": setup.tz, "since": setup.since, "until": setup.until},
    )
    labelled = impact.read_labelled(labelled_sample, labels) if labelled_sample is not None else None
    keys = labelled.keys() if labelled else None
    tasks = [dask.delayed(_partial_of)(part, i, reading, date_format, keys) for i, part in enumerate(ddf.to_delayed())]
    with _client(client, scheduler, workers) as c:
        results = c.compute(tasks, sync=True)
    merged = results[0][0]
    for p, _ in results[1:]:
        merged.merge(p)
    file_model_id = next((mid for _, mid in results if mid), None)
    model_id, config = impact.model_info(model, None, file_model_id)
    summary = summarise(
        merged,
        period=period,
        source=str(input),
        model_id=model_id,
        model_config=config,
        pseudonymiser=setup.pseudonymiser,
        places=setup.places,
        sample=impact.match_sample(labelled, merged.candidates) if labelled is not None else None,
    )
    written = write_report(summary, output, formats)
    whose = decided.message(summary.account_posts, summary.mentions)
    return impact.ReportResult(
        summary, written, setup.key_path, setup.key_created, describe_mapping(mapping), first.dates, whose
    )
