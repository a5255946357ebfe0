"""Deal the second annotation round into reading batches (text stays outside the repository).

Chooses the items (all civic tweets, all customer turns of the IBM conversations, every
``@``-addressed tweet-act tweet, a category-stratified sample of civic reports), picks a 10%
(+ a margin) double-annotation sample per dataset, and deals everything to annotators so that
no annotator sees an item twice. Writes, under ``--out``:

- ``batches/<annotator>/batch_NN.txt``: the texts to read (item id, context, text);
- ``assignment.csv``: ``dataset,key,annotator,role`` (role ``primary`` or ``double``).

Usage: python -m training.deal_batches --data-dir ../shared/data/external --out /tmp/labelling
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

from training.corpora import read_external

SEED = 20261203
ANNOTATORS = [f"A{i}" for i in range(8, 15)]  # A1-A6 annotated the first round
DOUBLE_SHARE = 0.105
BATCH = 100


def choose_items(data_dir) -> dict[str, list[str]]:
    rng = random.Random(SEED)
    chosen = {
        "civic_tweets_bengaluru": sorted(read_external("civic_tweets_bengaluru", data_dir)),
        "customer_care_ibm2020": sorted(read_external("customer_care_ibm2020", data_dir)),
    }
    acts = read_external("tweet_acts_saha2019", data_dir)
    chosen["tweet_acts_saha2019"] = sorted(k for k, v in acts.items() if v.text.startswith("@"))
    reports = read_external("civic_reports_bengaluru", data_dir)
    by_cat: dict[str, list[str]] = defaultdict(list)
    for k, v in sorted(reports.items()):
        by_cat[v.label].append(k)
    total = sum(len(v) for v in by_cat.values())
    picked = []
    for _category, keys in sorted(by_cat.items()):  # proportional, at least 10 per category where possible
        n = min(len(keys), max(10, round(600 * len(keys) / total)))
        picked += rng.sample(keys, n)
    chosen["civic_reports_bengaluru"] = sorted(picked)
    return chosen


def deal(chosen: dict[str, list[str]]) -> list[tuple[str, str, str, str]]:
    rng = random.Random(SEED + 1)
    rows = []
    for dataset, keys in chosen.items():
        keys = list(keys)
        rng.shuffle(keys)
        n_double = int(len(keys) * DOUBLE_SHARE) + 1
        for i, key in enumerate(keys):
            first = i % len(ANNOTATORS)
            rows.append((dataset, key, ANNOTATORS[first], "primary"))
            if i < n_double:
                second = (first + 1 + rng.randrange(len(ANNOTATORS) - 1)) % len(ANNOTATORS)
                rows.append((dataset, key, ANNOTATORS[second], "double"))
    return rows


def write(rows, data_dir, out: Path) -> None:
    texts = {name: read_external(name, data_dir) for name in {r[0] for r in rows}}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "assignment.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "key", "annotator", "role"])
        w.writerows(rows)
    rng = random.Random(SEED + 2)
    per: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for dataset, key, annotator, _role in rows:
        per[annotator].append((dataset, key))
    for annotator, items in per.items():
        rng.shuffle(items)  # doubles mixed in: an annotator cannot tell which items are doubled
        folder = out / "batches" / annotator
        folder.mkdir(parents=True, exist_ok=True)
        for b in range(0, len(items), BATCH):
            lines = []
            for dataset, key in items[b : b + BATCH]:
                item = texts[dataset][key]
                lines.append(f"=== {dataset}|{key}")
                if dataset == "customer_care_ibm2020" and item.extra:
                    lines.append("CONTEXT (earlier turns):")
                    lines += ["  " + t.replace("\n", "\n  ") for t in item.extra.split("\n")]
                lines.append("TEXT: " + item.text.replace("\n", " / "))
                lines.append("")
            (folder / f"batch_{b // BATCH + 1:02d}.txt").write_text("\n".join(lines), "utf-8")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/labelling"))
    args = ap.parse_args(argv)
    chosen = choose_items(args.data_dir)
    rows = deal(chosen)
    write(rows, args.data_dir, args.out)
    for dataset, keys in chosen.items():
        d = sum(1 for r in rows if r[0] == dataset and r[3] == "double")
        print(f"{dataset}: {len(keys)} items, {d} double-annotated")
    print(f"{len(rows)} readings for {len(ANNOTATORS)} annotators -> {args.out}")


if __name__ == "__main__":
    main()
