"""How far more data of the same kind would take the linear model: a learning curve.

    python -m training.learning_curve [--data-dir ../shared/data/external] [--repeats 3]

Trains the linear model of ``training/build_default.py`` (pooled features, its C) on growing
random shares of its training data (seed mentions + gold train, HumAID left out), with the
same validation set for calibration and thresholds, and scores each on the gold *test*
split. Also scores, on the same test split: the full model per source dataset, and a model
that also trains on HumAID's gold train tweets (non-commercial: measured, never shipped).
Writes the section between the ``accuracy:learning-curve`` markers of docs/accuracy.md.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from mention_insight.evaluate import evaluate_model
from mention_insight.labels import DEFAULT_PRECEDENCE
from mention_insight.model import MentionClassifier
from mention_insight.train import read_labelled, split
from training.build_default import NOT_SHIPPED, gold_without
from training.corpora import load_gold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

START, END = "<!-- accuracy:learning-curve:start -->", "<!-- accuracy:learning-curve:end -->"
LABELS = ("visit_request", "complaint", "shared_info", "thanks", "other")


def fit_and_score(data, validation, test, C: float, seed: int) -> tuple[MentionClassifier, dict]:
    clf = MentionClassifier(random_state=seed, backend_params={"C": C, "features": "pooled"})
    clf.fit(data.texts, data.labels, validation=(validation.texts, validation.labels), sample_weight=data.weights)
    return clf, evaluate_model(clf, test.texts, test.labels)


def summary(metrics: list[dict]) -> dict:
    return {
        "label": statistics.mean(m["macro_f1"] for m in metrics),
        "primary": statistics.mean(m["primary"]["macro_f1"] for m in metrics),
        "per_label": {c: statistics.mean(m["per_label"][c]["f1"] for m in metrics) for c in LABELS},
        "spread": max(m["primary"]["macro_f1"] for m in metrics) - min(m["primary"]["macro_f1"] for m in metrics),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--C", type=float, default=8.0, help="The linear model's C (build_default.py's choice).")
    parser.add_argument("--fractions", default="0.125,0.25,0.5,0.75,1")
    parser.add_argument("--repeats", type=int, default=3, help="Random subsamples per fraction below 1.")
    parser.add_argument(
        "--target", type=float, default=0.75, help="Primary macro-F1 target (issue 3) to extrapolate to."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=str(ROOT / "docs" / "accuracy.md"))
    args = parser.parse_args(argv)
    started = time.perf_counter()

    gold_file = Path(args.gold)
    seed = read_labelled(args.seed_file)
    gold_all_train = load_gold(gold_file, args.data_dir, "train")
    test = load_gold(gold_file, args.data_dir, "test")
    with open(gold_file, encoding="utf-8", newline="") as fh:
        dataset_of_line = {n: row["dataset"] for n, row in enumerate(csv.DictReader(fh), 2)}
    # Exactly build_default.py's split: the same fit part and validation set.
    gold_train = gold_without(gold_all_train, gold_file, NOT_SHIPPED)
    fit_part, validation = split(gold_train, 0.2, args.seed + 1, DEFAULT_PRECEDENCE)
    seed_fit, seed_validation = split(seed, 0.15, args.seed + 1, DEFAULT_PRECEDENCE)
    data = seed_fit + fit_part
    validation = validation + seed_validation

    rng = np.random.default_rng(args.seed)
    curve = []
    for fraction in [float(f) for f in args.fractions.split(",")]:
        runs = []
        for r in range(1 if fraction >= 1 else args.repeats):
            index = (
                np.arange(len(data))
                if fraction >= 1
                else np.sort(rng.choice(len(data), int(fraction * len(data)), replace=False))
            )
            _, m = fit_and_score(data.subset(index.tolist()), validation, test, args.C, args.seed + r)
            runs.append(m)
        curve.append((fraction, int(fraction * len(data)), summary(runs), len(runs)))
        print(f"fraction {fraction}: primary {curve[-1][2]['primary']:.3f}", file=sys.stderr)

    full, _ = fit_and_score(data, validation, test, args.C, args.seed)
    by_source = {}
    for dataset in sorted({dataset_of_line[line] for line in test.rows}):
        part = test.subset([i for i, line in enumerate(test.rows) if dataset_of_line[line] == dataset])
        by_source[dataset] = (len(part), evaluate_model(full, part.texts, part.labels))

    humaid = gold_all_train.subset(
        [i for i, line in enumerate(gold_all_train.rows) if dataset_of_line[line] in NOT_SHIPPED]
    )
    humaid_fit, humaid_val = split(humaid, 0.2, args.seed + 1, DEFAULT_PRECEDENCE)
    _, with_humaid = fit_and_score(data + humaid_fit, validation + humaid_val, test, args.C, args.seed)

    L = [
        START,
        "",
        "## Learning curve: would more data of the same kind reach the target?",
        "",
        f"`python -m training.learning_curve` ({time.strftime('%Y-%m-%d')}). The linear model of "
        "`training/build_default.py` (pooled features, C = "
        f"{args.C:g}) trained on random shares of its {len(data):,} training mentions (seed + gold train, HumAID "
        f"left out), calibrated and thresholded on the same {len(validation):,} validation mentions, scored on "
        f"the {len(test):,} gold test tweets. Shares below 1 are the mean of {args.repeats} random subsamples.",
        "",
        "| share | training mentions | label macro-F1 | primary macro-F1 | " + " | ".join(LABELS) + " |",
        "|---:|---:|---:|---:|" + "---:|" * len(LABELS),
    ]
    for fraction, n, s, runs in curve:
        spread = f" (± {s['spread'] / 2:.3f})" if runs > 1 else ""
        L.append(
            f"| {fraction:g} | {n:,} | {s['label']:.3f} | {s['primary']:.3f}{spread} | "
            + " | ".join(f"{s['per_label'][c]:.3f}" for c in LABELS)
            + " |"
        )
    s1 = curve[-1][2]
    # Least-squares line of primary macro-F1 against log2(training mentions), over every point.
    slope, intercept = np.polyfit(np.log2([n for _, n, _, _ in curve]), [s["primary"] for _, _, s, _ in curve], 1)
    needed = 2 ** ((args.target - intercept) / slope) if slope > 0 else float("inf")
    L += [
        "",
        f"A straight line through primary macro-F1 against log2(training mentions) rises **{slope:+.3f} per "
        f"doubling** of the data. Extrapolated (a rough guide: curves flatten), the {args.target:g} target would take "
        f"about {float(f'{needed:.2g}'):,.0f} labelled mentions of the same kind, {needed / curve[-1][1]:.0f} times what we have.",
        "",
        "**By source** (the full model above, gold test split):",
        "",
        "| source | test tweets | label macro-F1 | primary macro-F1 | primary accuracy |",
        "|---|---:|---:|---:|---:|",
    ]
    for dataset, (n, m) in by_source.items():
        note = " (no training tweets from this source: licence)" if dataset in NOT_SHIPPED else ""
        L.append(
            f"| {dataset}{note} | {n} | {m['macro_f1']:.3f} | {m['primary']['macro_f1']:.3f} | {m['primary']['accuracy']:.3f} |"
        )
    L += [
        "",
        f"**Adding HumAID's {len(humaid):,} gold train tweets** (non-commercial licence: measured here, never "
        f"shipped): label macro-F1 {with_humaid['macro_f1']:.3f}, primary macro-F1 {with_humaid['primary']['macro_f1']:.3f} "
        f"(without: {s1['label']:.3f} / {s1['primary']:.3f}).",
        "",
        f"_Generated in {time.perf_counter() - started:.0f} s._",
        "",
        END,
    ]
    block = "\n".join(L)
    print(block)
    path = Path(args.output)
    old = path.read_text("utf-8")
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END) :]
    else:
        marker = "<!-- accuracy:core:end -->"
        new = (
            old.replace(marker, marker + "\n\n" + block, 1)
            if marker in old
            else old.rstrip("\n") + "\n\n" + block + "\n"
        )
    path.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
