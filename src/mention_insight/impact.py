"""One call from an export to a written report: :func:`make_report` (what ``mention-insight report`` runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError
from .insight import GROUPINGS, ImpactSummary, compute_summary, load_mentions
from .periods import check_period, parse_bound
from .pseudonym import Pseudonymiser, load_or_create_key, read_key
from .report import FORMATS, write_report
from .themes import read_places


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


def measured_error_rates(labelled, model):
    """Error rates of ``model`` on a labelled file (text + labels), and a description of them."""
    from .api import resolve_model
    from .estimate import error_rates_from_metrics
    from .evaluate import compute_metrics
    from .train import read_labelled

    clf = resolve_model(model)
    sample = read_labelled(labelled)
    preds = clf.predict(sample.texts)
    metrics = compute_metrics(sample.labels, [p.labels for p in preds], clf.precedence_, clf.fallback_label)
    return error_rates_from_metrics(metrics), f"{Path(labelled).name} ({len(sample)} labelled mentions)"


def make_report(
    input,
    output,
    *,
    period: str = "week",
    by: str = "account",
    since: str | None = None,
    until: str | None = None,
    model=None,
    key_file: str | Path | None = None,
    places_file: str | Path | None = None,
    timezone: str | None = None,
    formats=FORMATS,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    n_boot: int = 2000,
    error_rates_file: str | Path | None = None,
) -> ReportResult:
    """Read (and classify, if needed) ``input``, compute the summary and write the report."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"unknown report format(s) {', '.join(unknown)}: expected some of {', '.join(FORMATS)}.")
    if str(output) == "-":
        raise ReportError("the report needs a file name (e.g. -o report.html), not '-': it writes several files.")
    check_period(period)
    if by not in GROUPINGS:
        raise ReportError(f"unknown grouping {by!r}: expected one of {', '.join(GROUPINGS)}. Use --by account.")
    since_d, until_d = parse_bound(since, "since"), parse_bound(until, "until")
    del since_d, until_d  # checked here, before any file is written; parsed again by compute_summary
    tz = _timezone(timezone)
    places = read_places(places_file)
    if key_file is not None:
        key_path, created = Path(key_file), False
        key = read_key(key_path)
    else:
        key_path = Path(f"{output}.key")
        created = not key_path.exists()
        key = load_or_create_key(key_path)
    data = load_mentions(input, model=model, input_format=input_format, encoding=encoding, text_column=text_column)
    rates, rates_source = None, None
    if error_rates_file is not None:
        rates, rates_source = measured_error_rates(error_rates_file, model)
    summary = compute_summary(
        data, period=period, by=by, since=since, until=until, tz=tz, pseudonymiser=Pseudonymiser(key),
        places=places, n_boot=n_boot, error_rates=rates, error_rates_source=rates_source,
    )
    written = write_report(summary, output, formats)
    return ReportResult(summary, written, key_path, created)
