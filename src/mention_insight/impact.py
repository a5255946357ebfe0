"""From an export to a written report in one call: :func:`make_report` (what ``mention-insight report`` runs).

The glue between the two pipelines: it resolves the model once, reads the export
(classifying it first when it is not the output of ``classify``), matches a labelled
sample to the export's mentions, runs the insight pipeline and the renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .api import ModelLike, resolve_model
from .batch import classify_records
from .errors import ReportError
from .insight import ImpactSummary, Mention, MentionSet, compute_summary
from .insight.accounts import Accounts, archive_posts, attribute, find_accounts
from .insight.periods import DateReading, read_dates
from .insight.pseudonym import Pseudonymiser, load_or_create_key, read_key
from .insight.sample import LabelledSample
from .insight.summary import check_options
from .insight.themes import read_places
from .io import MentionSource, Record, open_mentions
from .io import rows as row_schema
from .io.columns import describe_mapping
from .io.safety import check_output, unescape_cell
from .labels import FALLBACK_LABEL, parse_labels
from .model import MentionClassifier
from .report import FORMATS, OPTIONAL_FORMATS, report_files, write_report
from .report.pdf import require_chromium
from .train import LABEL_COLUMNS

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
    source: MentionSource,
    results: Iterable[tuple[Record, tuple]],
    classified: bool = False,
    *,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> tuple[list[Mention], DateReading]:
    """Mentions from records, and how their dates were read; ``classified``: cells are read
    back from our own (spreadsheet-safe) output."""
    mp = source.mapping
    name_col = next((c for c in source.columns if c.lower() in NAME_COLUMNS and c != mp.author), None)
    unescape = unescape_cell if classified else str

    def cell(d: dict, column: str | None) -> str | None:
        value = d.get(column) if column else None
        text = unescape(str(value)).strip() if value is not None else ""
        return text or None

    rows = []
    for rec, (label, labels, scores, error) in results:
        d = rec.data
        rows.append(
            (
                rec.line,
                d.get(mp.created_at) if mp.created_at else None,
                {
                    "line": rec.line,
                    "text": unescape(source.text_of(rec) or ""),
                    "label": label,
                    "labels": labels,
                    "scores": scores,
                    "id": cell(d, mp.id),
                    "author": cell(d, mp.author),
                    "author_name": cell(d, name_col),
                    "account": cell(d, mp.account),
                    "area": cell(d, mp.area),
                    "in_reply_to": cell(d, mp.in_reply_to),
                    "outcome": cell(d, mp.outcome),
                    "error": error,
                },
            )
        )
    dates, reading = read_dates([(line, raw) for line, raw, _ in rows], dayfirst=dayfirst, date_format=date_format)
    return [Mention(created_at=when, **fields) for (_, _, fields), when in zip(rows, dates)], reading


def load_mentions(
    source,
    *,
    model: ModelLike = None,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict | None = None,
    skip_rows: int | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    accounts: Sequence[str] = (),
) -> MentionSet:
    """Read an export as :class:`~mention_insight.insight.Mention` objects; classify it with
    ``model`` (default: bundled) unless it is already the output of ``classify``."""
    clf = resolve_model(model)
    src = open_mentions(
        source, format=input_format, encoding=encoding, text_column=text_column, columns=columns, skip_rows=skip_rows
    )
    classified = row_schema.is_classified(src.columns)
    labels = (row_schema.labels_of(src.columns) if classified else []) or list(clf.all_labels)
    mentions, dates = _mentions(
        src, _results(src, clf, classified), classified, dayfirst=dayfirst, date_format=date_format
    )
    if src.format == "tweets-js":  # the archive holds the account's own posts, not mentions of it
        whose = Accounts((), "archive", {})
        mentions = archive_posts(mentions)
    elif accounts or not src.mapping.account:
        whose = find_accounts(mentions, accounts)
        mentions = attribute(mentions, whose)
    else:
        whose = Accounts((), "column", {})
    return MentionSet(
        mentions,
        labels,
        getattr(clf, "config_", {}) or {},
        src.name,
        not classified,
        clf.model_id,
        reading=describe_mapping(src.mapping),
        dates=dates,
        accounts=whose,
    )


def _text_key(text: str) -> str:
    return " ".join(text.split()).lower()


def read_sample(labelled, data: MentionSet, *, encoding: str = "utf-8") -> LabelledSample:
    """Hand labels for a random sample of ``data``'s mentions, matched to them by id when both
    have one, else by text (case and spacing ignored). Its labels must be the model's, and
    every row of the random sample must carry them. A file written by ``mention-insight
    suggest`` keeps only its ``random`` rows: the others were chosen by the model and would
    bias the estimates (they may stay unlabelled)."""
    name = Path(labelled).name
    src = open_mentions(labelled, encoding=encoding)
    lab_col = next((c for c in src.columns if c.strip().lower() in LABEL_COLUMNS), None)
    if lab_col is None:
        raise ReportError(
            f"{name}: expected a labels column (one of: {', '.join(LABEL_COLUMNS)}); found [{', '.join(src.columns)}]."
        )
    why_col = next((c for c in src.columns if c.strip().lower() == "why"), None)
    by_id = {m.id: m for m in data.mentions if m.id}
    by_text: dict[str, list[Mention]] = {}
    for m in data.mentions:
        by_text.setdefault(_text_key(m.text), []).append(m)
    truth: dict[int, tuple[Mention, frozenset[str]]] = {}
    rows = unmatched = chosen_by_model = 0
    unlabelled: list[int] = []
    unknown: dict[str, int] = {}
    mixed: list[int] = []
    for rec in src:
        if why_col and str(rec.data.get(why_col, "")).strip().lower() not in ("", "random"):
            chosen_by_model += 1
            continue
        if rec.error:
            raise ReportError(f"{name}: {rec.error}")
        text = unescape_cell(src.text_of(rec) or "")
        labels = parse_labels(rec.data.get(lab_col))
        if not text.strip():
            continue
        if not labels:
            unlabelled.append(rec.line)
            continue
        for lab in labels:
            if lab not in data.labels:
                unknown.setdefault(lab, rec.line)
        if FALLBACK_LABEL in labels and len(labels) > 1:
            mixed.append(rec.line)
        rows += 1
        rid = rec.data.get(src.mapping.id) if src.mapping.id else None
        found = by_id.get(str(rid).strip()) if rid not in (None, "") else None
        if found is None:
            found = next((m for m in by_text.get(_text_key(text), []) if id(m) not in truth), None)
        if found is None or id(found) in truth:
            unmatched += 1
            continue
        truth[id(found)] = (found, frozenset(labels))
    if unknown:
        raise ReportError(
            f"{name}: label(s) {', '.join(sorted(unknown))} are not the model's labels "
            f"({', '.join(data.labels)}); fix the spelling or retrain the model with them."
        )
    if mixed:
        raise ReportError(
            f"{name}: {FALLBACK_LABEL!r} is combined with other labels at lines {', '.join(map(str, mixed[:8]))}; "
            f"{FALLBACK_LABEL!r} means none of the categories and stands alone."
        )
    if unlabelled:
        raise ReportError(
            f"{name}: {len(unlabelled)} row(s) of the random sample have no labels (lines "
            f"{', '.join(map(str, unlabelled[:8]))}{', ...' if len(unlabelled) > 8 else ''}); label every one: "
            "leaving out the hard ones would bias the counts."
        )
    if not truth and chosen_by_model:
        raise ReportError(
            f"{name} has no labelled row picked at random (its {chosen_by_model} rows were chosen by the model, "
            "which would bias the counts): run 'mention-insight suggest' with --random-share above 0."
        )
    if not truth:
        raise ReportError(
            f"none of the {rows} labelled mentions in {name} is in the export (matched by id, else by "
            "text): label a random sample of this export's own mentions and keep their id column."
        )
    described = f"{name} ({len(truth)} labelled mentions of this export"
    described += f"; its {chosen_by_model} rows chosen by the model are left out)" if chosen_by_model else ")"
    return LabelledSample(described, rows, tuple(truth.values()), unmatched)


@dataclass
class ReportResult:
    summary: ImpactSummary
    written: list[Path]
    key_file: Path
    key_created: bool
    reading: str = ""  # which columns were read, for stderr
    dates: DateReading | None = None
    accounts: str = ""  # whose voice: the accounts and their own posts, for stderr


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
    skip_rows: int | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    accounts: Sequence[str] = (),
    labelled_sample: str | Path | None = None,
    force: bool = False,
    raw_csv: bool = False,
) -> ReportResult:
    """Read (and classify, if needed) ``input``, compute the summary and write the report.

    Refuses, before reading anything, to write over an input or over a file it did not
    write (``force`` allows the latter); CSV cells are spreadsheet-safe unless ``raw_csv``.
    """
    unknown = [f for f in formats if f not in (*FORMATS, *OPTIONAL_FORMATS)]
    if unknown:
        raise ReportError(
            f"unknown report format(s) {', '.join(unknown)}: expected some of {', '.join((*FORMATS, *OPTIONAL_FORMATS))}."
        )
    if "pdf" in formats:
        require_chromium()  # before anything is read or written
    if str(output) == "-":
        raise ReportError("the report needs a file name (e.g. -o report.html), not '-': it writes several files.")
    since_d, until_d = check_options(period, by, since, until)  # before any file is read or written
    inputs = [input, key_file, places_file, labelled_sample]
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
    data = load_mentions(
        input,
        model=clf,
        input_format=input_format,
        encoding=encoding,
        text_column=text_column,
        skip_rows=skip_rows,
        dayfirst=dayfirst,
        date_format=date_format,
        accounts=accounts,
    )
    sample = read_sample(labelled_sample, data) if labelled_sample is not None else None
    summary = compute_summary(
        data,
        period=period,
        by=by,
        since=since_d,
        until=until_d,
        tz=tz,
        pseudonymiser=Pseudonymiser(key),
        places=places,
        sample=sample,
    )
    written = write_report(summary, output, formats, raw_csv=raw_csv)
    whose = ""
    if data.accounts is not None:
        whose = data.accounts.message(summary.account_posts, summary.mentions)
    return ReportResult(summary, written, key_path, created, data.reading, data.dates, whose)
