"""Throughput and peak memory of classify() and the CLI, beside plain scikit-learn pipelines.

    python -m benchmarks.run --model build/linear [--data-dir ../shared/data/external] [--repeats 5]

``--model`` is the linear model to measure (``make benchmark`` builds it with
``training/build_default.py --output build/linear``: the same recipe as the linear part of
the default); the cascade and transformer are measured by ``benchmarks/transformer.py``.

The texts are real: the ``benchmark`` part of the unlabelled tweets and reports in the
external datasets (:mod:`training.unlabelled`), distinct, never trained on, never labelled,
each timed text new to the process that classifies it (the batch and steady-state scenarios
use disjoint slices; the warm-up of the steady state is another slice). Every scenario runs
in its own fresh process pinned to one CPU core (peak RSS is that process's own); the
scenarios are interleaved (all of them once, then all again, ``--repeats`` times), and each
figure is the median with the lowest and highest run beside it. The plain baselines are a
scikit-learn word TF-IDF pipeline and one with the *same kinds of features* as ours (word
1-2-grams and character 2-5-grams). The figures go to benchmarks/RESULTS.md (the section
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


POOL = DATA / "benchmark_pool.txt"


def write_pool(data_dir: str | None) -> int:
    """The benchmark texts, shuffled once with a fixed seed, one JSON string per line."""
    from training.unlabelled import pool

    texts = [t.text for t in pool("benchmark", data_dir)]
    random.Random(0).shuffle(texts)
    DATA.mkdir(exist_ok=True)
    POOL.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    return len(texts)


def make_texts(n: int, start: int = 0) -> list[str]:
    """``n`` distinct real texts from position ``start`` of the pool."""
    with open(POOL, encoding="utf-8") as fh:
        texts = [json.loads(line) for line in fh]
    if start + n > len(texts):
        raise SystemExit(f"the pool has {len(texts):,} texts; {start + n:,} asked for: lower --n-batch/--n-single")
    return texts[start : start + n]


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
        # Steady state: the process has already classified n *other* mentions, as a service
        # or a long file has; then n new ones are timed.
        from mention_insight import classify, load_model

        load_model(model)
        classify(make_texts(n, start=n))
        texts = make_texts(n)
        t = time.perf_counter()
        classify(texts)
        return {"per_s": n / (time.perf_counter() - t), "peak_mb": peak_mb()}
    if name == "classify_single":
        from mention_insight import classify, load_model

        load_model(model)
        texts = make_texts(n, start=2 * int(os.environ.get("BENCH_N_BATCH", "0")))
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
        single_start = 2 * int(os.environ.get("BENCH_N_BATCH", "0"))
        texts = make_texts(n) if mode != "single" else make_texts(n, start=single_start)
        if mode == "steady":  # the same warm-up as classify_steady
            pipe.predict_proba(make_texts(n, start=n))
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
        for i, text in enumerate(make_texts(n)):
            w.writerow(
                [
                    i,
                    f"2026-09-{rng.randint(1, 30):02d}T{rng.randint(0, 23):02d}:00:00Z",
                    f"user{rng.randint(1, 5000)}",
                    text,
                ]
            )


def median_of(results: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in results) for k in results[0]}
    out["per_s_min"] = min(r["per_s"] for r in results)
    out["per_s_max"] = max(r["per_s"] for r in results)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario")
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument(
        "--n-batch", type=int, default=4_000, help="Texts per batch scenario (x2 for the steady state)."
    )
    parser.add_argument("--n-single", type=int, default=1_000)
    parser.add_argument("--n-cli", type=int, default=0, help="Rows for the CLI scenarios (default: the whole pool).")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=None, help="The external datasets (default: ../shared/data/external).")
    parser.add_argument(
        "--model", default=str(ROOT / "build" / "linear"), help="The linear model directory to measure."
    )
    args = parser.parse_args(argv)
    if args.scenario:
        print(json.dumps(scenario(args.scenario, args.n)))
        return 0
    os.environ["MENTION_INSIGHT_MODEL"] = str(Path(args.model).resolve())
    os.environ["BENCH_N_BATCH"] = str(args.n_batch)
    size = write_pool(args.data_dir)
    if 2 * args.n_batch + args.n_single > size:
        raise SystemExit(f"the pool has {size:,} texts: 2 x --n-batch + --n-single must fit")
    n_cli = args.n_cli or size
    for stale in DATA.glob("mentions_*.csv"):
        stale.unlink()
    write_cli_input(n_cli)
    nb = args.n_batch
    plan = [
        ("classify() batch, first mentions after loading", "classify_batch", nb),
        ("sklearn Tfidf(word)+LR batch", "sklearn_word_batch", nb),
        ("sklearn Tfidf(word 1-2 + char_wb 2-5)+LR batch (our kinds of features)", "sklearn_wordchar_batch", nb),
        (f"classify() batch, steady state (after {nb:,} other mentions)", "classify_steady", nb),
        ("sklearn Tfidf(word)+LR batch, steady state", "sklearn_word_steady", nb),
        ("sklearn Tfidf(word 1-2 + char_wb 2-5)+LR batch, steady state", "sklearn_wordchar_steady", nb),
        ("classify() one at a time", "classify_single", args.n_single),
        ("sklearn Tfidf(word)+LR one at a time", "sklearn_word_single", args.n_single),
        ("sklearn Tfidf(word 1-2 + char_wb 2-5)+LR one at a time", "sklearn_wordchar_single", args.n_single),
        (f"sklearn CSV in/out script, {n_cli:,} rows", "sklearn_cli", n_cli),
    ]
    cli_label = f"mention-insight classify CLI, {n_cli:,} rows"
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in plan} | {cli_label: []}
    load_before = os.getloadavg()
    for rep in range(args.repeats):  # interleaved: every scenario once per round
        for label, name, n in plan:
            runs[label].append(run_child(name, n))
        runs[cli_label].append(run_cli(n_cli))
        print(f"round {rep + 1} of {args.repeats} done", file=sys.stderr)
    sizes = {label: n for label, _, n in plan} | {cli_label: n_cli}
    results = {label: median_of(rs) | {"n": sizes[label]} for label, rs in runs.items()}
    results["_machine"] = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "pool_texts": size,
    }
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
        f"({model['backend']}); {results['_machine']['pool_texts']:,} distinct real texts never trained on "
        f"(the benchmark part of the unlabelled external tweets and reports); each figure is the median of "
        f"{args.repeats} runs in fresh processes pinned to one core, the scenarios interleaved, lowest and highest "
        f"run beside it; load average before {results['_machine']['load_average_before']}, after "
        f"{results['_machine']['load_average_after']}).",
        "",
        "| scenario | mentions | mentions/s (median) | lowest – highest | median ms/call | p95 ms/call | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        if label.startswith("_"):
            continue
        med = f"{r['median_ms']:.3f}" if "median_ms" in r else ""
        p95 = f"{r['p95_ms']:.3f}" if "p95_ms" in r else ""
        spread = f"{r['per_s_min']:,.0f} – {r['per_s_max']:,.0f}"
        lines.append(f"| {label} | {r['n']:,} | {r['per_s']:,.0f} | {spread} | {med} | {p95} | {r['peak_mb']:.0f} |")
    lines += [
        "",
        "Notes: the plain pipelines are fitted on the seed mentions' primary labels; they score one",
        "multinomial model, ours one calibrated model per label plus spaCy tokenisation. The CLI",
        "figures include start-up, model loading, reading and writing every row.",
        "",
        "No text is timed twice in a process, and the batch, warm-up and one-at-a-time texts are",
        "disjoint slices of the pool. classify() caches work per distinct whitespace chunk and per",
        "distinct token, never per text: *first mentions after loading* pays for building those",
        "caches; *steady state* is a process that has already classified as many other real mentions,",
        "as a service or a long export has. scikit-learn gets the same warm-up.",
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
