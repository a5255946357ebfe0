import csv
import json

import pytest

from mention_insight.errors import ReportError
from mention_insight.impact import load_mentions
from mention_insight.insight import compute_summary
from mention_insight.insight.pseudonym import Pseudonymiser
from mention_insight.report.prose import note_text

LABELS = ["visit_request", "complaint", "shared_info", "thanks", "other"]
KEY = bytes(range(32))

# id, created_at, author, name, account, in_reply_to, outcome, text, labels
ROWS = [
    ("1", "2026-08-03T10:00:00Z", "ann", "Ann Lee", "NPT_A", "", "visited", "can someone come round", "visit_request"),
    ("2", "2026-08-04T11:30:00Z", "bob", "Bob Marsh", "NPT_A", "", "", "thanks for the visit", "thanks"),
    (
        "3",
        "2026-08-05T20:00:00Z",
        "ann",
        "Ann Lee",
        "NPT_B",
        "",
        "no_action",
        "please come again, nobody came",
        "visit_request;complaint",
    ),
    ("4", "2026-08-05T12:00:00Z", "NPT_A", "Team A", "NPT_A", "1", "", "PC Finch will call", "other"),
    ("5", "2026-08-11T09:00:00Z", "cat", "Cat Ng", "NPT_B", "", "", "bikes on Beech Road", "shared_info"),
    (
        "6",
        "Tue Aug 11 10:00:00 +0000 2026",
        "ann",
        "Ann Lee",
        "NPT_B",
        "",
        "visited",
        "come round again please",
        "visit_request",
    ),
    ("7", "not a date", "dan", "Dan Oyo", "NPT_A", "", "", "lol", "other"),
    ("8", "2026-08-11T12:00:00Z", "NPT_B", "Team B", "NPT_B", "5", "", "thanks, on it", "other"),
    ("9", "2026-08-12T08:00:00Z", "eve", "Eve Roe", "NPT_A", "", "", "great work officers", "thanks"),
]


@pytest.fixture
def classified(tmp_path):
    path = tmp_path / "classified.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "id",
                "created_at",
                "author_username",
                "author_name",
                "account",
                "in_reply_to_id",
                "outcome",
                "text",
                "label",
                "labels",
                *[f"score_{c}" for c in LABELS],
                "model_id",
                "error",
            ]
        )
        for r in ROWS:
            labels = r[8].split(";")
            w.writerow(
                [*r[:8], labels[0], json.dumps(labels), *[0.9 if c in labels else 0.1 for c in LABELS], "toy", ""]
            )
    return path


@pytest.fixture
def summary(classified, toy_model):
    data = load_mentions(classified, model=toy_model)
    return compute_summary(data, period="week", by="account", pseudonymiser=Pseudonymiser(KEY))


def test_account_posts_are_not_mentions_and_undated_rows_are_kept(summary):
    assert (summary.rows, summary.mentions, summary.account_posts, summary.undated) == (9, 7, 2, 1)
    assert summary.periods == ["2026-08-03", "2026-08-10", "undated"]
    assert any("1 mention(s) have a missing or unreadable date" in n for n in map(note_text, summary.notes))


def test_counts_per_label_period_and_account_are_exact(summary):
    o = summary.overall
    assert o.counts == {"visit_request": 3, "complaint": 1, "shared_info": 1, "thanks": 2, "other": 1}
    assert o.per_period["2026-08-03"] == {"visit_request": 2, "complaint": 1, "shared_info": 0, "thanks": 1, "other": 0}
    assert o.per_period["2026-08-10"] == {"visit_request": 1, "complaint": 0, "shared_info": 1, "thanks": 1, "other": 0}
    assert o.per_period["undated"]["other"] == 1
    assert o.period_totals == {"2026-08-03": 3, "2026-08-10": 3, "undated": 1}
    assert o.changes["2026-08-10"]["visit_request"] == {"delta": -1, "pct": -50.0}
    assert o.changes["2026-08-10"]["shared_info"] == {"delta": 1, "pct": None}
    assert o.share("visit_request") == pytest.approx(3 / 7)
    by = {g.name: g for g in summary.groups}
    assert {n: g.mentions for n, g in by.items()} == {"NPT_A": 4, "NPT_B": 3}
    assert by["NPT_B"].counts["visit_request"] == 2


def test_busiest_days_and_hours(summary):
    assert summary.weekdays["Tuesday"] == 3 and summary.weekdays["Wednesday"] == 2
    assert summary.hours[10] == 2 and summary.hours[20] == 1
    assert summary.busiest_days[0] == ("2026-08-11", 2)


def test_reply_times_come_from_the_accounts_replies(summary):
    r = summary.overall.replies
    assert (r.replied, r.mentions) == (2, 7)
    assert r.median_minutes == pytest.approx((50 * 60 + 180) / 2)  # 50 h and 3 h
    assert r.per_period_median_minutes == {"2026-08-03": 50 * 60.0, "2026-08-10": 180.0}


def test_repeat_contacts_are_pseudonymised(summary):
    ann = Pseudonymiser(KEY)("ann")
    assert [c.pseudonym for c in summary.repeat_contacts] == [ann]
    assert summary.repeat_contacts[0].mentions == 3
    assert summary.repeat_contacts[0].groups == ["NPT_A", "NPT_B"]
    assert [(c.pseudonym, c.labels["visit_request"]) for c in summary.repeat_visit_requests] == [(ann, 3)]


def test_outcomes_per_label(summary):
    assert summary.outcomes["visit_request"] == {"visited": 2, "no_action": 1}
    assert summary.outcomes["complaint"] == {"no_action": 1}


def test_since_until_leave_out_mentions_but_say_so(classified, toy_model):
    data = load_mentions(classified, model=toy_model)
    s = compute_summary(data, since="2026-08-10", pseudonymiser=Pseudonymiser(KEY))
    assert s.mentions == 4 and s.outside_range == 3
    assert s.periods == ["2026-08-10", "undated"]


def test_grouping_by_none_gives_only_the_overall_view(classified, toy_model):
    s = compute_summary(load_mentions(classified, model=toy_model), by="none")
    assert s.groups == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"period": "fortnight"}, "unknown period 'fortnight': expected one of day, week, month. Use --period week."),
        ({"by": "ward"}, "unknown grouping 'ward': expected one of account, area, none. Use --by account."),
        ({"since": "10/08/2026"}, "--since expects a date like 2026-08-03; found '10/08/2026'."),
        ({"since": "2026-09-01", "until": "2026-08-01"}, "--since 2026-09-01 is after --until 2026-08-01; swap them."),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(classified, toy_model, kwargs, message):
    with pytest.raises(ReportError) as exc:
        compute_summary(load_mentions(classified, model=toy_model), **kwargs)
    assert str(exc.value) == message


def test_raw_mentions_are_classified_first(tmp_path, toy_model):
    path = tmp_path / "raw.csv"
    path.write_text("id,created_at,text\n1,2026-08-03,can someone come round please\n2,2026-08-03,\n")
    data = load_mentions(path, model=toy_model)
    assert data.classified_here is True
    assert data.mentions[0].label == "visit_request"
    s = compute_summary(data)
    assert s.mentions == 1 and s.unclassified == 1
