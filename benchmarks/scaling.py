"""Report memory and time at 100k and 1M rows, and the Dask engine's scaling on 1 and 2 workers.

    python -m benchmarks.scaling [--data-dir ../shared/data/external] [--repeats 3]

Inputs (built once under benchmarks/data/, see :mod:`benchmarks.report_input`):

* classified exports of 100,000 and 1,000,000 rows (real texts with the default model's
  real scores; heavy-tailed authors, 8 accounts, 26 weeks, 3% replies), as one CSV (the
  single-process ``report``) and as a Parquet dataset of 4 parts (``--engine dask``);
* a raw export of every distinct unlabelled real text no model of this project was trained
  on (both parts of :mod:`training.unlabelled`; the shipped default was trained on gold
  labels only), in 4 CSV files, for ``classify``.

Every scenario is a whole command (``mention-insight report`` / ``classify``) in a fresh
process; peak memory is the largest sum of resident memory over the command's process tree
(Dask's workers included), sampled every 0.1 s. Scenarios run interleaved, ``--repeats``
rounds; each figure is the median with the lowest and highest run. The plain baseline of
``report`` is pandas reading the same CSV and counting labels per account and week: the
least any report must do. The section between the ``scaling`` markers of RESULTS.md is
rewritten.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
START, END = "<!-- scaling:start -->", "<!-- scaling:end -->"
CLI = str(Path(sys.executable).parent / "mention-insight")
PARTS = 4


def _split_parquet(csv_path: Path, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if folder.is_dir() and len(list(folder.glob("part.*.parquet"))) == PARTS:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        names = next(csv.reader(fh))
    table = pcsv.read_csv(
        csv_path,
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False),
    )
    size = -(-table.num_rows // PARTS)
    for i in range(PARTS):
        pq.write_table(table.slice(i * size, size), folder / f"part.{i:05d}.parquet", row_group_size=50_000)


def _raw_export(data_dir: str | None) -> tuple[Path, int]:
    folder = DATA / "raw_unseen"
    if folder.is_dir() and len(list(folder.glob("*.csv"))) == PARTS:
        return folder, sum(sum(1 for _ in open(f, encoding="utf-8")) - 1 for f in folder.glob("*.csv"))
    import random

    from training.unlabelled import pool

    texts = [t.text for part in ("distil", "benchmark") for t in pool(part, data_dir)]
    texts = [t for t in texts if "\n" not in t and "\r" not in t]  # split CSV parts by line safely
    random.Random(0).shuffle(texts)
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(texts) // PARTS)
    for i in range(PARTS):
        with open(folder / f"export_{i}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "text"])
            for j, t in enumerate(texts[i * size : (i + 1) * size]):
                w.writerow([i * size + j + 1, t])
    with open(DATA / "raw_unseen.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for j, t in enumerate(texts):
            w.writerow([j + 1, t])
    return folder, len(texts)


def measure(cmd: list[str]) -> dict:
    """Wall time and peak resident memory of a command's whole process tree."""
    import psutil

    t = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        total = 0
        with contextlib.suppress(psutil.Error):
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.1)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return {"wall_s": wall, "peak_mb": peak / 2**20}


def pandas_baseline(path: str) -> None:
    import pandas as pd

    df = pd.read_csv(path, usecols=["created_at", "account", "labels"], dtype=str, keep_default_na=False)
    week = pd.to_datetime(df["created_at"], utc=True, format="ISO8601").dt.to_period("W")
    exploded = df.assign(week=week, label=df["labels"].str.split(";")).explode("label")
    exploded.groupby(["account", "week", "label"]).size().to_json(os.devnull)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", choices=["report", "classify"], help="Rerun these scenarios; keep the others' last figures."
    )
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline:
        pandas_baseline(args.baseline)
        return 0
    from benchmarks.report_input import scored_pool, write_export

    scored = None
    inputs = {}
    for rows, tag in ((100_000, "100k"), (1_000_000, "1m")):
        path = DATA / f"classified_{tag}.csv"
        if not path.exists():
            scored = scored or scored_pool(args.data_dir)
            write_export(path, rows, scored)
        _split_parquet(path, DATA / f"classified_{tag}_parts")
        inputs[rows] = path
    raw, n_raw = _raw_export(args.data_dir)
    out = DATA / "scaling_out"
    out.mkdir(exist_ok=True)
    plan: list[tuple[str, str, int, list[str]]] = []
    for rows, path in inputs.items():
        parts = str(DATA / f"classified_{'100k' if rows == 100_000 else '1m'}_parts")
        rep = ["-o", str(out / "r.html"), "--force", "--formats", "json,html"]
        plan += [
            ("report", "pandas read + count (plain baseline)", rows, [sys.executable, "-m", "benchmarks.scaling", "--baseline", str(path)]),
            ("report", "mention-insight report, one process", rows, [CLI, "report", str(path), *rep]),
            ("report", "report --engine dask, 1 worker", rows, [CLI, "report", parts, *rep, "--engine", "dask", "--workers", "1"]),
            ("report", "report --engine dask, 2 workers", rows, [CLI, "report", parts, *rep, "--engine", "dask", "--workers", "2"]),
        ]  # fmt: skip
    cls = ["--force", "--no-progress"]
    plan += [
        ("classify", "mention-insight classify, one process", n_raw, [CLI, "classify", str(DATA / "raw_unseen.csv"), "-o", str(out / "c.csv"), *cls]),
        ("classify", "classify --engine dask, 1 worker", n_raw, [CLI, "classify", str(raw / "*.csv"), "-o", str(out / "c1"), "--engine", "dask", "--workers", "1", "--force"]),
        ("classify", "classify --engine dask, 2 workers", n_raw, [CLI, "classify", str(raw / "*.csv"), "-o", str(out / "c2"), "--engine", "dask", "--workers", "2", "--force"]),
    ]  # fmt: skip
    kept: list[dict] = []
    if args.only:
        previous = json.loads((HERE / "results_scaling.json").read_text())["results"]
        kept = [r for r in previous if r["kind"] != args.only]
        plan = [p for p in plan if p[0] == args.only]
    runs: dict[tuple, list[dict]] = {(kind, label, n): [] for kind, label, n, _ in plan}
    load_before = os.getloadavg()
    for rep_i in range(args.repeats):
        for kind, label, n, cmd in plan:
            runs[(kind, label, n)].append(measure(cmd))
        print(f"round {rep_i + 1} of {args.repeats} done", file=sys.stderr)
    results = list(kept)
    for (kind, label, n), rs in runs.items():
        walls = [r["wall_s"] for r in rs]
        results.append(
            {
                "kind": kind,
                "scenario": label,
                "rows": n,
                "wall_s": statistics.median(walls),
                "wall_min": min(walls),
                "wall_max": max(walls),
                "rows_per_s": n / statistics.median(walls),
                "peak_mb": statistics.median(r["peak_mb"] for r in rs),
            }
        )
    machine = {"load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()]}
    order = {k: i for i, k in enumerate(["report", "classify"])}
    results.sort(key=lambda r: (order[r["kind"]], r["rows"]))
    (HERE / "results_scaling.json").write_text(json.dumps({"results": results, "machine": machine}, indent=2) + "\n")
    write_markdown(results, machine, args, n_raw)
    return 0


def write_markdown(results: list[dict], machine: dict, args, n_raw: int) -> None:
    import mention_insight
    from mention_insight.io.atomic import replace_section

    lines = [
        START,
        "## Report memory and the Dask engine's scaling",
        "",
        f"`python -m benchmarks.scaling` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, mention_insight "
        f"{mention_insight.__version__}, default model; load average before {machine['load_before']}, after "
        f"{machine['load_after']}). Whole commands in fresh processes, interleaved, {args.repeats} rounds: median "
        "wall time with the lowest and highest run; peak memory is the largest resident memory of the command's "
        "whole process tree (Dask's scheduler and workers included).",
        "",
        "Report inputs: classified exports of real texts with the default model's real scores (`benchmarks/report_input.py`); "
        f"the Dask runs read the same rows as a Parquet dataset of {PARTS} parts. Classify input: {n_raw:,} distinct real "
        f"texts no model of this project was trained on, in {PARTS} CSV files (one file for the single process).",
        "",
        "| command | rows | wall s (median) | lowest – highest | rows/s | peak memory MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['scenario']} | {r['rows']:,} | {r['wall_s']:.1f} | {r['wall_min']:.1f} – {r['wall_max']:.1f} | "
            f"{r['rows_per_s']:,.0f} | {r['peak_mb']:.0f} |"
        )
    lines += ["", END]
    replace_section(
        HERE / "RESULTS.md",
        "\n".join(lines),
        START,
        END,
        otherwise=lambda old, block: (old or "# Benchmarks\n").rstrip("\n") + "\n\n" + block + "\n",
    )


if __name__ == "__main__":
    raise SystemExit(main())
