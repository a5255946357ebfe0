"""From an export to a written report in one call: :func:`make_report` (what ``mention-insight report`` runs).

The glue between the two pipelines: it resolves the model once, reads the export
(classifying it first when it is not the output of ``classify``), works out the error
rates for the correction, runs the insight pipeline and the renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .api import ModelLike, resolve_model
from .batch import classify_records
from .errors import ReportError
from .evaluate import compute_metrics
from .insight import ImpactSummary, Mention, MentionSet, compute_summary
from .insight.estimate import ErrorRates, error_rates_from_metrics
from .insight.periods import parse_datetime
from .insight.pseudonym import Pseudonymiser, load_or_create_key, read_key
from .insight.summary import check_options
from .insight.themes import read_places
from .io import MentionSource, Record, open_mentions
from .io import rows as row_schema
from .io.safety import check_output, unescape_cell
from .model import MentionClassifier
from .report import FORMATS, report_files, write_report
from .train import read_labelled

NAME_COLUMNS = ("author_name", "name", "display_name", "user_display_name", "author_display_name")


def _results(source: MentionSource, clf: MentionClassifier, classified: bool) -> Iterator[tuple[Record, tuple]]:
    """(record, (label, labels, scores, error)) per row: read back, or classified here."""
    if classified:
        labels = row_schema.labels_of(source.columns) or list(clf.all_labels)
        for rec in source:
            label, labs, scores, error = row_schema.read_result(rec.data, labels)
            yield rec, (label, labs, scores, rec.error or error)
        return
    for rec, added in classify_records(source, clf):
        scores = {
            lab: added[row_schema.score_column(lab)]
            for lab in clf.all_labels
            if added.get(row_schema.score_column(lab)) is not None
        }
        yield rec, (added["label"], tuple(added["labels"] or ()), scores, added["error"])


def _mentions(
    source: MentionSource, results: Iterable[tuple[Record, tuple]], classified: bool = False
) -> list[Mention]:
    """Mentions from records; ``classified``: cells are read back from our own (spreadsheet-safe) output."""
    mp = source.mapping
    name_col = next((c for c in source.columns if c.lower() in NAME_COLUMNS and c != mp.author), None)
    unescape = unescape_cell if classified else str

    def cell(d: dict, column: str | None) -> str | None:
        value = d.get(column) if column else None
        text = unescape(str(value)).strip() if value is not None else ""
        return text or None

    out = []
    for rec, (label, labels, scores, error) in results:
        d = rec.data
        out.append(
            Mention(
                line=rec.line,
                text=unescape(source.text_of(rec) or ""),
                label=label,
                labels=labels,
                scores=scores,
                id=cell(d, mp.id),
                author=cell(d, mp.author),
                author_name=cell(d, name_col),
                created_at=parse_datetime(d.get(mp.created_at)) if mp.created_at else None,
                account=cell(d, mp.account),
                area=cell(d, mp.area),
                in_reply_to=cell(d, mp.in_reply_to),
                outcome=cell(d, mp.outcome),
                error=error,
            )
        )
    return out


def load_mentions(
    source,
    *,
    model: ModelLike = None,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict | None = None,
) -> MentionSet:
    """Read an export as :class:`~mention_insight.insight.Mention` objects; classify it with
    ``model`` (default: bundled) unless it is already the output of ``classify``."""
    clf = resolve_model(model)
    src = open_mentions(source, format=input_format, encoding=encoding, text_column=text_column, columns=columns)
    classified = row_schema.is_classified(src.columns)
    labels = (row_schema.labels_of(src.columns) if classified else []) or list(clf.all_labels)
    mentions = _mentions(src, _results(src, clf, classified), classified)
    return MentionSet(mentions, labels, getattr(clf, "config_", {}) or {}, src.name, not classified, clf.model_id)


def measured_error_rates(labelled, model: ModelLike) -> tuple[dict[str, ErrorRates], str]:
    """Error rates of ``model`` on a labelled file (text + labels), and a description of them."""
    clf = resolve_model(model)
    sample = read_labelled(labelled)
    preds = clf.predict(sample.texts)
    metrics = compute_metrics(sample.labels, [p.labels for p in preds], clf.precedence_, clf.fallback_label)
    return error_rates_from_metrics(metrics), f"{Path(labelled).name} ({len(sample)} labelled mentions)"


@dataclass
class ReportResult:
    summary: ImpactSummary
    written: list[Path]
    key_file: Path
    key_created: bool


def _timezone(name: str | None):
    if not name or name.upper() == "UTC":
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(f"unknown time zone {name!r}: expected a name like Europe/London or UTC.") from None


def make_report(
    input,
    output,
    *,
    period: str = "week",
    by: str = "account",
    since: str | None = None,
    until: str | None = None,
    model: ModelLike = None,
    key_file: str | Path | None = None,
    places_file: str | Path | None = None,
    timezone: str | None = None,
    formats=FORMATS,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    n_boot: int = 2000,
    error_rates_file: str | Path | None = None,
    force: bool = False,
    raw_csv: bool = False,
) -> ReportResult:
    """Read (and classify, if needed) ``input``, compute the summary and write the report.

    Refuses, before reading anything, to write over an input or over a file it did not
    write (``force`` allows the latter); CSV cells are spreadsheet-safe unless ``raw_csv``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"unknown report format(s) {', '.join(unknown)}: expected some of {', '.join(FORMATS)}.")
    if str(output) == "-":
        raise ReportError("the report needs a file name (e.g. -o report.html), not '-': it writes several files.")
    since_d, until_d = check_options(period, by, since, until)  # before any file is read or written
    inputs = [input, key_file, places_file, error_rates_file]
    check_output(output, [input], kind="report", force=force, header=[])
    for path, header in report_files(output, formats):
        check_output(path, inputs, kind="report", force=force, header=header)
    if key_file is not None and Path(key_file).is_dir():
        raise ReportError(f"--key-file {key_file} is a directory; give the key file's path.")
    tz = _timezone(timezone)
    places = read_places(places_file)
    if key_file is not None:
        key_path, created = Path(key_file), False
        key = read_key(key_path)
    else:
        key_path = Path(f"{output}.key")
        if key_path.is_dir():
            raise ReportError(f"{key_path} is a directory; pass --key-file with the key file's path.")
        created = not key_path.exists()
        key = load_or_create_key(key_path)
    clf = resolve_model(model)
    data = load_mentions(input, model=clf, input_format=input_format, encoding=encoding, text_column=text_column)
    rates, rates_source = None, None
    if error_rates_file is not None:
        rates, rates_source = measured_error_rates(error_rates_file, clf)
    summary = compute_summary(
        data,
        period=period,
        by=by,
        since=since_d,
        until=until_d,
        tz=tz,
        pseudonymiser=Pseudonymiser(key),
        places=places,
        n_boot=n_boot,
        error_rates=rates,
        error_rates_source=rates_source,
    )
    return ReportResult(summary, write_report(summary, output, formats, raw_csv=raw_csv), key_path, created)
