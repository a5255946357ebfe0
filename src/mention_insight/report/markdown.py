"""The Markdown report."""

from __future__ import annotations

from pathlib import Path

from ..insight import ImpactSummary
from .prose import METHOD, estimate_cell, headlines, notes


def _md_table(head: list[str], rows: list[list]) -> str:
    def cell(c):
        return str(c).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(s: ImpactSummary) -> str:
    labs = s.labels
    out = [
        f"# Impact report: {Path(s.source).name}",
        "",
        f"Model {s.model_id}; by {s.period}, per {s.by}; times in {s.timezone}.",
        "",
        "## Headlines",
        "",
    ]
    out += [f"- {h}" for h in headlines(s)] + [""]
    out += [f"> {n}" for n in notes(s)] + ([""] if s.notes else [])
    out += [
        "## Counts",
        "",
        _md_table(
            ["label", "predicted", "share", "estimated (95% interval)"],
            [
                [lab, s.overall.counts[lab], f"{s.overall.share(lab):.0%}", estimate_cell(s.overall.estimates[lab])]
                for lab in labs
            ],
        ),
        "",
    ]
    out += [
        f"## Per {s.period}",
        "",
        _md_table(
            ["period", "mentions", *labs],
            [
                [p, s.overall.period_totals.get(p, 0), *[s.overall.per_period[p][lab] for lab in labs]]
                for p in s.periods
            ],
        ),
        "",
    ]
    if s.groups:
        out += [
            f"## Per {s.by}",
            "",
            _md_table(
                [s.by, "mentions", *labs], [[g.name, g.mentions, *[g.counts[lab] for lab in labs]] for g in s.groups]
            ),
            "",
        ]
    if s.repeat_visit_requests:
        out += [
            "## Repeat visit requests",
            "",
            _md_table(
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
            ),
            "",
        ]
    if s.you_said:
        out += ["## You said (complaint themes)", ""] + [f"- {p} ({n})" for p, n in s.you_said] + [""]
    out += ["## Examples (redacted)", ""]
    for lab in labs:
        for e in s.examples.get(lab, []):
            out.append(f"- **{lab}**: {e['text']}")
    out += ["", "## Method", "", METHOD, ""]
    return "\n".join(out)
