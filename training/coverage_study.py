"""Do the report's intervals keep their promise? A coverage study on the gold test split.

    python -m training.coverage_study [--model models/default] [--reps 1000]

The gold test split (real tweets labelled by the codebook, never trained or tuned on) plays
the part of a user's mentions. Each replicate draws an "export" of ``--export-size``
mentions from it, splits the export at random into four "weeks", and draws a simple random
labelled sample of 100, 150 or 300 of the export's mentions, as a user would label with
``mention-insight suggest``'s random share. Every label's count is then estimated three ways:

* **prediction-powered** (:mod:`mention_insight.insight.ppi`, tuned coefficient): the
  estimator the report is moving to;
* **sample only**: the labelled sample scaled up (the same formula with coefficient 0);
* **current**: the adjusted classify-and-count with a parametric bootstrap
  (:mod:`mention_insight.insight.estimate`), fed the error rates measured on the same sample.

For the whole export, for one week, and for the change between two weeks, it reports how
often the 95% interval contains the true count (coverage), the mean interval width and the
mean error of the point estimate (bias). The model's scores are computed once; the
replicates only resample. Writes the coverage section of ``docs/report.md`` and
``build/coverage_study.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from mention_insight import load_model
from mention_insight.insight.estimate import ErrorRates, estimate_count
from mention_insight.insight.ppi import domain_count, domain_difference
from mention_insight.io.atomic import replace_section
from training.build_transformer import default_data

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
METHODS = ("prediction-powered", "sample only", "current")
SCOPES = ("whole export", "one week", "week-on-week change")


def scores_and_truth(model_dir: str | None, data_dir: str, gold: Path, seed_file: Path):
    """Each test mention's score and truth per label (``other`` included), and the model id."""
    _, _, test = default_data(data_dir, gold, seed_file, 0)
    model = load_model(model_dir, cache=False)
    preds = model.predict(test.texts)
    labels = [*model.classes_, model.fallback_label]
    F = np.array([[p.scores[lab] for lab in labels] for p in preds], dtype=float)
    P = np.array([[lab in p.labels for lab in labels] for p in preds], dtype=bool)
    Y = np.array([[lab in set(t) for lab in labels] for t in test.labels], dtype=bool)
    return labels, np.clip(F, 0, 1), P, Y, model.model_id


def _current(y, p, observed, total) -> tuple[float, float, float]:
    tp, fp, fn = int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p))
    e = estimate_count(observed, total, ErrorRates(tp, fp, fn, y.size), n_boot=500)
    return e.estimate, e.low, e.high


def run(labels, F, P, Y, *, export_size: int, sizes, reps: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    N = export_size
    rows = {}  # (scope, n, label, method) -> list of (estimate, low, high, truth)
    for n in sizes:
        for _ in range(reps):
            export = rng.choice(len(F), size=N, replace=False)
            week = rng.integers(0, 4, size=N)
            sample = rng.choice(N, size=n, replace=False)
            for j, lab in enumerate(labels):
                f, p, y = F[export, j], P[export, j], Y[export, j]
                ys, fs, ps, ws = y[sample].astype(float), f[sample], p[sample], week[sample]
                cases = {
                    "whole export": (np.ones(n, bool), np.ones(N, bool)),
                    "one week": (ws == 0, week == 0),
                }
                for scope, (gs, gall) in cases.items():
                    truth = float(y[gall].sum())
                    for method in METHODS:
                        if method == "current":  # as the report does: the whole sample's error rates
                            est = _current(ys.astype(bool), ps, int(p[gall].sum()), int(gall.sum()))
                        else:
                            c = domain_count(
                                ys,
                                fs,
                                float(f[gall].sum()),
                                N,
                                domain_size=int(gall.sum()),
                                in_domain_sample=gs,
                                lam=None if method == "prediction-powered" else 0.0,
                            )
                            est = (c.estimate, c.low, c.high)
                        rows.setdefault((scope, n, lab, method), []).append((*est, truth))
                # week 0 against week 1
                truth = float(y[week == 0].sum() - y[week == 1].sum())
                d = domain_difference(ys, fs, ws == 0, ws == 1, float(f[week == 0].sum()), float(f[week == 1].sum()), N)
                rows.setdefault(("week-on-week change", n, lab, "prediction-powered"), []).append(
                    (d.estimate, d.low, d.high, truth)
                )
                g0, g1 = ws == 0, ws == 1
                d0 = domain_difference(ys, np.zeros(n), g0, g1, 0.0, 0.0, N)  # coefficient 0: sample only
                rows.setdefault(("week-on-week change", n, lab, "sample only"), []).append(
                    (d0.estimate, d0.low, d0.high, truth)
                )
    out = {}
    for (scope, n, lab, method), vals in rows.items():
        a = np.array(vals)
        out.setdefault(scope, {}).setdefault(str(n), {}).setdefault(lab, {})[method] = {
            "coverage": float(np.mean((a[:, 1] <= a[:, 3]) & (a[:, 3] <= a[:, 2]))),
            "mean_width": float(np.mean(a[:, 2] - a[:, 1])),
            "bias": float(np.mean(a[:, 0] - a[:, 3])),
            "mean_abs_error": float(np.mean(np.abs(a[:, 0] - a[:, 3]))),
            "mean_truth": float(np.mean(a[:, 3])),
        }
    return out


def markdown(results: dict, info: dict) -> str:
    lines = [
        START,
        "## Do the intervals hold? (coverage study)",
        "",
        f"`python -m training.coverage_study` ({info['date']}, model `{info['model_id']}`, {info['reps']} replicates "
        f"per sample size, exports of {info['export_size']} mentions drawn from the {info['pool']:,} gold test "
        "tweets, each split at random into four weeks; a random labelled sample of the export's mentions). "
        "Coverage is the share of replicates whose 95% interval contains the true count (target: at least "
        "0.93); width is the mean interval width in mentions; bias the mean error of the point estimate.",
        "",
    ]
    for scope in SCOPES:
        if scope not in results:
            continue
        lines += [
            f"### {scope}",
            "",
            "| sample | label | mean true count | "
            + " | ".join(f"{m}: coverage / width / bias" for m in METHODS)
            + " |",
            "|---:|---|---:|" + "---:|" * len(METHODS),
        ]
        for n, per_label in results[scope].items():
            for lab, per_method in per_label.items():
                cells = []
                for m in METHODS:
                    r = per_method.get(m)
                    cells.append(
                        f"{r['coverage']:.3f} / {r['mean_width']:.0f} / {r['bias']:+.1f}" if r else "(not computed)"
                    )
                truth = next(iter(per_method.values()))["mean_truth"]
                lines.append(f"| {n} | {lab} | {truth:.0f} | " + " | ".join(cells) + " |")
        lines.append("")
    worst = min(
        r["prediction-powered"]["coverage"] for per_n in results.values() for pl in per_n.values() for r in pl.values()
    )
    narrower = [
        r["prediction-powered"]["mean_width"] < r["sample only"]["mean_width"]
        for per_n in results.values()
        for pl in per_n.values()
        for r in pl.values()
    ]
    lines += [
        f"Lowest coverage of the prediction-powered intervals in any row: **{worst:.3f}**; narrower on average "
        f"than the sample-only interval in {sum(narrower)} of {len(narrower)} rows.",
        END,
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="Model directory (default: the bundled model).")
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--export-size", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 150, 300])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs", default=str(ROOT / "docs" / "report.md"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    labels, F, P, Y, model_id = scores_and_truth(args.model, args.data_dir, Path(args.gold), Path(args.seed_file))
    results = run(labels, F, P, Y, export_size=args.export_size, sizes=args.sizes, reps=args.reps, seed=args.seed)
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "model_id": model_id,
        "reps": args.reps,
        "export_size": args.export_size,
        "pool": len(F),
        "seconds": round(time.perf_counter() - started),
    }
    out = ROOT / "build" / "coverage_study.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"info": info, "results": results}, indent=2) + "\n", "utf-8")
    replace_section(Path(args.docs), markdown(results, info), START, END)
    print(f"{out} and {args.docs} written in {info['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
