"""Label sets, the codebook's precedence and the primary label.

A mention carries a *set* of labels and one *primary* label: the first label of the
set in the precedence order. ``other`` is the fallback label: it applies when no other
label does and never combines with another.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence

import numpy as np

from .errors import LabelError

#: The codebook's labels in triage order: what needs action comes first.
DEFAULT_PRECEDENCE: tuple[str, ...] = (
    "visit_request",
    "complaint",
    "shared_info",
    "thanks",
    "other",
)
#: The label given when no other label passes its threshold.
FALLBACK_LABEL = "other"

_LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_SPLIT_RE = re.compile(r"[;|,]")


def parse_labels(value: object) -> list[str]:
    """Parse a labels cell: ``"a;b"``, ``"a|b"``, ``"a, b"``, a JSON list ``'["a", "b"]'`` or a list.

    The one label parser: training files, evaluation files and classified exports read
    back by the report all go through it. Labels are stripped and lower-cased; duplicates
    are dropped, order is kept.
    """
    if value is None:
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    if isinstance(value, str):
        parts = _SPLIT_RE.split(value)
    elif isinstance(value, Iterable):
        parts = [str(v) for v in value]
    else:
        parts = [str(value)]
    out: list[str] = []
    for part in parts:
        label = part.strip().lower()
        if label and label not in out:
            out.append(label)
    return out


def check_label_name(label: str) -> None:
    """Raise :class:`LabelError` unless ``label`` is a usable label name."""
    if not _LABEL_RE.match(label):
        raise LabelError(
            f"label {label!r} is not a valid label name: use lower-case letters, digits, "
            "'_' or '-' (for example 'lost_property')."
        )


def resolve_precedence(
    labels: Iterable[str],
    precedence: Sequence[str] | None = None,
    fallback: str = FALLBACK_LABEL,
) -> tuple[str, ...]:
    """Order ``labels`` (plus the fallback) by ``precedence``.

    Labels the precedence does not name (new categories) come after the named ones, in
    alphabetical order, and before the fallback, which is always last.
    """
    base = tuple(precedence) if precedence is not None else DEFAULT_PRECEDENCE
    wanted = set(labels) | {fallback}
    ordered = [label for label in base if label in wanted and label != fallback]
    ordered += sorted(wanted - set(ordered) - {fallback})
    ordered.append(fallback)
    return tuple(ordered)


def primary_label(labels: Iterable[str], precedence: Sequence[str], fallback: str = FALLBACK_LABEL) -> str:
    """The first of ``labels`` in ``precedence``; the fallback when ``labels`` is empty."""
    present = set(labels)
    for label in precedence:
        if label in present:
            return label
    return fallback


def order_labels(labels: Iterable[str], precedence: Sequence[str]) -> tuple[str, ...]:
    """``labels`` sorted by ``precedence`` (unknown labels last, alphabetically)."""
    rank = {label: i for i, label in enumerate(precedence)}
    return tuple(sorted(set(labels), key=lambda x: (rank.get(x, len(rank)), x)))


def stratified_split(primary: Sequence[str], test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a seeded split stratified by primary label: ``(train, test)``.

    Falls back to an unstratified split when a label is too rare to stratify.
    """
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(primary))
    try:
        tr, te = train_test_split(idx, test_size=test_size, random_state=seed, stratify=list(primary))
    except ValueError:  # a class too small to stratify
        tr, te = train_test_split(idx, test_size=test_size, random_state=seed)
    return np.sort(tr), np.sort(te)


#: The codebook's roles, read by the report's label-specific sections (repeat requests,
#: complaint themes, the thanks trend). A model without one of these labels simply has
#: no such section; a new category needs no entry here.
REQUEST_LABEL = "visit_request"
COMPLAINT_LABEL = "complaint"
THANKS_LABEL = "thanks"
