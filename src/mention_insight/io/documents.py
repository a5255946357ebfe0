"""Whole-document exports: JSON arrays, X API v2 responses and the X archive's ``tweets.js``."""

from __future__ import annotations

import json

from ..errors import InputFormatError
from .jsontext import JSONTextError, parse_json
from .records import Record

#: Keys under which a JSON object may hold its list of mentions.
WRAPPER_KEYS = ("data", "mentions", "records", "items", "rows", "tweets")


def load_json(text: str, name: str):
    try:
        return parse_json(text)
    except JSONTextError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise InputFormatError(
            f"{name}{where}: {exc.reason}. For one object per line use JSON Lines (.jsonl) or --format jsonl."
        ) from None


def twitter_records(doc, name) -> list[Record]:
    pages = doc if isinstance(doc, list) else [doc]
    out: list[Record] = []
    for p, page in enumerate(pages, 1):
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise InputFormatError(
                f"{name}: page {p} is not an X API v2 response (expected an object with a 'data' list)."
            )
        users = {u.get("id"): u for u in (page.get("includes") or {}).get("users", []) if isinstance(u, dict)}
        for i, tweet in enumerate(page["data"], 1):
            if not isinstance(tweet, dict):
                out.append(Record(i, {"_raw": json.dumps(tweet)}, f"item {i}: expected a tweet object"))
                continue
            data = dict(tweet)
            user = users.get(tweet.get("author_id"), {})
            data["author_username"] = user.get("username")
            data["author_name"] = user.get("name")
            replied = [r.get("id") for r in tweet.get("referenced_tweets", []) or [] if r.get("type") == "replied_to"]
            data["in_reply_to_id"] = replied[0] if replied else None
            out.append(Record(i, data))
    return out


def tweets_js_records(text: str, name: str) -> list[Record]:
    start = text.find("=")
    if not text.lstrip().startswith("window.YTD") or start < 0:
        raise InputFormatError(f"{name}: expected an X archive file starting 'window.YTD.tweets.part0 = ['.")
    items = load_json(text[start + 1 :].strip().rstrip(";"), name)
    if not isinstance(items, list):
        raise InputFormatError(f"{name}: expected a list of tweets after 'window.YTD... ='.")
    out = []
    for i, item in enumerate(items, 1):
        tweet = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tweet, dict):
            out.append(Record(i, {"_raw": json.dumps(item)}, f"item {i}: expected a tweet object"))
            continue
        data = dict(tweet)
        data.setdefault("in_reply_to_id", tweet.get("in_reply_to_status_id_str"))
        out.append(Record(i, data))
    return out


def json_records(doc, name) -> list[Record]:
    if isinstance(doc, dict):
        for key in WRAPPER_KEYS:
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            raise InputFormatError(f"{name}: expected a JSON array of objects (or an object with a 'data' list).")
    if not isinstance(doc, list):
        raise InputFormatError(f"{name}: expected a JSON array of objects, found {type(doc).__name__}.")
    out = []
    for i, obj in enumerate(doc, 1):
        if isinstance(obj, dict):
            out.append(Record(i, dict(obj)))
        else:
            out.append(
                Record(i, {"_raw": json.dumps(obj)}, f"item {i}: expected a JSON object, found {type(obj).__name__}")
            )
    return out
