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


def compute_metrics(
    true_sets: Sequence[Sequence[str]],
    pred_sets: Sequence[Sequence[str]],
    precedence: Sequence[str],
    fallback: str = "other",
) -> dict:
    """Per-label and primary-label metrics of predicted against true label sets."""
    labels = list(precedence)
    rank = {c: i for i, c in enumerate(labels)}

    def norm(s):
        s = set(s) or {fallback}
        return s

    def primary(s):
        return min(s, key=lambda c: rank.get(c, len(rank)))

    true_sets = [norm(s) for s in true_sets]
    pred_sets = [norm(s) for s in pred_sets]
    per_label = {}
    for c in labels:
        tp = sum(1 for t, p in zip(true_sets, pred_sets) if c in t and c in p)
        fp = sum(1 for t, p in zip(true_sets, pred_sets) if c not in t and c in p)
        fn = sum(1 for t, p in zip(true_sets, pred_sets) if c in t and c not in p)
        p, r, f = _prf(tp, fp, fn)
        per_label[c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}
    present = [c for c in labels if per_label[c]["support"] > 0]
    true_primary = [primary(t) for t in true_sets]
    pred_primary = [primary(p) for p in pred_sets]
    index = {c: i for i, c in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(true_primary, pred_primary):
        confusion[index[t], index[p]] += 1
    primary_f1 = {}
    for i, c in enumerate(labels):
        tp = confusion[i, i]
        primary_f1[c] = _prf(tp, confusion[:, i].sum() - tp, confusion[i, :].sum() - tp)[2]
    return {
        "n": len(true_sets),
        "per_label": per_label,
        "macro_f1": float(np.mean([per_label[c]["f1"] for c in present])) if present else 0.0,
        "exact_match": float(np.mean([t == p for t, p in zip(true_sets, pred_sets)])) if true_sets else 0.0,
        "primary": {
            "accuracy": float(np.mean([t == p for t, p in zip(true_primary, pred_primary)])) if true_sets else 0.0,
            "macro_f1": float(np.mean([primary_f1[c] for c in present])) if present else 0.0,
            "f1": {c: float(v) for c, v in primary_f1.items()},
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
