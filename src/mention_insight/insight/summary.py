"""The insight pipeline's orchestrator: :func:`summarise`, from a streamed :class:`~.partial.Partial` to an :class:`ImpactSummary`.

``report`` streams an export's rows into a :class:`~.partial.Partial` (bounded memory;
partials of several files or partitions merge) and :func:`summarise` turns it into the
findings; :func:`compute_summary` does both for mentions already in memory. The summary
holds counts and shares of every label per
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

import numpy as np

from ..errors import ReportError
from ..labels import COMPLAINT_LABEL, REQUEST_LABEL
from . import engagement, periods
from .counts import ALL, GroupSummary, Window, activity, domains, group_summary, sum_domains, window
from .engagement import first_replies, reply_times
from .estimate import error_rates_from_config
from .examples import diverse_examples
from .mentions import MentionSet
from .partial import Partial
from .pseudonym import Pseudonymiser
from .redact import Redactor
from .sample import Domain, LabelledSample, Member, PredictionPowered, Uncorrected, labels_needed, score
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


def _notes(win: Window, partial: Partial, sample: LabelledSample | None, used: int, need: int | None) -> list[Note]:
    counts = (
        ("undated", win.undated),
        ("unclassified", partial.unclassified),
        ("outside_range", partial.outside_range),
        ("account_posts", partial.account_posts),
    )
    notes = [Note(kind, n) for kind, n in counts if n]
    if win.far_dated:
        notes.append(Note("far_dated", win.far_dated, win.far_example))
    if sample is not None:
        notes.append(Note("sample", used, sample.name))
        if sample.unmatched or used < len(sample.truth):
            notes.append(Note("sample_unmatched", sample.rows - used, sample.name))
    else:
        notes.append(Note("no_sample", need or 0))
    return notes


def _themes(
    partial: Partial, win: Window, places: Sequence[str], redactor: Redactor, totals: dict
) -> dict[str, Themes]:
    names = partial.areas | partial.accounts
    area_words = {w for v in names for w in re.split(r"[\W_]+", v or "") if w}
    redacted: dict[tuple, str] = {}
    out = {}
    for lab in partial.labels:
        heap = [it for it in partial.themes.get(lab, []) if win.shows(it[3])]
        texts = []
        for h, order, text, _ in sorted(heap, key=lambda it: it[1], reverse=True):  # the export's order
            key = (h, order)
            if key not in redacted:
                redacted[key] = redactor(text)
            texts.append(redacted[key])
        out[lab] = extract_themes(texts, places, stop=area_words, of=totals.get(lab, 0))
    return out


def _examples(partial: Partial, win: Window, label: str, redactor: Redactor, k: int) -> list[dict]:
    pool = sorted(
        (it for it in partial.examples.get(label, []) if win.shows(it[2].day)), key=lambda it: it[:2], reverse=True
    )
    return diverse_examples([it[2].mention for it in pool], label, redactor, k)


def _members(partial: Partial, win: Window, sample: LabelledSample) -> list[Member]:
    """The labelled mentions among those the report counts, with their group and period."""
    return [
        Member(
            {lab: score(c.mention, lab) for lab in partial.labels},
            truth,
            partial.group_of(c.mention),
            win.period_of(c.day),
        )
        for c, truth in sample.truth
        if c.kept and win.shows(c.day)
    ]


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
) -> ImpactSummary:
    """Aggregate the mentions of ``data`` (held in memory) into an :class:`ImpactSummary`:
    the in-memory face of :func:`summarise` (``report`` streams its rows instead)."""
    since_d, until_d = check_options(period, by, since, until)
    partial = new_partial(data.labels, by=by, tz=tz, since=since_d, until=until_d)
    for m in data.mentions:
        partial.add(m)
    return summarise(
        partial,
        period=period,
        source=data.source,
        model_id=data.model_id,
        model_config=data.model_config,
        pseudonymiser=pseudonymiser,
        places=places,
        examples_per_label=examples_per_label,
        repeat_min=repeat_min,
    )


def new_partial(
    labels: Sequence[str],
    *,
    by: str = "account",
    tz: tzinfo | None = None,
    since: date | None = None,
    until: date | None = None,
    sample_keys=None,
    chunk: int = 0,
) -> Partial:
    """An empty :class:`~.partial.Partial` for an export with these labels and options."""
    return Partial(
        list(labels),
        by=by,
        tz=tz,
        since=since,
        until=until,
        request_label=REQUEST_LABEL if REQUEST_LABEL in labels else None,
        sample_keys=sample_keys,
        chunk=chunk,
    )


def summarise(
    partial: Partial,
    *,
    period: str = "week",
    source: str = "",
    model_id: str = "unsaved",
    model_config: dict | None = None,
    pseudonymiser=None,
    places: Sequence[str] | None = None,
    examples_per_label: int = 3,
    repeat_min: int = 3,
    sample: LabelledSample | None = None,
) -> ImpactSummary:
    """The :class:`ImpactSummary` of a (merged) :class:`~.partial.Partial`.

    ``sample``: hand labels for a random sample of the export's mentions; every estimated
    count and change is then prediction-powered. Without it the counts are the model's
    predictions, and a note says how many mentions to label.
    """
    periods.check_period(period)
    by = partial.by
    pseudonymiser = pseudonymiser or Pseudonymiser(secrets.token_bytes(32))
    labels = partial.labels
    win = window(partial.cells, period)
    rates = error_rates_from_config(model_config or {})  # the model's held-out errors, shown as a caveat
    counter: PredictionPowered | Uncorrected = Uncorrected()
    used = 0
    if sample is not None:
        try:
            counter = PredictionPowered(_members(partial, win, sample), win.mentions, labels, sample.name)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        used = counter.n
    parts = domains(partial.cells, labels, win)
    per_group: dict[str, dict[str, Domain]] = defaultdict(dict)
    for (g, p), d in parts.items():
        per_group[g][p] = d
    overall_parts: dict[str, Domain] = {}
    for p in {p for _, p in parts}:
        overall_parts[p] = sum_domains([d for (_, q), d in parts.items() if q == p], labels, None, p)
    overall = group_summary(ALL, overall_parts, labels, win.periods, counter, None)
    groups = (
        [group_summary(g, per_group[g], labels, win.periods, counter, g) for g in sorted(per_group)]
        if by != "none"
        else []
    )
    if partial.has_replies:
        replied = first_replies(
            partial.ids, partial.times, partial.groups, partial.days, partial.label_bits, partial.replies
        )
        shown = np.fromiter(
            (win.shows(d if d >= 0 else None) for d in replied.days.tolist()), dtype=bool, count=len(replied.days)
        )

        def period_of(day: int) -> str:
            return win.period_of(day if day >= 0 else None)

        overall.replies = reply_times(replied, overall.mentions, labels, period_of, shown)
        index = {g: i for i, g in enumerate(partial.group_names)}
        for gs in groups:
            gi = index.get(gs.name, -1)
            gs.replies = reply_times(replied, gs.mentions, labels, period_of, shown & (replied.groups == gi))
    redactor = Redactor(partial.names, keep_handles=partial.accounts)
    themes = _themes(partial, win, read_places() if places is None else list(places), redactor, overall.counts)
    request = partial.request_label
    complaint = COMPLAINT_LABEL if COMPLAINT_LABEL in labels else None
    when = activity(partial.hours, win)
    return ImpactSummary(
        source=source,
        model_id=model_id,
        labels=labels,
        period=period,
        by=by,
        since=partial.since.isoformat() if partial.since else None,
        until=partial.until.isoformat() if partial.until else None,
        timezone=str(partial.tz) if partial.tz is not None else "UTC",
        rows=partial.rows,
        mentions=win.mentions,
        account_posts=partial.account_posts,
        unclassified=partial.unclassified,
        undated=win.undated,
        outside_range=partial.outside_range,
        far_dated=win.far_dated,
        periods=win.periods,
        overall=overall,
        groups=groups,
        weekdays=when.weekdays,
        hours=when.hours,
        busiest_days=when.busiest_days,
        repeat_contacts=engagement.repeat_contacts(partial.authors, pseudonymiser, min_mentions=repeat_min),
        repeat_visit_requests=engagement.repeat_contacts(partial.request_authors, pseudonymiser, min_mentions=2)
        if request
        else [],
        outcomes=engagement.outcomes(partial.outcomes, labels, win.shows) if partial.has_outcomes else None,
        themes=themes,
        you_said=themes[complaint].themes if complaint else [],
        examples={lab: _examples(partial, win, lab, redactor, examples_per_label) for lab in labels},
        error_rates={
            lab: {"tpr": round(r.tpr, 3), "fpr": round(r.fpr, 3), "tp": r.tp, "fp": r.fp, "fn": r.fn, "n": r.n}
            for lab, r in rates.items()
        },
        notes=_notes(win, partial, sample, used, None if sample is not None else labels_needed(rates, win.mentions)),
        has_dates=bool(win.periods and win.periods != [periods.UNDATED]),
        has_replies=partial.has_replies,
        request_label=request,
        complaint_label=complaint,
    )
