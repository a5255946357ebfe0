"""Engagement evidence: repeat contacts, the accounts' reply times, and outcomes.

Every function takes the public mentions (and, for reply times, the accounts' own
replies) as :class:`~mention_insight.insight.Mention` objects and returns plain data;
authors appear only as pseudonyms.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .pseudonym import handle_key

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


def repeat_contacts(
    mentions: Sequence,
    pseudonym: Callable[[str], str],
    *,
    label: str | None = None,
    min_mentions: int = 2,
    group_of=None,
) -> list[RepeatContact]:
    """Authors with ``min_mentions`` or more mentions (carrying ``label``, when given)."""
    by_author: dict[str, list] = defaultdict(list)
    for m in mentions:
        if m.author and (label is None or label in m.labels):
            by_author[handle_key(m.author)].append(m)
    out = []
    for author, items in by_author.items():
        if len(items) < min_mentions:
            continue
        labels = Counter(lab for m in items for lab in m.labels)
        dates = sorted(m.created_at for m in items if m.created_at is not None)
        groups = sorted({group_of(m) if group_of else (m.account or "") for m in items} - {""})
        out.append(
            RepeatContact(
                pseudonym(author),
                len(items),
                dict(labels.most_common()),
                groups,
                dates[0].date().isoformat() if dates else None,
                dates[-1].date().isoformat() if dates else None,
            )
        )
    return sorted(out, key=lambda r: (-r.mentions, r.pseudonym))


def reply_times(mentions: Sequence, replies: Sequence, period_of: Callable) -> ReplyTimes:
    """Reply times for ``mentions`` from the accounts' ``replies`` (matched by ``in_reply_to``)."""
    by_id = {m.id: m for m in mentions if m.id}
    first_reply: dict[str, float] = {}
    for r in replies:
        target = by_id.get(r.in_reply_to) if r.in_reply_to else None
        if target is None or target.created_at is None or r.created_at is None:
            continue
        minutes = (r.created_at - target.created_at).total_seconds() / 60
        if minutes < 0:
            continue
        if target.id not in first_reply or minutes < first_reply[target.id]:
            first_reply[target.id] = minutes
    result = ReplyTimes(mentions=len(mentions), replied=len(first_reply))
    if first_reply:
        result.median_minutes = round(statistics.median(first_reply.values()), 1)
    per_period: dict[str, list[float]] = defaultdict(list)
    labels: Counter = Counter()
    for mid, minutes in first_reply.items():
        m = by_id[mid]
        per_period[period_of(m)].append(minutes)
        labels.update(m.labels)
    result.per_period_median_minutes = {p: round(statistics.median(v), 1) for p, v in sorted(per_period.items())}
    result.replied_by_label = dict(labels)
    return result


def outcomes(mentions: Sequence, labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per label, how many of its mentions ended in each outcome (empty outcome skipped)."""
    table: dict[str, Counter] = {label: Counter() for label in labels}
    for m in mentions:
        if not m.outcome:
            continue
        for label in m.labels:
            table.setdefault(label, Counter())[m.outcome] += 1
    return {label: dict(c.most_common()) for label, c in table.items()}


def actioned(outcome_counts: dict[str, int]) -> int:
    return sum(n for o, n in outcome_counts.items() if o.lower() not in NO_ACTION)
