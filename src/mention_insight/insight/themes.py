"""What people talk about: places, hashtags and themes per label.

Texts should be redacted first, so that no name becomes a theme. Places come from a
spaCy :class:`EntityRuler` fed with a place list (the bundled South Manchester list,
or ``--places FILE``); with ``en_core_web_sm`` installed, its GPE/LOC/FAC entities count
as places too and its noun chunks as themes. Without it (the default install), themes
are the most frequent content-word pairs and words (stop words, placeholders, places and
the accounts' own names left out). Each phrase counts once per mention.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ReportError
from ..text import HANDLE_PATTERN
from .pii_patterns import PLACEHOLDER_PATTERN

HASHTAG = re.compile(r"(?<!\w)#(\w{2,})")
EXTRA_STOP = frozenset(
    [
        "please",
        "thanks",
        "thank",
        "cheers",
        "hi",
        "hello",
        "just",
        "got",
        "get",
        "really",
        "still",
        "need",
        "know",
        "like",
        "one",
        "two",
        "also",
        "lot",
        "lol",
        "yes",
        "today",
        "tonight",
        "yesterday",
        "night",
        "morning",
        "week",
        "weeks",
        "day",
        "days",
        "time",
        "last",
        "again",
        "x",
        "xx",
        "amp",
        "rt",
        "dm",
        "im",
        "ive",
        "dont",
        "cant",
        "someone",
        "anyone",
        "can",
        "could",
        "would",
        "will",
        "going",
        "went",
        "come",
        "came",
        "see",
        "saw",
        "said",
        "say",
        "people",
        "guys",
        "mate",
        "road",
        "rd",
        "street",
        "outside",
        "round",
        "look",
        "officer",
        "officers",
        "pcso",
        "pc",
        "sgt",
        "police",
        "team",
        "lovely",
        "great",
        "good",
        "bit",
        "way",
        "thing",
        "things",
    ]
)


@dataclass(frozen=True)
class Themes:
    """Top places, hashtags and themes among some mentions, as (phrase, mentions) pairs."""

    places: list[tuple[str, int]]
    hashtags: list[tuple[str, int]]
    themes: list[tuple[str, int]]
    #: Mentions read, and of how many: when fewer were read (a random sample), the counts
    #: are scaled to the whole and are estimates.
    read: int = 0
    of: int = 0

    @property
    def sampled(self) -> bool:
        return self.read < self.of

    def as_dict(self) -> dict:
        out: dict = {
            k: [{"phrase": p, "mentions": n} for p, n in getattr(self, k)] for k in ("places", "hashtags", "themes")
        }
        if self.sampled:
            out["estimated_from_sample"] = {"read": self.read, "of": self.of}
        return out


def read_places(path: str | Path | None = None) -> list[str]:
    """A place list: one name per line, '#' comments and blank lines skipped."""
    if path is None:
        text = (
            resources.files("mention_insight").joinpath("resources/places_manchester.txt").read_text(encoding="utf-8")
        )
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ReportError(
                f"place list {path} not found; expected a text file with one place name per line."
            ) from None
        except UnicodeDecodeError:
            raise ReportError(f"place list {path} is not UTF-8 text; save it as UTF-8, one place per line.") from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@functools.lru_cache(maxsize=4)
def _pipeline(places: tuple[str, ...]):
    from ..text import import_spacy

    spacy = import_spacy()

    try:
        import en_core_web_sm  # optional

        nlp = en_core_web_sm.load(exclude=["lemmatizer"])
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
        full = True
    except (ImportError, OSError):
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        full = False
    ruler.add_patterns([{"label": "PLACE", "pattern": p} for p in places])
    return nlp, full


def _canonical(places: Sequence[str]) -> dict[str, str]:
    return {p.lower(): p for p in places}


def extract_themes(
    texts: Iterable[str], places: Sequence[str], *, stop: Iterable[str] = (), top: int = 8, of: int = 0
) -> Themes:
    """Top places, hashtags and themes in ``texts`` (already redacted); ``of``: how many
    mentions ``texts`` is a uniform random sample of (counts are then scaled up to them)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    nlp, full = _pipeline(tuple(places))
    canon = _canonical(places)
    stop_words = STOP_WORDS | EXTRA_STOP | {s.lower() for s in stop}
    place_c: Counter[str] = Counter()
    tag_c: Counter[str] = Counter()
    theme_c: Counter[str] = Counter()
    raw = list(texts)
    cleaned = [PLACEHOLDER_PATTERN.sub(" ", HASHTAG.sub(" ", HANDLE_PATTERN.sub(" ", t or ""))) for t in raw]
    for original, doc in zip(raw, nlp.pipe(cleaned, batch_size=256)):
        tag_c.update({f"#{t.lower()}" for t in HASHTAG.findall(original or "")})
        found_places, phrases = set(), set()
        in_place: set[int] = set()
        for ent in doc.ents:
            if ent.label_ in ("PLACE", "GPE", "LOC", "FAC"):
                found_places.add(canon.get(ent.text.lower(), ent.text))
                in_place.update(range(ent.start, ent.end))
        if full:
            for chunk in doc.noun_chunks:
                words = [t.lower_ for t in chunk if t.is_alpha and t.lower_ not in stop_words and t.i not in in_place]
                if words:
                    phrases.add(" ".join(words))
        else:
            run: list[str] = []
            for tok in list(doc) + [None]:
                ok = (
                    tok is not None
                    and tok.is_alpha
                    and len(tok) > 2
                    and tok.lower_ not in stop_words
                    and tok.i not in in_place
                )
                if ok:
                    run.append(tok.lower_)
                    continue
                for i in range(len(run) - 1):
                    phrases.add(f"{run[i]} {run[i + 1]}")
                phrases.update(run)
                run = []
        place_c.update(found_places)
        theme_c.update(phrases)
    read = len(raw)
    of = max(of, read)
    scale = of / read if read else 1.0

    def scaled(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return [(p, round(n * scale)) for p, n in pairs] if of > read else pairs

    return Themes(
        scaled(place_c.most_common(top)),
        scaled(tag_c.most_common(top)),
        scaled(_top_themes(theme_c, top)),
        read,
        of,
    )


def _top_themes(counts: Counter, top: int) -> list[tuple[str, int]]:
    """Phrases seen in 2+ mentions; a pair weighs three times a single word."""
    ranked = sorted(
        ((p, n) for p, n in counts.items() if n >= 2),
        key=lambda pn: (-pn[1] * (3 if " " in pn[0] else 1), pn[0]),
    )
    chosen: list[tuple[str, int]] = []
    for phrase, n in ranked:
        words = phrase.split()
        if len(words) == 1 and any(phrase in c.split() and cn >= n * 0.6 for c, cn in chosen):
            continue
        chosen.append((phrase, n))
        if len(chosen) == top:
            break
    return chosen
