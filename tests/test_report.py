import csv
import json
import os
import re
import shutil
import stat
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from mention_insight.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "mentions_export.csv"
ACCOUNTS = {"NPT_Didsbury", "NPT_Chorlton", "NPT_Withington"}


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(cli, ["report", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _outputs(html: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(html.parent.iterdir())
        if p.suffix in (".html", ".md", ".json", ".csv")
    }


def test_report_writes_every_format_and_a_private_key(sample_report):
    names = set(_outputs(sample_report))
    assert names == {
        "report.html",
        "report.md",
        "report.json",
        "report_counts.csv",
        "report_totals.csv",
        "report_repeat_contacts.csv",
    }
    key = Path(f"{sample_report}.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", key.read_text())


def test_json_counts_equal_the_counts_of_the_classified_file(sample_report, sample_classified):
    classified = sample_classified
    counts, mentions = Counter(), 0
    with classified.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["author_username"] == row["account"]:
                continue
            mentions += 1
            counts.update(row["labels"].split(";"))
    report = json.loads(sample_report.with_suffix(".json").read_text())
    assert report["totals"]["mentions"] == mentions == 406
    assert report["totals"]["account_posts"] == 75
    assert report["overall"]["labels"] == {lab: counts[lab] for lab in report["labels"]}
    per_week = Counter()
    for p in report["overall"]["per_period"]:
        per_week.update(p["labels"])
    assert dict(per_week) == {lab: counts[lab] for lab in report["labels"]}
    assert sum(g["mentions"] for g in report["groups"]) == 406
    assert [p["mentions"] for p in report["overall"]["per_period"]] == [34, 28, 34, 35, 33, 44, 43, 40, 37, 38, 40]


def test_without_a_sample_counts_are_predictions_and_the_report_says_how_many_to_label(sample_report):
    report = json.loads(sample_report.with_suffix(".json").read_text())
    for lab, est in report["overall"]["estimated"].items():
        assert est["predicted"] == report["overall"]["labels"][lab]
        assert (est["estimated"], est["low"], est["high"]) == (est["predicted"],) * 3
        assert (est["corrected"], est["method"]) == (False, "none")
    advice = [n for n in report["notes"] if n.startswith("No labelled sample of this export was given")]
    assert len(advice) == 1
    n = int(re.search(r"label a random (\d+) of these mentions", advice[0]).group(1))
    assert 50 <= n <= 406
    assert report["method"]["error_rates"]["thanks"]["n"] > 0  # the held-out rates, shown as a caveat
    assert "(predicted, not corrected)" in sample_report.read_text(encoding="utf-8")


def test_no_handle_name_phone_or_email_from_the_input_appears_in_any_output(sample_report):
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    public = [r for r in rows if r["author_username"] != r["account"]]
    handles = {r["author_username"] for r in public}
    handles |= {h for r in rows for h in re.findall(r"@(\w+)", r["text"])} - ACCOUNTS
    names = {r["author_name"] for r in public}
    phones = {p for r in rows for p in re.findall(r"(?:07700|0161) ?\d{3} ?\d{3,4}", r["text"])}
    emails = {e for r in rows for e in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", r["text"])}
    assert len(handles) > 270 and len(names) > 270 and len(phones) >= 5 and len(emails) >= 3
    for name, text in _outputs(sample_report).items():
        lower = text.lower()
        leaks = [h for h in handles if re.search(rf"(?<![\w-]){re.escape(h.lower())}(?![\w-])", lower)]
        leaks += [n for n in names if n.lower() in lower]
        leaks += [p for p in phones if p in text or p.replace(" ", "") in text]
        leaks += [e for e in emails if e.lower() in lower]
        assert leaks == [], f"{name} leaks {leaks[:5]}"


def test_the_key_is_reused_so_pseudonyms_stay_stable(tmp_path, sample_classified):
    out = tmp_path / "r.html"
    args = ["report", str(sample_classified), "-o", str(out), "--formats", "json"]
    first = CliRunner().invoke(cli, args)
    assert "pseudonym key created at" in first.output
    a = json.loads(out.with_suffix(".json").read_text())["repeat_contacts"]
    second = CliRunner().invoke(cli, args)
    assert "pseudonym key created" not in second.output
    assert json.loads(out.with_suffix(".json").read_text())["repeat_contacts"] == a
    assert len(a) == 21 and all(re.fullmatch(r"resident-[0-9a-f]{16}", c["pseudonym"]) for c in a)


def test_bad_period_exits_1_with_a_clear_message_and_writes_nothing(tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(SAMPLE), "-o", str(out), "--period", "fortnight"])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "error: unknown period 'fortnight': expected one of day, week, month. Use --period week."
    )
    assert list(tmp_path.iterdir()) == []


def test_bad_key_file_is_refused(tmp_path):
    key = tmp_path / "k.key"
    key.write_text("not hex")
    result = CliRunner().invoke(cli, ["report", str(SAMPLE), "-o", str(tmp_path / "r.html"), "--key-file", str(key)])
    assert result.exit_code == 1
    assert "should hold a hex key (64 hex digits)" in result.output


def test_report_help_has_an_example():
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert "Example:" in result.output and "mention-insight report" in result.output


def test_html_is_self_contained(sample_report):
    html = sample_report.read_text()
    assert html.count("<svg") >= 5
    assert not re.search(r"<script|<link|src=\"http|href=\"http", html)


CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome")) if p), None
)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_report_renders_with_its_charts_in_headless_chromium(sample_report, tmp_path):
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*flags, "--dump-dom", sample_report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert dom.stdout.count("<svg") >= 5
    assert "Is the account bringing results?" in dom.stdout
    assert len(re.findall(r"<polyline class=\"series\"", dom.stdout)) >= 5
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1280,2400", sample_report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-500:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if os.environ.get("MENTION_INSIGHT_SCREENSHOT"):
        shutil.copy(shot, os.environ["MENTION_INSIGHT_SCREENSHOT"])


LABELLED_SAMPLE = SAMPLE.parent / "mentions_labelled_sample.csv"
ANSWER_KEY = SAMPLE.parent / "mentions_labels.csv"


@pytest.fixture(scope="module")
def sampled_report(tmp_path_factory, sample_classified):
    out = tmp_path_factory.mktemp("sampled") / "report.html"
    result = CliRunner().invoke(
        cli, ["report", str(sample_classified), "-o", str(out), "--labelled-sample", str(LABELLED_SAMPLE)]
    )
    assert result.exit_code == 0, result.output
    assert "203 labelled mentions of this export" in result.output
    return out


def _truth() -> dict[str, set[str]]:
    with ANSWER_KEY.open(newline="", encoding="utf-8") as fh:
        return {r["id"]: set(r["labels"].split(";")) for r in csv.DictReader(fh)}


def test_a_labelled_sample_gives_intervals_that_contain_the_hand_labelled_truth(sampled_report):
    report = json.loads(sampled_report.with_suffix(".json").read_text())
    truth = Counter(lab for labels in _truth().values() for lab in labels)
    for lab, est in report["overall"]["estimated"].items():
        assert (est["corrected"], est["method"]) == (True, "prediction-powered")
        assert est["low"] <= truth[lab] <= est["high"], lab
        assert est["high"] - est["low"] < 0.2 * 406
    # the model over-predicts shared_info on these hand-written texts; the sample corrects it
    shared = report["overall"]["estimated"]["shared_info"]
    assert shared["predicted"] > shared["high"]
    html = sampled_report.read_text(encoding="utf-8")
    assert html.count('class="band"') == 5 and "per week (shaded: 95% interval)" in html


def test_the_json_intervals_are_the_estimators(sampled_report, sample_classified):
    """Recomputed here from the classified rows, the answer key and the formula alone."""
    import numpy as np

    from mention_insight.insight.ppi import domain_count, domain_difference

    report = json.loads(sampled_report.with_suffix(".json").read_text())
    with sample_classified.open(newline="", encoding="utf-8") as fh:
        public = [r for r in csv.DictReader(fh) if r["author_username"] != r["account"]]
    with LABELLED_SAMPLE.open(newline="", encoding="utf-8") as fh:
        sampled = {r["id"]: set(r["labels"].split(";")) for r in csv.DictReader(fh)}
    rows = [r for r in public if r["id"] in sampled]
    weeks = report["periods"]
    week_of = {}
    for r in public:  # the report's weeks start on Mondays
        from datetime import date, timedelta

        d = date.fromisoformat(r["created_at"][:10])
        week_of[r["id"]] = (d - timedelta(days=d.weekday())).isoformat()
    for lab in report["labels"]:
        y = np.array([lab in sampled[r["id"]] for r in rows], dtype=float)
        f = np.array([float(r[f"score_{lab}"]) for r in rows])
        c = domain_count(y, f, sum(float(r[f"score_{lab}"]) for r in public), len(public))
        got = report["overall"]["estimated"][lab]
        assert (got["estimated"], got["low"], got["high"]) == (round(c.estimate, 1), round(c.low, 1), round(c.high, 1))
        last, prev = weeks[-1], weeks[-2]
        in_last = np.array([week_of[r["id"]] == last for r in rows])
        in_prev = np.array([week_of[r["id"]] == prev for r in rows])
        sums = {w: sum(float(r[f"score_{lab}"]) for r in public if week_of[r["id"]] == w) for w in (last, prev)}
        d = domain_difference(y, f, in_last, in_prev, sums[last], sums[prev], len(public))
        change = report["overall"]["per_period"][-1]["change"][lab]["estimated"]
        assert (change["estimated"], change["low"], change["high"]) == (
            round(d.estimate, 1),
            round(d.low, 1),
            round(d.high, 1),
        )


def test_a_sample_from_another_export_is_refused(tmp_path, sample_classified):
    labelled = tmp_path / "elsewhere.csv"
    labelled.write_text("text,labels\nplease patrol the park tonight,visit_request\nthanks so much,thanks\n")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        cli, ["report", str(sample_classified), "-o", str(out), "--labelled-sample", str(labelled)]
    )
    assert result.exit_code == 1
    assert (
        "none of the 2 labelled mentions in elsewhere.csv is in the export (matched by id, else by text): label a "
        "random sample of this export's own mentions and keep their id column." in result.output
    )
    assert not out.exists()


def test_a_sample_with_a_label_the_model_lacks_is_refused(tmp_path, sample_classified):
    labelled = tmp_path / "typo.csv"
    labelled.write_text("id,text,labels\n1,x,complain\n2,y,thanks\n")
    result = CliRunner().invoke(
        cli, ["report", str(sample_classified), "-o", str(tmp_path / "r.html"), "--labelled-sample", str(labelled)]
    )
    assert result.exit_code == 1
    assert "typo.csv: label(s) complain are not the model's labels" in result.output


def test_the_count_charts_draw_the_json_estimates(sampled_report):
    """Every point of the per-label charts is the JSON's estimate for that label and week."""
    report = json.loads(sampled_report.with_suffix(".json").read_text())
    html = sampled_report.read_text(encoding="utf-8")
    points = re.findall(r'data-series="(\w+)" data-x="([\d-]+)" data-value="([\d.]+)"', html)
    expected = {
        (lab, p["period"]): est["estimated"]
        for p in report["overall"]["per_period"]
        if p["period"] != "undated"
        for lab, est in p["estimated"].items()
    }
    drawn = {(lab, x): float(v) for lab, x, v in points}
    assert drawn == expected
    bands = re.findall(r'<polygon class="band"', html)
    assert len(bands) == len(report["labels"])
    # per account: each bar's whisker is that account's interval in the JSON
    whiskers = re.findall(r'class="whisker"[^>]*><title>[^:]+ (\w+): 95% interval ([\d.]+) to ([\d.]+)</title>', html)
    intervals = {(g["name"], est["low"], est["high"]) for g in report["groups"] for est in g["estimated"].values()}
    assert len(whiskers) == len(report["groups"]) * len(report["labels"])
    assert {(g, float(lo), float(hi)) for g, lo, hi in whiskers} <= intervals


_OVERFLOW_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{src}" style="width:{width}px;height:4000px;border:0"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {{
  const f = document.getElementById('f'), d = f.contentDocument, v = f.contentWindow.innerWidth;
  const wide = [...d.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > v + 1)
    .map(e => e.tagName + '.' + (e.getAttribute('class') || '')).slice(0, 8);
  const pre = document.createElement('pre');
  pre.id = 'overflow-check';
  pre.textContent = JSON.stringify({{v: v, w: d.documentElement.scrollWidth, wide: wide}});
  document.body.appendChild(pre);
}});
</script></body></html>"""


def _chromium_flags(tmp_path):
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--allow-file-access-from-files",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("width", [390, 1400])
def test_nothing_overflows_at_phone_and_desktop_widths(sampled_report, tmp_path, width):
    page = sampled_report.parent / f"at_{width}.html"
    page.write_text(_OVERFLOW_PAGE.format(src=sampled_report.name, width=width), encoding="utf-8")
    flags = _chromium_flags(tmp_path)
    dom = subprocess.run(
        [*flags, "--window-size=1500,2000", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="overflow-check">(.*?)</pre>', dom.stdout)
    assert found, dom.stderr[-500:]
    check = json.loads(found.group(1).replace("&quot;", '"'))
    assert check["v"] == width
    assert check["w"] <= width and check["wide"] == [], check
    folder = os.environ.get("MENTION_INSIGHT_SCREENSHOT_DIR")
    if folder:  # python -m pytest -k overflows with this set refreshes the screenshots in docs/
        shot = Path(folder) / f"report_{width}px.png"
        size = f"--window-size={max(width, 500)},3000"
        subprocess.run([*flags, size, f"--screenshot={shot}", page.as_uri()], check=True, timeout=120)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_a_pdf_report_is_printed(tmp_path, sample_classified):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(sample_classified),
            "-o",
            str(out),
            "--formats",
            "html,pdf",
            "--labelled-sample",
            str(LABELLED_SAMPLE),
        ],
    )
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50_000
    assert not list(tmp_path.glob(".*.tmp"))
    if os.environ.get("MENTION_INSIGHT_SCREENSHOT_DIR"):
        shutil.copy(pdf, Path(os.environ["MENTION_INSIGHT_SCREENSHOT_DIR"]) / "report.pdf")


def test_a_pdf_without_chromium_is_refused_before_anything_is_written(tmp_path, sample_classified, monkeypatch):
    monkeypatch.setenv("MENTION_INSIGHT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(sample_classified), "-o", str(out), "--formats", "html,pdf"])
    assert result.exit_code == 1
    assert "a PDF report needs Chromium: install it (apt-get install chromium)" in result.output
    assert list(tmp_path.iterdir()) == []
