"""Engagement evidence: repeat contacts, the accounts' reply times, and outcomes.

Every function reads what a :class:`~.partial.Partial` kept of the mentions (per-author
tallies, the replied mentions, outcome counts) and returns plain data; authors appear only
as pseudonyms.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Outcome values that mean nothing was done (compared lower-cased).
NO_ACTION = frozenset({"no_action", "no action", "none", "nfa", "no"})


@dataclass(frozen=True)
class RepeatContact:
    """One author with several mentions, shown only under a pseudonym."""

    pseudonym: str
    mentions: int
    labels: dict[str, int]
    groups: list[str]
    first: str | None
    last: str | None


@dataclass
class ReplyTimes:
    """How fast an account answered the public mentions it replied to."""

    mentions: int = 0
    replied: int = 0
    median_minutes: float | None = None
    per_period_median_minutes: dict[str, float] = field(default_factory=dict)
    replied_by_label: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.replied / self.mentions if self.mentions else 0.0


def repeat_contacts(tallies: dict, pseudonym: Callable[[str], str], *, min_mentions: int = 2) -> list[RepeatContact]:
    """Authors with ``min_mentions`` or more mentions, from a partial's per-author tallies
    (handle key -> :class:`~.partial.AuthorTally`)."""
    out = []
    for author, t in tallies.items():
        if t.mentions < min_mentions:
            continue
        out.append(
            RepeatContact(
                pseudonym(author),
                t.mentions,
                dict(t.labels.most_common()),
                sorted(t.groups - {""}),
                t.first.date().isoformat() if t.first is not None else None,
                t.last.date().isoformat() if t.last is not None else None,
            )
        )
    return sorted(out, key=lambda r: (-r.mentions, r.pseudonym))


@dataclass
class Replied:
    """The public mentions the accounts replied to: per mention, its group index, day,
    labels (bits) and minutes to the first reply."""

    groups: np.ndarray
    days: np.ndarray
    label_bits: np.ndarray
    minutes: np.ndarray


def first_replies(ids, times, groups, days, label_bits, replies: Sequence[tuple[int, float]]) -> Replied:
    """Match the accounts' ``replies`` ((target id hash, time)) to the mentions (parallel
    arrays; the last mention wins when ids repeat) and keep each mention's first reply."""
    keys = np.asarray(ids, dtype=np.int64)
    if not len(keys) or not replies:
        empty = np.zeros(0, dtype=np.int64)
        return Replied(empty, empty, empty, np.zeros(0))
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    last = np.r_[sorted_keys[1:] != sorted_keys[:-1], True]  # the last of each run of equal ids
    uniq, rows = sorted_keys[last], order[last]
    target = np.fromiter((r[0] for r in replies), dtype=np.int64, count=len(replies))
    when = np.fromiter((r[1] for r in replies), dtype=float, count=len(replies))
    pos = np.clip(np.searchsorted(uniq, target), 0, len(uniq) - 1)
    hit = uniq[pos] == target
    row = rows[pos[hit]]
    minutes = (when[hit] - np.asarray(times, dtype=float)[row]) / 60
    ok = minutes >= 0  # NaN (an undated mention) and replies before the mention are dropped
    row, minutes = row[ok], minutes[ok]
    best: dict[int, float] = {}
    for r, m in zip(row.tolist(), minutes.tolist()):
        if r not in best or m < best[r]:
            best[r] = m
    idx = np.fromiter(best, dtype=np.int64, count=len(best))
    return Replied(
        np.asarray(groups, dtype=np.int64)[idx],
        np.asarray(days, dtype=np.int64)[idx],
        np.asarray(label_bits, dtype=np.int64)[idx],
        np.fromiter(best.values(), dtype=float, count=len(best)),
    )


def reply_times(
    replied: Replied, mentions: int, labels: Sequence[str], period_of: Callable, keep: np.ndarray
) -> ReplyTimes:
    """Reply times of one group of ``mentions`` mentions: the replied mentions under ``keep``."""
    minutes = replied.minutes[keep]
    result = ReplyTimes(mentions=mentions, replied=int(keep.sum()))
    if len(minutes):
        result.median_minutes = round(statistics.median(minutes.tolist()), 1)
    per_period: dict[str, list[float]] = defaultdict(list)
    for day, m in zip(replied.days[keep].tolist(), minutes.tolist()):
        per_period[period_of(day)].append(m)
    result.per_period_median_minutes = {p: round(statistics.median(v), 1) for p, v in sorted(per_period.items())}
    bits = replied.label_bits[keep]
    result.replied_by_label = {lab: n for i, lab in enumerate(labels) if (n := int(((bits >> i) & 1).sum()))}
    return result


def outcomes(counts: dict, labels: Sequence[str], shows: Callable) -> dict[str, dict[str, int]]:
    """Per label, how many of its mentions ended in each outcome, from a partial's
    (day, label, outcome) counts over the shown days."""
    table: dict[str, Counter] = {label: Counter() for label in labels}
    for (day, label, outcome), n in counts.items():
        if shows(day):
            table.setdefault(label, Counter())[outcome] += n
    return {label: dict(c.most_common()) for label, c in table.items()}


def actioned(outcome_counts: dict[str, int]) -> int:
    return sum(n for o, n in outcome_counts.items() if o.lower() not in NO_ACTION)
