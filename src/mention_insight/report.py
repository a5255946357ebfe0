"""Rendering an :class:`~mention_insight.insight.ImpactSummary`: HTML, Markdown, JSON, CSV.

Nothing here computes a number: every figure comes from the summary, and
:func:`summary_to_dict` (the JSON) holds the numbers behind every chart and table.
:func:`write_report` writes the chosen formats side by side, each atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from html import escape
from pathlib import Path

from . import charts
from .engagement import actioned
from .estimate import __doc__ as METHOD_DOC
from .insight import ALL, ImpactSummary
from .output import AtomicWriter, set_default_mode

FORMATS = ("html", "md", "json", "csv")
METHOD = (
    "Predicted counts are what the classifier found (a mention counts once for each label it carries). "
    "Estimated counts correct them for the classifier's known errors on held-out, hand-labelled mentions: "
    "with true-positive rate tpr and false-positive rate fpr for a label, k predicted among N mentions gives "
    "an estimated true count (k - fpr*N)/(tpr - fpr), kept between 0 and N (adjusted classify-and-count). "
    "The 95% interval is a parametric bootstrap: tpr and fpr drawn from Beta posteriors of the held-out "
    "counts, the classifier's item-by-item errors simulated on N mentions, and the estimate recomputed "
    "2,000 times. The correction assumes the held-out error rates carry over to this export."
)


def _hours(minutes: float | None) -> str:
    if minutes is None:
        return "n/a"
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def summary_to_dict(s: ImpactSummary) -> dict:
    """The JSON form: every number the report shows, charts included."""

    def group(g):
        return {
            "name": g.name,
            "mentions": g.mentions,
            "labels": g.counts,
            "shares": {lab: round(g.share(lab), 4) for lab in s.labels},
            "estimated": {lab: e.as_dict() for lab, e in g.estimates.items()},
            "per_period": [
                {
                    "period": p,
                    "mentions": g.period_totals.get(p, 0),
                    "labels": g.per_period.get(p, {}),
                    "estimated": {lab: e.as_dict() for lab, e in g.period_estimates.get(p, {}).items()},
                    "change": g.changes.get(p),
                }
                for p in s.periods
            ],
            "replies": None if g.replies is None else {
                "replied": g.replies.replied,
                "share_replied": round(g.replies.share, 4),
                "median_minutes": g.replies.median_minutes,
                "per_period_median_minutes": g.replies.per_period_median_minutes,
                "replied_by_label": g.replies.replied_by_label,
            },
        }

    return {
        "source": Path(s.source).name if s.source not in ("-", "<stdin>") else s.source,
        "model_id": s.model_id,
        "period": s.period,
        "by": s.by,
        "since": s.since,
        "until": s.until,
        "timezone": s.timezone,
        "totals": {
            "rows": s.rows, "mentions": s.mentions, "account_posts": s.account_posts,
            "unclassified": s.unclassified, "undated": s.undated, "outside_range": s.outside_range,
        },
        "labels": s.labels,
        "periods": s.periods,
        "overall": group(s.overall),
        "groups": [group(g) for g in s.groups],
        "busiest": {
            "weekdays": s.weekdays, "hours": {str(h): n for h, n in s.hours.items()},
            "days": [{"date": d, "mentions": n} for d, n in s.busiest_days],
        },
        "repeat_contacts": [vars(r) for r in s.repeat_contacts],
        "repeat_visit_requests": [vars(r) for r in s.repeat_visit_requests],
        "outcomes": s.outcomes,
        "themes": {lab: t.as_dict() for lab, t in s.themes.items()},
        "you_said": [{"phrase": p, "mentions": n} for p, n in s.you_said],
        "examples": s.examples,
        "method": {"description": METHOD, "error_rates": s.error_rates},
        "notes": s.notes,
        "headlines": headlines(s),
    }


def headlines(s: ImpactSummary) -> list[str]:
    """A few plain sentences a manager can read first."""
    out = [f"{s.mentions} mentions from the public" + (f" over {len([p for p in s.periods if p != 'undated'])} {s.period}s" if s.has_dates else "") + "."]
    for lab in s.labels:
        if lab != "other":
            out.append(s.overall.estimates[lab].phrase(lab.replace("_", " ")) + ".")
    dated = [p for p in s.periods if p != "undated"]
    if len(dated) >= 4 and "thanks" in s.labels:
        half = len(dated) // 2
        a = sum(s.overall.per_period[p]["thanks"] for p in dated[:half]) / half
        b = sum(s.overall.per_period[p]["thanks"] for p in dated[half:]) / (len(dated) - half)
        out.append(f"Thanks per {s.period}: {a:.1f} on average in the first half of the period, {b:.1f} in the second.")
    r = s.overall.replies
    if r is not None and r.per_period_median_minutes:
        per = list(r.per_period_median_minutes.items())
        out.append(
            f"The accounts replied to {r.replied} mentions ({r.share:.0%}); median reply time {_hours(r.median_minutes)}, "
            f"from {_hours(per[0][1])} in {per[0][0]} to {_hours(per[-1][1])} in {per[-1][0]}."
        )
    if s.repeat_visit_requests:
        out.append(f"{len(s.repeat_visit_requests)} people asked for a visit more than once (possible repeat victims).")
    if s.outcomes and "visit_request" in s.outcomes:
        vr = s.outcomes["visit_request"]
        out.append(f"Of the visit requests with a recorded outcome ({sum(vr.values())}), {actioned(vr)} led to action ({vr.get('visited', 0)} visits).")
    return out


# -- HTML -----------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #1b6ca8;padding-bottom:4px;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f6f9}.muted{color:#666;font-size:.9em}
.headlines li{margin:.25em 0}.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #eee}
blockquote{margin:.4em 0;padding:.4em .8em;border-left:4px solid #ccc;background:#fafafa}.note{background:#fff7e0;padding:.5em .8em;border-left:4px solid #e08e0b}
"""


def _table(head: list[str], rows: list[list]) -> str:
    th = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _est_cell(e) -> str:
    return f"{e.estimate:.0f} ({e.low:.0f}–{e.high:.0f})" if e.corrected else f"{e.observed} (not corrected)"


def render_html(s: ImpactSummary) -> str:
    labs = s.labels
    dated = [p for p in s.periods if p != "undated"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Impact report: {escape(Path(s.source).name)}</title><style>{CSS}</style></head><body>",
        f"<h1>Is the account bringing results?</h1><p class='muted'>Source {escape(Path(s.source).name)} · model {escape(s.model_id)} · "
        f"by {escape(s.period)}, per {escape(s.by)} · times in {escape(s.timezone)}"
        + (f" · from {s.since}" if s.since else "") + (f" · until {s.until}" if s.until else "") + "</p>",
        "<h2>Headlines</h2><ul class='headlines'>" + "".join(f"<li>{escape(h)}</li>" for h in headlines(s)) + "</ul>",
    ]
    for note in s.notes:
        parts.append(f"<p class='note'>{escape(note)}</p>")
    parts.append("<h2>Counts: predicted and estimated</h2>")
    parts.append(_table(
        ["label", "predicted", "share", "estimated (95% interval)"],
        [[lab, s.overall.counts[lab], f"{s.overall.share(lab):.0%}", _est_cell(s.overall.estimates[lab])] for lab in labs],
    ))
    parts.append("<div class='charts'>")
    if dated:
        parts.append(charts.line_chart(f"Mentions per label per {s.period} (predicted)", dated, {lab: [s.overall.per_period[p][lab] for p in dated] for lab in labs}))
    parts.append(charts.bar_chart("Share of mentions carrying each label (%)", [lab.replace("_", " ") for lab in labs], {"share": [round(100 * s.overall.share(lab), 1) for lab in labs]}, percent=True, width=480))
    if s.groups:
        parts.append(charts.bar_chart(f"Per {s.by}: mentions per label", [g.name for g in s.groups], {lab: [g.counts[lab] for g in s.groups] for lab in labs}))
    parts.append("</div>")
    if s.groups:
        parts.append(f"<h2>Per {escape(s.by)}</h2>")
        parts.append(_table(
            [s.by, "mentions", *labs, "replied", "median reply"],
            [[g.name, g.mentions, *[f"{g.counts[lab]} ≈ {_est_cell(g.estimates[lab])}" for lab in labs],
              g.replies.replied if g.replies else "", _hours(g.replies.median_minutes) if g.replies else ""] for g in s.groups],
        ))
    parts.append(f"<h2>Per {escape(s.period)}</h2>")
    rows = []
    for p in s.periods:
        row = [p, s.overall.period_totals.get(p, 0)]
        for lab in labs:
            ch = (s.overall.changes.get(p) or {}).get(lab)
            arrow = "" if ch is None else f" ({ch['delta']:+d})"
            row.append(f"{s.overall.per_period[p][lab]}{arrow}")
        rows.append(row)
    parts.append(_table(["period", "mentions", *labs], rows))
    parts.append("<p class='muted'>In brackets: change against the previous period.</p>")
    parts.append("<h2>When people get in touch</h2><div class='charts'>")
    parts.append(charts.hbar_chart("Mentions per weekday", list(s.weekdays.items())))
    parts.append(charts.bar_chart("Mentions per hour of day", [str(h) for h in s.hours], {"mentions": list(s.hours.values())}, width=560, height=220))
    parts.append("</div>")
    if s.busiest_days:
        parts.append("<p>Busiest days: " + ", ".join(f"{escape(d)} ({n})" for d, n in s.busiest_days) + ".</p>")
    r = s.overall.replies
    parts.append("<h2>Engagement</h2>")
    if r is not None and r.per_period_median_minutes:
        per = r.per_period_median_minutes
        parts.append(f"<p>The accounts replied to {r.replied} of {r.mentions} mentions ({r.share:.0%}); median reply time {_hours(r.median_minutes)}.</p>")
        parts.append("<div class='charts'>" + charts.line_chart(f"Median reply time per {s.period} (minutes)", list(per), {"median reply (min)": list(per.values())}, height=240) + "</div>")
    else:
        parts.append("<p class='muted'>No reply times: the export holds no replies by the accounts (in_reply_to).</p>")
    parts.append(f"<h3>Repeat contacts ({len(s.repeat_contacts)} people with 3 or more mentions)</h3>")
    parts.append("<p class='muted'>Shown under keyed pseudonyms; the key is kept beside the report, never the handle.</p>")
    parts.append(_table(["person", "mentions", "labels", s.by, "first", "last"], [
        [c.pseudonym, c.mentions, ", ".join(f"{k} {v}" for k, v in c.labels.items()), ", ".join(c.groups), c.first or "", c.last or ""]
        for c in s.repeat_contacts[:15]
    ]))
    if s.repeat_visit_requests:
        parts.append(f"<h3>Repeat visit requests ({len(s.repeat_visit_requests)} people asked more than once)</h3>")
        parts.append(_table(["person", "visit requests", s.by, "first", "last"], [
            [c.pseudonym, c.labels.get("visit_request", 0), ", ".join(c.groups), c.first or "", c.last or ""] for c in s.repeat_visit_requests
        ]))
    if s.outcomes:
        outs = sorted({o for v in s.outcomes.values() for o in v})
        parts.append("<h3>Outcomes</h3>")
        parts.append(_table(["label", *outs, "actioned"], [[lab, *[s.outcomes[lab].get(o, 0) for o in outs], actioned(s.outcomes[lab])] for lab in labs]))
    parts.append("<h2>What people talk about</h2>")
    parts.append(_table(["label", "places", "themes", "hashtags"], [
        [lab, ", ".join(f"{p} ({n})" for p, n in t.places[:5]), ", ".join(f"{p} ({n})" for p, n in t.themes[:6]), ", ".join(f"{p} ({n})" for p, n in t.hashtags[:4])]
        for lab, t in s.themes.items()
    ]))
    if s.you_said:
        parts.append("<h3>You said (complaint themes)</h3><ul>" + "".join(f"<li>{escape(p)} ({n} mentions)</li>" for p, n in s.you_said) + "</ul>")
    parts.append("<h2>Examples (redacted)</h2>")
    for lab in labs:
        if s.examples.get(lab):
            parts.append(f"<h3>{escape(lab)}</h3>" + "".join(
                f"<blockquote>{escape(e['text'])}<br><span class='muted'>{escape(e['account'] or '')} · {escape(e['date'] or 'undated')} · confidence {e['score']:.2f}</span></blockquote>"
                for e in s.examples[lab]
            ))
    parts.append(f"<h2>Method</h2><p>{escape(METHOD)}</p>")
    if s.error_rates:
        parts.append(_table(["label", "tpr", "fpr", "held-out tp", "fp", "fn", "n"], [
            [lab, r["tpr"], r["fpr"], r["tp"], r["fp"], r["fn"], r["n"]] for lab, r in s.error_rates.items()
        ]))
    parts.append("<p class='muted'>Made by mention_insight. Handles, names, phone numbers, e-mail and street addresses, references and links are redacted.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


# -- Markdown -----------------------------------------------------------------------
def _md_table(head: list[str], rows: list[list]) -> str:
    def cell(c):
        return str(c).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(s: ImpactSummary) -> str:
    labs = s.labels
    out = [f"# Impact report: {Path(s.source).name}", "", f"Model {s.model_id}; by {s.period}, per {s.by}; times in {s.timezone}.", "", "## Headlines", ""]
    out += [f"- {h}" for h in headlines(s)] + [""]
    out += [f"> {n}" for n in s.notes] + ([""] if s.notes else [])
    out += ["## Counts", "", _md_table(["label", "predicted", "share", "estimated (95% interval)"], [
        [lab, s.overall.counts[lab], f"{s.overall.share(lab):.0%}", _est_cell(s.overall.estimates[lab])] for lab in labs]), ""]
    out += [f"## Per {s.period}", "", _md_table(["period", "mentions", *labs], [
        [p, s.overall.period_totals.get(p, 0), *[s.overall.per_period[p][lab] for lab in labs]] for p in s.periods]), ""]
    if s.groups:
        out += [f"## Per {s.by}", "", _md_table([s.by, "mentions", *labs], [[g.name, g.mentions, *[g.counts[lab] for lab in labs]] for g in s.groups]), ""]
    if s.repeat_visit_requests:
        out += ["## Repeat visit requests", "", _md_table(["person", "visit requests", s.by, "first", "last"], [
            [c.pseudonym, c.labels.get("visit_request", 0), ", ".join(c.groups), c.first or "", c.last or ""] for c in s.repeat_visit_requests]), ""]
    if s.you_said:
        out += ["## You said (complaint themes)", ""] + [f"- {p} ({n})" for p, n in s.you_said] + [""]
    out += ["## Examples (redacted)", ""]
    for lab in labs:
        for e in s.examples.get(lab, []):
            out.append(f"- **{lab}**: {e['text']}")
    out += ["", "## Method", "", METHOD, ""]
    return "\n".join(out)


# -- CSV tables -----------------------------------------------------------------------
def csv_tables(s: ImpactSummary) -> dict[str, tuple[list[str], list[dict]]]:
    """Name -> (columns, rows) for each CSV table."""
    counts_cols = ["group", "period", "mentions", "label", "predicted", "estimated", "low", "high", "change"]
    rows = []
    for g in [s.overall, *s.groups]:
        for p in s.periods:
            for lab in s.labels:
                e = g.period_estimates[p][lab]
                ch = (g.changes.get(p) or {}).get(lab)
                rows.append({"group": g.name, "period": p, "mentions": g.period_totals.get(p, 0), "label": lab,
                             "predicted": e.observed, "estimated": round(e.estimate, 1), "low": round(e.low, 1),
                             "high": round(e.high, 1), "change": "" if ch is None else ch["delta"]})
    totals = [{"group": g.name, "label": lab, "predicted": g.counts[lab], "share": round(g.share(lab), 4),
               **{k: v for k, v in g.estimates[lab].as_dict().items() if k != "predicted"}}
              for g in [s.overall, *s.groups] for lab in s.labels]
    repeat = [{"person": c.pseudonym, "mentions": c.mentions, "visit_requests": c.labels.get("visit_request", 0),
               "groups": ";".join(c.groups), "first": c.first, "last": c.last} for c in s.repeat_contacts]
    tables = {
        "counts": (counts_cols, rows),
        "totals": (["group", "label", "predicted", "share", "estimated", "low", "high", "corrected"], totals),
        "repeat_contacts": (["person", "mentions", "visit_requests", "groups", "first", "last"], repeat),
    }
    return tables


# -- writing -----------------------------------------------------------------------
def write_text_atomic(path: str | Path, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        set_default_mode(tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def report_paths(output: str | Path, formats=FORMATS) -> dict[str, Path]:
    """Where each format goes: ``report.html`` -> ``report.json``, ``report.md``, ``report_counts.csv``..."""
    out = Path(output)
    stem = out.with_suffix("") if out.suffix.lower() in (".html", ".htm", ".md", ".json") else out
    paths = {}
    for fmt in formats:
        if fmt == "csv":
            paths["csv"] = Path(f"{stem}_counts.csv")
        else:
            paths[fmt] = out if out.suffix.lower().lstrip(".") == fmt or (fmt == "html" and out.suffix.lower() == ".htm") else Path(f"{stem}.{fmt}")
    return paths


def write_report(s: ImpactSummary, output: str | Path, formats=FORMATS) -> list[Path]:
    """Write the report in every format of ``formats`` beside ``output``; return the paths."""
    paths = report_paths(output, formats)
    written = []
    if "json" in paths:
        write_text_atomic(paths["json"], json.dumps(summary_to_dict(s), indent=2, ensure_ascii=False, default=str) + "\n")
        written.append(paths["json"])
    if "md" in paths:
        write_text_atomic(paths["md"], render_markdown(s))
        written.append(paths["md"])
    if "csv" in paths:
        stem = str(paths["csv"])[: -len("_counts.csv")]
        for name, (cols, rows) in csv_tables(s).items():
            target = Path(f"{stem}_{name}.csv")
            with AtomicWriter(target, "csv", cols) as w:
                for row in rows:
                    w.write(row)
            written.append(target)
    if "html" in paths:
        write_text_atomic(paths["html"], render_html(s))
        written.append(paths["html"])
    return written


__all__ = ["FORMATS", "METHOD", "METHOD_DOC", "csv_tables", "render_html", "render_markdown", "summary_to_dict", "write_report"]
