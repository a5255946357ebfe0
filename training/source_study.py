"""Per-source accuracy and leave-one-source-out: how a model does on a kind of text it never saw.

    python -m training.source_study [--data-dir ../shared/data/external] [--model models/default]

Writes the ``source-study`` section of ``docs/accuracy.md`` and ``build/source_study.json``:

1. **Per source**: the given (shipped) model and a linear model trained the way
   ``training.build_default`` trains it (seed mentions + every shipped source's gold train
   split; fixed ``--C``, pooled features, no weak labels) on each source's test split, and on
   the first round's 890-tweet test split (the same tweets as before the second round).
2. **Leave one source out**: for each source, the same linear recipe trained without that
   source (its train and validation parts dropped) and scored on that source's test split,
   beside the in-domain figure. The out-of-source figure predicts how the model does on an
   account whose mentions it has never seen; the civic tweets (residents to a city corporation,
   water board and traffic police) are the closest register to police mentions.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from pathlib import Path

from mention_insight import MentionClassifier, load_model
from mention_insight.evaluate import evaluate_model
from mention_insight.io.atomic import replace_section
from mention_insight.labels import DEFAULT_PRECEDENCE
from mention_insight.train import LabelledData, read_labelled, split
from training.build_default import NOT_SHIPPED
from training.corpora import load_gold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- accuracy:source-study:start -->", "<!-- accuracy:source-study:end -->"
ROUND1 = ("complaints_preotiuc2019", "crisislex_t26", "humaid_maria2017")


def by_dataset(data: LabelledData, gold_file: Path) -> dict[str, LabelledData]:
    with open(gold_file, encoding="utf-8", newline="") as fh:
        dataset_of = {n: row["dataset"] for n, row in enumerate(csv.DictReader(fh), 2)}
    index: dict[str, list[int]] = defaultdict(list)
    for i, line in enumerate(data.rows):
        index[dataset_of[line]].append(i)
    return {name: data.subset(idx) for name, idx in sorted(index.items())}


def scores(model, data: LabelledData) -> dict:
    m = evaluate_model(model, data.texts, data.labels)
    return {
        "n": len(data),
        "macro_f1": round(m["macro_f1"], 4),
        "primary_macro_f1": round(m["primary"]["macro_f1"], 4),
        "per_label_f1": {c: round(v["f1"], 4) for c, v in m["per_label"].items()},
        "support": {c: v["support"] for c, v in m["per_label"].items()},
    }


def fit_linear(train: LabelledData, validation: LabelledData, C: float, seed: int) -> MentionClassifier:
    clf = MentionClassifier(random_state=seed, backend_params={"C": C, "features": "pooled"})
    return clf.fit(train.texts, train.labels, validation=(validation.texts, validation.labels))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--model", default=str(ROOT / "models" / "default"), help="The shipped model to score.")
    parser.add_argument(
        "--before", help="Another model directory to score beside it (e.g. the default before a retraining)."
    )
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=str(ROOT / "docs" / "accuracy.md"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gold = Path(args.gold)

    test = by_dataset(load_gold(gold, args.data_dir, "test"), gold)
    train_all = by_dataset(load_gold(gold, args.data_dir, "train"), gold)
    parts = {
        name: split(d, 0.2, args.seed + 1, DEFAULT_PRECEDENCE)
        for name, d in train_all.items()
        if name not in NOT_SHIPPED
    }
    seed_data = read_labelled(args.seed_file)
    seed_fit, seed_val = split(seed_data, 0.15, args.seed + 1, DEFAULT_PRECEDENCE)
    round1_test = sum((test[d] for d in ROUND1 if d in test), LabelledData([], []))
    all_test = sum(test.values(), LabelledData([], []))

    def train_without(excluded: set[str]) -> MentionClassifier:
        fit = seed_fit + sum((p[0] for n, p in parts.items() if n not in excluded), LabelledData([], []))
        val = seed_val + sum((p[1] for n, p in parts.items() if n not in excluded), LabelledData([], []))
        return fit_linear(fit, val, args.C, args.seed)

    shipped = load_model(args.model, cache=False)
    linear = train_without(set())
    results: dict = {"model": shipped.model_id, "C": args.C, "per_source": {}, "leave_one_out": {}}
    models = [("shipped", shipped), ("linear_all_sources", linear)]
    if args.before:
        models.insert(0, ("before", load_model(args.before, cache=False)))
        results["before"] = models[0][1].model_id
    for name, model in models:
        results["per_source"][name] = {d: scores(model, t) for d, t in test.items()}
        results["per_source"][name]["round1_test"] = scores(model, round1_test)
        results["per_source"][name]["all_test"] = scores(model, all_test)
    for source in parts:
        out = train_without({source})
        results["leave_one_out"][source] = {
            "in_domain": results["per_source"]["linear_all_sources"][source],
            "out_of_source": scores(out, test[source]),
        }
        print(source, results["leave_one_out"][source]["out_of_source"]["primary_macro_f1"], flush=True)
    results["seconds"] = round(time.perf_counter() - started)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "source_study.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    write_section(Path(args.output), render(results))
    print(json.dumps({k: v for k, v in results.items() if k != "per_source"}, indent=1)[:2000])
    return 0


def render(r: dict) -> list[str]:
    labels = [c for c in DEFAULT_PRECEDENCE]
    lines = [
        START,
        "",
        "## Per source, and leave one source out",
        "",
        f"`python -m training.source_study --before build/default-round1` ({time.strftime('%Y-%m-%d')}); "
        f"every figure on a test split. *shipped*: `{r['model']}`; *linear*: the linear recipe (seed mentions + every shipped source's gold "
        f"train split, C = {r['C']}, pooled features, no weak labels). *round 1 test* is the first round's 890 "
        "tweets, the same tweets as before the second round (with the re-checked labels); *all test* is every "
        "test split together.",
        "",
        "| test set | n | before | shipped | linear, all sources | shipped F1 per label (" + ", ".join(labels) + ") |",
        "|---|---:|---:|---:|---:|---|",
    ]
    before = r["per_source"].get("before")
    for d, lin in r["per_source"]["linear_all_sources"].items():
        shp = r["per_source"]["shipped"][d]
        per = " / ".join(f"{shp['per_label_f1'].get(c, 0):.2f}" for c in labels)
        old = f"{before[d]['macro_f1']:.3f} / {before[d]['primary_macro_f1']:.3f}" if before else "n/a"
        lines.append(
            f"| {d} | {lin['n']} | {old} | {shp['macro_f1']:.3f} / {shp['primary_macro_f1']:.3f} | "
            f"{lin['macro_f1']:.3f} / {lin['primary_macro_f1']:.3f} | {per} |"
        )
    lines += [
        "",
        "Cells: label macro-F1 / primary-label macro-F1. *before*: "
        + (f"`{r['before']}`, " if before else "")
        + "the default before the second round (trained on the seed mentions and the first round's train split).",
    ]
    lines += [
        "",
        "Leave one source out (the linear recipe trained without the source, scored on its test split; "
        "primary-label macro-F1, label macro-F1 in brackets):",
        "",
        "| source left out | in-domain | out of source | change |",
        "|---|---:|---:|---:|",
    ]
    for d, v in r["leave_one_out"].items():
        a, b = v["in_domain"], v["out_of_source"]
        lines.append(
            f"| {d} | {a['primary_macro_f1']:.3f} ({a['macro_f1']:.3f}) | {b['primary_macro_f1']:.3f} "
            f"({b['macro_f1']:.3f}) | {b['primary_macro_f1'] - a['primary_macro_f1']:+.3f} |"
        )
    lines += ["", END]
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    replace_section(path, "\n".join(lines), START, END)


if __name__ == "__main__":
    raise SystemExit(main())
