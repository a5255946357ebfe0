"""Build the linear model from the seed mentions and the gold corpus.

    python -m training.build_default [--data-dir ../shared/data/external] [--output build/linear]

The bundled default (models/default) is the cascade built by training/build_transformer.py
(`make model`), whose fast path is a linear model trained the same way; this recipe builds
the linear model alone (for `make benchmark`, or as a light default with
``--output models/default`` where torch/onnxruntime cannot be installed).

Training data: the seed mentions (illustrative, written for the project) and the gold
corpus's *train* split (real tweets labelled by the codebook, text joined from the
external datasets). The validation set (calibration, thresholds and the choice of the
regularisation C) is a stratified 20% of the gold train split plus 15% of the seed
mentions, so thresholds suit both real tweets and the police domain. The gold *test*
split is only used for the reported metrics. Datasets whose licence forbids commercial use (HumAID) are left out of what
ships, and are still scored in the test split.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from mention_insight.evaluate import format_metrics
from mention_insight.labels import DEFAULT_PRECEDENCE
from mention_insight.train import LabelledData, read_labelled, split, train
from training.corpora import load_gold, weak_labels

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Datasets kept out of the shipped model's training data (licence: non-commercial).
NOT_SHIPPED = ("humaid_maria2017",)
SOURCES = {
    "seed": "training/data/seed_mentions.csv: illustrative mentions written for this project (project licence)",
    "complaints_preotiuc2019": "complaints tweets, Preotiuc-Pietro et al. 2019, as redistributed under MIT in X-CI (Singh et al. 2023); relabelled by our codebook",
    "crisislex_t26": "CrisisLexT26 tweets (MIT), Olteanu et al. 2015; relabelled by our codebook",
    "civic_tweets_bengaluru": "civic tweets, Bengaluru (Naagarik, Shankar & Satish 2020; MIT); labelled by our codebook",
    "civic_reports_bengaluru": "civic reports, Bengaluru (Naagarik, Shankar & Satish 2020; MIT); labelled by our codebook",
    "customer_care_ibm2020": "customer-care tweets (IBM, Ganhotra et al. 2020; Apache-2.0); labelled by our codebook",
    "tweet_acts_saha2019": "tweet acts (Saha et al. 2019; BSD-2-Clause); labelled by our codebook",
}


def gold_sources(gold_file: Path, excluded=NOT_SHIPPED) -> list[str]:
    """The model-card lines of the seed data and of every gold dataset that is trained on."""
    with open(gold_file, encoding="utf-8", newline="") as fh:
        datasets = sorted({row["dataset"] for row in csv.DictReader(fh)} - set(excluded))
    return [SOURCES["seed"], *(SOURCES[d] for d in datasets)]


WEAK_SOURCE = (
    "weak labels, weight 0.3, from the datasets' own labels: GoEmotions gratitude->thanks, neutral->other "
    "(Apache-2.0); CLINC150 thank_you->thanks, oos->other (CC BY 3.0); CrisisLexT26 caution/infrastructure/"
    "affected->shared_info, not related->other (MIT); gold-corpus tweets excluded"
)


WHY = (
    "Linear: the fastest model (`benchmarks/RESULTS.md`) and the only one that needs no optional "
    "packages. The bundled default is the cascade (linear + fine-tuned MiniLM), which scores higher on the "
    "gold test split (docs/accuracy.md)."
)


def gold_without(data: LabelledData, gold_file: Path, excluded) -> LabelledData:
    with open(gold_file, encoding="utf-8", newline="") as fh:
        datasets_by_line = {n: row["dataset"] for n, row in enumerate(csv.DictReader(fh), 2)}
    keep = [i for i, line in enumerate(data.rows) if datasets_by_line[line] not in excluded]
    return data.subset(keep)


def validation_score(data: LabelledData, validation: LabelledData, C: float, seed: int, features: str) -> float:
    """Mean of label and primary macro-F1 on validation for a linear model with this C."""
    from mention_insight.evaluate import evaluate_model
    from mention_insight.model import MentionClassifier

    clf = MentionClassifier(random_state=seed, backend_params={"C": C, "features": features})
    clf.fit(data.texts, data.labels, validation=(validation.texts, validation.labels), sample_weight=data.weights)
    m = evaluate_model(clf, validation.texts, validation.labels)
    return (m["macro_f1"] + m["primary"]["macro_f1"]) / 2


def choose_C(data: LabelledData, validation: LabelledData, candidates, seed: int, features: str) -> float:
    """The C with the best validation score."""
    scores = {C: validation_score(data, validation, C, seed, features) for C in candidates}
    for C, score in scores.items():
        print(f"C={C}: validation score {score:.3f}", file=sys.stderr)
    return max(scores, key=scores.get)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--output", default=str(ROOT / "build" / "linear"))
    parser.add_argument("--backend", default="linear", choices=["linear", "transformer"])
    parser.add_argument(
        "--C",
        default="2,4,8",
        help="Candidate inverse regularisations of the linear backend (best on validation wins).",
    )
    parser.add_argument(
        "--features",
        default="pooled",
        choices=["pooled", "additive", "tfidf"],
        help="Feature weighting of the linear backend (pooled: the fast cached-score path).",
    )
    parser.add_argument(
        "--include-non-commercial", action="store_true", help="Also train on HumAID (not for shipping)."
    )
    parser.add_argument(
        "--weak",
        choices=["auto", "yes", "no"],
        default="auto",
        help="Add the external datasets' own labels mapped to ours, weight 0.3 (auto: if validation improves).",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    gold_file = Path(args.gold)
    seed = read_labelled(args.seed_file)
    gold_train = load_gold(gold_file, args.data_dir, "train")
    gold_test = load_gold(gold_file, args.data_dir, "test")
    excluded = () if args.include_non_commercial else NOT_SHIPPED
    gold_train = gold_without(gold_train, gold_file, excluded)
    fit_part, validation = split(gold_train, 0.2, args.seed + 1, DEFAULT_PRECEDENCE)
    seed_fit, seed_validation = split(seed, 0.15, args.seed + 1, DEFAULT_PRECEDENCE)
    data = seed_fit + fit_part
    data.source = "seed_mentions + gold[train]"
    validation = validation + seed_validation
    sources = gold_sources(gold_file, excluded)
    if not excluded:
        sources.append("HumAID Maria 2017 (CC BY-NC-SA 4.0): NOT for a shipped model")
    backend_params = None
    if args.backend == "linear":
        C = choose_C(data, validation, [float(c) for c in args.C.split(",")], args.seed, args.features)
        backend_params = {"C": C, "features": args.features}
    if args.weak != "no":
        with open(gold_file, encoding="utf-8", newline="") as fh:
            gold_keys = {(row["dataset"], row["key"]) for row in csv.DictReader(fh)}
        weak = weak_labels(args.data_dir, exclude=gold_keys, seed=args.seed)
        use = args.weak == "yes"
        if args.weak == "auto":
            C = (backend_params or {}).get("C", 4.0)
            features = (backend_params or {}).get("features", "pooled")
            scores = {
                name: validation_score(d, validation, C, args.seed, features)
                for name, d in (("without", data), ("with", data + weak))
            }
            print(
                f"weak labels: validation score without {scores['without']:.3f}, with {scores['with']:.3f}",
                file=sys.stderr,
            )
            use = scores["with"] > scores["without"]
        if use:
            data = data + weak
            sources.append(WEAK_SOURCE)
    gold_test.source = f"gold test split ({len(gold_test)} real texts labelled by the codebook; training/gold/gold.csv)"
    result = train(
        data,
        args.output,
        backend=args.backend,
        backend_params=backend_params,
        seed=args.seed,
        validation_data=validation,
        test_data=gold_test,
        sources=sources,
        why=WHY if args.backend == "linear" else None,
        force=True,  # a recipe rebuilds its own output
    )
    print(format_metrics(result.metrics, title=f"gold test split ({result.sizes})"))
    print(json.dumps({"saved": str(result.path), "sizes": result.sizes}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
