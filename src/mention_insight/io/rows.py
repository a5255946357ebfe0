"""The classified-row schema, both ways.

``classify`` writes every input column, then ``label`` (primary), ``labels`` (all),
one ``score_<label>`` per label, ``model_id`` and ``error``; ``report`` reads such a file
back without a model. This module is the one place that knows those columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..labels import parse_labels

ADDED = ("label", "labels")
SCORE_PREFIX = "score_"


def score_column(label: str) -> str:
    return f"{SCORE_PREFIX}{label}"


def output_columns(source_columns: Sequence[str], labels: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Output header and the renaming of input columns that collide with ours."""
    ours = [*ADDED, *(score_column(c) for c in labels), "model_id", "error"]
    rename = {c: f"input_{c}" for c in source_columns if c in ours}
    return [rename.get(c, c) for c in source_columns] + ours, rename


def column_kinds(labels: Sequence[str]) -> dict[str, str]:
    """The added columns that are not text, for formats with types (Parquet): ``"list"``
    for ``labels`` (a list of strings), ``"number"`` for each score."""
    return {"labels": "list", **{score_column(c): "number" for c in labels}}


def empty_result(labels: Sequence[str], model_id: str, error: str | None = None) -> dict[str, Any]:
    """The added fields of one row before it is classified (or when it cannot be)."""
    return {
        "label": None,
        "labels": None,
        **{score_column(c): None for c in labels},
        "model_id": model_id,
        "error": error,
    }


def fill_result(result: dict[str, Any], prediction, labels: Sequence[str]) -> None:
    """Put a :class:`~mention_insight.model.Prediction` into a row's added fields."""
    result["label"] = prediction.label
    result["labels"] = prediction.labels  # a tuple: ";"-joined in CSV, a list in JSON
    for c in labels:
        result[score_column(c)] = round(prediction.scores[c], 4)


def is_classified(columns: Sequence[str]) -> bool:
    """Whether an export is the output of ``classify`` (it has ``label`` and ``labels``)."""
    return "label" in columns and "labels" in columns


def labels_of(columns: Sequence[str]) -> list[str]:
    """The model's labels, read from a classified file's ``score_<label>`` columns."""
    return [c[len(SCORE_PREFIX) :] for c in columns if c.startswith(SCORE_PREFIX)]


def read_result(
    data: dict[str, Any], labels: Sequence[str]
) -> tuple[str | None, tuple[str, ...], dict[str, float], str | None]:
    """``(label, labels, scores, error)`` of a classified row read back from a file."""
    label = _text(data.get("label"))
    scores = {}
    for lab in labels:
        value = data.get(SCORE_PREFIX + lab)
        if value is None or value == "":
            continue
        try:  # noqa: SIM105 - a plain try is several times cheaper than contextlib.suppress per cell
            scores[lab] = float(value)
        except (TypeError, ValueError):
            pass
    error = _text(data.get("error")) or (None if label else "no label")
    return label, tuple(parse_labels(data.get("labels"))), scores, error


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
