"""Throughput and peak memory of classify() and the CLI, beside a plain scikit-learn pipeline.

    python -m benchmarks.run --model build/linear [--n-batch 20000] [--n-single 2000] [--n-cli 100000] [--repeats 5]

``--model`` is the linear model to measure (``make benchmark`` builds it with
``training/build_default.py --output build/linear``: the same recipe as the linear part of
the default); the cascade and transformer are measured by ``benchmarks/transformer.py``.

Every scenario runs in its own fresh process pinned to one CPU core (peak RSS is that
process's own), is repeated ``--repeats`` times, and reports the median. The texts are
variants of the project's own illustrative mentions (seed + sample), made distinct so
that no cache can answer them. The figures go to benchmarks/RESULTS.md (the section
between the ``linear`` markers) and benchmarks/results_linear.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
START, END = "<!-- linear:start -->", "<!-- linear:end -->"


def pin_one_core() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def base_texts() -> list[str]:
    texts = []
    for path, col in (
        (ROOT / "training/data/seed_mentions.csv", "text"),
        (ROOT / "data/samples/mentions_export.csv", "text"),
    ):
        with open(path, encoding="utf-8", newline="") as fh:
            texts += [r[col] for r in csv.DictReader(fh) if r[col].strip()]
    return texts


def make_texts(n: int, seed: int = 0, start: int = 0) -> list[str]:
    """n distinct mention-like texts: a base mention plus words from another one, and a
    number (``start`` .. ``start + n - 1``) that makes each text unique."""
    rng = random.Random(seed)
    base = base_texts()
    words = [w for t in base for w in t.split()]
    return [
        f"{rng.choice(base)} {' '.join(rng.choices(words, k=rng.randint(0, 6)))} {i}" for i in range(start, start + n)
    ]


def training_data():
    from mention_insight.labels import DEFAULT_PRECEDENCE, primary_label
    from mention_insight.train import read_labelled

    data = read_labelled(ROOT / "training/data/seed_mentions.csv")
    return data.texts, [primary_label(ls, DEFAULT_PRECEDENCE) for ls in data.labels]


def plain_pipeline(features: str):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    if features == "word":
        vec = TfidfVectorizer(sublinear_tf=True)
    else:  # the same kinds of features as our linear backend, the scikit-learn way
        vec = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
    texts, labels = training_data()
    return make_pipeline(vec, LogisticRegression(max_iter=1000)).fit(texts, labels)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- scenarios (each in a child process) --------------------------------------------
def scenario(name: str, n: int) -> dict:
    pin_one_core()
    model = os.environ.get("MENTION_INSIGHT_MODEL")
    if name == "classify_batch":
        from mention_insight import classify, load_model

        load_model(model)
        texts = make_texts(n)
        t = time.perf_counter()
        classify(texts)
        return {"per_s": n / (time.perf_counter() - t), "peak_mb": peak_mb()}
    if name == "classify_steady":
        # Steady state: the process has already classified n *other* mentions (another
        # seed, other numbers), as a service or a long file has; then n new ones are timed.
        from mention_insight import classify, load_model

        load_model(model)
        classify(make_texts(n, seed=3, start=n))
        texts = make_texts(n)
        t = time.perf_counter()
        classify(texts)
        return {"per_s": n / (time.perf_counter() - t), "peak_mb": peak_mb()}
    if name == "classify_single":
        from mention_insight import classify, load_model

        load_model(model)
        texts = make_texts(n, seed=1)
        times = []
        for text in texts:
            t = time.perf_counter()
            classify(text)
            times.append(time.perf_counter() - t)
        return {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": sorted(times)[int(0.95 * len(times))] * 1000,
            "per_s": n / sum(times),
            "peak_mb": peak_mb(),
        }
    if name.startswith("sklearn_") and name != "sklearn_cli":
        _, features, mode = name.split("_")
        pipe = plain_pipeline(features)
        texts = make_texts(n, seed=0 if mode != "single" else 1)
        if mode == "steady":  # the same warm-up as classify_steady
            pipe.predict_proba(make_texts(n, seed=3, start=n))
        if mode in ("batch", "steady"):
            t = time.perf_counter()
            pipe.predict_proba(texts)
            return {"per_s": n / (time.perf_counter() - t), "peak_mb": peak_mb()}
        times = []
        for text in texts:
            t = time.perf_counter()
            pipe.predict_proba([text])
            times.append(time.perf_counter() - t)
        return {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": sorted(times)[int(0.95 * len(times))] * 1000,
            "per_s": n / sum(times),
            "peak_mb": peak_mb(),
        }
    if name == "sklearn_cli":
        # The plain baseline of the CLI: read the CSV, predict, write every row back.
        pipe = plain_pipeline("word")
        src, out = DATA / f"mentions_{n}.csv", DATA / "out_sklearn.csv"
        t = time.perf_counter()
        with open(src, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        proba = pipe.predict_proba([r["text"] for r in rows])
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*rows[0], "label", *pipe.classes_])
            for r, p in zip(rows, proba):
                w.writerow([*r.values(), pipe.classes_[p.argmax()], *(f"{x:.4f}" for x in p)])
        return {"per_s": n / (time.perf_counter() - t), "peak_mb": peak_mb()}
    raise SystemExit(f"unknown scenario {name}")


def run_child(name: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--scenario", name, "--n", str(n)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(n: int) -> dict:
    src, out = DATA / f"mentions_{n}.csv", DATA / "out_cli.csv"
    cmd = ["taskset", "-c", "0"] if shutil_which("taskset") else []
    cmd += [str(Path(sys.executable).parent / "mention-insight"), "classify", str(src), "-o", str(out), "--no-progress"]
    cmd += ["--model", os.environ["MENTION_INSIGHT_MODEL"]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"per_s": n / wall, "wall_s": wall, "peak_mb": max(peak, before) / 1024}


def shutil_which(name: str):
    import shutil

    return shutil.which(name)


def write_cli_input(n: int) -> None:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"mentions_{n}.csv"
    if path.exists():
        return
    rng = random.Random(2)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "created_at", "author_username", "text"])
        for i, text in enumerate(make_texts(n, seed=2)):
            w.writerow(
                [
                    i,
                    f"2026-09-{rng.randint(1, 30):02d}T{rng.randint(0, 23):02d}:00:00Z",
                    f"user{rng.randint(1, 5000)}",
                    text,
                ]
            )


def median_of(results: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario")
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--n-batch", type=int, default=20_000)
    parser.add_argument("--n-single", type=int, default=2_000)
    parser.add_argument("--n-cli", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--model", default=str(ROOT / "build" / "linear"), help="The linear model directory to measure."
    )
    args = parser.parse_args(argv)
    if args.scenario:
        print(json.dumps(scenario(args.scenario, args.n)))
        return 0
    os.environ["MENTION_INSIGHT_MODEL"] = str(Path(args.model).resolve())
    write_cli_input(args.n_cli)
    plan = [
        ("classify() batch, first mentions after loading", "classify_batch", args.n_batch),
        ("sklearn Tfidf(word)+LR batch", "sklearn_word_batch", args.n_batch),
        ("classify() batch, steady state (after 20k other mentions)", "classify_steady", args.n_batch),
        ("sklearn Tfidf(word)+LR batch, steady state", "sklearn_word_steady", args.n_batch),
        ("sklearn Tfidf(word 1-2 + char_wb 2-5)+LR batch", "sklearn_wordchar_batch", args.n_batch),
        ("classify() one at a time", "classify_single", args.n_single),
        ("sklearn Tfidf(word)+LR one at a time", "sklearn_word_single", args.n_single),
        ("sklearn CSV in/out script, 100k rows", "sklearn_cli", args.n_cli),
    ]
    results = {}
    for label, name, n in plan:
        results[label] = median_of([run_child(name, n) for _ in range(args.repeats)]) | {"n": n}
        print(label, results[label], file=sys.stderr)
    results[f"mention-insight classify CLI, {args.n_cli // 1000}k rows"] = median_of(
        [run_cli(args.n_cli) for _ in range(args.repeats)]
    ) | {"n": args.n_cli}
    (HERE / "results_linear.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, args)
    return 0


def write_markdown(results: dict, args) -> None:
    import mention_insight

    model = json.loads((Path(os.environ["MENTION_INSIGHT_MODEL"]) / "config.json").read_text())
    lines = [
        START,
        "## Linear backend: classify() and the CLI against plain scikit-learn",
        "",
        f"`make benchmark` ({time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, mention_insight {mention_insight.__version__}, model `{model['model_id']}` "
        f"({model['backend']}); each figure is the median of {args.repeats} runs in fresh processes pinned to one core).",
        "",
        "| scenario | mentions | mentions/s | median ms/call | p95 ms/call | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        med = f"{r['median_ms']:.3f}" if "median_ms" in r else ""
        p95 = f"{r['p95_ms']:.3f}" if "p95_ms" in r else ""
        lines.append(f"| {label} | {r['n']:,} | {r['per_s']:,.0f} | {med} | {p95} | {r['peak_mb']:.0f} |")
    lines += [
        "",
        "Notes: the plain pipelines are fitted on the seed mentions' primary labels; they score one",
        "multinomial model, ours one calibrated model per label plus spaCy tokenisation. The CLI",
        "figure includes start-up, model loading, reading and writing every row.",
        "",
        "Every timed text is new to the process (a unique number ends each). classify() caches work per",
        "distinct whitespace chunk and per distinct token (spaCy's tokenisation, the token's score",
        "vector), never per text: *first mentions after loading* pays for building those caches;",
        "*steady state* is a process that has already classified 20,000 other mentions (another seed,",
        "other numbers), as a service or a long export has. scikit-learn gets the same warm-up.",
        END,
    ]
    from mention_insight.io.atomic import replace_section  # not at the top: workers time their own imports

    replace_section(
        HERE / "RESULTS.md",
        "\n".join(lines),
        START,
        END,
        otherwise=lambda old, block: (
            (old or "# Benchmarks\n\nFigures written by the scripts in this folder.").rstrip("\n")
            + "\n\n"
            + block
            + "\n"
        ),
    )


if __name__ == "__main__":
    raise SystemExit(main())
