"""Normalising social-media text into tokens, with spaCy's tokenizer.

``spacy.blank("en")`` splits the text; each token is then mapped, once per distinct
token string (the mapping is cached), to what carries signal in a mention:

- ``@handles`` become ``@user`` and URLs ``<url>``, e-mail addresses ``<email>``;
- ``#hashtags`` keep their words (``#OpRetrieve`` -> ``op retrieve``);
- emoji are kept as tokens (🙏 and 😡 carry signal);
- HTML entities are unescaped (``&amp;`` -> ``&``);
- elongations are shortened (``sooooo`` -> ``soo``), text is lower-cased, and a
  message with two or more shouted words gets an ``<allcaps>`` token;
- long digit runs (phone numbers, ids) become ``<num>``; short ones (101, 999) stay.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

#: Bump when normalisation changes what tokens a text gives: models record it, and
#: loading a model trained under another version warns.
NORMALIZER_VERSION = 2

URL_TOKEN = "<url>"
USER_TOKEN = "@user"
EMAIL_TOKEN = "<email>"
NUMBER_TOKEN = "<num>"
ALLCAPS_TOKEN = "<allcaps>"
#: Shouted words a text needs to get the ``<allcaps>`` token.
ALLCAPS_MIN_WORDS = 2

#: The one definition of a link and of an @handle (group 1: the name without "@"), shared
#: by the normaliser, the transformer's preparation, redaction and themes.
URL_PATTERN = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
HANDLE_PATTERN = re.compile(r"(?<![\w@])@(\w{1,30})")

_ELONGATION = re.compile(r"(.)\1{2,}")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_WORD_CHARS = re.compile(r"\w")
_WORD_PUNCT = re.compile(r"([A-Za-z]+)([!?,]+|\.)")
_CACHE_LIMIT = 500_000


def import_spacy():
    """``spacy``, imported without torch.

    spaCy's machine-learning layer (thinc) imports torch whenever it is installed: about
    2 s and 200 MB at start-up that no tokenizer needs. Unless torch is already loaded
    (a training run), it is hidden while spaCy imports, so thinc records that torch is
    absent; ``import torch`` works as usual afterwards.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    modules: dict[str, Any] = sys.modules
    modules["torch"] = None  # makes "import torch" raise ImportError
    try:
        import spacy
    finally:
        if sys.modules.get("torch", "") is None:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=1)
def _tokenizer():
    # imported here: the tokenizer is built on first use, not at import
    return import_spacy().blank("en").tokenizer


@lru_cache(maxsize=1)
def _special_cases() -> frozenset[str]:
    return frozenset(_tokenizer().rules)


def split_chunks(text: str) -> list[str]:
    """A text's whitespace-separated chunks, HTML entities unescaped first."""
    if "&" in text:
        text = html.unescape(text)
    return text.split()


def _fold(word: str) -> str:
    """Lower-case, elongations shortened ("Sooooo" -> "soo")."""
    return _ELONGATION.sub(r"\1\1", word.lower())


def _shouted(word: str) -> int:
    """1 if ``word`` is a shouted word (three or more capitals, not "RT"), else 0."""
    return int(len(word) >= 3 and word.isupper() and word.isalpha() and word != "RT")


def _split_hashtag(tag: str) -> tuple[str, ...]:
    parts = _CAMEL.findall(tag)
    if not parts:
        return (_fold(tag),)
    return tuple(_fold(p) for p in parts)


class Normalizer:
    """Turns texts into lists of normalised tokens. Safe to share; cheap to create.

    spaCy's tokenizer works chunk by chunk (it splits on whitespace first, then handles
    each chunk's prefixes, suffixes and infixes, caching the result per chunk). This
    class does the same one level up: each distinct whitespace-separated chunk is
    tokenised by spaCy and normalised once, and the result is cached, so a batch costs
    a ``str.split`` and a dictionary look-up per chunk.
    """

    def __init__(self) -> None:
        self._chunks: dict[str, tuple[tuple[str, ...], int]] = {}

    @staticmethod
    def _map(token) -> tuple[str, ...]:
        text = token.text
        if text.startswith("@") and len(text) > 1:
            return (USER_TOKEN,)
        if token.like_url or URL_PATTERN.match(text):
            return (URL_TOKEN,)
        if token.like_email:
            return (EMAIL_TOKEN,)
        if text.isdigit():
            return (text,) if len(text) <= 3 else (NUMBER_TOKEN,)
        return (_fold(text),)

    def _chunk(self, chunk: str) -> tuple[tuple[str, ...], int]:
        """(normalised tokens, number of shouted words) of one whitespace-free chunk."""
        if chunk.isascii():
            if (chunk.isalpha() or chunk.isdigit()) and chunk not in _special_cases():
                # spaCy keeps an ASCII run of only letters or only digits whole unless it is a
                # special case ("cannot" -> "can not"): skip building a Doc for it.
                if chunk.isdigit():
                    return ((chunk,) if len(chunk) <= 3 else (NUMBER_TOKEN,)), 0
                return (_fold(chunk),), _shouted(chunk)
            match = _WORD_PUNCT.fullmatch(chunk)
            if (
                match
                and chunk not in _special_cases()
                and match[1] not in _special_cases()
                # spaCy splits a final "." after a lower-case letter or two capitals ("A." stays)
                and (match[2] != "." or match[1][-1].islower() or match[1][-2:].isupper() and len(match[1]) > 1)
            ):
                # A word with trailing "!", "?" or "," (spaCy splits each off) or one ".":
                # "thanks!!" -> "thanks", "!", "!" (a test checks this against spaCy).
                return (_fold(match[1]), *match[2]), _shouted(match[1])
        return self._spacy_chunk(chunk)

    def _spacy_chunk(self, chunk: str) -> tuple[tuple[str, ...], int]:
        """The general path of :meth:`_chunk`: spaCy's tokenizer, then :meth:`_map`."""
        out: list[str] = []
        shouted = 0
        hashtag_next = False
        for token in _tokenizer()(chunk):
            text = token.text
            if hashtag_next:
                hashtag_next = False
                if _WORD_CHARS.match(text):
                    out.extend(_split_hashtag(text))
                    continue
            if text == "#" and token.i + 1 < len(token.doc):
                hashtag_next = True
                continue
            out.extend(self._map(token))
            shouted += _shouted(text)
        return tuple(out), shouted

    def warm_up(self) -> None:
        """Build spaCy's tokenizer now (it is otherwise built on first use)."""
        _tokenizer()

    def tokens(self, text: str) -> list[str]:
        """The normalised tokens of one text."""
        out: list[str] = []
        shouted = 0
        cache = self._chunks
        for chunk in split_chunks(text):
            hit = cache.get(chunk)
            if hit is None:
                hit = self._chunk(chunk)
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[chunk] = hit
            out.extend(hit[0])
            shouted += hit[1]
        if shouted >= ALLCAPS_MIN_WORDS:
            out.append(ALLCAPS_TOKEN)
        return out

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[list[str]]:
        """The normalised tokens of each text, in order (``batch_size`` is accepted for
        compatibility with spaCy's ``pipe``; chunk caching makes batching unnecessary)."""
        tokens = self.tokens
        for text in texts:
            yield tokens(text)


def normalise(text: str) -> str:
    """A normalised, space-joined form of ``text`` (for display and debugging)."""
    return " ".join(Normalizer().tokens(text))
