"""Classifying a whole export file: every row out, in order, with labels or an error."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from .io import MentionSource, Record, open_mentions
from .io.columns import describe_mapping
from .io.rows import column_kinds, empty_result, fill_result, output_columns
from .io.safety import check_output
from .io.writer import output_format_for, row_writer
from .model import MentionClassifier


@dataclass
class ClassifySummary:
    """What a classify run did: rows read, classified, refused, and the labels found."""

    rows: int = 0
    classified: int = 0
    errors: Counter = field(default_factory=Counter)
    primary: Counter = field(default_factory=Counter)
    any_label: Counter = field(default_factory=Counter)
    model_id: str = ""
    input_format: str = ""
    columns: str = ""  # which columns were read, for stderr

    def count(self, added: dict) -> None:
        """Count one output row (its added fields)."""
        self.rows += 1
        if added["error"] is None:
            self.classified += 1
            self.primary[added["label"]] += 1
            self.any_label.update(added["labels"])
        else:
            self.errors[_reason(added["error"])] += 1

    def merge(self, other: ClassifySummary) -> ClassifySummary:
        """Add another part's counts to these; returns self."""
        self.rows += other.rows
        self.classified += other.classified
        self.errors.update(other.errors)
        self.primary.update(other.primary)
        self.any_label.update(other.any_label)
        return self

    def format(self, labels) -> str:
        lines = [
            *([self.columns] if self.columns else []),
            f"{self.rows} rows read ({self.input_format}), {self.classified} classified, "
            f"{self.rows - self.classified} with an error; model {self.model_id}",
            f"{'label':<15}{'primary':>9}{'share':>8}{'any':>8}",
        ]
        for label in labels:
            n = self.primary.get(label, 0)
            share = n / self.classified if self.classified else 0.0
            lines.append(f"{label:<15}{n:>9}{share:>8.1%}{self.any_label.get(label, 0):>8}")
        for reason, n in self.errors.most_common(5):
            lines.append(f"error: {reason} ({n} rows)")
        return "\n".join(lines)


def _chunks(it: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        yield chunk


def classify_records(
    source: MentionSource, model: MentionClassifier, batch_size: int = 2048
) -> Iterator[tuple[Record, dict]]:
    """(record, added fields) for every record of ``source``, in order."""
    labels = model.all_labels
    for chunk in _chunks(iter(source), batch_size):
        texts: list[str] = []
        rows: list[int] = []
        results: list[dict] = []
        for rec in chunk:
            added = empty_result(labels, model.model_id, rec.error)
            text = source.text_of(rec)
            if added["error"] is None:
                if text is None and source.mapping.text not in rec.data:
                    added["error"] = f"no {source.mapping.text!r} field in this row"
                elif not (text or "").strip():  # empty, blank or null (JSON, Parquet)
                    added["error"] = "empty text"
            if added["error"] is None and text is not None:
                texts.append(text)
                rows.append(len(results))
            results.append(added)
        if texts:
            for i, pred in zip(rows, model.predict(texts)):
                fill_result(results[i], pred, labels)
        yield from zip(chunk, results)


def classify_file(
    input,
    output,
    *,
    model: MentionClassifier,
    input_format: str | None = None,
    output_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict | None = None,
    skip_rows: int | None = None,
    batch_size: int = 2048,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
    raw_csv: bool = False,
) -> ClassifySummary:
    """Classify every row of ``input`` into ``output`` (a path or ``"-"``).

    Refuses an ``output`` that is the input, a directory, or a file this package did not
    write (unless ``force``); CSV cells are spreadsheet-safe unless ``raw_csv``. The output
    format (csv, jsonl or parquet) is ``output_format``, else read from ``output``'s
    extension.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size!r}")
    check_output(output, [input], kind="output", force=force)
    source = open_mentions(
        input, format=input_format, encoding=encoding, text_column=text_column, columns=columns, skip_rows=skip_rows
    )
    fmt = output_format_for(output, output_format)
    labels = model.all_labels
    header, rename = output_columns(source.columns, labels)
    csv_columns = header if source.format != "jsonl" else None
    summary = ClassifySummary(
        model_id=model.model_id, input_format=source.format, columns=describe_mapping(source.mapping)
    )
    with row_writer(output, fmt, csv_columns, raw=raw_csv, kinds=column_kinds(labels)) as writer:
        for rec, added in classify_records(source, model, batch_size):
            row = {rename.get(k, k): v for k, v in rec.data.items()}
            row.update(added)
            writer.write(row)
            summary.count(added)
            if progress is not None:
                progress(1)
    return summary


def _reason(error: str) -> str:
    # "line 12: 5 fields but ..." -> "5 fields but ..." so that like errors group together.
    head, sep, rest = error.partition(": ")
    return rest if sep and head.startswith(("line", "lines", "item")) else error


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
