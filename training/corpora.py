"""Readers for the external research datasets and the gold corpus built on them.

The external text is never copied into this repository: the gold labels in
``training/gold/`` are keyed by ``(dataset, key)`` and joined here with the text read
from a data directory (by default ``../shared/data/external`` beside the project).
Each reader returns ``{key: ExternalItem}``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from mention_insight.errors import InputFormatError
from mention_insight.train import LabelledData

DATASETS = ("complaints_preotiuc2019", "humaid_maria2017", "crisislex_t26", "goemotions", "clinc150_oos")


@dataclass(frozen=True)
class ExternalItem:
    """One text of an external dataset with the dataset's own label and split."""

    text: str
    label: str
    split: str = ""
    extra: str = ""


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "external"


def _need(path: Path) -> Path:
    if not path.exists():
        raise InputFormatError(
            f"external data not found at {path}; pass the folder that holds the external datasets "
            "(e.g. --data-dir ../shared/data/external)."
        )
    return path


def read_complaints(data_dir: Path) -> dict[str, ExternalItem]:
    path = _need(Path(data_dir) / "complaints_preotiuc2019" / "complaints-data.csv")
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return {r[0]: ExternalItem(r[1], r[2], "", r[3]) for r in csv.reader(fh) if len(r) == 4}


def read_humaid(data_dir: Path) -> dict[str, ExternalItem]:
    path = _need(Path(data_dir) / "humaid_maria2017" / "humaid_maria_2017.csv")
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return {r["tweet_id"]: ExternalItem(r["tweet_text"], r["class_label"], r["split"]) for r in csv.DictReader(fh)}


def read_crisislex(data_dir: Path) -> dict[str, ExternalItem]:
    folder = _need(Path(data_dir) / "crisislex_t26")
    out = {}
    for path in sorted(folder.glob("*-tweets_labeled.csv")):
        event = path.name.replace("-tweets_labeled.csv", "")
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for r in reader:
                if len(r) >= 5:
                    tid, text, _source, info_type, informativeness = (x.strip() for x in r[:5])
                    out[f"{event}:{tid}"] = ExternalItem(text, info_type, "", informativeness)
    return out


def read_goemotions(data_dir: Path) -> dict[str, ExternalItem]:
    folder = _need(Path(data_dir) / "goemotions")
    names = (folder / "labels.txt").read_text("utf-8").split()
    out = {}
    for split in ("train", "dev", "test"):
        with open(folder / f"{split}.tsv", encoding="utf-8", newline="") as fh:
            for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(r) >= 3:
                    labels = ";".join(names[int(i)] for i in r[1].split(",") if i)
                    out[r[2]] = ExternalItem(r[0], labels, split)
    return out


def read_clinc(data_dir: Path) -> dict[str, ExternalItem]:
    path = _need(Path(data_dir) / "clinc150_oos" / "data_full.json")
    doc = json.loads(path.read_text("utf-8"))
    out = {}
    for part, items in doc.items():
        split = part.replace("oos_", "")
        for i, (text, intent) in enumerate(items):
            out[f"{part}:{i}"] = ExternalItem(text, intent, split)
    return out


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(_need(path), encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh))


def read_civic_tweets(data_dir: Path) -> dict[str, ExternalItem]:
    rows = _csv_rows(Path(data_dir) / "civic_tweets_bengaluru" / "civic_tweets.csv")
    return {r["id"]: ExternalItem(r["text"], r["category"], "", r["collected_for"]) for r in rows}


def read_civic_reports(data_dir: Path) -> dict[str, ExternalItem]:
    rows = _csv_rows(Path(data_dir) / "civic_tweets_bengaluru" / "civic_reports.csv")
    return {r["id"]: ExternalItem(r["text"], r["category"]) for r in rows}


def read_customer_care(data_dir: Path) -> dict[str, ExternalItem]:
    """Customer turns keyed ``conversation:turn``; ``extra`` holds the earlier turns as context."""
    rows = _csv_rows(Path(data_dir) / "customer_care_ibm2020" / "customer_tweets.csv")
    rows.sort(key=lambda r: (r["conversation"], int(r["turn"])))
    out, context, conversation = {}, [], None
    for r in rows:
        if r["conversation"] != conversation:
            conversation, context = r["conversation"], []
        if r["role"] == "customer":
            out[f"{r['conversation']}:{r['turn']}"] = ExternalItem(
                r["text"], r["company"], r["split"], "\n".join(context)
            )
        context.append(f"{r['role']}: {r['text']}")
    return out


def read_tweet_acts(data_dir: Path) -> dict[str, ExternalItem]:
    rows = _csv_rows(Path(data_dir) / "tweet_acts_saha2019" / "tweet_acts.csv")
    return {r["id"]: ExternalItem(r["text"], r["act"]) for r in rows}


READERS = {
    "complaints_preotiuc2019": read_complaints,
    "humaid_maria2017": read_humaid,
    "crisislex_t26": read_crisislex,
    "goemotions": read_goemotions,
    "clinc150_oos": read_clinc,
    "civic_tweets_bengaluru": read_civic_tweets,
    "civic_reports_bengaluru": read_civic_reports,
    "customer_care_ibm2020": read_customer_care,
    "tweet_acts_saha2019": read_tweet_acts,
}


def read_external(name: str, data_dir=None) -> dict[str, ExternalItem]:
    if name not in READERS:
        raise InputFormatError(f"unknown external dataset {name!r}; expected one of {', '.join(READERS)}.")
    return READERS[name](Path(data_dir) if data_dir else default_data_dir())


def load_gold(gold_file, data_dir=None, split: str | None = None) -> LabelledData:
    """Gold labels (``dataset,key,labels,split`` rows) joined with their external text."""
    gold_file = Path(gold_file)
    with open(gold_file, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cache: dict[str, dict[str, ExternalItem]] = {}
    texts, labels, lines, missing = [], [], [], []
    for n, row in enumerate(rows, 2):
        if split is not None and row["split"] != split:
            continue
        if row["dataset"] not in cache:  # each external dataset is read once
            cache[row["dataset"]] = read_external(row["dataset"], data_dir)
        items = cache[row["dataset"]]
        item = items.get(row["key"])
        if item is None:
            missing.append(f"{row['dataset']}:{row['key']}")
            continue
        texts.append(item.text)
        labels.append(row["labels"].split(";"))
        lines.append(n)
    if missing:
        raise InputFormatError(
            f"{len(missing)} gold keys have no text in the external data (e.g. {missing[0]}); "
            "is --data-dir the right folder?"
        )
    return LabelledData(texts, labels, lines, source=f"{gold_file.name}[{split or 'all'}]")


#: The external datasets' own labels mapped to ours, for weak (down-weighted) training
#: data. Only permissively licensed sets; HumAID (non-commercial) is not used.
WEAK_MAPPINGS: dict[str, dict[str, str]] = {
    "goemotions": {"gratitude": "thanks", "neutral": "other"},
    "clinc150_oos": {"thank_you": "thanks", "oos": "other"},
    "crisislex_t26": {
        "Caution and advice": "shared_info",
        "Infrastructure and utilities": "shared_info",
        "Affected individuals": "shared_info",
        "Not related": "other",
    },
}


def weak_labels(
    data_dir=None,
    *,
    exclude: set[tuple[str, str]] = frozenset(),
    per_label: int = 400,
    weight: float = 0.3,
    seed: int = 0,
    splits: tuple[str, ...] = ("train", ""),
) -> LabelledData:
    """Up to ``per_label`` examples per (dataset, mapped label), weighted ``weight``.

    ``exclude`` holds (dataset, key) pairs never to use (the gold corpus, so that no gold
    test text leaks into training); only the datasets' training splits are used.
    """
    import random

    rng = random.Random(seed)
    texts, labels = [], []
    for name, mapping in WEAK_MAPPINGS.items():
        items = read_external(name, data_dir)
        by_label: dict[str, list[str]] = {}
        for key, item in sorted(items.items()):
            if (name, key) in exclude or item.split not in splits:
                continue
            own = "Not related" if name == "crisislex_t26" and item.extra == "Not related" else item.label
            if name == "goemotions" and ";" in own:
                continue  # single-label comments only: a clean mapping
            ours = mapping.get(own)
            if ours is not None and sum(c.isascii() for c in item.text) >= 0.9 * len(item.text):
                by_label.setdefault(ours, []).append(item.text)
        for ours, pool in sorted(by_label.items()):
            for text in rng.sample(pool, min(per_label, len(pool))):
                texts.append(text)
                labels.append([ours])
    return LabelledData(texts, labels, weights=[weight] * len(texts), source="weak external labels")
