"""What UK personal data looks like in a mention: recognisers that return character spans.

Each recogniser is a function ``text -> Iterator[Span]`` built in the style of Presidio's
pattern recognisers: a published format (Royal Mail postcodes, DVLA registrations, HMRC
National Insurance numbers, Ofcom numbering) as a regular expression, then a validation
step in code (a word that is not a name, a date that is not old enough) and, where the
format alone is too loose, a context word that has to come first (``reg``, ``DOB``,
``my name is``). :mod:`.redact` runs them, merges the spans and writes the placeholders.

Every pattern is linear in the length of the text: repetitions are bounded, and no two
alternatives of a repeated group can match the same characters, so a hostile 100 kB
message costs no more than an ordinary one per character.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

from ..text import HANDLE_PATTERN, URL_PATTERN

#: The kinds of personal data, in the order the redaction table lists them.
KINDS = (
    "name",
    "phone",
    "email",
    "url",
    "handle",
    "postcode",
    "address",
    "vehicle_reg",
    "ni_number",
    "date_of_birth",
    "crime_ref",
)

#: What each kind is replaced with. A handle keeps its "@" (``@[user]``).
PLACEHOLDERS = {
    "name": "[name]",
    "phone": "[phone]",
    "email": "[email]",
    "url": "[url]",
    "handle": "[user]",
    "postcode": "[postcode]",
    "address": "[address]",
    "vehicle_reg": "[vehicle reg]",
    "ni_number": "[NI number]",
    "date_of_birth": "[date of birth]",
    "crime_ref": "[ref]",
}

#: Any placeholder in a redacted text (themes leave these out).
PLACEHOLDER_PATTERN = re.compile(
    r"\[(?:url|email|user|phone|ref|address|name|postcode|vehicle reg|NI number|date of birth)\]"
)


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``text[start:end]`` hold personal data of ``kind`` (one of :data:`KINDS`)."""

    start: int
    end: int
    kind: str


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


def _spans(pattern: re.Pattern[str], text: str, kind: str, group: int = 0) -> Iterator[Span]:
    for m in pattern.finditer(text):
        yield Span(m.start(group), m.end(group), kind)


# --- links and e-mail addresses -------------------------------------------------------

#: Top-level domains a spelled-out e-mail address may end in. Most that are also English
#: words ("me", "to", "is", "at", "so") are left out: "meet me at the park dot so" is no address.
_TLDS = (
    "com|org|net|uk|ly|io|gl|gd|info|biz|eu|ie|app|dev|page|link|site|online|xyz|ai|tv|gov|edu|scot|wales|cymru|"
    "london|news|shop|store|club|de|fr|es|nl|be|au|ca|nz|us|ru|cn|in|co"
)
#: One label of a domain name.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: ``bit.ly/abc123``, ``example.com/reset?token=...``, ``wa.me/44...``: a domain, then a path,
#: query or fragment. A bare domain (``police.uk``, ``gov.uk``) names a site, not a person,
#: and stays. A trailing full stop or bracket is not part of the link.
SCHEMELESS_URL = re.compile(
    rf"(?<![\w@.\-/])(?:{_LABEL}\.){{1,6}}[a-z]{{2,6}}(?::[0-9]{{2,5}})?[/?#][^\s<>\"]{{1,2000}}",
    re.I,
)
_URL_TRAILING = ".,;:!?)]}'\"’”"

EMAIL = re.compile(r"(?<![\w.+-])[\w+-][\w.+-]{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}\b")
_AT_SEP = r"(?:\s{0,3}[\[({<]\s{0,2}at\s{0,2}[\])}>]\s{0,3}|\s{0,3}@\s{0,3}|\s{1,3}at\s{1,3})"
_DOT_SEP = r"(?:\s{0,3}[\[({<]\s{0,2}dot\s{0,2}[\])}>]\s{0,3}|\s{1,3}dot\s{1,3}|\.)"
#: Spelled-out addresses: ``jane dot doe at gmail dot com``, ``jane[at]gmail[dot]com``,
#: ``jane (at) gmail.com``. The domain must end in a known top-level domain.
EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w+-]{{1,64}}(?:{_DOT_SEP}[\w+-]{{1,64}}){{0,4}})(?P<at>{_AT_SEP})"
    rf"(?P<domain>[a-z0-9-]{{1,63}}(?:{_DOT_SEP}[a-z0-9-]{{1,63}}){{0,3}}{_DOT_SEP}(?:{_TLDS}))\b",
    re.I,
)
_MAIL_PROVIDERS = _words(
    """
    gmail googlemail hotmail outlook live yahoo ymail icloud me mac aol btinternet sky virginmedia talktalk
    protonmail proton gmx mail tiscali ntlworld blueyonder
    """
)


def find_urls(text: str) -> Iterator[Span]:
    """Links with a scheme or ``www.`` (the project's :data:`URL_PATTERN`) and links without one."""
    for pattern in (URL_PATTERN, SCHEMELESS_URL):
        for m in pattern.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in _URL_TRAILING:
                end -= 1
            link = text[m.start() : end]
            if end < m.end() and text[end] == ")" and link.count("(") > link.count(")"):
                end += 1  # keep the ")" of a link that has a "(" (Wikipedia-style links)
            yield Span(m.start(), end, "url")


def find_emails(text: str) -> Iterator[Span]:
    """E-mail addresses, plain and spelled out ("jane dot doe at gmail dot com")."""
    yield from _spans(EMAIL, text, "email")
    for m in EMAIL_OBFUSCATED.finditer(text):
        if "@" in m.group("at") or "[" in m.group("at") or "(" in m.group("at") or "{" in m.group("at"):
            yield Span(m.start(), m.end(), "email")
            continue
        # "x at y": an e-mail only if it is spelled out or its parts look like an address,
        # so that "shopping at tesco.com" and "at" stay as they are.
        local, domain = m.group("local"), m.group("domain").lower()
        spelled = re.search(r"\bdot\b|[\[({<]", m.group(0), re.I) is not None
        provider = re.split(r"\W", domain, maxsplit=1)[0] in _MAIL_PROVIDERS
        if spelled or "." in local or provider:
            yield Span(m.start(), m.end(), "email")


def find_handles(text: str, keep: frozenset[str] = frozenset()) -> Iterator[Span]:
    """@handles (the name after "@"), except those in ``keep`` (lower-case, without "@")."""
    for m in HANDLE_PATTERN.finditer(text):
        if m.group(1).lower() not in keep:
            yield Span(m.start(1), m.end(1), "handle")


# --- phone numbers ------------------------------------------------------------------------

#: UK numbers in every usual layout: ``07700 900123``, ``07700-900-123``, ``(0161) 496 0734``,
#: ``020 7946 0018``, ``+44 7700 900123``, ``+44 (0)161 496 0734``, ``+44-7700-900123``,
#: ``0044 7700 900123``, ``+447700900123``. After the 0 (or 44) come 9 or 10 digits, the
#: first not 0, with at most one space, dot or hyphen (and a bracket) between digits.
#: Short numbers (999, 101, 111) and times stay.
PHONE = re.compile(
    r"(?<![\w+/.])"
    r"(?:(?:\+[ ]?|\b00[ ]?)44[ .\-]?(?:\(0\)[ .\-]?)?\(?|\(?0)"
    r"[1-9](?:[ .\-]?\)?[ .\-]?[0-9]){8,9}"
    r"(?![0-9])(?![.\-/][0-9])"
)


def find_phones(text: str) -> Iterator[Span]:
    """UK telephone numbers."""
    yield from _spans(PHONE, text, "phone")


# --- crime references -----------------------------------------------------------------------

#: ``crime ref 06/118342/26``, ``log 06/118342/26``, ``MCC-448120`` (the cue words go with it).
REF = re.compile(
    r"\b(?:(?:crime\s+)?(?:ref(?:erence)?|log)(?:\s+(?:no\.?|number))?[\s.:#]{0,3})?"
    r"(?:[0-9]{2}/[0-9]{5,7}/[0-9]{2}|[A-Z]{2,4}-[0-9]{4,8})\b",
    re.I,
)
#: ``ref 448120``, ``incident number 1234``, ``crime reference number CRI/80/30098/22``,
#: ``my ref is 54511376``: after a cue, any code with four or more digits (the cue stays).
REF_PLAIN = re.compile(
    r"\b(?:ref(?:erence)?|log|incident|crime|case)\.?(?:\s+(?:no\.?|number|is))?[\s:#]{0,3}"
    r"((?=[A-Z/-]{0,8}[0-9](?:[/-]?[0-9]){3})[A-Z0-9](?:[A-Z0-9]|[/-](?=[A-Z0-9])){3,30})(?![A-Z0-9])",
    re.I,
)


def find_crime_refs(text: str) -> Iterator[Span]:
    """Crime and incident reference numbers."""
    yield from _spans(REF, text, "crime_ref")
    yield from _spans(REF_PLAIN, text, "crime_ref", group=1)


# --- postcodes, addresses -----------------------------------------------------------------------

#: A full UK postcode (the Royal Mail format, as in the government's data standard): outward
#: code ``M20``/``SK4``/``EC1A`` then inward code ``2AB``, any case, with or without the space.
#: The inward code's letters never include C, I, K, M, O or V, so "b4 9am" is not one. An
#: outward code on its own (``M20``, a district of thousands of homes) is a place and stays.
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ \u00a0]?0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|"
    r"[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[ \u00a0]?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.I,
)
STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Grove|Close|Drive|Dr|Way|Crescent|Terrace|Place|Court|Gardens|"
    "Walk|Square|Parade|Broadway|Hill|Mews|Row|Park|View|Rise|Green"
)
#: ``14 Elmsworth Road``, ``14a, Old Hall Lane``. Not after a time or an amount ("10:30 Wilmslow Road").
ADDRESS = re.compile(
    rf"(?<![0-9:.,/£$€-])\b[0-9]{{1,4}}[a-zA-Z]?,?\s{{1,3}}(?:[A-Z][\w'’-]{{0,30}}\s{{1,3}}){{1,3}}(?:{STREET_TYPES})\b"
)
#: ``14 elmsworth road``: lower case, one word before a street type that is not also an
#: everyday noun ("10 minute walk", "2 mins down the road" stay).
ADDRESS_LOWER = re.compile(
    r"(?<![0-9:.,/£$€-])\b[0-9]{1,4}[a-z]?\s(?!(?:min|mins|minute|minutes|hour|hours|mile|miles|lane|way|of|the|"
    r"on|in|to|kids|lads|cars|people|more|too|very|so|quite|really)\s)[a-z]{3,30}\s(?:road|rd|street|avenue|ave|"
    r"lane|crescent|terrace|grove|gardens|mews|drive|close)\b"
)
#: ``no. 12``, ``number 12``, ``flat 3b``, ``apartment 12`` (not "incident number 6734" or
#: "the No. 42 bus").
HOUSE_NO = re.compile(
    r"(?<!incident )(?<!crime )(?<!ref )(?<!log )(?<!phone )(?<!case )(?<!collar )(?<!bus )(?<!route )"
    r"\b(?:no\.|number|flat|apartment|apt\.?)\s?[0-9]{1,4}[a-zA-Z]?\b(?!\s(?:bus|buses|tram|route|service)\b)",
    re.I,
)


def find_postcodes(text: str) -> Iterator[Span]:
    """Full UK postcodes."""
    yield from _spans(POSTCODE, text, "postcode")


def find_addresses(text: str) -> Iterator[Span]:
    """Street addresses with a house number, and house or flat numbers."""
    yield from _spans(ADDRESS, text, "address")
    yield from _spans(ADDRESS_LOWER, text, "address")
    yield from _spans(HOUSE_NO, text, "address")


# --- vehicle registrations ---------------------------------------------------------------------

#: Current DVLA format (2001 on): memory tag, age identifier, three letters: ``AB12 CDE``,
#: ``ab12cde``. I and Q are never used; Z only in the last three.
VRM_CURRENT = re.compile(r"(?<![A-Za-z0-9])[A-HJ-PR-Y]{2}[0-9]{2}[ \u00a0]?[A-HJ-PR-Z]{3}(?![A-Za-z0-9])", re.I)
#: Same, written with a space after the memory tag (capitals only: "AB 12 CDE").
VRM_SPACED = re.compile(r"(?<![A-Za-z0-9])[A-HJ-PR-Y]{2} [0-9]{2} [A-HJ-PR-Z]{3}(?![A-Za-z0-9])")
#: Prefix (1983-2001, ``P123 ABC``) and suffix (1963-83, ``ABC 123D``) formats, capitals
#: only; three letters that are a word ("A34 AND M60") are not a registration.
VRM_PREFIX = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NP-Y][0-9]{1,3} ?([A-HJ-PR-Y]{3})(?![A-Za-z0-9])")
VRM_SUFFIX = re.compile(r"(?<![A-Za-z0-9])([A-HJ-PR-Y]{3}) ?[0-9]{1,3}[A-HJ-NP-Y](?![A-Za-z0-9])")
#: Any plate after a cue ("reg", "number plate", "registration"), any format, any case.
VRM_CUE = re.compile(
    r"\b(?:reg(?:istration)?|(?:number\s)?plates?|vrm)\b(?:\s{1,3}(?:no\.?|number|plate|mark|was|is|of|:)){0,3}"
    r"[\s:.#-]{0,3}(?P<vrm>(?=[A-Z0-9 ]{0,8}[0-9])(?=[A-Z0-9 ]{0,8}[A-Z])[A-Z0-9]{1,4} ?[A-Z0-9]{1,4})"
    r"(?![A-Za-z0-9])",
    re.I,
)
_WORDS3 = _words(
    """
    and the for was are but not you all any can had her his has out day get how now old see two way who boy did
    its let put say she too use etc off our own why yes may new one top end bus car van
    """
)


def find_vehicle_regs(text: str) -> Iterator[Span]:
    """UK vehicle registration marks."""
    yield from _spans(VRM_CURRENT, text, "vehicle_reg")
    yield from _spans(VRM_SPACED, text, "vehicle_reg")
    for pattern in (VRM_PREFIX, VRM_SUFFIX):
        for m in pattern.finditer(text):
            if m.group(1).lower() not in _WORDS3:
                yield Span(m.start(), m.end(), "vehicle_reg")
    yield from _spans(VRM_CUE, text, "vehicle_reg", group=1)


# --- National Insurance numbers --------------------------------------------------------------

#: HMRC's format: two prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN,
#: NK, NT, TN, ZZ), six digits, suffix A-D; spaced or not, any case. Without the suffix
#: only after a cue ("NI number", "national insurance", "NINO").
_NINO_BODY = (
    r"(?!(?:BG|GB|KN|NK|NT|TN|ZZ))[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}"
    r"[ \u00a0]?[0-9]{2}"
)
NI_NUMBER = re.compile(rf"(?<![A-Za-z0-9]){_NINO_BODY}[ \u00a0]?[A-D](?![A-Za-z0-9])", re.I)
NI_NUMBER_CUE = re.compile(
    rf"\b(?:national\s+insurance|NI|NINO)(?:\s+(?:no\.?|number))?(?:\s+(?:is|was))?[\s:.#-]{{0,3}}"
    rf"(?P<nino>{_NINO_BODY}(?:[ \u00a0]?[A-D])?)(?![A-Za-z0-9])",
    re.I,
)


def find_ni_numbers(text: str) -> Iterator[Span]:
    """National Insurance numbers."""
    yield from _spans(NI_NUMBER, text, "ni_number")
    yield from _spans(NI_NUMBER_CUE, text, "ni_number", group=1)


# --- dates of birth -------------------------------------------------------------------------

_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_ORD = r"(?:st|nd|rd|th)?"
_MONTH_NUM = r"(?:0?[1-9]|1[0-2])"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR4 = r"(?:19|20)[0-9]{2}"


def _numeric_date(tag: str) -> str:
    """``14/02/1987``, ``14.2.87``, ``14-02-1987``: the same separator twice."""
    return rf"{_DAY}(?P<{tag}_sep>[/.\-]){_MONTH_NUM}(?P={tag}_sep)(?P<{tag}_year>{_YEAR4}|[0-9]{{2}})"


_DATE_END = r"(?![0-9]|[/.\-][0-9])"
#: A day, month and year: ``14/02/1987``, ``14.2.87``, ``14th February 1987``,
#: ``14 Feb '87``, ``February 14th, 1987``.
DATE = re.compile(
    rf"(?<![0-9/.\-])(?:{_numeric_date('n')}"
    rf"|{_DAY}{_ORD}\s(?:of\s)?{_MONTH},?\s(?P<w_year>{_YEAR4}|['’][0-9]{{2}})"
    rf"|{_MONTH}\s{_DAY}{_ORD},?\s(?P<m_year>{_YEAR4})){_DATE_END}",
    re.I,
)
#: A date after a birth cue ("DOB", "D.O.B.", "date of birth", "born (on)", "birthday is"),
#: with or without the year.
BIRTH_CUE = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|born|birthday|b['’]?day)(?:\s{1,3}(?:is|was|on|of|:|-)){0,2}"
    rf"[\s:.#=-]{{0,3}}(?P<date>{_numeric_date('c')}"
    rf"|{_DAY}{_ORD}\s(?:of\s)?{_MONTH}(?:,?\s(?:{_YEAR4}|['’][0-9]{{2}}))?"
    rf"|{_MONTH}\s{_DAY}{_ORD}(?:,?\s{_YEAR4})?"
    rf"|{_DAY}[/.\-]{_MONTH_NUM}){_DATE_END}",
    re.I,
)
#: A full date this many years old or older is taken as a date of birth even without a cue.
OLD_DATE_YEARS = 12


def find_dates_of_birth(text: str, today: _dt.date | None = None) -> Iterator[Span]:
    """Dates after a birth cue, and any full date at least :data:`OLD_DATE_YEARS` years old.

    A recent date without a cue ("on 12/03/2025 they broke in") is not personal data on
    its own and stays: it is what a report about incidents is about.
    """
    for m in BIRTH_CUE.finditer(text):
        yield Span(m.start("date"), m.end("date"), "date_of_birth")
    this_year = (today or _dt.date.today()).year
    for m in DATE.finditer(text):
        raw = (m.group("n_year") or m.group("w_year") or m.group("m_year") or "").lstrip("'’")
        year = int(raw)
        if len(raw) == 2:  # 87 -> 1987, 19 -> 2019
            year += 2000 if 2000 + year <= this_year else 1900
        if year <= this_year - OLD_DATE_YEARS:
            yield Span(m.start(), m.end(), "date_of_birth")


# --- names ------------------------------------------------------------------------------------

#: A capitalised name word: ``Dave``, ``McDonald``, ``O'Brien``, ``Smith-Jones``, ``Zoë``.
NAME_WORD = r"(?:[A-Z]['’])?[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]{1,30}(?:[A-Z][a-zß-öø-ÿ]{1,30})?(?:-[A-Z][a-zß-öø-ÿ]{1,30})?"
_NAME_WORD_RE = re.compile(NAME_WORD)
#: Up to three name words in a row (the caller keeps those that pass :func:`is_name_word`).
_NAME_RUN = rf"(?P<name>{NAME_WORD}(?: {NAME_WORD}){{0,2}})"
#: The same, also lower case (after "my name is", which leaves no doubt).
_NAME_RUN_ANY = r"(?P<name>[A-Za-zÀ-ÿ'’-]{2,30}(?: [A-Za-zÀ-ÿ'’-]{2,30}){0,2})"

TITLES = "PCSO|PC|DC|DS|DI|DCI|Sgt|Sergeant|Insp|Inspector|Officer|Constable|Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor"
#: ``PC Sarah Whitworth``, ``PC 4521 Whitworth`` (the collar number stays), ``Mrs Hughes``.
TITLED = re.compile(rf"\b(?:{TITLES})\.?(?: [0-9]{{2,5}})?\s{_NAME_RUN}")
RELATIONS = (
    "neighbour|neighbor|neighbours|neighbors|mate|friend|son|daughter|husband|wife|partner|mum|mom|mother|dad|father|"
    "nan|nana|gran|grandma|grandad|granddad|grandson|granddaughter|brother|sister|lodger|landlord|landlady|tenant|"
    "nephew|niece|cousin|uncle|auntie|aunt|boyfriend|girlfriend|fiancée|fiancé|fiance|carer|colleague|boss|kid|"
    "stepson|stepdaughter|child"
)
#: ``my elderly neighbour Dave Kowalski``, ``our son, Tom``.
RELATION = re.compile(
    r"\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir)\s(?:(?:elderly|old|older|younger|little|late|next[- ]door|best)\s)?"
    rf"(?:{RELATIONS})(?:['’]s)?,?\s{_NAME_RUN}"
)
#: ``Hi Deirdre``, ``Thanks, Dave``, ``Cheers Sue``, anywhere in a message.
GREETING = re.compile(
    r"\b(?:[Hh]i|[Hh]ello|[Hh]ey|[Hh]iya|[Tt]hanks|[Tt]hank\syou|[Tt]a|[Cc]heers|[Ss]orry|[Dd]ear|[Mm]orning)"
    rf",?\s{_NAME_RUN}"
)
#: ``Kind regards, Margaret Hughes``, ``Love from Sue``, ``Best wishes, Tom``: sign-off
#: words at the start of a sentence or line (so that "I love Chorlton" is not one).
SIGN_OFF_WORDS = re.compile(
    r"(?:^|[.!?…\n]) {0,3}(?:[Kk]ind |[Bb]est |[Ww]arm )?(?:[Rr]egards|[Ww]ishes|[Ll]ove(?: from)?|[Mm]any thanks|"
    rf"[Ss]igned|[Yy]ours(?: sincerely| faithfully)?|[Ff]rom),?\s{{1,3}}{_NAME_RUN}"
)
#: ``I'm Dave``, ``I am Margaret Hughes``, ``this is Sue``, ``a lad called Jayden``,
#: ``missing: Kelly Price``, ``ask for Dave``, ``spoke to Priya``, ``shout out to Sue``,
#: ``me and Tom``, ``Tom and I``, ``it's Dave again`` and, opening a sentence, ``Dave here, ...``.
INTRODUCTION = re.compile(
    r"\b(?:[Ii]['’]?m|I am|[Tt]his is|[Cc]alled|[Nn]amed|[Kk]nown as|[Gg]oes by|[Mm]issing(?: person)?[,:]?|"
    r"[Aa]sk(?:ed)? for|[Ss]p(?:eak|oke) (?:to|with)|[Tt]alk(?:ed)? to|[Mm]e and|"
    rf"(?:[Tt]hanks|[Ss]hout ?out|[Ww]ell done|[Cc]redit|[Kk]udos) to)\s{_NAME_RUN}"
    rf"|\b[Ii]t['’]?s (?P<name2>{NAME_WORD}(?: {NAME_WORD})?) (?:here|again)\b"
    rf"|\b(?P<name3>{NAME_WORD}(?: {NAME_WORD})?) (?:and|&) I\b"
    rf"|(?:^|[.!?…\n]|@\w{{1,30}})\s{{0,3}}(?P<name4>{NAME_WORD}(?: {NAME_WORD})?) here\b(?=[,.!:;-]|\s*\Z)"
)
#: ``Kelly Price, aged 14``, ``Jayden Whitworth DOB 3/4/1951``: the words before an age or
#: birth cue (the last name words of the run: "Missing Kelly Price aged 14" -> "Kelly Price").
NAME_BEFORE_AGE = re.compile(rf"{_NAME_RUN},? \(?(?i:aged? [0-9]|dob\b|d\.o\.b|born\b|date of birth|[0-9]{{1,2}}\))")
#: ``hi i'm dave``: a greeting then "I'm" leaves little doubt, so the name may be lower case.
GREETING_INTRODUCTION = re.compile(
    r"\b(?:hi|hello|hey|hiya|morning|evening)\b,?\s{1,3}(?:i['’]?m|i am|this is|it['’]?s)\s(?P<name>[a-zà-ÿ'’-]{2,30})\b",
    re.I,
)
#: ``my name is dave``, ``name: Dave Smith``, ``my name's Margaret``: the name may be lower case.
NAME_IS = re.compile(rf"\b(?:my\s+name\s+is|my\s+name['’]?s|name['’]s|(?<!user)name ?:)\s{{1,3}}{_NAME_RUN_ANY}", re.I)
_ROLES = (
    "resident|neighbour|mum|dad|parent|grandparent|head teacher|teacher|chair|secretary|treasurer|owner|manager|"
    "landlord|landlady|tenant|carer|volunteer|co-?ordinator|shopkeeper|student"
)
#: The last words of a message after a full stop, line break or dash: a sign-off such as
#: "... come and see me. Margaret", "- Dave x", "👍 Priya", ". Sue and Keith" or ". Kelly Price, resident".
#: Kisses, a role ("resident", "head teacher"), emoji and hashtags may follow; a full stop may
#: not ("... Priorities.", "... Maybe." are not sign-offs).
SIGN_OFF = re.compile(
    rf"(?:^|[.!?…\n]|\s[-–—~]|[\u2600-\u27bf\U0001f000-\U0001faff])\s{{0,3}}{_NAME_RUN}(?: (?:and|&) (?P<name2>{NAME_WORD}))?(?: {{1,3}}[xX]{{1,5}})?"
    rf"(?:,? \(?(?:a |the )?(?:local |concerned |worried )?(?:{_ROLES})s?\)?)?"
    r"(?:\s{0,3}#\w{1,40}){0,5}(?!\s*\.)[^\w#]{0,40}\Z"
)

#: Capitalised words that are not names though they follow a title, greeting or "I'm", or end
#: a message: sign-offs, praise and complaint words, days, months, organisations.
NOT_NAMES = _words(
    """
    the and who will is was for from at on in has had came all everyone everybody so again very both team teams
    guys officer officers pc pcso sgt you to much lots folks police gmp npt force station council constable
    sergeant inspector thanks thank thankyou cheers regards best wishes love sorry dear hi hello hey hiya
    brilliant amazing great good fantastic excellent superb lovely awesome legends legend heroes hero stars star
    respect appreciated shocking disgusting disgraceful useless pathetic ridiculous unacceptable outrageous
    appalling terrible awful nothing nobody help please sorted seriously honestly anyway today tonight tomorrow
    yesterday morning afternoon evening night weekend monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december christmas easter
    halloween bonfire covid nhs tesco aldi lidl asda morrisons sainsburys metrolink twitter facebook instagram
    manchester england britain uk worried scared frightened disgusted furious fuming gutted annoyed upset
    concerned grateful thankful relieved pleased happy sad angry sick tired fed sure afraid glad still just
    really absolutely totally literally actually genuinely here there new local resident residents neighbour
    neighbours mum dad nan grandad anonymous well done job mate cops bobbies not no yes sir madam what why when
    where how this that these those they them it its he she we us our my your his her their top safe stay keep
    sent reported calling writing trying back home out off over up down update updates info information anyone
    someone issue problem problems crime crimes antisocial asb drugs drug dealing dealers burglary burglaries
    theft thefts car cars van bike bikes kids lads youths gang gangs village centre center library school church
    shop shops pub bus tram train bridge estate flats cat cats dog dogs kitten puppy person people child
    children boy girl man men woman women teenager teen wallet phone keys bag persons ta maybe unreal shambles
    shambolic disgrace joke farce typical classic bless nightmare outrage madness carnage chaos unbelievable
    priorities rubbish nonsense cheek cheeky lovely cracking spot on silver black white red blue grey gray green
    yellow orange purple brown dark golf corsa fiesta focus prius jazz astra polo clio yaris qashqai transit audi
    bmw mercedes merc ford vauxhall toyota honda nissan kia hyundai skoda seat rover mini fiat peugeot renault
    citroen tesla volvo jeep lexus range moped scooter quad greater north south east west central upper lower
    """
)
#: Names that end like the verb and adjective forms :func:`is_name_word` turns away.
_NAME_EXCEPTIONS = _words(
    """
    alfred mildred winifred mohammed muhammad ahmed hamed javed rasheed saeed fareed waleed khaled sterling
    irving manning fielding harding golding channing dominic frederic cedric ulric
    """
)
_NOT_NAME_ENDINGS = ("ing", "ed", "ful", "ous", "able", "ible", "ness", "ment", "ally", "less", "ities", "ism", "ic")
STREET_WORDS = frozenset(t.lower() for t in STREET_TYPES.split("|"))
#: Words that make the capitalised words before them a street or an organisation
#: ("Elmsworth Road", "Cheshire Police", "Greater Manchester Police").
PLACE_OR_ORG_WORDS = STREET_WORDS | _words(
    "police constabulary council station school academy college hospital library church mosque surgery centre "
    "manchester fire ambulance nhs housing homes watch"
)
_TITLE_WORDS = frozenset(t.lower() for t in TITLES.split("|"))


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """The bundled place list, lower-cased: never taken for names."""
    text = resources.files("mention_insight").joinpath("resources/places_manchester.txt").read_text(encoding="utf-8")
    return frozenset(
        " ".join(ln.split()).lower() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    )


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_name_word(word: str, *, lower_ok: bool = False) -> bool:
    """Whether ``word`` can be (part of) a person's name.

    Not a stop word, not in :data:`NOT_NAMES`, not a one-word place of the place list, a
    street type or a title, and not shaped like a verb or adjective form ("Worried",
    "Shocking", "Disgraceful"). Capitalised unless ``lower_ok``.
    """
    if not lower_ok and not _NAME_WORD_RE.fullmatch(word):
        return False
    low = word.lower().replace("’", "'")
    if len(low) < 2 or not low.replace("'", "").replace("-", "").isalpha():
        return False
    if low in NOT_NAMES or low in _stop_words() or low in place_names():
        return False
    if low in STREET_WORDS or low in _TITLE_WORDS:
        return False
    return low in _NAME_EXCEPTIONS or not (len(low) >= 6 and low.endswith(_NOT_NAME_ENDINGS))


def _name_span(m: re.Match[str], group: str = "name", *, lower_ok: bool = False, last: bool = False) -> Span | None:
    """The leading words of ``group`` that pass :func:`is_name_word` (with ``last``, the
    trailing ones), as a span; none when the words are a place of the place list, a street
    or an organisation ("Fletcher Moss", "Elmsworth Road", "Greater Manchester Police")."""
    if m.group(group) is None:
        return None
    words = m.group(group).split(" ")
    n = len(words)
    if any(" ".join(words[i:j]).lower() in place_names() for i in range(n) for j in range(i + 2, n + 1)):
        return None  # "Fletcher Moss", "Chorlton Water Park"; a one-word place stops the run below
    order = list(reversed(words)) if last else words
    kept = 0
    for word in order:
        if not is_name_word(word, lower_ok=lower_ok):
            break
        kept += 1
    if kept == 0 or (not last and kept < len(words) and words[kept].lower() in PLACE_OR_ORG_WORDS):
        return None
    start, end = m.start(group), m.end(group)
    if last:
        return Span(end - len(" ".join(words[-kept:])), end, "name")
    return Span(start, start + len(" ".join(words[:kept])), "name")


def find_cued_names(text: str) -> Iterator[Span]:
    """Names after a title, a relation, a greeting or sign-off word, a self-introduction
    ("my name is", "I'm", "called"), and a name that ends a message on its own."""
    for pattern in (TITLED, RELATION, GREETING, SIGN_OFF_WORDS):
        for m in pattern.finditer(text):
            if (span := _name_span(m)) is not None:
                yield span
    for m in SIGN_OFF.finditer(text):
        if (span := _name_span(m)) is not None:
            yield span
            if (span := _name_span(m, "name2")) is not None:
                yield span
    for m in NAME_BEFORE_AGE.finditer(text):
        if (span := _name_span(m, last=True)) is not None:
            yield span
    for m in INTRODUCTION.finditer(text):
        group = next(g for g in ("name", "name2", "name3", "name4") if m.group(g))
        if (span := _name_span(m, group)) is not None:
            yield span
    for m in GREETING_INTRODUCTION.finditer(text):
        if (span := _name_span(m, lower_ok=True)) is not None:
            yield span
    for m in NAME_IS.finditer(text):
        if (span := _name_span(m, lower_ok=True)) is not None:
            yield span


def known_names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Known full names, and any capitalised word followed by a known surname."""
    cleaned = sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 4 and " " in n.strip()}, key=len, reverse=True
    )
    if not cleaned:
        return None
    surnames = sorted({n.split()[-1] for n in cleaned if len(n.split()[-1]) >= 4 and n.split()[-1][:1].isupper()})
    parts = [re.escape(n) for n in cleaned]
    if surnames:
        parts.append(r"(?-i:[A-Z])[a-z]+(?:[-'][a-z]+)?\s+(?:" + "|".join(re.escape(s) for s in surnames) + ")")
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.I)
