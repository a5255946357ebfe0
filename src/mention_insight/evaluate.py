"""Held-out metrics: per-label precision/recall/F1, macro-F1 and the primary-label confusion.

Labels are compared as sets (multi-label). The fallback label counts as a label: a
mention whose true set is ``{other}`` and that the model calls ``other`` is a hit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE of one label's probabilities: the bin-weighted |accuracy - confidence| gap."""
    proba = np.asarray(proba, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(proba) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(y[mask].mean() - proba[mask].mean())
    return float(ece)


def f1_per_class(confusion: np.ndarray) -> np.ndarray:
    """Each class's F1 from a confusion matrix (rows: true, columns: predicted)."""
    diag = np.diag(confusion).astype(float)
    denom = confusion.sum(0) + confusion.sum(1)
    return np.where(denom > 0, 2 * diag / np.maximum(denom, 1), 0.0)


def primary_index(mask: np.ndarray) -> np.ndarray:
    """The primary label of each row of a label mask (columns in precedence order): the first
    column set, or ``k`` (the fallback) when none is."""
    k = mask.shape[1]
    return np.where(mask.any(axis=1), np.argmax(mask, axis=1), k)


def primary_confusion(true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """The ``(k+1) x (k+1)`` primary-label confusion of two label masks (fallback last)."""
    k = true.shape[1]
    t, p = primary_index(true), primary_index(pred)
    return np.bincount(t * (k + 1) + p, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)


def label_and_primary_f1(true: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """Multi-label macro-F1 and primary-label macro-F1 of two boolean label masks.

    Columns are labels in precedence order without the fallback; a row with no label set
    is the fallback, which counts as a class. Both macro averages run over the classes
    present in ``true`` (as any label of a row).
    """
    true = np.asarray(true, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    true_set = np.hstack([true, ~true.any(axis=1, keepdims=True)])
    pred_set = np.hstack([pred, ~pred.any(axis=1, keepdims=True)])
    present = true_set.sum(0) > 0
    if not present.any():
        return 0.0, 0.0
    tp = (pred_set & true_set).sum(0)
    denom = pred_set.sum(0) + true_set.sum(0)
    label_f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)[present].mean()
    primary_f1 = f1_per_class(primary_confusion(true, pred))[present].mean()
    return float(label_f1), float(primary_f1)


def label_mask(label_sets: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """A boolean ``(n, len(labels))`` matrix: row i, column j set when ``labels[j]`` is in set i."""
    index = {c: j for j, c in enumerate(labels)}
    mask = np.zeros((len(label_sets), len(labels)), dtype=bool)
    for i, ls in enumerate(label_sets):
        for label in ls:
            j = index.get(label)
            if j is not None:
                mask[i, j] = True
    return mask


def compute_metrics(
    true_sets: Sequence[Sequence[str]],
    pred_sets: Sequence[Sequence[str]],
    precedence: Sequence[str],
    fallback: str = "other",
) -> dict:
    """Per-label and primary-label metrics of predicted against true label sets.

    ``precedence`` lists every label, the fallback included (last).
    """
    labels = list(precedence)
    own = [c for c in labels if c != fallback]  # columns in precedence order; fallback appended last
    true = label_mask(true_sets, own)
    pred = label_mask(pred_sets, own)
    true_set = np.hstack([true, ~true.any(axis=1, keepdims=True)])
    pred_set = np.hstack([pred, ~pred.any(axis=1, keepdims=True)])
    order = [*own, fallback]
    per_label = {}
    for j, c in enumerate(order):
        tp = int((true_set[:, j] & pred_set[:, j]).sum())
        fp = int((~true_set[:, j] & pred_set[:, j]).sum())
        fn = int((true_set[:, j] & ~pred_set[:, j]).sum())
        p, r, f = _prf(tp, fp, fn)
        per_label[c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}
    per_label = {c: per_label[c] for c in labels if c in per_label}
    n = len(true_sets)
    label_f1, primary_f1 = label_and_primary_f1(true, pred)
    confusion = primary_confusion(true, pred)
    f1s = f1_per_class(confusion)
    # Reported in the order of ``precedence``.
    perm = [order.index(c) for c in labels]
    confusion = confusion[np.ix_(perm, perm)]
    t_idx, p_idx = primary_index(true), primary_index(pred)
    return {
        "n": n,
        "per_label": per_label,
        "macro_f1": label_f1,
        "exact_match": float((true_set == pred_set).all(axis=1).mean()) if n else 0.0,
        "primary": {
            "accuracy": float((t_idx == p_idx).mean()) if n else 0.0,
            "macro_f1": primary_f1,
            "f1": {c: float(f1s[order.index(c)]) for c in labels},
            "confusion": {"labels": labels, "matrix": confusion.tolist()},
        },
    }


def format_metrics(metrics: dict, title: str | None = None) -> str:
    """A Markdown rendering of :func:`compute_metrics`' result."""
    lines = [f"### {title}", ""] if title else []
    lines += [
        f"Held-out mentions: {metrics['n']}",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for c, m in metrics["per_label"].items():
        lines.append(f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    prim = metrics["primary"]
    lines += [
        "",
        f"- macro-F1 over labels (multi-label): **{metrics['macro_f1']:.3f}**",
        f"- primary label: accuracy {prim['accuracy']:.3f}, macro-F1 **{prim['macro_f1']:.3f}**",
        f"- exact label-set match: {metrics['exact_match']:.3f}",
        "",
        "Primary-label confusion (rows: true, columns: predicted):",
        "",
    ]
    labs = prim["confusion"]["labels"]
    lines.append("| true \\ predicted | " + " | ".join(labs) + " |")
    lines.append("|---|" + "---:|" * len(labs))
    for lab, row in zip(labs, prim["confusion"]["matrix"]):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def evaluate_model(model, texts: Sequence[str], true_sets: Sequence[Sequence[str]]) -> dict:
    """Metrics of ``model`` on labelled texts, with each label's calibration error."""
    proba = model.predict_proba(texts)
    preds = model.predictions_from_proba(proba)
    metrics = compute_metrics(true_sets, [p.labels for p in preds], model.precedence_, model.fallback_label)
    for j, c in enumerate(model.classes_):
        y = np.array([c in t for t in true_sets], dtype=float)
        metrics["per_label"][c]["ece"] = expected_calibration_error(proba[:, j], y)
    return metrics
