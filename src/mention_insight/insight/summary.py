"""The insight pipeline's orchestrator: :func:`compute_summary`, from classified mentions to an :class:`ImpactSummary`.

It aggregates a :class:`~.mentions.MentionSet` (counts and shares of every label per
period and per account or area, the change against the previous period, corrected
counts with 95% intervals (prediction-powered, from a labelled random sample of the
export, when one is given), the busiest days and hours, repeat contacts under
pseudonyms, reply times, outcomes, places and themes, and redacted examples) by
calling one module per finding. It returns data only: every English sentence is
written by :mod:`mention_insight.report`.

The accounts' own posts (author == account) are not mentions: they are left out of
every count and used only to measure reply times. Mentions without a readable date go
to an ``undated`` bucket and are counted in every total, never dropped.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo

from ..errors import ReportError
from ..labels import COMPLAINT_LABEL, REQUEST_LABEL
from . import engagement, periods
from .counts import ALL, GroupSummary, activity, group_summary, select
from .estimate import error_rates_from_config
from .examples import diverse_examples
from .mentions import Mention, MentionSet
from .pseudonym import Pseudonymiser
from .redact import Redactor
from .sample import LabelledSample, PredictionPowered, Uncorrected, labels_needed
from .themes import Themes, extract_themes, read_places

GROUPINGS = ("account", "area", "none")


@dataclass(frozen=True)
class Note:
    """Something the reader must know about the figures (rendered by :mod:`mention_insight.report.prose`).

    ``kind`` is one of ``undated``, ``unclassified``, ``outside_range``, ``account_posts``,
    ``sample``, ``sample_unmatched``, ``no_sample``, ``far_dated``; ``count`` and ``detail`` fill it in.
    """

    kind: str
    count: int = 0
    detail: str = ""


@dataclass
class ImpactSummary:
    """Everything the report shows, computed once; rendered by :mod:`mention_insight.report`."""

    source: str
    model_id: str
    labels: list[str]
    period: str
    by: str
    since: str | None
    until: str | None
    timezone: str
    rows: int
    mentions: int
    account_posts: int
    unclassified: int
    undated: int
    outside_range: int
    periods: list[str]
    overall: GroupSummary
    groups: list[GroupSummary]
    weekdays: dict[str, int]
    hours: dict[int, int]
    busiest_days: list[tuple[str, int]]
    repeat_contacts: list[engagement.RepeatContact]
    repeat_visit_requests: list[engagement.RepeatContact]
    outcomes: dict[str, dict[str, int]] | None
    themes: dict[str, Themes]
    you_said: list[tuple[str, int]]
    examples: dict[str, list[dict]]
    error_rates: dict[str, dict]
    notes: list[Note] = field(default_factory=list)
    #: Mentions left out because their dates lie far from the rest (:data:`.counts.MAX_PERIODS`).
    far_dated: int = 0
    has_dates: bool = True
    has_replies: bool = False
    #: The codebook labels this model has, for the label-specific sections.
    request_label: str | None = None
    complaint_label: str | None = None


def check_options(period: str, by: str, since, until) -> tuple[date | None, date | None]:
    """Refuse unknown options before any work; return the parsed date bounds."""
    periods.check_period(period)
    if by not in GROUPINGS:
        raise ReportError(f"unknown grouping {by!r}: expected one of {', '.join(GROUPINGS)}. Use --by account.")
    since_d = since if isinstance(since, date) else periods.parse_bound(since, "since")
    until_d = until if isinstance(until, date) else periods.parse_bound(until, "until")
    if since_d and until_d and since_d > until_d:
        raise ReportError(f"--since {since_d} is after --until {until_d}; swap them.")
    return since_d, until_d


def _group_key(m: Mention, by: str) -> str | None:
    if by == "none":
        return None
    return (m.account if by == "account" else m.area) or "(none)"


def _notes(sel, sample: LabelledSample | None, used: int, need: int | None) -> list[Note]:
    counts = (
        ("undated", sel.undated),
        ("unclassified", len(sel.unclassified)),
        ("outside_range", sel.outside_range),
        ("account_posts", len(sel.account_posts)),
    )
    notes = [Note(kind, n) for kind, n in counts if n]
    if sel.far_dated:
        notes.append(Note("far_dated", sel.far_dated, sel.far_example))
    if sample is not None:
        notes.append(Note("sample", used, sample.name))
        if sample.unmatched or used < len(sample.truth):
            notes.append(Note("sample_unmatched", sample.rows - used, sample.name))
    else:
        notes.append(Note("no_sample", need or 0))
    return notes


def _themes(data: MentionSet, kept: Sequence[Mention], places: Sequence[str], redactor: Redactor) -> dict[str, Themes]:
    accounts = {m.account for m in data.mentions if m.account}
    names = {m.area for m in kept if m.area} | accounts
    area_words = {w for v in names for w in re.split(r"[\W_]+", v or "") if w}
    return {
        lab: extract_themes([redactor(m.text) for m in kept if lab in m.labels], places, stop=area_words)
        for lab in data.labels
    }


def compute_summary(
    data: MentionSet,
    *,
    period: str = "week",
    by: str = "account",
    since: date | str | None = None,
    until: date | str | None = None,
    tz: tzinfo | None = None,
    pseudonymiser=None,
    places: Sequence[str] | None = None,
    examples_per_label: int = 3,
    repeat_min: int = 3,
    sample: LabelledSample | None = None,
) -> ImpactSummary:
    """Aggregate ``data`` into an :class:`ImpactSummary`.

    ``sample``: hand labels for a random sample of the export's mentions; every estimated
    count and change is then prediction-powered. Without it the counts are the model's
    predictions, and a note says how many mentions to label.
    """
    since_d, until_d = check_options(period, by, since, until)
    pseudonymiser = pseudonymiser or Pseudonymiser(secrets.token_bytes(32))
    labels = data.labels
    sel = select(data.mentions, period, since_d, until_d, tz)
    kept = sel.kept
    rates = error_rates_from_config(data.model_config)  # the model's held-out errors, shown as a caveat
    counter: PredictionPowered | Uncorrected = Uncorrected()
    used = 0
    if sample is not None:
        try:
            counter = PredictionPowered(sample, kept, labels)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        used = counter.n

    def period_of(m: Mention) -> str:
        if m.created_at is None:
            return periods.UNDATED
        return periods.period_name(periods.period_start(periods.local(m.created_at, tz).date(), period), period)

    def group_of(m: Mention) -> str:
        return _group_key(m, by) or ALL

    overall = group_summary(ALL, kept, labels, sel.periods, counter, period_of)
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for m in kept:
        if (key := _group_key(m, by)) is not None:
            grouped[key].append(m)
    groups = [group_summary(g, grouped[g], labels, sel.periods, counter, period_of) for g in sorted(grouped)]
    has_replies = any(m.in_reply_to for m in sel.account_posts)
    if has_replies:
        for g, members in [(overall, kept), *((g, grouped[g.name]) for g in groups)]:
            g.replies = engagement.reply_times(members, sel.account_posts, period_of)
    redactor = Redactor(
        {m.author_name for m in data.mentions if m.author_name and not m.is_account_post},
        keep_handles={m.account for m in data.mentions if m.account},
    )
    themes = _themes(data, kept, read_places() if places is None else list(places), redactor)
    request = REQUEST_LABEL if REQUEST_LABEL in labels else None
    complaint = COMPLAINT_LABEL if COMPLAINT_LABEL in labels else None
    when = activity(kept, tz)
    return ImpactSummary(
        source=data.source,
        model_id=data.model_id,
        labels=labels,
        period=period,
        by=by,
        since=since_d.isoformat() if since_d else None,
        until=until_d.isoformat() if until_d else None,
        timezone=str(tz) if tz is not None else "UTC",
        rows=len(data.mentions),
        mentions=len(kept),
        account_posts=len(sel.account_posts),
        unclassified=len(sel.unclassified),
        undated=sel.undated,
        outside_range=sel.outside_range,
        far_dated=sel.far_dated,
        periods=sel.periods,
        overall=overall,
        groups=groups,
        weekdays=when.weekdays,
        hours=when.hours,
        busiest_days=when.busiest_days,
        repeat_contacts=engagement.repeat_contacts(kept, pseudonymiser, min_mentions=repeat_min, group_of=group_of),
        repeat_visit_requests=engagement.repeat_contacts(
            kept, pseudonymiser, label=request, min_mentions=2, group_of=group_of
        )
        if request
        else [],
        outcomes=engagement.outcomes(kept, labels) if any(m.outcome for m in kept) else None,
        themes=themes,
        you_said=themes[complaint].themes if complaint else [],
        examples={lab: diverse_examples(kept, lab, redactor, examples_per_label) for lab in labels},
        error_rates={
            lab: {"tpr": round(r.tpr, 3), "fpr": round(r.fpr, 3), "tp": r.tp, "fp": r.fp, "fn": r.fn, "n": r.n}
            for lab, r in rates.items()
        },
        notes=_notes(sel, sample, used, None if sample is not None else labels_needed(rates, len(kept))),
        has_dates=bool(sel.periods and sel.periods != [periods.UNDATED]),
        has_replies=has_replies,
        request_label=request,
        complaint_label=complaint,
    )
