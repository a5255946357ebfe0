"""Counting: which mentions count, per label, per period and per group, with corrected estimates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import periods
from .engagement import ReplyTimes
from .estimate import Estimate
from .periods import UNDATED
from .sample import Domain

#: The group that holds every mention.
ALL = "all"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


#: The most periods a report spans. Dates beyond the densest run of this many periods (a
#: mistyped year, a placeholder 1970-01-01) are left out and reported, so a report's size
#: stays bounded whatever the dates: a year of days, seven years of weeks, 30 of months.
MAX_PERIODS = 370


def _period_index(day: date, period: str) -> int:
    if period == "month":
        return day.year * 12 + day.month - 1
    ordinal = periods.period_start(day, period).toordinal()
    return ordinal // 7 if period == "week" else ordinal


def densest_window(counts: Mapping[int, int], width: int) -> tuple[int, int]:
    """The ``[lo, lo + width)`` run of period indices holding the most mentions (``counts``:
    index -> mentions; the earliest such run on ties)."""
    xs = sorted(counts)
    best, best_lo, j, inside = -1, xs[0], 0, 0
    for lo in xs:
        while j < len(xs) and xs[j] < lo + width:
            inside += counts[xs[j]]
            j += 1
        if inside > best:
            best, best_lo = inside, lo
        inside -= counts[lo]
    return best_lo, best_lo + width


@dataclass
class Window:
    """Which counted days the report shows: all of them, unless some lie far from the rest
    (then the densest run of :data:`MAX_PERIODS` periods), and the periods they span."""

    lo: int | None  # period indices [lo, hi) shown; None: every day
    hi: int | None
    period: str
    periods: list[str]
    mentions: int  # counted mentions shown (undated ones included)
    undated: int
    far_dated: int = 0
    far_example: str = ""

    def shows(self, day: int | None) -> bool:
        if day is None or self.lo is None:
            return True
        return self.lo <= _period_index(date.fromordinal(day), self.period) < (self.hi or 0)

    def period_of(self, day: int | None) -> str:
        if day is None:
            return UNDATED
        return periods.period_name(periods.period_start(date.fromordinal(day), self.period), self.period)


def window(cells: dict, period: str) -> Window:
    """The :class:`Window` of a partial's ``cells`` ((group, day ordinal) -> [mentions, ...])."""
    per_day: Counter = Counter()
    undated = 0
    for (_, day), cell in cells.items():
        if day is None:
            undated += cell[0]
        else:
            per_day[day] += cell[0]
    lo = hi = None
    far, far_example = 0, ""
    if per_day:
        index: Counter = Counter()
        for day, n in per_day.items():
            index[_period_index(date.fromordinal(day), period)] += n
        if max(index) - min(index) >= MAX_PERIODS:
            lo, hi = densest_window(index, MAX_PERIODS)
            far_days = sorted(d for d in per_day if not lo <= _period_index(date.fromordinal(d), period) < hi)
            far = sum(per_day[d] for d in far_days)
            far_example = ", ".join(date.fromordinal(d).isoformat() for d in far_days[:3])
            far_example += " …" if len(far_days) > 3 else ""
            per_day = Counter({d: n for d, n in per_day.items() if d not in set(far_days)})
    names = (
        periods.period_names(date.fromordinal(min(per_day)), date.fromordinal(max(per_day)), period) if per_day else []
    )
    if undated:
        names.append(UNDATED)
    return Window(lo, hi, period, names, sum(per_day.values()) + undated, undated, far, far_example)


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


def domains(cells: dict, labels: Sequence[str], win: Window) -> dict[tuple[str, str], Domain]:
    """(group, period) -> :class:`~.sample.Domain`, from a partial's cells, over the shown days."""
    n = len(labels)
    out: dict[tuple[str, str], Domain] = {}
    for (group, day), cell in cells.items():
        if not win.shows(day):
            continue
        key = (group, win.period_of(day))
        d = out.get(key)
        if d is None:
            d = out[key] = Domain(0, dict.fromkeys(labels, 0), dict.fromkeys(labels, 0.0), group, key[1])
        d.size += cell[0]
        for i, lab in enumerate(labels):
            d.observed[lab] += cell[1 + i]
            d.score_sums[lab] += cell[1 + n + i]
    return out


def sum_domains(parts: Sequence[Domain], labels: Sequence[str], group: str | None, period: str | None) -> Domain:
    return Domain(
        sum(d.size for d in parts),
        {lab: sum(d.observed[lab] for d in parts) for lab in labels},
        {lab: sum(d.score_sums[lab] for d in parts) for lab in labels},
        group,
        period,
    )


def group_summary(
    name: str,
    parts: dict[str, Domain],
    labels: Sequence[str],
    period_list: list[str],
    counter,
    group: str | None,
) -> GroupSummary:
    """Counts (a mention counts once for each of its labels), estimates and changes of one
    group, from its per-period :class:`~.sample.Domain` s (``group`` None: every group).

    ``counter`` (:class:`.sample.PredictionPowered` or :class:`.sample.Uncorrected`) makes
    every estimate and every estimated change between consecutive periods."""
    members = {
        p: parts.get(p) or Domain(0, dict.fromkeys(labels, 0), dict.fromkeys(labels, 0.0), group, p)
        for p in period_list
    }
    for p, d in parts.items():
        members.setdefault(p, d)
    whole = sum_domains(list(members.values()), labels, group, None)
    est = {lab: counter.count(lab, whole) for lab in labels}
    pest = {p: {lab: counter.count(lab, d) for lab in labels} for p, d in members.items()}
    changes: dict[str, dict[str, dict]] = {}
    dated = [p for p in members if p != UNDATED]
    for prev, cur in zip(dated, dated[1:]):
        changes[cur] = {}
        for lab in labels:
            a, b = members[prev].observed[lab], members[cur].observed[lab]
            changes[cur][lab] = {"delta": b - a, "pct": round(100 * (b - a) / a, 1) if a else None}
            estimated = counter.change(lab, members[prev], members[cur])
            if estimated is not None:
                changes[cur][lab]["estimated"] = estimated
    return GroupSummary(
        name,
        whole.size,
        dict(whole.observed),
        {p: dict(d.observed) for p, d in members.items()},
        {p: d.size for p, d in members.items()},
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


def activity(hours_per_day: dict[int, list[int]], win: Window, top: int = 5) -> Activity:
    """From a partial's mentions per local day and hour, over the shown days."""
    weekdays: Counter = Counter()
    hours: Counter = Counter()
    days: Counter = Counter()
    for day, per_hour in hours_per_day.items():
        if not win.shows(day):
            continue
        d = date.fromordinal(day)
        total = sum(per_hour)
        weekdays[WEEKDAYS[d.weekday()]] += total
        days[d.isoformat()] += total
        for h, n in enumerate(per_hour):
            hours[h] += n
    return Activity(
        {d: weekdays[d] for d in WEEKDAYS},
        {h: hours[h] for h in range(24)},
        sorted(((d, n) for d, n in days.items() if n), key=lambda kv: (-kv[1], kv[0]))[:top],
    )
