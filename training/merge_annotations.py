"""Merge an annotation round into the keyed gold corpus (``training/gold/``).

Reads what :mod:`training.deal_batches` dealt and the annotators wrote (outside the
repository, under ``--labelling``):

- ``assignment.csv`` and ``out/<annotator>/batch_NN.csv`` (``item,labels``);
- ``adjudication/out.csv`` (``item,labels,ruling``): final labels where two annotators differed;
- ``recheck/out/part_N.csv`` (``item,old_labels,new_labels,rule``): the first round's labels
  re-read against the codebook's newer rules.

and writes, keyed by ``(dataset, key)`` (no external text is copied):

- ``annotations.csv``: every individual annotation (the agreement study reads it);
- ``adjudications.csv``: the adjudicator's rulings;
- ``relabels.csv``: every label the re-check changed, with the rule that changed it;
- ``gold.csv``: one row per item with its final labels, a fixed test split and how it was
  annotated. New datasets get a 20% test split, stratified by primary label, with exact
  duplicates (after folding case, links, handles and digits) kept on one side. Items already
  in the gold corpus keep their split, so the old test split stays the same tweets.

Usage: python -m training.merge_annotations --labelling /tmp/labelling
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from mention_insight.labels import DEFAULT_PRECEDENCE, primary_label
from training.corpora import read_external

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold"
SEED = 20261203
TEST_SHARE = 0.2
ADJUDICATOR = "A16"
RECHECKER = "A15"


def _sorted_labels(labels: str) -> str:
    return ";".join(sorted(set(labels.split(";")), key=DEFAULT_PRECEDENCE.index))


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, columns)
        w.writeheader()
        w.writerows(rows)


def _fold(text: str) -> str:
    text = re.sub(r"(https?://|www\.)\S+|@\w+|\d+", " ", text.lower())
    return " ".join(re.findall(r"[a-z']+", text))


def split_new(items: dict[tuple[str, str], str], data_dir) -> dict[tuple[str, str], str]:
    """A 20% test split per dataset, stratified by primary label, duplicates kept together."""
    rng = random.Random(SEED)
    out = {}
    by_dataset: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in items:
        by_dataset[item[0]].append(item)
    for dataset, keys in sorted(by_dataset.items()):
        texts = read_external(dataset, data_dir)
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for item in sorted(keys):
            groups[_fold(texts[item[1]].text) or item[1]].append(item)
        strata: dict[str, list[list[tuple[str, str]]]] = defaultdict(list)
        for members in groups.values():
            strata[primary_label(items[members[0]].split(";"), DEFAULT_PRECEDENCE)].append(members)
        for _label, stratum in sorted(strata.items()):
            rng.shuffle(stratum)
            want = round(TEST_SHARE * sum(len(g) for g in stratum))
            taken = 0
            for members in stratum:
                side = "test" if taken < want else "train"
                taken += len(members) if side == "test" else 0
                for item in members:
                    out[item] = side
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labelling", type=Path, default=Path("/tmp/labelling"))
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args(argv)
    root = args.labelling

    # 1. every annotation of the new round
    given: dict[tuple[str, str, str], str] = {}
    for path in sorted(root.glob("out/A*/batch_*.csv")):
        annotator = path.parent.name
        for row in _read(path):
            dataset, key = row["item"].split("|", 1)
            given[(dataset, key, annotator)] = _sorted_labels(row["labels"])
    roles: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in _read(root / "assignment.csv"):
        item = (row["dataset"], row["key"])
        roles[item][row["role"]] = given[(*item, row["annotator"])]  # KeyError: an unlabelled item
    annotations = [r for r in _read(GOLD / "annotations.csv") if r["annotator"] not in {f"A{i}" for i in range(8, 15)}]
    annotations += [{"dataset": d, "key": k, "annotator": a, "labels": lab} for (d, k, a), lab in sorted(given.items())]

    # 2. adjudicated disagreements
    adjudicated = {}
    for row in _read(root / "adjudication" / "out.csv"):
        dataset, key = row["item"].split("|", 1)
        adjudicated[(dataset, key)] = (_sorted_labels(row["labels"]), row["ruling"])
    new_items: dict[tuple[str, str], str] = {}
    how: dict[tuple[str, str], str] = {}
    for item, r in roles.items():
        if "double" not in r:
            new_items[item], how[item] = r["primary"], "single"
        elif set(r["primary"].split(";")) == set(r["double"].split(";")):
            new_items[item], how[item] = r["primary"], "double_agreed"
        else:
            new_items[item], how[item] = adjudicated[item][0], "adjudicated"  # KeyError: not adjudicated

    # 3. the re-check of the first round
    gold = _read(GOLD / "gold.csv")
    index = {(r["dataset"], r["key"]): r for r in gold}
    relabels = []
    for path in sorted((root / "recheck" / "out").glob("part_*.csv")):
        for row in _read(path):
            dataset, key = row["item"].split("|", 1)
            old, new = _sorted_labels(row["old_labels"]), _sorted_labels(row["new_labels"])
            g = index[(dataset, key)]
            if _sorted_labels(g["labels"]) != old:
                raise SystemExit(f"{dataset}|{key}: the re-check saw {old}, gold.csv has {g['labels']}")
            if new != old:
                relabels.append(
                    {
                        "dataset": dataset,
                        "key": key,
                        "old_labels": old,
                        "new_labels": new,
                        "rule": row["rule"],
                        "annotator": RECHECKER,
                    }
                )
                g["labels"] = new
                if g["annotation"] in ("single", "double_agreed", "adjudicated"):
                    g["annotation"] += "+rechecked"

    # 4. the new items, with their fixed split
    new_only = {item: labels for item, labels in new_items.items() if item not in index}
    split = split_new(new_only, args.data_dir)
    gold += [
        {"dataset": d, "key": k, "labels": labels, "split": split[(d, k)], "annotation": how[(d, k)]}
        for (d, k), labels in sorted(new_only.items())
    ]

    _write(GOLD / "annotations.csv", ["dataset", "key", "annotator", "labels"], annotations)
    _write(
        GOLD / "adjudications.csv",
        ["dataset", "key", "annotator", "labels", "ruling"],
        [
            {"dataset": d, "key": k, "annotator": ADJUDICATOR, "labels": lab, "ruling": ruling}
            for (d, k), (lab, ruling) in sorted(adjudicated.items())
        ],
    )
    _write(GOLD / "relabels.csv", ["dataset", "key", "old_labels", "new_labels", "rule", "annotator"], relabels)
    _write(GOLD / "gold.csv", ["dataset", "key", "labels", "split", "annotation"], gold)
    counts = Counter((r["dataset"], r["split"]) for r in gold)
    for (dataset, part), n in sorted(counts.items()):
        print(f"{dataset:28} {part:5} {n}")
    print(f"{len(gold)} gold items; {len(relabels)} first-round labels changed by the re-check")


if __name__ == "__main__":
    main()
