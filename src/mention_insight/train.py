"""Training a classifier from a labelled file, with held-out metrics stored in the model.

Labelled input is any format :func:`~mention_insight.io.open_mentions` reads, with a
text column and a ``labels`` column (also found as ``label``, ``labels``, ``category``);
labels are read by :func:`~mention_insight.labels.parse_labels` (``;``, ``|``, ``,`` or a
JSON list). Splits are stratified by primary label, with a fixed seed
(:func:`~mention_insight.labels.stratified_split`, also used by ``MentionClassifier.fit``).
"""

from __future__ import annotations

import difflib
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ColumnError, DataWarning, LabelError
from .evaluate import evaluate_model
from .io import open_mentions
from .io.safety import check_model_output
from .labels import FALLBACK_LABEL, check_label_name, parse_labels, primary_label, resolve_precedence, stratified_split
from .model import MentionClassifier

LABEL_COLUMNS = ("labels", "label", "categories", "category", "class", "gold")
MIN_EXAMPLES = 10


@dataclass
class LabelledData:
    """Texts with label sets; ``rows`` are the input line numbers (for messages)."""

    texts: list[str]
    labels: list[list[str]]
    rows: list[int] = field(default_factory=list)
    weights: list[float] | None = None
    source: str = ""
    #: Per row, why it was labelled (the ``why`` column ``suggest`` writes: random,
    #: uncertain, diverse), when the file says; None otherwise.
    why: list[str] | None = None

    def __post_init__(self):
        if not self.rows:
            self.rows = list(range(1, len(self.texts) + 1))

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: Sequence[int]) -> LabelledData:
        return LabelledData(
            [self.texts[i] for i in index],
            [self.labels[i] for i in index],
            [self.rows[i] for i in index],
            None if self.weights is None else [self.weights[i] for i in index],
            self.source,
            None if self.why is None else [self.why[i] for i in index],
        )

    def __add__(self, other: LabelledData) -> LabelledData:
        w = None
        if self.weights is not None or other.weights is not None:
            w = (self.weights or [1.0] * len(self)) + (other.weights or [1.0] * len(other))
        return LabelledData(
            self.texts + other.texts,
            self.labels + other.labels,
            self.rows + other.rows,
            w,
            f"{self.source}+{other.source}",
        )

    def label_counts(self) -> Counter:
        return Counter(label for ls in self.labels for label in ls)


def _rows_text(rows: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def read_labelled(
    path,
    *,
    text_column: str | None = None,
    labels_column: str | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
    fallback: str = FALLBACK_LABEL,
) -> LabelledData:
    """Read and check a labelled file. Raises :class:`LabelError` / :class:`ColumnError`.

    Empty texts are skipped and exact duplicates merged (with a :class:`DataWarning`);
    a duplicate text with different labels keeps its first labels, with a warning.
    """
    source = open_mentions(path, format=format, encoding=encoding, text_column=text_column)
    lab_col = labels_column
    if lab_col is None:
        lab_col = next((c for c in source.columns if c.strip().lower() in LABEL_COLUMNS), None)
        if lab_col is None:
            raise ColumnError(
                f"expected a labels column (one of: {', '.join(LABEL_COLUMNS)}); found columns "
                f"[{', '.join(source.columns)}]. Use --labels-column NAME."
            )
    elif lab_col not in source.columns:
        raise ColumnError(f"no labels column {lab_col!r}; found columns [{', '.join(source.columns)}].")
    why_col = next((c for c in source.columns if c.strip().lower() == "why"), None)
    texts: list[str] = []
    labels: list[list[str]] = []
    rows: list[int] = []
    why: list[str] = []
    empty_text, empty_labels, bad_rows, mixed_other = [], [], [], []
    bad_names: dict[str, list[int]] = defaultdict(list)
    seen: dict[str, int] = {}
    conflicts, exact_dups = [], 0
    for rec in source:
        if rec.error:
            bad_rows.append((rec.line, rec.error))
            continue
        text = source.text_of(rec) or ""
        ls = parse_labels(rec.data.get(lab_col))
        if not text.strip():
            empty_text.append(rec.line)
            continue
        if not ls:
            empty_labels.append(rec.line)
            continue
        for label in ls:
            try:
                check_label_name(label)
            except LabelError:
                bad_names[label].append(rec.line)
        if fallback in ls and len(ls) > 1:
            mixed_other.append(rec.line)
        key = " ".join(text.split()).lower()
        if key in seen:
            j = seen[key]
            if set(labels[j]) != set(ls):
                conflicts.append((rows[j], rec.line))
            else:
                exact_dups += 1
            continue
        seen[key] = len(texts)
        texts.append(text)
        labels.append(ls)
        rows.append(rec.line)
        if why_col:
            why.append(str(rec.data.get(why_col) or "").strip().lower())
    name = source.name
    if bad_rows:
        lines = [r for r, _ in bad_rows]
        raise LabelError(f"{name}: rows that could not be read at lines {_rows_text(lines)}: {bad_rows[0][1]}")
    if empty_labels:
        raise LabelError(
            f"{name}: {len(empty_labels)} rows have no labels (lines {_rows_text(empty_labels)}); "
            f"give each row at least one label (use {fallback!r} for none of the categories)."
        )
    if bad_names:
        label, where = next(iter(bad_names.items()))
        raise LabelError(
            f"{name}: label {label!r} (lines {_rows_text(where)}) is not a valid label name; use lower-case "
            "letters, digits, '_' or '-'."
        )
    if mixed_other:
        raise LabelError(
            f"{name}: {fallback!r} is combined with other labels at lines {_rows_text(mixed_other)}; "
            f"{fallback!r} means none of the categories and stands alone."
        )
    if empty_text:
        warnings.warn(
            f"{name}: skipped {len(empty_text)} rows with empty text (lines {_rows_text(empty_text)}).",
            DataWarning,
            stacklevel=2,
        )
    if exact_dups:
        warnings.warn(
            f"{name}: merged {exact_dups} duplicate texts that had the same labels.", DataWarning, stacklevel=2
        )
    if conflicts:
        pairs = ", ".join(f"{a}/{b}" for a, b in conflicts[:8])
        warnings.warn(
            f"{name}: {len(conflicts)} texts appear again with different labels (first/repeat lines {pairs}); "
            "kept the first labels. Reconcile them for a cleaner model.",
            DataWarning,
            stacklevel=2,
        )
    if not texts:
        raise LabelError(f"{name}: no labelled rows to train on.")
    return LabelledData(texts, labels, rows, source=name, why=why if why_col else None)


def check_labels(
    data: LabelledData,
    *,
    min_examples: int = MIN_EXAMPLES,
    allowed: Sequence[str] | None = None,
    fallback: str = FALLBACK_LABEL,
) -> None:
    """Refuse unknown labels (when ``allowed`` is given) and labels with too few examples."""
    where: dict[str, list[int]] = defaultdict(list)
    for ls, row in zip(data.labels, data.rows):
        for label in ls:
            where[label].append(row)
    if allowed is not None:
        allowed_set = set(allowed) | {fallback}
        unknown = {k: v for k, v in where.items() if k not in allowed_set}
        if unknown:
            label, rows = sorted(unknown.items())[0]
            close = difflib.get_close_matches(label, sorted(allowed_set), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise LabelError(
                f"{data.source}: unknown label {label!r} at lines {_rows_text(rows)}; expected one of "
                f"{', '.join(sorted(allowed_set))}.{hint}"
            )
    rare = {k: v for k, v in where.items() if k != fallback and len(v) < min_examples}
    if rare:
        label, rows = min(rare.items(), key=lambda kv: len(kv[1]))
        close = difflib.get_close_matches(label, [k for k in where if k != label], n=1)
        hint = f" Is it a typo of {close[0]!r}?" if close else ""
        raise LabelError(
            f"{data.source}: label {label!r} has only {len(rows)} examples (lines {_rows_text(rows)}); at least "
            f"{min_examples} are needed to learn and evaluate it.{hint} Add examples, merge it into another "
            "label, or lower --min-examples."
        )


def split(
    data: LabelledData, test_size: float, seed: int, precedence: Sequence[str]
) -> tuple[LabelledData, LabelledData]:
    """A seeded train/test split of ``data``, stratified by primary label."""
    primary = [primary_label(ls, precedence) for ls in data.labels]
    train_idx, test_idx = stratified_split(primary, test_size, seed)
    return data.subset(train_idx.tolist()), data.subset(test_idx.tolist())


@dataclass
class TrainResult:
    """A trained model, its held-out metrics and where it was saved (if it was)."""

    model: MentionClassifier
    metrics: dict
    path: Path | None = None
    sizes: dict = field(default_factory=dict)


def train(
    data,
    output_dir=None,
    *,
    backend: str = "linear",
    backend_params: dict | None = None,
    test_size: float = 0.2,
    validation_size: float = 0.15,
    seed: int = 0,
    precedence: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    min_examples: int = MIN_EXAMPLES,
    validation_data: LabelledData | None = None,
    test_data: LabelledData | None = None,
    sources: Sequence[str] = (),
    text_column: str | None = None,
    labels_column: str | None = None,
    why: str | None = None,
    lineage: dict | None = None,
    force: bool = False,
) -> TrainResult:
    """Train a fresh model on ``data`` (a path or :class:`LabelledData`).

    Splits off a stratified test set (``test_size``, unless ``test_data`` is given) and a
    validation set for calibration and thresholds (``validation_size``, unless
    ``validation_data`` is given); reports held-out metrics on the test set and, with
    ``output_dir``, saves the model with them (``why``: a reason for the model card;
    ``lineage``: more facts for its ``training`` record, e.g. the base of an adapted model).
    An existing model at ``output_dir`` is replaced only with ``force`` (the old one stays
    until the new one is complete); a file or a non-model directory there is refused
    before any training starts.
    """
    if not 0 < test_size < 1 and test_data is None:
        raise LabelError(f"test_size must be between 0 and 1 (a share of the data), got {test_size!r}.")
    if output_dir is not None:
        check_model_output(output_dir, [data if not isinstance(data, LabelledData) else None], force=force)
    if not isinstance(data, LabelledData):
        data = read_labelled(data, text_column=text_column, labels_column=labels_column)
    check_labels(data, min_examples=min_examples, allowed=labels)
    order = resolve_precedence(data.label_counts(), precedence)
    if test_data is None:
        data, test_data = split(data, test_size, seed, order)
    if validation_data is None:
        data, validation_data = split(
            data, validation_size / (1 - test_size) if test_size < 1 else validation_size, seed + 1, order
        )
    clf = MentionClassifier(backend=backend, precedence=precedence, random_state=seed, backend_params=backend_params)
    clf.fit(
        data.texts, data.labels, validation=(validation_data.texts, validation_data.labels), sample_weight=data.weights
    )
    metrics = evaluate_model(clf, test_data.texts, test_data.labels)
    sizes = {"train": len(data), "validation": len(validation_data), "test": len(test_data)}
    path = None
    if output_dir is not None:
        training = {
            "seed": seed,
            "split_sizes": sizes,
            "sources": list(sources) or [data.source],
            "test_source": test_data.source,
        }
        if why:
            training["why"] = why
        training.update(lineage or {})
        path = clf.save(output_dir, metrics={"held_out": metrics}, training=training, overwrite=force)
    return TrainResult(clf, metrics, path, sizes)
