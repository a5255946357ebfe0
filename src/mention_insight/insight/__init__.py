"""The insight pipeline: classified mentions -> aggregation -> estimates, as data.

:func:`compute_summary` (:mod:`.summary`) orchestrates one module per finding:
:mod:`.counts` (what counts, per label, period and group), :mod:`.estimate` (corrected
counts with intervals), :mod:`.periods`, :mod:`.engagement` (repeat contacts, reply
times, outcomes), :mod:`.themes`, :mod:`.examples`, with :mod:`.redact` and
:mod:`.pseudonym` keeping people out of the result. Rendering is
:mod:`mention_insight.report`'s job.
"""

from .mentions import Mention, MentionSet
from .summary import GROUPINGS, ImpactSummary, Note, compute_summary

__all__ = ["GROUPINGS", "ImpactSummary", "Mention", "MentionSet", "Note", "compute_summary"]
