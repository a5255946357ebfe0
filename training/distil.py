"""A stronger teacher (an ensemble of fine-tuned MiniLM seeds), distilled into the shipped model sizes.

    python -m training.distil parts [--from models/default]   # the shipped cascade's parts, as models
    python -m training.distil teacher-members --seeds 1 2     # fine-tune extra seeds (~20 min each)
    python -m training.distil scores                          # raw logits of every member, cached
    python -m training.distil linear                          # linear student (minutes)
    python -m training.distil transformer [--n-unlabelled 12000]   # MiniLM student (~40 min)
    python -m training.distil cascade --transformer PATH      # cascades from the students, curve on test
    python -m training.distil report                          # docs/distillation.md from results.json

The data is ``training/build_transformer.py``'s (seed mentions + gold train minus
HumAID; validation = a stratified 20% of gold train; test = the gold test split). The
teacher averages the raw logits of ``--members`` (the shipped transformer's seed 0 plus
the extra seeds) and is calibrated on the validation split like any model. Its
calibrated probabilities on the ``distil`` part of the unlabelled pool
(:mod:`training.unlabelled`) are the soft targets; gold training mentions keep their
gold labels. Students are calibrated and tuned on the same validation split and scored
on the gold test split, beside the same model trained without the soft targets. No test
mention, and no text of the ``benchmark`` part, is ever trained on.

Everything is written under ``--output`` (default ``build/distil``): ``scores.npz``
(member logits), ``results.json`` (every figure), and one model directory per student.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from mention_insight import load_model
from mention_insight.calibration import fit_calibration
from mention_insight.evaluate import compute_metrics, evaluate_model, label_mask
from mention_insight.model import MentionClassifier
from training.build_transformer import default_data, summary
from training.unlabelled import pool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_MEMBERS = (
    str(ROOT / "build" / "transformer-r2" / "transformer"),
    str(ROOT / "build" / "distil" / "teacher-seed1"),
    str(ROOT / "build" / "distil" / "teacher-seed2"),
)
TRANSFORMER_PARAMS = {"epochs": 4, "learning_rate": 8e-5, "seed": 0, "pooling": "cls"}


class MeanOfBackends:
    """The mean raw score of several fitted backends (the teacher; never saved)."""

    def __init__(self, members):
        self.members = list(members)

    def decision_function(self, texts):
        return np.mean([m.decision_function(texts) for m in self.members], axis=0)


def metrics_of(proba: np.ndarray, thresholds: np.ndarray, truth, classes, precedence) -> dict:
    passed = proba >= thresholds
    pred = [[c for c, hit in zip(classes, row) if hit] or ["other"] for row in passed]
    return compute_metrics(truth, pred, precedence)


def load_data(args):
    data, validation, test = default_data(args.data_dir, Path(args.gold), Path(args.seed_file), 0)
    return data, validation, test


# -- stages -------------------------------------------------------------------
def parts(args) -> None:
    """The linear and transformer parts of a shipped cascade, saved as models of their own
    (``<output>/<name>-linear``, ``<output>/<name>-transformer``): a teacher member and a
    cascade part to build on without fine-tuning again."""
    source = load_model(args.source, cache=False)
    name = Path(args.source).name
    for part in ("linear", "transformer"):
        clf = source.cascade_part(part)
        folder = Path(args.output) / f"{name}-{part}"
        clf.save(folder, training={"taken_from": f"{source.model_id} ({part} part)"}, overwrite=True)
        print(f"{folder}: {part} part of {source.model_id}")


def teacher_members(args) -> None:
    from mention_insight.train import train

    data, validation, test = load_data(args)
    for seed in args.seeds:
        started = time.perf_counter()
        result = train(
            data,
            Path(args.output) / f"teacher-seed{seed}",
            backend="transformer",
            backend_params={**TRANSFORMER_PARAMS, "seed": seed, "num_threads": args.threads},
            validation_data=validation,
            test_data=test,
            force=True,
        )
        print(f"seed {seed}: {time.perf_counter() - started:.0f} s", json.dumps(summary(result.metrics)))


def scores(args) -> None:
    """Raw logits of each member on validation, test and the distil pool (the expensive part)."""
    data, validation, test = load_data(args)
    texts = pool("distil", args.data_dir, args.gold)
    out = {}
    for k, member in enumerate(args.members):
        model = load_model(member, cache=False)
        for name, part in (("validation", validation.texts), ("test", test.texts), ("pool", [t.text for t in texts])):
            started = time.perf_counter()
            out[f"m{k}_{name}"] = model.backend_.decision_function(part).astype(np.float32)
            print(f"member {k} {name}: {len(part)} texts in {time.perf_counter() - started:.0f} s", flush=True)
    out["classes"] = np.array(model.classes_)
    np.savez_compressed(Path(args.output) / "scores.npz", **out)


def teacher(args, data=None, validation=None, test=None):
    """The teacher's calibration, its test metrics and its soft targets on the distil pool."""
    if data is None:
        data, validation, test = load_data(args)
    cached = np.load(Path(args.output) / "scores.npz")
    classes = tuple(str(c) for c in cached["classes"])
    precedence = (*classes, "other")
    n = len(args.members)
    raw = {p: np.mean([cached[f"m{k}_{p}"] for k in range(n)], axis=0) for p in ("validation", "test", "pool")}
    cal = fit_calibration(raw["validation"], label_mask(validation.labels, classes), classes)
    results = {"teacher": summary(metrics_of(cal.proba(raw["test"]), cal.thresholds, test.labels, classes, precedence))}
    for k in range(n):  # each member alone, calibrated the same way
        c = fit_calibration(cached[f"m{k}_validation"], label_mask(validation.labels, classes), classes)
        results[f"member {k}"] = summary(
            metrics_of(c.proba(cached[f"m{k}_test"]), c.thresholds, test.labels, classes, precedence)
        )
    return classes, cal.proba(raw["pool"]), results


def _fit_student(backend: str, params: dict, data, validation, soft_texts, soft_Y, weight: float, classes):
    """A MentionClassifier whose backend learns gold labels plus soft targets, tuned on validation."""
    from mention_insight.backends import make_backend

    clf = MentionClassifier(backend=backend, backend_params=params, precedence=(*classes, "other"))
    clf.precedence_ = (*classes, "other")
    clf.classes_ = tuple(classes)
    Y = label_mask(data.labels, classes).astype(np.float32)
    texts = list(data.texts)
    w = np.ones(len(texts), np.float32)
    if soft_texts:
        texts += list(soft_texts)
        Y = np.vstack([Y, soft_Y.astype(np.float32)])
        w = np.concatenate([w, np.full(len(soft_texts), weight, np.float32)])
    clf.backend_ = make_backend(backend, params)
    clf.backend_.fit(texts, Y, sample_weight=w)
    clf.n_train_, clf.n_validation_ = len(texts), len(validation)
    clf.data_fingerprint_ = ""
    return clf.tune(validation.texts, validation.labels)


def _results_file(args) -> Path:
    return Path(args.output) / "results.json"


def _update_results(args, key: str, value) -> None:
    path = _results_file(args)
    doc = json.loads(path.read_text("utf-8")) if path.exists() else {}
    doc[key] = value
    path.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")


def students(args, kind: str) -> None:
    data, validation, test = load_data(args)
    classes, soft, teacher_results = teacher(args, data, validation, test)
    texts = [t.text for t in pool("distil", args.data_dir, args.gold)]
    _update_results(args, "teacher", {**teacher_results, "n_pool": len(texts), "members": list(args.members)})
    rng = np.random.default_rng(0)
    pick = np.sort(rng.permutation(len(texts))[: args.n_unlabelled]) if args.n_unlabelled else np.arange(len(texts))
    soft_texts, soft_Y = [texts[i] for i in pick], soft[pick]
    if kind == "linear":
        runs = {"linear (gold only)": ([], None), "linear (distilled)": (soft_texts, soft_Y)}
        params: dict = {}
    else:
        # the student without distillation is the shipped transformer (seed 0, same data and steps)
        runs = {"MiniLM (distilled)": (soft_texts, soft_Y)}
        params = {**TRANSFORMER_PARAMS, "num_threads": args.threads, "epochs": args.epochs, "progress": False}
    for name, (st, sy) in runs.items():
        started = time.perf_counter()
        clf = _fit_student(kind, params, data, validation, st, sy, args.soft_weight, classes)
        seconds = time.perf_counter() - started
        metrics = evaluate_model(clf, test.texts, test.labels)
        folder = name.split(" (")[0].lower().replace("minilm", "transformer") + ("-distilled" if st else "-gold")
        training = {
            "distillation": {
                "teacher_members": list(args.members),
                "n_soft": len(st),
                "soft_weight": args.soft_weight,
                "pool": "training.unlabelled distil part",
            }
            if st
            else None
        }
        clf.save(Path(args.output) / folder, metrics={"held_out": metrics}, training=training, overwrite=True)
        entry = {**summary(metrics), "n_soft": len(st), "train_seconds": round(seconds, 1), "model": folder}
        _update_results(args, name, entry)
        print(name, json.dumps(entry), flush=True)


def cascades(args) -> None:
    """Cascades of a linear part in front of a transformer part, each at several transformer
    shares; gold-test figures, and throughput on unseen real texts (the benchmark pool).

    Each candidate is built from parts loaded afresh, so no cache carries over from another
    candidate, and it is timed on ``--repeats`` disjoint chunks of ``--n-speed`` benchmark
    texts it has never seen (the same chunks, in the same order, for every candidate); the
    share sent to the transformer is read after the timing."""
    from mention_insight.backends.cascade import CascadeBackend

    data, validation, test = load_data(args)
    bench = [t.text for t in pool("benchmark", args.data_dir, args.gold)]
    if args.n_speed * args.repeats > len(bench):
        raise SystemExit(f"--n-speed x --repeats exceeds the {len(bench):,} benchmark texts")
    rng = np.random.default_rng(1)
    order = rng.permutation(len(bench))
    chunks = [[bench[i] for i in order[k * args.n_speed : (k + 1) * args.n_speed]] for k in range(args.repeats)]

    def part(name: str):
        return load_model(Path(args.output) / name if not Path(name).exists() else name, cache=False)

    results = {}
    for pair in args.pairs:
        lin_dir, tra_dir = pair.split("+")
        for share in args.shares:
            lin, tra = part(lin_dir), part(tra_dir)
            tra.backend_.num_threads = args.threads
            Yv = label_mask(validation.labels, lin.classes_)
            backend = CascadeBackend.from_parts(
                lin.backend_, tra.backend_, (validation.texts, Yv), max_transformer_share=share
            )
            clf = MentionClassifier(backend="cascade", backend_params=backend.get_params(), precedence=lin.precedence_)
            clf.backend_, clf.classes_, clf.precedence_ = backend, lin.classes_, lin.precedence_
            clf.n_train_, clf.n_validation_, clf.data_fingerprint_ = lin.n_train_, len(validation), ""
            clf.tune(validation.texts, validation.labels)
            val_metrics = evaluate_model(clf, validation.texts, validation.labels)
            metrics = evaluate_model(clf, test.texts, test.labels)
            speeds = []
            for chunk in chunks:
                started = time.perf_counter()
                clf.predict(chunk)
                speeds.append(len(chunk) / (time.perf_counter() - started))
            _, unsure = backend.route([t for chunk in chunks for t in chunk])
            name = f"cascade {lin_dir} + {tra_dir}, share <= {share}"
            entry = {
                **summary(metrics),
                "validation": summary(val_metrics),
                "cutoff": backend.cutoff_,
                "benchmark_transformer_share": float(unsure.mean()),
                "mentions_per_s": {"median": float(np.median(speeds)), "min": min(speeds), "max": max(speeds)},
            }
            results[name] = entry
            print(name, json.dumps(entry), flush=True)
            if args.save_as and name == args.save_as:
                training = {"why": args.why} if args.why else None
                clf.save(
                    Path(args.output) / "cascade-chosen",
                    metrics={"held_out": metrics},
                    training=training,
                    overwrite=True,
                )
    _update_results(args, "cascades", results)
    write_report(args)


def write_report(args) -> None:
    """docs/distillation.md from results.json: the teacher, the students, the cascades."""
    from mention_insight.io.atomic import write_text

    doc = json.loads(_results_file(args).read_text("utf-8"))
    lines = [
        "# Distillation: teacher, students and cascades",
        "",
        "Regenerated by `python -m training.distil report` from `build/distil/results.json` (the stages "
        "`parts`, `scores`, `linear` and `cascade` write it). Label and primary-label macro-F1 on the gold test "
        "split; cascades are chosen on validation, so their validation figures are given too; mentions/s is the "
        "median (lowest - highest) over disjoint chunks of distinct unseen real texts (the benchmark part of the "
        "unlabelled pool), each candidate built from freshly loaded parts, on 2 cores.",
        "",
    ]
    teacher = doc.get("teacher", {})
    if teacher:
        t = teacher["teacher"]
        lines += [
            f"Teacher: {', '.join(teacher.get('members', []))} (soft labels for {teacher.get('n_pool', 0):,} "
            f"unlabelled texts): {t['macro_f1']:.3f} / {t['primary_macro_f1']:.3f}.",
            "",
        ]
    students = [(k, v) for k, v in doc.items() if k.startswith(("linear (", "MiniLM ("))]
    if students:
        lines += ["| student | soft-labelled texts | label macro-F1 | primary macro-F1 |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v['n_soft']:,} | {v['macro_f1']:.3f} | {v['primary_macro_f1']:.3f} |" for k, v in students]
        lines.append("")
    cascades = doc.get("cascades", {})
    if cascades:
        lines += [
            "| cascade | sent to the transformer (unseen texts) | test label / primary | validation label / primary "
            "| mentions/s |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, c in cascades.items():
            v, speed = c["validation"], c["mentions_per_s"]
            lines.append(
                f"| {name} | {c['benchmark_transformer_share']:.0%} | {c['macro_f1']:.3f} / {c['primary_macro_f1']:.3f} "
                f"| {v['macro_f1']:.3f} / {v['primary_macro_f1']:.3f} | {speed['median']:,.0f} "
                f"({speed['min']:,.0f} - {speed['max']:,.0f}) |"
            )
    write_text(ROOT / "docs" / "distillation.md", "\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "stage",
        choices=["parts", "teacher-members", "scores", "teacher", "linear", "transformer", "cascade", "report"],
    )
    parser.add_argument(
        "--pairs",
        nargs="+",
        default=["linear-distilled+transformer-distilled"],
        help="cascade: LINEAR+TRANSFORMER dirs.",
    )
    parser.add_argument("--shares", nargs="+", type=float, default=[0.05, 0.1, 0.15, 0.2, 0.3, 0.5])
    parser.add_argument("--n-speed", type=int, default=3000, help="cascade: unseen texts to time on.")
    parser.add_argument("--repeats", type=int, default=3, help="cascade: disjoint chunks of --n-speed texts.")
    parser.add_argument("--why", help="cascade: the reason for the choice, written into the saved card.")
    parser.add_argument("--save-as", help="cascade: save the candidate with this name as cascade-chosen/.")
    parser.add_argument("--from", dest="source", default=str(ROOT / "models" / "default"), help="parts: a cascade.")
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--gold", default=str(HERE / "gold" / "gold.csv"))
    parser.add_argument("--seed-file", default=str(HERE / "data" / "seed_mentions.csv"))
    parser.add_argument("--output", default=str(ROOT / "build" / "distil"))
    parser.add_argument("--members", nargs="+", default=list(DEFAULT_MEMBERS), help="Teacher member models.")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2], help="teacher-members: seeds to fine-tune.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=float, default=2, help="transformer student: epochs over gold + soft.")
    parser.add_argument("--n-unlabelled", type=int, default=0, help="Soft-labelled texts to use (0: all).")
    parser.add_argument("--soft-weight", type=float, default=1.0, help="Weight of a soft-labelled text.")
    args = parser.parse_args(argv)
    Path(args.output).mkdir(parents=True, exist_ok=True)
    if args.stage == "parts":
        parts(args)
    elif args.stage == "teacher-members":
        teacher_members(args)
    elif args.stage == "scores":
        scores(args)
    elif args.stage == "teacher":
        _, _, results = teacher(args)
        print(json.dumps(results, indent=2))
    elif args.stage == "cascade":
        cascades(args)
    elif args.stage == "report":
        write_report(args)
    else:
        students(args, args.stage)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
