"""Where a model directory's earlier versions are kept, and the log of what was put in use there.

``mention-insight promote CANDIDATE --to models/ours`` replaces ``models/ours`` and moves the
model that was there to ``models/ours.history/<its model id>/``, untouched (its checksums
still hold, so ``--model models/ours.history/<id>`` loads it as before). Each promotion adds
one JSON line to ``models/ours.history/promotions.jsonl``: when, which model id, from where,
which model it replaced and where that one is kept, the quality gate's figures and whether
``--force`` overrode them.

This module knows that layout and the log only; :mod:`mention_insight.promote` decides and
swaps, :mod:`mention_insight.catalogue` lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .io.atomic import write_text

HISTORY_SUFFIX = ".history"
LOG_FILE = "promotions.jsonl"
_UNSAFE = re.compile(r"[^\w.@+-]")


def history_dir(target: str | Path) -> Path:
    """The folder beside ``target`` that keeps its earlier versions (``models/ours.history``)."""
    target = Path(target)
    return target.with_name(target.name + HISTORY_SUFFIX)


def is_history_dir(path: Path) -> bool:
    return path.name.endswith(HISTORY_SUFFIX) and len(path.name) > len(HISTORY_SUFFIX) and path.is_dir()


def keep_path(target: str | Path, model_id: str) -> Path:
    """A free place in ``target``'s history for the model ``model_id`` (``ours@1a2b3c4d5e6f``,
    ``ours@1a2b3c4d5e6f-2`` when that id was kept before)."""
    folder = history_dir(target)
    name = _UNSAFE.sub("_", model_id).strip(".") or "model"
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{name}-{n}"
    return path


@dataclass(frozen=True)
class Promotion:
    """One line of the log: ``model_id`` was put in use at the target at ``promoted_at``."""

    promoted_at: str
    model_id: str
    source: str  # the candidate directory it was copied from
    replaced: str | None  # the model id that was in use before (None: there was none)
    kept_at: str | None  # where that model is now, relative to the history folder
    gate: dict | None  # the quality gate's figures (GateResult.as_dict) or None when unchecked
    checked_on: str  # what the gate measured on: "cross-validation at training", held-out labels, or "unchecked"
    forced: bool

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def read_log(target: str | Path) -> list[Promotion]:
    """The promotions at ``target``, oldest first (none if it was never promoted to).

    A line that cannot be read (edited by hand) is skipped rather than blocking a listing."""
    log = history_dir(target) / LOG_FILE
    if not log.is_file():
        return []
    out = []
    fields = Promotion.__dataclass_fields__
    for line in log.read_text("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            out.append(Promotion(**{k: record.get(k) for k in fields}))
        except (json.JSONDecodeError, TypeError, AttributeError):
            continue
    return out


def append_log(target: str | Path, promotion: Promotion) -> Path:
    """Add ``promotion`` to ``target``'s log (the whole file rewritten atomically)."""
    log = history_dir(target) / LOG_FILE
    old = log.read_text("utf-8") if log.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    write_text(log, old + json.dumps(promotion.as_dict(), ensure_ascii=False) + "\n")
    return log
