"""Which mentions to label: a random share, plus the ones the model is least sure of, spread out.

:func:`suggest` (``mention-insight suggest``) reads an export, scores every public mention
with the model and picks ``n`` of them to label by hand:

* **random** (``random_share`` of ``n``, 30% by default): a simple random sample of *all*
  the public mentions the report counts, retweets and repeats included. These labels are
  unbiased: the report's prediction-powered counts (``--labelled-sample``) and an honest
  estimate of the model's accuracy on this account may use them. Only these rows are
  random; label them all.
* **uncertain**: the mentions closest to a decision threshold of any label (the smallest
  margin between a calibrated score and its threshold): where a label teaches the model most.
* **diverse**: from a pool of the next most uncertain mentions, k-centre greedy over TF-IDF
  vectors of their words picks those farthest from everything already chosen, so the
  labels do not all cover one topic (the selection small-text calls "discriminative
  representation"; Prodigy's ``textcat.teach`` sorts by uncertainty alone).

Retweets (``RT @``) and near-duplicates (the same words once handles, links and case are
set aside) are never suggested by the model-driven part. The output is the input's id and
text columns, an empty ``labels`` column and a ``why`` column, in a shuffled order, as a
spreadsheet-safe CSV; the user's export is never written.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .api import ModelLike, resolve_model
from .errors import MentionInsightError
from .insight.mentions import Mention
from .io.safety import check_output
from .io.writer import RowWriter

_RETWEET = re.compile(r"^\s*RT\s+@\w+", re.IGNORECASE)
_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|[^\w\s]")
#: The model-driven picks come from this many times their number of most uncertain mentions.
POOL_FACTOR = 5


@dataclass(frozen=True)
class Suggestion:
    mention: Mention
    why: str  # "random", "uncertain" or "diverse"
    margin: float  # distance of the closest score to its threshold


def near_duplicate_key(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text.lower()).split())


def margins(mentions: Sequence[Mention], thresholds: dict[str, float]) -> np.ndarray:
    """Per mention, the smallest |score - threshold| over the labels (small: unsure)."""
    out = np.ones(len(mentions))
    for i, m in enumerate(mentions):
        gaps = [abs(float(m.scores[lab]) - t) for lab, t in thresholds.items() if m.scores.get(lab) is not None]
        out[i] = min(gaps) if gaps else 1.0
    return out


def k_centre_greedy(vectors, chosen: list[int], candidates: list[int], k: int) -> list[int]:
    """``k`` of ``candidates``, each the farthest (cosine) from everything chosen so far."""
    if k <= 0 or not candidates:
        return []
    cand = vectors[candidates]
    if chosen:
        sims = (cand @ vectors[chosen].T).toarray() if hasattr(cand, "toarray") else cand @ vectors[chosen].T
        nearest = 1.0 - np.asarray(sims).max(axis=1)
    else:
        nearest = np.full(len(candidates), np.inf)
    picked: list[int] = []
    for _ in range(min(k, len(candidates))):
        j = int(np.argmax(nearest))
        if nearest[j] == -np.inf:
            break
        picked.append(candidates[j])
        sims = cand @ vectors[candidates[j]].T
        sims = np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims).ravel()
        nearest = np.minimum(nearest, 1.0 - sims)
        nearest[j] = -np.inf
    return picked


def choose(
    mentions: Sequence[Mention], thresholds: dict[str, float], n: int, random_share: float = 0.3, seed: int = 0
) -> list[Suggestion]:
    """The ``n`` mentions to label (fewer if there are fewer), each with why it was chosen."""
    if not 0 <= random_share <= 1:
        raise MentionInsightError(f"--random-share must be between 0 and 1, not {random_share}")
    if n < 1:
        raise MentionInsightError(f"-n must be at least 1, not {n}")
    rng = random.Random(seed)
    n = min(n, len(mentions))
    n_random = round(n * random_share)
    picked_random = rng.sample(range(len(mentions)), n_random)
    taken = set(picked_random)
    seen = {near_duplicate_key(mentions[i].text) for i in picked_random}
    margin = margins(mentions, thresholds)
    eligible = []
    for i in np.argsort(margin, kind="stable"):
        i = int(i)
        key = near_duplicate_key(mentions[i].text)
        if i in taken or key in seen or not key or _RETWEET.match(mentions[i].text):
            continue
        seen.add(key)
        eligible.append(i)
    n_model = n - n_random
    n_uncertain = (n_model + 1) // 2
    uncertain = eligible[:n_uncertain]
    pool = eligible[n_uncertain : n_uncertain + POOL_FACTOR * (n_model - n_uncertain)]
    diverse: list[int] = []
    if pool and n_model > n_uncertain:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [near_duplicate_key(m.text) for m in mentions]
        vectors = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit_transform(docs)
        diverse = k_centre_greedy(vectors, picked_random + uncertain, pool, n_model - n_uncertain)
    out = [Suggestion(mentions[i], "random", float(margin[i])) for i in picked_random]
    out += [Suggestion(mentions[i], "uncertain", float(margin[i])) for i in uncertain]
    out += [Suggestion(mentions[i], "diverse", float(margin[i])) for i in diverse]
    rng.shuffle(out)
    return out


@dataclass
class SuggestResult:
    suggestions: list[Suggestion]
    written: Path | None
    eligible: int  # public mentions it chose from

    def summary(self) -> str:
        counts = {w: sum(s.why == w for s in self.suggestions) for w in ("random", "uncertain", "diverse")}
        parts = ", ".join(f"{n} {w}" for w, n in counts.items())
        return (
            f"{len(self.suggestions)} of {self.eligible} public mentions suggested ({parts}); fill in the labels "
            "column (';' between several labels, 'other' alone). The random rows are a random sample: pass the "
            "labelled file to 'report --labelled-sample' for estimated counts."
        )


def suggest(
    export,
    output,
    *,
    n: int = 200,
    model: ModelLike = None,
    random_share: float = 0.3,
    seed: int = 0,
    force: bool = False,
    input_format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    skip_rows: int | None = None,
) -> SuggestResult:
    """Pick ``n`` mentions of ``export`` to label and write them to ``output`` (CSV)."""
    from .impact import load_mentions

    columns = ["id", "text", "labels", "why", "model_id"]
    check_output(output, [export], kind="suggestions", force=force, header=columns)
    clf = resolve_model(model)
    data = load_mentions(
        export, model=clf, input_format=input_format, encoding=encoding, text_column=text_column, skip_rows=skip_rows
    )
    public = [m for m in data.mentions if m.usable and not m.is_account_post and m.text.strip()]
    if not public:
        raise MentionInsightError(f"{export} holds no public mention to suggest (every row is empty or an own post).")
    thresholds = {lab: float(t) for lab, t in clf.thresholds_.items()}
    chosen = choose(public, thresholds, n, random_share, seed)
    with RowWriter(output, "csv", columns) as w:
        for s in chosen:
            w.write(
                {"id": s.mention.id or "", "text": s.mention.text, "labels": "", "why": s.why, "model_id": clf.model_id}
            )
    return SuggestResult(chosen, None if str(output) == "-" else Path(output), len(public))
