"""Complaint detection on the complaints dataset (Preotiuc-Pietro et al. 2019), k-fold cross-validated.

    python -m training.complaints_cv --backend transformer            # the full 10-fold run
    python -m training.complaints_cv --backend linear
    python -m training.complaints_cv --backend cascade --max-transformer-share 0.5   # the shipped default's set-up
    python -m training.complaints_cv --backend transformer --ensemble-size 2          # two seeds, logits averaged
    python -m training.complaints_cv --backend transformer --float                    # also score the float model
    python -m training.complaints_cv --backend transformer --max-folds 2 --epochs 2   # a quicker partial run

The dataset's own binary labels (complaint / not) are used: 3,449 tweets to companies.
Folds are stratified with a fixed seed; in each, 20% of the training folds is held out
for calibration and the threshold (as every model here is trained), and the held-out
fold is scored. Reported: binary macro-F1 (mean of the complaint and not-complaint F1)
per fold and its mean. ``--float`` (transformer only) also scores the float model the int8
ONNX was made from, calibrated and thresholded on the same validation split, so the two
differ only by quantisation. ``--max-folds`` scores only the first folds of the same 10-fold
split and says so in its output; the target (0.87 macro-F1) is for all 10.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np

from mention_insight.evaluate import compute_metrics
from mention_insight.model import MentionClassifier
from training.corpora import read_external

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class _FloatScores:
    """A transformer backend seen through its float model (for the int8-vs-float comparison)."""

    def __init__(self, backend):
        self.decision_function = backend.float_decision_function


def _macro_f1(clf: MentionClassifier, texts: list[str], labels: list[list[str]]) -> float:
    preds = clf.predict(texts)
    m = compute_metrics(labels, [p.labels for p in preds], clf.precedence_, clf.fallback_label)
    return m["primary"]["macro_f1"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--backend", choices=["linear", "transformer", "cascade"], default="transformer")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--max-folds", type=int, default=None, help="Score only the first N folds (a partial run).")
    parser.add_argument("--epochs", type=float, default=None, help="Transformer epochs (default: the backend's).")
    parser.add_argument(
        "--pooling", choices=["mean", "cls"], default=None, help="Transformer head (default: the backend's)."
    )
    parser.add_argument(
        "--ensemble-size",
        type=int,
        default=None,
        help="Transformer copies fine-tuned with seeds seed, seed+1, ... and averaged (default 1).",
    )
    parser.add_argument(
        "--max-transformer-share",
        type=float,
        default=None,
        help="Cascade only: the throughput budget (the shipped default uses 0.5).",
    )
    parser.add_argument(
        "--float", action="store_true", help="Transformer only: also score the float model before int8 quantisation."
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from sklearn.model_selection import StratifiedKFold, train_test_split

    items = list(read_external("complaints_preotiuc2019", args.data_dir).values())
    texts = [i.text for i in items]
    y = np.array([i.label == "1" for i in items])
    labels = [["complaint"] if v else ["other"] for v in y]
    params: dict = {}
    if args.backend in ("transformer", "cascade"):
        tp = {"num_threads": args.threads, "seed": args.seed}
        if args.epochs is not None:
            tp["epochs"] = args.epochs
        if args.pooling is not None:
            tp["pooling"] = args.pooling
        if args.ensemble_size is not None:
            tp["ensemble_size"] = args.ensemble_size
        params = tp if args.backend == "transformer" else {"transformer_params": tp}
        if args.backend == "cascade" and args.max_transformer_share is not None:
            params["max_transformer_share"] = args.max_transformer_share
    if args.float and args.backend != "transformer":
        parser.error("--float needs --backend transformer")
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed).split(texts, y)
    scores: list[float] = []
    float_scores: list[float] = []
    started = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(folds, 1):
        if args.max_folds is not None and k > args.max_folds:
            break
        clf = MentionClassifier(backend=args.backend, backend_params=params, random_state=args.seed)
        # The validation split MentionClassifier.fit would make itself, made here so the
        # float model can be tuned on the same one.
        tr, va = train_test_split(
            train_idx,
            test_size=clf.validation_fraction,
            random_state=args.seed,
            stratify=[labels[i][0] for i in train_idx],
        )
        clf.fit(
            [texts[i] for i in tr],
            [labels[i] for i in tr],
            validation=([texts[i] for i in va], [labels[i] for i in va]),
        )
        test_texts, test_labels = [texts[i] for i in test_idx], [labels[i] for i in test_idx]
        scores.append(_macro_f1(clf, test_texts, test_labels))
        line = f"fold {k}/{args.folds}: macro-F1 {scores[-1]:.3f}"
        if args.float:
            float_clf = copy.copy(clf)  # same calibration split, the float model's own scores
            float_clf.backend_ = _FloatScores(clf.backend_)
            float_clf.tune([texts[i] for i in va], [labels[i] for i in va])
            float_scores.append(_macro_f1(float_clf, test_texts, test_labels))
            line += f" (float model before int8: {float_scores[-1]:.3f})"
        print(line, flush=True)
    partial = len(scores) < args.folds
    summary = {
        "backend": args.backend,
        "params": params,
        "folds_scored": len(scores),
        "folds": args.folds,
        "partial": partial,
        "macro_f1_per_fold": [round(s, 4) for s in scores],
        "macro_f1_mean": round(float(np.mean(scores)), 4),
        "macro_f1_std": round(float(np.std(scores)), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if float_scores:
        summary["float_macro_f1_per_fold"] = [round(s, 4) for s in float_scores]
        summary["float_macro_f1_mean"] = round(float(np.mean(float_scores)), 4)
    print(json.dumps(summary, indent=2))
    if partial:
        print(f"PARTIAL RUN: {len(scores)} of {args.folds} folds scored; not the full {args.folds}-fold figure.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
