"""Every English sentence of the report: headlines, notes, the method, estimate phrases.

Compute (:mod:`mention_insight.insight`) returns data; the renderers (HTML, Markdown,
JSON) take their sentences from here, so wording changes in one place.
"""

from __future__ import annotations

from ..insight import ImpactSummary, Note
from ..insight.counts import MAX_PERIODS
from ..insight.engagement import actioned
from ..insight.estimate import Estimate
from ..insight.periods import UNDATED
from ..labels import FALLBACK_LABEL, THANKS_LABEL

METHOD = (
    "Predicted counts are what the classifier found (a mention counts once for each label it carries). "
    "Estimated counts need a random sample of this export's mentions labelled by hand (--labelled-sample). "
    "For any set of mentions (the export, a period, an account or area) the estimate is the sum of the "
    "model's calibrated scores over every mention in the set, corrected by the sample: plus N/n times the "
    "sample's total of (hand label - lambda x score) within the set, where N mentions are counted, n labelled, "
    "and lambda (between 0 and 1) is tuned on the sample to make the estimate as precise as it can be "
    "(prediction-powered inference, Angelopoulos et al. 2023, as a model-assisted survey estimator). The 95% "
    "interval comes from the variance of those corrections under random sampling, with Student's t for the "
    "number of labelled mentions in the set; changes between periods use the same sample, so they account for "
    "both periods' uncertainty at once. A good model gives narrow intervals; a poor one, intervals as wide as "
    "the sample alone would give, never misleading ones. On real tweets 95% intervals contained the true count "
    "95-98% of the time (docs/report.md, coverage study). Without a sample the counts are the model's "
    "predictions, uncorrected, and the model's held-out error rates are shown as a caveat."
)


#: Plain names for the codebook's labels; a new label shows with its underscores as spaces.
LABEL_NAMES = {
    "visit_request": "visit requests",
    "complaint": "complaints",
    "shared_info": "shared information",
    "thanks": "thanks",
    "other": "other",
}


def label_name(label: str) -> str:
    return LABEL_NAMES.get(label, label.replace("_", " "))


def estimate_phrase(e: Estimate, label: str) -> str:
    """ "visit requests: about 300 (270–330), 320 predicted"."""
    if not e.corrected:
        return f"{label}: {e.observed} predicted (not corrected: no labelled sample)"
    return f"{label}: about {e.estimate:.0f}, likely between {e.low:.0f} and {e.high:.0f} ({e.observed} predicted)"


def estimate_cell(e: Estimate) -> str:
    return f"{e.estimate:.0f} ({e.low:.0f}–{e.high:.0f})" if e.corrected else f"{e.observed} (not corrected)"


def change_text(change: dict | None) -> str:
    """ "(+4)" or, with an estimate, "(+4; about +6, -3 to +15)" and "clear rise" when the interval excludes 0."""
    if change is None:
        return ""
    est = change.get("estimated")
    if not est:
        return f" ({change['delta']:+d})"
    verdict = ""
    if est["clear"]:
        verdict = "; clear rise" if est["estimated"] > 0 else "; clear fall"
    return f" ({change['delta']:+d}; about {est['estimated']:+.0f}, {est['low']:+.0f} to {est['high']:+.0f}{verdict})"


def note_text(note: Note) -> str:
    """The sentence for one :class:`~mention_insight.insight.Note`."""
    n = note.count
    texts = {
        "undated": f"{n} mention(s) have a missing or unreadable date: they are counted in the totals and "
        f"in the '{UNDATED}' bucket, not in any period.",
        "unclassified": f"{n} row(s) could not be classified (e.g. empty text) and are not counted.",
        "outside_range": f"{n} mention(s) fall outside --since/--until and are left out.",
        "far_dated": f"{n} mention(s) dated far from the rest ({note.detail}) are left out, so the report covers "
        f"the busiest run of {MAX_PERIODS} periods; check those dates, or choose the range with --since/--until.",
        "account_posts": f"{n} post(s) by the accounts themselves are not counted as mentions; they give the reply times.",
        "sample": f"Estimated counts and their 95% intervals come from the model's scores on every mention, "
        f"corrected by a hand-labelled sample, {note.detail}, by prediction-powered estimation; they hold only "
        "if those mentions were picked at random.",
        "sample_unmatched": f"{n} labelled row(s) of {note.detail.split(' (')[0]} are not among the mentions counted "
        "(not in this export, the accounts' own posts, or outside --since/--until) and were left out.",
        "no_sample": "No labelled sample of this export was given, so the counts are the model's predictions, "
        "not corrected for its errors (its held-out error rates on real tweets are in the method section). "
        + (
            f"To quote counts with 95% intervals, label a random {n} of these mentions (id, text, labels) and pass "
            f"the file with --labelled-sample: each label's share then comes within about ±5 percentage points."
            if n
            else "To quote counts with 95% intervals, label a random sample of these mentions and pass it with "
            "--labelled-sample."
        ),
    }
    return texts[note.kind]


def notes(s: ImpactSummary) -> list[str]:
    return [note_text(n) for n in s.notes]


def duration_text(minutes: float | None) -> str:
    if minutes is None:
        return "n/a"
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def per_hundred(count: float, mentions: int) -> str:
    return f"{100 * count / mentions:.0f}" if mentions else "–"


def main_points(s: ImpactSummary) -> list[str]:
    """The opening paragraph's sentences, from the figures: what rose or fell against the
    previous period, and whether each change is larger than its uncertainty."""
    dated = [p for p in s.periods if p != UNDATED]
    o = s.overall
    corrected = any(e.corrected for e in o.estimates.values())
    out = []
    if len(dated) >= 2:
        last, prev = dated[-1], dated[-2]
        n_last, n_prev = o.period_totals.get(last, 0), o.period_totals.get(prev, 0)
        out.append(
            f"In the {s.period} of {last} the public sent {n_last} mentions, against {n_prev} the {s.period} before."
        )
        for lab in s.labels:
            if lab == FALLBACK_LABEL:
                continue
            name = label_name(lab)
            ch = (o.changes.get(last) or {}).get(lab) or {}
            est = ch.get("estimated")
            if corrected and est:
                e = o.period_estimates[last][lab]
                if est["clear"]:
                    way = "rose" if est["estimated"] > 0 else "fell"
                    out.append(
                        f"{name.capitalize()} {way}: about {e.estimate:.0f} (likely {e.low:.0f} to {e.high:.0f}), "
                        f"a change of about {est['estimated']:+.0f} that is larger than its uncertainty."
                    )
                else:
                    out.append(
                        f"{name.capitalize()}: about {e.estimate:.0f} (likely {e.low:.0f} to {e.high:.0f}); the change "
                        f"from the {s.period} before (about {est['estimated']:+.0f}) is within its uncertainty, so no "
                        "clear rise or fall."
                    )
            else:
                a, b = o.per_period[prev][lab], o.per_period[last][lab]
                out.append(f"{name.capitalize()}: {b} predicted, against {a} the {s.period} before (not corrected).")
    elif o.mentions:
        out.append(f"The public sent {o.mentions} mentions.")
    if len(s.groups) > 1 and s.complaint_label:
        lab = s.complaint_label

        def rate(g):
            return g.estimates[lab].estimate / g.mentions if g.mentions else 0.0

        top = max(s.groups, key=rate)
        out.append(
            f"Per 100 mentions, {top.name} received the most {label_name(lab)} "
            f"(about {per_hundred(top.estimates[lab].estimate, top.mentions)}"
            + ("" if corrected else ", predicted")
            + f"; {', '.join(f'{g.name} {per_hundred(g.estimates[lab].estimate, g.mentions)}' for g in s.groups if g is not top)})."
        )
    if not corrected:
        out.append(
            "These counts are the model's predictions, not corrected for its errors: label a random sample of "
            "mentions (--labelled-sample) to tell real changes from noise."
        )
    return out


def headlines(s: ImpactSummary) -> list[str]:
    """A few plain sentences a manager can read first."""
    out = [
        f"{s.mentions} mentions from the public"
        + (f" over {len([p for p in s.periods if p != 'undated'])} {s.period}s" if s.has_dates else "")
        + "."
    ]
    for lab in s.labels:
        if lab != FALLBACK_LABEL:
            out.append(estimate_phrase(s.overall.estimates[lab], label_name(lab)) + ".")
    dated = [p for p in s.periods if p != "undated"]
    if len(dated) >= 2:
        last = s.overall.changes.get(dated[-1]) or {}
        for lab in s.labels:
            est = (last.get(lab) or {}).get("estimated")
            if est and est["clear"]:
                way = "rise" if est["estimated"] > 0 else "fall"
                out.append(
                    f"{label_name(lab)}: a {way} in {dated[-1]} that the labelled sample cannot explain by "
                    f"chance (about {est['estimated']:+.0f}, likely {est['low']:+.0f} to {est['high']:+.0f})."
                )
    if len(dated) >= 4 and THANKS_LABEL in s.labels:
        half = len(dated) // 2
        a = sum(s.overall.per_period[p][THANKS_LABEL] for p in dated[:half]) / half
        b = sum(s.overall.per_period[p][THANKS_LABEL] for p in dated[half:]) / (len(dated) - half)
        out.append(f"Thanks per {s.period}: {a:.1f} on average in the first half of the period, {b:.1f} in the second.")
    r = s.overall.replies
    if r is not None and r.per_period_median_minutes:
        per = list(r.per_period_median_minutes.items())
        out.append(
            f"The accounts replied to {r.replied} mentions ({r.share:.0%}); median reply time {duration_text(r.median_minutes)}, "
            f"from {duration_text(per[0][1])} in {per[0][0]} to {duration_text(per[-1][1])} in {per[-1][0]}."
        )
    if s.repeat_visit_requests:
        out.append(f"{len(s.repeat_visit_requests)} people asked for a visit more than once (possible repeat victims).")
    if s.outcomes and s.request_label in s.outcomes:
        vr = s.outcomes[s.request_label]
        out.append(
            f"Of the visit requests with a recorded outcome ({sum(vr.values())}), {actioned(vr)} led to action ({vr.get('visited', 0)} visits)."
        )
    return out
