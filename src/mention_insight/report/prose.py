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
    "Estimated counts correct them for the classifier's known errors on held-out, hand-labelled mentions: "
    "with true-positive rate tpr and false-positive rate fpr for a label, k predicted among N mentions gives "
    "an estimated true count (k - fpr*N)/(tpr - fpr), kept between 0 and N (adjusted classify-and-count). "
    "The 95% interval is a parametric bootstrap: tpr and fpr drawn from Beta posteriors of the held-out "
    "counts, the classifier's item-by-item errors simulated on N mentions, and the estimate recomputed "
    "2,000 times. The correction assumes the held-out error rates carry over to this export."
)

DEFAULT_RATES_SOURCE = "the model's held-out test set (real tweets to service accounts, labelled by the codebook)"


def estimate_phrase(e: Estimate, label: str) -> str:
    """ "visit requests: 320 predicted, about 300 (270–330) estimated"."""
    if not e.corrected:
        return f"{label}: {e.observed} predicted (no correction available)"
    return f"{label}: {e.observed} predicted, about {e.estimate:.0f} ({e.low:.0f}–{e.high:.0f}) estimated"


def estimate_cell(e: Estimate) -> str:
    return f"{e.estimate:.0f} ({e.low:.0f}–{e.high:.0f})" if e.corrected else f"{e.observed} (not corrected)"


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
        "rates_source": f"Estimated counts use error rates from {note.detail or DEFAULT_RATES_SOURCE}.",
        "no_rates": "The model carries no held-out error counts: estimated counts equal predicted counts.",
        "clipped": f"The correction hit its bounds (0 or every mention) for {note.detail}: the model's held-out "
        "error rates do not seem to describe this export, so treat the estimates for these labels with caution "
        "and check a sample by hand (or retrain on labelled mentions like these).",
    }
    return texts[note.kind]


def notes(s: ImpactSummary) -> list[str]:
    return [note_text(n) for n in s.notes]


def duration_text(minutes: float | None) -> str:
    if minutes is None:
        return "n/a"
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def headlines(s: ImpactSummary) -> list[str]:
    """A few plain sentences a manager can read first."""
    out = [
        f"{s.mentions} mentions from the public"
        + (f" over {len([p for p in s.periods if p != 'undated'])} {s.period}s" if s.has_dates else "")
        + "."
    ]
    for lab in s.labels:
        if lab != FALLBACK_LABEL:
            out.append(estimate_phrase(s.overall.estimates[lab], lab.replace("_", " ")) + ".")
    dated = [p for p in s.periods if p != "undated"]
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
