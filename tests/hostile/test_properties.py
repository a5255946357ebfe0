"""Property-based tests (Hypothesis) for the readers, the row writer and spreadsheet safety."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mention_insight.io import open_mentions  # noqa: E402
from mention_insight.io.safety import spreadsheet_safe, unescape_cell  # noqa: E402
from mention_insight.io.writer import RowWriter  # noqa: E402

#: Any text a file can hold as UTF-8 (no lone surrogates).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(data: bytes, fmt: str):
    source = open_mentions(io.BytesIO(data), format=fmt)
    return [(r.data, r.error) for r in source]


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_csv_reader_gives_back_every_row_in_order(texts):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(["id", "text"])
    writer.writerows([[i, t] for i, t in enumerate(texts)])
    rows = _read(buf.getvalue().encode("utf-8"), "csv")
    assert [(d["id"], d["text"].replace("\r\n", "\n").replace("\r", "\n")) for d, _ in rows] == [
        (str(i), t.replace("\r\n", "\n").replace("\r", "\n")) for i, t in enumerate(texts)
    ]
    assert all(err is None for _, err in rows)


@SETTINGS
@given(
    st.lists(
        st.fixed_dictionaries({"text": TEXT}, optional={"author": TEXT | st.none(), "id": st.integers() | TEXT}),
        min_size=1,
        max_size=15,
    )
)
def test_jsonl_reader_gives_back_every_object_in_order(objects):
    data = "".join(json.dumps(o) + "\n" for o in objects).encode("utf-8")
    rows = _read(data, "jsonl")
    assert [d for d, _ in rows] == objects


@SETTINGS
@given(st.binary(max_size=300))
def test_csv_reader_never_raises_anything_but_its_own_errors(data):
    from mention_insight.errors import MentionInsightError

    with contextlib.suppress(MentionInsightError):
        _read(b"text,author\n" + data, "csv")


@SETTINGS
@given(st.binary(max_size=300))
def test_jsonl_reader_keeps_one_record_per_nonblank_line(data):
    from mention_insight.errors import MentionInsightError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    lines = [line for line in io.StringIO(text, newline=None).read().split("\n") if line.strip()]
    try:
        rows = _read(data, "jsonl")
    except MentionInsightError:
        return
    assert len(rows) <= max(len(lines), 1)


@SETTINGS
@given(TEXT)
def test_spreadsheet_escaping_is_reversible_and_safe(text):
    safe = spreadsheet_safe(text)
    assert unescape_cell(safe) == text
    rest = safe.lstrip("'")
    if safe and safe[0] in "=+-@\t\r":  # only numbers may start with these
        assert float(safe.replace(",", ".")) is not None
    assert safe == text or safe == "'" + text and rest


@SETTINGS
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=10))
def test_row_writer_round_trips_through_a_csv_reader(tmp_path_factory, pairs):
    path = tmp_path_factory.mktemp("w") / "out.csv"
    with RowWriter(path, "csv", ["a", "b"]) as writer:
        for a, b in pairs:
            writer.write({"a": a, "b": b})
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(unescape_cell(r["a"]), unescape_cell(r["b"])) for r in rows] == pairs
    assert not any(v[:1] in ("=", "+", "@") and not v[1:].replace(".", "").isdigit() for r in rows for v in r.values())
