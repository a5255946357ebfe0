"""Classified mentions, the input of the insight pipeline: one :class:`Mention` per export row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .periods import DateReading
from .pseudonym import handle_key


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
        return bool(self.author and self.account and handle_key(self.author) == handle_key(self.account))

    @property
    def usable(self) -> bool:
        """Classified without error."""
        return not self.error and bool(self.label)


@dataclass
class MentionSet:
    """The mentions of one export, their labels, and the model that classified them (its id and
    config: the config's held-out error counts are the default error rates of the correction)."""

    mentions: list[Mention]
    labels: list[str]
    model_config: dict
    source: str
    classified_here: bool
    model_id: str = "unsaved"
    #: How the export was read (columns, layout, header line), for stderr.
    reading: str = ""
    #: How its dates were read (day-first or not, the unreadable ones).
    dates: DateReading | None = None
    #: Whose voice: the accounts the export is about, and how they were found.
    accounts: Any = None
