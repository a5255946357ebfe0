"""Whose voice: which account(s) an export is about, and which rows are the accounts' own posts.

An export from a social-media tool often has no "account" column (X API v2 search results,
a Brandwatch or Meltwater query). The accounts are then worked out from the data: the
handles that a good share of the mentions address (``@NPT_Didsbury ...``), or given with
``--account``. A row written by one of them is the account's own post (a reply, an
announcement): it is not a public mention, and it gives the reply times. Each public
mention is attributed to the account it addresses, so ``--by account`` works.

The X archive (``tweets.js``) holds only the account's own posts: every row is one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .mentions import Mention
from .pseudonym import handle_key

_HANDLE = re.compile(r"(?<![\w@])@(\w{1,15})\b")
#: A handle is taken for the account when at least this share of the mentions address it.
MIN_SHARE = 0.15
MIN_MENTIONS = 3
MAX_ACCOUNTS = 10


@dataclass(frozen=True)
class Accounts:
    """The accounts found (or given) and how, for stderr and the report."""

    handles: tuple[str, ...]
    how: str  # "column", "option", "data", "archive" or "none"
    addressed: dict[str, int]  # handle -> mentions addressing it

    def message(self, own_posts: int, public: int) -> str:
        if self.how == "column":
            return f"{public} public mention(s) and {own_posts} post(s) by the accounts (from the account column)"
        if self.how == "archive":
            return (
                f"an X archive holds the account's own posts: {own_posts} post(s), no public mentions; "
                "export the mentions of the account to classify what the public says"
            )
        if not self.handles:
            return (
                f"{public} mention(s); no account worked out (no handle is addressed by {MIN_SHARE:.0%} of them, "
                f"and at least {MIN_MENTIONS}): "
                "pass --account @handle so the account's own posts are not counted as public mentions"
            )
        names = ", ".join(
            f"@{h}" + (f" ({self.addressed.get(handle_key(h), 0)} mentions address it)" if self.how == "data" else "")
            for h in self.handles
        )
        source = "worked out from the data" if self.how == "data" else "as given"
        return f"account(s) {source}: {names}; {public} public mention(s), {own_posts} post(s) by the account(s)"


def addressed_handles(text: str) -> list[str]:
    return [m.group(1) for m in _HANDLE.finditer(text or "")]


def find_accounts(mentions: Sequence[Mention], given: Sequence[str] = ()) -> Accounts:
    """The accounts: ``given`` (``--account``), else the handles enough mentions address."""
    if given:
        return Accounts(tuple(h.lstrip("@").strip() for h in given if h.strip("@ ")), "option", {})
    counts: Counter = Counter()
    spelling: dict[str, str] = {}
    for m in mentions:
        for h in {handle_key(h): h for h in addressed_handles(m.text)}.items():
            counts[h[0]] += 1
            spelling.setdefault(h[0], h[1])
    floor = max(MIN_MENTIONS, MIN_SHARE * len(mentions))
    handles = tuple(spelling[k] for k, n in counts.most_common(MAX_ACCOUNTS) if n >= floor)
    return Accounts(handles, "data" if handles else "none", dict(counts))


def attribute(mentions: Sequence[Mention], accounts: Accounts) -> list[Mention]:
    """Each mention with its account: the account it addresses (first found), or the account
    that wrote it (an own post). Mentions that already name an account keep it."""
    keys = {handle_key(h): h for h in accounts.handles}
    if not keys:
        return list(mentions)
    out = []
    for m in mentions:
        if m.account:
            out.append(m)
            continue
        author = keys.get(handle_key(m.author)) if m.author else None
        target = author or next((keys[handle_key(h)] for h in addressed_handles(m.text) if handle_key(h) in keys), None)
        out.append(replace(m, account=target) if target else m)
    return out


def archive_posts(mentions: Sequence[Mention], owner: str = "account") -> list[Mention]:
    """Rows of an X archive: every one is the owner's own post."""
    return [replace(m, author=m.author or owner, account=m.account or m.author or owner) for m in mentions]
