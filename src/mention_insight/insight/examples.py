"""Representative examples: the most confident mentions of a label, diverse and redacted."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .mentions import Mention

_WORDS = re.compile(r"[a-z']{3,}")


def diverse_examples(
    items: Sequence[Mention], label: str, redact: Callable[[str], str], k: int, max_overlap: float = 0.35
) -> list[dict]:
    """The ``k`` most confident of ``items`` (mentions of ``label``, most confident first),
    skipping near-duplicates (word overlap above ``max_overlap``) and repeat authors; texts redacted."""
    ranked = [m for m in items if label in m.labels]  # best first
    chosen: list[tuple[Mention, set]] = []
    authors: set = set()
    for m in ranked:
        words = set(_WORDS.findall(m.text.lower()))
        if m.author and m.author.lower() in authors:
            continue
        if any(len(words & w) / max(1, len(words | w)) > max_overlap for _, w in chosen):
            continue
        chosen.append((m, words))
        if m.author:
            authors.add(m.author.lower())
        if len(chosen) == k:
            break
    return [
        {
            "text": redact(m.text),
            "score": round(m.scores.get(label, 0.0), 3),
            "labels": list(m.labels),
            "account": m.account,
            "date": m.created_at.date().isoformat() if m.created_at else None,
        }
        for m, _ in chosen
    ]
