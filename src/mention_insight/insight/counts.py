"""Counting: which mentions count, per label, per period and per group, with corrected estimates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from . import periods
from .engagement import ReplyTimes
from .estimate import Estimate
from .mentions import Mention
from .periods import UNDATED

#: The group that holds every mention.
ALL = "all"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Selection:
    """The rows of an export sorted into what counts and what does not (and why)."""

    kept: list[Mention]
    account_posts: list[Mention]
    unclassified: list[Mention]
    outside_range: int
    undated: int
    periods: list[str]
    #: Mentions left out because their dates lie far from the rest (see :data:`MAX_PERIODS`).
    far_dated: int = 0
    far_example: str = ""


#: The most periods a report spans. Dates beyond the densest run of this many periods (a
#: mistyped year, a placeholder 1970-01-01) are left out and reported, so a report's size
#: stays bounded whatever the dates: a year of days, seven years of weeks, 30 of months.
MAX_PERIODS = 370


def _period_index(day: date, period: str) -> int:
    if period == "month":
        return day.year * 12 + day.month - 1
    ordinal = periods.period_start(day, period).toordinal()
    return ordinal // 7 if period == "week" else ordinal


def densest_window(indices: Sequence[int], width: int) -> tuple[int, int]:
    """The ``[lo, lo + width)`` run of period indices holding the most of ``indices``
    (the earliest such run on ties)."""
    xs = sorted(indices)
    best, best_lo, j = 0, xs[0], 0
    for i, lo in enumerate(xs):
        if i and lo == xs[i - 1]:
            continue
        j = max(j, i)
        while j < len(xs) and xs[j] < lo + width:
            j += 1
        if j - i > best:
            best, best_lo = j - i, lo
    return best_lo, best_lo + width


def select(
    mentions: Sequence[Mention], period: str, since: date | None, until: date | None, tz: tzinfo | None
) -> Selection:
    """Public, classified mentions within ``since``..``until`` (undated ones kept), and the
    list of periods they span (gaps included, ``undated`` last when any)."""
    account_posts = [m for m in mentions if m.is_account_post]
    public = [m for m in mentions if not m.is_account_post]
    unclassified = [m for m in public if not m.usable]
    usable = [m for m in public if m.usable]

    def in_range(m: Mention) -> bool:
        if m.created_at is None:
            return True
        d = periods.local(m.created_at, tz).date()
        return (since is None or d >= since) and (until is None or d <= until)

    kept = [m for m in usable if in_range(m)]
    outside = len(usable) - len(kept)
    undated = sum(1 for m in kept if m.created_at is None)
    day_of = {id(m): periods.local(m.created_at, tz).date() for m in kept if m.created_at is not None}
    far, far_example = 0, ""
    if day_of:
        index = {k: _period_index(d, period) for k, d in day_of.items()}
        if max(index.values()) - min(index.values()) >= MAX_PERIODS:
            lo, hi = densest_window(list(index.values()), MAX_PERIODS)
            far_days = sorted({day_of[k] for k, i in index.items() if not lo <= i < hi})
            far_example = ", ".join(d.isoformat() for d in far_days[:3]) + (" …" if len(far_days) > 3 else "")
            kept = [m for m in kept if m.created_at is None or lo <= index[id(m)] < hi]
            far = sum(1 for i in index.values() if not lo <= i < hi)
            day_of = {id(m): day_of[id(m)] for m in kept if m.created_at is not None}
    days = list(day_of.values())
    names = periods.period_names(min(days), max(days), period) if days else []
    if undated:
        names.append(UNDATED)
    return Selection(kept, account_posts, unclassified, outside, undated, names, far, far_example)


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
    replies: ReplyTimes | None = None

    def share(self, label: str) -> float:
        return self.counts.get(label, 0) / self.mentions if self.mentions else 0.0


def group_summary(
    name: str,
    items: Sequence[Mention],
    labels: Sequence[str],
    period_list: list[str],
    counter,
    period_of: Callable[[Mention], str],
) -> GroupSummary:
    """Counts (a mention counts once for each of its labels), estimates and changes of one group.

    ``counter`` (:class:`.sample.PredictionPowered` or :class:`.sample.Uncorrected`) makes
    every estimate and every estimated change between consecutive periods."""
    members: dict[str, list[Mention]] = {p: [] for p in period_list}
    for m in items:
        members.setdefault(period_of(m), []).append(m)
    per = {p: Counter(lab for m in ms for lab in m.labels) for p, ms in members.items()}
    counts = Counter(lab for m in items for lab in m.labels)
    est = {lab: counter.count(lab, items) for lab in labels}
    pest = {p: {lab: counter.count(lab, ms) for lab in labels} for p, ms in members.items()}
    changes: dict[str, dict[str, dict]] = {}
    dated = [p for p in members if p != UNDATED]
    for prev, cur in zip(dated, dated[1:]):
        changes[cur] = {}
        for lab in labels:
            a, b = per[prev][lab], per[cur][lab]
            changes[cur][lab] = {"delta": b - a, "pct": round(100 * (b - a) / a, 1) if a else None}
            estimated = counter.change(lab, members[prev], members[cur])
            if estimated is not None:
                changes[cur][lab]["estimated"] = estimated
    return GroupSummary(
        name,
        len(items),
        {lab: counts[lab] for lab in labels},
        {p: {lab: per[p][lab] for lab in labels} for p in members},
        {p: len(ms) for p, ms in members.items()},
        est,
        pest,
        changes,
    )


@dataclass
class Activity:
    """When people get in touch: mentions per weekday and hour, and the busiest days."""

    weekdays: dict[str, int]
    hours: dict[int, int]
    busiest_days: list[tuple[str, int]]


def activity(mentions: Sequence[Mention], tz: tzinfo | None, top: int = 5) -> Activity:
    weekdays: Counter = Counter()
    hours: Counter = Counter()
    days: Counter = Counter()
    for m in mentions:
        if m.created_at is not None:
            t = periods.local(m.created_at, tz)
            weekdays[WEEKDAYS[t.weekday()]] += 1
            hours[t.hour] += 1
            days[t.date().isoformat()] += 1
    return Activity(
        {d: weekdays[d] for d in WEEKDAYS},
        {h: hours[h] for h in range(24)},
        sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
    )
