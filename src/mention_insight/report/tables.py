"""The report's numbers as JSON and CSV tables: every number behind every chart and table."""

from __future__ import annotations

from pathlib import Path

from ..insight import ImpactSummary
from . import prose


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
            "replies": None
            if g.replies is None
            else {
                "replied": g.replies.replied,
                "share_replied": round(g.replies.share, 4),
                "median_minutes": g.replies.median_minutes,
                "per_period_median_minutes": g.replies.per_period_median_minutes,
                "replied_by_label": g.replies.replied_by_label,
            },
        }

    return {
        "generator": "mention-insight",
        "source": Path(s.source).name if s.source not in ("-", "<stdin>") else s.source,
        "model_id": s.model_id,
        "period": s.period,
        "by": s.by,
        "since": s.since,
        "until": s.until,
        "timezone": s.timezone,
        "totals": {
            "rows": s.rows,
            "mentions": s.mentions,
            "account_posts": s.account_posts,
            "unclassified": s.unclassified,
            "undated": s.undated,
            "outside_range": s.outside_range,
            "far_dated": s.far_dated,
        },
        "labels": s.labels,
        "periods": s.periods,
        "overall": group(s.overall),
        "groups": [group(g) for g in s.groups],
        "busiest": {
            "weekdays": s.weekdays,
            "hours": {str(h): n for h, n in s.hours.items()},
            "days": [{"date": d, "mentions": n} for d, n in s.busiest_days],
        },
        "repeat_contacts": [vars(r) for r in s.repeat_contacts],
        "repeat_visit_requests": [vars(r) for r in s.repeat_visit_requests],
        "outcomes": s.outcomes,
        "themes": {lab: t.as_dict() for lab, t in s.themes.items()},
        "you_said": [{"phrase": p, "mentions": n} for p, n in s.you_said],
        "examples": s.examples,
        "method": {"description": prose.METHOD, "error_rates": s.error_rates},
        "notes": prose.notes(s),
        "main_points": prose.main_points(s),
        "headlines": prose.headlines(s),
    }


#: The CSV tables (written as ``<report>_<name>.csv``) and their columns.
CSV_COLUMNS: dict[str, list[str]] = {
    "counts": [
        "group",
        "period",
        "mentions",
        "label",
        "predicted",
        "estimated",
        "low",
        "high",
        "change",
        "estimated_change",
        "change_low",
        "change_high",
    ],
    "totals": ["group", "label", "predicted", "share", "estimated", "low", "high", "corrected", "method"],
    "repeat_contacts": ["person", "mentions", "visit_requests", "groups", "first", "last"],
}


def csv_tables(s: ImpactSummary) -> dict[str, tuple[list[str], list[dict]]]:
    """Name -> (columns, rows) for each CSV table (:data:`CSV_COLUMNS`)."""
    rows = []
    for g in [s.overall, *s.groups]:
        for p in s.periods:
            for lab in s.labels:
                e = g.period_estimates[p][lab]
                ch = (g.changes.get(p) or {}).get(lab)
                est_ch = (ch or {}).get("estimated") or {}
                rows.append(
                    {
                        "group": g.name,
                        "period": p,
                        "mentions": g.period_totals.get(p, 0),
                        "label": lab,
                        "predicted": e.observed,
                        "estimated": round(e.estimate, 1),
                        "low": round(e.low, 1),
                        "high": round(e.high, 1),
                        "change": "" if ch is None else ch["delta"],
                        "estimated_change": est_ch.get("estimated", ""),
                        "change_low": est_ch.get("low", ""),
                        "change_high": est_ch.get("high", ""),
                    }
                )
    totals = [
        {
            "group": g.name,
            "label": lab,
            "predicted": g.counts[lab],
            "share": round(g.share(lab), 4),
            **{k: v for k, v in g.estimates[lab].as_dict().items() if k in CSV_COLUMNS["totals"] and k != "predicted"},
        }
        for g in [s.overall, *s.groups]
        for lab in s.labels
    ]
    repeat = [
        {
            "person": c.pseudonym,
            "mentions": c.mentions,
            "visit_requests": c.labels.get(s.request_label or "", 0),
            "groups": ";".join(c.groups),
            "first": c.first,
            "last": c.last,
        }
        for c in s.repeat_contacts
    ]
    tables = {"counts": rows, "totals": totals, "repeat_contacts": repeat}
    return {name: (CSV_COLUMNS[name], table) for name, table in tables.items()}
