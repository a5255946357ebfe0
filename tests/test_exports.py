"""Ten export layouts: the right text, author and date columns, every row dated (tests/exports/README.md)."""

from datetime import datetime
from pathlib import Path

import pytest

from mention_insight.impact import load_mentions
from mention_insight.io import open_mentions

HERE = Path(__file__).resolve().parent / "exports"
SCHOOL = "@NPT_Didsbury thanks for coming to the school fair today"
PARK = "@NPT_Didsbury bikes racing round Fog Lane park again"

#: file -> (text column, author column, date column, recognised layout, (first date, second date))
LAYOUTS = {
    "twarc_csv.csv": ("text", "author.username", "created_at", "X API v2", ("2026-09-01 09:12", "2026-09-02 18:40")),
    "hootsuite.csv": ("Post Message", "Author", "Date (GMT)", "Hootsuite", ("2026-09-01 09:12", "2026-09-13 18:40")),
    "sprout_social.csv": ("Message", "From", "Date", "Sprout Social", ("2026-09-01 09:12", "2026-09-02 18:40")),
    "brandwatch.csv": ("Full Text", "Author", "Date", "Brandwatch", ("2026-09-01 09:12", "2026-09-02 18:40")),
    "meltwater.xlsx": ("Hit Sentence", "Influencer", "Date", "Meltwater", ("2026-09-01 09:12", "2026-09-02 18:40")),
    "talkwalker.csv": (
        "content",
        "extra_author_attributes.short_name",
        "published",
        "Talkwalker",
        ("2026-09-01 09:12", "2026-09-02 18:40"),
    ),
    "orlo.csv": ("Message", "Author", "Created", "Orlo", ("2026-09-01 09:12", "2026-09-02 18:40")),
    "sprinklr.csv": (
        "Message",
        "Sender Screen Name",
        "Created Time",
        "Khoros",
        ("2026-09-01 09:12", "2026-09-02 18:40"),
    ),
}


@pytest.fixture(scope="module")
def meltwater_xlsx(tmp_path_factory):
    """A Meltwater-style workbook: metadata rows, then the header, real dates and a numeric id."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Meltwater export"])
    ws.append(["Search: NPT Didsbury"])
    ws.append([])
    ws.append(["Date", "Title", "Opening Text", "Hit Sentence", "Influencer", "URL", "Tweet Id"])
    ws.append([datetime(2026, 9, 1, 9, 12), None, SCHOOL, SCHOOL, "@parent_m20", "https://x.com/1", 1834])
    ws.append(["02-Sep-2026 18:40", None, PARK, PARK, "@fog_lane_walker", "https://x.com/2", 1835.0])
    path = tmp_path_factory.mktemp("xlsx") / "meltwater.xlsx"
    book.save(path)
    return path


def _path(name: str, meltwater_xlsx) -> Path:
    return meltwater_xlsx if name == "meltwater.xlsx" else HERE / name


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_reads_its_text_author_and_date_columns(name, meltwater_xlsx, toy_model):
    text, author, when, layout, dates = LAYOUTS[name]
    source = open_mentions(_path(name, meltwater_xlsx))
    assert (source.mapping.text, source.mapping.author, source.mapping.created_at) == (text, author, when)
    assert layout in (source.mapping.layout or "")
    data = load_mentions(_path(name, meltwater_xlsx), model=toy_model)
    assert [m.text for m in data.mentions] == [SCHOOL, PARK]
    assert [m.created_at.strftime("%Y-%m-%d %H:%M") for m in data.mentions] == list(dates)
    assert data.dates is not None and data.dates.unreadable == []
    assert all(m.author for m in data.mentions)


def test_a_metadata_block_above_the_header_is_skipped_and_said(meltwater_xlsx):
    assert open_mentions(HERE / "brandwatch.csv").mapping.header_line == 6  # 4 metadata rows and a blank line above
    assert open_mentions(meltwater_xlsx).mapping.header_line == 4
    # --skip-rows says where the header is when the detection cannot
    assert open_mentions(HERE / "brandwatch.csv", skip_rows=4).mapping.text == "Full Text"


def test_numeric_ids_from_excel_stay_whole(meltwater_xlsx):
    ids = [r.data["Tweet Id"] for r in open_mentions(meltwater_xlsx)]
    assert ids == ["1834", "1835"]


@pytest.mark.parametrize("name", ["x_api_v2.json", "tweets.js"])
def test_x_formats_read_their_text_and_dates(name, toy_model):
    data = load_mentions(HERE / name, model=toy_model)
    assert len(data.mentions) == 2
    assert all(m.created_at is not None and m.text for m in data.mentions)


def test_unreadable_dates_are_counted_with_their_lines(tmp_path, toy_model):
    path = tmp_path / "dates.csv"
    path.write_text("text,date\nhello there,yesterday\nthe park again,01/09/2026\nthird one,\n")
    data = load_mentions(path, model=toy_model)
    assert data.dates.unreadable == [(2, "yesterday")]
    assert data.dates.message().startswith("1 row(s) have a date that could not be read and count as undated (lines 2;")
    assert [m.created_at is None for m in data.mentions] == [True, False, True]


def test_month_first_dates_are_recognised_from_the_data_or_the_option(tmp_path, toy_model):
    path = tmp_path / "us.csv"
    path.write_text("text,date\nhello there,12/31/2026\nthe park again,01/02/2026\n")
    us = load_mentions(path, model=toy_model)
    assert [m.created_at.date().isoformat() for m in us.mentions] == ["2026-12-31", "2026-01-02"]
    uk = tmp_path / "uk.csv"
    uk.write_text("text,date\nhello there,01/02/2026\n")
    assert load_mentions(uk, model=toy_model).mentions[0].created_at.month == 2
    assert load_mentions(uk, model=toy_model, dayfirst=False).mentions[0].created_at.month == 1
    assert load_mentions(uk, model=toy_model).dates.dayfirst_message().startswith("1 date(s) like 01/09/2026 were read")


def _api_csv(tmp_path) -> Path:
    rows = [
        ("1", "parent_m20", "@NPT_Didsbury thanks for coming to the school fair today"),
        ("2", "fog_lane_walker", "@NPT_Didsbury bikes racing round Fog Lane park again"),
        ("3", "NPT_Didsbury", "@parent_m20 Thanks, glad the kids enjoyed it"),
        ("4", "cyclist_m20", "@NPT_Didsbury @TfGMNews vans parked across the cycle lane again"),
        ("5", "NPT_Didsbury", "Street surgery on Burton Road on Saturday, come and see us"),
        ("6", "burton_rd", "@NPT_Didsbury can someone pop round about the break-in?"),
    ]
    path = tmp_path / "search.csv"
    path.write_text(
        "id,author.username,created_at,text\n" + "".join(f"{i},{a},2026-09-0{i}T10:00:00Z,{t}\n" for i, a, t in rows),
        encoding="utf-8",
    )
    return path


def test_the_account_is_worked_out_from_the_handles_the_mentions_address(tmp_path, toy_model):
    data = load_mentions(_api_csv(tmp_path), model=toy_model)
    assert data.accounts.handles == ("NPT_Didsbury",) and data.accounts.how == "data"
    own = [m.id for m in data.mentions if m.is_account_post]
    assert own == ["3", "5"]
    assert {m.account for m in data.mentions} == {"NPT_Didsbury"}
    assert data.accounts.message(2, 4) == (
        "account(s) worked out from the data: @NPT_Didsbury (4 mentions address it); "
        "4 public mention(s), 2 post(s) by the account(s)"
    )


def test_the_account_can_be_given(tmp_path, toy_model):
    data = load_mentions(_api_csv(tmp_path), model=toy_model, accounts=["@TfGMNews"])
    assert data.accounts.handles == ("TfGMNews",) and data.accounts.how == "option"
    assert [m.id for m in data.mentions if m.account == "TfGMNews"] == ["4"]
    assert not any(m.is_account_post for m in data.mentions)


def test_an_x_archive_is_the_accounts_own_posts(toy_model):
    data = load_mentions(HERE / "tweets.js", model=toy_model)
    assert data.accounts.how == "archive"
    assert all(m.is_account_post for m in data.mentions)
