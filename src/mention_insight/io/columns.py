"""Finding which input column plays which role (text, id, author, date, account, area, ...)."""

from __future__ import annotations

import re
from typing import cast

from ..errors import ColumnError
from .layouts import best_layout, norm
from .records import ColumnMap, Record

#: Column names looked for, in order of preference (compared lower-cased, spaces as _).
COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "full_text",
        "message",
        "body",
        "content",
        "tweet",
        "tweet_text",
        "post",
        "comment",
        "post_message",
        "hit_sentence",
        "snippet",
        "message_text",
        "post_text",
        "mention",
        "mention_text",
    ),
    "id": ("id", "id_str", "tweet_id", "status_id", "message_id", "post_id"),
    "author": (
        "author_username",
        "username",
        "screen_name",
        "user_screen_name",
        "author",
        "user",
        "from_user",
        "user_name",
        "from",
        "author_id",
    ),
    "created_at": ("created_at", "created", "date", "datetime", "timestamp", "time", "posted_at"),
    "account": ("account", "to_account", "mentioned_account", "recipient", "to"),
    "area": ("area", "neighbourhood", "neighborhood", "ward", "beat", "district"),
    "in_reply_to": (
        "in_reply_to_id",
        "in_reply_to_status_id",
        "in_reply_to_status_id_str",
        "in_reply_to_tweet_id",
        "reply_to",
        "replied_to_id",
    ),
    "outcome": ("outcome", "result", "action_taken"),
}


def _norm(name: str) -> str:
    return norm(name)


def map_columns(
    columns: list[str], overrides: dict[str, str | None] | None = None, rows: list[list[str]] | None = None
) -> ColumnMap:
    """Find each role's column; ``overrides`` (role -> column) win, then a recognised export
    layout (:mod:`.layouts`), then generic names. ``rows`` (a few data rows) let the error
    for a missing text column propose the most text-like column. Raises ColumnError."""
    wanted_roles: dict[str, str] = {k: v for k, v in (overrides or {}).items() if v}
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    layout, _ = best_layout(columns)
    if layout is not None:
        for role, names in layout.roles.items():
            if role not in wanted_roles:
                hit = next((by_norm[norm(h)] for h in names if norm(h) in by_norm), None)
                if hit is not None:
                    wanted_roles[role] = hit
    found: dict[str, str | None] = {}
    for role, candidates in COLUMN_CANDIDATES.items():
        if role in wanted_roles:
            wanted = wanted_roles[role]
            if wanted not in columns and _norm(wanted) not in by_norm:
                raise ColumnError(
                    f"no column {wanted!r} for the {role.replace('_', ' ')}; found columns [{', '.join(columns)}]."
                )
            found[role] = wanted if wanted in columns else by_norm[_norm(wanted)]
            continue
        found[role] = next((by_norm[c] for c in candidates if c in by_norm), None)
    if found["text"] is None:
        known = ", ".join(COLUMN_CANDIDATES["text"][:6])
        guess = guess_text_column(columns, rows) if rows else None
        if guess:
            hint = f" Its values look like text: use --text-column {_quote_arg(guess)}."
        elif columns:
            hint = " Use --text-column NAME with the column that holds the mention text."
        else:
            hint = ""
        raise ColumnError(f"expected a text column (one of: {known}); found columns [{', '.join(columns)}].{hint}")
    text = cast(str, found.pop("text"))  # not None: checked above
    return ColumnMap(
        text=text,
        id=found["id"],
        author=found["author"],
        created_at=found["created_at"],
        account=found["account"],
        area=found["area"],
        in_reply_to=found["in_reply_to"],
        outcome=found["outcome"],
        layout=layout.name if layout else None,
    )


def _quote_arg(name: str) -> str:
    return name if re.fullmatch(r"[\w.\-]+", name) else repr(name)


def guess_text_column(columns: list[str], rows: list[list[str]]) -> str | None:
    """The column whose values look most like free text (mostly several words, longest on average)."""
    best, best_len = None, 0.0
    for i, c in enumerate(columns):
        values = [str(r[i]) for r in rows if i < len(r) and r[i] is not None]
        if not values:
            continue
        spaced = [v for v in values if " " in v.strip()]
        if len(spaced) < max(1, len(values) // 2):
            continue
        mean = sum(len(v) for v in values) / len(values)
        if mean > best_len:
            best, best_len = c, mean
    return best


def unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 1
        out.append(n)
    return out


def union_keys(records: list[Record]) -> list[str]:
    cols: dict[str, None] = {}
    for r in records:
        for k in r.data:
            cols.setdefault(k, None)
    cols.pop("_raw", None)
    return list(cols) + (["_raw"] if any("_raw" in r.data for r in records) else [])


def describe_mapping(mapping: ColumnMap) -> str:
    """One line for stderr: which columns were taken for what, and how they were found."""
    roles = [("text", mapping.text), ("author", mapping.author), ("date", mapping.created_at), ("id", mapping.id)]
    parts = ", ".join(f"{role} {col!r}" for role, col in roles if col)
    line = f"columns: {parts}"
    if mapping.layout:
        line += f" (recognised as {mapping.layout})"
    if mapping.header_line and mapping.header_line > 1:
        line += f"; header row on line {mapping.header_line}, the rows above it skipped"
    return line
