"""How much a few hundred labels from a new account help: leave one domain out, adapt, measure.

    python -m training.adaptation_study [--data-dir ../shared/data/external] [--repeats 3]

Each real source of the gold corpus in turn plays the new account. A base model is trained
without it (the linear recipe of ``training.source_study``: seed mentions + every other
shipped source; the shipped cascade cannot be retrained per domain on 2 cores). From the
domain's gold *train* split, 50, 100, 200 and 400 mentions are chosen, by
``mention-insight suggest``'s selection (30% at random, the rest uncertain and diverse) or
all at random, labelled (their gold labels), and used to

* **adapt** the base exactly as ``train --base`` does (the base's scores stacked with the
  domain's n-grams, :class:`~mention_insight.backends.adapted.AdaptedBackend`, calibrated on
  out-of-fold scores), and
* train a linear model on those labels **alone** (no base),

each scored by primary-label macro-F1 on the domain's gold *test* split, beside the
unadapted base. ``--repeats`` different draws give a mean and a spread. Writes
``docs/adaptation.md`` and ``build/adaptation_study.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from mention_insight import MentionClassifier
from mention_insight.adapt import fit_adapted
from mention_insight.evaluate import evaluate_model
from mention_insight.insight.mentions import Mention
from mention_insight.io.atomic import write_text
from mention_insight.labels import DEFAULT_PRECEDENCE
from mention_insight.suggest import choose
from mention_insight.train import LabelledData, read_labelled, split
from training.build_default import NOT_SHIPPED
from training.corpora import load_gold
from training.source_study import by_dataset, fit_linear

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOMAINS = ("civic_tweets_bengaluru", "complaints_preotiuc2019", "customer_care_ibm2020", "tweet_acts_saha2019")
BUDGETS = (50, 100, 200, 400)


def primary_f1(model, data: LabelledData) -> float:
    return float(evaluate_model(model, data.texts, data.labels)["primary"]["macro_f1"])


def as_mentions(model, data: LabelledData) -> list[Mention]:
    preds = model.predict(data.texts)
    return [
        Mention(line=i, text=t, label=p.label, labels=p.labels, scores=dict(p.scores))
        for i, (t, p) in enumerate(zip(data.texts, preds))
    ]


def fit_on(labelled: LabelledData, backend: str, params: dict, seed: int) -> MentionClassifier:
    fit, validation = split(labelled, 0.2, seed + 1, DEFAULT_PRECEDENCE)
    clf = MentionClassifier(backend=backend, backend_params=params, random_state=seed)
    return clf.fit(fit.texts, fit.labels, validation=(validation.texts, validation.labels))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--domains", nargs="+", default=list(DOMAINS))
    parser.add_argument("--budgets", nargs="+", type=int, default=list(BUDGETS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--work", default=str(ROOT / "build" / "adaptation"))
    parser.add_argument("--output", default=str(ROOT / "docs" / "adaptation.md"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gold = Path(args.gold)
    test = by_dataset(load_gold(gold, args.data_dir, "test"), gold)
    train_all = by_dataset(load_gold(gold, args.data_dir, "train"), gold)
    parts = {n: split(d, 0.2, 1, DEFAULT_PRECEDENCE) for n, d in train_all.items() if n not in NOT_SHIPPED}
    seed_fit, seed_val = split(read_labelled(args.seed_file), 0.15, 1, DEFAULT_PRECEDENCE)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"budgets": args.budgets, "repeats": args.repeats, "domains": {}}
    for domain in args.domains:
        t0 = time.perf_counter()
        fit = seed_fit + sum((p[0] for n, p in parts.items() if n != domain), LabelledData([], []))
        val = seed_val + sum((p[1] for n, p in parts.items() if n != domain), LabelledData([], []))
        base = fit_linear(fit, val, args.C, 0)
        base_dir = work / f"base-without-{domain}"
        base.save(base_dir, overwrite=True)
        base_seconds = time.perf_counter() - t0
        pool, evaluation = train_all[domain], test[domain]
        mentions = as_mentions(base, pool)
        thresholds = {lab: float(t) for lab, t in base.thresholds_.items()}
        entry: dict = {
            "pool": len(pool),
            "test": len(evaluation),
            "unadapted": primary_f1(base, evaluation),
            "base_train_seconds": round(base_seconds),
            "runs": {},
        }
        for budget in args.budgets:
            n = min(budget, len(pool))
            for selection in ("suggest", "random"):
                for rep in range(args.repeats):
                    if selection == "random":
                        idx = random.Random(rep).sample(range(len(pool)), n)
                    else:
                        idx = [s.mention.line for s in choose(mentions, thresholds, n, random_share=0.3, seed=rep)]
                    labelled = pool.subset(idx)
                    t1 = time.perf_counter()
                    try:
                        adapted = fit_adapted(labelled, {"base": str(base_dir)}, rep)
                        adapted_f1 = primary_f1(adapted, evaluation)
                    except Exception as exc:  # too few examples of a label in a tiny draw
                        adapted_f1 = None
                        print(f"{domain} {budget} {selection} {rep}: adapted failed ({exc})", flush=True)
                    adapt_seconds = time.perf_counter() - t1
                    try:
                        alone_f1 = primary_f1(fit_on(labelled, "linear", {"C": args.C}, rep), evaluation)
                    except Exception as exc:
                        alone_f1 = None
                        print(f"{domain} {budget} {selection} {rep}: alone failed ({exc})", flush=True)
                    key = f"{budget}/{selection}"
                    entry["runs"].setdefault(key, []).append(
                        {"adapted": adapted_f1, "alone": alone_f1, "adapt_seconds": round(adapt_seconds, 1)}
                    )
                    print(domain, key, rep, adapted_f1, alone_f1, flush=True)
        results["domains"][domain] = entry
    results["seconds"] = round(time.perf_counter() - started)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "adaptation_study.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    write_text(args.output, render(results))
    print(f"wrote {args.output} in {results['seconds']} s")
    return 0


def _mean_sd(values: list) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "–"
    sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
    return f"{statistics.mean(vals):.3f} ± {sd:.3f}"


def render(r: dict) -> str:
    lines = [
        "# Adapting to a new account: how much a few hundred labels help",
        "",
        "Regenerated by `python -m training.adaptation_study` (leave one domain out: each real source of the gold "
        "corpus in turn is the new account; its base model is the linear recipe trained without it; labels come "
        "from the domain's gold train split, scores from its gold test split). Primary-label macro-F1, mean ± "
        f"standard deviation over {r['repeats']} draws. *suggest*: `mention-insight suggest`'s selection (30% "
        "random, the rest uncertain and diverse); *random*: a simple random draw. *adapted*: `train --base` "
        "(the base's scores stacked with the domain's n-grams); *alone*: a linear model on the labels only.",
        "",
    ]
    for domain, e in r["domains"].items():
        lines += [
            f"## {domain}",
            "",
            f"{e['pool']:,} mentions to choose from, {e['test']:,} test mentions; unadapted base: "
            f"**{e['unadapted']:.3f}**.",
            "",
            "| labels | adapted, suggest | adapted, random | alone, suggest | alone, random | gain of adapted+suggest |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for budget in r["budgets"]:
            s, q = e["runs"].get(f"{budget}/suggest", []), e["runs"].get(f"{budget}/random", [])
            gains = [x["adapted"] - e["unadapted"] for x in s if x["adapted"] is not None]
            gain = f"{statistics.mean(gains):+.3f}" if gains else "–"
            lines.append(
                f"| {budget} | {_mean_sd([x['adapted'] for x in s])} | {_mean_sd([x['adapted'] for x in q])} | "
                f"{_mean_sd([x['alone'] for x in s])} | {_mean_sd([x['alone'] for x in q])} | {gain} |"
            )
        seconds = [x["adapt_seconds"] for runs in e["runs"].values() for x in runs]
        lines += [
            "",
            f"One adaptation (fit + calibration on 2 cores) took {statistics.median(seconds):.1f} s (median).",
            "",
        ]
    lines.append(f"Whole study: {r['seconds']} s.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
