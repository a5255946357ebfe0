"""JSON Lines exports: one object per line, streamed; an invalid line is kept with an error."""

from __future__ import annotations

import json

from ..errors import InputFormatError
from .columns import map_columns, union_keys
from .records import Record


def read_jsonl(lines, name, overrides):
    def parse():
        for n, line in lines:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(
                    n, {"_raw": line.rstrip("\r\n")}, f"line {n}: invalid JSON ({exc.msg} at column {exc.colno})"
                )
                continue
            if not isinstance(obj, dict):
                yield Record(
                    n, {"_raw": line.rstrip("\r\n")}, f"line {n}: expected a JSON object, found {type(obj).__name__}"
                )
                continue
            yield Record(n, obj)

    stream = parse()
    head: list[Record] = []
    for rec in stream:
        head.append(rec)
        if len(head) >= 1000:
            break
    if not head:
        raise InputFormatError(f"{name} is empty: expected one JSON object per line.")
    columns = union_keys(head)
    mapping = map_columns(columns, overrides)

    def records():
        yield from head
        yield from stream

    return columns, mapping, records()
