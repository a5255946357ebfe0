"""The self-contained HTML report (inline CSS and SVG charts; every text escaped)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from ..insight import ImpactSummary
from ..insight.engagement import actioned
from ..insight.periods import UNDATED
from . import charts
from .prose import (
    METHOD,
    change_text,
    duration_text,
    estimate_cell,
    headlines,
    label_name,
    main_points,
    notes,
    per_hundred,
)

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#222;line-height:1.45}
svg.chart{max-width:100%;height:auto}.table-wrap{overflow-x:auto;max-width:100%}
.main-points{font-size:1.08em;background:#eef4fa;padding:.6em 1em;border-left:4px solid #0072B2}
@media (max-width:600px){body{padding:12px}h1{font-size:1.3em}table{font-size:.85em}}
@media print{body{max-width:none;padding:0}.charts{display:block}svg.chart{page-break-inside:avoid}}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #1b6ca8;padding-bottom:4px;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f6f9}.muted{color:#666;font-size:.9em}
.headlines li{margin:.25em 0}.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #eee}
blockquote{margin:.4em 0;padding:.4em .8em;border-left:4px solid #ccc;background:#fafafa}.note{background:#fff7e0;padding:.5em .8em;border-left:4px solid #e08e0b}
"""


def _table(head: list[str], rows: list[list]) -> str:
    th = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<div class='table-wrap'><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>"


def _header(s: ImpactSummary) -> str:
    source = escape(Path(s.source).name)
    bounds = (f" · from {s.since}" if s.since else "") + (f" · until {s.until}" if s.until else "")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='generator' content='mention-insight'>"
        f"<title>Impact report: {source}</title><style>{CSS}</style></head><body>\n"
        f"<h1>Is the account bringing results?</h1><p class='muted'>Source {source} · model {escape(s.model_id)} · "
        f"by {escape(s.period)}, per {escape(s.by)} · times in {escape(s.timezone)}{bounds}</p>"
    )


def _main_points(s: ImpactSummary) -> str:
    points = " ".join(escape(p) for p in main_points(s))
    return f"<h2>Main points</h2><p class='main-points'>{points}</p>" if points else ""


def _headlines(s: ImpactSummary) -> str:
    items = "".join(f"<li>{escape(h)}</li>" for h in headlines(s))
    return f"<h2>Headlines</h2><ul class='headlines'>{items}</ul>" + "".join(
        f"<p class='note'>{escape(n)}</p>" for n in notes(s)
    )


def _counts(s: ImpactSummary) -> str:
    labs = s.labels
    dated = [p for p in s.periods if p != UNDATED]
    rows = [
        [label_name(lab), s.overall.counts[lab], f"{s.overall.share(lab):.0%}", estimate_cell(s.overall.estimates[lab])]
        for lab in labs
    ]
    parts = [
        "<h2>Counts: predicted and estimated</h2>",
        _table(["label", "predicted", "predicted share", "estimated (95% interval)"], rows),
    ]
    parts.append("<div class='charts'>")
    corrected = any(e.corrected for e in s.overall.estimates.values())
    if dated and corrected:  # one small chart per label, each with its own interval band
        pe = s.overall.period_estimates
        for lab in labs:
            parts.append(
                charts.line_chart(
                    f"{label_name(lab).capitalize()} per {s.period} (shaded: 95% interval)",
                    dated,
                    {lab: [round(pe[p][lab].estimate, 1) for p in dated]},
                    bands={lab: [(pe[p][lab].low, pe[p][lab].high) for p in dated]},
                    width=370,
                    height=230,
                )
            )
    elif dated:
        series = {lab: [s.overall.per_period[p][lab] for p in dated] for lab in labs}
        parts.append(charts.line_chart(f"Mentions per label per {s.period} (predicted, not corrected)", dated, series))
    names = [label_name(lab) for lab in labs]
    if corrected and s.overall.mentions:
        est = s.overall.estimates
        shares = {"share": [round(100 * est[lab].estimate / s.overall.mentions, 1) for lab in labs]}
        share_title = "Share of mentions carrying each label (%, estimated)"
    else:
        shares = {"share": [round(100 * s.overall.share(lab), 1) for lab in labs]}
        share_title = "Share of mentions carrying each label (%, predicted)"
    parts.append(charts.bar_chart(share_title, names, shares, percent=True, width=480))
    if s.groups:
        whiskers: dict = {}
        if corrected:
            per_group = {lab: [round(g.estimates[lab].estimate, 1) for g in s.groups] for lab in labs}
            whiskers = {
                lab: [(round(g.estimates[lab].low, 1), round(g.estimates[lab].high, 1)) for g in s.groups]
                for lab in labs
            }
            group_title = f"Per {s.by}: mentions per label (estimated, with 95% intervals)"
        else:
            per_group = {lab: [g.counts[lab] for g in s.groups] for lab in labs}
            group_title = f"Per {s.by}: mentions per label (predicted)"
        parts.append(charts.bar_chart(group_title, [g.name for g in s.groups], per_group, errors=whiskers))
    parts.append("</div>")
    return "\n".join(parts)


def _groups(s: ImpactSummary) -> str:
    if not s.groups:
        return ""
    corrected = any(e.corrected for e in s.overall.estimates.values())

    def cell(g, lab) -> str:
        e = g.estimates[lab]
        return f"{g.counts[lab]} ≈ {estimate_cell(e)}" if e.corrected else str(g.counts[lab])

    rows = [
        [
            g.name,
            g.mentions,
            *[cell(g, lab) for lab in s.labels],
            g.replies.replied if g.replies else "",
            duration_text(g.replies.median_minutes) if g.replies else "",
        ]
        for g in s.groups
    ]
    names = [label_name(lab) for lab in s.labels]
    head = "predicted ≈ estimated (95% interval)" if corrected else "predicted, not corrected"
    rates = [[g.name, *[per_hundred(g.estimates[lab].estimate, g.mentions) for lab in s.labels]] for g in s.groups]
    return (
        f"<h2>Per {escape(s.by)}</h2><p class='muted'>{escape(head)}</p>"
        + _table([s.by, "mentions", *names, "replied", "median reply"], rows)
        + f"<h3>Per 100 mentions{'' if corrected else ' (predicted)'}</h3>"
        + "<p class='muted'>So that accounts of different sizes compare.</p>"
        + _table([s.by, *names], rates)
    )


def _periods(s: ImpactSummary) -> str:
    rows = []
    for p in s.periods:
        row = [p, s.overall.period_totals.get(p, 0)]
        for lab in s.labels:
            ch = (s.overall.changes.get(p) or {}).get(lab)
            row.append(f"{s.overall.per_period[p][lab]}" + change_text(ch))
        rows.append(row)
    return (
        f"<h2>Per {escape(s.period)}</h2>"
        + _table(["period", "mentions", *s.labels], rows)
        + "<p class='muted'>In brackets: change against the previous period.</p>"
    )


def _activity(s: ImpactSummary) -> str:
    hours = charts.bar_chart(
        "Mentions per hour of day",
        [str(h) for h in s.hours],
        {"mentions": list(s.hours.values())},
        width=560,
        height=220,
    )
    out = (
        "<h2>When people get in touch</h2><div class='charts'>"
        + charts.hbar_chart("Mentions per weekday", list(s.weekdays.items()))
        + hours
        + "</div>"
    )
    if s.busiest_days:
        out += "<p>Busiest days: " + ", ".join(f"{escape(d)} ({n})" for d, n in s.busiest_days) + ".</p>"
    return out


def _engagement(s: ImpactSummary) -> str:
    r = s.overall.replies
    parts = ["<h2>Engagement</h2>"]
    if r is not None and r.per_period_median_minutes:
        per = r.per_period_median_minutes
        parts.append(
            f"<p>The accounts replied to {r.replied} of {r.mentions} mentions ({r.share:.0%}); "
            f"median reply time {duration_text(r.median_minutes)}.</p>"
        )
        chart = charts.line_chart(
            f"Median reply time per {s.period} (minutes)",
            list(per),
            {"median reply (min)": list(per.values())},
            height=240,
        )
        parts.append(f"<div class='charts'>{chart}</div>")
    else:
        parts.append("<p class='muted'>No reply times: the export holds no replies by the accounts (in_reply_to).</p>")
    parts.append(f"<h3>Repeat contacts ({len(s.repeat_contacts)} people with 3 or more mentions)</h3>")
    parts.append(
        "<p class='muted'>Shown under keyed pseudonyms; the key is kept beside the report, never the handle.</p>"
    )
    parts.append(
        _table(
            ["person", "mentions", "labels", s.by, "first", "last"],
            [
                [
                    c.pseudonym,
                    c.mentions,
                    ", ".join(f"{k} {v}" for k, v in c.labels.items()),
                    ", ".join(c.groups),
                    c.first or "",
                    c.last or "",
                ]
                for c in s.repeat_contacts[:15]
            ],
        )
    )
    if s.repeat_visit_requests:
        parts.append(f"<h3>Repeat visit requests ({len(s.repeat_visit_requests)} people asked more than once)</h3>")
        parts.append(
            _table(
                ["person", "visit requests", s.by, "first", "last"],
                [
                    [
                        c.pseudonym,
                        c.labels.get(s.request_label or "", 0),
                        ", ".join(c.groups),
                        c.first or "",
                        c.last or "",
                    ]
                    for c in s.repeat_visit_requests
                ],
            )
        )
    if s.outcomes:
        outs = sorted({o for v in s.outcomes.values() for o in v})
        rows = [[lab, *[s.outcomes[lab].get(o, 0) for o in outs], actioned(s.outcomes[lab])] for lab in s.labels]
        parts.append("<h3>Outcomes</h3>" + _table(["label", *outs, "actioned"], rows))
    return "\n".join(parts)


def _themes(s: ImpactSummary) -> str:
    def top(pairs, k):
        return ", ".join(f"{p} ({n})" for p, n in pairs[:k])

    rows = [[lab, top(t.places, 5), top(t.themes, 6), top(t.hashtags, 4)] for lab, t in s.themes.items()]
    out = "<h2>What people talk about</h2>" + _table(["label", "places", "themes", "hashtags"], rows)
    sampled = [f"{escape(lab)}: {t.read:,} of {t.of:,}" for lab, t in s.themes.items() if t.sampled]
    if sampled:
        out += (
            "<p>Read from a random sample of the mentions of each label (" + "; ".join(sampled) + "); the numbers "
            "in brackets are scaled up to all of them, so they are estimates.</p>"
        )
    if s.you_said:
        out += (
            "<h3>You said (complaint themes)</h3><ul>"
            + "".join(f"<li>{escape(p)} ({n} mentions)</li>" for p, n in s.you_said)
            + "</ul>"
        )
    return out


def _examples(s: ImpactSummary) -> str:
    parts = ["<h2>Examples (redacted)</h2>"]
    for lab in s.labels:
        quotes = "".join(
            f"<blockquote>{escape(e['text'])}<br><span class='muted'>{escape(e['account'] or '')} · "
            f"{escape(e['date'] or 'undated')} · confidence {e['score']:.2f}</span></blockquote>"
            for e in s.examples.get(lab, [])
        )
        if quotes:
            parts.append(f"<h3>{escape(lab)}</h3>{quotes}")
    return "\n".join(parts)


def _method(s: ImpactSummary) -> str:
    out = f"<h2>Method</h2><p>{escape(METHOD)}</p>"
    if s.error_rates:
        out += "<p>The model's errors on held-out, hand-labelled real tweets (not this export):</p>" + _table(
            [
                "label",
                "share of true ones found",
                "false alarms among the rest",
                "found",
                "false alarms",
                "missed",
                "tweets",
            ],
            [[lab, r["tpr"], r["fpr"], r["tp"], r["fp"], r["fn"], r["n"]] for lab, r in s.error_rates.items()],
        )
    return out + (
        "<p class='muted'>Made by mention_insight. Handles, names, phone numbers, e-mail and street addresses, "
        "references and links are redacted.</p>"
    )


#: The report's sections in order: a new section is one function here and one entry in this list.
SECTIONS: list[Callable[[ImpactSummary], str]] = [
    _header,
    _main_points,
    _headlines,
    _counts,
    _groups,
    _periods,
    _activity,
    _engagement,
    _themes,
    _examples,
    _method,
]


def render_html(s: ImpactSummary) -> str:
    return "\n".join(part for part in (section(s) for section in SECTIONS) if part) + "\n</body></html>"
