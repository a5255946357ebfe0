"""From an export to a written report in one call: :func:`make_report` (what ``mention-insight report`` runs).

The glue between the two pipelines: it reads the export as a stream of mentions
(classifying it first, with the model loaded once, when it is not the output of
``classify``; an export classified earlier loads no model), reads the labelled sample,
streams the mentions into one :class:`~mention_insight.insight.partial.Partial` (memory
bounded by the export's shape, not its length), matches the sample to the export's
rows, and hands the summary to the renderers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from itertools import islice
from pathlib import Path

from .api import ModelLike, default_model_path, resolve_model
from .batch import classify_records
from .errors import ModelError, ReportError
from .insight import ImpactSummary, Mention, MentionSet
from .insight.accounts import Accounts, archive_posts, attribute, find_accounts
from .insight.partial import Candidate, SampleKeys, text_key
from .insight.periods import DateReader, DateReading
from .insight.pseudonym import Pseudonymiser, load_or_create_key, read_key
from .insight.sample import LabelledSample
from .insight.summary import check_options, new_partial, summarise
from .insight.themes import read_places
from .io import MentionSource, Record, open_mentions
from .io import rows as row_schema
from .io.columns import describe_mapping
from .io.safety import check_output, unescape_cell
from .labels import FALLBACK_LABEL, parse_labels
from .model import MentionClassifier
from .persistence import read_config
from .report import FORMATS, OPTIONAL_FORMATS, report_files, write_report
from .report.pdf import require_chromium
from .train import LABEL_COLUMNS

NAME_COLUMNS = ("author_name", "name", "display_name", "user_display_name", "author_display_name")


def _results(
    source: MentionSource, clf: MentionClassifier | None, labels: Sequence[str]
) -> Iterator[tuple[Record, tuple]]:
    """(record, (label, labels, scores, error)) per row: read back, or classified here by ``clf``."""
    if clf is None:
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


#: Rows read before the export's dates and accounts are decided (day-first or month-first;
#: which handles are the accounts): the whole export when it is shorter.
HEAD_ROWS = 10_000


class MentionStream:
    """An export's rows as :class:`~mention_insight.insight.Mention` objects, one at a time.

    Reads the first :data:`HEAD_ROWS` rows at once to decide how its dates are written and
    whose voice it is (the accounts, when the export has no account column), then streams
    the rest; :attr:`dates` (filled as rows pass) and :attr:`accounts` say how."""

    def __init__(
        self,
        source: MentionSource,
        results: Iterable[tuple[Record, tuple]],
        classified: bool = False,
        *,
        dayfirst: bool | None = None,
        date_format: str | None = None,
        accounts: Sequence[str] = (),
        decided_accounts: Accounts | None = None,
    ):
        self.source = source
        mp = source.mapping
        self._name_col = next((c for c in source.columns if c.lower() in NAME_COLUMNS and c != mp.author), None)
        # our CSV output escapes cells a spreadsheet would run as formulas; other formats are written as they are
        self._unescape = unescape_cell if classified and source.format in ("csv", "tsv") else str
        self._rows = iter(results)
        head = list(islice(self._rows, HEAD_ROWS))
        date_col = mp.created_at
        self._dates = DateReader(
            [rec.data.get(date_col) for rec, _ in head] if date_col else [], dayfirst=dayfirst, date_format=date_format
        )
        self.model_id: str | None = None
        self._head = [self._mention(rec, result) for rec, result in head]
        if decided_accounts is not None:  # decided elsewhere (another part of the same export)
            self.accounts = decided_accounts
            self._fix = self._as_is if decided_accounts.how == "column" else self._attribute
        elif source.format == "tweets-js":  # the archive holds the account's own posts, not mentions of it
            self.accounts = Accounts((), "archive", {})
            self._fix = self._archive
        elif accounts or not mp.account:
            self.accounts = find_accounts(self._head, accounts)
            self._fix = self._attribute
        else:
            self.accounts = Accounts((), "column", {})
            self._fix = self._as_is

    @property
    def dates(self) -> DateReading:
        return self._dates.reading

    def _as_is(self, m: Mention) -> Mention:
        return m

    def _archive(self, m: Mention) -> Mention:
        return archive_posts([m])[0]

    def _attribute(self, m: Mention) -> Mention:
        return attribute([m], self.accounts)[0]

    def _cell(self, d: dict, column: str | None) -> str | None:
        value = d.get(column) if column else None
        text = self._unescape(str(value)).strip() if value is not None else ""
        return text or None

    def _mention(self, rec: Record, result: tuple) -> Mention:
        label, labels, scores, error = result
        d = rec.data
        mp = self.source.mapping
        if self.model_id is None:
            self.model_id = self._cell(d, "model_id")
        cell = self._cell
        return Mention(
            line=rec.line,
            text=self._unescape(self.source.text_of(rec) or ""),
            label=label,
            labels=labels,
            scores=scores,
            id=cell(d, mp.id),
            author=cell(d, mp.author),
            author_name=cell(d, self._name_col),
            created_at=self._dates(rec.line, d.get(mp.created_at)) if mp.created_at else None,
            account=cell(d, mp.account),
            area=cell(d, mp.area),
            in_reply_to=cell(d, mp.in_reply_to),
            outcome=cell(d, mp.outcome),
            error=error,
        )

    def __iter__(self) -> Iterator[Mention]:
        head, self._head = self._head, []
        for m in head:
            yield self._fix(m)
        for rec, result in self._rows:
            yield self._fix(self._mention(rec, result))


def _open(
    source,
    model: ModelLike,
    *,
    input_format: str | None,
    encoding: str,
    text_column: str | None,
    columns: dict | None = None,
    skip_rows: int | None,
    dayfirst: bool | None,
    date_format: str | None,
    accounts: Sequence[str],
) -> tuple[MentionStream, list[str], bool, MentionClassifier | None]:
    """Open an export: its mention stream, its labels, whether it is already classified
    (then no model is loaded), and the model that classifies it otherwise."""
    src = open_mentions(
        source, format=input_format, encoding=encoding, text_column=text_column, columns=columns, skip_rows=skip_rows
    )
    classified = row_schema.is_classified(src.columns)
    clf = None if classified else resolve_model(model)
    labels = row_schema.labels_of(src.columns) if classified else list(clf.all_labels)  # type: ignore[union-attr]
    if classified and not labels:
        labels = list(resolve_model(model).all_labels)
    stream = MentionStream(
        src, _results(src, clf, labels), classified, dayfirst=dayfirst, date_format=date_format, accounts=accounts
    )
    return stream, labels, classified, clf


def model_info(model: ModelLike, clf: MentionClassifier | None, file_model_id: str | None) -> tuple[str, dict]:
    """The id and config of the model that classified an export. For an export classified
    earlier, the model's config.json is read without loading the model; its held-out error
    rates are used only when it is the model named in the file."""
    if clf is not None:
        return clf.model_id, getattr(clf, "config_", {}) or {}
    if isinstance(model, MentionClassifier):
        config = getattr(model, "config_", {}) or {}
    else:
        try:
            config = read_config(model if model is not None else default_model_path())
        except (ModelError, OSError, ValueError):
            config = {}
    model_id = file_model_id or config.get("model_id", "unknown")
    return model_id, config if config.get("model_id") == model_id else {}


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
    """Read a whole export into memory as :class:`~mention_insight.insight.Mention` objects;
    classify it with ``model`` (default: bundled) unless it is already the output of
    ``classify``. (``report`` streams instead: :func:`make_report`.)"""
    stream, labels, classified, clf = _open(
        source,
        model,
        input_format=input_format,
        encoding=encoding,
        text_column=text_column,
        columns=columns,
        skip_rows=skip_rows,
        dayfirst=dayfirst,
        date_format=date_format,
        accounts=accounts,
    )
    mentions = list(stream)
    model_id, config = model_info(model, clf, stream.model_id)
    return MentionSet(
        mentions,
        labels,
        config,
        stream.source.name,
        not classified,
        model_id,
        reading=describe_mapping(stream.source.mapping),
        dates=stream.dates,
        accounts=stream.accounts,
    )


@dataclass(frozen=True)
class LabelledRows:
    """The rows of a labelled-sample file, checked, before they are matched to the export."""

    name: str
    rows: list[tuple[str | None, str, frozenset[str]]]  # (id, text key, hand labels)

    def keys(self) -> SampleKeys:
        return SampleKeys(frozenset(i for i, _, _ in self.rows if i), Counter(t for _, t, _ in self.rows))


def read_labelled(labelled, labels: Sequence[str], *, encoding: str = "utf-8") -> LabelledRows:
    """Hand labels for a random sample of an export's mentions: their labels must be the
    model's, and every row of the random sample must carry them. A file written by
    ``mention-insight suggest`` keeps only its ``random`` rows: the others were chosen by the
    model and would bias the estimates (they may stay unlabelled)."""
    name = Path(labelled).name
    src = open_mentions(labelled, encoding=encoding)
    lab_col = next((c for c in src.columns if c.strip().lower() in LABEL_COLUMNS), None)
    if lab_col is None:
        raise ReportError(
            f"{name}: expected a labels column (one of: {', '.join(LABEL_COLUMNS)}); found [{', '.join(src.columns)}]."
        )
    why_col = next((c for c in src.columns if c.strip().lower() == "why"), None)
    rows: list[tuple[str | None, str, frozenset[str]]] = []
    chosen_by_model = 0
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
        found = parse_labels(rec.data.get(lab_col))
        if not text.strip():
            continue
        if not found:
            unlabelled.append(rec.line)
            continue
        for lab in found:
            if lab not in labels:
                unknown.setdefault(lab, rec.line)
        if FALLBACK_LABEL in found and len(found) > 1:
            mixed.append(rec.line)
        rid = rec.data.get(src.mapping.id) if src.mapping.id else None
        rows.append((str(rid).strip() if rid not in (None, "") else None, text_key(text), frozenset(found)))
    if unknown:
        raise ReportError(
            f"{name}: label(s) {', '.join(sorted(unknown))} are not the model's labels "
            f"({', '.join(labels)}); fix the spelling or retrain the model with them."
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
    if not rows and chosen_by_model:
        raise ReportError(
            f"{name} has no labelled row picked at random (its {chosen_by_model} rows were chosen by the model, "
            "which would bias the counts): run 'mention-insight suggest' with --random-share above 0."
        )
    described = f"{name} ({{matched}} labelled mentions of this export"
    described += f"; its {chosen_by_model} rows chosen by the model are left out)" if chosen_by_model else ")"
    return LabelledRows(described, rows)


def match_sample(labelled: LabelledRows, candidates: Sequence[Candidate]) -> LabelledSample:
    """Match the labelled rows to the export's rows that may be them (by id when both have
    one, else by text, case and spacing ignored; each export row at most once)."""
    ordered = sorted(candidates, key=lambda c: c.order)
    by_id = {c.mention.id: c for c in ordered if c.mention.id}
    by_text: dict[str, list[Candidate]] = {}
    for c in ordered:
        by_text.setdefault(text_key(c.mention.text), []).append(c)
    truth: dict[int, tuple[Candidate, frozenset[str]]] = {}
    unmatched = 0
    for rid, key, found in labelled.rows:
        hit = by_id.get(rid) if rid else None
        if hit is None:
            hit = next((c for c in by_text.get(key, []) if id(c) not in truth), None)
        if hit is None or id(hit) in truth:
            unmatched += 1
            continue
        truth[id(hit)] = (hit, found)
    name = labelled.name.split(" (", 1)[0]
    if not truth:
        raise ReportError(
            f"none of the {len(labelled.rows)} labelled mentions in {name} is in the export (matched by id, else by "
            "text): label a random sample of this export's own mentions and keep their id column."
        )
    return LabelledSample(
        labelled.name.replace("{matched}", str(len(truth))), len(labelled.rows), tuple(truth.values()), unmatched
    )


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


@dataclass
class ReportSetup:
    """What a report needs before any row is read: options checked, outputs cleared, the key."""

    tz: tzinfo | None
    since: date | None
    until: date | None
    places: list[str]
    pseudonymiser: Pseudonymiser
    key_path: Path
    key_created: bool


def prepare_report(
    inputs: Sequence,
    output,
    period: str,
    by: str,
    since: str | None,
    until: str | None,
    timezone: str | None,
    key_file: str | Path | None,
    places_file: str | Path | None,
    formats,
    force: bool,
) -> ReportSetup:
    """Check a report's options and outputs before anything is read or written: refuses to
    write over an input or over a file it did not write (``force`` allows the latter);
    reads (or creates) the pseudonym key and the place list."""
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
    data_inputs = [i for i in inputs if i is not None]
    check_output(output, data_inputs[:1], kind="report", force=force, header=[])
    for path, header in report_files(output, formats):
        check_output(path, [*data_inputs, key_file, places_file], kind="report", force=force, header=header)
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
    return ReportSetup(tz, since_d, until_d, places, Pseudonymiser(key), key_path, created)


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
    setup = prepare_report(
        [input, labelled_sample], output, period, by, since, until, timezone, key_file, places_file, formats, force
    )
    stream, labels, classified, clf = _open(
        input,
        model,
        input_format=input_format,
        encoding=encoding,
        text_column=text_column,
        skip_rows=skip_rows,
        dayfirst=dayfirst,
        date_format=date_format,
        accounts=accounts,
    )
    labelled = read_labelled(labelled_sample, labels, encoding=encoding) if labelled_sample is not None else None
    partial = new_partial(
        labels,
        by=by,
        tz=setup.tz,
        since=setup.since,
        until=setup.until,
        sample_keys=labelled.keys() if labelled else None,
    )
    for m in stream:
        partial.add(m)
    model_id, config = model_info(model, clf, stream.model_id)
    summary = summarise(
        partial,
        period=period,
        source=stream.source.name,
        model_id=model_id,
        model_config=config,
        pseudonymiser=setup.pseudonymiser,
        places=setup.places,
        sample=match_sample(labelled, partial.candidates) if labelled is not None else None,
    )
    written = write_report(summary, output, formats, raw_csv=raw_csv)
    whose = stream.accounts.message(summary.account_posts, summary.mentions)
    reading = describe_mapping(stream.source.mapping)
    return ReportResult(summary, written, setup.key_path, setup.key_created, reading, stream.dates, whose)
