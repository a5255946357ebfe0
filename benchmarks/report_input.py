"""Classified exports of any size for the report benchmarks, from real texts and real scores.

    python -m benchmarks.report_input --rows 1000000 -o benchmarks/data/classified_1m.csv [--data-dir ../shared/data/external]

The texts are the ``benchmark`` part of the unlabelled external tweets and reports (never
trained on), classified once by the bundled default model, so every row's labels and
scores are the model's real output for its text. Rows cycle through those texts (a report
holds no model cache to flatter: repeats only make the theme counts larger), each with its
own id, and the export's structure is drawn with a fixed seed: 8 neighbourhood accounts,
authors from a heavy-tailed distribution (a few write often, most once), dates over 26
weeks with a daily rhythm, and about 3% of rows the accounts' own replies to an earlier
mention (``in_reply_to_id``), so reply times are measured too.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SCORED = DATA / "benchmark_pool_scored.jsonl"
ACCOUNTS = [
    f"NPT_{name}"
    for name in ("Didsbury", "Withington", "Chorlton", "Fallowfield", "Levenshulme", "Burnage", "Rusholme", "Gorton")
]
AREAS = [a.removeprefix("NPT_") for a in ACCOUNTS]


def scored_pool(data_dir: str | None) -> list[dict]:
    """The pool's texts with the default model's labels and scores (classified once, then read back)."""
    if SCORED.exists():
        return [json.loads(line) for line in SCORED.read_text(encoding="utf-8").splitlines()]
    from mention_insight import classify, load_model
    from training.unlabelled import pool

    texts = [t.text for t in pool("benchmark", data_dir)]
    random.Random(0).shuffle(texts)
    model = load_model()
    rows = []
    for text, p in zip(texts, classify(texts, model=model)):
        rows.append(
            {"text": text, "label": p.label, "labels": list(p.labels), "scores": p.scores, "model_id": model.model_id}
        )
    DATA.mkdir(exist_ok=True)
    SCORED.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows


def write_export(path: Path, rows: int, scored: list[dict], seed: int = 0) -> None:
    rng = random.Random(seed)
    labels = list(scored[0]["scores"])
    header = [
        "id", "created_at", "author_username", "author_name", "account", "area", "in_reply_to_id", "text",
        "label", "labels", *(f"score_{lab}" for lab in labels), "model_id", "error",
    ]  # fmt: skip
    start = datetime(2026, 3, 2, tzinfo=UTC)
    span = 26 * 7 * 86400
    recent: list[tuple[int, float]] = []
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i in range(rows):
            k = rng.randrange(len(ACCOUNTS))
            t = start + timedelta(seconds=rng.random() * span)
            if recent and rng.random() < 0.03:  # an account's own reply to an earlier mention
                target, when = recent[rng.randrange(len(recent))]
                reply_at = datetime.fromtimestamp(when, UTC) + timedelta(minutes=rng.expovariate(1 / 90))
                s = scored[i % len(scored)]
                out.writerow(
                    [10**12 + i, reply_at.isoformat(), ACCOUNTS[k], "Neighbourhood team", ACCOUNTS[k], AREAS[k],
                     target, "Thanks, we have passed this on.", "other", "other",
                     *(f"{s['scores'][lab] if lab == 'other' else 0.0:.4f}" for lab in labels), s["model_id"], ""]
                )  # fmt: skip
                continue
            s = scored[i % len(scored)]
            author = min(int(rng.paretovariate(1.1)), 200_000)
            handle = f"user{author}_{rng.randrange(3)}" if author > 20 else f"regular{author}"
            out.writerow(
                [10**12 + i, t.isoformat(), handle, f"Person {author}", ACCOUNTS[k], AREAS[k], "",
                 f"@{ACCOUNTS[k]} {s['text']}", s["label"], ";".join(s["labels"]),
                 *(f"{s['scores'][lab]:.4f}" for lab in labels), s["model_id"], ""]
            )  # fmt: skip
            if rng.random() < 0.1:
                recent.append((10**12 + i, t.timestamp()))
                if len(recent) > 5000:
                    recent.pop(0)
    tmp.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--data-dir", default=None, help="The external datasets (default: ../shared/data/external).")
    args = parser.parse_args(argv)
    write_export(args.output, args.rows, scored_pool(args.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
