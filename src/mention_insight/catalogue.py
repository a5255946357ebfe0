"""A models folder at a glance: every model directory with its id, lineage and held-out figures.

What ``mention-insight models [FOLDER]`` prints, so a user choosing between the bundled
model and their own retrained ones sees which is which and how each did on held-out data.
Each model's files are checked against their recorded hashes; a changed or unreadable one
is listed with the reason instead of being skipped. Where ``mention-insight promote`` put
models in use (:mod:`mention_insight.versions`), the listing says which model is in use at
each promoted directory and lists the versions it replaced, kept in ``<name>.history/``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from . import persistence
from .errors import MentionInsightError
from .versions import HISTORY_SUFFIX, history_dir, is_history_dir, read_log


@dataclass(frozen=True)
class ModelEntry:
    path: Path
    model_id: str
    backend: str
    created_at: str
    labels: tuple[str, ...]
    n_train: int | None
    held_out_n: int | None
    macro_f1: float | None
    primary_macro_f1: float | None
    lineage: str
    problem: str | None = None  # why it cannot be loaded as it is
    status: str | None = None  # in use at a promoted directory, or a version it replaced

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _lineage(training: dict) -> str:
    if training.get("base_model"):
        return f"adapted from {training['base_model']}"
    if training.get("taken_from"):
        return f"taken from {training['taken_from']}"
    sources = training.get("sources") or []
    return f"trained on {len(sources)} source(s)" if sources else "trained"


def describe(path: Path) -> ModelEntry:
    try:
        config = persistence.read_config(path)
    except MentionInsightError as exc:
        return ModelEntry(path, "?", "?", "", (), None, None, None, None, "", str(exc))
    problem = None
    try:
        persistence.verify_files(path, config)
    except MentionInsightError as exc:
        problem = str(exc)
    held = (config.get("metrics") or {}).get("held_out") or {}
    training = config.get("training") or {}
    return ModelEntry(
        path,
        config.get("model_id", "?"),
        config.get("backend", "?"),
        config.get("created_at", ""),
        tuple(config.get("labels", ())),
        training.get("n_train"),
        held.get("n"),
        held.get("macro_f1"),
        (held.get("primary") or {}).get("macro_f1"),
        _lineage(training),
        problem,
    )


def _in_use(entry: ModelEntry) -> ModelEntry:
    """``entry`` with its status, when it was put in use by ``promote``."""
    log = read_log(entry.path)
    if log and log[-1].model_id == entry.model_id:
        last = log[-1]
        forced = ", forced past the gate" if last.forced else ""
        return replace(entry, status=f"in use: promoted {last.promoted_at}{forced}")
    return entry


def _kept(folder: Path) -> list[ModelEntry]:
    """The versions kept in a ``<name>.history`` folder, each with when it was replaced."""
    target = folder.with_name(folder.name[: -len(HISTORY_SUFFIX)])
    replaced_at = {p.kept_at: p.promoted_at for p in read_log(target) if p.kept_at}
    out = []
    for p in sorted(folder.iterdir()):
        if (p / persistence.CONFIG_FILE).is_file():
            when = f" on {replaced_at[p.name]}" if p.name in replaced_at else ""
            out.append(replace(describe(p), status=f"replaced at {target.name}{when}"))
    return out


def list_models(folder: str | Path) -> list[ModelEntry]:
    """Every model directory directly under ``folder`` (or ``folder`` itself if it is one), and
    the earlier versions kept beside a promoted one."""
    root = Path(folder)
    if not root.is_dir():
        raise MentionInsightError(f"no folder {root}: pass the folder that holds your model directories.")
    if (root / persistence.CONFIG_FILE).is_file():
        kept = _kept(history_dir(root)) if is_history_dir(history_dir(root)) else []
        return [_in_use(describe(root)), *kept]
    out = []
    for p in sorted(root.iterdir()):
        if (p / persistence.CONFIG_FILE).is_file():
            out.append(_in_use(describe(p)))
        elif is_history_dir(p):
            out.extend(_kept(p))
    return out


def format_table(entries: list[ModelEntry]) -> str:
    if not entries:
        return "no model directories here (a model directory holds a config.json)"
    wid = max(len("model id"), *(len(e.model_id) for e in entries)) + 2
    head = f"{'model id':<{wid}}{'backend':<13}{'created':<22}{'held-out':>9}{'macro-F1':>10}{'primary':>9}  lineage"
    lines = [head]
    for e in entries:
        f1 = f"{e.macro_f1:.3f}" if e.macro_f1 is not None else "–"
        primary = f"{e.primary_macro_f1:.3f}" if e.primary_macro_f1 is not None else "–"
        n = str(e.held_out_n) if e.held_out_n is not None else "–"
        lines.append(f"{e.model_id:<{wid}}{e.backend:<13}{e.created_at:<22}{n:>9}{f1:>10}{primary:>9}  {e.lineage}")
        status = f"  ({e.status})" if e.status else ""
        lines.append(f"    {e.path}{status}" + (f"  ! {e.problem}" if e.problem else ""))
    return "\n".join(lines)
