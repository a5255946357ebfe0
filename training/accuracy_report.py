"""Regenerate docs/accuracy.md: the gold corpus, the agreement study, the shipped model on
the gold test split, calibration, and the published anchors on their own tasks.

    python -m training.accuracy_report [--data-dir ../shared/data/external] [--skip-anchors]

Everything here is measured on held-out data: the gold test split (never used for
training, tuning or thresholds), cross-validation folds, or the datasets' own test
splits. The section between the ``accuracy:core`` markers is rewritten; other sections
of docs/accuracy.md (e.g. the transformer comparison) are kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from mention_insight.api import load_model
from mention_insight.evaluate import compute_metrics, evaluate_model, format_metrics
from mention_insight.labels import DEFAULT_PRECEDENCE, primary_label
from mention_insight.model import MentionClassifier
from training.corpora import load_gold, read_external

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

START, END = "<!-- accuracy:core:start -->", "<!-- accuracy:core:end -->"
LABELS = list(DEFAULT_PRECEDENCE)


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else float("nan")  # nan: neither annotator used the label


#: The annotation rounds, by dataset (for the agreement table).
ROUNDS = {
    "complaints_preotiuc2019": "round 1",
    "humaid_maria2017": "round 1",
    "crisislex_t26": "round 1",
}


def _agreement_of(pairs: list) -> dict:
    first = [p[0][1] for p in pairs]
    second = [p[1][1] for p in pairs]
    kappa = {lab: cohen_kappa([lab in a for a in first], [lab in b for b in second]) for lab in LABELS}
    m = compute_metrics(first, second, LABELS)
    return {
        "n": len(pairs),
        "kappa": kappa,
        "macro_f1": m["macro_f1"],
        "primary_macro_f1": m["primary"]["macro_f1"],
        "exact": m["exact_match"],
        "per_label_f1": {lab: m["per_label"][lab]["f1"] for lab in LABELS},
    }


def agreement(annotations: Path) -> dict:
    """Kappa per label and macro-F1 of one annotation against the other (the ceiling), over all
    doubly annotated items and per set (the first round's three sets together, each new set alone)."""
    by_item: dict[tuple, list[tuple[str, list[str]]]] = defaultdict(list)
    with open(annotations, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_item[(row["dataset"], row["key"])].append((row["annotator"], row["labels"].split(";")))
    doubled = {k: sorted(v) for k, v in by_item.items() if len(v) == 2}
    sets: dict[str, list] = defaultdict(list)
    for (dataset, _key), pair in doubled.items():
        sets[ROUNDS.get(dataset, dataset)].append(pair)
    out = _agreement_of(list(doubled.values()))
    out["datasets"] = Counter(k[0] for k in doubled)
    out["per_set"] = {name: _agreement_of(pairs) for name, pairs in sorted(sets.items())}
    return out


def binary_anchor(train_texts, train_y, val_texts, val_y, test_texts, test_y, positive: str, seed: int = 0) -> dict:
    """Our linear model as a one-label classifier: fit, tune on validation, score test."""

    def as_sets(y):
        return [[positive] if v else ["other"] for v in y]

    clf = MentionClassifier(random_state=seed).fit(
        train_texts, as_sets(train_y), validation=(val_texts, as_sets(val_y))
    )
    preds = clf.predict(test_texts)
    m = compute_metrics(as_sets(test_y), [p.labels for p in preds], clf.precedence_)
    return {
        "f1": m["per_label"][positive]["f1"],
        "macro_f1": m["primary"]["macro_f1"],
        "n_test": len(test_texts),
        "n_pos": int(sum(test_y)),
    }


def split_anchor(data_dir, dataset: str, is_positive, positive: str, splits=("train", "dev", "test")) -> dict:
    """A one-label anchor on a dataset's own train/dev/test split and labels."""
    parts = defaultdict(lambda: ([], []))
    for item in read_external(dataset, data_dir).values():
        texts, ys = parts[item.split]
        texts.append(item.text)
        ys.append(is_positive(item.label))
    return binary_anchor(*(x for split in splits for x in parts[split]), positive=positive)


def goemotions_anchor(data_dir) -> dict:
    return split_anchor(data_dir, "goemotions", lambda label: "gratitude" in label.split(";"), "gratitude")


def humaid_anchor(data_dir) -> dict:
    return split_anchor(data_dir, "humaid_maria2017", lambda label: label == "requests_or_urgent_needs", "requests")


def complaints_anchor(data_dir) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "training.complaints_cv", "--backend", "linear", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    text = out.stdout
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


def gold_table(gold: Path) -> list[str]:
    with open(gold, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lines = [
        "| dataset | train | test | " + " | ".join(LABELS) + " | double-annotated |",
        "|---|---:|---:|" + "---:|" * len(LABELS) + "---:|",
    ]
    for ds in sorted({r["dataset"] for r in rows}):
        sub = [r for r in rows if r["dataset"] == ds]
        counts = Counter(lab for r in sub for lab in r["labels"].split(";"))
        double = sum(r["annotation"] != "single" for r in sub)
        lines.append(
            f"| {ds} | {sum(r['split'] == 'train' for r in sub)} | {sum(r['split'] == 'test' for r in sub)} | "
            + " | ".join(str(counts[lab]) for lab in LABELS)
            + f" | {double} |"
        )
    counts = Counter(lab for r in rows for lab in r["labels"].split(";"))
    prim = Counter(primary_label(r["labels"].split(";"), LABELS) for r in rows)
    lines.append(
        f"| **all** | {sum(r['split'] == 'train' for r in rows)} | {sum(r['split'] == 'test' for r in rows)} | "
        + " | ".join(str(counts[lab]) for lab in LABELS)
        + f" | {sum(r['annotation'] != 'single' for r in rows)} |"
    )
    lines += [
        "",
        "Primary labels over all gold tweets: "
        + ", ".join(f"{lab} {prim[lab]}" for lab in LABELS)
        + f"; multi-label tweets: {sum(';' in r['labels'] for r in rows)}.",
    ]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--output", default=str(ROOT / "docs" / "accuracy.md"))
    parser.add_argument("--skip-anchors", action="store_true", help="Leave out the (slower) published-anchor runs.")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    model = load_model(args.model, cache=False)
    test = load_gold(args.gold, args.data_dir, "test")
    metrics = evaluate_model(model, test.texts, test.labels)
    stored = model.config_.get("metrics", {}).get("held_out", {})
    same = bool(stored) and abs(stored.get("macro_f1", -1) - metrics["macro_f1"]) < 1e-9
    agree = agreement(HERE / "gold" / "annotations.csv")
    with open(args.gold, encoding="utf-8", newline="") as fh:
        adjudicated = sum(r["annotation"].startswith("adjudicated") for r in csv.DictReader(fh))
    relabels = HERE / "gold" / "relabels.csv"
    relabelled = len(relabels.read_text("utf-8").splitlines()) - 1 if relabels.exists() else 0

    L = [
        START,
        "",
        "# Accuracy",
        "",
        "Regenerated by `make accuracy` (`python -m training.accuracy_report`) on "
        f"{time.strftime('%Y-%m-%d')}. All figures are on held-out data.",
        "",
        "## The gold corpus",
        "",
        "Real tweets from the external datasets, labelled by the codebook (`training/gold/gold.csv`: keys and labels",
        "only; the text is joined at run time from the data directory). How they were labelled, and the decisions",
        "where the codebook left room, are in `training/ANNOTATION.md`. The test split (20%, stratified by dataset and",
        "primary label, fixed seed) is never used for training, tuning, thresholds or model choice.",
        "",
    ]
    L += gold_table(Path(args.gold))
    L += [
        "",
        "## Agreement between annotators (the ceiling)",
        "",
        f"{agree['n']} tweets ({', '.join(f'{k} {v}' for k, v in sorted(agree['datasets'].items()))}) were labelled",
        "twice, independently, by different annotators. **The annotators were independent instances of an AI model",
        "(LLM annotators working from the guide), not people**; their agreement is an upper bound of what a model",
        "trained on these labels can reach, not a measure of human agreement.",
        "",
        "| label | Cohen's kappa | F1 of one annotation against the other |",
        "|---|---:|---:|",
    ]
    L += [f"| {lab} | {agree['kappa'][lab]:.3f} | {agree['per_label_f1'][lab]:.3f} |" for lab in LABELS]
    L += [
        "",
        f"Macro-F1 of one annotation against the other: labels **{agree['macro_f1']:.3f}**, primary label "
        f"**{agree['primary_macro_f1']:.3f}**; identical label sets on {agree['exact']:.1%} of tweets. The "
        f"{adjudicated} disagreements were adjudicated by a third annotator (`training/gold/gold.csv`, column "
        "`annotation`; the second round's rulings in `training/gold/adjudications.csv`).",
        "",
        "Per set (kappa per label; macro-F1 of one annotation against the other):",
        "",
        "| set | doubly annotated | "
        + " | ".join(f"κ {lab}" for lab in LABELS)
        + " | label macro-F1 | primary macro-F1 |",
        "|---|---:|" + "---:|" * (len(LABELS) + 2),
    ]
    for name, a in agree["per_set"].items():
        L.append(
            f"| {name} | {a['n']} | "
            + " | ".join("n/a" if a["kappa"][lab] != a["kappa"][lab] else f"{a['kappa'][lab]:.2f}" for lab in LABELS)
            + f" | {a['macro_f1']:.3f} | {a['primary_macro_f1']:.3f} |"
        )
    L += [
        "",
        f"The re-check of the first round against the codebook's newer rules changed {relabelled} labels "
        "(`training/gold/relabels.csv`, one row per change with the rule).",
        "",
    ]
    L += [
        "## The shipped model on the gold test split",
        "",
        f"Model `{model.config_['model_id']}` (backend `{model.config_['backend']}`), trained by `make model`; "
        f"its card carries the same figures ({'checked: they match' if same else 'WARNING: the card differs, rebuild the model'}).",
        "",
    ]
    L += [format_metrics(metrics)]
    L += [
        "Calibration (expected calibration error, 10 bins, of each label's probability on the gold test split):",
        "",
        "| label | ECE | threshold |",
        "|---|---:|---:|",
    ]
    L += [
        f"| {lab} | {metrics['per_label'][lab]['ece']:.3f} | {model.thresholds_[lab]:.2f} |" for lab in model.classes_
    ]
    L += [
        "",
        "Against the ceiling: the model's label macro-F1 is "
        f"{metrics['macro_f1']:.3f} where two annotators agree at {agree['macro_f1']:.3f}.",
        "",
    ]

    if not args.skip_anchors:
        comp = complaints_anchor(args.data_dir)
        grat = goemotions_anchor(args.data_dir)
        req = humaid_anchor(args.data_dir)
        L += [
            "## Published anchors, on their own tasks and protocols",
            "",
            "Our linear model (the same features and training code, trained as a one-label classifier on each",
            "dataset's own labels) next to published results. Protocols differ in detail; treat these as anchors,",
            "not a leaderboard.",
            "",
            "| task | protocol | published | ours (linear) |",
            "|---|---|---|---:|",
            f"| complaint vs not, complaints dataset (3,449 tweets) | {comp['folds']}-fold CV, macro-F1 of the two classes | "
            "Preotiuc-Pietro et al. 2019: 79 (F1); Jin & Aletras 2020: 87 (macro-F1); Jin & Aletras 2021: 88.2 (macro-F1) | "
            f"**{comp['macro_f1_mean'] * 100:.1f}** (± {comp['macro_f1_std'] * 100:.1f} over folds) |",
            f"| gratitude, GoEmotions | train/dev/test split; F1 of gratitude on test ({grat['n_pos']} of {grat['n_test']}) | "
            f"BERT 0.86 (Demszky et al. 2020) | **{grat['f1']:.3f}** |",
            f"| requests_or_urgent_needs, HumAID Maria 2017 | official split; F1 of the class on test ({req['n_pos']} of "
            f"{req['n_test']}) | no binary per-class figure checked here (HumAID reports multi-class F1 per event) | "
            f"**{req['f1']:.3f}** |",
            "",
            "Commands: `python -m training.complaints_cv --backend linear` (the 10-fold figure alone); this script",
            "for the rest.",
            "",
        ]
    L += [f"_Generated in {time.perf_counter() - started:.0f} s._", "", END]

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.read_text("utf-8") if out.exists() else ""
    block = "\n".join(L)
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END) :]
    else:
        new = block + "\n\n" + old
    out.write_text(new.rstrip("\n") + "\n", "utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
