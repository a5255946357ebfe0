"""Impact insight: from labelled mentions to an :class:`ImpactSummary`.

:func:`load_mentions` reads an export (classifying it first when it has no ``label``
column) and :func:`compute_summary` aggregates it: counts and shares of every label
per period and per account or area (multi-label: a mention counts once for each of
its labels), the change against the previous period, corrected counts with 95%
intervals (see :mod:`mention_insight.estimate`), the busiest days and hours, repeat
contacts (pseudonymised), reply times, outcomes, places and themes, and redacted
examples. Rendering is :mod:`mention_insight.report`'s job.

The accounts' own posts (author == account) are not mentions: they are left out of
every count and used only to measure reply times. Mentions without a readable date go
to an ``undated`` bucket and are counted in every total, never dropped.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from . import engagement, periods
from .errors import ReportError
from .estimate import ErrorRates, Estimate, error_rates_from_config, estimate_count
from .mentions import open_mentions
from .periods import UNDATED
from .redact import Redactor
from .themes import Themes, extract_themes, read_places

GROUPINGS = ("account", "area", "none")
#: The group that holds every mention.
ALL = "all"
NAME_COLUMNS = ("author_name", "name", "display_name", "user_display_name", "author_display_name")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Mention:
    """One row of an export with its labels."""

    line: int
    text: str
    label: str | None
    labels: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    author: str | None = None
    author_name: str | None = None
    created_at: datetime | None = None
    account: str | None = None
    area: str | None = None
    in_reply_to: str | None = None
    outcome: str | None = None
    error: str | None = None

    @property
    def is_account_post(self) -> bool:
        """Posted by the account itself (a reply), not by the public."""
        return bool(self.author and self.account and self.author.lstrip("@").lower() == self.account.lstrip("@").lower())


@dataclass
class MentionSet:
    """The mentions of one export and what classified them."""

    mentions: list[Mention]
    labels: list[str]
    model_config: dict
    source: str
    classified_here: bool


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _parse_labels(value) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    text = str(value).strip()
    if text.startswith("["):
        try:
            return tuple(str(v) for v in json.loads(text))
        except json.JSONDecodeError:
            pass
    return tuple(p.strip() for p in re.split(r"[;|]", text) if p.strip())


def load_mentions(
    source,
    *,
    model=None,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict | None = None,
) -> MentionSet:
    """Read an export; classify it with ``model`` (default: bundled) unless already labelled."""
    from .api import resolve_model

    clf = resolve_model(model)
    src = open_mentions(source, format=input_format, encoding=encoding, text_column=text_column, columns=columns)
    mp = src.mapping
    name_col = next((c for c in src.columns if c.lower() in NAME_COLUMNS and c != mp.author), None)
    labelled = "label" in src.columns and "labels" in src.columns
    if labelled:
        pairs = ((rec, None) for rec in src)
    else:
        from .batch import classify_records

        pairs = classify_records(src, clf)
    out: list[Mention] = []
    for rec, added in pairs:
        d = rec.data
        if added is None:
            labels = _parse_labels(d.get("labels"))
            label = _text(d.get("label"))
            scores = {}
            for lab in clf.all_labels:
                try:
                    scores[lab] = float(d.get(f"score_{lab}"))
                except (TypeError, ValueError):
                    pass
            error = _text(d.get("error")) or rec.error or (None if label else "no label")
        else:
            labels = tuple(added["labels"] or ())
            label = added["label"]
            scores = {lab: added[f"score_{lab}"] for lab in clf.all_labels if added.get(f"score_{lab}") is not None}
            error = added["error"]

        def col(role):
            name = getattr(mp, role)
            return _text(d.get(name)) if name else None

        out.append(
            Mention(
                line=rec.line, text=src.text_of(rec) or "", label=label, labels=labels, scores=scores, id=col("id"),
                author=col("author"), author_name=_text(d.get(name_col)) if name_col else None,
                created_at=periods.parse_datetime(d.get(mp.created_at)) if mp.created_at else None,
                account=col("account"), area=col("area"), in_reply_to=col("in_reply_to"), outcome=col("outcome"),
                error=error,
            )
        )
    return MentionSet(out, list(clf.all_labels), getattr(clf, "config_", {}) or {}, src.name, not labelled)


# -- the summary ---------------------------------------------------------------
@dataclass
class GroupSummary:
    """Counts for one group (every mention, or one account/area) per period."""

    name: str
    mentions: int
    counts: dict[str, int]  # label -> mentions carrying it
    per_period: dict[str, dict[str, int]]  # period -> label -> n
    period_totals: dict[str, int]  # period -> mentions
    estimates: dict[str, Estimate]  # label -> corrected total
    period_estimates: dict[str, dict[str, Estimate]]  # period -> label -> corrected
    changes: dict[str, dict[str, dict]]  # period -> label -> {delta, pct}
    replies: engagement.ReplyTimes | None = None

    def share(self, label: str) -> float:
        return self.counts.get(label, 0) / self.mentions if self.mentions else 0.0


@dataclass
class ImpactSummary:
    """Everything the report shows, computed once; rendered by :mod:`report`."""

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
    notes: list[str]
    has_dates: bool = True
    has_replies: bool = False


def _group_key(m: Mention, by: str) -> str | None:
    if by == "none":
        return None
    return (m.account if by == "account" else m.area) or "(none)"


def _period_of(m: Mention, period: str, tz: tzinfo | None) -> str:
    if m.created_at is None:
        return UNDATED
    return periods.period_name(periods.period_start(periods.local(m.created_at, tz).date(), period), period)


def _group(
    name: str, items: Sequence[Mention], labels: Sequence[str], period_list: list[str], rates: dict[str, ErrorRates],
    period_of, n_boot: int, seed: int,
) -> GroupSummary:
    per: dict[str, Counter] = {p: Counter() for p in period_list}
    totals: Counter = Counter()
    for m in items:
        p = period_of(m)
        per.setdefault(p, Counter()).update(m.labels)
        totals[p] += 1
    counts = Counter(lab for m in items for lab in m.labels)
    est = {lab: estimate_count(counts[lab], len(items), rates.get(lab), n_boot=n_boot, seed=seed) for lab in labels}
    pest = {
        p: {lab: estimate_count(per[p][lab], totals[p], rates.get(lab), n_boot=n_boot, seed=seed) for lab in labels}
        for p in per
    }
    changes: dict[str, dict[str, dict]] = {}
    dated = [p for p in per if p != UNDATED]
    for prev, cur in zip(dated, dated[1:]):
        changes[cur] = {}
        for lab in labels:
            a, b = per[prev][lab], per[cur][lab]
            changes[cur][lab] = {"delta": b - a, "pct": round(100 * (b - a) / a, 1) if a else None}
    return GroupSummary(
        name, len(items), {lab: counts[lab] for lab in labels},
        {p: {lab: per[p][lab] for lab in labels} for p in per}, {p: totals[p] for p in per}, est, pest, changes,
    )


def _diverse_examples(items: Sequence[Mention], label: str, redactor: Redactor, k: int) -> list[dict]:
    """The ``k`` most confident mentions of ``label``, skipping near-duplicates and repeat authors."""
    ranked = sorted((m for m in items if label in m.labels), key=lambda m: -m.scores.get(label, 0.0))
    chosen: list[tuple[Mention, set]] = []
    authors: set = set()
    for m in ranked:
        words = set(re.findall(r"[a-z']{3,}", m.text.lower()))
        if m.author and m.author.lower() in authors:
            continue
        if any(len(words & w) / max(1, len(words | w)) > 0.35 for _, w in chosen):
            continue
        chosen.append((m, words))
        if m.author:
            authors.add(m.author.lower())
        if len(chosen) == k:
            break
    return [
        {
            "text": redactor(m.text),
            "score": round(m.scores.get(label, 0.0), 3),
            "labels": list(m.labels),
            "account": m.account,
            "date": m.created_at.date().isoformat() if m.created_at else None,
        }
        for m, _ in chosen
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
    n_boot: int = 2000,
    seed: int = 0,
    examples_per_label: int = 3,
    repeat_min: int = 3,
    error_rates: dict[str, ErrorRates] | None = None,
    error_rates_source: str | None = None,
) -> ImpactSummary:
    """Aggregate ``data`` into an :class:`ImpactSummary`.

    ``error_rates`` (label -> :class:`ErrorRates`) replace the model's held-out error counts
    for the correction, e.g. rates measured on a labelled sample of mentions like these.
    """
    periods.check_period(period)
    if by not in GROUPINGS:
        raise ReportError(f"unknown grouping {by!r}: expected one of {', '.join(GROUPINGS)}. Use --by account.")
    since_d = periods.parse_bound(since, "since") if isinstance(since, str) or since is None else since
    until_d = periods.parse_bound(until, "until") if isinstance(until, str) or until is None else until
    if since_d and until_d and since_d > until_d:
        raise ReportError(f"--since {since_d} is after --until {until_d}; swap them.")
    if pseudonymiser is None:
        from .pseudonym import Pseudonymiser
        import secrets

        pseudonymiser = Pseudonymiser(secrets.token_bytes(32))
    places = read_places() if places is None else list(places)
    labels = data.labels
    notes: list[str] = []

    accounts = {m.account for m in data.mentions if m.account}
    account_posts = [m for m in data.mentions if m.is_account_post]
    public = [m for m in data.mentions if not m.is_account_post]
    unclassified = [m for m in public if m.error or not m.label]
    usable = [m for m in public if not (m.error or not m.label)]

    def in_range(m: Mention) -> bool:
        if m.created_at is None:
            return True
        d = periods.local(m.created_at, tz).date()
        return (since_d is None or d >= since_d) and (until_d is None or d <= until_d)

    kept = [m for m in usable if in_range(m)]
    outside = len(usable) - len(kept)
    undated = [m for m in kept if m.created_at is None]
    dated_days = [periods.local(m.created_at, tz).date() for m in kept if m.created_at is not None]
    period_list = periods.period_names(min(dated_days), max(dated_days), period) if dated_days else []
    if undated:
        period_list.append(UNDATED)
        notes.append(
            f"{len(undated)} mention(s) have a missing or unreadable date: they are counted in the totals and "
            f"in the '{UNDATED}' bucket, not in any period."
        )
    if unclassified:
        notes.append(f"{len(unclassified)} row(s) could not be classified (e.g. empty text) and are not counted.")
    if outside:
        notes.append(f"{outside} mention(s) fall outside --since/--until and are left out.")
    if account_posts:
        notes.append(f"{len(account_posts)} post(s) by the accounts themselves are not counted as mentions; they give the reply times.")

    rates = error_rates if error_rates is not None else error_rates_from_config(data.model_config)
    notes.append(
        "Estimated counts use error rates from "
        + (error_rates_source or "the model's held-out test set (real tweets to service accounts, labelled by the codebook)")
        + "."
    )
    if not rates:
        notes.append("The model carries no held-out error counts: estimated counts equal predicted counts.")

    def period_of(m):
        return _period_of(m, period, tz)

    overall = _group(ALL, kept, labels, period_list, rates, period_of, n_boot, seed)
    clipped = [
        lab for lab, e in overall.estimates.items()
        if e.corrected and overall.mentions and (e.estimate <= 0 or e.estimate >= overall.mentions)
    ]
    if clipped:
        notes.append(
            "The correction hit its bounds (0 or every mention) for " + ", ".join(clipped) + ": the model's held-out "
            "error rates do not seem to describe this export, so treat the estimates for these labels with caution "
            "and check a sample by hand (or retrain on labelled mentions like these)."
        )
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for m in kept:
        key = _group_key(m, by)
        if key is not None:
            grouped[key].append(m)
    groups = [_group(g, grouped[g], labels, period_list, rates, period_of, n_boot, seed) for g in sorted(grouped)]

    has_replies = any(m.in_reply_to for m in account_posts)
    if has_replies:
        overall.replies = engagement.reply_times(kept, account_posts, period_of)
        for g in groups:
            g.replies = engagement.reply_times(grouped[g.name], account_posts, period_of)

    weekdays = Counter()
    hours = Counter()
    days = Counter()
    for m in kept:
        if m.created_at is not None:
            t = periods.local(m.created_at, tz)
            weekdays[WEEKDAYS[t.weekday()]] += 1
            hours[t.hour] += 1
            days[t.date().isoformat()] += 1

    known_names = {m.author_name for m in data.mentions if m.author_name and not m.is_account_post}
    redactor = Redactor(known_names, keep_handles=accounts)
    area_words = {w for v in {m.area for m in kept if m.area} | accounts for w in re.split(r"[\W_]+", v or "") if w}
    themes = {}
    for lab in labels:
        texts = [redactor(m.text) for m in kept if lab in m.labels]
        themes[lab] = extract_themes(texts, places, stop=area_words)
    complaint = "complaint" if "complaint" in labels else None
    you_said = themes[complaint].themes if complaint else []

    def group_of(m):
        return _group_key(m, by) or ALL

    has_outcome = any(m.outcome for m in kept)
    model_id = data.model_config.get("model_id", "unknown")
    return ImpactSummary(
        source=data.source, model_id=model_id, labels=labels, period=period, by=by,
        since=since_d.isoformat() if since_d else None, until=until_d.isoformat() if until_d else None,
        timezone=str(tz) if tz is not None else "UTC",
        rows=len(data.mentions), mentions=len(kept), account_posts=len(account_posts), unclassified=len(unclassified),
        undated=len(undated), outside_range=outside, periods=period_list, overall=overall, groups=groups,
        weekdays={d: weekdays[d] for d in WEEKDAYS}, hours={h: hours[h] for h in range(24)},
        busiest_days=sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
        repeat_contacts=engagement.repeat_contacts(kept, pseudonymiser, min_mentions=repeat_min, group_of=group_of),
        repeat_visit_requests=engagement.repeat_contacts(
            kept, pseudonymiser, label="visit_request", min_mentions=2, group_of=group_of
        ) if "visit_request" in labels else [],
        outcomes=engagement.outcomes(kept, labels) if has_outcome else None,
        themes=themes, you_said=you_said,
        examples={lab: _diverse_examples(kept, lab, redactor, examples_per_label) for lab in labels},
        error_rates={
            lab: {"tpr": round(r.tpr, 3), "fpr": round(r.fpr, 3), "tp": r.tp, "fp": r.fp, "fn": r.fn, "n": r.n}
            for lab, r in rates.items()
        },
        notes=notes, has_dates=bool(dated_days), has_replies=has_replies,
    )
