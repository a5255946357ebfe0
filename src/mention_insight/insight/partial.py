"""One streaming pass over classified mentions into a mergeable :class:`Partial` summary.

``report`` never holds the export's rows: each :class:`~.mentions.Mention` goes through
:meth:`Partial.add` once and is dropped. What stays is bounded by the export's *shape*,
not its length, except where a finding needs one small record per person or per mention
with an id (noted below):

* counts, predicted-score sums and sizes per (group, local day): every count, estimate
  and change of the report is a sum of these cells, so periods, ``--since/--until`` and
  the far-dated window are applied to whole days;
* mentions per local day and hour (the activity chart);
* outcome counts per (day, label, outcome);
* per author: mentions, labels, groups, first and last date (repeat contacts; one small
  record per distinct author);
* per mention with an id, 25 bytes in arrays (reply times: replies are matched to the
  mention they answer by ``in_reply_to``);
* per label, the ``THEME_SAMPLE`` mentions with the smallest hash of their row key (a
  bottom-k sample: uniform, deterministic, and the same whichever way the rows are split)
  for themes, and the ``EXAMPLE_POOL`` highest-scored ones for the examples;
* the rows that may match the hand-labelled sample (by id or text), kept whole.

Two partials of disjoint rows :meth:`~Partial.merge` into the partial of their union, so
files, chunks or Dask partitions are summarised separately and combined
(:mod:`mention_insight.engines.dask`). Partials are plain data and pickle.

Mentions outside ``--since/--until`` are dropped as they arrive; mentions whose dates lie
far from the rest are found only at the end (:func:`.counts.window`) and then left out of
every count, estimate, reply time, theme and example; repeat contacts, which keep no
dates per mention, still count them (such dates are rare typing errors).
"""

from __future__ import annotations

import hashlib
import heapq
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from . import periods
from .mentions import Mention
from .pseudonym import handle_key
from .sample import score

#: Mentions per label read for the themes (a bottom-k hash sample; exact below this).
THEME_SAMPLE = 2_000
#: Highest-scored mentions per label kept as candidates for the examples.
EXAMPLE_POOL = 200


def text_key(text: str) -> str:
    """How a labelled sample's text is matched to an export's: case and spacing ignored."""
    return " ".join(text.split()).lower()


def stable_hash(value: str) -> int:
    """A 63-bit hash that is the same in every process (Python's ``hash`` is salted)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()) >> 1


@dataclass(frozen=True)
class SampleKeys:
    """The ids and text keys of a hand-labelled sample: rows matching them are kept whole."""

    ids: frozenset[str] = frozenset()
    texts: Counter = field(default_factory=Counter)  # text key -> labelled rows with it


@dataclass
class Candidate:
    """A row that may be one of the labelled sample's mentions."""

    order: tuple[int, int]  # (chunk, line): the export's row order across merged partials
    mention: Mention
    day: int | None  # local day ordinal
    kept: bool  # counted by the report (public, classified, within --since/--until)


@dataclass
class AuthorTally:
    mentions: int = 0
    labels: Counter = field(default_factory=Counter)
    groups: set = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, m: Mention, group: str) -> None:
        self.mentions += 1
        self.labels.update(m.labels)
        self.groups.add(group)
        if m.created_at is not None:
            if self.first is None or m.created_at < self.first:
                self.first = m.created_at
            if self.last is None or m.created_at > self.last:
                self.last = m.created_at

    def merge(self, other: AuthorTally) -> None:
        self.mentions += other.mentions
        self.labels.update(other.labels)
        self.groups |= other.groups
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last


@dataclass
class Partial:
    """The mergeable summary of some of an export's rows (see the module docstring)."""

    labels: list[str]
    by: str = "account"
    tz: tzinfo | None = None
    since: date | None = None
    until: date | None = None
    request_label: str | None = None
    sample_keys: SampleKeys | None = None
    chunk: int = 0  # which part of the export these rows are (orders rows across merges)

    rows: int = 0
    account_posts: int = 0
    unclassified: int = 0
    outside_range: int = 0
    has_outcomes: bool = False
    #: (group, day) -> [mentions, count per label..., score sum per label...]; group "" when by == "none"
    cells: dict = field(default_factory=dict)
    #: day -> mentions per local hour (24)
    hours: dict = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)  # (day, label, outcome) -> n
    authors: dict = field(default_factory=dict)  # handle key -> AuthorTally
    request_authors: dict = field(default_factory=dict)
    names: set = field(default_factory=set)  # authors' display names (redacted from texts)
    accounts: set = field(default_factory=set)
    areas: set = field(default_factory=set)
    # reply times: the public mentions with an id, and the accounts' replies
    ids: array = field(default_factory=lambda: array("q"))
    times: array = field(default_factory=lambda: array("d"))
    days: array = field(default_factory=lambda: array("i"))
    groups: array = field(default_factory=lambda: array("i"))
    label_bits: array = field(default_factory=lambda: array("i"))
    group_names: list = field(default_factory=list)
    replies: list = field(default_factory=list)  # (target id hash, time)
    has_replies: bool = False
    themes: dict = field(default_factory=dict)  # label -> heap of (-hash, -order, text, day)
    examples: dict = field(default_factory=dict)  # label -> heap of (score, -order, Candidate)
    candidates: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._group_index = {g: i for i, g in enumerate(self.group_names)}
        self._bit = {lab: 1 << i for i, lab in enumerate(self.labels)}

    # -- reading rows -------------------------------------------------------------------
    def group_of(self, m: Mention) -> str:
        if self.by == "none":
            return ""
        return (m.account if self.by == "account" else m.area) or "(none)"

    def add(self, m: Mention) -> None:
        """Take one row of the export into the summary."""
        self.rows += 1
        if m.account:
            self.accounts.add(m.account)
        if m.is_account_post:
            self.account_posts += 1
            if m.in_reply_to:
                self.has_replies = True
                if m.created_at is not None:
                    self.replies.append((stable_hash(m.in_reply_to), m.created_at.timestamp()))
            self._candidate(m, None, False)
            return
        if m.author_name:
            self.names.add(m.author_name)
        if not m.usable:
            self.unclassified += 1
            self._candidate(m, None, False)
            return
        local = periods.local(m.created_at, self.tz) if m.created_at is not None else None
        day = local.date() if local is not None else None
        if day is not None and ((self.since and day < self.since) or (self.until and day > self.until)):
            self.outside_range += 1
            self._candidate(m, day.toordinal(), False)
            return
        ordinal = day.toordinal() if day is not None else None
        group = self.group_of(m)
        self._count(m, group, ordinal)
        if local is not None:
            hours = self.hours.get(ordinal)
            if hours is None:
                hours = self.hours[ordinal] = [0] * 24
            hours[local.hour] += 1
        if m.area:
            self.areas.add(m.area)
        if m.outcome:
            self.has_outcomes = True
            for lab in m.labels:
                self.outcomes[(ordinal, lab, m.outcome)] += 1
        if m.author:
            key = handle_key(m.author)
            tally_group = group or "all"
            tally = self.authors.get(key)
            if tally is None:
                tally = self.authors[key] = AuthorTally()
            tally.add(m, tally_group)
            if self.request_label and self.request_label in m.labels:
                tally = self.request_authors.get(key)
                if tally is None:
                    tally = self.request_authors[key] = AuthorTally()
                tally.add(m, tally_group)
        if m.id:
            self._reply_target(m, group, ordinal)
        self._sample_texts(m, ordinal)
        self._candidate(m, ordinal, True)

    def _count(self, m: Mention, group: str, day: int | None) -> None:
        cell = self.cells.get((group, day))
        if cell is None:
            n = len(self.labels)
            cell = self.cells[(group, day)] = [0] * (1 + n) + [0.0] * n
        cell[0] += 1
        n = len(self.labels)
        for i, lab in enumerate(self.labels):
            if lab in m.labels:
                cell[1 + i] += 1
            cell[1 + n + i] += score(m, lab)

    def _reply_target(self, m: Mention, group: str, day: int | None) -> None:
        assert m.id is not None
        gi = self._group_index.get(group)
        if gi is None:
            gi = self._group_index[group] = len(self.group_names)
            self.group_names.append(group)
        self.ids.append(stable_hash(m.id))
        self.times.append(m.created_at.timestamp() if m.created_at is not None else float("nan"))
        self.days.append(day if day is not None else -1)
        self.groups.append(gi)
        self.label_bits.append(sum(self._bit.get(lab, 0) for lab in m.labels))

    def _sample_texts(self, m: Mention, day: int | None) -> None:
        h = -stable_hash(f"{m.id or ''}\x00{m.text}")  # not the line: the same in every split of the export
        order = (self.chunk, m.line)
        for lab in m.labels:
            heap = self.themes.setdefault(lab, [])
            if len(heap) < THEME_SAMPLE:
                heapq.heappush(heap, (h, (-order[0], -order[1]), m.text, day))
            elif h > heap[0][0]:
                heapq.heapreplace(heap, (h, (-order[0], -order[1]), m.text, day))
            s = m.scores.get(lab, 0.0)
            pool = self.examples.setdefault(lab, [])
            item = (s, (-order[0], -order[1]), Candidate(order, m, day, True))
            if len(pool) < EXAMPLE_POOL:
                heapq.heappush(pool, item)
            elif item[:2] > pool[0][:2]:
                heapq.heapreplace(pool, item)

    def _candidate(self, m: Mention, day: int | None, kept: bool) -> None:
        keys = self.sample_keys
        if keys is None:
            return
        if (m.id and m.id in keys.ids) or (keys.texts and text_key(m.text) in keys.texts):
            self.candidates.append(Candidate((self.chunk, m.line), m, day, kept))

    # -- combining ----------------------------------------------------------------------
    def merge(self, other: Partial) -> Partial:
        """Fold ``other`` (a summary of other rows of the same export, read with the same
        options) into this one; returns self."""
        if (other.labels, other.by, other.since, other.until) != (self.labels, self.by, self.since, self.until):
            raise ValueError("partials read with different labels or options cannot be merged")
        for name in ("rows", "account_posts", "unclassified", "outside_range"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.has_outcomes |= other.has_outcomes
        self.has_replies |= other.has_replies
        for key, cell in other.cells.items():
            mine = self.cells.get(key)
            self.cells[key] = list(cell) if mine is None else [a + b for a, b in zip(mine, cell)]
        for day, hours in other.hours.items():
            mine = self.hours.get(day)
            self.hours[day] = list(hours) if mine is None else [a + b for a, b in zip(mine, hours)]
        self.outcomes.update(other.outcomes)
        for mine_authors, theirs in ((self.authors, other.authors), (self.request_authors, other.request_authors)):
            for key, tally in theirs.items():
                if key in mine_authors:
                    mine_authors[key].merge(tally)
                else:
                    mine_authors[key] = tally
        self.names |= other.names
        self.accounts |= other.accounts
        self.areas |= other.areas
        remap = array("i", [0] * len(other.group_names))
        for i, g in enumerate(other.group_names):
            gi = self._group_index.get(g)
            if gi is None:
                gi = self._group_index[g] = len(self.group_names)
                self.group_names.append(g)
            remap[i] = gi
        self.ids.extend(other.ids)
        self.times.extend(other.times)
        self.days.extend(other.days)
        self.groups.extend(array("i", (remap[g] for g in other.groups)))
        self.label_bits.extend(other.label_bits)
        self.replies.extend(other.replies)
        for lab, heap in other.themes.items():
            merged = heapq.nlargest(THEME_SAMPLE, [*self.themes.get(lab, []), *heap], key=lambda it: it[:2])
            heapq.heapify(merged)
            self.themes[lab] = merged
        for lab, pool in other.examples.items():
            merged = heapq.nlargest(EXAMPLE_POOL, [*self.examples.get(lab, []), *pool], key=lambda it: it[:2])
            heapq.heapify(merged)
            self.examples[lab] = merged
        self.candidates.extend(other.candidates)
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_group_index", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()
