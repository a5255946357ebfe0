"""JSON Lines exports: one object per line, streamed; an invalid line is kept with an error."""

from __future__ import annotations

from ..errors import InputFormatError
from .columns import map_columns, union_keys
from .jsontext import JSONTextError, parse_json
from .records import Record


def read_jsonl(lines, name, overrides):
    def parse():
        for n, line in lines:
            if not line.strip():
                continue
            try:
                obj = parse_json(line)
            except JSONTextError as exc:
                raw = line.rstrip("\r\n")
                yield Record(n, {"_raw": raw if len(raw) <= 200 else raw[:200] + "…"}, f"line {n}: {exc.reason}")
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
