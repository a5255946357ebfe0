"""Real texts that no gold label covers, split once into a distillation part and a benchmark part.

    python -m training.unlabelled [--data-dir ../shared/data/external]   # prints the pool's sizes

The pool is every text of the permissively licensed external sets in :data:`SOURCES`
that is not in the gold corpus, with retweets and near-copies collapsed (same text once
URLs, handles, ``RT`` and case are set aside) and any text that equals a gold text
dropped, so nothing here can leak a gold test mention. Each text falls in one of two
parts by a hash of its normalised form (so copies always fall together):

- ``distil`` (3 in 4): the teacher's soft labels train the students (``training/distil.py``);
- ``benchmark`` (1 in 4): never trained on by any model of this project, so speed can be
  timed on real texts no model has seen (``benchmarks/``).

HumAID (non-commercial) is not used; the complaints copy in ``complaints_xci_singh2023``
repeats gold tweets and is not used either.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from training.corpora import default_data_dir, read_external

#: Unlabelled sources: (dataset, licence). Gold keys of these sets are left out.
SOURCES = (
    ("crisislex_t26", "MIT"),
    ("tweet_acts_saha2019", "BSD-2-Clause"),
    ("civic_reports_bengaluru", "MIT"),
)
PARTS = ("distil", "benchmark")
BENCHMARK_SHARE = 4  # one text in this many goes to the benchmark part
MIN_WORDS = 3

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_RT = re.compile(r"^\s*rt\b[: ]*", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class PoolText:
    dataset: str
    key: str
    text: str


def normalised(text: str) -> str:
    """The form two copies of one tweet share: no URLs, handles, ``RT`` prefix, case or punctuation."""
    text = _RT.sub("", _HANDLE.sub(" ", _URL.sub(" ", text)))
    return _NON_WORD.sub(" ", text.lower()).strip()


def part_of(norm: str) -> str:
    digest = int.from_bytes(hashlib.sha1(norm.encode("utf-8")).digest()[:4], "big")
    return "benchmark" if digest % BENCHMARK_SHARE == 0 else "distil"


def gold_keys_and_texts(gold_file: Path, data_dir: Path) -> tuple[set[tuple[str, str]], set[str]]:
    with open(gold_file, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    keys = {(r["dataset"], r["key"]) for r in rows}
    texts = set()
    for name in sorted({d for d, _ in keys}):
        items = read_external(name, data_dir)
        texts.update(normalised(items[k].text) for d, k in keys if d == name and k in items)
    return keys, texts


def pool(part: str, data_dir=None, gold_file=None) -> list[PoolText]:
    """The texts of one part (``"distil"`` or ``"benchmark"``), in a fixed order."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    gold_file = Path(gold_file) if gold_file else Path(__file__).resolve().parent / "gold" / "gold.csv"
    gold_keys, gold_texts = gold_keys_and_texts(gold_file, data_dir)
    seen = set(gold_texts)
    out = []
    for name, _licence in SOURCES:
        for key, item in read_external(name, data_dir).items():
            norm = normalised(item.text)
            if (name, key) in gold_keys or norm in seen or len(norm.split()) < MIN_WORDS:
                continue
            seen.add(norm)
            if part_of(norm) == part:
                out.append(PoolText(name, key, item.text.strip()))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--gold", default=None)
    args = parser.parse_args(argv)
    for part in PARTS:
        texts = pool(part, args.data_dir, args.gold)
        counts = Counter(t.dataset for t in texts)
        print(f"{part}: {len(texts)} texts ({', '.join(f'{d} {n}' for d, n in counts.most_common())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
