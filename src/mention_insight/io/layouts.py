"""Known export layouts: which header names the tools that forces use give each column.

:func:`best_layout` scores every layout by how many of its header names an export's header
row holds; the best one with enough matches names the text, author, date and other
columns, and generic names (:data:`.columns.COLUMN_CANDIDATES`) fill the rest. The same
names find a header row that sits below a metadata block (:func:`header_score`).

``evidence`` says how sure each layout is, honestly:

* ``documented``: from the vendor's published documentation of the format;
* ``seen in public code``: header names that open-source code reading such exports uses
  (so real exports carry them), not the vendor's own documentation;
* ``best guess``: from descriptions of the tool's exports; unconfirmed. Pass
  ``--text-column`` (and the other column options) if a real export differs, and tell us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def norm(name: str) -> str:
    """Header names compared lower-cased, with spaces, dashes and dots as ``_``."""
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower()).strip("_")


@dataclass(frozen=True)
class Layout:
    name: str
    evidence: str
    source: str  # where the header names come from
    roles: dict[str, tuple[str, ...]]  # role -> header names, best first

    def headers(self) -> set[str]:
        return {norm(h) for names in self.roles.values() for h in names}


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "X API v2 (flattened to CSV, e.g. by twarc-csv)",
        "documented",
        "X API v2 Tweet object fields (docs.x.com); twarc-csv column names (twarc-csv README)",
        {
            "text": ("text",),
            "id": ("id",),
            "author": ("author.username", "author_username"),
            "created_at": ("created_at",),
            "in_reply_to": ("referenced_tweets.replied_to.id", "in_reply_to_status_id"),
        },
    ),
    Layout(
        "X/Twitter archive (tweets.js, as CSV)",
        "documented",
        "the archive's own README (data/README.txt in an X archive): tweet.full_text, created_at, id_str",
        {
            "text": ("full_text",),
            "id": ("id_str",),
            "created_at": ("created_at",),
            "in_reply_to": ("in_reply_to_status_id_str",),
        },
    ),
    Layout(
        "Hootsuite",
        "best guess",
        "descriptions of Hootsuite stream and inbox exports",
        {
            "text": ("post message", "message"),
            "author": ("author", "from"),
            "created_at": ("date (gmt)", "date"),
            "id": ("post id",),
            "account": ("social profile", "profile"),
        },
    ),
    Layout(
        "Sprout Social",
        "best guess",
        "descriptions of Sprout Social Smart Inbox and message exports",
        {
            "text": ("message",),
            "author": ("from", "sender"),
            "created_at": ("date", "timestamp (utc)"),
            "account": ("profile",),
            "id": ("message id",),
        },
    ),
    Layout(
        "Brandwatch Consumer Research",
        "seen in public code",
        "mention exports read by public code ('Full Text', 'Author', 'Date', 'Url'); a metadata block above the header",
        {
            "text": ("full text", "snippet", "title"),
            "author": ("author", "twitter author", "full name"),
            "created_at": ("date",),
            "id": ("mention id", "resource id", "url"),
            "in_reply_to": ("twitter reply to", "thread id"),
        },
    ),
    Layout(
        "Meltwater",
        "seen in public code",
        "Explore/Monitor exports read by public code ('Date', 'Title', 'Opening Text', 'Hit Sentence', 'URL', "
        "'Source Name', 'Sentiment', 'Reach')",
        {
            "text": ("hit sentence", "opening text", "title"),
            "author": ("influencer", "twitter screen name", "author"),
            "created_at": ("date",),
            "id": ("tweet id", "document id", "url"),
        },
    ),
    Layout(
        "Talkwalker",
        "best guess",
        "descriptions of Talkwalker result exports",
        {
            "text": ("content", "snippet", "title"),
            "author": ("extra_author_attributes.short_name", "author", "author name"),
            "created_at": ("published", "date"),
            "id": ("url", "article_url"),
        },
    ),
    Layout(
        "Orlo",
        "best guess",
        "descriptions of Orlo inbox exports",
        {
            "text": ("message", "content"),
            "author": ("author", "from"),
            "created_at": ("created", "created at", "date"),
            "account": ("account",),
            "outcome": ("status", "outcome"),
        },
    ),
    Layout(
        "Khoros / Sprinklr-style",
        "best guess",
        "descriptions of Khoros and Sprinklr conversation exports",
        {
            "text": ("message", "message text", "conversation text"),
            "author": ("sender screen name", "author", "sender"),
            "created_at": ("created time", "date", "created date"),
            "id": ("message id", "permalink"),
            "account": ("account", "receiving account"),
            "in_reply_to": ("parent message id", "in reply to"),
        },
    ),
)

#: Below this many matching header names a layout is not claimed (generic names decide).
MIN_MATCHES = 3


def best_layout(columns: list[str]) -> tuple[Layout | None, int]:
    """The layout sharing the most header names with ``columns`` (None under :data:`MIN_MATCHES`)."""
    have = {norm(c) for c in columns}
    best, best_n = None, 0
    for layout in LAYOUTS:
        n = len(have & layout.headers())
        text_ok = any(norm(h) in have for h in layout.roles["text"])
        if text_ok and n > best_n:
            best, best_n = layout, n
    return (best, best_n) if best_n >= MIN_MATCHES else (None, best_n)


def known_headers() -> set[str]:
    from .columns import COLUMN_CANDIDATES

    names = {norm(h) for layout in LAYOUTS for h in layout.headers()}
    return names | {norm(c) for names_ in COLUMN_CANDIDATES.values() for c in names_}


def text_headers() -> set[str]:
    from .columns import COLUMN_CANDIDATES

    return {norm(h) for layout in LAYOUTS for h in layout.roles["text"]} | {norm(c) for c in COLUMN_CANDIDATES["text"]}


def header_score(cells: list[str]) -> int:
    """How header-like a row is: known header names it holds, and 0 unless one names a text column."""
    names = {norm(c) for c in cells if str(c).strip()}
    if not names & text_headers():
        return 0
    return len(names & known_headers())
