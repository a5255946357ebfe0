"""The Markdown report."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from ..insight import ImpactSummary
from .prose import METHOD, change_text, estimate_cell, headlines, main_points, notes

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md_text(value) -> str:
    """Any text from the data, safe in Markdown: HTML escaped (as in the HTML report), Markdown
    syntax characters backslash-escaped, and kept on one line."""
    text = html.escape(str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def _md_table(head: list[str], rows: list[list]) -> str:
    cell = md_text

    lines = ["| " + " | ".join(cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _header(s: ImpactSummary) -> list[str]:
    return [
        "<!-- written by mention-insight -->",
        f"# Impact report: {md_text(Path(s.source).name)}",
        "",
        f"Model {md_text(s.model_id)}; by {md_text(s.period)}, per {md_text(s.by)}; times in {md_text(s.timezone)}.",
    ]


def _main_points(s: ImpactSummary) -> list[str]:
    points = main_points(s)
    return ["## Main points", "", md_text(" ".join(points))] if points else []


def _headlines(s: ImpactSummary) -> list[str]:
    return ["## Headlines", "", *[f"- {md_text(h)}" for h in headlines(s)], "", *[f"> {md_text(n)}" for n in notes(s)]]


def _counts(s: ImpactSummary) -> list[str]:
    o = s.overall
    rows = [[lab, o.counts[lab], f"{o.share(lab):.0%}", estimate_cell(o.estimates[lab])] for lab in s.labels]
    return ["## Counts", "", _md_table(["label", "predicted", "predicted share", "estimated (95% interval)"], rows)]


def _cell(predicted: int, e) -> str:
    """ "9" without a sample; "9 ≈ 7 (3–12)" (predicted ≈ estimated (interval)) with one."""
    return f"{predicted} ≈ {estimate_cell(e)}" if e.corrected else str(predicted)


def _periods(s: ImpactSummary) -> list[str]:
    o = s.overall
    rows = [
        [
            p,
            o.period_totals.get(p, 0),
            *[
                _cell(o.per_period[p][lab], o.period_estimates[p][lab]) + change_text((o.changes.get(p) or {}).get(lab))
                for lab in s.labels
            ],
        ]
        for p in s.periods
    ]
    head = "predicted ≈ estimated (95% interval) (change)" if any(e.corrected for e in o.estimates.values()) else ""
    return [
        f"## Per {md_text(s.period)}",
        "",
        *([head, ""] if head else []),
        _md_table(["period", "mentions", *s.labels], rows),
    ]


def _groups(s: ImpactSummary) -> list[str]:
    if not s.groups:
        return []
    rows = [[g.name, g.mentions, *[_cell(g.counts[lab], g.estimates[lab]) for lab in s.labels]] for g in s.groups]
    return [f"## Per {md_text(s.by)}", "", _md_table([s.by, "mentions", *s.labels], rows)]


def _repeat_requests(s: ImpactSummary) -> list[str]:
    if not s.repeat_visit_requests:
        return []
    rows = [
        [c.pseudonym, c.labels.get(s.request_label or "", 0), ", ".join(c.groups), c.first or "", c.last or ""]
        for c in s.repeat_visit_requests
    ]
    return ["## Repeat visit requests", "", _md_table(["person", "visit requests", s.by, "first", "last"], rows)]


def _themes(s: ImpactSummary) -> list[str]:
    if not s.you_said:
        return []
    return ["## You said (complaint themes)", "", *[f"- {md_text(p)} ({n})" for p, n in s.you_said]]


def _examples(s: ImpactSummary) -> list[str]:
    return [
        "## Examples (redacted)",
        "",
        *[f"- **{md_text(lab)}**: {md_text(e['text'])}" for lab in s.labels for e in s.examples.get(lab, [])],
    ]


def _method(s: ImpactSummary) -> list[str]:
    return ["## Method", "", METHOD]


#: The report's sections in order: a new section is one function here and one entry in this list.
SECTIONS: list[Callable[[ImpactSummary], list[str]]] = [
    _header,
    _main_points,
    _headlines,
    _counts,
    _periods,
    _groups,
    _repeat_requests,
    _themes,
    _examples,
    _method,
]


def render_markdown(s: ImpactSummary) -> str:
    blocks = [lines for lines in (section(s) for section in SECTIONS) if lines]
    return "\n\n".join("\n".join(b).rstrip("\n") for b in blocks) + "\n"
