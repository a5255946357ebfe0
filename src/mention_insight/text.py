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
from collections.abc import Iterable, Iterator
from functools import lru_cache

URL_TOKEN = "<url>"
USER_TOKEN = "@user"
EMAIL_TOKEN = "<email>"
NUMBER_TOKEN = "<num>"
ALLCAPS_TOKEN = "<allcaps>"

_ELONGATION = re.compile(r"(.)\1{2,}")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_URL_START = re.compile(r"^(https?://|www\.)", re.I)
_WORD_CHARS = re.compile(r"\w")
_CACHE_LIMIT = 500_000


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy  # imported here: the tokenizer is built on first use, not at import

    return spacy.blank("en").tokenizer


def _split_hashtag(tag: str) -> tuple[str, ...]:
    parts = _CAMEL.findall(tag)
    if not parts:
        return (_ELONGATION.sub(r"\1\1", tag.lower()),)
    return tuple(_ELONGATION.sub(r"\1\1", p.lower()) for p in parts)


class Normalizer:
    """Turns texts into lists of normalised tokens. Safe to share; cheap to create."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}

    def _map(self, token) -> tuple[str, ...]:
        text = token.text
        if text.startswith("@") and len(text) > 1:
            return (USER_TOKEN,)
        if token.like_url or _URL_START.match(text):
            return (URL_TOKEN,)
        if token.like_email:
            return (EMAIL_TOKEN,)
        if text.isdigit():
            return (text,) if len(text) <= 3 else (NUMBER_TOKEN,)
        return (_ELONGATION.sub(r"\1\1", text.lower()),)

    def _doc_tokens(self, doc) -> list[str]:
        out: list[str] = []
        cache = self._cache
        shouted = 0
        hashtag_next = False
        for token in doc:
            text = token.text
            if hashtag_next:
                hashtag_next = False
                if _WORD_CHARS.match(text):
                    out.extend(_split_hashtag(text))
                    continue
            if text == "#" and not token.whitespace_:
                hashtag_next = True
                continue
            mapped = cache.get(text)
            if mapped is None:
                mapped = self._map(token)
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[text] = mapped
            out.extend(mapped)
            if len(text) >= 3 and text.isupper() and text.isalpha() and text != "RT":
                shouted += 1
        if shouted >= 2:
            out.append(ALLCAPS_TOKEN)
        return out

    def tokens(self, text: str) -> list[str]:
        """The normalised tokens of one text."""
        return self._doc_tokens(_tokenizer()(html.unescape(text)))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[list[str]]:
        """The normalised tokens of each text, in order (faster than one at a time)."""
        unescaped = (html.unescape(t) if "&" in t else t for t in texts)
        for doc in _tokenizer().pipe(unescaped, batch_size=batch_size):
            yield self._doc_tokens(doc)


def normalise(text: str) -> str:
    """A normalised, space-joined form of ``text`` (for display and debugging)."""
    return " ".join(Normalizer().tokens(text))
