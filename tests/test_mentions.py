import io
import json

import pytest

from mention_insight.errors import ColumnError, EncodingError, InputFormatError
from mention_insight.io import detect_format, open_mentions


def read(data: bytes, **kw):
    source = open_mentions(io.BytesIO(data), **kw)
    return source, list(source)


# -- CSV / TSV -------------------------------------------------------------------
def test_csv_with_quoted_newlines_blank_lines_and_bom():
    src, recs = read(b'\xef\xbb\xbfid,text,created_at\n1,"hello\nthere",2026-08-01\n\n2,bye,2026-08-02\n')
    assert src.format == "csv" and src.columns == ["id", "text", "created_at"]
    assert [(r.line, r.data["text"], r.error) for r in recs] == [(2, "hello\nthere", None), (5, "bye", None)]
    assert src.mapping.id == "id" and src.mapping.created_at == "created_at"


@pytest.mark.parametrize("sep", [b";", b"\t", b"|"])
def test_delimiter_is_sniffed_from_the_header(sep):
    src, recs = read(b"id" + sep + b"message\n1" + sep + b"hi, there friend\n")
    assert src.mapping.text == "message"
    assert recs[0].data["message"] == "hi, there friend"


def test_ragged_rows_are_kept_and_reported_with_their_line():
    _, recs = read(b"id,text,area\n1,ok,Didsbury\n2,short\n3,long,x,y\n")
    assert recs[0].error is None
    assert recs[1].error == "line 3: 2 fields but the header has 3; check the quoting or delimiter of this row"
    assert recs[1].data == {"id": "2", "text": "short", "area": ""}
    assert recs[2].error.startswith("line 4: 4 fields but the header has 3 (extra: ['y'])")


def test_unclosed_quote_costs_only_its_own_row():
    _, recs = read(b'id,text\n1,fine\n2,"never closed\n3,next\n4,last\n')
    assert [r.line for r in recs] == [2, 3, 4, 5]  # every row out, in order
    assert recs[1].error == "line 3: a quote opened in this row is never closed; fix the quote"
    assert [(r.data["id"], r.data["text"], r.error) for r in recs[2:]] == [("3", "next", None), ("4", "last", None)]


def test_a_quoted_field_over_several_lines_is_one_row():
    _, recs = read(b'id,text\n1,"two\nlines"\n2,next\n')
    assert [(r.data["text"], r.error) for r in recs] == [("two\nlines", None), ("next", None)]


def test_old_mac_line_endings_are_rows():
    _, recs = read(b"id,text\r1,hello\r2,there\r")
    assert [(r.line, r.data["text"], r.error) for r in recs] == [(2, "hello", None), (3, "there", None)]


def test_a_field_over_one_mib_fails_its_row_only():
    _, recs = read(b"id,text\n1," + b"x" * (1 << 20 + 1) + b"\n2,small\n")
    assert recs[0].error == "line 2: a field is longer than 1,048,576 characters (1 MiB); shorten it"
    assert (recs[1].data["text"], recs[1].error) == ("small", None)


def test_a_stray_inch_mark_is_not_an_error():
    _, recs = read(b'id,text\n1,my 5" screen broke\n')
    assert recs[0].error is None and recs[0].data["text"] == 'my 5" screen broke'


def test_missing_text_column_names_the_columns_and_the_fix():
    with pytest.raises(ColumnError) as exc:
        read(b"id,words,date\n1,hi,2\n")
    assert str(exc.value) == (
        "expected a text column (one of: text, full_text, message, body, content, tweet); "
        "found columns [id, words, date]. Use --text-column NAME with the column that holds the mention text."
    )


def test_missing_text_column_proposes_the_most_text_like_column():
    with pytest.raises(ColumnError) as exc:
        read(b"id,Post Body,date\n1,the park gates are open again tonight,2\n2,thanks for coming round,3\n")
    assert str(exc.value).endswith("Its values look like text: use --text-column 'Post Body'.")


def test_text_column_override_and_unknown_override():
    src, recs = read(b"id,words\n1,hi\n", text_column="words")
    assert src.text_of(recs[0]) == "hi"
    with pytest.raises(ColumnError, match=r"no column 'nope' for the text; found columns \[id, words\]"):
        read(b"id,words\n1,hi\n", text_column="nope")


def test_headerless_csv_finds_the_text_by_content():
    data = (
        b"22631081115127808,@FC_HELP can I return online purchases to a store if I have the note?,0,apparel\n"
        b"23364081385734144,@FC_Help hi there I would like to talk to someone in PR please,1,apparel\n"
    )
    src, recs = read(data)
    assert src.mapping.text == "column_2"
    assert len(recs) == 2 and recs[0].line == 1


def test_undecodable_bytes_name_the_line_and_suggest_an_encoding():
    data = b"id,text\n1,fine\n2,caf\xe9 closed\n"
    with pytest.raises(EncodingError) as exc:
        read(data)
    assert "line 3: byte 0xe9 at column 6 cannot be decoded as utf-8" in str(exc.value)
    assert "try --encoding cp1252" in str(exc.value)
    _, recs = read(data, encoding="cp1252")
    assert recs[1].data["text"] == "café closed"


def test_utf16_with_bom_reads_when_asked():
    data = "id,text\n1,hiya 🙏\n".encode("utf-16")
    _, recs = read(data, encoding="utf-16")
    assert recs[0].data["text"] == "hiya 🙏"


def test_empty_file_is_a_clear_error():
    with pytest.raises(InputFormatError, match="is empty: expected a header row"):
        read(b"\n\n")


# -- JSON family ---------------------------------------------------------------
def test_json_lines_keeps_bad_lines_as_rows_with_errors():
    src, recs = read(b'{"id":1,"text":"a"}\n{bad\n\n[1]\n{"id":3,"full_text":"c"}\n', format="jsonl")
    assert src.format == "jsonl"
    assert recs[0].error is None
    assert recs[1].line == 2 and recs[1].data == {"_raw": "{bad"}
    assert recs[1].error.startswith("line 2: invalid JSON (Expecting property name")
    assert recs[2].error == "line 4: expected a JSON object, found list"
    assert len(recs) == 4


def test_json_array_and_wrapped_array():
    src, recs = read(b'[{"id":1,"message":"a"},{"id":2,"message":"b"}]')
    assert src.format == "json" and [r.data["message"] for r in recs] == ["a", "b"]
    src, recs = read(json.dumps({"mentions": [{"body": "x"}]}).encode())
    assert src.mapping.text == "body" and len(recs) == 1


def test_invalid_json_document_names_the_line():
    with pytest.raises(InputFormatError, match=r"line 2: invalid JSON"):
        read(b'[{"text": "a"},\n {"text": }]')


def test_twitter_api_v2_joins_users_and_replies():
    doc = {
        "data": [
            {
                "id": "11",
                "text": "@NPT_Didsbury thanks!",
                "author_id": "9",
                "created_at": "2026-08-01T10:00:00.000Z",
                "referenced_tweets": [{"type": "replied_to", "id": "10"}],
            },
            {"id": "12", "text": "hi", "author_id": "8"},
        ],
        "includes": {"users": [{"id": "9", "username": "bob", "name": "Bob B"}]},
        "meta": {"result_count": 2},
    }
    src, recs = read(json.dumps(doc).encode())
    assert src.format == "twitter-api"
    assert src.mapping.author == "author_username" and src.mapping.in_reply_to == "in_reply_to_id"
    assert recs[0].data["author_username"] == "bob" and recs[0].data["in_reply_to_id"] == "10"
    assert recs[1].data["author_username"] is None


def test_x_archive_tweets_js():
    body = (
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "5", "full_text": "cheers PC Jones", '
        '"in_reply_to_status_id_str": "4", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}}]'
    )
    src, recs = read(body.encode())
    assert src.format == "tweets-js"
    assert src.mapping.text == "full_text" and src.mapping.id == "id_str"
    assert recs[0].data["in_reply_to_id"] == "4"


def test_format_detection():
    assert detect_format("id,text\n1,a") == "csv"
    assert detect_format('{"a":1}\n{"a":2}\n') == "jsonl"
    assert detect_format("[{}]") == "json"
    assert detect_format('{"data": [], "includes": {}}') == "twitter-api"
    assert detect_format('{"data": [{"text": "a"}]}') == "json"
    assert detect_format('{"text": "a"}') == "jsonl"
    assert detect_format("window.YTD.tweets.part0 = []") == "tweets-js"
    assert detect_format("x", "export.tsv") == "tsv"


def test_stdin_dash(monkeypatch):
    class FakeStdin:
        buffer = io.BytesIO(b"text\nfrom stdin\n")

    monkeypatch.setattr("sys.stdin", FakeStdin())
    src = open_mentions("-")
    assert [r.data["text"] for r in src] == ["from stdin"]


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(InputFormatError, match="no such file"):
        open_mentions(tmp_path / "nope.csv")
    with pytest.raises(InputFormatError, match="unknown format 'xml'"):
        open_mentions(tmp_path / "nope.csv", format="xml")


def test_large_csv_streams_in_order(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id,text\n" + "".join(f"{i},mention number {i}\n" for i in range(50_000)), "utf-8")
    src = open_mentions(path)
    ids = [int(r.data["id"]) for r in src]
    assert ids == list(range(50_000))
