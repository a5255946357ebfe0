"""Put a candidate model in use: only one the quality gate found better, and never losing the old one.

:func:`promote` (``mention-insight promote models/candidate --to models/ours``) replaces the
model directory ``models/ours`` (what ``classify``, ``report`` and ``serve`` load with
``--model models/ours``) with a copy of the candidate, in four steps, and changes nothing
when any of them refuses:

1. **The candidate is sound.** Every file of it (and of the base model inside an adapted
   one) matches its checksums and the model loads; a corrupt or edited candidate is refused.
2. **The target is a model directory** (or does not exist yet); a file, a folder of other
   files or the bundled default model is refused.
3. **The gate.** The candidate must be better than the model now at the target, by the
   comparison ``train --base`` recorded in its ``config.json`` (cross-validated on the
   user's labels against its base model, which must be the model at the target), or by
   :func:`mention_insight.adapt.compare` on a labelled file neither model was trained on
   (``held_out``). Not better, not checked against that model, or not checkable: refused
   with the figures, unless ``force``.
4. **The swap.** The candidate is copied to a temporary directory beside the target and
   checked again; the model in use is moved, untouched, to ``<target>.history/<its id>/``
   (:mod:`mention_insight.versions`), and the copy is renamed into place. The promotion is
   logged in ``<target>.history/promotions.jsonl``.

The promoted model keeps its model id, so every row classified with it names it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import persistence
from .adapt import GateError, GateResult, compare, file_sha256
from .errors import ModelError, OutputPathError
from .io.atomic import remove_stale, set_default_mode
from .model import MentionClassifier
from .versions import Promotion, append_log, history_dir, keep_path

CROSS_VALIDATED = "cross-validation at training"
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Current:
    """What is at the target now."""

    exists: bool
    is_model: bool = False  # False: nothing there, or an empty folder
    model_id: str | None = None  # None: no model, or one whose config cannot be read
    problem: str | None = None  # why it fails its checks


@dataclass(frozen=True)
class PromotionResult:
    candidate_id: str
    target: Path
    replaced: str | None  # the model id that was in use at the target
    kept_at: Path | None  # where that model is now
    gate: GateResult | None
    checked_on: str
    refusal: str | None  # why the gate would have refused (set only when ``force`` overrode it)
    changed: bool = True

    def summary(self) -> str:
        if not self.changed:
            return f"{self.candidate_id} is already the model at {self.target}; nothing was changed."
        lines = []
        if self.refusal:
            lines.append(f"promoted despite the gate (--force): {self.refusal}")
        lines.append(f"promoted {self.candidate_id} to {self.target}; use it with --model {self.target}")
        if self.kept_at is not None:
            lines.append(
                f"the model it replaced, {self.replaced}, is kept in {self.kept_at} (to go back: "
                f"mention-insight promote {self.kept_at} --to {self.target} --force)"
            )
        return "\n".join(lines)


def _bundled_dirs() -> list[Path]:
    """Where the bundled default model lives (in the installed package, and in a source checkout)."""
    here = Path(__file__).resolve()
    return [here.parent / "models" / "default", here.parents[2] / "models" / "default"]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _load_candidate(candidate: Path, target: Path) -> MentionClassifier:
    unchanged = f"{target} was not changed."
    if not (candidate / persistence.CONFIG_FILE).is_file():
        raise ModelError(
            f"{candidate} is not a model directory (it has no {persistence.CONFIG_FILE}); pass the directory "
            f"'mention-insight train' wrote. {unchanged}"
        )
    problems = persistence.tree_problems(candidate)
    if problems:
        raise ModelError(
            f"{candidate} cannot be promoted: {'; '.join(problems)} (checked against {persistence.MANIFEST_FILE} "
            f"and the model id). Retrain it or restore a copy; {unchanged}"
        )
    try:
        return MentionClassifier.load(candidate)
    except ModelError as exc:
        raise ModelError(f"{candidate} cannot be promoted: {exc} {unchanged}") from exc


def inspect_target(target: Path) -> Current:
    """What is at ``target``; refuses a target that is not a model directory."""
    if any(_same(target, b) or target.resolve() == b.resolve() for b in _bundled_dirs()):
        raise OutputPathError(
            f"{target} is the bundled default model, which promote never replaces; promote to a directory of your "
            "own (e.g. --to models/ours) and use it with --model models/ours (or MENTION_INSIGHT_MODEL=models/ours)."
        )
    if not target.exists():
        return Current(False)
    if not target.is_dir():
        raise OutputPathError(
            f"{target} is a file, not a model directory; pass the model directory in use (e.g. --to models/ours). "
            "Nothing was changed."
        )
    if not (target / persistence.CONFIG_FILE).is_file():
        if any(target.iterdir()):
            raise OutputPathError(
                f"{target} is a folder of other files, not a model directory (it has no {persistence.CONFIG_FILE}); "
                "pass the model directory in use, e.g. --to models/ours. Nothing was changed."
            )
        return Current(True)  # an empty folder
    problems = persistence.tree_problems(target)
    try:
        model_id = str(persistence.read_config(target).get("model_id") or "") or None
    except ModelError:
        model_id = None
    return Current(True, True, model_id, "; ".join(problems) or None)


def check_gate(
    candidate: MentionClassifier, target: Path, current: Current, held_out=None
) -> tuple[GateResult | None, str, str | None]:
    """The gate's figures, what they were measured on, and why it refuses (None: it passes)."""
    cid = candidate.model_id
    override = "or pass --force to promote it anyway"
    if current.problem:
        return (
            None,
            UNCHECKED,
            f"the model at {target} fails its checks ({current.problem}), so nothing can be compared with it; "
            f"restore it from a copy, {override} (the changed model is then kept in {history_dir(target)}/).",
        )
    if held_out is not None:
        in_use = MentionClassifier.load(target) if current.is_model else None
        result = compare(held_out, candidate, in_use)
        reason = None
        if not result.better:
            reason = (
                f"{cid} is not better than {result.base_id}: {result.text(candidate=cid)}. Label more mentions "
                f"(mention-insight suggest) and adapt again, {override}."
            )
        return result, f"held-out labels {held_out}", reason
    gate = GateResult.recorded(candidate.config_)
    if gate is None:
        return (
            None,
            UNCHECKED,
            f"{cid} has no quality-gate record (only 'mention-insight train --base' makes one), so nothing shows it "
            f"is better than the model in use; check it on labelled mentions neither model was trained on with "
            f"--held-out FILE, {override}.",
        )
    if current.model_id is not None and gate.base_id != current.model_id:
        return (
            gate,
            CROSS_VALIDATED,
            f"{cid} was checked against {gate.base_id}, not against the model at {target} ({current.model_id}); "
            f"adapt the model in use instead (mention-insight train LABELS --base {target} -o DIR), check this one "
            f"with --held-out FILE (labelled mentions neither model was trained on), {override}.",
        )
    if not gate.better:
        return (
            gate,
            CROSS_VALIDATED,
            f"{cid} is not better than {gate.base_id}: {gate.text(candidate=cid)}. Label more mentions "
            f"(mention-insight suggest) and adapt again, {override}.",
        )
    return gate, CROSS_VALIDATED, None


def _temp_beside(target: Path) -> Path:
    """An empty directory beside ``target``, named as io.atomic names its temporary files (so
    that a later write to ``target`` clears it if this run is killed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent))
    set_default_mode(tmp, directory=True)
    return tmp


def swap_in(candidate: Path, target: Path, current: Current) -> Path | None:
    """Copy ``candidate`` beside ``target``, check the copy, move the model at ``target`` into its
    history and rename the copy into place. Returns where the old model is kept (None: there was none).
    On any failure the target is left as it was."""
    tmp = _temp_beside(target)
    kept: Path | None = None
    try:
        shutil.copytree(candidate, tmp, dirs_exist_ok=True, copy_function=shutil.copy)
        problems = persistence.tree_problems(tmp)
        if problems:
            raise ModelError(
                f"the copy of {candidate} does not match its checksums ({'; '.join(problems)}); the disk may be "
                f"failing or the candidate changed while it was copied. {target} was not changed; try again."
            )
        if current.exists and not current.is_model:  # an empty folder
            target.rmdir()
        elif current.exists:
            kept = keep_path(target, current.model_id or "unreadable-model")
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, kept)
        try:
            os.replace(tmp, target)
        except OSError:
            if kept is not None:
                os.replace(kept, target)
                kept = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return kept


def promote(candidate, target, *, force: bool = False, held_out=None) -> PromotionResult:
    """Replace the model at ``target`` with ``candidate`` if the quality gate finds it better
    (``force``: even if not). The old model is kept in ``<target>.history/``; see the module docs."""
    candidate, target = Path(candidate), Path(target)
    if _same(candidate, target) or candidate.resolve() in target.resolve().parents:
        raise OutputPathError(
            f"--to {target} is the candidate {candidate} or inside it; pass the model directory in use, "
            "e.g. --to models/ours. Nothing was changed."
        )
    current = inspect_target(target)
    model = _load_candidate(candidate, target)
    if current.model_id == model.model_id and current.problem is None:
        return PromotionResult(model.model_id, target, current.model_id, None, None, UNCHECKED, None, changed=False)
    gate, checked_on, refusal = check_gate(model, target, current, held_out)
    if refusal and not force:
        raise GateError(f"{refusal} {target} was not changed.")
    kept = swap_in(candidate, target, current)
    figures = None if gate is None else gate.as_dict()
    if figures is not None and held_out is not None:
        figures["labelled_sha256"] = file_sha256(held_out)
    record = Promotion(
        promoted_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        model_id=model.model_id,
        source=str(candidate),
        replaced=current.model_id,
        kept_at=kept.name if kept is not None else None,
        gate=figures,
        checked_on=checked_on,
        forced=bool(refusal),
    )
    try:
        append_log(target, record)
    except OSError as exc:  # the model is in place; only the record of it is missing
        warnings.warn(
            f"{model.model_id} is in use at {target}, but the promotion could not be logged in "
            f"{history_dir(target)} ({exc.strerror or exc}); `mention-insight models` will not say so.",
            stacklevel=2,
        )
    return PromotionResult(model.model_id, target, current.model_id, kept, gate, checked_on, refusal)
